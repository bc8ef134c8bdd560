"""The transcoding job and its bookkeeping: claiming a video, reporting progress, publishing the
finished ladder into storage, and picking up jobs whose worker died.

Crash safety rests on three rules:
- an attempt works under a lease (a fresh token on the video row); every write it makes is
  conditional on still holding it, so a stale attempt can never overwrite a newer one;
- the ladder is written to a local temporary folder and copied into storage under a folder named by
  the token; the video points at it (status "ready") only after every file is stored, so a crash
  leaves at most an unreferenced folder, never a half ladder that looks ready;
- an attempt that stops reporting progress for MEDIA_TRANSCODE_STALL_SECONDS is presumed dead, and
  `requeue_stalled()` queues the video again (any worker runs it periodically).
"""

import contextlib
import logging
import os
import posixpath
import shutil
import tempfile
import uuid
from datetime import timedelta
from pathlib import Path

from django.conf import settings
from django.core.files import File
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone

from . import ffmpeg, validation
from .models import Video

logger = logging.getLogger(__name__)

# Seen on a source file's copy: a transcode shorter than this share of the probed duration means
# ffmpeg stopped at damaged data without saying so.
COMPLETE_SHARE = 0.9


class LeaseLost(Exception):
    """Another attempt took the video over (this one was presumed dead), or it was deleted."""


def stall_cutoff():
    return timezone.now() - timedelta(seconds=settings.MEDIA_TRANSCODE_STALL_SECONDS)


def claimable():
    """Videos an attempt may start on: waiting, or transcoding under an attempt that went silent."""
    return Q(status=Video.Status.WAITING) | Q(status=Video.Status.TRANSCODING, heartbeat_at__lt=stall_cutoff())


def claim(video_id):
    """Take the lease on a video (one UPDATE, so two workers can never both win). None if the video
    is ready, failed, gone, or being transcoded by a live attempt."""
    token = uuid.uuid4()
    claimed = (
        Video.objects.filter(pk=video_id)
        .filter(claimable())
        .update(
            status=Video.Status.TRANSCODING,
            lease=token,
            heartbeat_at=timezone.now(),
            progress=0,
            attempts=F("attempts") + 1,
            failure_reason="",
            failure_detail="",
        )
    )
    return token if claimed else None


def held(video_id, token):
    return Video.objects.filter(pk=video_id, lease=token)


def heartbeat(video_id, token, progress=None):
    fields = {"heartbeat_at": timezone.now()}
    if progress is not None:
        fields["progress"] = int(progress)
    if not held(video_id, token).update(**fields):
        raise LeaseLost(video_id)


def fail(video_id, token, reason, detail=""):
    logger.warning("video %s: transcoding failed: %s %s", video_id, reason, detail)
    held(video_id, token).update(
        status=Video.Status.FAILED,
        failure_reason=reason[:500],
        failure_detail=detail,
        lease=None,
        heartbeat_at=timezone.now(),
    )


def transcode(video_id):
    """The job: probe, transcode into a temporary folder, store the ladder, point the video at it.
    Returns what happened, for the task result and logs. Safe to run twice, or concurrently."""
    token = claim(video_id)
    if token is None:
        logger.info("video %s: nothing to do (ready, failed, gone, or another attempt is running)", video_id)
        return "skipped"
    video = Video.objects.get(pk=video_id)
    if video.attempts > settings.MEDIA_TRANSCODE_MAX_ATTEMPTS:
        fail(video_id, token, "转码多次中断（处理进程意外退出），请重新上传视频或联系平台管理员。")
        return "failed"
    settings.MEDIA_WORK_DIR.mkdir(parents=True, exist_ok=True)
    # What a killed attempt left (we hold the lease: no live attempt uses these).
    for leftover in settings.MEDIA_WORK_DIR.glob(f"video-{video_id}-*"):
        shutil.rmtree(leftover, ignore_errors=True)
    try:
        with tempfile.TemporaryDirectory(prefix=f"video-{video_id}-", dir=settings.MEDIA_WORK_DIR) as work:
            return _transcode(video, token, Path(work))
    except LeaseLost:
        logger.warning("video %s: lease lost, another attempt took over; this one stops", video_id)
        return "superseded"
    except ffmpeg.VideoError as exc:
        fail(video_id, token, exc.message, exc.detail)
        return "failed"
    except Exception as exc:
        fail(video_id, token, "转码时发生意外错误，请稍后重试或联系平台管理员。", repr(exc))
        raise


def _transcode(video, token, work):
    storage = video.file.storage
    source_path = local_source(video, work, token)
    source = validation.inspect(source_path, size=video.size)
    # Probed again here: files can arrive without the form (import, replaced in storage).
    video.apply_probe(source, size=video.size or storage.size(video.file.name))
    Video.objects.filter(pk=video.pk, lease=token).update(
        duration=video.duration,
        width=video.width,
        height=video.height,
        container=video.container,
        video_codec=video.video_codec,
        audio_codec=video.audio_codec,
        frame_rate=video.frame_rate,
        size=video.size,
    )

    output = work / "ladder"
    result = ffmpeg.transcode(
        source_path, output, on_progress=lambda percent: heartbeat(video.pk, token, min(percent, 99)), source=source
    )
    check_complete(output, source)

    prefix = posixpath.join(video_folder(video.pk), token.hex)
    stored = store_tree(output, prefix, storage, lambda: heartbeat(video.pk, token))
    renditions = [
        {
            "name": rung.name,
            "width": rung.width_for(source),
            "height": rung.height,
            "bandwidth": (rung.video_kbps + (rung.audio_kbps if source.has_audio else 0)) * 1000,
        }
        for rung in result.rungs
    ]
    with transaction.atomic():
        previous = Video.objects.select_for_update().filter(pk=video.pk, lease=token).first()
        if previous is None:
            delete_tree(storage, stored)
            raise LeaseLost(video.pk)
        Video.objects.filter(pk=video.pk).update(
            status=Video.Status.READY,
            progress=100,
            hls_dir=prefix,
            renditions=renditions,
            poster=posixpath.join(prefix, "poster.jpg"),
            thumbnail=posixpath.join(prefix, "thumbnail.jpg"),
            transcoded_at=timezone.now(),
            lease=None,
            heartbeat_at=timezone.now(),
        )
    # Courses show the probed length (derived data, written straight to the page rows).
    from microcourses.models import MicroCoursePage

    MicroCoursePage.objects.filter(video_id=video.pk).update(duration_seconds=round(video.duration))
    from resources.signals import public_content_changed

    public_content_changed.send(sender=Video, video_id=video.pk)
    # Older ladders (the file was replaced; an attempt killed while storing) go only once the new one
    # is in place.
    delete_other_ladders(storage, video.pk, keep=prefix)
    logger.info("video %s: ready, %s", video.pk, ", ".join(r["name"] for r in renditions))
    return "ready"


def local_source(video, work, token):
    """A local path to the original: the file itself on local storage, else a copy from storage."""
    storage = video.file.storage
    try:
        path = storage.path(video.file.name)
        if os.path.isfile(path):
            return path
    except NotImplementedError:  # remote storage (S3) has no local path
        pass
    if not video.file.name or not storage.exists(video.file.name):
        raise ffmpeg.NotAVideo("找不到原始视频文件，请重新上传。", f"{video.file.name!r} is not in storage")
    copy = work / ("source" + Path(video.file.name).suffix)
    with storage.open(video.file.name, "rb") as src, open(copy, "wb") as dst:
        while chunk := src.read(8 * 1024 * 1024):
            dst.write(chunk)
            heartbeat(video.pk, token)
    return copy


def check_complete(output, source):
    """ffmpeg can stop early at damaged data and still exit 0: compare what it wrote with the source."""
    written = ffmpeg.probe_playlist_duration(output)
    if written < source.duration * COMPLETE_SHARE:
        raise ffmpeg.TranscodeFailed(
            f"视频文件不完整或已损坏：只能读出 {written:.0f} 秒，而文件声明的时长为 {source.duration:.0f} 秒。",
            f"ladder duration {written:.1f}s < {COMPLETE_SHARE:.0%} of probed {source.duration:.1f}s",
        )


def store_tree(folder, prefix, storage, beat):
    """Copy every file under `folder` into storage below `prefix`; the names stored."""
    stored = []
    try:
        for path in sorted(p for p in folder.rglob("*") if p.is_file()):
            name = posixpath.join(prefix, path.relative_to(folder).as_posix())
            with open(path, "rb") as handle:
                saved = storage.save(name, File(handle))
            stored.append(saved)
            if saved != name:
                # The token in the prefix makes names unique; a storage that renames breaks URLs.
                raise RuntimeError(f"storage stored {name} as {saved}")
            beat()
    except BaseException:
        delete_tree(storage, stored)
        raise
    return stored


def video_folder(video_id):
    """The folder under which every ladder of one video is stored, one subfolder per attempt."""
    return posixpath.join("videos", "hls", str(video_id))


def delete_tree(storage, names, prefix=None):
    """Delete stored files, by list or everything below a prefix; a failure is logged, not raised."""
    try:
        if prefix is not None:
            names = list(walk(storage, prefix))
        for name in names or []:
            storage.delete(name)
        if prefix is not None and hasattr(storage, "path"):
            with contextlib.suppress(NotImplementedError):
                shutil.rmtree(storage.path(prefix), ignore_errors=True)
    except Exception:
        logger.exception("could not delete %s from storage", prefix or names)


def delete_other_ladders(storage, video_id, keep):
    parent = posixpath.dirname(keep)
    try:
        directories, _ = storage.listdir(parent)
    except (FileNotFoundError, NotImplementedError):
        return
    for directory in directories:
        path = posixpath.join(parent, directory)
        if path != keep:
            delete_tree(storage, None, prefix=path)


def walk(storage, prefix):
    try:
        directories, files = storage.listdir(prefix)
    except FileNotFoundError:  # a video never transcoded has no folder
        return
    for name in files:
        yield posixpath.join(prefix, name)
    for directory in directories:
        yield from walk(storage, posixpath.join(prefix, directory))


def enqueue(video_id):
    """Queue the job; remember the task id so that the sweeper can tell a queued job from a lost one."""
    from .tasks import transcode_video

    result = transcode_video.enqueue(video_id)
    Video.objects.filter(pk=video_id).update(task_id=str(result.id)[:64])
    return result


def requeue_stalled():
    """Queue again what no live worker is doing: attempts silent for too long (their worker died),
    and waiting videos whose job was lost (the queue was down when they were saved). Returns the ids."""
    from .tasks import transcode_video

    requeued = []
    cutoff = stall_cutoff()
    stalled = Video.objects.filter(status=Video.Status.TRANSCODING, heartbeat_at__lt=cutoff)
    waiting = Video.objects.filter(status=Video.Status.WAITING, created_at__lt=cutoff)
    for video in (stalled | waiting).only("pk", "status", "task_id"):
        # A waiting video's job may be queued or just starting. A stalled one's last job is the dead
        # one (still "running" in the database backend), unless it was already queued again.
        alive = ("READY", "RUNNING") if video.status == Video.Status.WAITING else ("READY",)
        if job_status(transcode_video, video.task_id) in alive:
            continue
        logger.warning("video %s: %s with no live job, queueing it again", video.pk, video.status)
        enqueue(video.pk)
        requeued.append(video.pk)
    return requeued


def job_status(task, task_id):
    """READY (queued), RUNNING, SUCCESSFUL, FAILED, or None when the backend does not know it."""
    if not task_id:
        return None
    backend = task.get_backend()
    if not backend.supports_get_result:
        return "READY"  # cannot tell; never flood the queue with duplicates
    try:
        return backend.get_result(task_id).status.name
    except Exception:  # the result expired, or the backend forgot it
        return None
