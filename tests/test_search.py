"""The Chinese search, through what readers and editors do: publish, unpublish, restrict, move,
delete, search the page, the API and the autocomplete.

Every behaviour test runs once per backend: the database always, Elasticsearch when
ELASTICSEARCH_URL is set (skipped otherwise), each against a real engine."""

import os
import uuid

import pytest

from django.test import override_settings

from wagtail.contrib.search_promotions.models import Query, SearchPromotion
from wagtail.models import PageViewRestriction

from resources.models import CapabilityArea
from search import analysis, indexing
from search.models import IndexEntry, PendingChange
from search.service import SearchRequest, search, suggest

from . import factories

ES_URL = os.environ.get("ELASTICSEARCH_URL", "")

BACKENDS = [
    "database",
    pytest.param(
        "elasticsearch",
        marks=pytest.mark.skipif(not ES_URL, reason="ELASTICSEARCH_URL is not set: no Elasticsearch server to test"),
    ),
]


# -- analysis (no database) -----------------------------------------------------


def words(text):
    return set(analysis.index_words(text))


def test_dictionary_words_are_found_inside_longer_text():
    assert "心理危机" in words("大学生心理危机的识别与早期干预")
    assert "谈心谈话" in words("宿舍矛盾调解中的谈心谈话")
    assert "三会一课" in words("让学生党支部“三会一课”从“走过场”到“有实效”")


def test_distractors_do_not_contain_the_query_word():
    assert "心理" not in words("用心理解学生")
    assert "危机" not in words("实验室危险化学品安全管理")


def test_index_words_are_python_jiebas():
    """jieba-rs cuts as jieba 0.42 did (these lists are jieba 0.42.1's), so an index built by either
    answers the same queries: the words inside a longer word, shortest first; a Latin run it
    does not know cut at its punctuation (jieba-rs alone would keep moe.edu.cn whole)."""
    assert analysis.index_words("北京师范大学的心理危机干预") == [
        "北京", "京师", "师范", "大学", "师范大学", "北京师范大学",
        "心理", "危机", "干预", "心理危机", "心理危机干预",
    ]  # fmt: skip
    assert analysis.index_words("见 www.moe.gov.cn 或拨打 010-66092064，gpt-4o、3.5%、v1.2.3、c++") == [
        "见", "www", "moe", "gov", "cn", "拨打", "010", "66092064", "gpt", "4o", "3.5%", "v1.2", "3", "c++",
    ]  # fmt: skip
    assert analysis.index_words("ＡＩ辅导员") == ["ai", "辅导", "辅导员"]
    assert [analysis.is_known(w) for w in ("心理危机", "谈心", "就业", "舆情", "刷单", "北京师")] == [
        True, True, True, True, False, False,
    ]  # fmt: skip


def test_query_terms_carry_synonyms_and_unknown_words_match_as_phrases():
    (term,) = analysis.parse_query("军训")
    assert set(term.alternatives) == {"军训", "军事训练"}
    assert term.phrases == []  # a known word never matches as a bare substring
    (unknown,) = analysis.parse_query("刷单")
    assert not unknown.known and unknown.phrases == ["刷单"]
    assert [t.text for t in analysis.parse_query("如何做好 科研选题")] == ["做好", "科研", "选题"]


# -- fixtures ---------------------------------------------------------------------


@pytest.fixture(params=BACKENDS)
def backend(request, db, settings):
    name = request.param
    if name == "elasticsearch":
        settings.SEARCH = {
            **settings.SEARCH,
            "ELASTICSEARCH_URL": ES_URL,
            "ELASTICSEARCH_INDEX": f"test-{uuid.uuid4().hex}",
        }
        indexing.rebuild(backends=["elasticsearch"])  # creates the alias
        yield name
        from search.backends import elastic

        client = elastic.get_client()
        names = list(elastic._body(client.indices.get(index=f"{settings.SEARCH['ELASTICSEARCH_INDEX']}*")))
        if names:  # by name: Elasticsearch 8 refuses wildcard deletes by default
            client.indices.delete(index=",".join(names), ignore_unavailable=True)
    else:
        yield name


def settle(backend):
    """Elasticsearch shows new documents after a refresh (every second by default): do it now."""
    if backend == "elasticsearch":
        from search.backends import elastic

        assert indexing.flush_queue() >= 0 and indexing.queue_length() == 0
        elastic.get_client().indices.refresh(index=indexing.elasticsearch_backend().alias)


def publish(page):
    page.save_revision().publish()
    return page


@pytest.fixture
def library(section, center):
    """A small library with the issue's headline topics and its two distractors."""
    other = factories.TrainingCenterFactory(code="whu", name="武汉大学中心").section  # sections come with centers
    make = factories.MicroCoursePageFactory
    pages = {
        "crisis": make(
            parent=section,
            center=center,
            title="大学生心理危机的识别与早期干预",
            summary="讲解心理危机的常见信号与早期干预流程。",
            capabilities=["mental_health", "crisis_response"],
        ),
        "talk": make(
            parent=section,
            center=center,
            title="谈心谈话的技巧与方法",
            summary="倾听与回应的基本功。",
            capabilities=["mental_health"],
        ),
        "opinion": make(
            parent=other,
            center=other.center,
            title="网络舆情的研判与引导",
            summary="校园网络舆情的发现、研判和引导。",
            capabilities=["online_education"],
        ),
        "fraud": make(
            parent=other,
            center=other.center,
            title="防范电信网络诈骗教育",
            summary="“刷单返利”等常见骗局的识别。",
            capabilities=["daily_affairs"],
        ),
        "military": make(
            parent=other,
            center=other.center,
            title="军事训练期间的学生管理",
            summary="新生军事训练期间的安全与管理。",
            capabilities=["daily_affairs"],
        ),
        "empathy": make(
            parent=section,
            center=center,
            title="用心理解学生：新时代辅导员的育人情怀",
            summary="以真诚和耐心走近每一名学生。",
            capabilities=["ideology"],
        ),
        "lab": make(
            parent=other,
            center=other.center,
            title="实验室危险化学品安全管理",
            summary="危险化学品的存放、使用与废弃处置。",
            capabilities=["daily_affairs"],
        ),
    }
    for page in pages.values():
        publish(page)
    return pages


def run(q="", backend="database", **kwargs):
    return search(SearchRequest(q=q, **kwargs), backend=backend)


def titles(response):
    return [r.title for r in response.results]


# -- relevance --------------------------------------------------------------------


@pytest.mark.parametrize(
    "q, first",
    [
        ("心理危机", "crisis"),
        ("谈心谈话", "talk"),
        ("网络舆情", "opinion"),
        ("电信诈骗", "fraud"),
        ("刷单返利", "fraud"),
        ("军训", "military"),
    ],
)
def test_headline_queries_put_the_right_resource_first(backend, library, q, first):
    settle(backend)
    response = run(q, backend)
    assert response.results, q
    assert response.results[0].title == library[first].title


def test_distractors_never_match(backend, library):
    settle(backend)
    assert library["empathy"].title not in titles(run("心理", backend))
    assert library["crisis"].title in titles(run("心理", backend))
    assert library["lab"].title not in titles(run("危机", backend))
    assert library["crisis"].title in titles(run("危机", backend))


def test_title_matches_outrank_body_matches(backend, library, make_course):
    body_only = publish(make_course(title="新生入学教育的组织实施", summary="其中一节讲到谈心谈话的安排。"))
    settle(backend)
    found = titles(run("谈心谈话", backend))
    assert found.index(library["talk"].title) < found.index(body_only.title)


def test_transcripts_are_searchable(backend, make_course):
    course = publish(make_course(title="班会设计", summary="", transcript="今天我们讨论学业预警机制如何落地。"))
    settle(backend)
    assert titles(run("学业预警", backend)) == [course.title]


# -- facets, sorting, paging --------------------------------------------------------


def test_facets_count_the_current_query_and_ignore_their_own_selection(backend, library):
    settle(backend)
    response = run("心理", backend, filters={"center": ["bnu"]})
    assert {r.title for r in response.results} == {library["crisis"].title, library["talk"].title}
    assert response.facets["capability"]["mental_health"] == 2
    # The center facet keeps counting the other centers, so that a reader can switch.
    assert response.facets["center"] == {"bnu": 2}
    assert run("管理", backend, filters={"center": ["bnu"]}).facets["center"].get("whu", 0) >= 1
    combined = run("", backend, filters={"capability": ["daily_affairs"], "center": ["whu"]})
    assert combined.total == 3


def test_sorting_and_pagination(backend, library, client):
    for _ in range(3):
        client.get(library["lab"].url)
    indexing.update_pages([library["lab"].pk])  # Elasticsearch gets view counts with updates
    settle(backend)
    popular = run("", backend, sort="popular")
    assert popular.results[0].title == library["lab"].title
    newest = run("", backend, sort="newest", page_size=3)
    assert newest.total == 7 and len(newest.results) == 3 and newest.num_pages == 3
    second = run("", backend, sort="newest", page_size=3, page=2)
    assert not {r.id for r in newest.results} & {r.id for r in second.results}


# -- what is never found ---------------------------------------------------------


def test_drafts_are_never_found(backend, library, make_course):
    draft = make_course(title="心理危机干预预案（草稿）", live=False)
    draft.save_revision()
    live = library["crisis"]
    live.title = "心理危机未发布的新标题"
    live.save_revision()  # a draft of a live page: the public still sees the published title
    settle(backend)
    response = run("心理危机", backend)
    assert draft.title not in titles(response)
    assert "心理危机未发布的新标题" not in titles(response)
    assert live.get_parent().specific.title  # the tree is intact
    assert run("未发布", backend).total == 0
    assert draft.pk not in {r.id for r in run("", backend, page_size=50).results}
    assert all(draft.title != s for s in suggest("心理危机", backend=backend))


def test_unpublished_and_deleted_pages_disappear_at_once(backend, library):
    library["crisis"].unpublish()
    library["talk"].delete()
    settle(backend)
    found = titles(run("心理", backend))
    assert library["crisis"].title not in found
    assert "谈心谈话的技巧与方法" not in found
    assert run("心理", backend).facets["capability"].get("mental_health", 0) == 0
    publish(library["crisis"])
    settle(backend)
    assert library["crisis"].title in titles(run("心理危机", backend))


def test_private_pages_and_pages_under_private_sections_disappear(backend, library, section):
    restriction = PageViewRestriction.objects.create(
        page=library["crisis"], restriction_type=PageViewRestriction.PASSWORD, password="secret"
    )
    settle(backend)
    assert library["crisis"].title not in titles(run("心理危机", backend))
    restriction.delete()
    settle(backend)
    assert library["crisis"].title in titles(run("心理危机", backend))

    PageViewRestriction.objects.create(page=section, restriction_type=PageViewRestriction.LOGIN)
    settle(backend)
    found = titles(run("", backend, page_size=50))
    assert library["talk"].title not in found and library["crisis"].title not in found
    assert library["opinion"].title in found


def test_unpublishing_a_section_hides_its_resources(backend, library, section):
    section.unpublish()
    settle(backend)
    assert run("谈心谈话", backend).total == 0


def test_moving_a_resource_updates_its_address(backend, library):
    crisis, other_section = library["crisis"], library["opinion"].get_parent()
    crisis.move(other_section, pos="last-child")
    settle(backend)
    (result,) = run("心理危机", backend).results
    assert result.url.startswith(other_section.url) and result.url.endswith(crisis.slug + "/")


# -- promotions, relaxed queries, highlights ----------------------------------------


def test_editors_promotions_come_first(backend, library):
    settle(backend)
    SearchPromotion.objects.create(query=Query.get("心理"), page=library["fraud"], sort_order=0)
    response = run("心理", backend)
    assert response.results[0].title == library["fraud"].title and response.results[0].promoted
    assert library["crisis"].title in titles(response)
    # A promoted page that is no longer public is not shown.
    library["fraud"].unpublish()
    assert library["fraud"].title not in titles(run("心理", backend))


def test_a_query_with_no_complete_match_falls_back_to_any_word(backend, library):
    settle(backend)
    response = run("心理危机 量子力学", backend)
    assert response.relaxed and library["crisis"].title in titles(response)
    assert "部分关键词" in response.notices[0]


@pytest.mark.django_db
def test_highlights_mark_words_and_escape_html(make_course):
    publish(make_course(title="<b>心理危机</b>应对", summary="面对<script>心理危机</script>时"))
    (result,) = run("心理危机").results
    assert result.highlight == "面对&lt;script&gt;<mark>心理危机</mark>&lt;/script&gt;时"
    assert "<mark>心理危机</mark>" in result.title_highlight and "<b>" not in result.title_highlight


# -- the page, the API, autocomplete, health ------------------------------------------


def test_search_page_works_without_javascript(client, library):
    response = client.get("/search/", {"q": "心理", "capability": "mental_health"})
    assert response.status_code == 200
    html = response.content.decode()
    assert "大学生<mark>心理</mark>危机" in html
    assert "用心理解学生" not in html
    # Facets, sorts and pages are plain links that keep the query and the filters.
    assert 'href="?q=%E5%BF%83%E7%90%86&amp;capability=mental_health&amp;sort=newest"' in html
    assert 'href="?q=%E5%BF%83%E7%90%86&amp;capability=mental_health&amp;capability=crisis_response"' in html
    label = CapabilityArea.objects.get(code="mental_health").label
    assert f"能力方向：{label}" in html  # the active filter, with a link to remove it
    assert response.context["search"].total == 2


def test_api_returns_the_documented_shape(client, library):
    data = client.get("/api/search/", {"q": "心理危机", "page_size": 1}).json()
    assert data["query"] == "心理危机" and data["backend"] == "database" and data["total"] >= 1
    (first,) = data["results"]
    assert set(first) >= {"slug", "kind", "title", "url", "summary", "highlight", "score"}
    assert first["slug"] == library["crisis"].slug and first["kind"] == "microcourse"
    assert set(data["facets"]) == {"kind", "capability", "stage", "course_type", "requirement", "tier", "center", "tag"}
    assert data["facets"]["kind"] == {"microcourse": data["total"]}
    # Malformed parameters fall back to defaults instead of failing.
    assert client.get("/api/search/", {"q": "心理", "page": "x", "page_size": "999", "sort": "?"}).status_code == 200


def test_autocomplete_suggests_titles_with_a_word_starting_with_the_input(client, library):
    data = client.get("/api/search/suggest/", {"q": "心理"}).json()
    found = [s["title"] for s in data["suggestions"]]
    assert library["crisis"].title in found
    assert library["empathy"].title not in found  # 心理 is not a word of 用心理解学生


def test_health_reports_backend_and_queue_to_platform_administrators_only(client, library, django_user_model):
    # Anyone: alive or not, nothing of the inside.
    assert client.get("/api/search/health/").json() == {"status": "ok"}
    editor = django_user_model.objects.create_user("editor", password="pw")
    client.force_login(editor)
    assert client.get("/api/search/health/").json() == {"status": "ok"}
    client.force_login(django_user_model.objects.create_superuser("admin", "", "pw"))
    data = client.get("/api/search/health/").json()
    assert data["status"] == "ok" and data["backend"] == "database" and data["queue"] == 0
    assert data["database"]["documents"] == 7


def test_library_keyword_box_uses_the_chinese_search(client, library):
    response = client.get("/library/", {"q": "心理"})
    shown = [item.title for item in response.context["library"]["page"]]
    assert library["crisis"].title in shown and library["empathy"].title not in shown


# -- Elasticsearch unreachable: nothing lost, nothing fails ------------------------------


@pytest.mark.django_db
def test_elasticsearch_down_queues_changes_and_searches_fall_back(
    client, library, make_course, django_capture_on_commit_callbacks
):
    es_down = {"ELASTICSEARCH_URL": "http://127.0.0.1:9", "ELASTICSEARCH_INDEX": "x", "ELASTICSEARCH_TIMEOUT": 1}
    with override_settings(SEARCH=es_down):
        with django_capture_on_commit_callbacks(execute=True):  # the attempts made after each commit
            course = publish(make_course(title="学业预警与学业帮扶"))  # publishing still works
            library["crisis"].unpublish()
        queued = dict(PendingChange.objects.values_list("page_id", "action"))
        assert queued == {course.pk: "index", library["crisis"].pk: "delete"}
        assert PendingChange.objects.get(page_id=course.pk).last_error  # the failed attempt is recorded
        # The database index is current, and answers in Elasticsearch's place.
        data = client.get("/api/search/", {"q": "学业帮扶"}).json()
        assert data["backend"] == "database" and data["fallback"] and data["results"][0]["title"] == course.title
        assert "暂时不可用" in data["notices"][0]
        response = client.get("/api/search/health/")
        assert response.status_code == 503 and response.json() == {"status": "unavailable"}


class RecordingBackend:
    """Stands in for a cluster that is back (no Elasticsearch server runs in this test)."""

    name = "elasticsearch"
    url = "http://recording"

    def __init__(self):
        self.indexed, self.deleted = [], []

    def index(self, docs):
        self.indexed += [d["id"] for d in docs]

    def delete(self, ids):
        self.deleted += list(ids)


@pytest.mark.django_db
def test_queued_changes_are_applied_when_the_cluster_is_back(library, monkeypatch):
    with override_settings(
        SEARCH={"ELASTICSEARCH_URL": "http://127.0.0.1:9", "ELASTICSEARCH_INDEX": "x", "ELASTICSEARCH_TIMEOUT": 1}
    ):
        library["crisis"].unpublish()
        publish(library["talk"])
        library["fraud"].delete()
        assert PendingChange.objects.count() == 3
        recording = RecordingBackend()
        monkeypatch.setattr(indexing, "elasticsearch_backend", lambda: recording)
        assert indexing.flush_queue() == 3
    # The latest state counts: unpublished and deleted pages are deleted from the cluster.
    assert recording.indexed == [library["talk"].pk]
    assert sorted(recording.deleted) == sorted([library["crisis"].pk, library["fraud"].pk])
    assert not PendingChange.objects.exists()


@pytest.mark.django_db
def test_rebuild_replaces_the_database_index(library, capsys):
    from django.core.management import call_command

    IndexEntry.objects.filter(page_id=library["talk"].pk).delete()
    IndexEntry.objects.create(page_id=library["lab"].get_parent().pk, slug="stale", kind="x", title="陈旧条目", url="/")
    call_command("rebuild_search_index")
    assert "database: 7 documents indexed" in capsys.readouterr().out
    assert set(IndexEntry.objects.values_list("page_id", flat=True)) == {p.pk for p in library.values()}
    assert titles(run("谈心谈话"))[0] == library["talk"].title


@pytest.mark.django_db
def test_renaming_a_center_reindexes_its_resources(library, center):
    center.name = "北京师范大学辅导员发展研究中心"
    center.save()
    assert library["crisis"].title in titles(run("辅导员发展研究中心"))


def test_search_page_links_to_the_next_page_keeping_the_filters(client, library):
    response = client.get("/search/", {"capability": "daily_affairs", "page_size": 2})
    html = response.content.decode()
    assert response.context["search"].total == 3
    assert 'href="?capability=daily_affairs&amp;page_size=2&amp;page=2" rel="next"' in html
    second = client.get("/search/", {"capability": "daily_affairs", "page_size": 2, "page": 2})
    assert len(second.context["search"].results) == 1 and 'rel="prev"' in second.content.decode()


def test_deleting_a_live_page_leaves_no_index_entry_behind(make_course):
    # Its entry not written yet (the publish's on-commit indexing has not run): deleting the live page
    # "unpublishes" it first, which indexes it, after the cascade was gathered. The commit must not fail.
    course = make_course(title="即将删除的微课")
    assert not IndexEntry.objects.filter(page_id=course.pk).exists()
    course.delete()
    assert not IndexEntry.objects.filter(page_id=course.pk).exists()
