"""RSS 2.0 and Atom feeds of the public library: notices, newly published micro-courses, cases and
training programs, and those of one capability area (docs/discovery.md).

Every feed holds at most DISCOVERY_FEED_ITEMS of the newest public pages (access.visibility) and is
built in a fixed number of queries, whatever its length. Feeds are the same for every visitor: the
page cache may keep them."""

from dataclasses import dataclass

from django.conf import settings
from django.contrib.syndication.views import Feed
from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils.feedgenerator import Atom1Feed, Rss201rev2Feed

from access.visibility import public
from cases.models import CasePage
from microcourses.models import MicroCoursePage
from programs.models import ProgramPage
from resources.models import CapabilityArea, PolicyDocumentPage, ResourcePage

from .links import absolute, page_path

SITE_NAME = "高校辅导员培训研修资源库"


@dataclass(frozen=True)
class Subject:
    """What one request's feed is about: the request, and the capability area of an area's feed."""

    request: HttpRequest
    area: CapabilityArea | None = None


class ChineseRss(Rss201rev2Feed):
    content_type = "application/rss+xml; charset=utf-8"


class ChineseAtom(Atom1Feed):
    content_type = "application/atom+xml; charset=utf-8"


class ResourceFeed(Feed):
    """The newest public resources of `models`, newest first."""

    feed_type = ChineseRss
    language = "zh-CN"
    models = ()
    url_name = ""

    # The feed objects are shared by every request (and thread): what a request needs travels in `obj`.
    def get_object(self, request, *args, **kwargs):
        return Subject(request)

    def queryset(self, obj):
        return ResourcePage.objects.filter(content_type__model__in=[m._meta.model_name for m in self.models])

    def items(self, obj):
        rows = (
            public(self.queryset(obj))
            .select_related(
                "content_type", "center", "microcoursepage__lecturer", "casepage", "policydocumentpage", "programpage"
            )
            .prefetch_related("capabilities")
            .order_by("-first_published_at", "-pk")[: settings.DISCOVERY_FEED_ITEMS]
        )
        items = []
        for page in rows:
            # The site's root paths are read once per request (Wagtail keeps them on the request).
            path = page_path(page, obj.request)
            if path is not None:  # a page outside every site has no address
                page.feed_link = absolute(path)
                items.append(page)
        return items

    def link(self, obj):
        return absolute("/")

    def feed_url(self, obj):
        return absolute(reverse(f"discovery:{self.url_name}", kwargs=self.url_kwargs(obj)))

    def url_kwargs(self, obj):
        return {}

    def subtitle(self, obj):
        # Atom's name for the description.
        return self._get_dynamic_attr("description", obj)

    def author_name(self):
        return settings.HUB_ORGANISER or SITE_NAME

    def item_title(self, item):
        return item.title

    def item_description(self, item):
        text = item.summary or item.search_description or item.title
        if isinstance(item.detail, ProgramPage):  # when and where, before what it is about
            from programs.templatetags.program_tags import program_dates

            where = f"，{item.detail.place}" if item.detail.place else ""
            return f"{program_dates(item.detail)}{where}。{text}"
        return text

    def item_link(self, item):
        return item.feed_link

    def item_guid(self, item):
        return self.item_link(item)

    def item_pubdate(self, item):
        return item.first_published_at

    def item_updateddate(self, item):
        return item.last_published_at or item.first_published_at

    def item_author_name(self, item):
        detail = item.detail
        if isinstance(detail, MicroCoursePage) and detail.lecturer_id:
            return detail.lecturer.name
        if isinstance(detail, PolicyDocumentPage) and detail.issuer:
            return detail.issuer
        return item.center.name if item.center_id else None

    def item_categories(self, item):
        return [item.get_kind_label(), *(area.label for area in item.capabilities.all())]


class NoticeFeed(ResourceFeed):
    title = f"通知公告 · {SITE_NAME}"
    description = "资源库新发布的通知公告和政策文件。"
    models = (PolicyDocumentPage,)
    url_name = "notices_rss"


class NewResourceFeed(ResourceFeed):
    title = f"新上线的微课、工作案例和培训项目 · {SITE_NAME}"
    description = "资源库新发布的微课、工作案例和培训项目。"
    models = (MicroCoursePage, CasePage, ProgramPage)
    url_name = "resources_rss"


class AreaFeed(NewResourceFeed):
    """The micro-courses, cases and programs of one capability area (能力方向)."""

    url_name = "area_rss"

    def get_object(self, request, code):
        return Subject(request, get_object_or_404(CapabilityArea, code=code[:50]))

    def url_kwargs(self, obj):
        return {"code": obj.area.code}

    def title(self, obj):
        return f"{obj.area.label} · 新上线的微课、工作案例和培训项目 · {SITE_NAME}"

    def description(self, obj):
        return f"资源库“{obj.area.label}”能力方向新发布的微课、工作案例和培训项目。"

    def link(self, obj):
        from resources.models import LibraryIndexPage

        library = public(LibraryIndexPage.objects.all()).first()
        path = page_path(library, obj.request) if library else None
        return absolute(f"{path}?capability={obj.area.code}") if path else absolute("/")

    def queryset(self, obj):
        areas = ResourcePage.objects.filter(capabilities=obj.area)
        return super().queryset(obj).filter(pk__in=areas.values("pk"))


def atom(feed_class, name):
    """The Atom twin of an RSS feed class."""
    return type(f"{feed_class.__name__}Atom", (feed_class,), {"feed_type": ChineseAtom, "url_name": name})
