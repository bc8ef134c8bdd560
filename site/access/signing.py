"""Signed, expiring URLs for the many small files of a video (HLS segments), which the web server checks
without asking Python: nginx's secure_link module computes the same token.

    /media/p/<path>?e=<expiry>&t=<token>    a live public course's file: shared caches may keep it
    /media/s/<path>?e=<expiry>&t=<token>    anyone else's (a draft being previewed, a private course)

    token = base64url(md5("<expiry><uri> <key>")) without padding, uri = the URL's path

nginx:  secure_link $arg_t,$arg_e;  secure_link_md5 "$secure_link_expires$uri <key>";

Expiry times are rounded up to the next full hour (plus MEDIA_SIGNED_URL_TTL), so every viewer of a
public course gets the same URLs for an hour: browsers and CDNs can cache the segments. A URL stops
working at its expiry: after a course is unpublished, within MEDIA_SIGNED_URL_TTL + 1 hour."""

import base64
import hashlib
import hmac
import time
from urllib.parse import quote, urlencode

from django.conf import settings

PUBLIC_PREFIX = "p"
PRIVATE_PREFIX = "s"
ROUNDING = 3600


def signing_key():
    """MEDIA_SIGNING_KEY, or one derived from SECRET_KEY (so a single machine needs no setting; the
    nginx configuration made by `manage.py deploy_config` holds the same value)."""
    configured = getattr(settings, "MEDIA_SIGNING_KEY", "")
    if configured:
        return configured
    return hmac.new(settings.SECRET_KEY.encode(), b"hub.media-url-signing", hashlib.sha256).hexdigest()


def token(expires, uri, key=None):
    digest = hashlib.md5(f"{expires}{uri} {key or signing_key()}".encode(), usedforsecurity=False).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode()


def expiry(now=None):
    now = int(time.time() if now is None else now)
    return (now // ROUNDING + 1) * ROUNDING + settings.MEDIA_SIGNED_URL_TTL


def signed_url(name, public, now=None):
    """The signed URL of a stored file (its storage name, e.g. videos/hls/3/ab…/0/segment_00001.ts)."""
    prefix = PUBLIC_PREFIX if public else PRIVATE_PREFIX
    uri = f"{settings.MEDIA_URL}{prefix}/{quote(name)}"
    expires = expiry(now)
    return f"{uri}?{urlencode({'e': expires, 't': token(expires, uri)})}"


class Invalid(Exception):
    def __init__(self, status):
        super().__init__(status)
        self.status = status


def check(uri, expires, given, now=None):
    """Raise Invalid(403) for a wrong or missing token, Invalid(410) for an expired one (nginx's
    answers too)."""
    if not (expires and expires.isascii() and expires.isdigit() and given):
        raise Invalid(403)
    if not hmac.compare_digest(token(expires, uri), given):
        raise Invalid(403)
    if int(expires) < int(time.time() if now is None else now):
        raise Invalid(410)
