"""What counselors watched, decided on the server (docs/learning.md).

Names follow the xAPI Video Profile (https://w3id.org/xapi/video): a viewing session is what the
profile calls a session (initialized ... terminated), `played-segments` are the seconds played, `progress`
the share of the video watched, `completion-threshold` the share that completes it. The `xapi` app
sends them to a Learning Record Store as statements without renaming anything.

Watched seconds are kept as a bitmap, one bit per second of the video (a 3-hour video: 1,350 bytes),
so a course's progress has a bounded size whatever a client sends, and the union of many sessions on
many devices is one OR.
"""

import math
import uuid

from django.conf import settings
from django.db import models
from django.utils import timezone

# The verbs of the xAPI Video Profile a viewing session goes through.
VERBS = ["initialized", "played", "paused", "seeked", "completed", "terminated"]
VERB_CHOICES = [
    ("initialized", "开始"),
    ("played", "播放"),
    ("paused", "暂停"),
    ("seeked", "拖动"),
    ("completed", "完成"),
    ("terminated", "离开"),
]


def seconds_count(duration):
    """The number of whole seconds a video of this duration has (the bits of its bitmap)."""
    return max(1, math.ceil(float(duration or 0) - 1e-6))


class Learner(models.Model):
    """One per counselor who has watched anything: the clock that bounds all their credit.

    Every report locks this row first, so that a counselor's reports are applied one at a time (and
    in the same order everywhere: no deadlock), and a second tab or a forged parallel session shares
    the one budget of wall time a person has.
    """

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="learner")
    credit_clock = models.DateTimeField("上次计入观看时间", null=True, blank=True)

    class Meta:
        verbose_name = "学习者"
        verbose_name_plural = "学习者"

    def __str__(self):
        return str(self.user)


class CourseProgress(models.Model):
    """A counselor's progress in one micro-course, merged over every session and device."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="course_progress")
    course = models.ForeignKey("microcourses.MicroCoursePage", on_delete=models.CASCADE, related_name="progress")
    # Seconds of the video when the bitmap was last sized; a replaced video resizes it.
    duration = models.FloatField("视频时长（秒）")
    played_bits = models.BinaryField("已观看的秒（位图）", default=b"")
    watched_seconds = models.PositiveIntegerField("已观看秒数", default=0)
    progress = models.FloatField("观看进度", default=0)  # xAPI `progress`, 0..1
    completion_threshold = models.FloatField("完成阈值", default=0.9)  # xAPI `completion-threshold`
    position = models.FloatField("上次观看位置（秒）", default=0)
    started_at = models.DateTimeField("开始学习", default=timezone.now)
    updated_at = models.DateTimeField("最近观看", default=timezone.now, db_index=True)
    completed_at = models.DateTimeField("完成时间", null=True, blank=True)

    class Meta:
        verbose_name = "课程学习进度"
        verbose_name_plural = "课程学习进度"
        constraints = [models.UniqueConstraint(fields=["user", "course"], name="learning_progress_once")]
        indexes = [models.Index(fields=["user", "-updated_at"], name="learning_progress_recent")]

    def __str__(self):
        return f"{self.user} · {self.course_id}"

    @property
    def nseconds(self):
        return seconds_count(self.duration)

    @property
    def bits(self):
        return unpack_bits(self.played_bits)

    @property
    def played_segments(self):
        """The xAPI `played-segments` string: "0[.]12[,]30[.]45"."""
        return format_segments(bits_to_segments(self.bits))

    @property
    def percent(self):
        return min(100, math.floor(self.progress * 100))

    @property
    def resume_at(self):
        """Where to start again: the stored position, but 0 for a finished or nearly finished video."""
        if self.position >= self.duration - 15 or self.position >= 0.95 * self.duration:
            return 0
        return max(0, int(self.position))


class ViewingSession(models.Model):
    """One page load that plays a course (xAPI: from `initialized` to `terminated`)."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="viewing_sessions")
    progress = models.ForeignKey(CourseProgress, on_delete=models.CASCADE, related_name="sessions")
    started_at = models.DateTimeField("开始", default=timezone.now)
    last_report_at = models.DateTimeField("最近上报", default=timezone.now)
    last_seq = models.PositiveIntegerField("最近上报序号", default=0)
    last_verb = models.CharField("最近动作", max_length=16, choices=VERB_CHOICES, default="initialized")
    credited_seconds = models.PositiveIntegerField("计入的观看秒数", default=0)
    refused_seconds = models.PositiveIntegerField("未计入的秒数", default=0)
    reports = models.PositiveIntegerField("上报次数", default=0)
    playback_rate = models.FloatField("播放速度", default=1)
    device = models.CharField("设备", max_length=120, blank=True)
    # Set when the counselor signs out: the player's report token stops working (signal_handlers).
    ended_at = models.DateTimeField("结束", null=True, blank=True)

    class Meta:
        verbose_name = "观看会话"
        verbose_name_plural = "观看会话"
        indexes = [models.Index(fields=["user", "started_at"], name="learning_session_user_started")]

    def __str__(self):
        return str(self.pk)


class LearningCredit(models.Model):
    """Learning hours (学时) credited once per counselor and course.

    The unique constraint is what makes "once" hold when two reports complete a course at the same
    moment. The course's title, hours and capability areas are copied: a counselor's record keeps its
    hours when a course is later edited, unpublished or deleted.
    """

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="learning_credits")
    course = models.ForeignKey(
        "microcourses.MicroCoursePage", null=True, blank=True, on_delete=models.SET_NULL, related_name="credits"
    )
    course_key = models.PositiveIntegerField("课程编号")  # the page id, kept when the page is deleted
    # A micro-course watched to completion, or a training program completed (programs.completion).
    # Both are pages, so their ids never collide under the one-credit constraint.
    kind = models.CharField(
        "来源", max_length=10, choices=[("course", "微课"), ("program", "培训项目")], default="course"
    )
    title = models.CharField("课程", max_length=255)
    hours = models.DecimalField("学时", max_digits=5, decimal_places=2)
    capability_codes = models.JSONField("能力方向", default=list)
    credited_at = models.DateTimeField("计入时间", default=timezone.now, db_index=True)

    class Meta:
        verbose_name = "学时记录"
        verbose_name_plural = "学时记录"
        constraints = [models.UniqueConstraint(fields=["user", "course_key"], name="learning_credit_once")]
        ordering = ["-credited_at"]

    def __str__(self):
        return f"{self.title} · {self.hours}"


def unpack_bits(raw):
    """The bitmap stored in `played_bits` (bit i = second i) as an int."""
    return int.from_bytes(bytes(raw or b""), "little")


def pack_bits(bits, nseconds):
    """The bytes `played_bits` stores for a bitmap of a video of `nseconds` seconds."""
    return bits.to_bytes((nseconds + 7) // 8, "little")


def clock(seconds):
    """0:05, 12:30, 1:02:03 for a number of seconds."""
    hours, rest = divmod(int(seconds), 3600)
    minutes, seconds = divmod(rest, 60)
    return f"{hours}:{minutes:02d}:{seconds:02d}" if hours else f"{minutes}:{seconds:02d}"


def bits_to_segments(bits):
    """[(start, end), ...] whole seconds of the set runs of a bitmap."""
    segments = []
    position = 0
    while bits:
        # Skip the zeros, then measure the run of ones.
        zeros = (bits & -bits).bit_length() - 1
        bits >>= zeros
        position += zeros
        ones = (~bits & (bits + 1)).bit_length() - 1
        segments.append((position, position + ones))
        bits >>= ones
        position += ones
    return segments


def format_segments(segments):
    return "[,]".join(f"{start:g}[.]{end:g}" for start, end in segments)
