from django.utils.functional import SimpleLazyObject


class SiteNavigation:
    """The three sections of the site, found once per request: `nav.library`, `nav.cases`,
    `nav.notices` (each None when the site has no such page) and `nav.links` in menu order."""

    def __init__(self):
        from cases.models import CaseIndexPage
        from resources.models import LibraryIndexPage, NoticeIndexPage

        def link(model):
            page = model.objects.live().public().order_by("path").first()
            return {"title": page.title, "url": page.url} if page else None

        self.library = link(LibraryIndexPage)
        self.cases = link(CaseIndexPage)
        self.notices = link(NoticeIndexPage)
        self.links = [entry for entry in (self.library, self.cases, self.notices) if entry]


def navigation(request):
    # Lazy: only pages that render the site header pay for the look-up, never the admin.
    return {"nav": SimpleLazyObject(SiteNavigation)}
