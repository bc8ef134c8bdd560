"""The Elasticsearch backend: the same documents and queries as the database backend, on a cluster.

Design:

- No server plugin (no IK, no smartcn). Chinese is segmented in Python (`search.analysis`, jieba
  with the field's dictionary) before it reaches Elasticsearch: every text field holds words
  already joined by spaces, so the index needs only a whitespace tokenizer and a lowercase filter.
  Queries are cut the same way, so both sides always agree on what a word is, and a stock
  cluster (any host, any cloud offering) works.
- Word fields (title, keywords, summary, body) match a term as a whole word; the `bigrams` field
  (with positions) lets an unknown word match as a phrase of character bigrams, i.e. as an exact
  substring. A known word never goes through bigrams: 心理 must not find 用心理解学生.
- Facets are keyword fields. Filters go in `post_filter` and every facet is counted by an
  aggregation filtered by all the *other* facets' selections (disjunctive faceting), so an option
  shows what choosing it would give, as in the database backend.
- Searches go to an alias (`SEARCH["ELASTICSEARCH_INDEX"]`). A rebuild loads a new index
  `<alias>-<timestamp>` beside the live one and switches the alias in one atomic `_aliases`
  call, then drops the old index: searches keep answering from the old index meanwhile.
- One code base for two generations of the client: elasticsearch-dsl 8.x with elasticsearch 8.x
  (against Elasticsearch 8) and elasticsearch-dsl 7.4 with elasticsearch 7.17 (against
  Elasticsearch 7.10+). Only `elasticsearch_dsl` is imported (8.x ships it as a shim over
  `elasticsearch.dsl`), only DSL features both have are used, and the few low-level calls whose
  signature changed (timeouts, `update_aliases`) go through the small helpers below.
- Writes (`index`, `delete`) do not wait for a refresh: a change is searchable after the index's
  refresh interval (1 s by default). A rebuild refreshes the new index before switching to it.
- Every failure to reach or use the cluster becomes `BackendUnavailable`, so the service can
  fall back to the database backend; `health()` reports instead of raising.
"""

import itertools
import logging
import re
import threading
from datetime import UTC, date, datetime
from functools import wraps

import elasticsearch
import elasticsearch_dsl
from elasticsearch import exceptions as es_exc
from elasticsearch import helpers
from elasticsearch_dsl import (
    A,
    Date,
    Float,
    Index,
    Integer,
    Keyword,
    Mapping,
    Object,
    Q,
    Search,
    Text,
    analyzer,
    connections,
    normalizer,
)

from django.conf import settings

from .. import analysis
from .base import (
    BIGRAM_WEIGHT,
    FACET_NAMES,
    FIELD_WEIGHTS,
    TOP_TAGS,
    BackendResult,
    BackendUnavailable,
    Hit,
    SearchBackend,
    SearchQuery,
)

logger = logging.getLogger(__name__)

USING = "fudaoyuan"  # the elasticsearch_dsl connection alias used everywhere in this module
CLIENT_MAJOR = elasticsearch.VERSION[0]  # 7 or 8; elasticsearch_dsl.VERSION is the client's own in 8.x
CHUNK_SIZE = 500  # documents per bulk request
FACET_SIZE = 1000  # more than any facet's number of codes, so every code is counted
MIN_WRITE_TIMEOUT = 30.0  # index creation, bulk loads and alias switches may take longer than a search

# -- compatibility helpers (7.x and 8.x clients) -----------------------------------------------


def _error_classes():
    """What a failure to reach or use the cluster raises, in whichever client is installed.
    8.x: elastic_transport's TransportError (ConnectionError, ConnectionTimeout, ...) and
    ApiError (every HTTP error status); 7.x: ElasticsearchException (TransportError, ...,
    and UnsupportedProductError, which is not a TransportError there)."""
    names = [
        "TransportError",
        "ApiError",
        "ElasticsearchException",
        "ConnectionError",
        "ConnectionTimeout",
        "SerializationError",
        "UnsupportedProductError",
        "ImproperlyConfigured",
    ]
    classes = [getattr(es_exc, name, None) for name in names]
    classes.append(helpers.BulkIndexError)
    classes.append(getattr(elasticsearch_dsl, "ElasticsearchDslException", None))
    try:  # the 8.x transport layer; absent (or unused) with the 7.x client
        import elastic_transport

        classes += [elastic_transport.TransportError, elastic_transport.ApiError]
    except ImportError:
        pass
    return tuple({cls for cls in classes if isinstance(cls, type) and issubclass(cls, Exception)})


ES_ERRORS = _error_classes()


def _timeout_kwargs(timeout):
    """Client constructor keyword for the default request timeout: 8.x calls it
    `request_timeout` (`timeout` is deprecated there), 7.x passes `timeout` to its connections."""
    return {"request_timeout": timeout} if CLIENT_MAJOR >= 8 else {"timeout": timeout}


def _slow(client, timeout):
    """(client, per-call kwargs) for a slow request. 8.x sets per-request transport options with
    `client.options(...)` and rejects them as call arguments; 7.x takes `request_timeout=` per call."""
    if CLIENT_MAJOR >= 8:
        return client.options(request_timeout=timeout), {}
    return client, {"request_timeout": timeout}


def _body(response):
    """A response's JSON body as a plain dict (8.x wraps it in an ObjectApiResponse)."""
    return getattr(response, "body", response)


def _update_aliases(client, actions, **kwargs):
    """`POST /_aliases` with `actions`: a keyword argument in 8.x, inside `body` in 7.x."""
    if CLIENT_MAJOR >= 8:
        return client.indices.update_aliases(actions=actions, **kwargs)
    return client.indices.update_aliases(body={"actions": actions}, **kwargs)


def _redact(message):
    """The message without the password of any URL in it (scheme://user:password@host)."""
    return re.sub(r"(://[^/:@\s]*:)[^@\s]*@", r"\1***@", message)


# -- connection ------------------------------------------------------------------------------

_lock = threading.Lock()
_configured = None  # (url, timeout) the USING connection was created with


def _config():
    conf = getattr(settings, "SEARCH", {})
    return (
        conf.get("ELASTICSEARCH_URL") or "",
        conf.get("ELASTICSEARCH_INDEX") or "fudaoyuan-resources",
        float(conf.get("ELASTICSEARCH_TIMEOUT") or 3.0),
    )


def get_client():
    """The client, created on first use and once per process (again only if the settings change,
    as tests do). Creating it does not touch the network."""
    global _configured
    url, _, timeout = _config()
    with _lock:
        if _configured != (url, timeout):
            if not url:
                raise BackendUnavailable("SEARCH['ELASTICSEARCH_URL'] is not set")
            try:
                # One retry: a search that cannot be answered quickly is better served by the
                # database fallback than by waiting for several attempts.
                connections.create_connection(
                    alias=USING, hosts=[url], max_retries=1, retry_on_timeout=False, **_timeout_kwargs(timeout)
                )
            except Exception as exc:  # a malformed URL: ValueError (8.x), ImproperlyConfigured (7.x)
                raise BackendUnavailable(_redact(f"cannot use ELASTICSEARCH_URL {url}: {exc}")) from exc
            _configured = (url, timeout)
        return connections.get_connection(USING)


def _unavailable(method):
    """Turn every client error into BackendUnavailable, so callers need to know only that one."""

    @wraps(method)
    def wrapper(*args, **kwargs):
        try:
            return method(*args, **kwargs)
        except BackendUnavailable:
            raise
        except ES_ERRORS as exc:
            raise BackendUnavailable(_redact(f"Elasticsearch: {type(exc).__name__}: {exc}")) from exc

    return wrapper


# -- index definition ------------------------------------------------------------------------

# Text arrives segmented (words joined by spaces): split on spaces, lower-case Latin letters.
WORDS_ANALYZER = analyzer("fudaoyuan_words", tokenizer="whitespace", filter=["lowercase"])
LOWERCASE = normalizer("fudaoyuan_lowercase", filter=["lowercase"])
WORD_FIELDS = list(FIELD_WEIGHTS)  # title_words, keywords, summary_words, body_words
STATS_INTEGERS = ["viewers", "completions", "rating_count"]
STATS_FLOATS = ["completion_rate", "completion_key", "rating_average", "rating_score"]


def mapping():
    m = Mapping()
    # Documents are built by `_source` below; an unknown field is a bug, not something to guess.
    m.meta("dynamic", "strict")
    m.field("id", Integer())
    m.field("slug", Keyword())
    m.field("kind", Keyword())
    # Displayed as is; the lower-cased keyword serves the autocomplete (prefix/contains).
    m.field("title", Keyword(fields={"lower": Keyword(normalizer=LOWERCASE)}))
    m.field("url", Keyword(index=False))
    # Kept for display and debugging only: snippets are rendered from the database.
    m.field("summary", Text(index=False))
    m.field("text", Text(index=False))
    m.field("date", Date())
    m.field("popularity", Integer())
    # The course's numbers and the sort keys of 完成率最高 and 评分最高 (popularity.scores). An index made
    # before they existed refuses documents with them (dynamic: strict): run rebuild_search_index.
    for name in STATS_INTEGERS:
        m.field(name, Integer())
    for name in STATS_FLOATS:
        m.field(name, Float())
    m.field("facets", Object(properties={name: Keyword() for name in FACET_NAMES}))
    for name in WORD_FIELDS:
        m.field(name, Text(analyzer=WORDS_ANALYZER))
    # Phrase queries over bigrams need positions (the default for text, stated for clarity).
    m.field("bigrams", Text(analyzer=WORDS_ANALYZER, index_options="positions"))
    return m


def index_definition(name, alias=None):
    index = Index(name, using=USING)
    # One shard: the corpus is small (thousands of documents) and one shard keeps BM25 statistics,
    # hence scores and the order of equal results, the same on every request.
    # auto_expand_replicas: no replica on a one-node cluster (status green), one when there are more.
    index.settings(number_of_shards=1, auto_expand_replicas="0-1")
    index.mapping(mapping())
    if alias:
        index.aliases(**{alias: {}})
    return index


def new_index_name(alias):
    return f"{alias}-{datetime.now(UTC):%Y%m%d%H%M%S-%f}"


def _isoformat(value):
    if isinstance(value, datetime | date):
        return value.isoformat()
    return value or None


def _source(doc):
    """The stored document: `search.documents.build`'s dict, with JSON-ready values and every
    facet present (an empty list is simply no value)."""
    facets = doc.get("facets") or {}
    source = {
        "id": int(doc["id"]),
        "slug": doc.get("slug") or "",
        "kind": doc.get("kind") or "",
        "title": doc.get("title") or "",
        "url": doc.get("url") or "",
        "summary": doc.get("summary") or "",
        "text": doc.get("text") or "",
        "date": _isoformat(doc.get("date")),
        "popularity": int(doc.get("popularity") or 0),
        **{name: int(doc.get(name) or 0) for name in STATS_INTEGERS},
        **{name: float(doc.get(name) or 0) for name in STATS_FLOATS},
        "facets": {name: [str(code) for code in facets.get(name) or []] for name in FACET_NAMES},
        "bigrams": doc.get("bigrams") or "",
    }
    for name in WORD_FIELDS:
        source[name] = doc.get(name) or ""
    return source


def _index_action(index, doc):
    return {"_op_type": "index", "_index": index, "_id": str(doc["id"]), "_source": _source(doc)}


# -- queries ---------------------------------------------------------------------------------

WEIGHTED_FIELDS = [f"{name}^{weight:g}" for name, weight in FIELD_WEIGHTS.items()]
DATE_DESC = {"date": {"order": "desc", "missing": "_last"}}
ID_DESC = {"id": {"order": "desc"}}  # last tie-breaker, as in the database backend


def _desc(field, missing="_last"):
    return {field: {"order": "desc", "missing": missing}}


# The popularity sorts mean what the database backend's do (popularity.scores): their keys, then newest.
SORT_ORDERS = {
    "relevance": ["_score", DATE_DESC, ID_DESC],
    "newest": [DATE_DESC, "_score", ID_DESC],
    "popular": [_desc("viewers"), _desc("popularity"), DATE_DESC, ID_DESC],
    "completion": [_desc("completion_key"), _desc("viewers"), DATE_DESC, ID_DESC],
    "rating": [_desc("rating_score"), _desc("rating_count"), DATE_DESC, ID_DESC],
}


def term_query(term):
    """One term: any of its alternatives as words (all words of a multi-word alternative), or,
    for a word jieba does not know, its bigram phrases."""
    options = [
        Q("multi_match", query=alternative, fields=WEIGHTED_FIELDS, operator="and") for alternative in term.alternatives
    ]
    options += [Q("match_phrase", bigrams={"query": phrase, "boost": BIGRAM_WEIGHT}) for phrase in term.phrases]
    return Q("bool", should=options, minimum_should_match=1)


def text_query(terms, required=None):
    """Every term (`required` None or all of them), or at least `required` of them: Elasticsearch's
    own minimum_should_match, the database backend's bitmap count (the same sets of results)."""
    if not terms:
        return Q("match_all")
    clauses = [term_query(term) for term in terms]
    required = len(terms) if required is None else required
    if required >= len(terms):
        return Q("bool", must=clauses)
    return Q("bool", should=clauses, minimum_should_match=max(1, required))


def facet_filter(name, codes):
    return Q("terms", **{f"facets.{name}": list(codes)})


def _all_of(clauses):
    return Q("bool", filter=clauses) if clauses else Q("match_all")


def build_search(query: SearchQuery, index, using=USING):
    """The request for one search, as an elasticsearch_dsl Search (see `.to_dict()`)."""
    selected = {name: list(dict.fromkeys(codes)) for name, codes in query.filters.items() if codes}
    s = Search(using=using, index=index).query(text_query(query.terms, query.required))
    filters = [facet_filter(name, codes) for name, codes in selected.items()]
    if selected:
        # A post_filter narrows the hits but not the aggregations, which apply their own filters.
        s = s.post_filter(_all_of(filters))
    if query.terms and not query.match_all:
        # How many of the (filtered) hits hold every term: none means the results are relaxed.
        s.aggs.bucket("complete", A("filter", filter=Q("bool", filter=[text_query(query.terms), *filters])))
    for name in FACET_NAMES:
        others = _all_of([facet_filter(other, codes) for other, codes in selected.items() if other != name])
        agg = s.aggs.bucket(name, A("filter", filter=others))
        size = TOP_TAGS if name == "tag" else FACET_SIZE
        agg.bucket("codes", A("terms", field=f"facets.{name}", size=size))
        if name == "tag" and selected.get("tag"):
            # A selected tag outside the top ones is still counted, as in the database backend.
            chosen = selected["tag"]
            agg.bucket("selected", A("terms", field="facets.tag", size=len(chosen), include=chosen))
    s = s.sort(*SORT_ORDERS.get(query.sort, SORT_ORDERS["relevance"]))
    # from/size through extra(): slicing writes "from": 0 in 7.x but omits it in 8.x.
    s = s.extra(track_total_hits=True, from_=max(query.offset, 0), size=max(query.limit, 0))
    return s.source(False)


def _escape_wildcard(text):
    return re.sub(r"([\\*?])", r"\\\1", text)


def build_suggest(prefix, limit, index, using=USING):
    """Titles that start with the prefix first, then titles containing it (as text, or as words:
    the last word may be unfinished); within each, the most viewed first. None if nothing to ask."""
    prefix = analysis.normalize(prefix).strip()
    if not prefix or limit <= 0:
        return None
    options = [
        Q("constant_score", filter=Q("prefix", **{"title.lower": prefix}), boost=2.0),
        Q("constant_score", filter=Q("wildcard", **{"title.lower": f"*{_escape_wildcard(prefix)}*"}), boost=1.0),
    ]
    words = analysis.index_words(prefix)
    if words:
        phrase = Q("match_phrase_prefix", title_words=" ".join(words))
        options.append(Q("constant_score", filter=phrase, boost=1.0))
    s = Search(using=using, index=index).query(Q("bool", should=options, minimum_should_match=1))
    s = s.sort("_score", {"popularity": {"order": "desc"}}, {"title.lower": {"order": "asc"}})
    return s.source(["title"]).extra(size=limit * 3)  # room for duplicate titles


def _total(hits):
    total = hits.get("total") or 0
    if isinstance(total, dict):  # {"value": n, "relation": "eq"} since Elasticsearch 7
        return int(total.get("value") or 0)
    return int(total)


def parse_result(raw):
    hits = raw.get("hits") or {}
    facets = {}
    aggregations = raw.get("aggregations") or {}
    for name in FACET_NAMES:
        agg = aggregations.get(name) or {}
        counts = {}
        for sub in ("codes", "selected"):
            for bucket in (agg.get(sub) or {}).get("buckets") or []:
                counts[str(bucket["key"])] = int(bucket["doc_count"])
        facets[name] = counts
    complete = aggregations.get("complete")
    return BackendResult(
        total=_total(hits),
        hits=[Hit(id=int(hit["_id"]), score=float(hit.get("_score") or 0.0)) for hit in hits.get("hits") or []],
        facets=facets,
        complete=int(complete["doc_count"]) if complete else None,
    )


# -- the backend -----------------------------------------------------------------------------


class ElasticsearchBackend(SearchBackend):
    name = "elasticsearch"

    @property
    def alias(self):
        return _config()[1]

    def _write_timeout(self):
        return max(_config()[2], MIN_WRITE_TIMEOUT)

    # -- reading --------------------------------------------------------------------------

    @_unavailable
    def search(self, query: SearchQuery) -> BackendResult:
        get_client()
        response = build_search(query, self.alias).execute()
        return parse_result(response.to_dict())

    @_unavailable
    def suggest(self, prefix: str, limit: int = 8) -> list[str]:
        get_client()
        s = build_suggest(prefix, limit, self.alias)
        if s is None:
            return []
        titles = [hit["_source"]["title"] for hit in s.execute().to_dict()["hits"]["hits"] if hit.get("_source")]
        return list(dict.fromkeys(titles))[:limit]

    # -- writing --------------------------------------------------------------------------

    def _indices_behind(self, client, alias):
        """Concrete indices the alias points to ([] if there is no such alias)."""
        if not client.indices.exists_alias(name=alias):
            return []
        return sorted(_body(client.indices.get_alias(name=alias)))

    def _bulk(self, client, actions):
        """Send actions in chunks; a delete of a document that is not there is not an error."""
        client, kwargs = _slow(client, self._write_timeout())
        _, errors = helpers.bulk(
            client,
            actions,
            chunk_size=CHUNK_SIZE,
            max_retries=3,  # only for 429 (queue full): the helper backs off and resends
            initial_backoff=1,
            raise_on_error=False,
            raise_on_exception=True,
            **kwargs,
        )
        errors = [e for e in errors if (e.get("delete") or {}).get("status") != 404]
        if errors:
            # An error item also carries the document (its "data"): report only what went wrong.
            (op, info), *_ = errors[0].items()
            first = {key: info.get(key) for key in ("_id", "status", "error")}
            raise BackendUnavailable(f"Elasticsearch refused {len(errors)} bulk action(s), e.g. {op} {first}")

    def _ensure_index(self, client):
        """Writes go through the alias; before the first rebuild there is none, and a write to it
        would make Elasticsearch create a concrete index with a guessed mapping. Create the first
        real index with the alias instead (one request)."""
        alias = self.alias
        if client.indices.exists_alias(name=alias) or client.indices.exists(index=alias):
            return
        slow, kwargs = _slow(client, self._write_timeout())
        index_definition(new_index_name(alias), alias=alias).create(using=slow, **kwargs)

    @_unavailable
    def index(self, documents: list[dict]) -> None:
        documents = list(documents)
        if not documents:
            return
        client = get_client()
        self._ensure_index(client)
        alias = self.alias
        self._bulk(client, [_index_action(alias, doc) for doc in documents])

    @_unavailable
    def delete(self, ids: list[int]) -> None:
        ids = list(ids)
        if not ids:
            return
        client = get_client()
        alias = self.alias
        # Nothing indexed yet: nothing to delete (and a bulk request would create the index).
        if not (client.indices.exists_alias(name=alias) or client.indices.exists(index=alias)):
            return
        self._bulk(client, [{"_op_type": "delete", "_index": alias, "_id": str(pk)} for pk in ids])

    @_unavailable
    def rebuild(self, documents, total: int, progress=None) -> int:
        client = get_client()
        alias = self.alias
        slow, kwargs = _slow(client, self._write_timeout())
        name = new_index_name(alias)
        index_definition(name).create(using=slow, **kwargs)
        count, old = 0, []
        try:
            documents = iter(documents)
            while chunk := list(itertools.islice(documents, CHUNK_SIZE)):
                self._bulk(client, [_index_action(name, doc) for doc in chunk])
                count += len(chunk)
                if progress:
                    progress(count)
            if progress and not count:
                progress(0)
            slow.indices.refresh(index=name, **kwargs)

            old = self._indices_behind(client, alias)
            switch = [{"remove": {"index": old_name, "alias": alias}} for old_name in old]
            if not old and client.indices.exists(index=alias):
                # A concrete index holds the alias's name (auto-created by a write before any
                # alias existed, or left by an older deployment). An alias cannot share a name
                # with an index, so drop that index in the same atomic call: searches never see
                # the name missing.
                switch.append({"remove_index": {"index": alias}})
            switch.append({"add": {"index": name, "alias": alias}})
            _update_aliases(slow, switch, **kwargs)
        except BaseException:
            self._discard(client, alias, name)
            raise

        if old:
            try:
                slow.indices.delete(index=",".join(old), ignore_unavailable=True, **kwargs)
            except ES_ERRORS:
                # The new index is live; an old one left behind only takes space.
                logger.warning("could not delete the old indices %s", old, exc_info=True)
        return count

    def _discard(self, client, alias, name):
        """Delete the index of a failed rebuild, unless the alias points to it after all (an
        alias switch that timed out on our side may still have happened on the cluster)."""
        try:
            if name not in self._indices_behind(client, alias):
                slow, kwargs = _slow(client, self._write_timeout())
                slow.indices.delete(index=name, ignore_unavailable=True, **kwargs)
        except ES_ERRORS:
            logger.warning("could not delete the unfinished index %s", name, exc_info=True)

    # -- monitoring -----------------------------------------------------------------------

    def health(self) -> dict:
        result = {
            "ok": False,
            "backend": self.name,
            "documents": None,
            "index": None,
            "cluster": None,
            "error": None,
        }
        try:
            client = get_client()
            alias = self.alias
            try:
                result["cluster"] = _body(client.cluster.health())["status"]
            except ES_ERRORS as exc:
                # An HTTP error (a user without the cluster privilege may still search): note it
                # and go on. Anything else (unreachable, timeout) ends the check.
                if not isinstance(getattr(exc, "status_code", None), int):
                    raise
                result["error"] = f"cluster health: {exc}"
            indices = self._indices_behind(client, alias)
            if not indices and client.indices.exists(index=alias):
                indices = [alias]  # a concrete index under the alias's name (see rebuild)
            if not indices:
                result["error"] = f"no index behind the alias {alias!r}: run a rebuild"
                return result
            result["index"] = ",".join(indices)
            result["documents"] = int(_body(client.count(index=alias))["count"])
            result["ok"] = result["cluster"] != "red"
        except Exception as exc:  # noqa: BLE001 - a health check reports, it does not raise
            result["ok"] = False
            result["error"] = _redact(f"{type(exc).__name__}: {exc}")
        return result
