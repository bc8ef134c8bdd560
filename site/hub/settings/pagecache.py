"""Settings of the pagecache app (docs/caching.md). Star-imported by base.py.

Anonymous visitors' public pages and API answers are kept for PAGECACHE_SECONDS and dropped at once when
anything they show is published, unpublished, moved, deleted or edited (pagecache.invalidation). Signed-in
users never read or fill it."""

import os
from pathlib import Path

_VAR_DIR = Path(os.environ.get("VAR_DIR") or Path(__file__).resolve().parents[3] / "var").resolve()

PAGECACHE_ENABLED = os.environ.get("PAGECACHE", "1").lower() not in {"0", "false", "no", "off"}
# How long a copy is served. Numbers that change without a publish (views, viewers, ratings' averages, a
# video that finished transcoding) reach cached pages within this time.
PAGECACHE_SECONDS = int(os.environ.get("PAGECACHE_SECONDS") or 300)
# Bounds: no copy of a larger answer or of a longer URL; at most about this many copies at once.
PAGECACHE_MAX_BODY_BYTES = int(os.environ.get("PAGECACHE_MAX_BODY_BYTES") or 512 * 1024)
PAGECACHE_MAX_URL_BYTES = int(os.environ.get("PAGECACHE_MAX_URL_BYTES") or 2048)
PAGECACHE_MAX_ENTRIES = int(os.environ.get("PAGECACHE_MAX_ENTRIES") or 5000)
# Copies one client address may cause per period: one visitor inventing query strings cannot use up the
# period's PAGECACHE_MAX_ENTRIES and leave everyone else uncached.
PAGECACHE_MAX_ENTRIES_PER_CLIENT = int(os.environ.get("PAGECACHE_MAX_ENTRIES_PER_CLIENT") or 200)
# Views and searches of cached pages are written in one transaction this long after the first (0: at once).
PAGECACHE_REPLAY_SECONDS = float(os.environ.get("PAGECACHE_REPLAY_SECONDS") or 1)
# Where copies live: files under VAR_DIR/pagecache, shared by every process of the machine (a publish in
# one process or in a task worker reaches all), or the Redis of CACHE_URL, shared by every machine.
if os.environ.get("CACHE_URL"):
    PAGECACHE_CACHE = {
        "BACKEND": "django.core.cache.backends.redis.RedisCache",
        "LOCATION": os.environ["CACHE_URL"],
        "KEY_PREFIX": "pagecache",
    }
else:
    PAGECACHE_CACHE = {
        "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
        "LOCATION": str(Path(os.environ.get("PAGECACHE_DIR") or _VAR_DIR / "pagecache")),
        "OPTIONS": {"MAX_ENTRIES": PAGECACHE_MAX_ENTRIES},
    }
# Never cached, whoever asks: personal pages, files (the file gate decides per request), the learning
# reports, the admin and the page-password form.
PAGECACHE_EXCLUDED_PREFIXES = [
    "/admin/",
    "/accounts/",
    "/me/",
    "/media/",
    "/documents/",
    "/learning/",
    "/feedback/",
    "/static/",
    "/_util/",
]
# Saving or deleting one of these (besides every page, view restriction and site) changes what public
# pages show: every copy is dropped. "app" or "app.Model".
PAGECACHE_INVALIDATING_MODELS = [
    "resources.CapabilityArea",
    "resources.CareerStage",
    "resources.CourseType",
    "resources.Requirement",
    "resources.Tier",
    "resources.TrainingCenter",
    "resources.Expert",
    "resources.ResourceTag",
    "resources.ResourceAttachment",
    "microcourses.SeriesItem",
    "microcourses.SeriesTag",
    "coursepackages.PackageItem",
    "taggit.Tag",
    "wagtaildocs.Document",
    "wagtailimages.Image",
    "media.Video",
    "directory",
    "discovery",
]
