"""Development (`make run`): a throw-away secret key if none is given, and DEBUG off by default, so that a
missing page shows the site's own Chinese 404 page as in production. DEBUG=1 gives Django's debug pages."""

import os

from .base import *  # noqa: F403

DEBUG = env_bool("DEBUG", False)  # noqa: F405
SECRET_KEY = os.environ.get("SECRET_KEY") or "dev-only-insecure-key-do-not-use-in-production"
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "localhost,127.0.0.1,[::1]")  # noqa: F405
# runserver serves static files only with DEBUG on: WhiteNoise serves them here from where they are
# (the apps' static folders and node_modules, STATICFILES_DIRS), without collectstatic, and sees new files.
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = True
STATIC_ROOT.mkdir(parents=True, exist_ok=True)  # noqa: F405  (WhiteNoise warns of a missing one)
