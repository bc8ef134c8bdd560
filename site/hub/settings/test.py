"""Tests: fast hashing, isolated files, tasks run at once."""

import tempfile
from pathlib import Path

from .base import *  # noqa: F403

SECRET_KEY = "test-only-key"
DEBUG = False
ALLOWED_HOSTS = ["*"]
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
# Each test run writes uploads into its own temporary folder, never into var/.
MEDIA_ROOT = Path(tempfile.mkdtemp(prefix="hub-test-media-"))
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
