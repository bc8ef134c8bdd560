"""sitemap.xml: exactly the pages a visitor may see (access.visibility), at BASE_URL's address, with
the date each was last published. Wagtail's sitemap (wagtail.contrib.sitemaps) asks every page for its
Site-based full URL, which is `http://localhost/…` on a fresh install; this one prints BASE_URL's."""

from urllib.parse import urlsplit

from django.contrib.sitemaps import Sitemap as DjangoSitemap

from wagtail.contrib.sitemaps import Sitemap

from access.visibility import public

from .links import base_url, page_path


class PublicSitemap(Sitemap):
    # Django's URL building (protocol and domain from get_protocol/get_domain below, the path from
    # location), not Wagtail's page.get_sitemap_urls (the Site record's host).
    _urls = DjangoSitemap._urls

    def items(self):
        root = self.get_wagtail_site().root_page
        # Plain Page rows (no .specific(): one query, not one per page type); every page type here
        # is worth indexing: the home page, the library and its centers' sections, the case and
        # notice indexes, series, courses, packages, cases and notices.
        pages = public(root.get_descendants(inclusive=True)).order_by("path")
        return pages

    def lastmod(self, obj):
        return obj.last_published_at or obj.latest_revision_created_at or obj.first_published_at

    def location(self, obj):
        return page_path(obj, self.request) or "/"

    def get_protocol(self, protocol=None):
        return urlsplit(base_url()).scheme or "https"

    def get_domain(self, site=None):
        parts = urlsplit(base_url())
        return parts.netloc + parts.path
