"""The directory: the index of training centers, each center's page (its library section) with its
experts, the expert pool and each expert's page, lecturer links, and the library's 有视频 facet and
badges. Only live, public pages count anywhere; every list runs a fixed number of queries."""

import pytest

from django.db import connection
from django.test.utils import CaptureQueriesContext

from wagtail.models import PageViewRestriction

from media.models import Video
from resources.models import Expert

from . import factories

pytestmark = pytest.mark.django_db


def queries(client, url, params=None):
    client.get(url, params)  # warm per-process caches (content types, site root paths)
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url, params)
    assert response.status_code == 200
    return len(ctx.captured_queries)


def private(page):
    PageViewRestriction.objects.create(page=page, restriction_type=PageViewRestriction.LOGIN)
    return page


def video(ready=True, title="讲课视频"):
    """A Video row in the state the pipeline leaves (the real transcoding runs in test_ready_video_*)."""
    made = Video.objects.create(title=title, file=f"original_videos/{title}.mp4")
    if ready:
        Video.objects.filter(pk=made.pk).update(status=Video.Status.READY, hls_dir=f"hls/{made.pk}")
    else:
        Video.objects.filter(pk=made.pk).update(status=Video.Status.TRANSCODING)
    return Video.objects.get(pk=made.pk)


# -- the index of centers ----------------------------------------------------------------


def test_centers_index_shows_every_center_with_its_facts_and_public_resource_count(client, center, make_course):
    make_course(title="公开课一")
    make_course(title="公开课二")
    make_course(title="草稿课", live=False)
    private(make_course(title="内部课"))
    factories.CasePageFactory(parent=center.section, center=center, title="公开案例")
    closed = factories.TrainingCenterFactory(
        code="sdu", name="山东大学中心", host_university="山东大学", theme="网络思政", province="山东省"
    )
    closed.section.unpublish()

    response = client.get("/centers/")
    assert response.status_code == 200
    html = response.text
    rows = {c.code: c for c in response.context["centers"]}
    assert rows["bnu"].resource_count == 3  # two courses and a case: not the draft, not the private one
    assert rows["bnu"].expert_count == 2
    assert f'href="{center.section.url}"' in html
    # A center whose section is not live still appears, with its facts, and no link to a dead page.
    assert "山东大学中心" in html and "网络思政" in html and "山东省" in html
    assert rows["sdu"].resource_count == 0 and rows["sdu"].live_section is None
    assert f'href="{closed.section.url}"' not in html
    assert "中心专区暂未开放" in html


def test_centers_index_runs_a_fixed_number_of_queries(client, tree):
    def add(n, start):
        for i in range(start, start + n):
            made = factories.TrainingCenterFactory(code=f"c{i}", name=f"中心{i}")
            factories.MicroCoursePageFactory(parent=made.section, center=made)
            factories.CasePageFactory(parent=made.section, center=made)

    add(2, 0)
    few = queries(client, "/centers/")
    add(12, 2)
    many = queries(client, "/centers/")
    assert few == many, f"{few} queries for 2 centers, {many} for 14"


def test_center_page_shows_its_facts_resources_and_experts(client, center, make_course):
    lecturer = factories.ExpertFactory(name="王老师", title="教授")
    make_course(title="危机干预", lecturer=lecturer)
    make_course(title="草稿", lecturer=factories.ExpertFactory(name="只有草稿的老师"), live=False)
    private(make_course(title="内部", lecturer=factories.ExpertFactory(name="只有内部课的老师")))
    other = factories.TrainingCenterFactory(code="whu", name="武汉大学中心")
    factories.MicroCoursePageFactory(
        parent=other.section, center=other, lecturer=factories.ExpertFactory(name="他中心老师")
    )

    response = client.get(center.section.url)
    html = response.text
    assert response.status_code == 200
    assert "依托高校" in html and center.host_university in html and center.theme in html and center.province in html
    assert "危机干预" in html
    assert "本中心专家（1 位）" in html
    assert f'href="/experts/{lecturer.pk}/"' in html and "王老师" in html
    for hidden in ("只有草稿的老师", "只有内部课的老师", "他中心老师"):
        assert hidden not in html


def test_center_page_queries_do_not_grow_with_experts(client, center, make_course):
    for _ in range(2):
        make_course()
    few = queries(client, center.section.url)
    for _ in range(20):
        make_course()  # each with its own lecturer
    many = queries(client, center.section.url)
    assert few == many


# -- the expert pool ----------------------------------------------------------------------


def test_pool_lists_experts_and_links_only_those_with_public_courses(client, make_course):
    taught = factories.ExpertFactory(name="李老师", organisation="北京大学")
    make_course(lecturer=taught)
    waiting = factories.ExpertFactory(name="赵老师")
    make_course(lecturer=waiting, live=False)

    response = client.get("/experts/")
    html = response.text
    assert response.status_code == 200
    assert "李老师" in html and "北京大学" in html and "公开课程 1 门" in html
    assert f'href="/experts/{taught.pk}/"' in html
    # The 师资库 is public, but a page that would list nothing is not made: no link, and no page.
    assert "赵老师" in html and "暂无公开课程" in html
    assert f'href="/experts/{waiting.pk}/"' not in html
    assert client.get(f"/experts/{waiting.pk}/").status_code == 404


def test_pool_filters_by_center_and_level(client, center, make_course):
    national = factories.ExpertFactory(name="国家级老师", level=Expert.Level.NATIONAL)
    provincial = factories.ExpertFactory(name="省级老师", level=Expert.Level.PROVINCIAL)
    make_course(lecturer=national)
    make_course(lecturer=provincial)
    other = factories.TrainingCenterFactory(code="whu", name="武汉大学中心")
    factories.MicroCoursePageFactory(
        parent=other.section, center=other, lecturer=factories.ExpertFactory(name="他中心老师")
    )

    def names(params):
        return [e.name for e in client.get("/experts/", params).context["experts"]]

    assert set(names({"center": "bnu"})) == {"国家级老师", "省级老师"}
    assert names({"center": "bnu", "level": "provincial"}) == ["省级老师"]
    assert names({"center": "whu"}) == ["他中心老师"]
    # Unknown values are said, not errors: everything is shown.
    response = client.get("/experts/", {"center": "nowhere", "level": "cosmic"})
    assert response.status_code == 200
    assert "没有找到所选的培训研修中心" in response.text and "没有这个师资级别" in response.text
    assert len(response.context["experts"]) == 3
    # The filter is a plain GET form with a submit button: it works without JavaScript.
    html = client.get("/experts/").text
    assert 'method="get"' in html and 'name="center"' in html and 'name="level"' in html and 'type="submit"' in html
    assert '<label for="expert-center">' in html


def test_pool_pages_are_bounded(client, make_course):
    for i in range(30):
        factories.ExpertFactory(name=f"专家甲{i:02d}")
    response = client.get("/experts/")
    assert len(response.context["experts"]) == 24
    assert response.context["experts"].paginator.num_pages == 2
    for page in ("999999", "abc", "-1"):
        assert client.get("/experts/", {"page": page}).status_code == 200


def test_pool_runs_a_fixed_number_of_queries(client, make_course):
    for _ in range(2):
        make_course()
    few = queries(client, "/experts/")
    for _ in range(20):
        make_course()
    many = queries(client, "/experts/")
    assert few == many


# -- an expert's page -----------------------------------------------------------------------


def test_expert_page_shows_facts_and_only_live_public_courses(client, center, make_course):
    expert = factories.ExpertFactory(
        name="陈老师", title="副教授", organisation="华东师范大学", bio="长期从事心理健康教育。"
    )
    make_course(title="公开的课", lecturer=expert)
    make_course(title="草稿的课", lecturer=expert, live=False)
    private(make_course(title="内部的课", lecturer=expert))

    response = client.get(f"/experts/{expert.pk}/")
    html = response.text
    assert response.status_code == 200
    for fact in ("陈老师", "副教授", "华东师范大学", "国家级", "长期从事心理健康教育。", center.name):
        assert fact in html
    assert "公开的课" in html
    assert "草稿的课" not in html and "内部的课" not in html
    assert "主讲课程（1 门）" in html
    assert client.get("/experts/999999/").status_code == 404
    assert client.get("/experts/" + "9" * 40 + "/").status_code == 404


def test_expert_page_runs_a_fixed_number_of_queries(client, make_course):
    expert = factories.ExpertFactory(name="多课老师")
    for _ in range(2):
        make_course(lecturer=expert, capabilities=["mental_health"], stages=["new"], tags=["甲"])
    url = f"/experts/{expert.pk}/"
    few = queries(client, url)
    for _ in range(20):
        make_course(lecturer=expert, capabilities=["mental_health"], stages=["new"], tags=["甲"])
    many = queries(client, url)
    assert few == many


# -- lecturer links --------------------------------------------------------------------------


def test_lecturer_names_link_to_the_expert_page(client, tree, make_course):
    expert = factories.ExpertFactory(name="周老师")
    course = make_course(title="谈心谈话", lecturer=expert)
    link = f'href="/experts/{expert.pk}/"'
    assert link in client.get(course.url).text  # the course page
    assert link in client.get(tree["library"].url).text  # the library card


def test_a_private_course_does_not_link_to_a_page_that_does_not_exist(admin_client, make_course):
    expert = factories.ExpertFactory(name="吴老师")
    course = private(make_course(title="仅校内", lecturer=expert))
    html = admin_client.get(course.url).text
    assert "吴老师" in html
    assert f'href="/experts/{expert.pk}/"' not in html


# -- 有视频: the facet and the badges ------------------------------------------------------------


def video_option(response):
    facet = next(f for f in response.context["library"]["facets"] if f.name == "video")
    return {o.code: o for o in facet.options}["yes"]


def test_video_facet_counts_and_filters_courses_with_a_playable_video(client, tree, make_course):
    make_course(title="有视频的课", video=video())
    make_course(title="转码中的课", video=video(ready=False, title="转码中"))
    make_course(title="没有视频的课")
    factories.CasePageFactory(parent=tree["cases"], title="案例")

    response = client.get(tree["library"].url)
    assert video_option(response).count == 1
    assert 'name="video" value="yes"' in response.text  # a checkbox of the plain GET form
    filtered = client.get(tree["library"].url, {"video": "yes"})
    assert [item.title for item in filtered.context["library"]["page"]] == ["有视频的课"]
    assert "视频：有视频" in filtered.text  # the active filter, removable
    assert filtered.context["library"]["total"] == 1
    # Counts follow the other facets, as every facet's do.
    assert video_option(client.get(tree["library"].url, {"kind": "case"})).count == 0
    assert client.get(tree["library"].url, {"video": "nonsense"}).context["library"]["total"] == 0


def test_library_cards_say_whether_a_course_has_a_video(client, tree, make_course):
    make_course(title="有视频的课", video=video())
    make_course(title="没有视频的课")
    html = client.get(tree["library"].url).text
    assert html.count('data-testid="video-badge"') == 2
    assert ">有视频</span>" in html and ">无视频</span>" in html


def publish(page):
    page.save_revision().publish()  # the search index follows publishing (search.signal_handlers)
    return page


def test_search_cards_say_whether_a_course_has_a_video(client, make_course):
    publish(make_course(title="心理危机干预有视频", video=video()))
    publish(make_course(title="心理危机干预无视频"))
    html = client.get("/search/", {"q": "心理危机"}).text
    assert html.count('data-testid="video-badge"') == 2
    assert ">有视频</span>" in html and ">无视频</span>" in html


def test_video_facet_and_badges_keep_the_library_queries_constant(client, tree, make_course):
    def add(start, stop):
        for i in range(start, stop):
            publish(make_course(title=f"谈心谈话{i}", video=video(title=f"v{i}")))
            publish(make_course(title=f"谈心谈话无视频{i}"))

    add(0, 2)
    few = queries(client, tree["library"].url, {"video": "yes"})
    few_found = queries(client, "/search/", {"q": "谈心谈话"})
    add(2, 22)
    assert queries(client, tree["library"].url, {"video": "yes"}) == few
    assert queries(client, "/search/", {"q": "谈心谈话"}) == few_found


def test_ready_video_from_the_real_pipeline_counts(client, tree, make_course, tmp_path):
    from .videos import ready_video

    make_course(title="真实转码的课", video=ready_video(tmp_path, seconds=1))
    response = client.get(tree["library"].url, {"video": "yes"})
    assert [item.title for item in response.context["library"]["page"]] == ["真实转码的课"]


def test_library_sorts_by_most_watched_with_the_video_facet(client, tree, make_course):
    from resources.models import ResourceStats

    quiet = make_course(title="少人看", video=video(title="a"))
    busy = make_course(title="多人看", video=video(title="b"))
    ResourceStats.objects.update_or_create(page=busy, defaults={"views": 50, "viewers": 40})
    ResourceStats.objects.update_or_create(page=quiet, defaults={"views": 5, "viewers": 2})
    response = client.get(tree["library"].url, {"video": "yes", "sort": "popular"})
    assert [item.title for item in response.context["library"]["page"]] == ["多人看", "少人看"]
    assert '<a href="?video=yes&amp;sort=popular" aria-current="true">最多观看</a>' in response.text


# -- navigation ----------------------------------------------------------------------------


def test_site_navigation_links_the_centers_and_the_pool(client, tree):
    html = client.get("/").text
    assert '<a href="/centers/">培训中心</a>' in html
    assert '<a href="/experts/">师资库</a>' in html
    assert '<a href="/experts/" aria-current="page">师资库</a>' in client.get("/experts/").text


def test_expert_photo_is_shown_to_anyone(client, make_course):
    import re

    from wagtail.images import get_image_model
    from wagtail.images.tests.utils import get_test_image_file

    photo = get_image_model().objects.create(title="照片", file=get_test_image_file())
    expert = factories.ExpertFactory(name="孙老师", photo=photo)
    make_course(lecturer=expert)
    html = client.get(f"/experts/{expert.pk}/").text
    (tag,) = [t for t in re.findall(r"<img[^>]*>", html) if 'alt="孙老师"' in t]
    url = re.search(r'src="([^"]+)"', tag).group(1)
    assert client.get(url).status_code == 200  # anonymous: the 师资库's photos are public
