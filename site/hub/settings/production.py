"""Production: refuses to start without a strong secret key and explicit hosts; HTTPS only."""

import os

from django.core.exceptions import ImproperlyConfigured

from .base import *  # noqa: F403
from .secret_key import weakness

DEBUG = env_bool("DEBUG", False)  # noqa: F405

SECRET_KEY = os.environ.get("SECRET_KEY", "")
if reason := weakness(SECRET_KEY):
    raise ImproperlyConfigured(
        f"SECRET_KEY is too weak for production: {reason}. Use a random value "
        '(python -c "import secrets; print(secrets.token_urlsafe(50))").'
    )
# The signed-URL key is checked offline against public segment tokens (MD5): as strong as SECRET_KEY,
# or unset (then derived from SECRET_KEY: access.signing).
if MEDIA_SIGNING_KEY and (reason := weakness(MEDIA_SIGNING_KEY)):  # noqa: F405
    raise ImproperlyConfigured(
        f"MEDIA_SIGNING_KEY is too weak for production: {reason}. Use a random value "
        '(python -c "import secrets; print(secrets.token_urlsafe(50))").'
    )
if not os.environ.get("ALLOWED_HOSTS"):
    raise ImproperlyConfigured("ALLOWED_HOSTS must list the site's host names in production.")
if not os.environ.get("BASE_URL"):
    # Admin e-mails and the API's absolute links are built from it.
    raise ImproperlyConfigured("BASE_URL must be the site's public address in production (https://…).")

SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)  # noqa: F405
# Cookies travel over HTTPS only, whatever terminates it.
SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True
# Browsers remember to use HTTPS for a year (Django's deployment check asks for one). A site still
# testing HTTPS sets SECURE_HSTS_SECONDS=3600 first; 0 turns the header off.
SECURE_HSTS_SECONDS = int(os.environ.get("SECURE_HSTS_SECONDS", str(365 * 24 * 3600)))
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", True)  # noqa: F405
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", True)  # noqa: F405
STORAGES["staticfiles"] = {  # noqa: F405
    "BACKEND": "django.contrib.staticfiles.storage.ManifestStaticFilesStorage"
}
