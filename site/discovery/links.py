"""Absolute addresses of pages, from BASE_URL: what feeds, the sitemap, canonical tags and QR codes
print. The Wagtail Site record may say `localhost:80` (a fresh install) or be reached under another
host name; BASE_URL is the address the deployment publishes (docs/deployment.md)."""

from urllib.parse import urlsplit

from django.conf import settings


def base_url():
    return settings.WAGTAILADMIN_BASE_URL.rstrip("/")


def absolute(path):
    """BASE_URL + a site-relative path (or an absolute URL, returned as it is)."""
    if not path or urlsplit(path).scheme:
        return path
    return base_url() + ("" if path.startswith("/") else "/") + path


def page_path(page, request=None):
    """The page's path on its site (e.g. `/library/bnu/course-1/`), or None when it has no URL. Site root
    paths are looked up once per request (Wagtail caches them), never once per page."""
    parts = page.get_url_parts(request)
    return parts[2] if parts else None


def page_url(page, request=None):
    path = page_path(page, request)
    return absolute(path) if path is not None else None
