"""The search on a site with thousands of drafts and view restrictions: what is searchable is
decided per page from its own ancestors, so the index can be rebuilt and kept up to date
whatever their number (the first version ORed one condition per draft into one query, and
SQLite refused a rebuild past about a thousand: "Expression tree is too large")."""

import pytest

from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.test.utils import CaptureQueriesContext

from wagtail.models import Locale, Page, PageViewRestriction

from search import analysis, indexing, rebuild
from search.models import IndexEntry, RebuildChange, RebuildState
from search.service import SearchRequest, search

from .test_search import library  # noqa: F401 - the fixture

DRAFTS = 2_100
RESTRICTED = 1_100


def bulk_children(parent, count, live, prefix):
    """`count` plain pages under `parent`, written in one statement (the page tree's own API
    takes a query per page, too slow for thousands in a test)."""
    parent.refresh_from_db()
    content_type = ContentType.objects.get_for_model(Page)
    locale = Locale.get_default()
    start = parent.numchild + 1
    pages = [
        Page(
            title=f"{prefix}{n}",
            draft_title=f"{prefix}{n}",
            slug=f"{prefix}-{n}",
            content_type=content_type,
            locale=locale,
            live=live,
            has_unpublished_changes=not live,
            path=parent.path + Page._int2str(start + n).rjust(Page.steplen, "0"),
            depth=parent.depth + 1,
            url_path=f"{parent.url_path}{prefix}-{n}/",
        )
        for n in range(count)
    ]
    Page.objects.bulk_create(pages, batch_size=500)
    Page.objects.filter(pk=parent.pk).update(numchild=parent.numchild + count)
    return list(Page.objects.filter(path__startswith=parent.path, depth=parent.depth + 1, slug__startswith=prefix))


def found(q="", **kwargs):
    return {r.title for r in search(SearchRequest(q=q, page_size=50, **kwargs), backend="database").results}


@pytest.fixture
def crowded(section, make_course):
    """A center section with thousands of drafts and restricted pages beside real courses: one
    public, one draft, one restricted, one under an unpublished sub-section."""
    public = make_course(title="心理危机干预的公开课")
    public.save_revision().publish()
    draft = make_course(title="心理危机干预的草稿课", live=False)
    restricted = make_course(title="心理危机干预的内部课")
    restricted.save_revision().publish()
    PageViewRestriction.objects.create(page=restricted, restriction_type=PageViewRestriction.LOGIN)
    folder = section.add_child(instance=Page(title="未发布的栏目", slug="folder"))
    hidden = make_course(parent=folder, title="心理危机干预的栏目课")
    hidden.save_revision().publish()
    folder.unpublish()

    bulk_children(section, DRAFTS, live=False, prefix="draft")
    locked = bulk_children(section, RESTRICTED, live=True, prefix="locked")
    PageViewRestriction.objects.bulk_create(
        [PageViewRestriction(page=page, restriction_type=PageViewRestriction.LOGIN) for page in locked]
    )
    assert Page.objects.filter(live=False).count() > 2_000
    assert PageViewRestriction.objects.count() > 1_100
    return {"public": public, "draft": draft, "restricted": restricted, "hidden": hidden}


def test_rebuild_with_thousands_of_drafts_and_restrictions(crowded):
    IndexEntry.objects.all().delete()
    counts = indexing.rebuild()
    assert counts == {"database": 1}
    assert found("心理危机") == {"心理危机干预的公开课"}
    assert set(IndexEntry.objects.values_list("page_id", flat=True)) == {crowded["public"].pk}


def test_publishing_among_thousands_of_drafts_costs_the_same(crowded, make_course):
    course = make_course(title="学业预警与帮扶", live=False)
    with CaptureQueriesContext(connection) as queries:
        indexing.update_pages([course.pk])
    assert found("学业预警") == set()  # still a draft
    course.save_revision().publish()
    assert found("学业预警") == {"学业预警与帮扶"}
    # The index decision reads the course's own ancestors, not every draft of the site.
    longest = max(len(q["sql"]) for q in queries.captured_queries)
    assert longest < 3_000, longest
    assert len(queries.captured_queries) < 20

    # Unpublishing the whole section removes its resources, the public one too.
    crowded["public"].get_parent().specific.unpublish()
    assert found("心理危机") == set() and found("学业预警") == set()


# -- rebuilding beside the live index ---------------------------------------------------


@pytest.fixture
def courses(make_course):
    made = [make_course(title=f"学业预警第{n}讲") for n in range(12)]
    for course in made:
        course.save_revision().publish()
    return made


class Interrupted(Exception):
    pass


def test_searches_and_publishing_go_on_during_a_rebuild(courses, make_course, monkeypatch):
    monkeypatch.setattr(rebuild, "BATCH", 4)
    late = make_course(title="学业预警补充讲", live=False)
    seen = []

    def progress(done, total):
        # Half-way: the old index still answers in full, and a publish and an unpublish land.
        if 0 < done < total and not seen:
            seen.append(len(found("学业预警")))
            late.save_revision().publish()
            courses[0].unpublish()

    assert indexing.rebuild(progress=lambda name, done, total: progress(done, total)) == {"database": 12}
    assert seen == [12]
    after = found("学业预警")
    assert "学业预警补充讲" in after and courses[0].title not in after and len(after) == 12
    assert not RebuildState.objects.exists() and not RebuildChange.objects.exists()


def test_an_interrupted_rebuild_resumes_where_it_stopped(courses, monkeypatch):
    monkeypatch.setattr(rebuild, "BATCH", 5)
    calls = []

    def stop_after_two_batches(name, done, total):
        calls.append(done)
        if done >= 10:
            raise Interrupted

    with pytest.raises(Interrupted):
        indexing.rebuild(progress=stop_after_two_batches)
    state = RebuildState.objects.get()
    assert state.done == 10 and state.total == 12
    assert indexing.health_report()["rebuild"]["done"] == 10  # search_status shows it
    assert len(found("学业预警")) == 12  # the live index was never touched

    calls.clear()
    assert indexing.rebuild(progress=lambda name, done, total: calls.append(done)) == {"database": 12}
    assert calls == [10, 12]  # resumed after the last batch written, not from the start
    assert len(found("学业预警")) == 12 and not RebuildState.objects.exists()

    # A rebuild interrupted and resumed by other code (an upgrade meanwhile) starts over.
    with pytest.raises(Interrupted):
        indexing.rebuild(progress=stop_after_two_batches)
    monkeypatch.setattr(rebuild, "fingerprint", lambda: "newer code")
    calls.clear()
    indexing.rebuild(progress=lambda name, done, total: calls.append(done))
    assert calls[0] == 0 and calls[-1] == 12

    # --restart starts an interrupted rebuild over.
    with pytest.raises(Interrupted):
        indexing.rebuild(progress=stop_after_two_batches)
    calls.clear()
    indexing.rebuild(progress=lambda name, done, total: calls.append(done), restart=True)
    assert calls[0] == 0 and calls[-1] == 12


@pytest.mark.skipif(connection.vendor != "sqlite", reason="a PostgreSQL session lock is re-entrant in one session")
def test_two_rebuilds_never_run_at_once(courses):
    with rebuild._only_one_rebuild(), pytest.raises(rebuild.RebuildRunning):
        indexing.rebuild()
    assert indexing.rebuild() == {"database": 12}


def test_the_triggers_bigrams_are_the_analysers(courses):
    """SQLite's triggers compute the bigram column with a frozen copy (hub_bigrams_v1): it must give
    what the documents hold, or deletes would remove other words than were put in."""
    from search import documents
    from search.backends.database import bigram_text

    texts = ["ＡＩ辅导员：心理危机干预 Step-1", "学", "", "刷单返利　電信詐騙\n第二段"]
    for text in texts:
        assert bigram_text(text, "谈心谈话 张三", text) == " ".join(
            analysis.bigrams(f"{text}\n谈心谈话 张三\n{text}".strip())
        )
    for doc in documents.load_documents([c.pk for c in courses]):
        assert bigram_text(doc["title"], doc["keyword_text"], doc["text"]) == doc["bigrams"]


@pytest.mark.parametrize("small, rank_all", [(0, 10_000), (0, 0)])
def test_large_result_paths_agree_with_the_small_ones(library, make_course, monkeypatch, small, rank_all):  # noqa: F811
    """Above 2,000 matches facets are counted on bitmaps, above 10,000 relevance is ranked in tiers:
    forced on here, they give the same totals and facet counts, and title matches first."""
    from search.backends import database, snapshot

    make_course(title="实验室安全", summary="关于心理危机的一节课。").save_revision().publish()
    cases = [("心理危机", {}), ("", {"capability": ["daily_affairs"]}), ("学生", {"capability": ["mental_health"]})]
    before = [search(SearchRequest(q=q, filters=f, page_size=50), backend="database") for q, f in cases]
    monkeypatch.setattr(snapshot, "SMALL", small)
    monkeypatch.setattr(database, "SMALL", small)
    monkeypatch.setattr(database, "RANK_ALL", rank_all)
    for (q, f), old in zip(cases, before, strict=True):
        new = search(SearchRequest(q=q, filters=f, page_size=50), backend="database")
        assert new.total == old.total and new.facets == old.facets
        assert {r.title for r in new.results} == {r.title for r in old.results}
    ranked = [r.title for r in search(SearchRequest(q="心理危机", page_size=50), backend="database").results]
    assert ranked.index("实验室安全") > ranked.index("大学生心理危机的识别与早期干预")
