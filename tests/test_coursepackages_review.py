"""Course packages under review: what a counselor must not learn or break (titles of courses the public no
longer sees, double clicks, malformed names) and what a screen reader hears."""

import re
import threading

import pytest

from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from wagtail.models import PageViewRestriction

from coursepackages import services
from coursepackages.exports import personal_data
from coursepackages.models import CoursePackagePage, Favourite, PersonalPackage

from . import factories
from . import test_coursepackages as base
from .test_coursepackages import add, draft, make_package, message, private

# The fixtures of tests/test_coursepackages.py.
catalogue, counselor, signed_in = base.catalogue, base.counselor, base.signed_in


def package_search(client, words):
    return [r["title"] for r in client.get("/api/search/", {"q": words, "kind": "package"}).json()["results"]]


@pytest.mark.django_db
@pytest.mark.parametrize("how", ["unpublished", "private", "section_private", "deleted"])
def test_a_package_is_no_longer_found_by_a_course_title_the_public_cannot_see(client, section, catalogue, how):
    c = catalogue
    if how == "section_private":
        # The course sits in another center's section, which is then restricted.
        other = factories.TrainingCenterFactory(code="ecnu", name="华东师范大学中心").section
        c["c"] = factories.MicroCoursePageFactory(parent=other, center=other.center, title="网络舆情的引导")
    make_package(section, [c["a"], c["c"]], title="研修套餐")
    assert package_search(client, "网络舆情") == ["研修套餐"]
    if how == "unpublished":
        draft(c["c"])
    elif how == "private":
        private(c["c"])
    elif how == "section_private":
        private(c["c"].get_parent())
    else:
        c["c"].delete()
    assert package_search(client, "网络舆情") == []
    assert package_search(client, "谈心谈话") == ["研修套餐"]
    if how == "private":
        PageViewRestriction.objects.filter(page=c["c"]).delete()
        assert package_search(client, "网络舆情") == ["研修套餐"]


@pytest.mark.django_db
def test_the_data_export_names_only_courses_the_public_still_sees(signed_in, counselor, catalogue):
    c = catalogue
    add(signed_in, c["a"])
    add(signed_in, c["c"])
    signed_in.post("/me/favourites/toggle/", {"page": c["b"].pk})
    private(c["c"])
    draft(c["b"])
    data = personal_data(counselor)
    items = data["packages"][0]["items"]
    assert [(i["page-id"], i["title"]) for i in items] == [(c["a"].pk, "谈心谈话的技巧"), (c["c"].pk, "")]
    assert [(f["page-id"], f["title"]) for f in data["favourites"]] == [(c["b"].pk, "")]
    assert "网络舆情的引导" not in str(data) and "心理危机的识别" not in str(data)


@pytest.mark.django_db
def test_a_copied_package_does_not_name_its_source_once_that_went_private(signed_in, counselor, section, catalogue):
    source = make_package(section, [catalogue["a"]], title="内部推荐套餐")
    signed_in.post("/me/packages/copy/", {"page": source.pk})
    package = PersonalPackage.objects.get(user=counselor)
    assert "复制自推荐套餐" in signed_in.get(f"/me/packages/{package.pk}/").content.decode()
    private(source)
    text = signed_in.get(f"/me/packages/{package.pk}/").content.decode()
    assert "复制自推荐套餐" not in text and source.url not in text


@pytest.mark.django_db
def test_a_double_click_on_favourite_keeps_the_favourite(signed_in, counselor, catalogue):
    page = signed_in.get(catalogue["a"].url).content.decode()
    assert re.search(r'name="favourite" value="1"', page)
    for _ in range(2):
        response = signed_in.post("/me/favourites/toggle/", {"page": catalogue["a"].pk, "favourite": "1"})
        assert message(response) == "已收藏。"
    assert Favourite.objects.filter(user=counselor).count() == 1
    for _ in range(2):
        response = signed_in.post("/me/favourites/toggle/", {"page": catalogue["a"].pk, "favourite": "0"})
        assert message(response) == "已取消收藏。"
    assert not Favourite.objects.exists()


@pytest.mark.django_db
@pytest.mark.parametrize("title", ["套餐\x00名称", "套餐\x07"])
def test_a_package_name_with_control_characters_is_refused_with_a_message(signed_in, counselor, catalogue, title):
    add(signed_in, catalogue["a"])
    package = PersonalPackage.objects.get(user=counselor)
    response = signed_in.post(f"/me/packages/{package.pk}/rename/", {"title": title})
    assert response.status_code == 302 and message(response) == "套餐名称中有无法显示的字符，请重新填写。"
    response = signed_in.post("/me/packages/new/", {"title": title})
    assert response.status_code == 302 and message(response) == "套餐名称中有无法显示的字符，请重新填写。"
    assert list(PersonalPackage.objects.values_list("title", flat=True)) == ["我的课程套餐"]


@pytest.mark.django_db
def test_every_button_names_its_course_and_the_items_are_under_a_heading(signed_in, counselor, catalogue, tree):
    c = catalogue
    add(signed_in, c["a"])
    add(signed_in, c["c"])
    draft(c["c"])
    package = PersonalPackage.objects.get(user=counselor)
    text = signed_in.get(f"/me/packages/{package.pk}/").content.decode()
    assert 'aria-label="下移“谈心谈话的技巧”"' in text and 'aria-label="移除“谈心谈话的技巧”"' in text
    # An offline item is named by its number, never by the title the public no longer sees.
    assert 'aria-label="上移“第 2 项（已下线）”"' in text and "网络舆情的引导" not in text
    assert text.index("<h1") < text.index("<h2") < text.index('data-testid="package-items"')

    library = signed_in.get(tree["library"].url).content.decode()
    assert '已加入套餐<span class="visually-hidden">：谈心谈话的技巧</span>' in library
    assert '收藏<span class="visually-hidden">：心理危机的识别</span>' in library
    c["a"].save_revision().publish()  # indexed for the search
    results = signed_in.get("/search/", {"q": "谈心谈话"}).content.decode()
    assert '已加入套餐<span class="visually-hidden">：谈心谈话的技巧</span>' in results


@pytest.mark.django_db
def test_the_api_resolves_the_items_of_a_listing_of_packages_together(client, section, catalogue):
    """`item_list` and the totals of 2 or 6 packages take the same queries. (The fields every resource has,
    capability areas, tags, attachments, stages, are still read per row by Wagtail's API, as for courses.)"""
    c = catalogue

    def count():
        with CaptureQueriesContext(connection) as ctx:
            response = client.get("/api/v2/pages/", {"type": "coursepackages.CoursePackagePage", "fields": "*"})
        items = response.json()["items"]
        assert all(len(item["item_list"]) == 2 and item["total_duration_seconds"] == 1800 for item in items)
        items_queries = [q for q in ctx.captured_queries if re.search(r"packageitem|microcourses_", q["sql"])]
        return len(items), len(items_queries)

    for n in range(2):
        make_package(section, [c["a"], c["draft"], c["series"]], title=f"套餐{n}")
    few = count()
    for n in range(2, 6):
        make_package(section, [c["series"], c["private"], c["a"]], title=f"套餐{n}")
    many = count()
    assert few[0] == 2 and many[0] == 6 and few[1] == many[1]


@pytest.mark.django_db
def test_huge_and_malformed_ids_are_a_404_or_a_message_never_a_500(signed_in, counselor, catalogue):
    add(signed_in, catalogue["a"])
    package = PersonalPackage.objects.get(user=counselor)
    huge = "9" * 30
    assert signed_in.get(f"/me/packages/{huge}/").status_code == 404
    assert signed_in.post(f"/me/packages/{package.pk}/items/{huge}/up/").status_code == 404
    assert signed_in.post(f"/me/packages/{package.pk}/items/{huge}/remove/").status_code == 404
    assert signed_in.post("/me/packages/add/", {"page": catalogue["b"].pk, "package": huge}).status_code == 404
    for value in (huge, "-1", "", "１２"):
        response = signed_in.post("/me/favourites/toggle/", {"page": value})
        assert response.status_code == 302
    response = signed_in.post("/me/packages/add/", {"page": [catalogue["b"].pk, huge]})
    assert response.status_code == 302 and message(response) == "请求无效：课程编号不正确。"
    assert list(package.items.values_list("target_id", flat=True)) == [catalogue["a"].pk]


@pytest.mark.skipif(connection.vendor != "postgresql", reason="SQLite has one writer at a time: no overlap")
# serialized_rollback: a transactional test empties the tables; restore what migrations seeded.
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
@pytest.mark.parametrize("what", ["package", "favourite"])
def test_two_tabs_at_the_same_moment_cannot_pass_a_limit(settings, make_course, what):
    """The second request waits for the first one's transaction (the counselor's row is locked), then
    counts what the first stored."""
    settings.COURSEPACKAGES_MAX_PACKAGES = 1
    settings.COURSEPACKAGES_MAX_FAVOURITES = 1
    user = factories.CounselorFactory(username="li")
    courses = [make_course(title="谈心谈话的技巧"), make_course(title="心理危机的识别")]

    def store(n):
        if what == "package":
            services.create_package(user, f"套餐{n}")
        else:
            services.toggle_favourite(user, courses[n].pk, "1")

    stored, release = threading.Event(), threading.Event()

    def first():
        try:
            with transaction.atomic():
                store(0)
                stored.set()
                release.wait(10)
        finally:
            connection.close()

    thread = threading.Thread(target=first)
    thread.start()
    assert stored.wait(10)
    threading.Timer(0.5, release.set).start()  # the first commits while the second waits on the lock
    with pytest.raises(services.Refused):
        store(1)
    thread.join()
    assert (PersonalPackage if what == "package" else Favourite).objects.count() == 1


@pytest.mark.django_db
def test_an_editor_cannot_put_another_centers_draft_into_a_package_by_its_id(client, centers, people, tree):
    a, b = centers
    theirs = factories.MicroCoursePageFactory(parent=b.section, center=b, title="乙中心尚未发布的课")
    theirs.unpublish()
    client.force_login(people["editor_a"])
    url = f"/admin/pages/add/coursepackages/coursepackagepage/{a.section.pk}/"
    response = client.post(url, base.package_form("套餐", "p-forged", [theirs]))
    assert response.status_code == 200 and not CoursePackagePage.objects.exists()
    text = response.content.decode()
    assert "其他中心尚未公开的页面不能被引用" in text and "乙中心尚未发布的课" not in text
