"""The report path's statements, built once from the models' tables and columns (learning.tracking).

A report is the hottest write of the site (every viewer, every 10 s). Through the ORM its statements cost
several times what the database spends on them (query building, model instances), so they are written out
here, from the models' meta: a renamed column follows by itself; a new field the report must read needs a
line here (tests/test_learning.py covers every column read and written).
"""

import functools
from datetime import UTC, datetime

from django.contrib.auth import get_user_model
from django.db import connection
from django.utils import timezone

from wagtail.models import Page

from media.models import Video
from microcourses.models import MicroCoursePage

from .models import CourseProgress, Learner, ViewingSession

# What the session's statement reads, in order (see apply_report).
SESSION_COLUMNS = ["started_at", "last_seq", "last_verb", "ended_at"]
PROGRESS_COLUMNS = [
    "id",
    "course",
    "duration",
    "played_bits",
    "watched_seconds",
    "progress",
    "position",
    "completion_threshold",
    "completed_at",
]


@functools.cache
def statements(vendor):
    q = connection.ops.quote_name
    learner, session, progress = Learner._meta, ViewingSession._meta, CourseProgress._meta
    page, course, video, user = Page._meta, MicroCoursePage._meta, Video._meta, get_user_model()._meta

    def c(meta, name):
        return q(meta.get_field(name).column)

    # PostgreSQL writes the learner, the progress and the session in one statement (one round trip instead
    # of three; its data-modifying WITH clauses always run). SQLite has no UPDATE inside WITH: three.
    # PostgreSQL locks the learner, then the session and its progress (not the page, video or user rows);
    # SQLite's IMMEDIATE transaction has already taken the one write lock.
    postgresql = vendor == "postgresql"
    statements = {
        "learner": f"SELECT {c(learner, 'id')}, {c(learner, 'credit_clock')} FROM {q(learner.db_table)} "
        f"WHERE {c(learner, 'user')} = %s" + (" FOR UPDATE" if postgresql else ""),
        # The session with its progress, and what decides whether it may still report: the course's page
        # still live, its video's length, the user still active and their password hash (the report
        # token is bound to it, as Django's sessions are).
        "session": "SELECT "
        + ", ".join(f"s.{c(session, name)}" for name in SESSION_COLUMNS)
        + ", "
        + ", ".join(f"p.{c(progress, name)}" for name in PROGRESS_COLUMNS)
        + f", pg.{c(page, 'live')}, v.{c(video, 'duration')}, u.{c(user, 'password')}, u.{c(user, 'is_active')}"
        f" FROM {q(session.db_table)} s"
        f" JOIN {q(progress.db_table)} p ON p.{c(progress, 'id')} = s.{c(session, 'progress')}"
        f" JOIN {q(page.db_table)} pg ON pg.{c(page, 'id')} = p.{c(progress, 'course')}"
        f" JOIN {q(course.db_table)} m ON m.{q(course.pk.column)} = p.{c(progress, 'course')}"
        f" LEFT JOIN {q(video.db_table)} v ON v.{c(video, 'id')} = m.{c(course, 'video')}"
        f" JOIN {q(user.db_table)} u ON u.{q(user.pk.column)} = s.{c(session, 'user')}"
        f" WHERE s.{c(session, 'id')} = %s AND s.{c(session, 'user')} = %s"
        + (" FOR UPDATE OF s, p" if postgresql else ""),
        "credit_clock": f"UPDATE {q(learner.db_table)} SET {c(learner, 'credit_clock')} = %s "
        f"WHERE {c(learner, 'id')} = %s",
        "progress": f"UPDATE {q(progress.db_table)} SET "
        + ", ".join(
            f"{c(progress, name)} = %s"
            for name in ("played_bits", "watched_seconds", "progress", "position", "updated_at", "completed_at")
        )
        + f" WHERE {c(progress, 'id')} = %s",
        "session_update": f"UPDATE {q(session.db_table)} SET {c(session, 'last_seq')} = %s, "
        f"{c(session, 'last_report_at')} = %s, {c(session, 'last_verb')} = %s, "
        f"{c(session, 'credited_seconds')} = {c(session, 'credited_seconds')} + %s, "
        f"{c(session, 'refused_seconds')} = {c(session, 'refused_seconds')} + %s, "
        f"{c(session, 'reports')} = {c(session, 'reports')} + 1, {c(session, 'playback_rate')} = %s "
        f"WHERE {c(session, 'id')} = %s",
    }
    if postgresql:
        # The credit clock moves only when something was credited (the third parameter).
        statements["all_updates"] = (
            f"WITH learner AS (UPDATE {q(learner.db_table)} SET {c(learner, 'credit_clock')} = %s "
            f"WHERE {c(learner, 'id')} = %s AND %s), progress AS ({statements['progress']}) "
            + statements["session_update"]
        )
    return statements


def from_db_datetime(value):
    """A datetime read by raw SQL: SQLite gives the ORM's naive UTC text, PostgreSQL an aware datetime."""
    if value is None or isinstance(value, datetime):
        return value if value is None or timezone.is_aware(value) else value.replace(tzinfo=UTC)
    return datetime.fromisoformat(value).replace(tzinfo=UTC)
