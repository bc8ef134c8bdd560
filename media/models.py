"""The lecture video: wagtailmedia's media item plus what the pipeline probes and produces."""

import os
import posixpath
import uuid
from pathlib import Path
from urllib.parse import quote

from django.conf import settings
from django.core.files.storage import default_storage
from django.core.validators import FileExtensionValidator
from django.db import models
from django.utils import timezone
from django.utils.functional import cached_property

from wagtailmedia.models import AbstractMedia, MediaType

CAPTION_EXTENSIONS = ["vtt", "srt"]


def gate_url(name):
    return settings.MEDIA_URL + quote(name)


def original_path(instance, filename):
    """Where an upload is stored. The editor's file name is never used for the path: only its
    extension survives, and only if it is a known video extension."""
    extension = os.path.splitext(filename)[1].lower().lstrip(".")
    if extension not in settings.WAGTAILMEDIA["VIDEO_EXTENSIONS"]:
        extension = "bin"
    return timezone.now().strftime(f"videos/originals/%Y/%m/{uuid.uuid4().hex}.{extension}")


def captions_path(instance, filename):
    # Uploaded SRT is converted to WebVTT before it is saved (forms.VideoForm).
    return f"videos/captions/{uuid.uuid4().hex}.vtt"


class Video(AbstractMedia):
    """A lecture video. Editors give a title, the file and optional captions; everything else is
    probed from the file or written by the transcoding job (media.pipeline)."""

    class Status(models.TextChoices):
        WAITING = "waiting", "等待转码"
        TRANSCODING = "transcoding", "转码中"
        READY = "ready", "可播放"
        FAILED = "failed", "转码失败"

    # Only video: the library has no audio-only resources.
    type = models.CharField(max_length=255, choices=MediaType.choices, default=MediaType.VIDEO, editable=False)
    file = models.FileField("视频文件", upload_to=original_path, max_length=255)
    captions = models.FileField(
        "字幕（WebVTT 或 SRT）",
        upload_to=captions_path,
        blank=True,
        validators=[FileExtensionValidator(CAPTION_EXTENSIONS)],
        help_text="可选。上传 .vtt 或 .srt 字幕文件，SRT 会自动转换为 WebVTT。",
    )

    # Probed from the upload (never typed by editors).
    file_hash = models.CharField(max_length=40, blank=True, editable=False, db_index=True)
    size = models.BigIntegerField("文件大小（字节）", null=True, blank=True, editable=False)
    container = models.CharField("封装格式", max_length=100, blank=True, editable=False)
    video_codec = models.CharField("视频编码", max_length=50, blank=True, editable=False)
    audio_codec = models.CharField("音频编码", max_length=50, blank=True, editable=False)
    frame_rate = models.FloatField("帧率", null=True, blank=True, editable=False)

    # Written by the transcoding job.
    status = models.CharField(
        "转码状态", max_length=20, choices=Status.choices, default=Status.WAITING, editable=False, db_index=True
    )
    progress = models.PositiveSmallIntegerField("转码进度（%）", default=0, editable=False)
    failure_reason = models.CharField("失败原因", max_length=500, blank=True, editable=False)
    failure_detail = models.TextField("技术细节", blank=True, editable=False)
    poster = models.FileField("封面图", blank=True, editable=False, max_length=255)
    hls_dir = models.CharField("HLS 目录", max_length=255, blank=True, editable=False)
    renditions = models.JSONField("清晰度", default=list, blank=True, editable=False)
    transcoded_at = models.DateTimeField("转码完成时间", null=True, blank=True, editable=False)
    # The running attempt: its token (the lease), when it last reported, how many were started.
    lease = models.UUIDField(null=True, blank=True, editable=False)
    heartbeat_at = models.DateTimeField(null=True, blank=True, editable=False)
    attempts = models.PositiveSmallIntegerField("转码次数", default=0, editable=False)
    task_id = models.CharField(max_length=64, blank=True, editable=False)

    admin_form_fields = ("title", "file", "captions", "collection", "tags")
    # Written by the transcoding job (media.pipeline, with conditional UPDATEs) or from a new file's
    # probe; an editor's save that keeps the file leaves them alone.
    PIPELINE_FIELDS = frozenset(
        {"status", "progress", "failure_reason", "failure_detail", "poster", "thumbnail", "hls_dir", "renditions"}
        | {"transcoded_at", "lease", "heartbeat_at", "attempts", "task_id"}
        | {"duration", "width", "height", "size", "container", "video_codec", "audio_codec", "frame_rate"}
    )

    class Meta:
        verbose_name = "视频"
        verbose_name_plural = "视频"

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Read without the descriptor: on a `.only()` instance it would cost a query per row.
        raw = self.__dict__.get("file")
        self._saved_file_name = getattr(raw, "name", raw) if self.pk else None

    def save(self, *args, **kwargs):
        # A new or replaced file needs (re)transcoding; the signal handler enqueues it on commit.
        self._needs_transcode = self.file.name != self._saved_file_name
        if self._needs_transcode:
            self.status = self.Status.WAITING
            self.progress = 0
            self.failure_reason = self.failure_detail = ""
            self.attempts = 0
            self.lease = None  # an attempt still running on the old file loses its lease and stops
            if self._saved_file_name:
                self.file_hash = ""  # the importer's content hash was the old file's
        elif self.pk and not self._state.adding and kwargs.get("update_fields") is None:
            # An editor's save (title, tags, captions) must not write back the job's fields as they
            # were when the form loaded: the job may have moved on since.
            kwargs["update_fields"] = [
                f.name for f in self._meta.concrete_fields if not f.primary_key and f.name not in self.PIPELINE_FIELDS
            ]
        super().save(*args, **kwargs)
        self._saved_file_name = self.file.name

    @property
    def is_ready(self):
        return self.status == self.Status.READY and bool(self.hls_dir)

    @property
    def is_pending(self):
        return self.status in (self.Status.WAITING, self.Status.TRANSCODING)

    @cached_property
    def storage(self):
        return self.file.storage if self.file else default_storage

    # The player's files are always named by their address on this site, whatever the storage: the
    # file gate (access.views) decides who may have them and how they are sent.

    @property
    def playlist_url(self):
        return gate_url(posixpath.join(self.hls_dir, "master.m3u8")) if self.is_ready else ""

    @property
    def poster_url(self):
        return gate_url(self.poster.name) if self.poster else ""

    @property
    def thumbnail_url(self):
        return gate_url(self.thumbnail.name) if self.thumbnail else ""

    @property
    def captions_url(self):
        return gate_url(self.captions.name) if self.captions else ""

    @property
    def resolution(self):
        return f"{self.width}×{self.height}" if self.width and self.height else ""

    def apply_probe(self, probe, size=None):
        self.duration = round(probe.duration, 3)
        self.width, self.height = probe.width, probe.height
        self.container, self.video_codec = probe.container[:100], probe.video_codec
        self.audio_codec = probe.audio_codec or ""
        self.frame_rate = round(probe.frame_rate, 3) if probe.frame_rate else None
        if size is not None:
            self.size = size


class UploadSession(models.Model):
    """One file of a bulk upload (媒体 → 批量上传视频), sent in pieces with the tus protocol
    (media.tus). The bytes received so far wait in a `.part` file under MEDIA_WORK_DIR; when the
    last one arrives the file becomes a Video and a draft micro-course (media.uploads)."""

    class Status(models.TextChoices):
        UPLOADING = "uploading", "上传中"
        COMPLETE = "complete", "已完成"
        FAILED = "failed", "失败"

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    center = models.ForeignKey("resources.TrainingCenter", on_delete=models.CASCADE, related_name="+")
    filename = models.CharField("文件名", max_length=255)
    length = models.BigIntegerField("文件大小（字节）")
    offset = models.BigIntegerField("已接收（字节）", default=0)
    status = models.CharField("状态", max_length=20, choices=Status.choices, default=Status.UPLOADING)
    video = models.ForeignKey(Video, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    page = models.ForeignKey(
        "microcourses.MicroCoursePage", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    error = models.CharField("失败原因", max_length=500, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    # Every append moves it (explicitly: the appends are conditional UPDATEs); the expiry sweep reads it.
    updated_at = models.DateTimeField(auto_now=True, db_index=True)

    class Meta:
        verbose_name = "上传任务"
        verbose_name_plural = "上传任务"

    def __str__(self):
        return self.filename

    @property
    def part_path(self):
        return Path(settings.MEDIA_WORK_DIR) / "uploads" / f"{self.pk}.part"
