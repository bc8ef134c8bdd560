"""The media gate: every /media/ URL is answered here (nginx sends the bytes once it is told to).

    /media/videos/hls/<video>/<ladder>/…    playlists (rewritten: segments get signed URLs), poster,
                                            thumbnail, segments: whoever may see the video
    /media/videos/captions/<name>.vtt       whoever may see the video
    /media/videos/originals/…               the people who manage the video (its center's editors)
    /media/images/<rendition>               whoever may see the image
    /media/original_images/…                the people who manage the image
    /media/documents/…                      nobody: documents are served at /documents/<id>/<name>
    /media/p/… and /media/s/…               signed URLs (signing.py); nginx checks them itself

Documents keep Wagtail's address, /documents/<id>/<name>, answered by serve_document here.

A refusal is a 404 whatever the reason, so that nobody learns which files exist."""

import posixpath
import re
import time

from django.core.files.storage import default_storage
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404
from django.views.decorators.http import require_safe

from wagtail import hooks
from wagtail.documents import get_document_model
from wagtail.images import get_image_model

from media.models import Video, gate_url

from . import policy, signing
from .models import FileUse
from .policy import Access
from .responses import cache_control, has_local_path, presigns, send_stored_file

HLS_PATH = re.compile(r"^videos/hls/(?P<video_id>\d+)/")
SAFE_PATH = re.compile(r"^[A-Za-z0-9_.\-/]+$")


def _clean(path):
    # Stored names are made by this site (uuids, numbers): anything else is not ours.
    if not SAFE_PATH.match(path) or ".." in path.split("/") or path.startswith("/"):
        raise Http404
    return path


@require_safe
def serve_media(request, path):
    path = _clean(path)
    if match := HLS_PATH.match(path):
        return _serve_ladder_file(request, path, int(match["video_id"]))
    if path.startswith("videos/captions/"):
        video = Video.objects.filter(captions=path).first()
        return _send(request, path, video and policy.video_access(request, video))
    if path.startswith("videos/originals/"):
        video = Video.objects.filter(file=path).first()
        return _send(request, path, video and policy.manage_only_access(request, FileUse.Kind.VIDEO, video))
    if path.startswith("images/"):
        rendition = get_image_model().get_rendition_model().objects.filter(file=path).select_related("image").first()
        return _send(request, path, rendition and policy.image_access(request, rendition.image))
    if path.startswith("original_images/"):
        image = get_image_model().objects.filter(file=path).first()
        return _send(request, path, image and policy.manage_only_access(request, FileUse.Kind.IMAGE, image))
    raise Http404


def _send(request, path, access, **kwargs):
    if not access:
        raise Http404
    return send_stored_file(request, path, access, **kwargs)


def _serve_ladder_file(request, path, video_id):
    video = Video.objects.filter(pk=video_id).first()
    # Only the current ladder: a replaced file's old one is gone from every page.
    if video is None or not video.hls_dir or not path.startswith(video.hls_dir.rstrip("/") + "/"):
        raise Http404
    access = policy.video_access(request, video)
    if not access:
        raise Http404
    if path.endswith(".m3u8"):
        return _playlist(path, access, video.storage)
    return send_stored_file(request, path, access, storage=video.storage)


def _playlist(path, access, storage):
    """A master playlist names its variants by relative URL (they come back here, checked); a
    variant names its segments, which are given signed URLs so that nginx alone serves them."""
    try:
        with storage.open(path, "rb") as handle:
            text = handle.read(1024 * 1024).decode("utf-8")
    except FileNotFoundError:
        raise Http404 from None
    directory = posixpath.dirname(path)
    lines = []
    for line in text.splitlines():
        if line and not line.startswith("#") and line.endswith(".ts"):
            line = _segment_url(storage, posixpath.normpath(posixpath.join(directory, line)), access)
        lines.append(line)
    response = HttpResponse("\n".join(lines) + "\n", content_type="application/vnd.apple.mpegurl")
    response["Cache-Control"] = cache_control(access, max_age=60)
    return response


def _segment_url(storage, name, access):
    if presigns(storage):
        # S3-compatible storage: the bucket is private, each segment gets a presigned URL.
        return storage.url(name, expire=signing.expiry() - int(time.time()))
    if has_local_path(storage, name):
        return signing.signed_url(name, public=access is Access.PUBLIC)
    return gate_url(name)  # checked here, like the playlist


@require_safe
def serve_signed(request, prefix, path):
    """Development and tests: what nginx does for /media/p/ and /media/s/ in production."""
    path = _clean(path)
    try:
        signing.check(request.path, request.GET.get("e", ""), request.GET.get("t", ""))
    except signing.Invalid as invalid:
        return HttpResponse(status=invalid.status)
    access = Access.PUBLIC if prefix == signing.PUBLIC_PREFIX else Access.PRIVATE
    # A signed URL is the same for an hour (signing.expiry): caches may keep it that long, as nginx says.
    return send_stored_file(request, path, access, storage=default_storage, max_age=3600)


def download_name(document):
    """What the visitor's browser saves the file as: its title (stored names are random)."""
    extension = posixpath.splitext(document.file.name)[1].lower()
    title = "".join(ch for ch in document.title if ch.isprintable() and ch not in '/\\"') or "document"
    return title if title.lower().endswith(extension) else f"{title}{extension}"


@require_safe
def serve_document(request, document_id, document_filename):
    """Wagtail's document view, with the file gate's check and sending: behind nginx an internal
    redirect, on S3 a presigned URL, and always the document's title as the name it is saved as."""
    document = get_object_or_404(get_document_model(), id=document_id)
    if document.filename != document_filename:
        raise Http404
    # Wagtail's collection passwords, then our check (access.wagtail_hooks).
    for hook in hooks.get_hooks("before_serve_document"):
        result = hook(document, request)
        if isinstance(result, HttpResponse):
            return result
    access = policy.document_access(request, document)
    if not access:
        raise Http404
    response = send_stored_file(
        request,
        document.file.name,
        access,
        storage=document.file.storage,
        filename=download_name(document),
        attachment=not document.content_disposition.startswith("inline"),
    )
    # An uploaded HTML or SVG file must not run as a page of this site.
    response["Content-Security-Policy"] = "default-src 'none'"
    return response
