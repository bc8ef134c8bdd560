"""Which pages the search holds, and the document each one becomes (the same for both backends).

Only live, public resources are searchable: a page that is a draft, expired, view-restricted
(itself or through an ancestor), or under an unpublished section is not in the index at all,
so no query, facet count or suggestion can reveal it.
"""

from django.db.models import Q

from wagtail.models import Page, PageViewRestriction

from resources.models import ResourcePage, ResourceStats, resource_models

from . import analysis


def _hidden_ancestor_paths():
    """Paths of pages that hide their whole subtree from the public: view restrictions and
    unpublished pages (a live page under an unpublished section cannot be reached)."""
    unpublished = Page.objects.filter(live=False, depth__gt=1).values_list("path", flat=True)
    restricted = PageViewRestriction.objects.values_list("page__path", flat=True)
    return set(restricted) | set(unpublished)


def _is_hidden(path, hidden):
    return any(path.startswith(p) for p in hidden)


def is_searchable(page, hidden=None):
    if not isinstance(page, ResourcePage) or not page.live or page.expired:
        return False
    hidden = _hidden_ancestor_paths() if hidden is None else hidden
    return not _is_hidden(page.path, hidden)


def _join(parts):
    return "\n".join(p.strip() for p in parts if p and p.strip())


def build(page, popularity=0):
    """The index document of one page (its concrete class)."""
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
        "facets": facets,
        "text": body,
        "title_words": " ".join(analysis.index_words(title)),
        "keywords": " ".join(analysis.index_words(keywords)),
        "summary_words": " ".join(analysis.index_words(page.summary)),
        "body_words": " ".join(analysis.index_words(body)),
        "bigrams": " ".join(analysis.bigrams(_join([title, keywords, body]))),
    }


def popularity_of(ids):
    return dict(ResourceStats.objects.filter(page_id__in=ids).values_list("page_id", "views"))


def documents_for(pages, hidden=None):
    """Documents of the searchable pages among `pages` (concrete instances). `hidden`: the
    paths of `_hidden_ancestor_paths`, when the caller has them already."""
    hidden = _hidden_ancestor_paths() if hidden is None else hidden
    pages = [p for p in pages if is_searchable(p, hidden)]
    views = popularity_of([p.pk for p in pages])
    return [build(p, views.get(p.pk, 0)) for p in pages]


def all_searchable(batch_size=200):
    """(count, generator of documents) for a rebuild: every searchable page, batch by batch."""
    hidden = _hidden_ancestor_paths()
    excluded = Q()
    for path in hidden:
        excluded |= Q(path__startswith=path)
    ids = list(ResourcePage.objects.live().exclude(excluded).order_by("pk").values_list("pk", flat=True))

    def generate():
        for start in range(0, len(ids), batch_size):
            chunk = ids[start : start + batch_size]
            pages = []
            for model in resource_models():
                pages.extend(
                    model.objects.filter(pk__in=chunk)
                    .select_related(*model.search_select_related)
                    .prefetch_related(*model.search_prefetch_related)
                )
            pages.sort(key=lambda p: p.pk)
            yield from documents_for(pages, hidden)

    return len(ids), generate()
