"""Which pages a visitor may see, for the feeds, the sitemap, the share QR code and the head's tags.

The rule is the search's (search/documents.py): a page is public when it is live, not expired, and
neither it nor an ancestor below the root is unpublished or view-restricted. The search decides it in
Python, batch by batch, over pages it indexes; a feed wants the newest 30 public pages, so here the
ancestor test is a SQL condition and LIMIT applies in the database: for each level of the tree one
EXISTS on the unique `path` index (the ancestor's path is a prefix of the page's: treebeard's
materialised path, `Page.steplen` characters a level). No comparison with every draft of the site.
"""

from django.db.models import Exists, Max, OuterRef, Q
from django.db.models.functions import Substr

from wagtail.models import Page, PageViewRestriction

from search.documents import ancestor_paths, hiding_paths


def _ancestor_hidden(max_depth):
    """A Q true for pages with an unpublished or view-restricted ancestor (levels 2 .. max_depth - 1)."""
    condition = Q()
    for depth in range(2, max_depth):
        prefix = Substr(OuterRef("path"), 1, depth * Page.steplen)
        condition |= Q(depth__gt=depth) & (
            Exists(Page.objects.filter(path=prefix, live=False))
            | Exists(PageViewRestriction.objects.filter(page__path=prefix))
        )
    return condition


def public(queryset):
    """`queryset` (of Page or a subclass) cut down to the pages a visitor may see."""
    max_depth = Page.objects.aggregate(depth=Max("depth"))["depth"] or 0
    queryset = queryset.live().public().filter(expired=False)
    hidden = _ancestor_hidden(max_depth)
    return queryset.exclude(hidden) if hidden else queryset


def is_public(page, request=None):
    """Whether a visitor may see this page (its live version); decided once per request and page."""
    if page is None or not getattr(page, "pk", None):
        return False
    memo = request.__dict__.setdefault("_discovery_public", {}) if request is not None else {}
    if page.pk not in memo:
        if request is not None and getattr(request, "is_preview", False):
            memo[page.pk] = False  # a preview shows a draft: nothing of it is the public page
        elif not page.live or page.expired:
            memo[page.pk] = False
        else:
            memo[page.pk] = not hiding_paths(ancestor_paths(page.path))
    return memo[page.pk]
