"""Sending a stored file once the gate has said yes, in the cheapest way the deployment offers:

- behind nginx (MEDIA_ACCEL_REDIRECT, e.g. "/_protected/"): an empty response whose X-Accel-Redirect
  header makes nginx send the bytes from an `internal` location (ranges, sendfile, If-Modified-Since);
- with S3-compatible storage: a redirect to a presigned URL that expires (the bucket is private);
- otherwise (development, tests): Django streams the file itself."""

import mimetypes
import os
from urllib.parse import quote

from storages.backends.s3 import S3Storage

from django.conf import settings
from django.core.files.storage import default_storage
from django.http import FileResponse, Http404, HttpResponse, HttpResponseRedirect
from django.utils.http import content_disposition_header

from .policy import Access

HLS_TYPES = {".m3u8": "application/vnd.apple.mpegurl", ".ts": "video/mp2t", ".vtt": "text/vtt; charset=utf-8"}


def content_type_for(name):
    extension = os.path.splitext(name)[1].lower()
    return HLS_TYPES.get(extension) or mimetypes.guess_type(name)[0] or "application/octet-stream"


# A public file may be kept by browsers and shared caches this long: a document or poster of a page that
# was just unpublished is still served from a cache for at most five minutes.
PUBLIC_MAX_AGE = 300


def cache_control(access, max_age=PUBLIC_MAX_AGE):
    if access is Access.PUBLIC:
        return f"public, max-age={max_age}"
    # Someone's own or a restricted file: never in a shared cache, asked for again each time.
    return "private, no-cache"


def has_local_path(storage, name):
    try:
        storage.path(name)
    except NotImplementedError:
        return False
    return True


def presigns(storage):
    """S3-compatible storage hands out presigned URLs; others (local disk, Django's in-memory storage
    in tests) have the gate send the bytes."""
    return isinstance(storage, S3Storage)


def send_stored_file(request, name, access, *, storage=None, filename=None, attachment=False, max_age=PUBLIC_MAX_AGE):
    storage = storage or default_storage
    content_type = content_type_for(filename or name)
    disposition = content_disposition_header(attachment, filename) if filename else None
    if presigns(storage):
        parameters = {"ResponseContentType": content_type}
        if disposition:
            parameters["ResponseContentDisposition"] = disposition
        url = storage.url(name, parameters=parameters, expire=settings.MEDIA_SIGNED_URL_TTL)
        response = HttpResponseRedirect(url)
        response["Cache-Control"] = "private, no-store"  # the presigned URL expires: never cache the redirect
        return response
    if settings.MEDIA_ACCEL_REDIRECT and has_local_path(storage, name):
        response = HttpResponse(content_type=content_type)
        response["X-Accel-Redirect"] = settings.MEDIA_ACCEL_REDIRECT + quote(name)
    else:
        try:
            response = FileResponse(storage.open(name, "rb"), content_type=content_type)
        except FileNotFoundError:
            raise Http404 from None
    if disposition:
        response["Content-Disposition"] = disposition
    response["Cache-Control"] = cache_control(access, max_age)
    response["X-Content-Type-Options"] = "nosniff"
    return response
