"""Course series (系列微课) are library resources like any other kind: listed and counted in the library,
found by the search, served by the API, reachable from the navigation; and migration 0007, which made
them ResourcePages, keeps every existing series with its page id, fields, tags, items and revisions."""

import pytest

from django.apps import apps as global_apps
from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.test.utils import CaptureQueriesContext

from wagtail.models import Page, PageViewRestriction, Revision

from coursepackages.models import CoursePackagePage, PackageItem
from microcourses.models import CourseSeriesPage, SeriesItem
from resources.models import CapabilityArea, ResourcePage

from . import factories


def make_series(section, courses, title="新入职辅导员必修系列", tags=(), **kwargs):
    series = factories.CourseSeriesPageFactory(parent=section, title=title, center=section.center, **kwargs)
    for n, course in enumerate(courses):
        factories.SeriesItemFactory(page=series, course=course, sort_order=n)
    series.tags.add(*tags)
    # Published as an editor would (after its items exist): the search indexes it with its courses.
    series.save_revision().publish()
    return CourseSeriesPage.objects.get(pk=series.pk)


@pytest.fixture
def courses(make_course):
    return [
        make_course(title="新生入学教育的组织实施", duration_seconds=600, learning_hours="0.50"),
        make_course(title="谈心谈话的技巧", duration_seconds=900, learning_hours="1.00"),
        make_course(title="心理危机的识别与干预", duration_seconds=1500, learning_hours="1.00"),
    ]


def facet(response, name):
    return {o.code: o for o in next(f for f in response.context["library"]["facets"] if f.name == name).options}


# -- the library ------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_series_are_a_kind_of_the_library_with_counts_and_a_card(client, tree, section, courses):
    series = make_series(section, courses)
    series.capabilities = [CapabilityArea.objects.get(code="mental_health")]
    series.save_revision().publish()
    make_series(section, courses[:1], title="尚未发布的系列").unpublish()

    response = client.get(tree["library"].url)
    kinds = facet(response, "kind")
    assert (kinds["series"].label, kinds["series"].count) == ("系列微课", 1)
    assert facet(response, "capability")["mental_health"].count == 1

    response = client.get(tree["library"].url, {"kind": "series"})
    assert [item.title for item in response.context["library"]["page"]] == ["新入职辅导员必修系列"]
    page = response.content.decode()
    # Its card: the kind, the number of courses and their total length (600 + 900 + 1500 s = 50 min).
    assert "系列微课" in page and "共 3 讲" in page and "总时长 50 分钟" in page
    assert "尚未发布的系列" not in page


@pytest.mark.django_db
def test_a_series_card_counts_only_live_public_courses(client, tree, section, courses):
    make_series(section, courses)
    courses[0].unpublish()
    PageViewRestriction.objects.create(page=courses[1], restriction_type=PageViewRestriction.PASSWORD, password="x")
    page = client.get(tree["library"].url, {"kind": "series"}).content.decode()
    assert "共 1 讲" in page and "总时长 25 分钟" in page
    series_page = client.get(CourseSeriesPage.objects.get().url).content.decode()
    assert "心理危机的识别与干预" in series_page
    assert "谈心谈话的技巧" not in series_page and "新生入学教育的组织实施" not in series_page


@pytest.mark.django_db
def test_listing_series_runs_a_constant_number_of_queries(client, tree, section, make_course):
    def queries():
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(tree["library"].url, {"kind": "series"}).status_code == 200
        return len(ctx.captured_queries)

    course = make_course(title="一门课", duration_seconds=60)
    for n in range(2):
        make_series(section, [course], title=f"系列甲{n}")
    few = queries()
    for n in range(8):
        make_series(section, [course, make_course(title=f"另一门课{n}")], title=f"系列乙{n}")
    assert queries() == few


@pytest.mark.django_db
def test_the_navigation_links_to_the_index_of_series(client, tree, section, courses):
    make_series(section, courses)
    page = client.get("/").content.decode()
    assert f'href="{tree["library"].url}?kind=series"' in page and "系列课程" in page


# -- the search -------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_the_search_finds_series_by_title_words(client, section, courses):
    make_series(section, courses, tags=["必修"])
    for query in ("必修系列", "新入职辅导员必修系列"):
        response = client.get("/search/", {"q": query})
        results = response.context["search"].results
        assert results and results[0].title == "新入职辅导员必修系列" and results[0].kind == "series", query
        assert "系列微课" in response.content.decode()
    found = client.get("/api/search/", {"q": "必修系列", "kind": "series"}).json()["results"]
    assert [r["title"] for r in found] == ["新入职辅导员必修系列"]


@pytest.mark.django_db
def test_a_course_that_goes_private_or_offline_no_longer_finds_the_series(client, section, courses):
    make_series(section, courses)

    def found(q):
        return [r["title"] for r in client.get("/api/search/", {"q": q, "kind": "series"}).json()["results"]]

    assert found("谈心谈话") == ["新入职辅导员必修系列"]
    PageViewRestriction.objects.create(page=courses[1], restriction_type=PageViewRestriction.PASSWORD, password="x")
    assert found("谈心谈话") == []
    assert found("心理危机") == ["新入职辅导员必修系列"]
    courses[2].unpublish()
    assert found("心理危机") == []
    courses[0].delete()
    assert found("入学教育") == [] and found("必修系列") == ["新入职辅导员必修系列"]


@pytest.mark.django_db
def test_a_draft_or_private_series_is_not_found(client, section, courses):
    make_series(section, courses).unpublish()
    private = make_series(section, courses, title="仅内部可见的必修系列")
    PageViewRestriction.objects.create(page=private, restriction_type=PageViewRestriction.PASSWORD, password="x")
    assert client.get("/api/search/", {"q": "必修系列"}).json()["results"] == []
    assert client.get("/library/", {"kind": "series"}).context["library"]["total"] == 0


# -- the API ----------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_the_api_lists_series_like_other_resources(client, section, courses):
    series = make_series(section, courses, tags=["必修"])
    courses[0].unpublish()
    make_series(section, courses, title="草稿系列").unpublish()
    response = client.get("/api/v2/pages/", {"type": "microcourses.CourseSeriesPage", "fields": "*"})
    [item] = response.json()["items"]
    assert item["id"] == series.pk and item["center_code"] == "bnu" and item["tag_names"] == ["必修"]
    assert [c["id"] for c in item["course_list"]] == [courses[1].pk, courses[2].pk]
    assert item["course_count"] == 2 and item["total_duration_seconds"] == 2400
    assert item["total_learning_hours"] == 2.0 and "popularity" in item
    assert "新生入学教育的组织实施" not in response.content.decode()
    # Among all resources too.
    listing = client.get("/api/v2/pages/", {"type": "resources.ResourcePage"}).json()
    assert series.pk in [i["id"] for i in listing["items"]]


@pytest.mark.django_db
def test_the_api_listing_of_series_runs_a_constant_number_of_queries(client, section, make_course):
    def queries():
        with CaptureQueriesContext(connection) as ctx:
            response = client.get(
                "/api/v2/pages/",
                {"type": "microcourses.CourseSeriesPage", "fields": "course_list,course_count,total_duration_seconds"},
            )
            assert response.status_code == 200
        return len(ctx.captured_queries)

    course = make_course(title="一门课", duration_seconds=60)
    make_series(section, [course], title="系列甲")
    few = queries()
    for n in range(6):
        make_series(section, [course, make_course(title=f"课{n}")], title=f"系列乙{n}")
    assert queries() == few


# -- the migration ----------------------------------------------------------------------------------

BEFORE = [("microcourses", "0006_alter_seriestag_options")]


def migrate(targets):
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)
    ContentType.objects.clear_cache()
    # Warm again: a later test restoring the database's serialized rows (serialized_rollback) must not
    # create content types of its own while it saves them (UNIQUE constraint failed).
    ContentType.objects.get_for_models(*global_apps.get_models(), for_concrete_models=False)


def latest():
    # Every app's latest migration: going back to microcourses 0006 also unapplied the apps built on
    # it (programs), which the later tests need.
    return MigrationExecutor(connection).loader.graph.leaf_nodes()


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_the_migration_keeps_every_series_with_its_page_id_fields_items_and_revisions(client, section, courses):
    series = make_series(section, courses, tags=["必修", "新入职"], summary="按顺序学习五门课")
    package = CoursePackagePage(title="入门套餐", slug="rumen")
    package.items = [PackageItem(target=series, sort_order=0)]
    section.add_child(instance=package)
    package.save_revision().publish()
    url, published_revision = series.url, series.live_revision_id
    # A draft with other values, not published yet.
    series.summary = "草稿中的摘要"
    series.tags.add("草稿标签")
    draft = series.save_revision()

    migrate(BEFORE)
    old = MigrationExecutor(connection).loader.project_state(BEFORE).apps
    OldSeries, OldTag = old.get_model("microcourses", "CourseSeriesPage"), old.get_model("microcourses", "SeriesTag")
    row = OldSeries.objects.get(pk=series.pk)
    assert (row.summary, row.center_id) == ("按顺序学习五门课", section.center.pk)
    assert sorted(OldTag.objects.filter(content_object_id=series.pk).values_list("tag__name", flat=True)) == [
        "必修",
        "新入职",
    ]
    assert not old.get_model("resources", "ResourcePage").objects.filter(pk=series.pk).exists()
    # The revisions as the old model wrote them: no fields of ResourcePage that a series did not have.
    for revision in Revision.objects.filter(object_id=str(series.pk)):
        revision.content = {k: v for k, v in revision.content.items() if k not in ("body", "capabilities")}
        revision.content["page_ptr"] = series.pk
        revision.save(update_fields=["content"])

    migrate(latest())
    global_apps.clear_cache()

    series = CourseSeriesPage.objects.get(pk=series.pk)
    assert ResourcePage.objects.get(pk=series.pk).specific_class is CourseSeriesPage
    assert (series.title, series.summary, series.center, series.url) == (
        "新入职辅导员必修系列",
        "按顺序学习五门课",
        section.center,
        url,
    )
    assert sorted(t.name for t in series.tags.all()) == ["必修", "新入职"]
    assert [item.course_id for item in series.live_items()] == [c.pk for c in courses]
    assert series.live_revision_id == published_revision and series.has_unpublished_changes
    assert PackageItem.objects.get(page=package).target_id == series.pk
    assert CoursePackagePage.objects.get(pk=package.pk).item_list[0]["courses"] == [c.pk for c in courses]

    # The old revisions load, and the draft publishes.
    preview = Revision.objects.get(pk=draft.pk).as_object()
    assert isinstance(preview, CourseSeriesPage) and preview.summary == "草稿中的摘要"
    assert sorted(t.name for t in preview.tags.all()) == ["必修", "新入职", "草稿标签"]
    Revision.objects.get(pk=draft.pk).publish()
    series = CourseSeriesPage.objects.get(pk=series.pk)
    assert series.summary == "草稿中的摘要" and not series.has_unpublished_changes
    assert sorted(t.name for t in series.tags.all()) == ["必修", "新入职", "草稿标签"]
    assert [item.course_id for item in series.items.all()] == [c.pk for c in courses]

    response = client.get(url)
    assert response.status_code == 200 and "草稿中的摘要" in response.content.decode()
    assert client.get("/library/", {"kind": "series"}).context["library"]["total"] == 1
    found = client.get("/api/search/", {"q": "必修系列", "kind": "series"}).json()["results"]
    assert [r["title"] for r in found] == ["新入职辅导员必修系列"]
    assert Page.objects.get(pk=series.pk).specific_class is CourseSeriesPage


@pytest.mark.django_db
def test_the_admins_preview_lists_the_courses_being_edited(section, courses):
    courses[2].unpublish()
    series = CourseSeriesPage(title="预览中的系列", slug="preview")
    series.items = [SeriesItem(course=c, sort_order=n) for n, c in enumerate([courses[1], courses[2], courses[0]])]
    assert [item.course for item in series.live_items()] == [courses[1], courses[0]]
    assert series.course_count == 2 and series.total_duration_seconds == 1500


@pytest.mark.django_db
def test_a_series_line_takes_capability_areas_and_a_body(tmp_path, tree, section):
    """The import (and so export_library's round trip) carries what a series holds as a resource."""
    import json

    from django.core.management import call_command

    from microcourses.models import CourseSeriesPage

    from . import factories

    factories.MicroCoursePageFactory(parent=section, slug="tanxin")
    line = {
        "kind": "series",
        "slug": "xinli-xilie",
        "title": "心理健康教育系列",
        "body": "第一段。\n\n第二段。",
        "center": section.center.code,
        "capability": ["mental_health"],
        "courses": ["tanxin"],
    }
    manifest = tmp_path / "manifest.jsonl"
    manifest.write_text(json.dumps(line, ensure_ascii=False) + "\n", encoding="utf-8")
    call_command("import_resources", str(manifest))
    series = CourseSeriesPage.objects.get(slug="xinli-xilie")
    assert [c.code for c in series.capabilities.all()] == ["mental_health"]
    assert [block.value.source for block in series.body] == ["<p>第一段。</p>", "<p>第二段。</p>"] or len(
        series.body
    ) == 2
