"""The public surfaces of issue 15 reviewed as an attacker would use them: the directory, the open API,
the feeds and sitemap and the page cache must never show a draft, a private page, or a page under an
unpublished or restricted section, whatever parameters or headers a visitor sends."""

import pytest

from django.test import override_settings

from wagtail.models import PageViewRestriction

from . import factories

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def page_cache_on(settings):
    """As deployed: the page cache on (the suite turns it off, hub.settings.test)."""
    settings.PAGECACHE_ENABLED = True


@pytest.fixture
def hidden_section(tree):
    """A center whose section of the library is unpublished, with a live course inside it."""
    closed = factories.TrainingCenterFactory(code="sdu", name="山东大学中心")
    expert = factories.ExpertFactory(name="隐藏讲师")
    course = factories.MicroCoursePageFactory(
        parent=closed.section, center=closed, title="未开放专区里的课", lecturer=expert
    )
    closed.section.unpublish()
    course.refresh_from_db()
    assert course.live  # Wagtail's unpublish of the section leaves the course live
    return {"center": closed, "expert": expert, "course": course}


# -- the directory ---------------------------------------------------------------------------------


def test_expert_page_does_not_exist_for_a_course_under_an_unpublished_section(client, hidden_section):
    response = client.get(f"/experts/{hidden_section['expert'].pk}/")
    assert response.status_code == 404


def test_expert_pool_does_not_count_or_name_courses_under_an_unpublished_section(client, hidden_section):
    response = client.get("/experts/")
    assert response.status_code == 200
    rows = {e.pk: e for e in response.context["experts"]}
    assert rows[hidden_section["expert"].pk].course_count == 0
    assert f"/experts/{hidden_section['expert'].pk}/" not in response.text
    assert "未开放专区里的课" not in response.text


def test_expert_page_lists_only_courses_outside_hidden_sections(client, center, hidden_section):
    expert = hidden_section["expert"]
    factories.MicroCoursePageFactory(parent=center.section, center=center, title="公开的课", lecturer=expert)
    response = client.get(f"/experts/{expert.pk}/")
    assert response.status_code == 200
    assert "公开的课" in response.text
    assert "未开放专区里的课" not in response.text
    assert "山东大学中心" not in response.text


def test_centers_index_does_not_count_courses_under_an_unpublished_section(client, hidden_section):
    response = client.get("/centers/")
    rows = {c.code: c for c in response.context["centers"]}
    assert rows["sdu"].resource_count == 0 and rows["sdu"].expert_count == 0


# -- the open API ----------------------------------------------------------------------------------


@pytest.mark.parametrize("path", ["/api/v2/resources/", "/api/v2/pages/"])
@pytest.mark.parametrize(
    "since", ["0001-01-01", "0001-01-01T00:00:00+14:00", "9999-12-31T23:59:59-12:00", "2026-02-30", "x" * 40]
)
def test_updated_since_at_the_edges_of_the_calendar_is_a_400_not_a_server_error(client, tree, path, since):
    response = client.get(path, {"updated_since": since})
    assert response.status_code in (200, 400), response.content[:300]


PROBE = "/tmp/rs/probe"


def test_searching_the_pages_endpoint_finds_open_pages_only(client, center, hidden_section):
    factories.MicroCoursePageFactory(parent=center.section, center=center, title="公开的危机干预课")
    factories.MicroCoursePageFactory(parent=center.section, center=center, title="草稿的危机干预课", live=False)
    restricted = factories.MicroCoursePageFactory(parent=center.section, center=center, title="内部的危机干预课")
    PageViewRestriction.objects.create(page=restricted, restriction_type=PageViewRestriction.LOGIN)
    hidden = hidden_section["course"]
    hidden.title = "未开放的危机干预课"
    hidden.save_revision().publish()
    hidden_section["center"].section.unpublish()

    for query in ("危机干预", "%00", "x" * 300):
        response = client.get("/api/v2/pages/", {"search": query, "type": "microcourses.MicroCoursePage"})
        assert response.status_code in (200, 400), response.content[:300]
    titles = [item["title"] for item in client.get("/api/v2/pages/", {"search": "危机干预"}).json()["items"]]
    assert titles == ["公开的危机干预课"]
    wrong = client.get("/api/v2/pages/", {"search": "危机干预", "search_operator": "xor"})
    assert wrong.status_code == 400 and "search_operator" in wrong.json()["message"]
    either = client.get("/api/v2/pages/", {"search": "危机干预 不存在的词", "search_operator": "or"})
    assert [item["title"] for item in either.json()["items"]] == ["公开的危机干预课"]
    ordered = client.get("/api/v2/pages/", {"search": "危机干预", "order": "-id", "fields": "title"})
    assert [item["title"] for item in ordered.json()["items"]] == ["公开的危机干预课"]


@pytest.mark.parametrize("value", ["x", "2026-13-01", "0001-01-01 00:00", "0001-01-01T00:00:00+14:00"])
def test_a_field_filter_with_a_value_the_field_cannot_hold_is_a_400(client, center, value):
    factories.MicroCoursePageFactory(parent=center.section, center=center)
    response = client.get("/api/v2/pages/", {"type": "microcourses.MicroCoursePage", "first_published_at": value})
    assert response.status_code == 400, response.content[:300]


# -- feeds and sitemap, through the page cache -----------------------------------------------------


@pytest.mark.parametrize("url", ["/feeds/resources/", "/feeds/notices/atom/", "/feeds/area/mental_health/"])
def test_feeds_are_served_and_cached_for_anonymous_visitors(client, center, url):
    factories.MicroCoursePageFactory(parent=center.section, center=center, capabilities=["mental_health"])
    first = client.get(url)
    assert first.status_code == 200 and first.get("X-Cache") == "MISS"
    assert client.get(url).get("X-Cache") == "HIT"


def test_an_unpublished_course_vanishes_at_once_from_cached_feeds_sitemap_and_api(client, center):
    course = factories.MicroCoursePageFactory(parent=center.section, center=center, title="即将撤下的课")
    pages = "/api/v2/pages/?type=microcourses.MicroCoursePage"
    urls = ["/feeds/resources/", "/sitemap.xml", "/api/v2/resources/", pages]
    for url in urls:
        client.get(url)
        assert client.get(url).get("X-Cache") == "HIT", url
    course.unpublish()
    for url in urls:
        response = client.get(url)
        assert response.get("X-Cache") != "HIT", url
        assert "即将撤下的课" not in response.content.decode() and course.url not in response.content.decode(), url


def test_feeds_and_sitemap_leave_out_a_course_under_an_unpublished_section(client, hidden_section):
    for url in ("/feeds/resources/", "/feeds/resources/atom/", "/sitemap.xml"):
        body = client.get(url).content.decode()
        assert "未开放专区里的课" not in body and hidden_section["course"].url not in body, url


# -- series and packages name only public courses (access.visibility) ------------------------------


def test_an_open_series_does_not_name_a_course_under_an_unpublished_section(client, center, hidden_section):
    series = factories.CourseSeriesPageFactory(parent=center.section, title="公开系列")
    factories.SeriesItemFactory(page=series, course=hidden_section["course"])
    response = client.get(f"/api/v2/pages/{series.pk}/")
    assert response.status_code == 200
    assert "未开放专区里的课" not in response.content.decode()


# -- the page cache: what anonymous visitors can make it store -----------------------------------------


def test_query_string_variations_never_grow_the_file_cache_past_its_bound(client, center, tmp_path):
    course = factories.MicroCoursePageFactory(parent=center.section, center=center)
    folder = tmp_path / "pagecache"
    config = {
        "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
        "LOCATION": str(folder),
        "OPTIONS": {"MAX_ENTRIES": 5},
    }
    with override_settings(PAGECACHE_CACHE=config, PAGECACHE_MAX_ENTRIES=5):
        states = [
            client.get(course.url, {"v": i}, HTTP_ACCEPT=f"text/html;q=0.{i % 9}").get("X-Cache") for i in range(40)
        ]
        files = list(folder.glob("*.djcache"))
    # Culling (FileBasedCache's MAX_ENTRIES) may drop the period's counter or the generation too, so a few
    # more copies than PAGECACHE_MAX_ENTRIES may be made over time; the files on disk stay within the bound.
    assert "HIT" not in states and len(files) <= 5


def test_a_password_protected_page_is_never_kept_nor_served_from_a_copy(client, center):
    course = factories.MicroCoursePageFactory(parent=center.section, center=center, title="密码保护的课")
    PageViewRestriction.objects.create(page=course, restriction_type=PageViewRestriction.PASSWORD, password="s3cret")
    for _ in range(2):
        response = client.get(course.url)
        assert response.get("X-Cache") is None and "密码保护的课" not in response.content.decode().split("<main")[-1]


def test_spoofed_forwarding_headers_neither_poison_nor_split_the_copy(client, center):
    course = factories.MicroCoursePageFactory(parent=center.section, center=center)
    client.get(course.url)
    spoofed = client.get(course.url, HTTP_X_FORWARDED_HOST="evil.example", HTTP_X_FORWARDED_PROTO="https")
    assert spoofed.get("X-Cache") == "HIT" and b"evil.example" not in spoofed.content


@override_settings(OPENAPI_RATE="3/minute", TRUSTED_PROXIES=set())
def test_x_forwarded_for_from_an_untrusted_peer_does_not_reset_the_api_rate(client, tree):
    codes = [
        client.get("/api/v2/centers/", REMOTE_ADDR="10.0.0.9", HTTP_X_FORWARDED_FOR=f"1.2.3.{i}").status_code
        for i in range(5)
    ]
    assert codes == [200, 200, 200, 429, 429]


def test_cors_only_on_the_api_and_never_with_credentials(client, tree):
    api = client.get("/api/v2/pages/", HTTP_ORIGIN="https://other.example")
    assert api["Access-Control-Allow-Origin"] == "*" and not api.has_header("Access-Control-Allow-Credentials")
    for url in ("/", "/sitemap.xml", "/feeds/resources/", "/experts/"):
        assert not client.get(url, HTTP_ORIGIN="https://other.example").has_header("Access-Control-Allow-Origin"), url
