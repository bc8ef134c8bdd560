"""The server's decision of what a counselor watched (docs/learning.md#honest-watch-tracking).

A report says which segments of the video were played since the previous report. The server believes it
only as far as time allows: a report credits at most the wall-clock time since the counselor's previous
credited report (in any session, and never before this session began), times the fastest playback rate
the player allows, and at most LEARNING_REPORT_MAX_SECONDS. Seeking plays nothing, so it credits nothing;
a replayed report finds its seconds already watched; a forged one gets no more than the time that passed.
Credit is counted in whole seconds of the video (a bitmap), so two sessions, two devices or a second
viewing of the same minute are counted once.
"""

import functools
import math
from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import ROUND_HALF_UP, Decimal

from django.conf import settings
from django.db import IntegrityError, connection, transaction
from django.utils import timezone

from microcourses.models import MicroCoursePage

from .models import CourseProgress, Learner, LearningCredit, ViewingSession, seconds_count

MAX_SEGMENTS = 64  # per report; a player sends one or two
CLIENT_VERBS = {"played", "paused", "seeked", "terminated"}


class ReportError(ValueError):
    """A report the server refuses; the message is for the viewer (Chinese)."""


@dataclass
class Report:
    seq: int
    verb: str
    segments: list
    position: float
    rate: float


def _number(value, what):
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
        raise ReportError(f"{what}必须是数字。")
    return float(value)


def parse_report(data):
    """A Report from the decoded JSON body, or ReportError."""
    if not isinstance(data, dict):
        raise ReportError("上报内容格式不正确。")
    seq = data.get("seq")
    if isinstance(seq, bool) or not isinstance(seq, int) or not 0 < seq < 2**31:
        raise ReportError("上报序号不正确。")
    verb = data.get("verb", "played")
    if verb not in CLIENT_VERBS:
        raise ReportError("上报动作不正确。")
    raw = data.get("segments", [])
    if not isinstance(raw, list) or len(raw) > MAX_SEGMENTS:
        raise ReportError(f"观看片段最多 {MAX_SEGMENTS} 段。")
    segments = []
    for item in raw:
        if not isinstance(item, list) or len(item) != 2:
            raise ReportError("观看片段格式不正确。")
        start, end = _number(item[0], "片段起点"), _number(item[1], "片段终点")
        if start < 0 or end < start:
            raise ReportError("观看片段的起止时间不正确。")
        segments.append((start, end))
    position = _number(data.get("position", 0), "播放位置")
    rate = _number(data.get("rate", 1), "播放速度")
    return Report(seq=seq, verb=verb, segments=segments, position=max(0.0, position), rate=rate)


def segments_to_bits(segments, nseconds):
    """The seconds a list of (start, end) covers: second i counts when the segment covers its middle."""
    bits = 0
    for start, end in segments:
        first = max(0, math.ceil(start - 0.5))
        last = min(nseconds - 1, math.floor(end - 0.5))
        if last >= first:
            bits |= ((1 << (last - first + 1)) - 1) << first
    return bits


def lowest_bits(bits, count):
    """The `count` lowest set bits of `bits` (all of them when there are fewer)."""
    if count <= 0:
        return 0
    if bits.bit_count() <= count:
        return bits
    # The smallest width whose mask keeps exactly `count` bits: a binary search, not a loop per bit.
    low, high = count, bits.bit_length()
    while low < high:
        middle = (low + high) // 2
        if (bits & ((1 << middle) - 1)).bit_count() >= count:
            high = middle
        else:
            low = middle + 1
    return bits & ((1 << low) - 1)


def course_hours(course):
    """The learning hours a completed course credits: its 学时, or one per 45 minutes of video."""
    if course.learning_hours is not None:
        return Decimal(course.learning_hours)
    seconds = course.duration_seconds or 0
    return (Decimal(seconds) / Decimal(2700)).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


def completion_needed(nseconds, threshold):
    return max(1, math.ceil(nseconds * threshold - 1e-9))


@functools.cache
def _report_sql(vendor):
    """The report path's statements, built once from the models' tables and columns.

    A report is the hottest write of the site (every viewer, every 10 s). Through the ORM its five
    statements cost five times what the database spends on them (query building, model instances), so
    they are written out here. PostgreSQL locks the rows (SQLite's IMMEDIATE transaction has already
    taken the one write lock).
    """
    q = connection.ops.quote_name
    lock = " FOR UPDATE" if vendor == "postgresql" else ""
    learner, session, progress = Learner._meta, ViewingSession._meta, CourseProgress._meta

    def c(meta, name):
        return q(meta.get_field(name).column)

    progress_columns = ["id", "course", "duration", "played_bits", "watched_seconds", "progress", "position",
                        "completion_threshold", "completed_at"]  # fmt: skip
    return {
        "learner": f"SELECT {c(learner, 'id')}, {c(learner, 'credit_clock')} FROM {q(learner.db_table)} "
        f"WHERE {c(learner, 'user')} = %s{lock}",
        # The session and its progress in one statement; on PostgreSQL both rows locked, as the ORM's
        # select_for_update().select_related() locked them.
        "session": f"SELECT s.{c(session, 'started_at')}, s.{c(session, 'last_seq')}, s.{c(session, 'last_verb')}, "
        + ", ".join(f"p.{c(progress, name)}" for name in progress_columns)
        + f" FROM {q(session.db_table)} s JOIN {q(progress.db_table)} p ON p.{c(progress, 'id')} = "
        f"s.{c(session, 'progress')} WHERE s.{c(session, 'id')} = %s AND s.{c(session, 'user')} = %s{lock}",
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


def _from_db_datetime(value):
    """A datetime read by raw SQL: SQLite gives the ORM's naive UTC text, PostgreSQL an aware datetime."""
    if value is None or isinstance(value, datetime):
        return value if value is None or timezone.is_aware(value) else value.replace(tzinfo=UTC)
    return datetime.fromisoformat(value).replace(tzinfo=UTC)


def apply_report(user, session_id, report, *, now=None):
    """Apply one report of a viewing session of `user`; returns the session's progress as a dict.

    Raises ViewingSession.DoesNotExist for a session that is not the user's.
    """
    now = now or timezone.now()
    max_rate = settings.LEARNING_MAX_PLAYBACK_RATE
    sql = _report_sql(connection.vendor)
    to_db = connection.ops.adapt_datetimefield_value
    with transaction.atomic(), connection.cursor() as cursor:
        # The learner first, always: a counselor's reports are applied one at a time.
        cursor.execute(sql["learner"], [user.pk])
        row = cursor.fetchone()
        if row is None:  # never started a session: none of them is theirs
            raise ViewingSession.DoesNotExist
        learner_id, credit_clock = row[0], _from_db_datetime(row[1])
        cursor.execute(sql["session"], [ViewingSession._meta.pk.get_db_prep_value(session_id, connection), user.pk])
        row = cursor.fetchone()
        if row is None:
            raise ViewingSession.DoesNotExist
        started_at, last_seq, last_verb, progress_id, course_id, duration = row[:6]
        played_bits, watched_seconds, share, position, threshold, completed_at = row[6:]
        started_at, completed_at = _from_db_datetime(started_at), _from_db_datetime(completed_at)
        # A report may arrive after a later one (two sent as the page closes): its seconds still count,
        # within the budget, but it does not move the resume position back.
        latest = report.seq > last_seq

        nseconds = seconds_count(duration)
        old = int.from_bytes(bytes(played_bits or b""), "little")
        claimed = segments_to_bits(report.segments, nseconds) & ~old
        # Time since this counselor's last credited report in any session, and at most since this
        # session began: every credit is paid for by wall time, so the sum never exceeds it.
        since = max(started_at, credit_clock or started_at)
        elapsed = max(0.0, (now - since).total_seconds())
        budget = min(math.floor(elapsed * max_rate + 1e-9), settings.LEARNING_REPORT_MAX_SECONDS)
        new = lowest_bits(claimed, budget)
        credited = new.bit_count()
        refused = claimed.bit_count() - credited

        if credited:
            watched = old | new
            played_bits = watched.to_bytes((nseconds + 7) // 8, "little")
            watched_seconds = watched.bit_count()
            share = min(1.0, watched_seconds / nseconds)
            cursor.execute(sql["credit_clock"], [to_db(now), learner_id])
        if latest:
            position = min(report.position, duration)
        completed_now = False
        if completed_at is None and watched_seconds >= completion_needed(nseconds, threshold):
            completed_at = now
            completed_now = True
        cursor.execute(
            sql["progress"],
            [bytes(played_bits or b""), watched_seconds, share, position, to_db(now), to_db(completed_at), progress_id],
        )
        if latest or completed_now:
            last_verb = "completed" if completed_now else report.verb
        cursor.execute(
            sql["session_update"],
            [
                max(last_seq, report.seq),
                to_db(now),
                last_verb,
                credited,
                refused,
                min(max(report.rate, 0), 16),
                ViewingSession._meta.pk.get_db_prep_value(session_id, connection),
            ],
        )
        if completed_now:
            credit_course(user, MicroCoursePage.objects.get(pk=course_id), now)
    return {
        "watched_seconds": watched_seconds,
        "progress": round(share, 4),
        "completion_threshold": threshold,
        "completed": completed_at is not None,
        "position": position,
        "credited": credited,
        "refused": refused,
        "completed_now": completed_now,
    }


def credit_course(user, course, now):
    """The course's learning hours, credited once (the unique constraint decides under races)."""
    try:
        with transaction.atomic():
            LearningCredit.objects.create(
                user=user,
                course=course,
                course_key=course.pk,
                title=course.title[:255],
                hours=course_hours(course),
                capability_codes=sorted(course.capabilities.values_list("code", flat=True)),
                credited_at=now,
            )
    except IntegrityError:
        pass


def start_session(user, course, *, device="", now=None):
    """A new viewing session of `course` (xAPI `initialized`), with the counselor's progress."""
    now = now or timezone.now()
    duration = float(course.video.duration)
    with transaction.atomic():
        Learner.objects.get_or_create(user=user)
        progress, created = CourseProgress.objects.get_or_create(
            user=user,
            course=course,
            defaults={
                "duration": duration,
                "completion_threshold": settings.LEARNING_COMPLETION_THRESHOLD,
                "started_at": now,
                "updated_at": now,
            },
        )
        if not created and seconds_count(progress.duration) != seconds_count(duration):
            # The course's video was replaced by one of another length: keep what fits.
            nseconds = seconds_count(duration)
            bits = progress.bits & ((1 << nseconds) - 1)
            progress.duration = duration
            progress.played_bits = bits.to_bytes((nseconds + 7) // 8, "little")
            progress.watched_seconds = bits.bit_count()
            progress.progress = min(1.0, progress.watched_seconds / nseconds)
            progress.save(update_fields=["duration", "played_bits", "watched_seconds", "progress"])
        session = ViewingSession.objects.create(
            user=user, progress=progress, started_at=now, last_report_at=now, device=device[:120]
        )
    return session, progress


def progress_state(progress, **extra):
    return {
        "watched_seconds": progress.watched_seconds,
        "progress": round(progress.progress, 4),
        "completion_threshold": progress.completion_threshold,
        "completed": progress.completed_at is not None,
        "position": progress.position,
        **extra,
    }
