"""Which pages the open API may show: live pages that neither they nor any ancestor hide.

A page is hidden from the public when it is unpublished (a draft, or expired: Wagtail unpublishes it),
when it or an ancestor has a view restriction (whatever the restriction: the API is anonymous and its
answers are kept by shared caches, so a password entered in this session or a login never opens one),
or when an ancestor below the root is unpublished (Wagtail's `live()` alone would still show such a
page). The same rules as the search index (search/documents.py), decided in the database by one
correlated sub-query, so that listings filter, count and paginate in SQL."""

from django.db.models import Exists, OuterRef, Q
from django.db.models.functions import Length, Substr

from wagtail.models import Page, Site


def hiding_ancestor():
    """True for a page (the outer row) when it or one of its ancestors hides it."""
    hiding = Page.objects.filter(Q(live=False, depth__gt=1) | Q(view_restrictions__isnull=False))
    # An ancestor's path is a prefix of the page's own (treebeard's materialised path).
    return Exists(hiding.filter(path=Substr(OuterRef("path"), 1, Length("path"))))


def open_pages(model=Page, request=None):
    """The live pages of `model` that an anonymous visitor may see, under the request's site."""
    queryset = model.objects.live().exclude(hiding_ancestor())
    site = Site.find_for_request(request) if request is not None else None
    if site is None:
        site = Site.objects.filter(is_default_site=True).select_related("root_page").first()
    if site is not None:
        queryset = queryset.filter(path__startswith=site.root_page.path)
    return queryset
