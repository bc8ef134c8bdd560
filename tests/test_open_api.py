"""The open API for other platforms (docs/api.md): resources with facet codes and labels, centers, experts,
filters, incremental sync, never a hidden page, CORS, ETag/304, the per-client rate limit, BASE_URL links."""

import datetime
from io import StringIO

import pytest

from django.core.cache import cache
from django.core.management import call_command
from django.utils import timezone

from wagtail.models import Page, PageViewRestriction, Site

from resources.models import CourseType, Requirement, Tier

from . import factories
from .test_queries import add_resources, query_count

BASE = "https://hub.example.edu.cn"


@pytest.fixture(autouse=True)
def base_url(settings):
    settings.WAGTAILADMIN_BASE_URL = BASE
    cache.clear()  # rate-limit counters of earlier tests
    yield
    cache.clear()


def items(client, url, **query):
    response = client.get(url, query)
    assert response.status_code == 200, response.content.decode()
    return response.json()["items"]


def titles(client, url="/api/v2/resources/", **query):
    return {row["title"] for row in items(client, url, **query)}


def restrict(page):
    return PageViewRestriction.objects.create(page=page, restriction_type=PageViewRestriction.PASSWORD, password="x")


@pytest.fixture
def library(tree, section, make_course):
    """A course with every facet, a second plain one, a case, a notice and a package, all open."""
    full = make_course(
        title="谈心谈话的技巧",
        capabilities=["mental_health"],
        stages=["new"],
        tags=["谈心谈话"],
        course_type=CourseType.objects.get(code="practice"),
        requirement=Requirement.objects.get(code="elective"),
        tier=Tier.objects.get(code="provincial"),
    )
    plain = make_course(title="理论学习课", capabilities=["ideology"], stages=["senior"])
    case = factories.CasePageFactory(
        parent=section, center=section.center, title="一次危机处置", capabilities=["crisis_response"]
    )
    notice = factories.PolicyDocumentPageFactory(parent=tree["notices"], title="关于培训的通知")
    return {"full": full, "plain": plain, "case": case, "notice": notice}


# -- rows: facets as codes and labels, absolute links -------------------------------------------------


@pytest.mark.django_db
def test_a_course_row_has_every_facet_as_code_and_label(client, library):
    [row] = items(client, "/api/v2/resources/", tag="谈心谈话")
    course = library["full"]
    assert row["id"] == course.pk and row["type"] == "microcourse" and row["type_label"] == "微课"
    assert row["capabilities"] == [{"code": "mental_health", "label": "心理健康教育"}]
    assert row["stages"] == [{"code": "new", "label": "新入职（1—3年）"}]
    assert row["course_type"] == {"code": "practice", "label": "实践教学"}
    assert row["requirement"] == {"code": "elective", "label": "选修课"}
    assert row["tier"] == {"code": "provincial", "label": "省级特色"}
    assert row["center"] == {"code": "bnu", "label": "北京师范大学中心"}
    assert row["tags"] == ["谈心谈话"]
    assert row["lecturer"] == {"id": course.lecturer_id, "name": course.lecturer.name}
    assert row["learning_hours"] == 0.5
    assert row["video"] == {"has_video": False, "duration_seconds": 600, "poster_url": None, "playlist_url": None}
    assert row["html_url"] == BASE + course.url
    assert row["detail_url"] == f"{BASE}/api/v2/resources/{course.pk}/"
    assert client.get(row["detail_url"].removeprefix(BASE)).json() == row


@pytest.mark.django_db
def test_every_kind_is_listed_with_the_facets_it_has(client, library, section):
    from .test_coursepackages import make_package

    make_package(section, [library["full"]], title="新辅导员套餐", center=section.center)
    rows = {row["title"]: row for row in items(client, "/api/v2/resources/")}
    assert set(rows) == {"谈心谈话的技巧", "理论学习课", "一次危机处置", "关于培训的通知", "新辅导员套餐"}
    package = rows["新辅导员套餐"]
    assert package["type"] == "package" and package["stages"] == [{"code": "new", "label": "新入职（1—3年）"}]
    assert titles(client, stage="new") == {"谈心谈话的技巧", "新辅导员套餐"}
    assert titles(client, type="package,policy") == {"新辅导员套餐", "关于培训的通知"}
    case = rows["一次危机处置"]
    assert (
        case["type"] == "case"
        and case["stages"] == []
        and case["course_type"] is None
        and case["video"]["has_video"] is False
    )
    assert rows["关于培训的通知"]["type"] == "policy"


# -- filters ------------------------------------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize(
    "query, expected",
    [
        ({"capability": "mental_health"}, {"谈心谈话的技巧"}),
        ({"capability": "mental_health,ideology"}, {"谈心谈话的技巧", "理论学习课"}),
        ({"stage": "senior"}, {"理论学习课"}),
        ({"course_type": "practice"}, {"谈心谈话的技巧"}),
        ({"requirement": "required"}, {"理论学习课"}),
        ({"tier": "provincial"}, {"谈心谈话的技巧"}),
        ({"center": "bnu", "type": "case"}, {"一次危机处置"}),
        ({"type": "policy"}, {"关于培训的通知"}),
        ({"type": "microcourse", "capability": "ideology", "stage": "senior"}, {"理论学习课"}),
        ({"capability": "ideology", "stage": "new"}, set()),
        ({"tag": "谈心谈话"}, {"谈心谈话的技巧"}),
        ({"has_video": "1"}, set()),
    ],
)
def test_filters_by_every_facet(client, library, query, expected):
    assert titles(client, **query) == expected


@pytest.mark.django_db
@pytest.mark.parametrize(
    "query, message",
    [
        ({"colour": "red"}, "不支持的参数“colour”"),
        ({"capability": "mars"}, "未知的能力方向代码“mars”"),
        ({"stage": "a b"}, "不是有效的代码"),
        ({"type": "video"}, "未知的资源类型“video”"),
        ({"capability": ",".join(f"c{i}" for i in range(21))}, "最多 20 个值"),
        ({"tag": "长" * 101}, "不能超过 100 个字符"),
        ({"limit": "101"}, "参数 limit 必须在 1 到 100 之间"),
        ({"limit": "0"}, "参数 limit 必须在 1 到 100 之间"),
        ({"offset": "100001"}, "参数 offset 必须在 0 到 100000 之间"),
        ({"offset": "-1"}, "必须是非负整数"),
        ({"offset": "9" * 40}, "不能超过 12 个字符"),
        ({"updated_since": "昨天"}, "ISO 8601"),
        ({"updated_since": "2026-13-45"}, "ISO 8601"),
        ({"order": "title"}, "参数 order 只能是"),
        ({"has_video": "yes"}, "参数 has_video 只能是 1 或 0"),
        ({"fields": "title"}, "参数 fields 只能是"),
    ],
)
def test_bad_parameters_get_a_chinese_400(client, tree, query, message):
    response = client.get("/api/v2/resources/", query)
    assert response.status_code == 400
    assert message in response.json()["message"]


@pytest.mark.django_db
def test_limits_and_pages(client, library):
    first = client.get("/api/v2/resources/", {"limit": 2}).json()
    assert first["meta"]["total_count"] == 4 and len(first["items"]) == 2
    nxt = first["meta"]["next"]
    assert nxt.startswith(BASE + "/api/v2/resources/?") and "offset=2" in nxt
    second = client.get(nxt.removeprefix(BASE)).json()
    assert second["meta"]["next"] is None
    ids = [r["id"] for r in first["items"] + second["items"]]
    assert ids == sorted(ids)  # stable order: by id
    ids_only = client.get("/api/v2/resources/", {"fields": "id", "limit": 1000}).json()
    assert [r["id"] for r in ids_only["items"]] == ids and set(ids_only["items"][0]) == {"id", "last_published_at"}
    assert client.get("/api/v2/resources/", {"fields": "id", "limit": 1001}).status_code == 400


# -- incremental sync -----------------------------------------------------------------------------------


@pytest.mark.django_db
def test_updated_since_lists_what_was_published_since_and_removals_show_in_the_id_listing(client, library):
    long_ago = timezone.now() - datetime.timedelta(days=30)
    Page.objects.filter(pk__in=[p.pk for p in library.values()]).update(last_published_at=long_ago)
    since = (timezone.now() - datetime.timedelta(days=1)).isoformat()
    assert titles(client, updated_since=since) == set()

    library["plain"].title = "理论学习课（修订）"
    library["plain"].save_revision().publish()
    assert titles(client, updated_since=since) == {"理论学习课（修订）"}
    # A date alone, a time with its zone written with a + that the query string turned into a space.
    assert titles(client, updated_since=timezone.localdate().isoformat()) == {"理论学习课（修订）"}
    assert client.get(f"/api/v2/resources/?updated_since={timezone.localdate()}T00:00:00+08:00").status_code == 200
    # Ordered by when they were published, then id, for paging through a sync.
    library["case"].save_revision().publish()
    rows = items(client, "/api/v2/resources/", updated_since=since, order="last_published_at")
    assert [r["title"] for r in rows] == ["理论学习课（修订）", "一次危机处置"]

    # Unpublished: gone from every listing; the id listing shows which ids to drop.
    library["case"].unpublish()
    ids = {r["id"] for r in items(client, "/api/v2/resources/", fields="id", limit=1000)}
    assert library["case"].pk not in ids and library["full"].pk in ids
    assert client.get(f"/api/v2/resources/{library['case'].pk}/").status_code == 404
    # Wagtail's pages endpoint takes updated_since too.
    pages = items(client, "/api/v2/pages/", updated_since=since, type="microcourses.MicroCoursePage")
    assert [p["title"] for p in pages] == ["理论学习课（修订）"]


# -- never a hidden page ----------------------------------------------------------------------------------


@pytest.fixture
def hidden(tree, center, make_course):
    """A draft, a restricted course, and courses under an unpublished and a restricted section."""
    draft = make_course(title="草稿课", live=False)
    private = make_course(title="内部课")
    restrict(private)
    closed = factories.TrainingCenterFactory(code="closed", name="停用中心")
    under_unpublished = factories.MicroCoursePageFactory(parent=closed.section, center=closed, title="停用专区的课")
    closed.section.unpublish()
    guarded = factories.TrainingCenterFactory(code="guarded", name="内部中心")
    under_restricted = factories.MicroCoursePageFactory(parent=guarded.section, center=guarded, title="内部专区的课")
    restrict(guarded.section)
    series = factories.CourseSeriesPageFactory(parent=closed.section, title="停用专区的系列")
    factories.SeriesItemFactory(page=series, course=under_unpublished)
    open_series = factories.CourseSeriesPageFactory(parent=center.section, title="公开系列")
    return [draft, private, under_unpublished, under_restricted, series, open_series]


@pytest.mark.django_db
def test_no_hidden_page_in_any_listing_or_detail(client, django_user_model, hidden, make_course):
    visible = make_course(title="公开课")
    draft, private, under_unpublished, under_restricted, series, open_series = hidden
    secret = {"草稿课", "内部课", "停用专区的课", "内部专区的课", "停用专区的系列"}
    # Signed in as an editor, or with a page's password entered: the API answers the same.
    client.force_login(django_user_model.objects.create_superuser("editor", "", "pw"))
    assert titles(client) == {"公开课", "公开系列"}  # a series is a library resource
    assert {r["id"] for r in items(client, "/api/v2/resources/", fields="id")} == {visible.pk, open_series.pk}
    pages = titles(client, "/api/v2/pages/", limit=100)
    assert pages.isdisjoint(secret) and {"公开课", "公开系列"} <= pages
    assert titles(client, "/api/v2/pages/", type="microcourses.CourseSeriesPage") == {"公开系列"}
    for page in (draft, private, under_unpublished, under_restricted, series):
        assert client.get(f"/api/v2/resources/{page.pk}/").status_code == 404
        assert client.get(f"/api/v2/pages/{page.pk}/").status_code == 404
    assert client.get(f"/api/v2/pages/{visible.pk}/").json()["meta"]["html_url"] == BASE + visible.url
    # Centers and experts count only open courses.
    centers = {c["code"]: c for c in items(client, "/api/v2/centers/")}
    assert centers["bnu"]["resource_count"] == 1 and centers["closed"]["resource_count"] == 0
    assert centers["closed"]["html_url"] is None and centers["guarded"]["html_url"] is None
    assert centers["bnu"]["html_url"] == BASE + visible.get_parent().url
    experts = {e["id"]: e for e in items(client, "/api/v2/experts/", limit=100)}
    assert experts[draft.lecturer_id]["course_count"] == 0
    assert experts[visible.lecturer_id]["course_count"] == 1
    assert items(client, f"/api/v2/experts/{under_restricted.lecturer_id}/courses/") == []
    assert items(client, "/api/v2/experts/", center="guarded") == []


# -- centers and experts --------------------------------------------------------------------------------


@pytest.mark.django_db
def test_centers_and_experts(client, library, center):
    [row] = items(client, "/api/v2/centers/")
    assert row["id"] == center.pk and row["code"] == "bnu" and row["name"] == "北京师范大学中心"
    assert row["resource_count"] == 3 and row["resources_url"] == BASE + "/api/v2/resources/?center=bnu"
    assert client.get(f"/api/v2/centers/{center.pk}/").json() == row
    assert items(client, "/api/v2/centers/", province="上海市") == []

    lecturer = library["full"].lecturer
    expert = client.get(f"/api/v2/experts/{lecturer.pk}/").json()
    assert expert["name"] == lecturer.name and expert["level"] == {"code": "national", "label": "国家级"}
    assert expert["course_count"] == 1 and expert["centers"] == ["bnu"]
    courses = items(client, f"/api/v2/experts/{lecturer.pk}/courses/")
    assert [c["title"] for c in courses] == ["谈心谈话的技巧"]
    assert {e["name"] for e in items(client, "/api/v2/experts/", level="national", center="bnu")} == {
        lecturer.name,
        library["plain"].lecturer.name,
    }
    assert client.get("/api/v2/experts/", {"level": "galactic"}).status_code == 400
    assert client.get("/api/v2/experts/999999/").status_code == 404
    assert client.get("/api/v2/centers/99999999999999999999/").status_code == 404
    assert client.get("/api/v2/experts/999999/").json()["message"].startswith("未找到")


# -- no per-row queries --------------------------------------------------------------------------------


def add(tree, section, n):
    add_resources(tree, section, n)
    for _ in range(n):
        factories.TrainingCenterFactory()


QUERY_URLS = [
    "/api/v2/resources/?limit=100",
    "/api/v2/resources/?fields=id&limit=1000",
    "/api/v2/resources/?capability=mental_health&stage=new&type=microcourse&has_video=0&limit=100",
    "/api/v2/centers/?limit=100",
    "/api/v2/experts/?limit=100",
    "/api/v2/pages/?limit=100&fields=*&type=microcourses.MicroCoursePage",
]


@pytest.fixture(scope="module")
def query_counts(django_db_setup, django_db_blocker):
    """Each listing's queries with 2 rows of each kind and with 10: one library, built once for all the
    listings (building it is most of the cost), in a transaction rolled back at once (no test sees it)."""
    from django.db import transaction
    from django.test import Client, override_settings

    from resources.structure import ensure_site_structure

    client = Client()
    with django_db_blocker.unblock(), override_settings(WAGTAILADMIN_BASE_URL=BASE), transaction.atomic():
        _, _, notices = ensure_site_structure()
        tree = {"notices": notices}
        section = factories.TrainingCenterFactory(code="bnu", name="北京师范大学中心").section
        add(tree, section, 2)
        few = {url: query_count(client, url) for url in QUERY_URLS}
        add(tree, section, 8)
        counts = {url: (few[url], query_count(client, url)) for url in QUERY_URLS}
        transaction.set_rollback(True)
    return counts


@pytest.mark.parametrize("url", QUERY_URLS)
def test_queries_do_not_grow_with_rows(db, query_counts, url):
    # `db` orders it with the database tests, before the transactional ones that empty the tables
    # (pytest-django runs tests without a database marker last), so the site's tree is there to build on.
    few, many = query_counts[url]
    assert few == many, f"{url}: {few} queries with 2 of each, {many} with 10"


# -- HTTP: caching headers, CORS, rate limit --------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize("url", ["/api/v2/resources/", "/api/v2/pages/", "/api/v2/centers/", "/api/search/?q=谈心"])
def test_etag_and_304(client, library, url):
    response = client.get(url)
    etag = response["ETag"]
    assert etag.startswith('"') and not etag.startswith("W/")
    assert "public" in response["Cache-Control"] and "max-age=60" in response["Cache-Control"]
    assert client.get(url)["ETag"] == etag  # from the content: the same answer, the same tag
    again = client.get(url, HTTP_IF_NONE_MATCH=etag)
    assert again.status_code == 304 and again.content == b"" and again["ETag"] == etag
    assert client.get(url, HTTP_IF_NONE_MATCH='"other"').status_code == 200


@pytest.mark.django_db
def test_a_change_changes_the_etag_and_detail_has_last_modified(client, library):
    library["plain"].save_revision().publish()  # the factory's pages were never published by Wagtail
    url = f"/api/v2/resources/{library['plain'].pk}/"
    before = client.get(url)
    assert before["Last-Modified"]
    assert client.get(url, HTTP_IF_MODIFIED_SINCE=before["Last-Modified"]).status_code == 304
    library["plain"].title = "改过的标题"
    library["plain"].save_revision().publish()
    after = client.get(url, HTTP_IF_NONE_MATCH=before["ETag"])
    assert after.status_code == 200 and after.json()["title"] == "改过的标题"


@pytest.mark.django_db
def test_the_health_check_and_errors_are_not_made_cacheable(client, tree):
    health = client.get("/api/search/health/")
    assert "ETag" not in health and "public" not in health.get("Cache-Control", "")
    bad = client.get("/api/v2/resources/", {"limit": "x"})
    assert bad.status_code == 400 and "ETag" not in bad


@pytest.mark.django_db
def test_cors_allows_any_origin_to_read_the_api_only(client, tree):
    response = client.get("/api/v2/resources/", HTTP_ORIGIN="https://sheng.example.edu.cn")
    assert response["Access-Control-Allow-Origin"] == "*"
    assert "Access-Control-Allow-Credentials" not in response
    assert "ETag" in response["Access-Control-Expose-Headers"]
    preflight = client.options(
        "/api/search/",
        HTTP_ORIGIN="https://sheng.example.edu.cn",
        HTTP_ACCESS_CONTROL_REQUEST_METHOD="GET",
    )
    assert preflight.status_code == 200
    assert set(preflight["Access-Control-Allow-Methods"].replace(" ", "").split(",")) == {"GET", "HEAD", "OPTIONS"}
    assert client.post("/api/v2/resources/", HTTP_ORIGIN="https://sheng.example.edu.cn").status_code == 405
    page = client.get("/", HTTP_ORIGIN="https://sheng.example.edu.cn")
    assert "Access-Control-Allow-Origin" not in page


@pytest.mark.django_db
def test_each_client_is_limited_with_a_chinese_429(client, tree, settings):
    settings.OPENAPI_RATE = "3/minute"
    settings.TRUSTED_PROXIES = {"127.0.0.1"}
    one = {"HTTP_X_FORWARDED_FOR": "203.0.113.5"}
    for url in ("/api/v2/resources/", "/api/search/?q=谈心", "/api/v2/pages/"):
        assert client.get(url, **one).status_code == 200
    refused = client.get("/api/v2/centers/", HTTP_ORIGIN="https://sheng.example.edu.cn", **one)
    assert refused.status_code == 429
    assert "请求过于频繁" in refused.json()["message"]
    assert 1 <= int(refused["Retry-After"]) <= 60 and refused["Access-Control-Allow-Origin"] == "*"
    assert client.get("/api/search/?q=谈心", **one).status_code == 429
    # Another client (address) has its own count; pages outside the API are not counted.
    assert client.get("/api/v2/resources/", HTTP_X_FORWARDED_FOR="203.0.113.6").status_code == 200
    assert client.get("/", **one).status_code == 200


def test_a_bad_rate_setting_is_refused():
    from django.core.exceptions import ImproperlyConfigured

    from openapi.throttle import parse_rate

    assert parse_rate("600/minute") == (600, 60) and parse_rate("") is None
    for bad in ("600", "0/minute", "10/week", "99999999/second"):
        with pytest.raises(ImproperlyConfigured):
            parse_rate(bad)


# -- BASE_URL: the site record and html_url ---------------------------------------------------------------


@pytest.mark.django_db
def test_sync_site_sets_the_default_site_from_base_url(client, library, settings):
    Site.objects.filter(is_default_site=True).update(hostname="localhost", port=80, site_name="")
    out = StringIO()
    call_command("sync_site", stdout=out)
    site = Site.objects.get(is_default_site=True)
    assert (site.hostname, site.port, site.site_name) == ("hub.example.edu.cn", 443, settings.WAGTAIL_SITE_NAME)
    assert "hub.example.edu.cn:443" in out.getvalue()
    settings.WAGTAILADMIN_BASE_URL = "http://127.0.0.1:8000"
    call_command("sync_site", stdout=StringIO())
    assert Site.objects.values_list("hostname", "port").get(is_default_site=True) == ("127.0.0.1", 8000)
    settings.WAGTAILADMIN_BASE_URL = BASE
    call_command("sync_site", stdout=StringIO())
    course = library["full"]
    [row] = [r for r in items(client, "/api/v2/pages/", type="microcourses.MicroCoursePage") if r["id"] == course.pk]
    assert row["meta"]["html_url"] == BASE + course.url == f"{BASE}/library/bnu/{course.slug}/"
    assert client.get(f"/api/v2/pages/{course.pk}/").json()["meta"]["html_url"] == BASE + course.url


# -- video information -------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_video_information_gives_stable_gate_addresses_the_public_may_open(client, make_course, tmp_path, settings):
    from .videos import ready_video

    settings.MEDIA_ROOT = tmp_path / "media"
    video = ready_video(tmp_path, seconds=2)
    course = make_course(title="有视频的课", video=video)
    make_course(title="没有视频的课")
    assert titles(client, has_video="1") == {"有视频的课"}
    assert titles(client, has_video="0") == {"没有视频的课"}
    response = client.get(f"/api/v2/resources/{course.pk}/")
    info = response.json()["video"]
    assert info["has_video"] is True and info["duration_seconds"] == 2
    assert info["poster_url"] == BASE + video.poster_url and info["playlist_url"] == BASE + video.playlist_url
    # Anyone may open them (the course is live and public), and no signed, expiring address is in the API.
    assert client.get(info["poster_url"].removeprefix(BASE)).status_code == 200
    assert client.get(info["playlist_url"].removeprefix(BASE)).status_code == 200
    assert b"/media/p/" not in response.content and b"/media/s/" not in response.content
