from django.urls import reverse
from django.utils.functional import SimpleLazyObject


class SiteNavigation:
    """The three sections of the site, found once per request: `nav.library`, `nav.cases`,
    `nav.notices` (each None when the site has no such page), `nav.series` (the library's series) and
    `nav.links` in menu order, each marked `current` when the request is in its section."""

    def __init__(self, request):
        from wagtail.models import Page

        from cases.models import CaseIndexPage
        from resources.models import LibraryIndexPage, NoticeIndexPage

        models = (LibraryIndexPage, CaseIndexPage, NoticeIndexPage)
        first = {}
        for page in Page.objects.type(*models).live().public().select_related("content_type").order_by("-path"):
            first[page.specific_class] = page  # ordered by -path: the last one kept is the first in the tree

        def link(model):
            page = first.get(model)
            return {"title": page.title, "url": page.url} if page else None

        self.library, self.cases, self.notices = (link(model) for model in models)
        # The index of course series: the library showing that one kind (resources.library's kind facet).
        self.series = {"title": "系列课程", "url": self.library["url"] + "?kind=series"} if self.library else None
        self.links = [entry for entry in (self.library, self.series, self.cases, self.notices) if entry]
        # The directory's indexes are views, not pages: always there (directory.urls).
        self.links += [{"title": "培训中心", "url": reverse("directory:centers")}]
        self.links += [{"title": "师资库", "url": reverse("directory:experts")}]
        # The series index is the library's own URL with a query: it, not 资源库, is the current section there.
        series_index = bool(self.library) and request.path == self.library["url"]
        series_index = series_index and request.GET.getlist("kind") == ["series"]
        for entry in self.links:
            entry["current"] = (entry is self.series) if series_index else request.path.startswith(entry["url"])


def navigation(request):
    # Lazy: only pages that render the site header pay for the look-up, never the admin.
    return {"nav": SimpleLazyObject(lambda: SiteNavigation(request))}
