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


@functools.cache
def insert_sql(vendor, per_minute):
    """The INSERT of one statement, and the same bounded by `per_minute` statements of the user a minute.

    Six parameters (the statement's id, user, course, verb, body, time): on PostgreSQL the driver writes each
    one into the query, so the others are written in SQL (PostgreSQL also types them by themselves, not by
    the columns they go into: hence the casts)."""
    q = connection.ops.quote_name
    meta = Statement._meta
    column = {name: q(meta.get_field(name).column) for name in ["user", "created_at"]}
    table = q(meta.db_table)
    columns = ", ".join(
        q(meta.get_field(name).column)
        for name in [
            "id",
            "user",
            "course_id",
            "verb",
            "body",
            "created_at",
            "attempts",
            "next_attempt_at",
            "last_error",
        ]
    )
    postgresql = vendor == "postgresql"
    row = (
        "SELECT CAST(%s AS uuid) AS i, %s AS u, %s AS c, %s AS v, %s AS b, CAST(%s AS timestamptz) AS t"
        if postgresql
        else "SELECT %s AS i, %s AS u, %s AS c, %s AS v, %s AS b, %s AS t"
    )
    insert = f"INSERT INTO {table} ({columns}) SELECT x.i, x.u, x.c, x.v, x.b, x.t, 0, x.t, '' FROM ({row}) AS x"
    # SQLite keeps times as ISO text, which datetime() shifts and which compare as text.
    minute_ago = "x.t - INTERVAL '1 minute'" if postgresql else "datetime(x.t, '-60 seconds')"
    recent = f"SELECT COUNT(*) FROM {table} WHERE {column['user']} = x.u AND {column['created_at']} > {minute_ago}"
    return {"always": insert, "limited": f"{insert} WHERE ({recent}) < {int(per_minute)}"}


def _sql(kind):
    return insert_sql(connection.vendor, settings.XAPI_STATEMENTS_PER_MINUTE)[kind]


def _params(user_id, course_id, verb, body, now):
    pk = Statement._meta.pk.get_db_prep_value(uuid.UUID(body["id"]), connection)
    return [pk, user_id, course_id, verb, dumps(body), connection.ops.adapt_datetimefield_value(now)]


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
            _sql("always"),
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
    shared = {"session_id": session_id, "length": length, "threshold": threshold, "now": now}
    seen = {"played_segments": played_segments, "progress": progress, "position": position}
    if verb is not None:
        result = watch_result(verb, previous_position=previous_position, **seen)
        body = build(uuid.uuid4(), verb, result=result, **shared)
        cursor.execute(_sql("limited"), _params(user_id, course_id, verb, body, now))
    if completed:
        result = watch_result("completed", watched_seconds=watched_seconds, **seen)
        body = build(uuid.uuid4(), "completed", result=result, **shared)
        # A microsecond later: sent after the report's own statement.
        cursor.execute(_sql("always"), _params(user_id, course_id, "completed", body, now + timedelta(microseconds=1)))
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
