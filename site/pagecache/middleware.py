"""Anonymous visitors' GET and HEAD requests for public pages and the public API, answered from a copy
kept for PAGECACHE_SECONDS (docs/caching.md).

A request bypasses the cache entirely when it carries a session (anyone signed in, or a visitor who
unlocked a page with its password), a pending message, or credentials. A response is kept only when it
is a 200 that could go to any anonymous visitor: no Set-Cookie, no private/no-store, no CSRF token or CSP
nonce inside, not a preview, not a view-restricted page. The middleware sits below the security-header
middlewares, so a copy gets fresh CSP, Permissions-Policy and the other headers each time."""

import hashlib
import time

from django.conf import settings
from django.http import HttpResponse
from django.utils.cache import cc_delim_re
from django.utils.translation import get_language_from_request

from hub.clientip import client_ip

from . import replays, store

# What a copy's key includes besides the URL; a response that varies on anything else is not kept.
# Cookie: the only cookies a cacheable request may carry change nothing (the session and messages
# cookies bypass the cache); Accept-Language: the key has the language.
KEYED_VARY = {"cookie", "accept-language", "origin", "accept", "accept-encoding"}
UNCACHEABLE_CONTROL = {"private", "no-store", "no-cache"}
SKIPPED_HEADERS = {"set-cookie", "x-cache", "age"}


class PageCacheMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        key = settings.PAGECACHE_ENABLED and cache_key(request)
        if not key:
            return self.get_response(request)
        generation, entry = store.lookup(key)
        if entry is not None:
            if request.method == "GET":
                replays.run(entry["replays"])
            return from_entry(entry)
        request._pagecache = {"replays": [], "private": False}
        response = self.get_response(request)
        stored = request.method == "GET" and storable(request, response)
        if stored and store.store(key, to_entry(request, response, generation), client=client_ip(request) or ""):
            response["X-Cache"] = "MISS"
        return response

    def process_view(self, request, view_func, view_args, view_kwargs):
        state = getattr(request, "_pagecache", None)
        if state is not None:
            state["replays"].extend(replays.for_view(request, view_func))


def cache_key(request):
    """The key of the copy this request may get, or None when it must go to the site."""
    if request.method not in ("GET", "HEAD"):
        return None
    path = request.path_info
    if any(path.startswith(prefix) for prefix in settings.PAGECACHE_EXCLUDED_PREFIXES):
        return None
    cookies = request.COOKIES
    if settings.SESSION_COOKIE_NAME in cookies or "messages" in cookies or "HTTP_AUTHORIZATION" in request.META:
        return None
    full_path = request.get_full_path()
    if len(full_path) > settings.PAGECACHE_MAX_URL_BYTES:
        return None
    meta = request.META
    language = get_language_from_request(request) if len(settings.LANGUAGES) > 1 else settings.LANGUAGE_CODE
    parts = [
        request.scheme,
        request.get_host(),
        language,
        full_path,
        meta.get("HTTP_ORIGIN", ""),
        meta.get("HTTP_ACCEPT", ""),
        "gzip" if "gzip" in meta.get("HTTP_ACCEPT_ENCODING", "") else "",
    ]
    return "pagecache:" + hashlib.sha256("\n".join(parts).encode("utf-8", "surrogateescape")).hexdigest()


def storable(request, response):
    if response.status_code != 200 or response.streaming or response.cookies or response.has_header("Set-Cookie"):
        return False
    if len(response.content) > settings.PAGECACHE_MAX_BODY_BYTES:
        return False
    control = {part.split("=")[0].strip().lower() for part in cc_delim_re.split(response.get("Cache-Control", ""))}
    if control & UNCACHEABLE_CONTROL:
        return False
    vary = {part.strip().lower() for part in cc_delim_re.split(response.get("Vary", "")) if part.strip()}
    if not vary <= KEYED_VARY:
        return False
    state = request._pagecache
    if state["private"] or getattr(request, "is_preview", False):
        return False
    # A CSRF token or a CSP nonce in the page belongs to this visitor alone.
    if request.META.get("CSRF_COOKIE_NEEDS_UPDATE") or getattr(request, "_csp_nonce", None):
        return False
    user = getattr(request, "user", None)
    return not (user is not None and user.is_authenticated)


def to_entry(request, response, generation):
    return {
        "generation": generation,
        "status": response.status_code,
        "headers": [(name, value) for name, value in response.items() if name.lower() not in SKIPPED_HEADERS],
        "content": response.content,
        "replays": request._pagecache["replays"],
        "stored_at": time.time(),
    }


def from_entry(entry):
    response = HttpResponse(entry["content"], status=entry["status"])
    for name, value in entry["headers"]:
        response[name] = value
    response["X-Cache"] = "HIT"
    response["Age"] = str(max(0, int(time.time() - entry["stored_at"])))
    return response
