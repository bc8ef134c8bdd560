"""The Elasticsearch backend.

The cluster tests run only when ELASTICSEARCH_URL is set, e.g.
`ELASTICSEARCH_URL=http://localhost:9200 pytest tests/test_search_elasticsearch.py`, against an
Elasticsearch 8 cluster with the pinned clients or an Elasticsearch 7 cluster with the 7.x pair.
Each test uses its own alias and deletes every index it made. The tests of the request bodies and
of an unreachable cluster need no server and always run.
"""

import os
import uuid
from datetime import UTC, datetime

import pytest

from search import analysis, documents
from search.backends import elastic
from search.backends.base import TOP_TAGS, BackendUnavailable, SearchQuery

from . import factories

ES_URL = os.environ.get("ELASTICSEARCH_URL", "")
needs_cluster = pytest.mark.skipif(
    not ES_URL,
    reason="needs a running Elasticsearch: set ELASTICSEARCH_URL (e.g. http://localhost:9200)",
)
UNREACHABLE = "http://127.0.0.1:9"  # the discard port: nothing listens there


def query(text="", **kwargs):
    return SearchQuery(terms=analysis.parse_query(text), **kwargs)


# -- without a server ---------------------------------------------------------------------------


@pytest.fixture
def unreachable(settings):
    settings.SEARCH = {**settings.SEARCH, "ELASTICSEARCH_URL": UNREACHABLE, "ELASTICSEARCH_TIMEOUT": 1.0}
    return elastic.ElasticsearchBackend()


@pytest.mark.parametrize(
    "call",
    [
        lambda b: b.search(query("心理危机", filters={"kind": ["case"]})),
        lambda b: b.suggest("心理", 5),
        lambda b: b.index([{"id": 1, "title": "标题", "facets": {}}]),
        lambda b: b.delete([1]),
        lambda b: b.rebuild(iter([{"id": 1, "title": "标题", "facets": {}}]), 1),
    ],
    ids=["search", "suggest", "index", "delete", "rebuild"],
)
def test_unreachable_cluster_raises_backend_unavailable(unreachable, call):
    with pytest.raises(BackendUnavailable):
        call(unreachable)


def test_health_of_unreachable_cluster_reports_instead_of_raising(unreachable):
    health = unreachable.health()
    assert health["ok"] is False
    assert health["backend"] == "elasticsearch"
    assert health["documents"] is None
    assert health["error"]


def test_no_url_is_unavailable(settings):
    settings.SEARCH = {**settings.SEARCH, "ELASTICSEARCH_URL": ""}
    with pytest.raises(BackendUnavailable):
        elastic.ElasticsearchBackend().search(query("心理"))


def test_known_words_match_as_words_unknown_words_also_as_bigram_phrases():
    body = elastic.build_search(query("心理危机 刷单"), "alias").to_dict()
    known, unknown = body["query"]["bool"]["must"]
    assert [o["multi_match"]["query"] for o in known["bool"]["should"]] == ["心理危机"]
    assert known["bool"]["should"][0]["multi_match"]["operator"] == "and"
    assert {"match_phrase": {"bigrams": {"query": "刷单", "boost": 0.5}}} in unknown["bool"]["should"]
    relaxed = elastic.build_search(query("心理危机 刷单", min_match=1), "alias").to_dict()
    assert relaxed["query"]["bool"]["minimum_should_match"] == 1


def test_long_questions_need_most_of_their_words_and_count_the_complete_matches():
    """挂科学生怎么帮扶: 怎么 is dropped, two of 挂科 / 学生 / 帮扶 are enough (as on the database), and an
    aggregation counts the filtered hits holding all three, which says whether the results are relaxed."""
    terms = analysis.searched_terms(analysis.parse_query("挂科学生怎么帮扶"))
    assert [t.text for t in terms] == ["挂科", "学生", "帮扶"]
    needed = analysis.minimum_should_match(len(terms))
    body = elastic.build_search(SearchQuery(terms=terms, min_match=needed, filters={"kind": ["case"]}), "a").to_dict()
    assert body["query"]["bool"]["minimum_should_match"] == needed == 2
    assert len(body["query"]["bool"]["should"]) == 3
    complete = body["aggs"]["complete"]["filter"]["bool"]["filter"]
    assert len(complete[0]["bool"]["must"]) == 3 and {"terms": {"facets.kind": ["case"]}} in complete
    # Every word required: no such aggregation, and the result says nothing about completeness.
    assert "complete" not in elastic.build_search(SearchQuery(terms=terms), "a").to_dict()["aggs"]
    raw = {"hits": {"total": {"value": 4}, "hits": []}, "aggregations": {"complete": {"doc_count": 0}}}
    assert elastic.parse_result(raw).complete == 0
    assert elastic.parse_result({"hits": {"total": {"value": 4}, "hits": []}}).complete is None


def test_filters_narrow_hits_and_each_facet_is_counted_without_its_own_filter():
    filters = {"kind": ["microcourse"], "capability": ["mental_health", "ideology"], "tag": ["新生"]}
    body = elastic.build_search(query("", filters=filters), "alias").to_dict()
    assert body["query"] == {"match_all": {}}
    assert len(body["post_filter"]["bool"]["filter"]) == 3
    kind_filter = body["aggs"]["kind"]["filter"]["bool"]["filter"]
    assert {"terms": {"facets.capability": ["mental_health", "ideology"]}} in kind_filter
    assert not any("facets.kind" in clause["terms"] for clause in kind_filter)
    assert body["aggs"]["stage"]["filter"]["bool"]["filter"] == body["post_filter"]["bool"]["filter"]
    assert body["aggs"]["tag"]["aggs"]["codes"]["terms"]["size"] == TOP_TAGS
    assert body["aggs"]["tag"]["aggs"]["selected"]["terms"]["include"] == ["新生"]
    assert body["track_total_hits"] is True


# -- against a cluster --------------------------------------------------------------------------


def dt(year, month, day):
    return datetime(year, month, day, 12, tzinfo=UTC)


@pytest.fixture
def es(settings):
    """The backend on a fresh alias; every index made under it is deleted afterwards."""
    alias = f"test-fudaoyuan-{uuid.uuid4().hex[:12]}"
    settings.SEARCH = {**settings.SEARCH, "ELASTICSEARCH_URL": ES_URL, "ELASTICSEARCH_INDEX": alias}
    yield elastic.ElasticsearchBackend()
    client = elastic.get_client()
    names = list(elastic._body(client.indices.get(index=f"{alias}*")))
    if names:  # by name: Elasticsearch 8 refuses wildcard deletes by default
        client.indices.delete(index=",".join(names), ignore_unavailable=True)


def refresh(backend):
    elastic.get_client().indices.refresh(index=backend.alias)


def ids(result):
    return [hit.id for hit in result.hits]


def concrete_indices(backend):
    return sorted(elastic._body(elastic.get_client().indices.get_alias(name=backend.alias)))


@pytest.fixture
def pages(make_course, section):
    """Summaries are given: the factory's random Chinese text could contain any word."""
    return {
        "crisis": make_course(
            title="大学生心理危机的识别与早期干预",
            summary="危机干预的基本流程",
            capabilities=["crisis_response"],
            stages=["new"],
            tags=["心理", "危机"],
            first_published_at=dt(2024, 3, 1),
        ),
        "understand": make_course(
            title="用心理解学生",
            summary="倾听与陪伴",
            capabilities=["daily_affairs"],
            stages=["experienced"],
            tags=["谈话"],
            first_published_at=dt(2024, 5, 1),
        ),
        "training": make_course(
            title="军事训练安全保障工作指南",
            summary="入学前的准备",
            capabilities=["daily_affairs"],
            tags=["新生"],
            first_published_at=dt(2023, 9, 1),
        ),
        # jieba cuts 刷单 here into 刷 + 单: only the bigram phrase can find it.
        "scam": factories.CasePageFactory(
            parent=section,
            center=section.center,
            title="识别校园贷与刷单陷阱",
            summary="一个真实的案例",
            capabilities=["crisis_response"],
            tags=["反诈"],
            first_published_at=dt(2024, 1, 1),
        ),
        "undated": make_course(title="新入职辅导员工作入门", summary="工作方法", capabilities=["research"]),
    }


POPULARITY = {"crisis": 5, "understand": 50, "training": 1, "scam": 10, "undated": 0}


def docs_of(pages):
    return [documents.build(page.specific, POPULARITY[name]) for name, page in pages.items()]


@pytest.fixture
def loaded(es, pages):
    es.index(docs_of(pages))
    refresh(es)
    return {name: page.pk for name, page in pages.items()}


@needs_cluster
@pytest.mark.django_db
class TestMatching:
    def test_a_word_finds_the_pages_that_contain_it_as_a_word(self, es, loaded):
        assert ids(es.search(query("心理危机"))) == [loaded["crisis"]]
        found = ids(es.search(query("心理")))
        assert loaded["crisis"] in found
        assert loaded["understand"] not in found  # 用心理解学生: 用心 / 理解, never 心理
        assert ids(es.search(query("理解"))) == [loaded["understand"]]

    def test_synonyms(self, es, loaded):
        assert ids(es.search(query("军训"))) == [loaded["training"]]

    def test_unknown_word_matches_as_bigram_phrase(self, es, loaded):
        assert ids(es.search(query("刷单"))) == [loaded["scam"]]

    def test_every_term_must_match_unless_relaxed(self, es, loaded):
        assert ids(es.search(query("心理危机 军训"))) == []
        relaxed = es.search(query("心理危机 军训", min_match=1))
        assert set(ids(relaxed)) == {loaded["crisis"], loaded["training"]}
        assert relaxed.total == 2

    def test_three_words_need_two(self, es, loaded):
        both = es.search(query("心理危机 干预 量子力学", min_match=2))
        assert ids(both) == [loaded["crisis"]] and both.complete == 0

    def test_browse_everything(self, es, loaded):
        result = es.search(query(""))
        assert result.total == 5
        assert set(ids(result)) == set(loaded.values())

    def test_suggest_titles(self, es, loaded):
        assert es.suggest("大学生心", 5)[0] == "大学生心理危机的识别与早期干预"
        titles = es.suggest("识别", 5)
        assert set(titles) == {"大学生心理危机的识别与早期干预", "识别校园贷与刷单陷阱"}
        assert titles[0] == "识别校园贷与刷单陷阱"  # starts with what was typed
        assert es.suggest("识别", 1) == ["识别校园贷与刷单陷阱"]
        assert es.suggest("  ", 5) == []


@needs_cluster
@pytest.mark.django_db
class TestFacetsSortingPaging:
    def test_facet_counts_ignore_their_own_filter(self, es, loaded):
        result = es.search(query("", filters={"kind": ["microcourse"]}))
        assert result.total == 4
        assert result.facets["kind"] == {"microcourse": 4, "case": 1}
        assert result.facets["capability"] == {"crisis_response": 1, "daily_affairs": 2, "research": 1}

        result = es.search(query("", filters={"kind": ["microcourse"], "capability": ["daily_affairs"]}))
        assert set(ids(result)) == {loaded["understand"], loaded["training"]}
        assert result.facets["kind"] == {"microcourse": 2}
        assert result.facets["capability"] == {"crisis_response": 1, "daily_affairs": 2, "research": 1}
        assert result.facets["stage"] == {"experienced": 1}

    def test_codes_of_one_facet_combine_with_or(self, es, loaded):
        filters = {"kind": ["microcourse"], "capability": ["daily_affairs", "crisis_response"]}
        assert es.search(query("", filters=filters)).total == 3

    def test_facets_follow_the_text_query(self, es, loaded):
        result = es.search(query("识别"))
        assert result.facets["kind"] == {"microcourse": 1, "case": 1}
        assert result.facets["tag"] == {"心理": 1, "危机": 1, "反诈": 1}

    def test_a_selected_tag_is_counted_even_outside_the_top_tags(self, es, loaded, make_course):
        many = [f"t{i:02d}" for i in range(TOP_TAGS + 5)]
        page = make_course(title="标签很多的微课", summary="标签", tags=many)
        es.index([documents.build(page.specific)])
        refresh(es)
        assert len(es.search(query("")).facets["tag"]) == TOP_TAGS
        result = es.search(query("", filters={"tag": [many[-1]]}))
        assert ids(result) == [page.pk]
        assert result.facets["tag"][many[-1]] == 1

    def test_sort_orders(self, es, loaded):
        newest = ids(es.search(query("", sort="newest")))
        assert newest == [loaded[n] for n in ["understand", "crisis", "scam", "training", "undated"]]
        popular = ids(es.search(query("", sort="popular")))
        assert popular == [loaded[n] for n in ["understand", "scam", "crisis", "training", "undated"]]
        relevance = es.search(query("危机"))  # in the title of one, in the keywords of the other
        assert ids(relevance) == [loaded["crisis"], loaded["scam"]]
        assert relevance.hits[0].score > relevance.hits[1].score > 0

    def test_pagination(self, es, loaded):
        pages = [es.search(query("", sort="newest", offset=offset, limit=2)) for offset in (0, 2, 4)]
        assert [len(p.hits) for p in pages] == [2, 2, 1]
        assert all(p.total == 5 for p in pages)
        assert [pk for p in pages for pk in ids(p)] == ids(es.search(query("", sort="newest")))


@needs_cluster
@pytest.mark.django_db
class TestWriting:
    def test_first_write_creates_an_index_behind_the_alias(self, es, loaded):
        (index,) = concrete_indices(es)
        assert index.startswith(es.alias + "-")

    def test_delete(self, es, loaded):
        es.delete([loaded["scam"], 987654321])  # a missing document is not an error
        refresh(es)
        assert ids(es.search(query("刷单"))) == []
        assert es.search(query("")).total == 4

    def test_delete_before_anything_was_indexed(self, es):
        es.delete([1])
        assert not elastic.get_client().indices.exists(index=es.alias)

    def test_update_replaces_the_document(self, es, loaded, pages):
        page = pages["understand"]
        page.title = "倾听学生的心声"
        page.save()
        es.index([documents.build(page.specific)])
        refresh(es)
        assert ids(es.search(query("理解"))) == []
        assert es.search(query("")).total == 5

    def test_rebuild_switches_the_alias(self, es, loaded, pages):
        (old,) = concrete_indices(es)
        seen = []

        def progress(n):
            # The alias still points to the old index: searches keep answering.
            seen.append((n, es.search(query("")).total))

        docs = docs_of(pages)[:3]
        assert es.rebuild(iter(docs), len(docs), progress) == 3
        assert seen == [(3, 5)]
        (new,) = concrete_indices(es)
        assert new != old
        assert not elastic.get_client().indices.exists(index=old)
        assert es.search(query("")).total == 3
        assert ids(es.search(query("心理危机"))) == [loaded["crisis"]]

    def test_rebuild_in_chunks(self, es, pages):
        docs = docs_of(pages) * 250  # 1,250 actions on 5 ids: chunks of 500
        seen = []
        assert es.rebuild(iter(docs), len(docs), seen.append) == 1250
        assert seen == [500, 1000, 1250]
        assert es.search(query("")).total == 5

    def test_rebuild_replaces_a_concrete_index_that_has_the_alias_name(self, es, pages):
        client = elastic.get_client()
        client.indices.create(index=es.alias)
        es.rebuild(iter(docs_of(pages)), 5)
        assert client.indices.exists_alias(name=es.alias)
        assert es.search(query("军训")).total == 1

    def test_health(self, es, loaded):
        health = es.health()
        assert health["ok"] is True
        assert health["backend"] == "elasticsearch"
        assert health["documents"] == 5
        assert health["index"] == concrete_indices(es)[0]
        assert health["cluster"] in ("green", "yellow")
        assert health["error"] is None

    def test_health_without_an_index(self, es):
        health = es.health()
        assert health["ok"] is False
        assert health["error"]
