from django.utils.functional import SimpleLazyObject


def _navigation():
    from cases.models import CaseIndexPage
    from resources.models import LibraryIndexPage, NoticeIndexPage

    links = []
    for model in (LibraryIndexPage, CaseIndexPage, NoticeIndexPage):
        page = model.objects.live().public().order_by("path").first()
        if page is not None:
            links.append({"title": page.title, "url": page.url, "path": page.url_path})
    return links


def navigation(request):
    # Lazy: only pages that render the site header pay for the look-up, never the admin.
    return {"nav_links": SimpleLazyObject(_navigation)}
