"""Tests: fast hashing, isolated files, tasks run at once."""

import os
import tempfile
from pathlib import Path

from .base import *  # noqa: F403

SECRET_KEY = "test-only-key"
DEBUG = False
ALLOWED_HOSTS = ["*"]
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
# Each test run writes uploads into its own temporary folder, never into var/.
# (A worker started by a test is told the same folder through MEDIA_ROOT.)
MEDIA_ROOT = Path(os.environ.get("MEDIA_ROOT") or tempfile.mkdtemp(prefix="hub-test-media-"))
MEDIA_WORK_DIR = MEDIA_ROOT.parent / (MEDIA_ROOT.name + "-work")
# Tasks run at once, unless a test (or TASKS_BACKEND) asks for a queue and a worker.
if not os.environ.get("TASKS_BACKEND"):
    TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend", "QUEUES": TASK_QUEUES}}  # noqa: F405
elif TASKS_BACKEND == "rq" and not env_bool("RQ_ASYNC"):  # noqa: F405
    # `make test`'s second run: every task goes through Redis (written, read back) and runs at once in
    # the test process. A test that starts a real rq worker sets RQ_ASYNC=1 for its processes.
    for queue in RQ_QUEUES.values():  # noqa: F405
        queue.update({"ASYNC": False, "QUEUE_CLASS": "tests.redis_queue.RoundTripQueue"})
# A file, not memory, so that a worker process started by a test sees the test database.
if DATABASES["default"]["ENGINE"].endswith("sqlite3"):  # noqa: F405
    DATABASES["default"]["TEST"] = {"NAME": str(MEDIA_ROOT.parent / (MEDIA_ROOT.name + "-db.sqlite3"))}  # noqa: F405

# Each test process keeps its own copies of pages (two runs at once must not share var/pagecache); with
# CACHE_URL, Redis as in production. tests/conftest.py starts every test with a new generation.
if not os.environ.get("CACHE_URL"):
    PAGECACHE_CACHE = {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "pagecache"}
PAGECACHE_REPLAY_SECONDS = 0  # a hit's view is counted before the test looks
# Off, so that a test of what a page shows or costs (query counts) measures the page, not a copy of it;
# the page cache's own tests (test_pagecache.py) turn it on.
PAGECACHE_ENABLED = False
STATIC_ROOT.mkdir(parents=True, exist_ok=True)  # noqa: F405  (WhiteNoise warns of a missing one)

EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
# Search tests choose their backend themselves (tests/test_search.py runs Elasticsearch when
# ELASTICSEARCH_URL is set); everything else uses the database backend.
SEARCH = {**SEARCH, "ELASTICSEARCH_URL": ""}  # noqa: F405
OPENAPI_RATE = "100000/minute"  # the API rate limit (openapi): tests of it set their own
