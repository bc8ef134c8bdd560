"""Feeds, sitemap.xml, robots.txt and the favicon (docs/discovery.md). Included before Wagtail's pages."""

from django.urls import path

from wagtail.contrib.sitemaps.views import sitemap

from . import feeds, views
from .sitemap import PublicSitemap

app_name = "discovery"

urlpatterns = [
    path("feeds/notices/", feeds.NoticeFeed(), name="notices_rss"),
    path("feeds/notices/atom/", feeds.atom(feeds.NoticeFeed, "notices_atom")(), name="notices_atom"),
    path("feeds/resources/", feeds.NewResourceFeed(), name="resources_rss"),
    path("feeds/resources/atom/", feeds.atom(feeds.NewResourceFeed, "resources_atom")(), name="resources_atom"),
    path("feeds/area/<slug:code>/", feeds.AreaFeed(), name="area_rss"),
    path("feeds/area/<slug:code>/atom/", feeds.atom(feeds.AreaFeed, "area_atom")(), name="area_atom"),
    # Our own template: Django's sitemap.xml lives in django.contrib.sitemaps, which is not installed.
    path(
        "sitemap.xml",
        sitemap,
        {"sitemaps": {"pages": PublicSitemap}, "template_name": "discovery/sitemap.xml"},
        name="sitemap",
    ),
    path("robots.txt", views.robots_txt, name="robots"),
    path("favicon.ico", views.favicon, name="favicon"),
]
