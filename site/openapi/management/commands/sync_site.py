"""`manage.py sync_site`: the default Wagtail Site takes BASE_URL's host name and port, and the hub's name.

Full page addresses (the API's html_url, sitemaps, e-mails) are built from the Site record, which Wagtail
creates as localhost:80. `migrate` already does this (home.signal_handlers); the command also runs after
loading data that may have replaced the record (`make run` after load_demo) and in the deployment steps."""

from urllib.parse import urlsplit

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError


class Command(BaseCommand):
    help = "Set the default Wagtail site's host name, port and name from BASE_URL and WAGTAIL_SITE_NAME."

    def handle(self, *args, **options):
        from wagtail.models import Site

        parts = urlsplit(settings.WAGTAILADMIN_BASE_URL)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise CommandError(
                f"BASE_URL 必须是 http:// 或 https:// 开头的完整地址，而不是 {settings.WAGTAILADMIN_BASE_URL!r}"
            )
        port = parts.port or (443 if parts.scheme == "https" else 80)
        site = Site.objects.filter(is_default_site=True).first()
        if site is None:
            raise CommandError("没有默认站点（Wagtail Site）：请先运行 migrate。")
        if Site.objects.filter(hostname=parts.hostname, port=port).exclude(pk=site.pk).exists():
            raise CommandError(f"另一个站点已使用 {parts.hostname}:{port}，默认站点保持不变。")
        name = settings.WAGTAIL_SITE_NAME
        if (site.hostname, site.port, site.site_name) == (parts.hostname, port, name):
            self.stdout.write(f"默认站点已是 {parts.hostname}:{port}（{name}）")
            return
        site.hostname, site.port, site.site_name = parts.hostname, port, name
        site.save()  # save(): Wagtail's signal clears its cache of site root paths
        self.stdout.write(f"默认站点已设为 {parts.hostname}:{port}（{name}）")
