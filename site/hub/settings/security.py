"""Limits and headers against abuse (docs/security.md). Star-imported at the end of base.py; every
value comes from an environment variable with a safe default."""

import os
from datetime import timedelta
from urllib.parse import urlsplit


def _int(name, default):
    return int(os.environ.get(name) or default)


def _list(name, default=""):
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


# -- who is the client ---------------------------------------------------------------------------
# Addresses of reverse proxies (nginx) whose X-Forwarded-For / X-Real-IP are believed. Empty: the
# site is reached directly and those headers are the client's own words (hub.clientip).
TRUSTED_PROXIES = set(_list("TRUSTED_PROXIES"))

# -- request size --------------------------------------------------------------------------------
# Longer paths or query strings get a 414 before any view parses them (hub.middleware). The longest
# legitimate URL is a library or search page with many facets: 20 values per facet of Chinese tags
# (9 bytes a character, encoded) stay under 2 KB.
MAX_PATH_BYTES = _int("MAX_PATH_BYTES", 4096)
MAX_QUERY_STRING_BYTES = _int("MAX_QUERY_STRING_BYTES", 4096)

# -- brute force: django-axes on every login through Django's authenticate() ----------------------
AXES_ENABLED = os.environ.get("LOGIN_LOCKOUT", "1").lower() not in {"0", "false", "no", "off"}
# Failures are counted per account, per address, and per account and address, each with its own
# limit (hub.security.LoginLockout): per account stops the guessing of one password from many
# addresses; per address stops a spray of common passwords over many accounts. The address limit is
# higher because a whole campus often reaches the site through one NAT address, and its counselors
# should not lock each other out. (For a login the pair's limit is the account's; it matters for page
# passwords, whose "account" is shared by every reader.)
AXES_LOCKOUT_PARAMETERS = ["username", "ip_address", ["username", "ip_address"]]
AXES_FAILURE_LIMIT = _int("LOGIN_FAILURE_LIMIT", 5)  # per account
LOGIN_ADDRESS_FAILURE_LIMIT = _int("LOGIN_ADDRESS_FAILURE_LIMIT", 20)
# A lock ends this long after the last failure (each failure during a lock starts it again).
AXES_COOLOFF_TIME = timedelta(minutes=_int("LOGIN_COOLOFF_MINUTES", 30))
AXES_HANDLER = "hub.security.LoginLockout"
AXES_CLIENT_IP_CALLABLE = "hub.clientip.client_ip"
AXES_USERNAME_CALLABLE = "hub.security.client_username"
AXES_LOCKOUT_TEMPLATE = "security/locked_out.html"
AXES_HTTP_RESPONSE_CODE = 429
AXES_VERBOSE = False  # no banner on every manage.py command; lockouts are still logged
# A success does not clear the failures: else an attacker with one valid account could clear their
# address's count by logging in between guesses.
AXES_RESET_ON_SUCCESS = False
AXES_SENSITIVE_PARAMETERS = ["password", "password1", "password2", "new_password1", "new_password2"]

# Page passwords (Wagtail's view restrictions) are counted by axes too, as the pseudo-account
# "page-password:<restriction id>" (hub.security.authenticate_with_password); the address limit and the
# cool-off are the logins'.
PAGE_PASSWORD_FAILURE_LIMIT = _int("PAGE_PASSWORD_FAILURE_LIMIT", 10)  # per address and restriction
PAGE_PASSWORD_RESTRICTION_FAILURE_LIMIT = _int("PAGE_PASSWORD_RESTRICTION_FAILURE_LIMIT", 100)  # from everyone

# -- bulk uploads (media.uploads) ---------------------------------------------------------------
# Declared bytes of unfinished uploads: per user and for everyone. Past them, a new upload waits
# until others finish or expire (MEDIA_UPLOAD_EXPIRY_HOURS).
MEDIA_UPLOAD_USER_QUOTA = _int("MEDIA_UPLOAD_USER_QUOTA", 20 * 1024**3)
MEDIA_UPLOAD_TOTAL_QUOTA = _int("MEDIA_UPLOAD_TOTAL_QUOTA", 200 * 1024**3)
# Disk space under MEDIA_WORK_DIR that uploads never take: transcodes, the database and logs need it.
MEDIA_UPLOAD_DISK_RESERVE = _int("MEDIA_UPLOAD_DISK_RESERVE", 10 * 1024**3)

# -- the search log (search.querylog) -----------------------------------------------------------
# Anonymous searches add to it: at most this many distinct queries (new ones wait for the sweep),
# the sweep keeping the most searched SEARCH_QUERY_LOG_KEEP_QUERIES, each with daily counts for
# SEARCH_QUERY_LOG_DAYS days.
SEARCH_QUERY_LOG_MAX_QUERIES = _int("SEARCH_QUERY_LOG_MAX_QUERIES", 10_000)
SEARCH_QUERY_LOG_KEEP_QUERIES = _int("SEARCH_QUERY_LOG_KEEP_QUERIES", 9_000)
SEARCH_QUERY_LOG_DAYS = _int("SEARCH_QUERY_LOG_DAYS", 30)

# -- headers -------------------------------------------------------------------------------------
ADMIN_URL_PREFIX = "/admin/"
# Where uploaded media may come from besides this site: an S3 store's domain or endpoint.
CSP_MEDIA_SOURCES = _list("CSP_MEDIA_SOURCES") + [
    f"{parts.scheme}://{parts.netloc}"
    for parts in map(urlsplit, filter(None, [os.environ.get("S3_ENDPOINT_URL", "")]))
    if parts.netloc
]
_SELF, _NONE = "'self'", "'none'"
# Public pages: nothing inline, nothing from elsewhere. hls.js feeds the <video> through blob: URLs
# (Media Source Extensions) and starts its transmuxing worker from a blob:.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [_SELF],
        "script-src": [_SELF],
        "style-src": [_SELF],
        "img-src": [_SELF, "data:", *CSP_MEDIA_SOURCES],
        "media-src": [_SELF, "blob:", *CSP_MEDIA_SOURCES],
        "connect-src": [_SELF, *CSP_MEDIA_SOURCES],
        "worker-src": [_SELF, "blob:"],
        "font-src": [_SELF],
        "object-src": [_NONE],
        "base-uri": [_SELF],
        "form-action": [_SELF],
        "frame-ancestors": [_SELF],
    }
}
# The Wagtail admin writes inline scripts and styles (and its rich-text editor inline styles); it
# shows previews and embeds in frames and avatars from elsewhere.
ADMIN_CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [_SELF],
        "script-src": [_SELF, "'unsafe-inline'"],
        "style-src": [_SELF, "'unsafe-inline'"],
        "img-src": [_SELF, "data:", "blob:", "https:"],
        "media-src": [_SELF, "blob:", *CSP_MEDIA_SOURCES],
        "connect-src": [_SELF, *CSP_MEDIA_SOURCES],
        "worker-src": [_SELF, "blob:"],
        "font-src": [_SELF, "data:"],
        "frame-src": [_SELF, "https:"],
        "object-src": [_NONE],
        "base-uri": [_SELF],
        "form-action": [_SELF],
        "frame-ancestors": [_SELF],
    }
}
# No Gravatar avatars in the admin: unreachable from many networks in China, and it would send a hash
# of each editor's e-mail address to a third party (editors upload an avatar in their account instead).
WAGTAIL_GRAVATAR_PROVIDER_URL = None
# Nor the dashboard's check for new Wagtail releases (a request from each admin's browser to
# releases.wagtail.org): upgrades follow the pins in requirements.txt (docs/security.md, "Versions").
WAGTAIL_ENABLE_UPDATE_CHECK = False
# Nothing here uses the camera, the microphone, location, payments or USB; the player goes full screen.
PERMISSIONS_POLICY = {
    "camera": "()",
    "microphone": "()",
    "geolocation": "()",
    "payment": "()",
    "usb": "()",
    "fullscreen": "(self)",
}
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
