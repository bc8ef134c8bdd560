"""Settings shared by every environment. Everything that differs between machines
comes from environment variables (see the table in README.md)."""

import os
from pathlib import Path

import dj_database_url

from django.core.exceptions import ImproperlyConfigured

PROJECT_DIR = Path(__file__).resolve().parent.parent  # site/hub
SITE_DIR = PROJECT_DIR.parent  # site/
BASE_DIR = SITE_DIR.parent  # repository root


def env_bool(name, default=False):
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    if value.lower() in {"1", "true", "yes", "on"}:
        return True
    if value.lower() in {"0", "false", "no", "off"}:
        return False
    raise ImproperlyConfigured(f"{name} must be a boolean (1/0, true/false), not {value!r}")


def env_list(name, default=""):
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


# Uploaded files, the SQLite database and collected static files all live here,
# outside the code (and git-ignored), so that a checkout stays clean.
VAR_DIR = Path(os.environ.get("VAR_DIR") or BASE_DIR / "var").resolve()
VAR_DIR.mkdir(parents=True, exist_ok=True)  # a fresh clone has none; SQLite cannot create the folder

SECRET_KEY = os.environ.get("SECRET_KEY", "")
DEBUG = env_bool("DEBUG", False)
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "localhost,127.0.0.1")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")

INSTALLED_APPS = [
    # Before wagtail.admin: its templates replace some of Wagtail's (the admin's branding).
    "adminui",
    "access",
    "home",
    "resources",
    "microcourses",
    "cases",
    "editorial",
    "learning",
    "coursepackages",
    "feedback",
    "popularity",
    "xapi",
    "discovery",
    "directory",
    "programs",
    "pagecache",
    "openapi",
    "media",
    "search",
    "wagtailmedia",
    "wagtail.contrib.search_promotions",
    "wagtail.contrib.forms",
    "wagtail.contrib.redirects",
    "wagtail.contrib.settings",
    "wagtail.contrib.sitemaps",
    "wagtail.embeds",
    "wagtail.sites",
    "wagtail.users",
    "wagtail.snippets",
    "wagtail.documents",
    "wagtail.images",
    "wagtail.search",
    "wagtail.admin",
    "wagtail.api.v2",
    "wagtail",
    "modelcluster",
    "taggit",
    "rest_framework",
    "corsheaders",
    "django_filters",
    "django_tasks",
    "django_tasks_db",
    "accounts",
    "allauth",
    "allauth.account",
    "axes",
    "csp",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    # Static files (make run, or a host without nginx), answered before anything below runs.
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # CORS for GET on /api/ only (docs/api.md); before anything that may answer an API request itself.
    "corsheaders.middleware.CorsMiddleware",
    "hub.middleware.ContentSecurityPolicyMiddleware",
    "hub.middleware.PermissionsPolicyMiddleware",
    # Before anything parses the query string.
    "hub.middleware.RequestLimitsMiddleware",
    # The API's rate limit per client and its ETag / Cache-Control / 304 (docs/api.md).
    "openapi.middleware.OpenAPIMiddleware",
    # Anonymous visitors' public pages from a copy (docs/caching.md): below the header middlewares, so that
    # a copy gets fresh security headers; above sessions, so that a hit costs no session or user look-up.
    "pagecache.middleware.PageCacheMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "wagtail.contrib.redirects.middleware.RedirectMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    # allauth's RateLimited (and the daily SMS cap) as the 429 page instead of a 500.
    "accounts.middleware.RateLimitedMiddleware",
    # Last: it turns a login that axes locked out into the lockout page.
    "axes.middleware.AxesMiddleware",
]

# Axes first: it refuses a locked-out account or address before a password is even checked.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
    # Counselors sign in with an e-mail address or a mobile number (accounts, docs/accounts.md).
    "allauth.account.auth_backends.AuthenticationBackend",
]

ROOT_URLCONF = "hub.urls"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [PROJECT_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.debug",
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "wagtail.contrib.settings.context_processors.settings",
                "home.context_processors.navigation",
            ],
        },
    },
]

WSGI_APPLICATION = "hub.wsgi.application"

DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL") or f"sqlite:///{VAR_DIR / 'db.sqlite3'}",
        conn_max_age=int(os.environ.get("DATABASE_CONN_MAX_AGE", "0")),
    )
}
if DATABASES["default"]["ENGINE"].endswith("sqlite3"):
    # The web server and the task workers write at the same time: WAL lets readers and a writer
    # work together, IMMEDIATE transactions queue writers instead of failing, and the timeout waits.
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {
            "transaction_mode": "IMMEDIATE",
            "timeout": 30,
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        }
    )
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文")]
# The hub's catalogue (hub/locale) comes first: it translates what Django, Wagtail and wagtailmedia leave in
# English, and names the hub instead of Wagtail. `make messages` compiles it (docs/admin-language.md).
LOCALE_PATHS = [PROJECT_DIR / "locale"]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

STATICFILES_FINDERS = [
    "django.contrib.staticfiles.finders.FileSystemFinder",
    "django.contrib.staticfiles.finders.AppDirectoriesFinder",
]
# hls.js and tus-js-client come from npm (`make` runs `npm ci`), served as they are published: no
# bundle is committed.
STATICFILES_DIRS = [
    PROJECT_DIR / "static",
    ("vendor/hls", BASE_DIR / "node_modules" / "hls.js" / "dist"),
    ("vendor/tus", BASE_DIR / "node_modules" / "tus-js-client" / "dist"),
]
STATIC_ROOT = VAR_DIR / "static"
STATIC_URL = "/static/"
MEDIA_ROOT = VAR_DIR / "media"
MEDIA_URL = "/media/"
STORAGES = {
    # Documents and original images are stored under random names, never the uploader's (access.storage).
    "default": {"BACKEND": "access.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}

DATA_UPLOAD_MAX_NUMBER_FIELDS = 10_000

# Every uploaded file is served through the file gate (the `access` app): /media/ URLs are answered by
# Django, which checks who may see the file; the web server only sends the bytes. Behind nginx, set
# MEDIA_ACCEL_REDIRECT to its internal location ("/_protected/", deploy/nginx): Django then answers with
# an X-Accel-Redirect header instead of the file. HLS segments get signed, expiring URLs that nginx
# checks itself (access/signing.py), with MEDIA_SIGNING_KEY (derived from SECRET_KEY when unset).
MEDIA_ACCEL_REDIRECT = os.environ.get("MEDIA_ACCEL_REDIRECT", "")
MEDIA_SIGNING_KEY = os.environ.get("MEDIA_SIGNING_KEY", "")
MEDIA_SIGNED_URL_TTL = int(os.environ.get("MEDIA_SIGNED_URL_TTL", str(4 * 3600)))
# Documents only through Wagtail's view (/documents/<id>/<name>), where access.wagtail_hooks checks them.
WAGTAILDOCS_SERVE_METHOD = "serve_view"

# S3-compatible object storage for uploads and HLS ladders, when configured (django-storages). The
# bucket stays private: the gate answers with presigned URLs that expire, and playlists name their
# segments by presigned URL.
if os.environ.get("S3_CUSTOM_DOMAIN"):
    # A CDN host would hand out unsigned URLs of a public bucket: every draft's files to anyone.
    raise ImproperlyConfigured("S3_CUSTOM_DOMAIN is no longer supported: files are served by presigned URLs.")
if os.environ.get("S3_BUCKET"):
    STORAGES["default"] = {
        "BACKEND": "access.storage.S3Storage",
        "OPTIONS": {
            "bucket_name": os.environ["S3_BUCKET"],
            "endpoint_url": os.environ.get("S3_ENDPOINT_URL") or None,
            "region_name": os.environ.get("S3_REGION") or None,
            "access_key": os.environ.get("S3_ACCESS_KEY_ID") or None,
            "secret_key": os.environ.get("S3_SECRET_ACCESS_KEY") or None,
            "querystring_auth": True,
            "querystring_expire": MEDIA_SIGNED_URL_TTL,
            "default_acl": "private",
            "file_overwrite": False,
        },
    }

# Background tasks (django-tasks, the API Wagtail 8 itself uses). The database backend is the
# embedded default: `manage.py run_worker` (started by `make run`) takes jobs from the database.
# TASKS_BACKEND=rq puts them on Redis (REDIS_URL) for workers on many machines.
TASK_QUEUES = ["default", "video"]
TASKS_BACKEND = os.environ.get("TASKS_BACKEND", "database")
if TASKS_BACKEND == "database":
    TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": TASK_QUEUES}}
elif TASKS_BACKEND == "rq":
    INSTALLED_APPS += ["django_rq", "django_tasks_rq"]
    REDIS_URL = os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/0")
    # A transcode of a 20-minute lecture takes minutes; RQ's default 180 s would kill it.
    RQ_QUEUES = {name: {"URL": REDIS_URL, "DEFAULT_TIMEOUT": 4 * 3600} for name in TASK_QUEUES}
    TASKS = {"default": {"BACKEND": "django_tasks_rq.RQBackend", "QUEUES": TASK_QUEUES}}
elif TASKS_BACKEND == "immediate":
    TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend", "QUEUES": TASK_QUEUES}}
else:
    raise ImproperlyConfigured(f"TASKS_BACKEND must be database, rq or immediate, not {TASKS_BACKEND!r}")

# Django's cache: counters of rate limits (allauth's, the record's PDF). In each process's memory by default;
# CACHE_URL=redis://... shares them between the web server's processes and machines.
if os.environ.get("CACHE_URL"):
    CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": os.environ["CACHE_URL"]}
    }

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
    # One line per background task and per page action drowns commands' own output.
    "loggers": {
        name: {"level": os.environ.get("LOG_LEVEL_LIBRARIES", "WARNING")} for name in ("django_tasks", "wagtail")
    },
}

# Wagtail
WAGTAIL_SITE_NAME = "高校辅导员培训研修资源库"
# The admin is in Chinese only: no language choice in the account settings (Wagtail offers every language
# it has), and the hub's one time zone, so no list of 600 zone names either.
WAGTAILADMIN_PERMITTED_LANGUAGES = LANGUAGES
WAGTAIL_USER_TIME_ZONES = [TIME_ZONE]
# Wagtail's form leaves the password field without a label (Django then shows the English field name).
WAGTAILADMIN_USER_LOGIN_FORM = "adminui.forms.LoginForm"
WAGTAILADMIN_BASE_URL = os.environ.get("BASE_URL", "http://127.0.0.1:8000")
WAGTAIL_I18N_ENABLED = False
WAGTAILSEARCH_BACKENDS = {"default": {"BACKEND": "search.wagtail_backend"}}
WAGTAILDOCS_EXTENSIONS = ["csv", "docx", "doc", "key", "odt", "pdf", "pptx", "rtf", "txt", "xlsx", "xls", "zip"]
WAGTAILDOCS_MAX_UPLOAD_SIZE = 50 * 1024 * 1024
WAGTAILIMAGES_MAX_UPLOAD_SIZE = 20 * 1024 * 1024
WAGTAILAPI_BASE_URL = WAGTAILADMIN_BASE_URL
WAGTAILAPI_LIMIT_MAX = 100
WAGTAIL_DATE_FORMAT = "%Y-%m-%d"
WAGTAIL_DATETIME_FORMAT = "%Y-%m-%d %H:%M"

TAGGIT_CASE_INSENSITIVE = True

# Lecture videos (the `media` app on top of wagtailmedia).
WAGTAILMEDIA = {
    "MEDIA_MODEL": "media.Video",
    "MEDIA_FORM_BASE": "media.forms.VideoForm",
    # Only video: the library has no audio-only resources.
    "AUDIO_EXTENSIONS": [],
    "VIDEO_EXTENSIONS": ["mp4", "m4v", "mov", "mkv", "webm", "avi", "ts", "mpg", "mpeg", "flv", "wmv"],
}
# Editors upload 0.5-2 GB recordings; refuse more than this (bytes).
MEDIA_MAX_UPLOAD_SIZE = int(os.environ.get("MEDIA_MAX_UPLOAD_SIZE", str(4 * 1024**3)))
# Lectures are 5-20 minutes; a file declaring many hours would hold a worker for as long.
MEDIA_MAX_DURATION_SECONDS = int(os.environ.get("MEDIA_MAX_DURATION_SECONDS", str(3 * 3600)))
# What ffprobe must find inside an upload (the file name's extension proves nothing).
MEDIA_ALLOWED_CONTAINERS = env_list("MEDIA_ALLOWED_CONTAINERS", "mov,mp4,matroska,webm,avi,mpegts,mpeg,flv,asf")
MEDIA_ALLOWED_VIDEO_CODECS = env_list(
    "MEDIA_ALLOWED_VIDEO_CODECS", "h264,hevc,mpeg4,mpeg2video,mpeg1video,vp8,vp9,av1,wmv3,vc1,flv1,mjpeg,prores"
)
# A transcoding job that has not reported progress for this long is taken to be dead (its worker
# was killed) and is queued again, at most MEDIA_TRANSCODE_MAX_ATTEMPTS times in all.
MEDIA_TRANSCODE_STALL_SECONDS = int(os.environ.get("MEDIA_TRANSCODE_STALL_SECONDS", "120"))
MEDIA_TRANSCODE_MAX_ATTEMPTS = int(os.environ.get("MEDIA_TRANSCODE_MAX_ATTEMPTS", "3"))
# Scratch space for jobs: the source's local copy (remote storage) and the ladder being written.
MEDIA_WORK_DIR = Path(os.environ.get("MEDIA_WORK_DIR") or VAR_DIR / "work")
# Bulk upload (media.tus): a file arrives in PATCH requests of this many bytes (the web server's body
# limit must allow it), into MEDIA_WORK_DIR/uploads; an upload left unfinished this long is deleted.
MEDIA_UPLOAD_CHUNK_SIZE = 8 * 1024**2
MEDIA_UPLOAD_EXPIRY_HOURS = float(os.environ.get("MEDIA_UPLOAD_EXPIRY_HOURS", "72"))

REST_FRAMEWORK = {
    # The public API is read-only and anonymous; no browsable HTML API in production.
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
}

# Chinese full-text search (the `search` app). Without ELASTICSEARCH_URL the database backend
# (SQLite FTS5, or PostgreSQL's full-text search) serves every query. With it, queries go to
# Elasticsearch (7 or 8) and fall back to the database when the cluster fails; the database
# index is always kept, so the fallback is complete.
SEARCH = {
    "ELASTICSEARCH_URL": os.environ.get("ELASTICSEARCH_URL", ""),
    # The alias searches use; each rebuild makes a new index behind it and switches.
    "ELASTICSEARCH_INDEX": os.environ.get("ELASTICSEARCH_INDEX", "fudaoyuan-resources"),
    "ELASTICSEARCH_TIMEOUT": float(os.environ.get("ELASTICSEARCH_TIMEOUT", "3")),
}

# What `run_worker` does every --sweep-every seconds besides running tasks: queue again the
# transcodes of dead workers, send Elasticsearch the changes it missed while unreachable, delete bulk
# uploads abandoned for MEDIA_UPLOAD_EXPIRY_HOURS, and e-mail the deadline reminders due today (each once;
# no cron needed).
WORKER_SWEEPS = [
    "media.pipeline.requeue_stalled",
    "search.indexing.flush_queue",
    "media.uploads.expire_sessions",
    "editorial.reminders.sweep",
    # Old daily counts and rarely searched queries leave the search log (search.querylog).
    "search.querylog.sweep",
    # Scheduled go-live and expiry of pages (Wagtail's publish_scheduled), and expired sessions.
    "home.sweeps.publish_scheduled",
    "home.sweeps.clear_sessions",
    # Viewing sessions older than LEARNING_SESSION_KEEP_DAYS (their progress stays).
    "learning.sweeps.expire_sessions",
    # Numbers claimed and never confirmed, the daily SMS counts, accounts abandoned unconfirmed.
    "accounts.sweeps.clear_unconfirmed_numbers",
    "accounts.sweeps.forget_sms_counts",
    "accounts.sweeps.delete_abandoned_accounts",
    # Courses' viewers, completions and ratings counted again from their rows (popularity).
    "popularity.sweeps.refresh_stats",
    # xAPI statements waiting in the outbox, sent to the Learning Record Store in batches (xapi).
    "xapi.sweeps.send_statements",
]

# The library lists this many resources per page.
LIBRARY_PAGE_SIZE = int(os.environ.get("LIBRARY_PAGE_SIZE", "20"))

EMAIL_BACKEND = os.environ.get("EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "noreply@fudaoyuan.local")
WAGTAILADMIN_NOTIFICATION_FROM_EMAIL = DEFAULT_FROM_EMAIL
WAGTAILADMIN_NOTIFICATION_USE_HTML = True


def env_month_day(name, default):
    value = os.environ.get(name) or default
    try:
        month, day = (int(part) for part in value.split("-"))
        return month, day
    except ValueError:
        raise ImproperlyConfigured(f"{name} must be MM-DD, not {value!r}") from None


# The yearly dates of the centers' work (seed 000): the work plan by May 10, network courses and
# work cases uploaded and reviewed by June 30. Reminders go to centers behind at these many days before.
EDITORIAL_PLAN_DEADLINE = env_month_day("EDITORIAL_PLAN_DEADLINE", "05-10")
EDITORIAL_UPLOAD_DEADLINE = env_month_day("EDITORIAL_UPLOAD_DEADLINE", "06-30")
EDITORIAL_REMINDER_DAYS = sorted((int(d) for d in env_list("EDITORIAL_REMINDER_DAYS", "30,7,1")), reverse=True)
# Approval in the center's review workflow publishes, although reviewers may not publish directly.
WAGTAIL_FINISH_WORKFLOW_ACTION = "editorial.workflows.publish_approved"

# Counselor accounts: sign-up and sign-in on the public site (docs/accounts.md); counselors' learning
# (docs/learning.md); brute-force lockout, request limits and security headers (docs/security.md).
from .accounts import *  # noqa: E402, F403
from .coursepackages import *  # noqa: E402, F403
from .discovery import *  # noqa: E402, F403
from .feedback import *  # noqa: E402, F403
from .learning import *  # noqa: E402, F403
from .openapi import *  # noqa: E402, F403
from .pagecache import *  # noqa: E402, F403
from .popularity import *  # noqa: E402, F403
from .programs import *  # noqa: E402, F403
from .security import *  # noqa: E402, F403
from .xapi import *  # noqa: E402, F403
