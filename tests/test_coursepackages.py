"""Course packages (课程套餐): the centers' recommended packages as a library kind (totals, facets, search, API,
admin), the counselors' own packages and favourites (forms without JavaScript, limits, forged ids, their data),
and constant query counts on every listing."""

import itertools
from datetime import timedelta
from decimal import Decimal

import pytest

from django.contrib.messages import get_messages
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from wagtail.models import PageViewRestriction

from coursepackages.exports import personal_data
from coursepackages.models import CoursePackagePage, Favourite, PackageItem, PersonalPackage, PersonalPackageItem
from learning.models import CourseProgress
from resources.models import CareerStage

from . import factories
from .test_permissions import edit_data

SLUGS = itertools.count()


def make_package(parent, targets, title="新入职辅导员心理育人课程套餐", stages=("new",), publish=True, **kwargs):
    page = CoursePackagePage(title=title, slug=f"package-{next(SLUGS)}", live=publish, **kwargs)
    page.items = [PackageItem(target=target, sort_order=n) for n, target in enumerate(targets)]
    page.stages = list(CareerStage.objects.filter(code__in=stages))
    parent.add_child(instance=page)
    if publish:
        page.save_revision().publish()
    page.refresh_from_db()
    return page


def make_series(section, courses, title="心理育人系列"):
    series = factories.CourseSeriesPageFactory(parent=section, title=title, center=section.center)
    for n, course in enumerate(courses):
        factories.SeriesItemFactory(page=series, course=course, sort_order=n)
    return series


def private(page):
    PageViewRestriction.objects.create(page=page, restriction_type=PageViewRestriction.PASSWORD, password="x")
    return page


def draft(page):
    page.unpublish()
    return page


def message(response):
    """The message this response added (earlier ones stay queued when a test does not follow redirects)."""
    return [str(m) for m in get_messages(response.wsgi_request)][-1]


@pytest.fixture
def counselor(db):
    return factories.CounselorFactory(username="li")


@pytest.fixture
def signed_in(client, counselor):
    client.force_login(counselor)
    return client


@pytest.fixture
def catalogue(make_course, section, tree):
    """Three live courses, a series (of the second and a fourth course), a draft, a private course and a case."""
    a = make_course(title="谈心谈话的技巧", duration_seconds=600, learning_hours="0.50", stages=["new"])
    b = make_course(title="心理危机的识别", duration_seconds=900, learning_hours="1.00", stages=["new"])
    c = make_course(title="网络舆情的引导", duration_seconds=1200, learning_hours="1.50", stages=["senior"])
    d = make_course(title="学业帮扶的方法", duration_seconds=300, learning_hours="0.25")
    return {
        "a": a,
        "b": b,
        "c": c,
        "d": d,
        "series": make_series(section, [b, d]),
        "draft": draft(make_course(title="尚未发布的草稿课")),
        "private": private(make_course(title="仅内部可见的课")),
        "case": factories.CasePageFactory(parent=tree["cases"], title="一次心理危机的处置"),
    }


# -- recommended packages: totals, library, search, API ------------------------------------------------


@pytest.mark.django_db
def test_totals_count_live_public_courses_once_with_the_counselors_progress(section, catalogue, counselor):
    c = catalogue
    package = make_package(section, [c["a"], c["series"], c["b"], c["draft"], c["private"]])
    now = timezone.now()
    CourseProgress.objects.create(
        user=counselor, course=c["a"], duration=600, watched_seconds=600, progress=1, completed_at=now
    )
    CourseProgress.objects.create(user=counselor, course=c["b"], duration=900, watched_seconds=450, progress=0.5)

    resolved = package.resolved(user=counselor)
    # a, the series' b and d, b again: three courses, b counted once.
    assert resolved.course_count == 3
    assert resolved.total_seconds == 600 + 900 + 300
    assert resolved.total_hours == Decimal("1.75")
    assert resolved.completed_count == 1 and resolved.hours_completed == Decimal("0.50")
    assert resolved.watched_seconds == 1050 and resolved.watched_percent == 58
    kinds = [entry.kind for entry in resolved.entries]
    assert kinds == ["microcourse", "series", "microcourse", None, None]  # the draft and the private: offline
    series = resolved.entries[1]
    assert series.course_count == 2 and series.seconds == 1200 and series.completed == 0
    assert package.total_duration_seconds == 1800 and package.total_learning_hours == 1.75


@pytest.mark.django_db
def test_the_package_page_shows_items_totals_progress_and_hides_offline_items(client, section, catalogue, counselor):
    c = catalogue
    package = make_package(section, [c["a"], c["draft"], c["series"]])
    page = client.get(package.url).content.decode()
    assert "谈心谈话的技巧" in page and "心理育人系列" in page and "尚未发布的草稿课" not in page
    assert "登录后以此套餐为起点" in page and "总学时" in page

    CourseProgress.objects.create(
        user=counselor, course=c["a"], duration=600, watched_seconds=600, progress=1, completed_at=timezone.now()
    )
    client.force_login(counselor)
    page = client.get(package.url).content.decode()
    assert "以此套餐为起点" in page and "已完成 1 / 3" in page


@pytest.mark.django_db
def test_the_library_lists_packages_as_a_kind_and_the_stage_facet_counts_them(client, tree, section, catalogue):
    make_package(section, [catalogue["a"]], title="新入职辅导员入门套餐", stages=("new",))
    make_package(section, [catalogue["c"]], title="资深辅导员研修套餐", stages=("senior",))

    response = client.get(tree["library"].url)
    facets = {f.name: {o.code: o.count for o in f.options} for f in response.context["library"]["facets"]}
    assert facets["kind"]["package"] == 2
    # Courses a and b (new) and one package; c (senior) and one package.
    assert facets["stage"]["new"] == 3 and facets["stage"]["senior"] == 2
    assert "课程套餐" in response.content.decode()

    response = client.get(tree["library"].url, {"stage": "new", "kind": "package"})
    assert [item.title for item in response.context["library"]["page"]] == ["新入职辅导员入门套餐"]
    response = client.get(tree["library"].url, {"stage": "senior"})
    assert {item.title for item in response.context["library"]["page"]} == {"网络舆情的引导", "资深辅导员研修套餐"}


@pytest.mark.django_db
def test_search_finds_a_package_by_a_chinese_word_of_its_title(client, section, catalogue):
    make_package(section, [catalogue["a"]], title="辅导员职业生涯规划套餐")
    response = client.get("/search/", {"q": "职业生涯"})
    [result] = response.context["search"].results
    assert result.title == "辅导员职业生涯规划套餐" and result.kind == "package"
    assert "课程套餐" in response.content.decode()
    response = client.get("/api/search/", {"q": "职业生涯", "stage": "new"})
    assert [r["title"] for r in response.json()["results"]] == ["辅导员职业生涯规划套餐"]
    # Found by the titles of its live items too, never by a draft's.
    make_package(section, [catalogue["c"], catalogue["draft"]], title="研修套餐")
    found = [r["title"] for r in client.get("/api/search/", {"q": "网络舆情", "kind": "package"}).json()["results"]]
    assert found == ["研修套餐"]
    assert client.get("/api/search/", {"q": "草稿课", "kind": "package"}).json()["results"] == []


@pytest.mark.django_db
def test_the_api_lists_a_package_with_its_live_public_items_only(client, section, catalogue):
    c = catalogue
    make_package(section, [c["a"], c["draft"], c["private"], c["series"]])
    make_package(section, [c["a"]], title="尚未发布的套餐", publish=False)
    response = client.get("/api/v2/pages/", {"type": "coursepackages.CoursePackagePage", "fields": "*"})
    [item] = response.json()["items"]
    assert item["stage_codes"] == ["new"]
    assert [(i["id"], i["type"]) for i in item["item_list"]] == [(c["a"].pk, "microcourse"), (c["series"].pk, "series")]
    assert item["item_list"][1]["courses"] == [c["b"].pk, c["d"].pk]
    assert item["total_duration_seconds"] == 1800 and item["total_learning_hours"] == 1.75
    assert "尚未发布的草稿课" not in response.content.decode()


# -- the admin --------------------------------------------------------------------------------------


def package_form(title, slug, targets):
    data = edit_data(CoursePackagePage(title=title, slug=slug, summary=""))
    data.update(
        {
            "items-TOTAL_FORMS": str(len(targets)),
            "items-INITIAL_FORMS": "0",
            "items-MIN_NUM_FORMS": "1",
            "items-MAX_NUM_FORMS": "1000",
        }
    )
    for n, target in enumerate(targets):
        data[f"items-{n}-target"] = str(target.pk)
        data[f"items-{n}-ORDER"] = str(n + 1)
    return data


@pytest.mark.django_db
def test_an_editor_creates_a_package_in_the_own_section_only_and_only_of_courses(client, centers, people, tree):
    a, b = centers
    course = factories.MicroCoursePageFactory(parent=a.section, center=a, title="谈心谈话")
    case = factories.CasePageFactory(parent=tree["cases"], title="一个案例")
    client.force_login(people["editor_a"])
    form = client.get(f"/admin/pages/add/coursepackages/coursepackagepage/{a.section.pk}/")
    assert form.status_code == 200 and "套餐中的微课或系列微课" in form.content.decode()
    # Editors learn that the totals are computed, from live, public courses only.
    assert "总时长和总学时按其中已发布、公开的课程自动计算" in form.content.decode()

    response = client.post(
        f"/admin/pages/add/coursepackages/coursepackagepage/{a.section.pk}/", package_form("套餐", "p1", [case])
    )
    assert response.status_code == 200 and not CoursePackagePage.objects.exists()
    assert "套餐中只能加入微课或系列微课" in response.content.decode()

    response = client.post(
        f"/admin/pages/add/coursepackages/coursepackagepage/{b.section.pk}/", package_form("套餐", "p2", [course])
    )
    assert response.status_code in (302, 403) and not CoursePackagePage.objects.exists()
    if response.status_code == 302:
        assert "/admin/pages/add/" not in response["Location"]

    response = client.post(
        f"/admin/pages/add/coursepackages/coursepackagepage/{a.section.pk}/", package_form("套餐", "p3", [course])
    )
    assert response.status_code == 302
    page = CoursePackagePage.objects.get(slug="p3")
    assert page.center == a and not page.live and page.target_ids() == [course.pk]


def test_personal_packages_are_not_in_the_admin():
    from wagtail.admin.viewsets import viewsets

    assert not any(getattr(v, "model", None) in (PersonalPackage, Favourite) for v in viewsets.viewsets)


# -- the counselor's packages: flows without JavaScript -------------------------------------------------


def add(client, page, **extra):
    return client.post("/me/packages/add/", {"page": page.pk if hasattr(page, "pk") else page, **extra})


@pytest.mark.django_db
def test_add_creates_my_package_redirects_back_and_says_so(signed_in, counselor, catalogue):
    c = catalogue
    response = add(signed_in, c["a"], next="/library/?stage=new")
    assert response.status_code == 302 and response["Location"] == "/library/?stage=new"
    assert message(response) == "已加入课程套餐“我的课程套餐”。"
    package = PersonalPackage.objects.get(user=counselor)
    assert package.title == "我的课程套餐"

    response = add(signed_in, c["a"], next="/library/")
    assert message(response) == "课程套餐“我的课程套餐”中已有这门课程。"
    add(signed_in, c["series"])
    add(signed_in, c["c"])
    assert list(package.items.values_list("target_id", flat=True)) == [c["a"].pk, c["series"].pk, c["c"].pk]

    # A `next` elsewhere is ignored: back to the package.
    response = add(signed_in, c["b"], next="https://evil.example/")
    assert response["Location"] == f"/me/packages/{package.pk}/"

    page = signed_in.get(f"/me/packages/{package.pk}/")
    assert page["Cache-Control"] == "private, no-store"
    text = page.content.decode()
    assert "谈心谈话的技巧" in text and "心理育人系列" in text and "总学时" in text


@pytest.mark.django_db
def test_move_remove_rename_delete(signed_in, counselor, catalogue):
    c = catalogue
    for key in ("a", "b", "c"):
        add(signed_in, c[key])
    package = PersonalPackage.objects.get(user=counselor)
    third = package.items.get(target=c["c"])

    response = signed_in.post(f"/me/packages/{package.pk}/items/{third.pk}/up/")
    assert response.status_code == 302
    assert list(package.items.values_list("target_id", flat=True)) == [c["a"].pk, c["c"].pk, c["b"].pk]
    signed_in.post(f"/me/packages/{package.pk}/items/{third.pk}/up/")
    signed_in.post(f"/me/packages/{package.pk}/items/{third.pk}/up/")  # already first: stays
    assert list(package.items.values_list("target_id", flat=True)) == [c["c"].pk, c["a"].pk, c["b"].pk]
    signed_in.post(f"/me/packages/{package.pk}/items/{third.pk}/down/")
    assert list(package.items.values_list("target_id", flat=True)) == [c["a"].pk, c["c"].pk, c["b"].pk]
    assert signed_in.post(f"/me/packages/{package.pk}/items/{third.pk}/sideways/").status_code == 404

    signed_in.post(f"/me/packages/{package.pk}/items/{third.pk}/remove/")
    assert list(package.items.values_list("target_id", flat=True)) == [c["a"].pk, c["b"].pk]

    response = signed_in.post(f"/me/packages/{package.pk}/rename/", {"title": "新学期  学习计划"})
    package.refresh_from_db()
    assert package.title == "新学期 学习计划"
    response = signed_in.post(f"/me/packages/{package.pk}/rename/", {"title": "长" * 61})
    assert message(response) == "套餐名称不能超过 60 个字。"
    response = signed_in.post(f"/me/packages/{package.pk}/rename/", {"title": "   "})
    assert message(response) == "请填写套餐名称。"
    package.refresh_from_db()
    assert package.title == "新学期 学习计划"

    assert signed_in.get(f"/me/packages/{package.pk}/delete/").status_code == 405
    signed_in.post(f"/me/packages/{package.pk}/delete/")
    assert not PersonalPackage.objects.exists() and not PersonalPackageItem.objects.exists()


@pytest.mark.django_db
def test_several_packages_the_page_offers_a_choice_and_adds_to_the_chosen_one(signed_in, counselor, catalogue):
    c = catalogue
    signed_in.post("/me/packages/new/", {"title": "第一学期"})
    signed_in.post("/me/packages/new/", {"title": "第二学期"})
    first, second = PersonalPackage.objects.order_by("pk")
    page = signed_in.get(c["a"].url).content.decode()
    assert '<select id="package-choice' in page and "第一学期" in page and "第二学期" in page
    add(signed_in, c["a"], package=first.pk)
    assert list(first.items.values_list("target_id", flat=True)) == [c["a"].pk]
    # Without a choice: the package used last.
    add(signed_in, c["b"])
    assert list(first.items.values_list("target_id", flat=True)) == [c["a"].pk, c["b"].pk]
    assert not second.items.exists()


@pytest.mark.django_db
def test_copy_a_recommended_package_then_change_it(signed_in, counselor, section, catalogue):
    c = catalogue
    recommended = make_package(section, [c["a"], c["draft"], c["series"]], title="推荐：新入职套餐")
    response = signed_in.post("/me/packages/copy/", {"page": recommended.pk})
    package = PersonalPackage.objects.get(user=counselor)
    assert response["Location"] == f"/me/packages/{package.pk}/"
    assert package.title == "推荐：新入职套餐" and package.source == recommended
    assert list(package.items.values_list("target_id", flat=True)) == [c["a"].pk, c["series"].pk]
    add(signed_in, c["c"])
    assert package.items.count() == 3 and recommended.target_ids() == [c["a"].pk, c["draft"].pk, c["series"].pk]

    draft_package = make_package(section, [c["a"]], title="草稿套餐", publish=False)
    response = signed_in.post("/me/packages/copy/", {"page": draft_package.pk})
    assert message(response) == "只能复制已发布的推荐课程套餐。"
    response = signed_in.post("/me/packages/copy/", {"page": c["a"].pk})
    assert message(response) == "只能复制已发布的推荐课程套餐。"
    assert PersonalPackage.objects.count() == 1


@pytest.mark.django_db
def test_an_item_that_went_offline_is_shown_as_such_and_not_counted(signed_in, counselor, catalogue):
    c = catalogue
    add(signed_in, c["a"])
    add(signed_in, c["c"])
    draft(c["c"])
    package = PersonalPackage.objects.get(user=counselor)
    text = signed_in.get(f"/me/packages/{package.pk}/").content.decode()
    assert "该课程已下线" in text and "网络舆情的引导" not in text and "0 / 1" in text


@pytest.mark.django_db
def test_favourites_toggle_and_list(signed_in, counselor, catalogue):
    c = catalogue
    response = signed_in.post("/me/favourites/toggle/", {"page": c["a"].pk, "next": c["a"].url})
    assert response["Location"] == c["a"].url and message(response) == "已收藏。"
    signed_in.post("/me/favourites/toggle/", {"page": c["series"].pk})
    text = signed_in.get("/me/favourites/").content.decode()
    assert "谈心谈话的技巧" in text and "心理育人系列" in text and "取消收藏" in text
    assert "已收藏" in signed_in.get(c["a"].url).content.decode()
    response = signed_in.post("/me/favourites/toggle/", {"page": c["a"].pk})
    assert message(response) == "已取消收藏。"
    assert list(Favourite.objects.values_list("target_id", flat=True)) == [c["series"].pk]


# -- who may do what, forged ids and limits --------------------------------------------------------


@pytest.mark.django_db
def test_anonymous_visitors_are_sent_to_sign_in_and_store_nothing(client, catalogue):
    response = client.get("/me/packages/")
    assert response.status_code == 302 and "/accounts/login/?next=/me/packages/" in response["Location"]
    assert client.post("/me/packages/add/", {"page": catalogue["a"].pk}).status_code == 302
    assert client.post("/me/favourites/toggle/", {"page": catalogue["a"].pk}).status_code == 302
    assert not PersonalPackage.objects.exists() and not Favourite.objects.exists()
    page = client.get(catalogue["a"].url).content.decode()
    assert "登录后加入套餐" in page
    library = client.get("/library/").content.decode()
    assert "加入套餐" not in library


@pytest.mark.django_db
@pytest.mark.parametrize("which", ["draft", "private", "case", "missing", "garbage"])
def test_forged_page_ids_are_refused_in_chinese_and_nothing_is_stored(signed_in, catalogue, which):
    value = {"missing": 987654, "garbage": "1 OR 1=1"}.get(which) or catalogue[which].pk
    response = add(signed_in, value, next="/library/")
    assert response.status_code == 302 and response["Location"] == "/library/"
    assert message(response) in ("只能加入已发布的微课或系列微课。", "请求无效：缺少课程编号。")
    response = signed_in.post("/me/favourites/toggle/", {"page": value})
    assert message(response) in ("只能加入已发布的微课或系列微课。", "请求无效：缺少课程编号。")
    assert not PersonalPackage.objects.exists() and not PersonalPackageItem.objects.exists()
    assert not Favourite.objects.exists()


@pytest.mark.django_db
def test_another_counselors_package_is_a_404_and_unchanged(signed_in, catalogue):
    other = factories.CounselorFactory(username="wang")
    theirs = PersonalPackage.objects.create(user=other, title="王老师的套餐")
    item = PersonalPackageItem.objects.create(package=theirs, target=catalogue["a"], position=1)
    for url in (f"/me/packages/{theirs.pk}/",):
        assert signed_in.get(url).status_code == 404
    for url, data in (
        (f"/me/packages/{theirs.pk}/rename/", {"title": "改掉"}),
        (f"/me/packages/{theirs.pk}/items/{item.pk}/remove/", {}),
        (f"/me/packages/{theirs.pk}/items/{item.pk}/up/", {}),
        (f"/me/packages/{theirs.pk}/delete/", {}),
        ("/me/packages/add/", {"page": catalogue["b"].pk, "package": theirs.pk}),
    ):
        assert signed_in.post(url, data).status_code == 404, url
    theirs.refresh_from_db()
    assert theirs.title == "王老师的套餐" and list(theirs.items.values_list("target_id", flat=True)) == [
        catalogue["a"].pk
    ]
    assert not PersonalPackage.objects.exclude(pk=theirs.pk).exists()


@pytest.mark.django_db
def test_limits_are_enforced_with_a_message(signed_in, counselor, catalogue, settings):
    c = catalogue
    settings.COURSEPACKAGES_MAX_ITEMS = 2
    settings.COURSEPACKAGES_MAX_PACKAGES = 2
    settings.COURSEPACKAGES_MAX_FAVOURITES = 1
    add(signed_in, c["a"])
    add(signed_in, c["b"])
    response = add(signed_in, c["c"])
    assert message(response) == "一个套餐最多包含 2 门课程或系列，请新建一个套餐。"
    assert PersonalPackageItem.objects.count() == 2

    signed_in.post("/me/packages/new/", {"title": "第二个"})
    response = signed_in.post("/me/packages/new/", {"title": "第三个"})
    assert message(response) == "最多可以保存 2 个课程套餐，请先删除不用的套餐。"
    assert PersonalPackage.objects.count() == 2

    signed_in.post("/me/favourites/toggle/", {"page": c["a"].pk})
    response = signed_in.post("/me/favourites/toggle/", {"page": c["b"].pk})
    assert message(response) == "最多可以收藏 1 门课程，请先取消一些收藏。"
    assert Favourite.objects.count() == 1


# -- the counselor's data ----------------------------------------------------------------------------


@pytest.mark.django_db
def test_the_data_export_has_packages_and_favourites_and_deleting_the_account_removes_them(
    signed_in, counselor, catalogue
):
    add(signed_in, catalogue["a"])
    add(signed_in, catalogue["series"])
    signed_in.post("/me/favourites/toggle/", {"page": catalogue["b"].pk})
    data = personal_data(counselor)
    [package] = data["packages"]
    assert package["title"] == "我的课程套餐"
    assert [i["title"] for i in package["items"]] == ["谈心谈话的技巧", "心理育人系列"]
    assert [f["title"] for f in data["favourites"]] == ["心理危机的识别"]
    assert personal_data(factories.CounselorFactory(username="wang")) == {"packages": [], "favourites": []}

    counselor.delete()
    assert not PersonalPackage.objects.exists() and not PersonalPackageItem.objects.exists()
    assert not Favourite.objects.exists()


# -- constant query counts ---------------------------------------------------------------------------


def query_count(client, url):
    client.get(url)
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200
    return len(ctx.captured_queries)


@pytest.mark.django_db
def test_listings_take_the_same_queries_for_12_and_20_items_for_a_signed_in_counselor(
    signed_in, counselor, tree, section, make_course, settings
):
    # Every row on one page: which kinds a page happens to hold must not change the count (a kind's prefetch
    # is skipped when no row of it is on the page, and PostgreSQL sorts unpublished dates first).
    settings.LIBRARY_PAGE_SIZE = 50

    def grow(n):
        for _ in range(n):
            course = make_course(stages=["new"], capabilities=["mental_health"])
            add(signed_in, course)
            signed_in.post("/me/favourites/toggle/", {"page": course.pk})
        make_package(section, [course], title="新入职套餐")

    grow(12)
    package = PersonalPackage.objects.get(user=counselor)
    urls = [tree["library"].url, "/search/?q=谈心谈话", f"/me/packages/{package.pk}/", "/me/favourites/"]
    few = [query_count(signed_in, url) for url in urls]
    grow(8)
    many = [query_count(signed_in, url) for url in urls]
    assert few == many, list(zip(urls, few, many, strict=True))
    assert "已加入套餐" in signed_in.get(tree["library"].url).content.decode()


@pytest.mark.django_db
def test_a_package_pages_queries_do_not_grow_with_items(client, counselor, section, make_course):
    courses = [make_course(duration_seconds=60) for _ in range(12)]
    small = make_package(section, courses[:3], title="小套餐")
    big = make_package(section, courses, title="大套餐")
    client.force_login(counselor)
    assert query_count(client, small.url) == query_count(client, big.url)


@pytest.mark.django_db
def test_progress_is_read_for_the_counselor_only(signed_in, counselor, catalogue):
    other = factories.CounselorFactory(username="wang")
    CourseProgress.objects.create(
        user=other, course=catalogue["a"], duration=600, watched_seconds=600, progress=1, completed_at=timezone.now()
    )
    add(signed_in, catalogue["a"])
    package = PersonalPackage.objects.get(user=counselor)
    text = signed_in.get(f"/me/packages/{package.pk}/").content.decode()
    assert "0 / 1" in text and "未开始" in text
    assert timedelta(0) <= timezone.now() - package.created_at
