"""Which pages the search holds, and the document each one becomes (the same for both backends).

Only live, public resources are searchable: a page that is a draft, expired, view-restricted
(itself or through an ancestor), or under an unpublished section is not in the index at all,
so no query, facet count or suggestion can reveal it.
"""

from wagtail.models import Page, PageViewRestriction

from popularity.scores import completion_key
from resources.models import ResourcePage, ResourceStats, resource_models

from . import analysis

# The numbers of a resource's ResourceStats the index copies (popularity), besides the views.
STATS_FIELDS = ["viewers", "completions", "completion_rate", "rating_count", "rating_average", "rating_score"]

# A page hides its subtree from the public when it is unpublished or has a view restriction.
# Which pages do is decided from each page's own ancestors (at most `depth` paths, found by one
# bounded query per batch), never by comparing pages with every draft of the site: a site may
# hold any number of drafts and restrictions.
QUERY_PATHS = 500  # paths per `path IN (...)` query


def ancestor_paths(path):
    """The page's own path and its ancestors' (treebeard's materialised path, 4 characters a level)."""
    step = Page.steplen
    return [path[:end] for end in range(step, len(path) + 1, step)]


def hiding_paths(paths):
    """Those of `paths` that hide their subtree: unpublished (below the root) or view-restricted."""
    paths = sorted(set(paths))
    found = set()
    for start in range(0, len(paths), QUERY_PATHS):
        chunk = paths[start : start + QUERY_PATHS]
        found.update(Page.objects.filter(path__in=chunk, live=False, depth__gt=1).values_list("path", flat=True))
        found.update(PageViewRestriction.objects.filter(page__path__in=chunk).values_list("page__path", flat=True))
    return found


def hidden_among(rows):
    """The ids of `rows` ((pk, path) pairs) hidden by the page itself or an ancestor."""
    lineage = {pk: ancestor_paths(path) for pk, path in rows}
    hiding = hiding_paths(path for paths in lineage.values() for path in paths)
    return {pk for pk, paths in lineage.items() if not hiding.isdisjoint(paths)}


def _join(parts):
    return "\n".join(p.strip() for p in parts if p and p.strip())


def stats_columns(stats):
    """The index's copies of a resource's numbers (a dict of STATS_FIELDS or None) and the stored key of
    完成率最高 (popularity.scores)."""
    stats = stats or {}
    values = {name: stats.get(name) or 0 for name in STATS_FIELDS}
    values["rating_average"] = stats.get("rating_average")
    values["completion_key"] = completion_key(values["viewers"], values["completion_rate"])
    return values


def build(page, popularity=0, stats=None):
    """The index document of one page (its concrete class); `popularity`: its views, `stats`: its other
    numbers (a dict of STATS_FIELDS)."""
    title = page.title
    keywords = _join(page.search_keywords())
    body = _join(page.search_body())
    facets = {name: [v for v in values if v] for name, values in page.search_facets().items()}
    return {
        "id": page.pk,
        "slug": page.slug,
        "kind": page.resource_kind,
        "title": title,
        "url": page.url or "",
        "summary": page.summary,
        "date": page.search_date(),
        "popularity": popularity,
        **stats_columns(stats),
        "facets": facets,
        "text": body,
        "title_words": " ".join(analysis.index_words(title)),
        "keywords": " ".join(analysis.index_words(keywords)),
        "keyword_text": keywords,
        "summary_words": " ".join(analysis.index_words(page.summary)),
        "body_words": " ".join(analysis.index_words(body)),
        "bigrams": " ".join(analysis.bigrams(_join([title, keywords, body]))),
    }


def popularity_of(ids):
    return dict(ResourceStats.objects.filter(page_id__in=ids).values_list("page_id", "views"))


def stats_of(ids):
    """{page id: {"views": n, and STATS_FIELDS}} of the pages that have numbers."""
    rows = ResourceStats.objects.filter(page_id__in=ids).values("page_id", "views", *STATS_FIELDS)
    return {row.pop("page_id"): row for row in rows}


def specific_pages(ids):
    """The resources among these page ids, as their concrete classes."""
    return [p for p in Page.objects.filter(pk__in=list(ids)).specific(defer=False) if isinstance(p, ResourcePage)]


def documents_for(pages):
    """Documents of the searchable pages among `pages` (concrete instances)."""
    candidates = [p for p in pages if isinstance(p, ResourcePage) and p.live and not p.expired]
    hidden = hidden_among((p.pk, p.path) for p in candidates)
    pages = [p for p in candidates if p.pk not in hidden]
    stats = stats_of([p.pk for p in pages])
    return [build(p, (stats.get(p.pk) or {}).get("views", 0), stats.get(p.pk)) for p in pages]


def _live_batches(batch_size, after=0):
    """(pk, path) of live resources in pk order, `batch_size` at a time, from pk > `after`:
    memory stays constant whatever the number of pages."""
    while True:
        rows = list(
            ResourcePage.objects.live().filter(pk__gt=after).order_by("pk").values_list("pk", "path")[:batch_size]
        )
        if not rows:
            return
        yield rows
        after = rows[-1][0]


def searchable_ids(batch_size=1000, after=0):
    """Ids of every searchable page, in pk order, batch by batch."""
    for rows in _live_batches(batch_size, after):
        hidden = hidden_among(rows)
        yield [pk for pk, _ in rows if pk not in hidden]


def load_documents(ids):
    """Documents of these pages (concrete classes, loaded with what `build` reads), in `ids`' order."""
    pages = []
    for model in resource_models():
        pages.extend(
            model.objects.filter(pk__in=ids)
            .select_related(*model.search_select_related)
            .prefetch_related(*model.search_prefetch_related)
        )
    pages.sort(key=lambda p: p.pk)
    return documents_for(pages)


def count_searchable(after=0):
    return sum(len(ids) for ids in searchable_ids(after=after))


def all_searchable(batch_size=200, after=0):
    """(count, generator of documents) for a rebuild: every searchable page with pk > `after`,
    batch by batch, in pk order."""

    def generate():
        for ids in searchable_ids(batch_size, after):
            if ids:
                yield from load_documents(ids)

    return count_searchable(after), generate()
