"""The server's decision of what a counselor watched (docs/learning.md#honest-watch-tracking).

A report says which segments of the video were played since the previous report. The server believes it
only as far as time allows: a report credits at most the wall-clock time since the counselor's previous
credited report (in any session, and never before this session began), times the fastest playback rate
the player allows, and at most LEARNING_REPORT_MAX_SECONDS. Seeking plays nothing, so it credits nothing;
a replayed report finds its seconds already watched; a forged one gets no more than the time that passed.
Credit is counted in whole seconds of the video (a bitmap), so two sessions, two devices or a second
viewing of the same minute are counted once.
"""

import math
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import IntegrityError, connection, transaction
from django.utils import timezone
from django.utils.crypto import constant_time_compare, salted_hmac

from microcourses.models import MicroCoursePage
from xapi import outbox as xapi_outbox

from . import report_sql
from .models import (
    CourseProgress,
    Learner,
    LearningCredit,
    ViewingSession,
    bits_to_segments,
    format_segments,
    pack_bits,
    seconds_count,
    unpack_bits,
)

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


class SessionGone(Exception):
    """The session may report no more; the message is for the viewer."""

    def __init__(self, message, status):
        super().__init__(message)
        self.status = status


def report_token(session_id, user_id, password_hash):
    """The capability to report into one viewing session, given to the player that opened it.

    Reports carry it (a header, or the beacon's form field) instead of being authenticated by the Django
    session: it is bound to the session, the user and their password hash (like Django's session auth
    hash, so a password change ends it), and no other site can read it (the CSRF protection)."""
    auth_hash = get_user_model()(password=password_hash).get_session_auth_hash()
    digest = salted_hmac("learning.report", f"{session_id}:{user_id}:{auth_hash}", algorithm="sha256")
    return f"{user_id}.{digest.hexdigest()[:40]}"


def token_user_id(token):
    """The user id a token claims (checked against its HMAC by apply_report), or None."""
    user_id, _, digest = (token or "").partition(".")
    return int(user_id) if user_id.isdigit() and len(user_id) < 19 and len(digest) == 40 else None


def apply_report(user_id, session_id, report, *, token=None, may_complete=None, now=None):
    """Apply one report of a viewing session of the user `user_id`; returns the progress as a dict.

    `token`: the player's report token, checked here (None: the caller authenticated the user). Raises
    ViewingSession.DoesNotExist for a session that is not the user's or a wrong token (alike), SessionGone
    when the course went offline or its video changed. `may_complete(course_id)`: whether the viewer may
    still see the course, asked before it is completed.
    """
    now = now or timezone.now()
    max_rate = settings.LEARNING_MAX_PLAYBACK_RATE
    sql = report_sql.statements(connection.vendor)
    to_db = connection.ops.adapt_datetimefield_value
    session_key = ViewingSession._meta.pk.get_db_prep_value(session_id, connection)
    with transaction.atomic(), connection.cursor() as cursor:
        # The learner first, always: a counselor's reports are applied one at a time.
        cursor.execute(sql["learner"], [user_id])
        row = cursor.fetchone()
        if row is None:  # never started a session: none of them is theirs
            raise ViewingSession.DoesNotExist
        learner_id, credit_clock = row[0], report_sql.from_db_datetime(row[1])
        cursor.execute(sql["session"], [session_key, user_id])
        row = cursor.fetchone()
        if row is None:
            raise ViewingSession.DoesNotExist
        started_at, last_seq, last_verb, ended_at, progress_id, course_id, duration = row[:7]
        played_bits, watched_seconds, share, position, threshold, completed_at = row[7:13]
        previous_position = position
        live, video_duration, password_hash, active = row[13:]
        if token is not None and not (
            active and constant_time_compare(token, report_token(session_id, user_id, password_hash))
        ):
            raise ViewingSession.DoesNotExist
        if ended_at is not None:
            raise SessionGone("您已退出登录，请刷新页面后继续记录学习进度。", 401)
        if not live:
            raise SessionGone("这门课程已下线，学习进度不再记录。", 404)
        if video_duration is None or seconds_count(video_duration) != seconds_count(duration):
            # A video replaced since this session began: a new session sizes the progress to it.
            raise SessionGone("课程视频已更新，请刷新页面。", 409)
        started_at, completed_at = report_sql.from_db_datetime(started_at), report_sql.from_db_datetime(completed_at)
        # A report may arrive after a later one (two sent as the page closes): its seconds still count,
        # within the budget, but it does not move the resume position back.
        latest = report.seq > last_seq

        nseconds = seconds_count(duration)
        old = unpack_bits(played_bits)
        claimed = segments_to_bits(report.segments, nseconds) & ~old
        # Time since this counselor's last credited report in any session, and at most since this
        # session began: every credit is paid for by wall time, so the sum never exceeds it.
        since = max(started_at, credit_clock or started_at)
        elapsed = max(0.0, (now - since).total_seconds())
        budget = min(math.floor(elapsed * max_rate + 1e-9), settings.LEARNING_REPORT_MAX_SECONDS)
        new = lowest_bits(claimed, budget)
        credited = new.bit_count()
        refused = claimed.bit_count() - credited
        watched = old | new

        if credited:
            played_bits = pack_bits(watched, nseconds)
            watched_seconds = watched.bit_count()
            share = min(1.0, watched_seconds / nseconds)
        if latest:
            position = min(report.position, duration)
        completed_now = False
        if completed_at is None and watched_seconds >= completion_needed(nseconds, threshold):
            # Made private since the session began (a view restriction): no completion, no hours.
            if may_complete is not None and not may_complete(course_id):
                raise SessionGone("这门课程已不再公开，学习进度不再记录。", 404)
            completed_at = now
            completed_now = True
        if latest or completed_now:
            last_verb = "completed" if completed_now else report.verb
        clock_params = [to_db(now), learner_id]
        progress_params = [bytes(played_bits or b""), watched_seconds, share, position, to_db(now)]
        progress_params += [to_db(completed_at), progress_id]
        session_params = [max(last_seq, report.seq), to_db(now), last_verb, credited, refused]
        session_params += [min(max(report.rate, 0), 16), session_key]
        if "all_updates" in sql:
            cursor.execute(sql["all_updates"], clock_params + [credited > 0] + progress_params + session_params)
        else:
            if credited:
                cursor.execute(sql["credit_clock"], clock_params)
            cursor.execute(sql["progress"], progress_params)
            cursor.execute(sql["session_update"], session_params)
        if completed_now:
            credit_course(user_id, MicroCoursePage.objects.get(pk=course_id), now)
        segments = bits_to_segments(watched)
        if settings.LRS_URL:  # xAPI statements for the LRS, in this transaction (docs/xapi.md)
            xapi_outbox.record_report(
                cursor,
                user_id=user_id,
                session_id=session_id,
                course_id=course_id,
                verb=report.verb if latest else None,
                completed=completed_now,
                length=duration,
                threshold=threshold,
                played_segments=format_segments(segments),
                progress=share,
                position=position,
                previous_position=previous_position,
                watched_seconds=watched_seconds,
                now=now,
            )
    return state(
        watched_seconds,
        share,
        threshold,
        completed_at,
        position,
        credited=credited,
        refused=refused,
        completed_now=completed_now,
        # What the player may take as received (a bounded list: a forged, fragmented one is left out).
        watched_segments=segments if len(segments) <= MAX_SEGMENTS else None,
    )


def credit_course(user_id, course, now):
    """The course's learning hours, credited once (the unique constraint decides under races)."""
    try:
        with transaction.atomic():
            LearningCredit.objects.create(
                user_id=user_id,
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
            progress.played_bits = pack_bits(bits, nseconds)
            progress.watched_seconds = bits.bit_count()
            progress.progress = min(1.0, progress.watched_seconds / nseconds)
            progress.save(update_fields=["duration", "played_bits", "watched_seconds", "progress"])
        session = ViewingSession.objects.create(
            user=user, progress=progress, started_at=now, last_report_at=now, device=device[:120]
        )
        if settings.LRS_URL:  # the session's xAPI `initialized` statement (docs/xapi.md)
            xapi_outbox.record_initialized(session, progress, now)
    return session, progress


def state(watched_seconds, share, threshold, completed_at, position, **extra):
    """What the player is told of its counselor's progress in the course."""
    return {
        "watched_seconds": watched_seconds,
        "progress": round(share, 4),
        "completion_threshold": threshold,
        "completed": completed_at is not None,
        "position": position,
        **extra,
    }


def progress_state(progress, **extra):
    return state(
        progress.watched_seconds,
        progress.progress,
        progress.completion_threshold,
        progress.completed_at,
        progress.position,
        **extra,
    )
