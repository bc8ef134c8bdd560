"""Editors can only build a sensible tree (parent_page_types / subpage_types)."""

from wagtail.models import Page
from wagtail.test.utils import WagtailPageTestCase

from cases.models import CaseIndexPage, CasePage
from coursepackages.models import CoursePackagePage
from home.models import HomePage
from microcourses.models import CourseSeriesPage, MicroCoursePage
from programs.models import ProgramPage
from resources.models import CenterSectionPage, LibraryIndexPage, NoticeIndexPage, PolicyDocumentPage, ResourcePage


class PageTreeRulesTests(WagtailPageTestCase):
    def test_home_page_sits_at_the_root_only(self):
        self.assertCanCreateAt(Page, HomePage)
        self.assertCanNotCreateAt(LibraryIndexPage, HomePage)

    def test_home_page_offers_the_three_sections(self):
        self.assertAllowedSubpageTypes(HomePage, {LibraryIndexPage, CaseIndexPage, NoticeIndexPage})

    def test_library_holds_center_sections_and_uncentered_courses(self):
        self.assertAllowedSubpageTypes(
            LibraryIndexPage, {CenterSectionPage, MicroCoursePage, CourseSeriesPage, CoursePackagePage}
        )
        self.assertCanNotCreateAt(LibraryIndexPage, CasePage)
        self.assertCanNotCreateAt(LibraryIndexPage, PolicyDocumentPage)

    def test_a_center_section_holds_its_courses_series_and_cases(self):
        self.assertAllowedSubpageTypes(
            CenterSectionPage, {MicroCoursePage, CourseSeriesPage, CasePage, CoursePackagePage, ProgramPage}
        )
        self.assertCanNotCreateAt(HomePage, CenterSectionPage)
        self.assertCanNotCreateAt(CenterSectionPage, CenterSectionPage)

    def test_policy_documents_live_under_notices_only(self):
        self.assertAllowedParentPageTypes(PolicyDocumentPage, {NoticeIndexPage})
        self.assertAllowedSubpageTypes(NoticeIndexPage, {PolicyDocumentPage})

    def test_cases_live_in_a_center_section_or_the_case_index(self):
        self.assertAllowedParentPageTypes(CasePage, {CenterSectionPage, CaseIndexPage})

    def test_resources_are_leaves(self):
        for model in (MicroCoursePage, CasePage, PolicyDocumentPage, CourseSeriesPage):
            self.assertAllowedSubpageTypes(model, set())

    def test_the_abstract_resource_base_is_never_offered(self):
        for parent in (HomePage, LibraryIndexPage, CenterSectionPage, CaseIndexPage, NoticeIndexPage):
            self.assertCanNotCreateAt(parent, ResourcePage)
