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
from django.db import IntegrityError, transaction
from django.utils import timezone

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


def apply_report(user, session_id, report, *, now=None):
    """Apply one report of a viewing session of `user`; returns the session's progress as a dict.

    Raises ViewingSession.DoesNotExist for a session that is not the user's.
    """
    now = now or timezone.now()
    max_rate = settings.LEARNING_MAX_PLAYBACK_RATE
    with transaction.atomic():
        # The learner first, always: a counselor's reports are applied one at a time.
        learner = Learner.objects.select_for_update().filter(user=user).first()
        if learner is None:  # never started a session: none of them is theirs
            raise ViewingSession.DoesNotExist
        session = ViewingSession.objects.select_for_update().select_related("progress").get(pk=session_id, user=user)
        progress = session.progress
        # A report may arrive after a later one (two sent as the page closes): its seconds still count,
        # within the budget, but it does not move the resume position back.
        latest = report.seq > session.last_seq

        nseconds = progress.nseconds
        old = progress.bits
        claimed = segments_to_bits(report.segments, nseconds) & ~old
        # Time since this counselor's last credited report in any session, and at most since this
        # session began: every credit is paid for by wall time, so the sum never exceeds it.
        since = max(session.started_at, learner.credit_clock or session.started_at)
        elapsed = max(0.0, (now - since).total_seconds())
        budget = min(math.floor(elapsed * max_rate + 1e-9), settings.LEARNING_REPORT_MAX_SECONDS)
        new = lowest_bits(claimed, budget)
        credited = new.bit_count()
        refused = claimed.bit_count() - credited

        if credited:
            watched = old | new
            progress.played_bits = watched.to_bytes((nseconds + 7) // 8, "little")
            progress.watched_seconds = watched.bit_count()
            progress.progress = min(1.0, progress.watched_seconds / nseconds)
            learner.credit_clock = now
            learner.save(update_fields=["credit_clock"])
        if latest:
            progress.position = min(report.position, progress.duration)
        progress.updated_at = now
        completed_now = False
        if progress.completed_at is None and progress.watched_seconds >= completion_needed(
            nseconds, progress.completion_threshold
        ):
            progress.completed_at = now
            completed_now = True
        progress.save(
            update_fields=["played_bits", "watched_seconds", "progress", "position", "updated_at", "completed_at"]
        )

        session.last_seq = max(session.last_seq, report.seq)
        session.last_report_at = now
        if latest or completed_now:
            session.last_verb = "completed" if completed_now else report.verb
        session.credited_seconds += credited
        session.refused_seconds += refused
        session.reports += 1
        session.playback_rate = min(max(report.rate, 0), 16)
        session.save(
            update_fields=[
                "last_seq",
                "last_report_at",
                "last_verb",
                "credited_seconds",
                "refused_seconds",
                "reports",
                "playback_rate",
            ]
        )
        if completed_now:
            credit_course(user, progress.course, now)
    return progress_state(progress, credited=credited, refused=refused, completed_now=completed_now)


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
