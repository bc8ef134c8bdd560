"""Recording statements in the outbox, in the transaction of the viewing event (learning.tracking calls
these only when LRS_URL is set).

A progress report is the site's hottest write: its statement is one INSERT, its JSON built from what the
report path already holds, with no query of its own. The INSERT carries its own bound: it adds nothing
when the counselor already has XAPI_STATEMENTS_PER_MINUTE statements from the last minute, so a player
(or a script) reporting without pause cannot grow the outbox beyond that rate.
"""

import functools
import logging
import uuid
from datetime import timedelta

from django.conf import settings
from django.core.cache import cache
from django.db import connection, transaction

from .models import Statement
from .statements import build, dumps, watch_result

logger = logging.getLogger(__name__)

COLUMNS = ["id", "user", "course_id", "verb", "body", "created_at", "attempts", "next_attempt_at", "last_error"]


@functools.cache
def insert_sql(vendor):
    q = connection.ops.quote_name
    meta = Statement._meta
    columns = [q(meta.get_field(name).column) for name in COLUMNS]
    user, created = q(meta.get_field("user").column), q(meta.get_field("created_at").column)
    # PostgreSQL types the SELECT's parameters by themselves, not by the columns they go into.
    casts = {"id": "uuid", "created_at": "timestamptz", "next_attempt_at": "timestamptz"}
    values = [f"CAST(%s AS {casts[name]})" if vendor == "postgresql" and name in casts else "%s" for name in COLUMNS]
    table = q(meta.db_table)
    insert = f"INSERT INTO {table} ({', '.join(columns)}) SELECT {', '.join(values)}"
    window = "CAST(%s AS timestamptz)" if vendor == "postgresql" else "%s"
    return {
        "always": insert,
        "limited": f"{insert} WHERE (SELECT COUNT(*) FROM {table} WHERE {user} = %s AND {created} > {window}) < %s",
    }


def _params(user_id, course_id, verb, body, now):
    to_db = connection.ops.adapt_datetimefield_value
    pk = Statement._meta.pk.get_db_prep_value(uuid.UUID(body["id"]), connection)
    return [pk, user_id, course_id, verb, dumps(body), to_db(now), 0, to_db(now), ""]


def record_initialized(session, progress, now):
    """The session's `initialized` statement (start_session; sessions are bounded by LEARNING_SESSIONS_PER_DAY)."""
    body = build(
        uuid.uuid4(),
        "initialized",
        session_id=session.pk,
        length=progress.duration,
        threshold=progress.completion_threshold,
        now=now,
    )
    with connection.cursor() as cursor:
        cursor.execute(
            insert_sql(connection.vendor)["always"],
            _params(session.user_id, progress.course_id, "initialized", body, now),
        )
    queue_sending()


def record_report(
    cursor,
    *,
    user_id,
    session_id,
    course_id,
    verb,
    completed,
    length,
    threshold,
    played_segments,
    progress,
    position,
    previous_position,
    watched_seconds,
    now,
):
    """A report's statement (`verb`, None for a late report: no statement) and, when it completed the
    course, the `completed` one. Runs in apply_report's transaction, on its cursor."""
    sql = insert_sql(connection.vendor)
    shared = {"session_id": session_id, "length": length, "threshold": threshold, "now": now}
    seen = {"played_segments": played_segments, "progress": progress, "position": position}
    if verb is not None:
        result = watch_result(verb, previous_position=previous_position, **seen)
        body = build(uuid.uuid4(), verb, result=result, **shared)
        window = connection.ops.adapt_datetimefield_value(now - timedelta(minutes=1))
        cursor.execute(
            sql["limited"],
            _params(user_id, course_id, verb, body, now) + [user_id, window, settings.XAPI_STATEMENTS_PER_MINUTE],
        )
    if completed:
        result = watch_result("completed", watched_seconds=watched_seconds, **seen)
        body = build(uuid.uuid4(), "completed", result=result, **shared)
        # A microsecond later: sent after the report's own statement.
        cursor.execute(sql["always"], _params(user_id, course_id, "completed", body, now + timedelta(microseconds=1)))
    if verb is not None or completed:
        queue_sending()


def queue_sending():
    """After the commit, queue the sending task, at most once in XAPI_QUEUE_EVERY_SECONDS (the cache
    remembers); the worker's sweep sends anything left."""
    transaction.on_commit(_queue)


def _queue():
    every = settings.XAPI_QUEUE_EVERY_SECONDS
    if every and not cache.add("xapi:send-queued", 1, every):
        return
    try:
        from .tasks import send_statements

        send_statements.enqueue()
    except Exception:  # a queue that is down must not fail the viewer's report: the sweep sends later
        logger.exception("could not queue the sending of xAPI statements")
