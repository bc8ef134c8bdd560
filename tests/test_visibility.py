"""The one rule of what an anonymous visitor may see (access.visibility), which the feeds, the sitemap,
the head's tags and the open API share: every way a page hides, and a site with thousands of drafts
and restricted pages, where the sitemap and the API stay exact and their queries stay on the indexes."""

import pytest

from django.db import connection
from django.test.utils import CaptureQueriesContext

from wagtail.models import Page, PageViewRestriction

from access.visibility import is_public, open_pages, public
from microcourses.models import MicroCoursePage
from search import documents

from .test_search_scale import crowded  # noqa: F401 - the fixture

BASE = "https://hub.example.edu.cn"


@pytest.fixture(autouse=True)
def base_url(settings):
    settings.WAGTAILADMIN_BASE_URL = BASE


def restrict(page, kind=PageViewRestriction.LOGIN, **kwargs):
    PageViewRestriction.objects.create(page=page, restriction_type=kind, **kwargs)


@pytest.mark.django_db
def test_every_way_a_page_hides_and_every_helper_agrees(tree, section, make_course):
    shown = make_course(title="公开课")
    folder = section.add_child(instance=Page(title="公开栏目", slug="open-folder"))
    deep = make_course(parent=folder.add_child(instance=Page(title="公开子栏目", slug="sub")), title="深处的公开课")
    draft = make_course(title="草稿课", live=False)
    expired = make_course(title="过期课")
    MicroCoursePage.objects.filter(pk=expired.pk).update(live=False, expired=True)  # as publish_scheduled does
    restricted = make_course(title="内部课")
    restrict(restricted)
    unpublished = section.add_child(instance=Page(title="未发布栏目", slug="unpublished"))
    under_unpublished = make_course(parent=unpublished.add_child(instance=Page(title="子栏目", slug="a")))
    unpublished.unpublish()
    locked = section.add_child(instance=Page(title="加密栏目", slug="locked"))
    under_locked = make_course(parent=locked.add_child(instance=Page(title="子栏目", slug="b")))
    restrict(locked, PageViewRestriction.PASSWORD, password="secret")

    hidden = {draft, expired, restricted, unpublished, under_unpublished, locked, under_locked}
    visible = {shown, deep, folder, deep.get_parent(), section, *tree.values()}
    everything = Page.objects.exclude(depth=1)
    assert set(public(everything).values_list("pk", flat=True)) == {p.pk for p in visible}
    for page in Page.objects.filter(pk__in=[p.pk for p in hidden | visible]):
        assert is_public(page) == (page.pk in {p.pk for p in visible}), page.title
    assert set(open_pages(MicroCoursePage)) == {shown, deep}
    # The search index holds exactly the public resources (its rule, decided in Python).
    assert {pk for ids in documents.searchable_ids() for pk in ids} == {shown.pk, deep.pk}


@pytest.mark.django_db
def test_is_public_costs_one_query_and_is_remembered_for_the_request(rf, make_course):
    course = make_course(title="公开课")
    request = rf.get("/")
    with CaptureQueriesContext(connection) as queries:
        assert is_public(course, request) and is_public(course, request)
    assert len(queries) == 1
    preview = rf.get("/")
    preview.is_preview = True
    assert not is_public(course, preview)


def plan(queryset):
    sql, params = queryset.query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute(f"EXPLAIN QUERY PLAN {sql}", params)
        return [row[-1] for row in cursor.fetchall()]


@pytest.mark.django_db
def test_thousands_of_drafts_and_restrictions_sitemap_and_api_stay_exact(client, tree, crowded):  # noqa: F811
    section = crowded["public"].get_parent()
    expected = {BASE + p.url for p in (*tree.values(), section, crowded["public"])}

    with CaptureQueriesContext(connection) as queries:
        response = client.get("/sitemap.xml")
    assert response.status_code == 200  # Wagtail's .public() made SQLite refuse past ~1,000 restrictions
    locations = set(response.content.decode().split("<loc>")[1:])
    assert {loc.split("</loc>")[0] for loc in locations} == expected
    assert len(queries) < 10
    # Nothing in the statements grows with the number of drafts or restrictions.
    assert max(len(q["sql"]) for q in queries.captured_queries) < 5_000

    resources = client.get("/api/v2/resources/", {"limit": 100}).json()
    assert [r["title"] for r in resources["items"]] == ["心理危机干预的公开课"]
    assert resources["meta"]["total_count"] == 1
    pages = client.get("/api/v2/pages/", {"limit": 100}).json()
    assert {p["title"] for p in pages["items"]} == {p.title for p in (*tree.values(), section, crowded["public"])}
    for page in (crowded["draft"], crowded["restricted"], crowded["hidden"]):
        assert client.get(f"/api/v2/resources/{page.pk}/").status_code == 404
        assert client.get(f"/api/v2/pages/{page.pk}/").status_code == 404
    locked = Page.objects.filter(slug__startswith="locked").first()
    assert client.get(f"/api/v2/pages/{locked.pk}/").status_code == 404
    assert not is_public(locked)


@pytest.mark.skipif(connection.vendor != "sqlite", reason="SQLite's EXPLAIN QUERY PLAN")
@pytest.mark.django_db
def test_the_ancestor_test_searches_the_indexes_never_scans_the_pages(crowded):  # noqa: F811
    steps = plan(open_pages(MicroCoursePage))
    # The outer listing walks the pages once; each level's test is one lookup on the unique path index
    # and one on the restrictions' page index (the first version scanned every hiding page per row).
    assert sum(step.startswith("SCAN") for step in steps) == 1, steps
    lookups = [step for step in steps if step.startswith("SEARCH")]
    assert any("(path=?)" in step for step in lookups) and any("(page_id=?)" in step for step in lookups), steps
