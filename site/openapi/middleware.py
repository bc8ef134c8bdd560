"""HTTP-level behaviour of every answer under /api/ (Wagtail's pages endpoint, the openapi endpoints and
the search API, whose views stay as they are): the per-client rate limit, then caching headers.

Placed after CorsMiddleware (so a 429 or 304 carries the CORS headers too) and before any server-side
cache (pagecache): a cached answer is still counted against the client's rate and still answered with
304 when the client already has it."""

import hashlib

from django.conf import settings
from django.http import JsonResponse
from django.utils.cache import get_conditional_response, patch_cache_control
from django.utils.http import parse_http_date_safe

from . import throttle

API_PREFIX = "/api/"


def too_many(retry_after):
    response = JsonResponse(
        {"message": f"请求过于频繁，请在 {retry_after} 秒后重试。", "retry_after": retry_after},
        status=429,
        json_dumps_params={"ensure_ascii": False},
    )
    response["Retry-After"] = str(retry_after)
    response["Cache-Control"] = "no-store"
    return response


def cacheable(request, response):
    """A successful GET/HEAD whose view did not decide about caching itself (the search health check
    says never_cache, and depends on who asks), and that does not vary by the visitor's cookies."""
    if request.method not in ("GET", "HEAD") or response.status_code != 200 or response.streaming:
        return False
    if response.has_header("Cache-Control") or response.has_header("Set-Cookie"):
        return False
    vary = response.get("Vary", "").lower()
    return "cookie" not in vary and "authorization" not in vary


class OpenAPIMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response
        throttle.parse_rate(settings.OPENAPI_RATE)  # a bad setting stops the start, not the first request

    def __call__(self, request):
        if not request.path.startswith(API_PREFIX):
            return self.get_response(request)
        retry_after = throttle.check(request)
        if retry_after is not None:
            return too_many(retry_after)
        response = self.get_response(request)
        if not cacheable(request, response):
            return response
        # A strong ETag from the content: the same bytes whoever asks, on every process.
        response["ETag"] = '"' + hashlib.sha256(response.content).hexdigest()[:40] + '"'
        patch_cache_control(response, public=True, max_age=settings.OPENAPI_MAX_AGE)
        last_modified = response.get("Last-Modified")
        return get_conditional_response(
            request,
            etag=response["ETag"],
            last_modified=parse_http_date_safe(last_modified) if last_modified else None,
            response=response,
        )
