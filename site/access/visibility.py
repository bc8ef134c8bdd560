"""Which pages an anonymous visitor may see: the one rule of the feeds, the sitemap, the head's tags and
QR codes (discovery) and the open API (hub.api, openapi).

A page is public when it is live, not expired, and neither it nor an ancestor hides it: an ancestor
below the root that is unpublished, or a view restriction of any kind on the page or an ancestor. Who
asks changes nothing: a password entered in this session or a login never opens a restricted page
here (the API's answers and the feeds are kept by shared caches). The search index decides the same
rule in Python over the pages it indexes (search/documents.py).

In SQL, so that listings filter, count, paginate and LIMIT in the database: for each level of the tree
one EXISTS on the unique `path` index (the ancestor at depth d has the first d * `Page.steplen`
characters of the page's path, treebeard's materialised path), and on the restrictions' `page_id`
index below it. Nothing compares a page with every draft or restriction of the site (Wagtail's own
`.public()` ORs one condition per restriction into the query: SQLite refuses it past about a thousand).
"""

from django.db.models import Exists, Max, OuterRef, Q
from django.db.models.functions import Substr

from wagtail.models import Page, PageViewRestriction, Site


def _restricted_itself():
    return Exists(PageViewRestriction.objects.filter(page=OuterRef("pk")))


def _hides():
    """A Q true for a page that hides itself and its subtree: unpublished (below the root) or restricted."""
    return Q(live=False, depth__gt=1) | _restricted_itself()


def _hidden(max_depth, hides=_hides):
    """A Q true for pages that they or an ancestor hide (`hides`), for pages up to `max_depth` deep."""
    condition = Q()
    for depth in range(1, max_depth + 1):
        at_level = Page.objects.filter(path=Substr(OuterRef("path"), 1, depth * Page.steplen))
        condition |= Q(depth__gte=depth) & Exists(at_level.filter(hides()))
    return condition


def restricted(request=None):
    """A Q true for pages with a view restriction on them or an ancestor, published or not (the admin's
    scoping, editorial/scoping.py); empty on a site without pages."""
    return _hidden(_max_depth(request), _restricted_itself)


def _max_depth(request=None):
    """The depth of the deepest page, read once per request."""
    memo = request.__dict__ if request is not None else {}
    if "_visibility_depth" not in memo:
        memo["_visibility_depth"] = Page.objects.aggregate(depth=Max("depth"))["depth"] or 0
    return memo["_visibility_depth"]


def public(queryset, request=None):
    """`queryset` (of Page or a subclass) cut down to the pages a visitor may see."""
    queryset = queryset.filter(live=True, expired=False)
    hidden = _hidden(_max_depth(request))
    return queryset.exclude(hidden) if hidden else queryset


def open_pages(model=Page, request=None):
    """The public pages of `model` under the request's site (the default site without a request)."""
    queryset = public(model.objects.all(), request)
    site = Site.find_for_request(request) if request is not None else None
    if site is None:
        site = Site.objects.filter(is_default_site=True).select_related("root_page").first()
    if site is not None:
        queryset = queryset.filter(path__startswith=site.root_page.path)
    return queryset


def is_public(page, request=None):
    """Whether a visitor may see this page (its live version); decided once per request and page, in
    one query."""
    if page is None or not getattr(page, "pk", None):
        return False
    memo = request.__dict__.setdefault("_public_pages", {}) if request is not None else {}
    if page.pk not in memo:
        if request is not None and getattr(request, "is_preview", False):
            memo[page.pk] = False  # a preview shows a draft: nothing of it is the public page
        elif not page.live or page.expired:
            memo[page.pk] = False
        else:
            # Its ancestors' paths are known from its own: `path IN (...)` on the path index.
            memo[page.pk] = not Page.objects.ancestor_of(page, inclusive=True).filter(_hides()).exists()
    return memo[page.pk]
