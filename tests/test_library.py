"""The menu-style library: facets filter, combine, count, paginate, and never leak drafts."""

import pytest

from django.db import connection
from django.test.utils import CaptureQueriesContext

from wagtail.models import PageViewRestriction

from . import factories


def facet(response, name):
    return {o.code: o for o in next(f for f in response.context["library"]["facets"] if f.name == name).options}


def titles(response):
    return {item.title for item in response.context["library"]["page"]}


@pytest.fixture
def courses(make_course, tree):
    return {
        "crisis_new": make_course(
            title="大学生心理危机的识别与早期干预", capabilities=["mental_health", "crisis_response"], stages=["new"]
        ),
        "crisis_senior": make_course(title="危机事件的舆情应对", capabilities=["crisis_response"], stages=["senior"]),
        "career_new": make_course(
            title="就业指导入门", capabilities=["career_guidance"], stages=["new", "experienced"], tags=["就业"]
        ),
        "case": factories.CasePageFactory(
            parent=tree["cases"],
            title="一次心理危机的处置",
            capabilities=["mental_health"],
        ),
        "policy": factories.PolicyDocumentPageFactory(parent=tree["notices"], title="关于做好培训工作的通知"),
    }


@pytest.mark.django_db
class TestFacets:
    def test_library_lists_every_kind_of_resource(self, client, tree, courses):
        response = client.get(tree["library"].url)
        assert response.status_code == 200
        assert titles(response) == {page.title for page in courses.values()}
        assert response.context["library"]["total"] == 5

    def test_one_facet_filters(self, client, tree, courses):
        response = client.get(tree["library"].url, {"capability": "crisis_response"})
        assert titles(response) == {"大学生心理危机的识别与早期干预", "危机事件的舆情应对"}

    def test_two_facets_combine_with_and(self, client, tree, courses):
        response = client.get(tree["library"].url, {"capability": "crisis_response", "stage": "new"})
        assert titles(response) == {"大学生心理危机的识别与早期干预"}

    def test_values_of_one_facet_combine_with_or(self, client, tree, courses):
        response = client.get(f"{tree['library'].url}?capability=career_guidance&capability=crisis_response")
        assert len(titles(response)) == 3

    def test_kind_facet(self, client, tree, courses):
        assert titles(client.get(tree["library"].url, {"kind": "case"})) == {"一次心理危机的处置"}
        assert titles(client.get(tree["library"].url, {"kind": "policy"})) == {"关于做好培训工作的通知"}

    def test_center_and_tag_facets(self, client, tree, courses, center):
        assert len(titles(client.get(tree["library"].url, {"center": center.code}))) == 3
        assert titles(client.get(tree["library"].url, {"tag": "就业"})) == {"就业指导入门"}

    def test_counts_follow_the_other_facets(self, client, tree, courses):
        response = client.get(tree["library"].url, {"stage": "new"})
        capability = facet(response, "capability")
        assert capability["crisis_response"].count == 1
        assert capability["career_guidance"].count == 1
        assert capability["mental_health"].count == 1
        assert capability["ideology"].count == 0
        # The stage facet's own counts ignore the stage choice, so alternatives stay visible.
        stage = facet(response, "stage")
        assert (stage["new"].count, stage["experienced"].count, stage["senior"].count) == (2, 1, 1)
        assert stage["new"].selected and not stage["senior"].selected

    def test_kind_counts(self, client, tree, courses):
        kind = facet(client.get(tree["library"].url), "kind")
        assert (kind["microcourse"].count, kind["case"].count, kind["policy"].count) == (3, 1, 1)

    def test_option_links_toggle_and_keep_other_choices(self, client, tree, courses):
        response = client.get(tree["library"].url, {"capability": "crisis_response"})
        link = facet(response, "stage")["new"].url
        assert "capability=crisis_response" in link and "stage=new" in link
        follow = client.get(tree["library"].url + link)
        assert titles(follow) == {"大学生心理危机的识别与早期干预"}
        unlink = facet(follow, "stage")["new"].url
        assert "stage=new" not in unlink

    def test_unknown_codes_give_an_empty_result_not_an_error(self, client, tree, courses):
        response = client.get(tree["library"].url, {"capability": "no-such-area"})
        assert response.status_code == 200
        assert response.context["library"]["total"] == 0
        assert "没有符合条件的资源" in response.text

    def test_facets_work_without_javascript(self, client, tree, courses):
        """The page carries a plain GET form with a checkbox per option and a submit button."""
        html = client.get(tree["library"].url).text
        assert 'method="get"' in html
        assert 'name="capability" value="crisis_response"' in html
        assert 'type="submit"' in html

    def test_center_section_lists_only_its_center(self, client, tree, courses, center):
        other = factories.TrainingCenterFactory(code="sdu", name="山东大学中心")
        factories.MicroCoursePageFactory(parent=other.section, center=other, title="他中心的课")
        response = client.get(center.section.url)
        assert response.status_code == 200
        assert "他中心的课" not in titles(response)
        assert len(titles(response)) == 3


@pytest.mark.django_db
class TestVisibility:
    def test_drafts_never_appear(self, client, tree, make_course):
        make_course(title="已发布的课")
        make_course(title="草稿课程", live=False)
        response = client.get(tree["library"].url)
        assert titles(response) == {"已发布的课"}
        assert "草稿课程" not in response.text
        assert facet(response, "kind")["microcourse"].count == 1

    def test_private_pages_never_appear(self, client, tree, make_course):
        make_course(title="公开课")
        private = make_course(title="内部课程")
        PageViewRestriction.objects.create(page=private, restriction_type=PageViewRestriction.LOGIN)
        response = client.get(tree["library"].url)
        assert titles(response) == {"公开课"}
        assert "内部课程" not in response.text

    def test_unpublished_pages_leave_the_library(self, client, tree, make_course):
        course = make_course(title="将被撤下的课")
        course.unpublish()
        assert "将被撤下的课" not in client.get(tree["library"].url).text


@pytest.mark.django_db
class TestPaginationAndQueries:
    def test_pagination_keeps_filters(self, client, tree, make_course, settings):
        settings.LIBRARY_PAGE_SIZE = 5
        for i in range(12):
            make_course(title=f"心理课{i}", capabilities=["mental_health"])
        response = client.get(tree["library"].url, {"capability": "mental_health", "page": 3})
        library = response.context["library"]
        assert library["total"] == 12 and len(library["page"]) == 2
        assert "capability=mental_health" in library["pagination"]["previous"]
        assert client.get(tree["library"].url, {"page": "abc"}).status_code == 200
        assert client.get(tree["library"].url, {"page": 999}).status_code == 200

    def _count_queries(self, client, url):
        with CaptureQueriesContext(connection) as ctx:
            response = client.get(url)
        assert response.status_code == 200
        return len(ctx.captured_queries)

    def test_listing_twenty_items_runs_a_constant_number_of_queries(self, client, tree, center, make_course):
        other = factories.TrainingCenterFactory(code="sdu", name="山东大学中心")

        def add(n):
            for i in range(n):
                make_course(
                    title=f"课{i}",
                    capabilities=["mental_health", "ideology"],
                    stages=["new", "senior"],
                    tags=["甲", "乙"],
                )
                factories.CasePageFactory(parent=other.section, center=other, capabilities=["research"], tags=["丙"])
                factories.PolicyDocumentPageFactory(parent=tree["notices"], tags=["丁"])

        url = tree["library"].url
        add(4)  # 12 resources: fewer than a page
        client.get(url)  # warm per-process caches (content types, site root paths)
        few = self._count_queries(client, url)
        add(10)  # 42 resources: a full page of 20 of every kind
        many = self._count_queries(client, url)
        assert len(client.get(url).context["library"]["page"]) == 20
        assert few == many, f"{few} queries for 12 resources but {many} for 42"
        filtered = self._count_queries(client, url + "?capability=mental_health&stage=new&tag=甲")
        assert filtered <= many + 2
