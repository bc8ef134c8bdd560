"""Bulk upload of lecture videos: the bytes of each file, received in pieces (media.tus speaks the
protocol), and what a complete file becomes — a Video in the center's collection and a draft
micro-course under the center's section.

The received bytes wait in `MEDIA_WORK_DIR/uploads/<session>.part`, outside the served media. The
session row's `offset` only ever counts bytes that are already on disk: a piece is written, flushed
to disk (fsync), and only then is the offset moved, by an UPDATE conditional on the old offset. One
writer at a time per file: an exclusive lock on the part file (flock), taken without waiting, so a
second request for the same upload is told to retry (423) instead of writing beside the first."""

import contextlib
import fcntl
import logging
import os
import re
import shutil
import uuid
from datetime import timedelta
from pathlib import Path

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.files import File
from django.db import transaction
from django.db.models import F, Sum
from django.utils import timezone

from wagtail.coreutils import find_available_slug

from hub.slugs import pinyin_slug

from . import validation
from .ffmpeg import VideoError
from .models import UploadSession, Video

logger = logging.getLogger(__name__)

READ_SIZE = 1024 * 1024


class UploadError(Exception):
    """A request the upload cannot take; `message` is for editors (Chinese), `status` for HTTP."""

    def __init__(self, message, status=400):
        super().__init__(message)
        self.message = message
        self.status = status


def upload_dir():
    return Path(settings.MEDIA_WORK_DIR) / "uploads"


# -- who uploads where ------------------------------------------------------------------------


def allowed_centers(user):
    """The centers the user may upload into: their own (as editor or reviewer), or every center
    for platform administrators. Only centers with a section and a collection can take uploads."""
    from editorial import roles

    centers = roles.visible_centers(user).filter(section__isnull=False, collection__isnull=False)
    return centers.select_related("section", "collection").order_by("name")


def check_center(user, center_id):
    """The center, if the user may upload into it now; asked again on every request."""
    center = allowed_centers(user).filter(pk=center_id).first() if str(center_id).isdigit() else None
    if center is None:
        raise UploadError("你不能向该培训研修中心上传视频。", status=403)
    return center


# -- names ------------------------------------------------------------------------------------


def title_from_filename(filename):
    """'第一讲_谈心谈话-技巧.mp4' -> '第一讲 谈心谈话 技巧'."""
    stem = os.path.splitext(os.path.basename(filename.replace("\\", "/")))[0]
    title = " ".join(re.sub(r"[_-]+", " ", stem).split())
    return title[:255] or "未命名课程"


def slug_for(parent, title):
    # A readable ASCII slug, pinyin for a Chinese title, as the admin's page forms make (hub.slugs).
    base = pinyin_slug(title)[:60].strip("-") or f"course-{uuid.uuid4().hex[:8]}"
    return find_available_slug(parent, base)


# -- sessions ---------------------------------------------------------------------------------


def create_session(user, center, filename, length):
    filename = os.path.basename(filename.replace("\\", "/")).strip()[:255]
    extension = os.path.splitext(filename)[1].lower().lstrip(".")
    allowed = settings.WAGTAILMEDIA["VIDEO_EXTENSIONS"]
    if not filename or extension not in allowed:
        raise UploadError(
            f"不支持的文件类型（{filename or '无文件名'}），请上传 {'、'.join(allowed)} 格式的视频。", status=415
        )
    if length <= 0:
        raise UploadError(f"文件是空的：{filename}。")
    try:
        validation.check_size(length)
    except VideoError as exc:
        raise UploadError(exc.message, status=413) from exc
    with transaction.atomic():
        # One creation at a time per user, so that two requests cannot both fit in the same quota.
        get_user_model().objects.select_for_update().filter(pk=user.pk).first()
        check_room(user, length)
        session = UploadSession.objects.create(user=user, center=center, filename=filename, length=length)
    try:
        upload_dir().mkdir(parents=True, exist_ok=True)
        session.part_path.touch(exist_ok=False)
    except OSError:
        session.delete()
        raise
    return session


def _gigabytes(n):
    return f"{n / 1024**3:.1f} GB"


def check_room(user, length):
    """Refuse an upload whose declared length would pass the user's or everyone's quota of unfinished
    uploads, or that would not fit on the disk beside the rest of what unfinished uploads announced
    (minus a reserve for the transcodes and the database)."""
    unfinished = UploadSession.objects.filter(status=UploadSession.Status.UPLOADING)
    mine = unfinished.filter(user=user).aggregate(n=Sum("length"))["n"] or 0
    if mine + length > settings.MEDIA_UPLOAD_USER_QUOTA:
        raise UploadError(
            f"你尚未完成的上传已达 {_gigabytes(mine)}，再加上这个文件将超过每人 "
            f"{_gigabytes(settings.MEDIA_UPLOAD_USER_QUOTA)} 的限额。请先完成或取消其他上传。",
            status=413,
        )
    everyone = unfinished.aggregate(n=Sum("length"))["n"] or 0
    if everyone + length > settings.MEDIA_UPLOAD_TOTAL_QUOTA:
        raise UploadError("平台正在进行的上传总量已达上限，请稍后再试。", status=507)
    still_coming = unfinished.aggregate(n=Sum(F("length") - F("offset")))["n"] or 0
    upload_dir().mkdir(parents=True, exist_ok=True)
    free = shutil.disk_usage(upload_dir()).free - settings.MEDIA_UPLOAD_DISK_RESERVE
    if still_coming + length > free:
        logger.warning(
            "upload of %s bytes refused: %s bytes free after the reserve, %s still to come", length, free, still_coming
        )
        raise UploadError("服务器存储空间不足，暂时不能接收这个文件，请稍后再试或联系平台管理员。", status=507)


@contextlib.contextmanager
def locked_part(session):
    """The part file, open for writing and locked for this request alone."""
    try:
        handle = open(session.part_path, "r+b")  # noqa: SIM115 (closed below, after the lock)
    except FileNotFoundError:
        raise UploadError("上传的临时文件已不存在，请重新上传。", status=410) from None
    try:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise UploadError("该文件正在由另一个请求写入，请稍后重试。", status=423) from None
        yield handle
    finally:
        handle.close()  # releases the lock


def _check_uploading(session):
    if session.status == UploadSession.Status.FAILED:
        raise UploadError(session.error or "该上传已失败，请重新上传。", status=410)
    if session.status == UploadSession.Status.COMPLETE:
        raise UploadError("该文件已上传完成。", status=409)


def append(session, offset, read, body_length):
    """Write a request body of `body_length` bytes (read with `read(n)`) at `offset`, which must be
    exactly where the upload stands. Keeps whatever arrived if the client goes away mid-body. The
    last byte finishes the upload (finish()). Returns the session as it now stands."""
    session.refresh_from_db()
    if session.status == UploadSession.Status.COMPLETE and offset == session.length and body_length == 0:
        return session
    _check_uploading(session)
    if offset != session.offset:
        raise UploadError(f"偏移量不符：服务器已接收 {session.offset} 字节。", status=409)
    if body_length > session.length - offset:
        raise UploadError("数据超出了文件声明的大小。", status=413)

    with locked_part(session) as handle:
        # Again under the lock: another request may have moved the offset meanwhile.
        session.refresh_from_db()
        _check_uploading(session)
        if offset != session.offset:
            raise UploadError(f"偏移量不符：服务器已接收 {session.offset} 字节。", status=409)
        # Bytes past the offset are from a write that never got counted (its process died): drop them.
        handle.seek(offset)
        handle.truncate()
        written = 0
        try:
            while written < body_length:
                data = read(min(READ_SIZE, body_length - written))
                if not data:
                    break
                handle.write(data)
                written += len(data)
        except OSError:
            # The connection dropped: keep what arrived, the client resumes from the offset.
            logger.info("upload %s: connection lost after %s bytes of %s", session.pk, written, body_length)
        handle.flush()
        os.fsync(handle.fileno())
        moved = UploadSession.objects.filter(
            pk=session.pk, status=UploadSession.Status.UPLOADING, offset=offset
        ).update(offset=offset + written, updated_at=timezone.now())
        if not moved:
            raise UploadError("该上传已被取消或已过期，请重新上传。", status=410)
        session.offset = offset + written
        if session.offset == session.length:
            _finish(session)
    return session


def finish(session):
    """Turn a completely received upload into its video and course, unless that is done already
    (the request that brought the last byte does it; this is for a client whose connection dropped
    while the server was busy, or a server that died). Idempotent."""
    session.refresh_from_db()
    if session.status != UploadSession.Status.UPLOADING:
        return session
    if session.offset < session.length:
        raise UploadError(f"文件尚未上传完（{session.offset} / {session.length} 字节）。", status=409)
    with locked_part(session):
        session.refresh_from_db()
        if session.status == UploadSession.Status.UPLOADING:
            _finish(session)
    return session


class PartFile(File):
    """The received file as Django's storage takes it. Having a `temporary_file_path`, the local
    FileSystemStorage moves it into place (a rename on the same disk) instead of copying a gigabyte;
    other storages (S3) read it in chunks."""

    def __init__(self, file, path):
        super().__init__(file, name=os.path.basename(path))
        self.path = path

    def temporary_file_path(self):
        return str(self.path)


def _finish(session):
    """Probe the complete file, then store it and create the Video and the draft course, all or
    nothing. Called with the part file locked."""
    from microcourses.models import MicroCoursePage
    from resources.models import CenterSectionPage

    path = session.part_path
    try:
        probe = validation.inspect(path, size=session.length)
    except VideoError as exc:
        fail(session, exc.message)
        raise UploadError(f"{session.filename}：{exc.message}", status=422) from exc

    center, user = session.center, session.user
    title = title_from_filename(session.filename)
    video = Video(title=title, collection=center.collection, uploaded_by_user=user)
    video.apply_probe(probe, size=session.length)
    # Stored before the transaction: on SQLite a transaction holds the database's write lock, and
    # copying a large file to remote storage takes a while. Deleted again if the transaction fails.
    with open(path, "rb") as handle:
        video.file.save(session.filename, PartFile(handle, path), save=False)
    try:
        with transaction.atomic():
            # Locked: two uploads finishing at once in one section would take the same tree path.
            section = CenterSectionPage.objects.select_for_update().get(center=center)
            if not UploadSession.objects.filter(pk=session.pk, status=UploadSession.Status.UPLOADING).exists():
                raise UploadError("该上传已被取消或已过期，请重新上传。", status=410)
            video.save()  # queues the transcode on commit (signal_handlers.queue_transcode)
            page = MicroCoursePage(title=title, slug=slug_for(section, title), center=center, video=video)
            page.owner = user
            page.live = False
            section.add_child(instance=page)
            # A draft, as the admin's "save draft" makes it; the review workflow publishes.
            page.save_revision(user=user, log_action=True, clean=False)
            UploadSession.objects.filter(pk=session.pk).update(
                status=UploadSession.Status.COMPLETE, video=video, page=page, error="", updated_at=timezone.now()
            )
    except Exception as exc:
        video.file.storage.delete(video.file.name)
        if not isinstance(exc, UploadError):
            logger.exception("upload %s: could not create the video and the course", session.pk)
            fail(session, "保存视频或课程时出错，请重新上传。")
        raise
    path.unlink(missing_ok=True)  # moved into storage already, unless the storage copied it
    session.refresh_from_db()
    return session


def fail(session, message):
    UploadSession.objects.filter(pk=session.pk).update(
        status=UploadSession.Status.FAILED, error=message[:500], updated_at=timezone.now()
    )
    session.part_path.unlink(missing_ok=True)
    session.refresh_from_db()


def terminate(session):
    """tus termination: the upload and its bytes are deleted (a finished upload's video and course
    stay: they are the editors' now)."""
    if session.part_path.exists():
        with locked_part(session):
            session.part_path.unlink(missing_ok=True)
            session.delete()
    else:
        session.delete()


# -- the sweep --------------------------------------------------------------------------------


def expire_sessions():
    """Delete uploads untouched for MEDIA_UPLOAD_EXPIRY_HOURS, with their part files, and part
    files that lost their session. One of settings.WORKER_SWEEPS (run_worker)."""
    cutoff = timezone.now() - timedelta(hours=settings.MEDIA_UPLOAD_EXPIRY_HOURS)
    removed = 0
    for session in UploadSession.objects.filter(updated_at__lt=cutoff).iterator():
        try:
            terminate(session)
            removed += 1
        except UploadError:
            pass  # being written right now: not abandoned after all
    if upload_dir().is_dir():
        known = {f"{pk}.part" for pk in UploadSession.objects.values_list("pk", flat=True)}
        for path in upload_dir().glob("*.part"):
            if path.name not in known and path.stat().st_mtime < cutoff.timestamp():
                path.unlink(missing_ok=True)
                removed += 1
    return f"{removed} expired uploads deleted" if removed else None
