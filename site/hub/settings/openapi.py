"""Settings of the openapi app: the open, read-only API for other platforms (docs/api.md).
Star-imported by base.py."""

import os

# CORS (django-cors-headers): any origin may read the API with GET, HEAD and OPTIONS (preflight), never
# with credentials (no cookie, no session: the API is anonymous). Only /api/ answers CORS at all.
CORS_URLS_REGEX = r"^/api/"
CORS_ALLOW_ALL_ORIGINS = True
CORS_ALLOW_CREDENTIALS = False
CORS_ALLOW_METHODS = ["GET", "HEAD", "OPTIONS"]
CORS_EXPOSE_HEADERS = ["ETag", "Last-Modified", "Retry-After"]
CORS_PREFLIGHT_MAX_AGE = 86400

# How many API requests one client (by address, hub.clientip) may make, as "<count>/<second|minute|hour|day>".
# Counted in Django's cache: per process unless CACHE_URL shares it (docs/api.md). Empty: no limit.
OPENAPI_RATE = os.environ.get("OPENAPI_RATE", "600/minute")
# How long browsers and shared caches may keep an API answer without asking again (seconds).
OPENAPI_MAX_AGE = int(os.environ.get("OPENAPI_MAX_AGE", "60"))
# Rows per page of /api/v2/resources/, centers and experts: the default and the most one may ask for; a
# listing of ids only (`fields=id`, for reconciliation) may ask for up to OPENAPI_IDS_LIMIT.
OPENAPI_PAGE_SIZE = 20
OPENAPI_MAX_LIMIT = 100
OPENAPI_IDS_LIMIT = 1000
# The furthest a listing may page (offset); incremental sync (updated_since) keeps pages short.
OPENAPI_MAX_OFFSET = 100_000
