"""The one search interface the site, the API and the benchmarks use.

`search(SearchRequest(...))` parses the query (search.analysis), asks the configured backend
for the results holding enough of its words (all of one or two, three quarters of more: see
analysis.minimum_should_match), falls back to the database when Elasticsearch fails, retries
two words with either one when nothing has both, puts editors' promoted pages first, and returns
results with highlighted snippets. A query whose words are found nowhere (火星殖民计划) finds
nothing: a relaxed result always shares a real word with the query, never a lone character.
Display data always comes from the database index, which is written in the same transaction
as every publish or unpublish: a hit Elasticsearch still holds for a page that is no longer
public is dropped here, never shown.
"""

import logging
import re
from dataclasses import dataclass, field

from django.utils.html import escape
from django.utils.safestring import mark_safe

from popularity.scores import Numbers

from . import analysis, indexing
from .backends.base import FACET_NAMES, SORTS, BackendUnavailable, SearchQuery
from .models import IndexEntry

logger = logging.getLogger(__name__)

MAX_QUERY_LENGTH = 100
MAX_PAGE_SIZE = 50
SNIPPET_LENGTH = 120

FALLBACK_NOTICE = "全文检索服务暂时不可用，当前结果由数据库检索提供，排序可能略有不同。"
RELAXED_NOTICE = "没有同时包含全部关键词的资源，以下结果包含其中部分关键词。"


def default_sort(q):
    """Best match first for a query; newest first when browsing without one."""
    return "relevance" if q else "newest"


@dataclass
class SearchRequest:
    q: str = ""
    filters: dict[str, list[str]] = field(default_factory=dict)
    sort: str = "relevance"
    page: int = 1
    page_size: int = 10

    @classmethod
    def from_querydict(cls, params, default_page_size=10):
        """From request.GET; anything malformed falls back to a sensible default."""

        def positive(name, default, most=None):
            try:
                value = int(params.get(name, default))
            except (TypeError, ValueError):
                return default
            value = max(1, value)
            return min(value, most) if most else value

        filters = {}
        for name in FACET_NAMES:
            codes = [c.strip() for c in params.getlist(name) if c.strip()]
            if codes:
                filters[name] = list(dict.fromkeys(codes))[:20]
        sort = params.get("sort") or default_sort(params.get("q", "").strip())
        return cls(
            q=params.get("q", "").strip()[:MAX_QUERY_LENGTH],
            filters=filters,
            sort=sort if sort in SORTS else "relevance",
            page=positive("page", 1, 10_000),
            page_size=positive("page_size", default_page_size, MAX_PAGE_SIZE),
        )


@dataclass
class Result:
    id: int
    slug: str
    kind: str
    title: str
    url: str
    summary: str
    highlight: str  # HTML: escaped text with <mark> around the matched words
    score: float
    title_highlight: str = ""
    date: object = None
    promoted: bool = False
    # Views, viewers, completions, rating: the index's copies (no query per result).
    stats: Numbers = field(default_factory=Numbers)

    def as_json(self):
        return {
            "slug": self.slug,
            "kind": self.kind,
            "title": self.title,
            "url": self.url,
            "summary": self.summary,
            "highlight": self.highlight,
            "score": round(self.score, 4),
            "promoted": self.promoted,
            "popularity": self.stats.as_json(),
        }


@dataclass
class SearchResponse:
    request: SearchRequest
    total: int
    backend: str
    results: list[Result]
    facets: dict[str, dict[str, int]]
    terms: list = field(default_factory=list)
    fallback: bool = False  # Elasticsearch failed and the database answered
    relaxed: bool = False  # no result had every term: these have some
    notices: list[str] = field(default_factory=list)

    @property
    def num_pages(self):
        return max(1, -(-self.total // self.request.page_size))

    def as_json(self):
        return {
            "query": self.request.q,
            "total": self.total,
            "backend": self.backend,
            "fallback": self.fallback,
            "relaxed": self.relaxed,
            "notices": self.notices,
            "page": self.request.page,
            "page_size": self.request.page_size,
            "num_pages": self.num_pages,
            "sort": self.request.sort,
            "results": [r.as_json() for r in self.results],
            "facets": self.facets,
        }


def search(request: SearchRequest, backend=None) -> SearchResponse:
    terms = analysis.parse_query(request.q) if request.q else []
    searched = analysis.searched_terms(terms)
    needed = analysis.minimum_should_match(len(searched))
    query = SearchQuery(
        terms=searched,
        filters=request.filters,
        sort=request.sort if searched or request.sort != "relevance" else "newest",
        offset=(request.page - 1) * request.page_size,
        limit=request.page_size,
        min_match=needed if needed < len(searched) else 0,
    )
    engine = indexing.get_backend(backend)
    notices = []
    fallback = False
    try:
        result = engine.search(query)
    except BackendUnavailable as exc:
        if engine.name == "database":
            raise
        logger.warning("Search falls back to the database: %s", exc)
        engine, fallback = indexing.database_backend(), True
        notices.append(FALLBACK_NOTICE)
        result = engine.search(query)

    if result.total == 0 and len(searched) == 2:
        # Two words that no resource holds together: either one (each is a real word, never a
        # lone character or a question word).
        query.min_match = 1
        result = engine.search(query)
    # Relaxed: results, none of which holds every word (then the notice says so).
    relaxed = bool(result.total) and result.complete == 0
    if relaxed:
        notices.append(RELAXED_NOTICE)

    promoted = promoted_ids(request) if request.page == 1 else []
    ids = promoted + [h.id for h in result.hits if h.id not in promoted]
    scores = {h.id: h.score for h in result.hits}
    rows = IndexEntry.objects.in_bulk(ids)
    words = analysis.highlight_words(searched)
    results = []
    for pk in ids:
        entry = rows.get(pk)
        if entry is None:  # no longer public: the database index is the authority
            continue
        results.append(
            Result(
                id=pk,
                slug=entry.slug,
                kind=entry.kind,
                title=entry.title,
                url=entry.url,
                summary=entry.summary,
                highlight=snippet(entry.summary, entry.text, words),
                title_highlight=mark(entry.title, words),
                score=scores.get(pk, 0.0),
                date=entry.date,
                promoted=pk in promoted,
                stats=Numbers.of(entry),
            )
        )
    # Promoted pages are shown on top of page 1 in addition to the matches; the total counts matches.
    return SearchResponse(
        request=request,
        total=result.total,
        backend=engine.name,
        results=results,
        facets=result.facets,
        terms=terms,
        fallback=fallback,
        relaxed=relaxed,
        notices=notices,
    )


def promoted_ids(request):
    """Pages editors promoted for this query (Wagtail's search promotions), in their order,
    if they are searchable and pass the chosen filters."""
    if not request.q:
        return []
    from wagtail.contrib.search_promotions.models import SearchPromotion
    from wagtail.search.utils import normalise_query_string

    page_ids = list(
        SearchPromotion.objects.filter(
            query__query_string=normalise_query_string(request.q), page__isnull=False
        ).values_list("page_id", flat=True)
    )
    if not page_ids:
        return []
    facets = dict(IndexEntry.objects.filter(page_id__in=page_ids).values_list("page_id", "facets"))
    return [
        pk
        for pk in page_ids
        if pk in facets and all(set(codes) & set(facets[pk].get(name, ())) for name, codes in request.filters.items())
    ]


def suggest(prefix, limit=8, backend=None):
    """Titles completing what is being typed; the database answers if Elasticsearch cannot."""
    prefix = prefix.strip()[:MAX_QUERY_LENGTH]
    if not prefix:
        return []
    engine = indexing.get_backend(backend)
    try:
        return engine.suggest(prefix, limit)
    except BackendUnavailable:
        return indexing.database_backend().suggest(prefix, limit)


def matching_ids(q):
    """Ids of every searchable page matching `q` (the library's own keyword box, which counts
    and sorts by itself)."""
    terms = analysis.searched_terms(analysis.parse_query(q))
    if not terms:
        return None
    return indexing.database_backend().match_ids(terms)


# -- snippets ------------------------------------------------------------------


def _pattern(words):
    return re.compile("|".join(re.escape(w) for w in words), re.IGNORECASE) if words else None


def mark(text, words):
    """`text` escaped, with <mark> around every occurrence of the words."""
    pattern = _pattern(words)
    if not pattern:
        return escape(text)
    out, last = [], 0
    for m in pattern.finditer(text):
        out.append(escape(text[last : m.start()]))
        out.append(f"<mark>{escape(m.group())}</mark>")
        last = m.end()
    out.append(escape(text[last:]))
    return mark_safe("".join(out))  # noqa: S308 - every piece above is escaped


def snippet(summary, text, words, length=SNIPPET_LENGTH):
    """A passage around the first match (in the summary if it has one), with the words marked."""
    pattern = _pattern(words)
    candidates = [" ".join((summary or "").split()), " ".join((text or "").split())]
    source, start = candidates[0] or candidates[1], 0
    for candidate in candidates if pattern else []:
        found = candidate and pattern.search(candidate)
        if found:
            source, start = candidate, max(0, found.start() - length // 3)
            break
    piece = source[start : start + length]
    prefix = "…" if start > 0 else ""
    suffix = "…" if start + length < len(source) else ""
    return mark_safe(prefix + mark(piece, words) + suffix)  # noqa: S308 - mark() escapes
