"""What every search backend implements. The service (`search.service`) parses the query,
picks the backend and turns hits into results; a backend only matches, filters, counts and
sorts. Views and the API never see which backend ran."""

from dataclasses import dataclass, field

# Facet names, in the order pages and the API show them (the library's menu order).
FACET_NAMES = ["kind", "capability", "stage", "course_type", "requirement", "tier", "center", "tag"]
# popular 最多观看, completion 完成率最高, rating 评分最高: the meaning of each is in popularity.scores.
SORTS = ["relevance", "newest", "popular", "completion", "rating"]
TOP_TAGS = 20  # the tag facet returns its most frequent values (and any selected ones)

# Relative weight of each text field; both backends use the same numbers.
FIELD_WEIGHTS = {"title_words": 10.0, "keywords": 4.0, "summary_words": 3.0, "body_words": 1.0}
BIGRAM_WEIGHT = 0.5


class BackendUnavailable(Exception):
    """The engine could not be reached or answered with an error: the caller falls back."""


@dataclass
class SearchQuery:
    terms: list  # analysis.Term; empty = browse everything
    filters: dict[str, list[str]] = field(default_factory=dict)  # facet name -> codes (OR within, AND across)
    sort: str = "relevance"
    offset: int = 0
    limit: int = 10
    # How many of the terms a result must match: 0 = every one. Fewer is "minimum should match":
    # analysis.minimum_should_match for long queries, 1 for the relaxed retry of two words.
    min_match: int = 0

    @property
    def required(self):
        """The number of terms each result matches at least."""
        return min(self.min_match, len(self.terms)) if self.min_match else len(self.terms)

    @property
    def match_all(self):
        return self.required >= len(self.terms)


@dataclass
class Hit:
    id: int  # the page's primary key
    score: float


@dataclass
class BackendResult:
    total: int
    hits: list[Hit]
    # name -> {code: count}; the counts of one facet ignore that facet's own filter
    # (disjunctive faceting), so every option shows what choosing it would give.
    facets: dict[str, dict[str, int]]
    # Of `total`, how many match every term (None: all of them, the query needed every term).
    complete: int | None = None


class SearchBackend:
    name = ""

    def search(self, query: SearchQuery) -> BackendResult:
        raise NotImplementedError

    def suggest(self, prefix: str, limit: int) -> list[str]:
        """Titles for the autocomplete, best first."""
        raise NotImplementedError

    def index(self, documents: list[dict]) -> None:
        """Add or replace documents (see `search.documents.build` for their shape)."""
        raise NotImplementedError

    def delete(self, ids: list[int]) -> None:
        raise NotImplementedError

    def rebuild(self, documents, total: int, progress=None) -> int:
        """Replace the whole index with `documents` (an iterable of `total` dicts), calling
        `progress(n)` as batches go in; searches keep working meanwhile. Returns the count."""
        raise NotImplementedError

    def health(self) -> dict:
        """{"ok": bool, "documents": int, ...}; never raises."""
        raise NotImplementedError
