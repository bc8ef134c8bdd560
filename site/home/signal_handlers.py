"""The default Wagtail Site takes its host name and port from BASE_URL after every `migrate` (so also
in `make run`). Wagtail creates it as localhost:80, and the API's `html_url`, full page URLs in
e-mails and sitemaps are built from it."""

import logging
from urllib.parse import urlsplit

from django.conf import settings
from django.db.models.signals import post_migrate

logger = logging.getLogger(__name__)


def sync_default_site(using="default", **kwargs):
    from wagtail.models import Site

    parts = urlsplit(settings.WAGTAILADMIN_BASE_URL)
    if not parts.hostname:
        return
    port = parts.port or (443 if parts.scheme == "https" else 80)
    site = Site.objects.using(using).filter(is_default_site=True).first()
    if site is None or (site.hostname, site.port) == (parts.hostname, port):
        return
    if Site.objects.using(using).filter(hostname=parts.hostname, port=port).exclude(pk=site.pk).exists():
        logger.warning(
            "another Wagtail site already uses %s:%s; the default site keeps its address", parts.hostname, port
        )
        return
    site.hostname, site.port = parts.hostname, port
    site.save(using=using)  # save(): Wagtail's signal clears its cache of site root paths


def register_signal_handlers(app_config):
    post_migrate.connect(sync_default_site, sender=app_config, dispatch_uid="home.sync_default_site")
