"""The bulk upload page and the server side of the tus 1.0.0 protocol (https://tus.io/protocols/
resumable-upload): core (HEAD, PATCH), creation (POST) and termination (DELETE), as admin URLs.

    POST   uploads/              Upload-Length, Upload-Metadata: filename, center -> 201 Location
    HEAD   uploads/<id>/         -> Upload-Offset, Upload-Length
    PATCH  uploads/<id>/         Upload-Offset, application/offset+octet-stream -> 204 Upload-Offset
    DELETE uploads/<id>/         -> 204
    GET    uploads/<id>/         the session as JSON (state, error, links) for the page's script
    POST   uploads/<id>/finish/  finish a fully received upload (idempotent) -> the JSON above

Every request is checked on the server: the session is the user's own (404 otherwise) and the user
may still upload into its center (403 otherwise). Errors are explained in Chinese in the body."""

import base64
import binascii
import re

from django.conf import settings
from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_http_methods, require_POST

from . import uploads
from .models import UploadSession

TUS_VERSION = "1.0.0"
TUS_EXTENSIONS = "creation,termination"


def tus_response(status=204, message="", headers=None):
    response = HttpResponse(message, status=status, content_type="text/plain; charset=utf-8")
    response["Tus-Resumable"] = TUS_VERSION
    # Offsets change with every PATCH: a cached HEAD would resume from the wrong place.
    response["Cache-Control"] = "no-store"
    for name, value in (headers or {}).items():
        response[name] = str(value)
    return response


def error_response(error):
    headers = {"Tus-Version": TUS_VERSION} if error.status == 412 else None
    return tus_response(error.status, error.message, headers)


def header_int(request, name):
    value = request.headers.get(name, "")
    # ASCII digits only ("²".isdigit() is true, and int() refuses it), and few enough for a 64-bit column.
    if not re.fullmatch(r"[0-9]{1,18}", value):
        raise uploads.UploadError(f"缺少或无效的 {name} 请求头。")
    return int(value)


def parse_metadata(value):
    """'filename d29ybGQ=,center MQ==' -> {'filename': 'world', 'center': '1'}."""
    metadata = {}
    for pair in filter(None, (item.strip() for item in value.split(","))):
        key, _, encoded = pair.partition(" ")
        try:
            metadata[key] = base64.b64decode(encoded, validate=True).decode("utf-8") if encoded else ""
        except (binascii.Error, UnicodeDecodeError):
            raise uploads.UploadError("无效的 Upload-Metadata 请求头。") from None
    return metadata


def tus_view(view):
    """The protocol's common rules: Tus-Resumable on every tus request (OPTIONS and our own GET are
    not), and an UploadError anywhere becomes its status with its Chinese message."""

    def wrapped(request, *args, **kwargs):
        try:
            tus_request = request.method not in ("OPTIONS", "GET")
            if tus_request and request.headers.get("Tus-Resumable") != TUS_VERSION:
                raise uploads.UploadError(f"仅支持 tus {TUS_VERSION} 协议。", status=412)
            return view(request, *args, **kwargs)
        except uploads.UploadError as error:
            return error_response(error)

    wrapped.__name__ = view.__name__
    wrapped.__doc__ = view.__doc__
    return wrapped


def session_for(request, session_id):
    session = UploadSession.objects.select_related("center", "user").filter(pk=session_id, user=request.user).first()
    if session is None:
        raise Http404("没有这个上传任务。")
    uploads.check_center(request.user, session.center_id)
    return session


@require_http_methods(["OPTIONS", "POST"])
@tus_view
def create(request):
    if request.method == "OPTIONS":
        return tus_response(
            204,
            headers={
                "Tus-Version": TUS_VERSION,
                "Tus-Extension": TUS_EXTENSIONS,
                "Tus-Max-Size": settings.MEDIA_MAX_UPLOAD_SIZE,
            },
        )
    if not uploads.allowed_centers(request.user).exists():
        raise uploads.UploadError("你还不属于任何培训研修中心，不能上传视频。", status=403)
    if "Upload-Defer-Length" in request.headers:
        raise uploads.UploadError("需要事先给出文件大小（Upload-Length）。")
    length = header_int(request, "Upload-Length")
    metadata = parse_metadata(request.headers.get("Upload-Metadata", ""))
    center = uploads.check_center(request.user, metadata.get("center", ""))
    session = uploads.create_session(request.user, center, metadata.get("filename", ""), length)
    return tus_response(201, headers={"Location": reverse("video_upload", args=[session.pk])})


@require_http_methods(["HEAD", "PATCH", "DELETE", "GET"])
@tus_view
def upload(request, session_id):
    session = session_for(request, session_id)
    if request.method == "GET":
        return JsonResponse(session_json(session))
    if request.method == "HEAD":
        if session.status == UploadSession.Status.FAILED:
            # Its bytes are gone: a client resuming it starts a new upload.
            return tus_response(410)
        return tus_response(200, headers={"Upload-Offset": session.offset, "Upload-Length": session.length})
    if request.method == "DELETE":
        uploads.terminate(session)
        return tus_response(204)

    if request.content_type != "application/offset+octet-stream":
        raise uploads.UploadError("请求的 Content-Type 必须是 application/offset+octet-stream。", status=415)
    offset = header_int(request, "Upload-Offset")
    body_length = header_int(request, "Content-Length")
    session = uploads.append(session, offset, request.read, body_length)
    return tus_response(204, headers={"Upload-Offset": session.offset})


def json_errors(view):
    # Not a tus request: the page's script reads its errors as JSON.
    def wrapped(request, session_id):
        try:
            return view(request, session_id)
        except uploads.UploadError as error:
            return JsonResponse({"error": error.message}, status=error.status)

    wrapped.__name__ = view.__name__
    return wrapped


@require_POST
@json_errors
def finish(request, session_id):
    session = uploads.finish(session_for(request, session_id))
    return JsonResponse(session_json(session))


def session_json(session):
    page, video = session.page, session.video
    return {
        "id": str(session.pk),
        "filename": session.filename,
        "status": session.status,
        "status_label": session.get_status_display(),
        "offset": session.offset,
        "length": session.length,
        "error": session.error,
        "center": session.center.name,
        "page_title": page.title if page else "",
        "page_edit_url": reverse("wagtailadmin_pages:edit", args=[page.pk]) if page else "",
        "video_edit_url": reverse("wagtailmedia:edit", args=[video.pk]) if video else "",
        # The row follows the transcode from there: "排队" is only true until a worker takes the video.
        "video_status_url": reverse("video_status", args=[video.pk]) if video else "",
    }


def bulk_upload(request):
    """The page: a drop zone and the per-file list (media/static/media/bulk_upload.js). Without
    JavaScript it says so and links to the single upload form."""
    centers = list(uploads.allowed_centers(request.user))
    return render(
        request,
        "media/bulk_upload.html",
        {
            "centers": centers,
            "endpoint": reverse("video_uploads"),
            "chunk_size": settings.MEDIA_UPLOAD_CHUNK_SIZE,
            "max_size": settings.MEDIA_MAX_UPLOAD_SIZE,
            "extensions": settings.WAGTAILMEDIA["VIDEO_EXTENSIONS"],
            "expiry_hours": settings.MEDIA_UPLOAD_EXPIRY_HOURS,
        },
    )
