"""Every page type renders for a reader, in Chinese, with what that page is for."""

import pytest

from wagtail.models import PageViewRestriction

from . import factories


@pytest.fixture
def course(make_course):
    return make_course(
        title="大学生心理危机的识别与早期干预",
        capabilities=["mental_health"],
        stages=["new", "experienced"],
        tags=["心理危机"],
        transcript="同学们好，今天讲心理危机。",
        duration_seconds=725,
    )


@pytest.mark.django_db
class TestPagesRender:
    def test_home_page(self, client, tree, course):
        case = factories.CasePageFactory(parent=tree["cases"], title="宿舍矛盾的化解")
        notice = factories.PolicyDocumentPageFactory(parent=tree["notices"], title="关于上传网络课程的通知")
        html = client.get("/").text
        assert '<html lang="zh-Hans"' in html
        for text in (course.title, case.title, notice.title, "心理健康教育", "学风建设", "理论和实践研究"):
            assert text in html
        assert "?capability=mental_health" in html

    def test_micro_course_page_renders_without_a_video(self, client, course):
        response = client.get(course.url)
        assert response.status_code == 200
        html = response.text
        for text in (course.title, course.lecturer.name, "心理健康教育", "新入职", "理论学习", "必修课", "12 分 5 秒"):
            assert text in html, text
        assert "同学们好，今天讲心理危机。" in html
        assert "视频即将上线" in html

    def test_case_page_shows_its_four_parts(self, client, section):
        case = factories.CasePageFactory(parent=section, center=section.center, capabilities=["crisis_response"])
        html = client.get(case.url).text
        for text in (
            "案例背景",
            "处理过程",
            "案例分析",
            "经验与反思",
            "学生A在期中考试后情绪低落。",
            "校园危机事件应对",
        ):
            assert text in html

    def test_policy_page_looks_like_a_disclosure_page(self, client, tree):
        policy = factories.PolicyDocumentPageFactory(
            parent=tree["notices"],
            title="教育部办公厅关于做好2023年高校思想政治工作队伍培训研修中心重点建设工作的通知",
            doc_number="教思政厅函〔2023〕5号",
            index_number="360A12-07-2023-0005-1",
            summary="教育部办公厅发布通知。",
        )
        html = client.get(policy.url).text
        for label, value in [
            ("信息名称", policy.title),
            ("信息索引", "360A12-07-2023-0005-1"),
            ("生成日期", "2023-05-05"),
            ("发文机构", "教育部办公厅"),
            ("发文字号", "教思政厅函〔2023〕5号"),
            ("信息类别", "高等教育"),
            ("内容概述", "教育部办公厅发布通知。"),
        ]:
            assert label in html and value in html
        # The metadata table comes before the body.
        assert html.index("信息索引") < html.index("<h1") or html.index("信息索引") < html.rindex(policy.title)

    def test_notice_index_lists_newest_first_and_filters_by_category(self, client, tree):
        factories.PolicyDocumentPageFactory(parent=tree["notices"], title="旧通知", publication_date="2022-01-01")
        factories.PolicyDocumentPageFactory(
            parent=tree["notices"], title="新通知", publication_date="2024-03-01", category="通知公告"
        )
        html = client.get(tree["notices"].url).text
        assert html.index("新通知") < html.index("旧通知")
        filtered = client.get(tree["notices"].url, {"category": "通知公告"}).text
        assert "新通知" in filtered and "旧通知" not in filtered

    def test_case_index_filters_by_capability(self, client, tree):
        factories.CasePageFactory(parent=tree["cases"], title="学业帮扶案例", capabilities=["study_style"])
        factories.CasePageFactory(parent=tree["cases"], title="网络舆情案例", capabilities=["online_education"])
        html = client.get(tree["cases"].url, {"capability": "study_style"}).text
        assert "学业帮扶案例" in html and "网络舆情案例" not in html

    def test_center_section_page(self, client, section, course):
        html = client.get(section.url).text
        assert section.center.name in html and course.title in html

    def test_series_page_lists_its_courses_in_order_and_courses_link_back(self, client, section, make_course):
        first, second, draft = (
            make_course(title="第一讲"),
            make_course(title="第二讲"),
            make_course(title="未发布讲", live=False),
        )
        series = factories.CourseSeriesPageFactory(parent=section, title="新入职必修系列")
        for course in (second, first, draft):
            factories.SeriesItemFactory(page=series, course=course)
        html = client.get(series.url).text
        assert html.index("第二讲") < html.index("第一讲")
        assert "未发布讲" not in html
        course_html = client.get(first.url).text
        assert "新入职必修系列" in course_html and "第 2 / 2 讲" in course_html.replace("\n", " ")

    def test_library_page(self, client, tree, course):
        html = client.get(tree["library"].url).text
        assert course.title in html and "共 1 条资源" in html.replace("\n", " ")


@pytest.mark.django_db
class TestAccess:
    def test_drafts_are_not_served(self, client, make_course):
        draft = make_course(title="草稿课程", live=False)
        assert client.get(draft.url_path.replace("/home", "", 1)).status_code == 404

    def test_private_pages_need_a_login(self, client, make_course):
        private = make_course(title="内部课程")
        PageViewRestriction.objects.create(page=private, restriction_type=PageViewRestriction.LOGIN)
        response = client.get(private.url)
        assert response.status_code == 302 and "login" in response["Location"]

    def test_unknown_pages_give_a_chinese_404(self, client, tree):
        response = client.get("/no-such-page/")
        assert response.status_code == 404
        assert "页面" in response.text


@pytest.mark.django_db
def test_case_index_pagination_keeps_the_filter(client, tree, settings):
    settings.LIBRARY_PAGE_SIZE = 3
    for i in range(7):
        factories.CasePageFactory(parent=tree["cases"], title=f"学风案例{i}", capabilities=["study_style"])
    factories.CasePageFactory(parent=tree["cases"], title="其他案例", capabilities=["research"])
    response = client.get(tree["cases"].url, {"capability": "study_style", "page": 3})
    pagination = response.context["pagination"]
    assert [link["number"] for link in pagination["links"]] == [1, 2, 3]
    assert pagination["previous"] == "?capability=study_style&page=2" and pagination["next"] is None
    assert "学风案例0" in response.text and "其他案例" not in response.text
    assert 'href="?capability=study_style&amp;page=2"' in response.text


def test_the_stylesheets_close_every_block():
    # A merge once left an @media block open, and everything after it (the header's account links)
    # applied only when printing.
    from pathlib import Path

    for sheet in Path(__file__).resolve().parent.parent.glob("site/**/static/**/*.css"):
        depth = 0
        for number, line in enumerate(sheet.read_text(encoding="utf-8").splitlines(), 1):
            depth += line.count("{") - line.count("}")
            assert depth >= 0, f"{sheet}:{number}"
        assert depth == 0, sheet
