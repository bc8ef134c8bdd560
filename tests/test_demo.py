"""load_demo builds a realistic site through the importer, and running it again changes nothing."""

from io import StringIO

from django.core.management import call_command
from django.db.models import Count
from django.test import TestCase

from cases.models import CasePage
from coursepackages.models import CoursePackagePage
from microcourses.models import CourseSeriesPage, MicroCoursePage
from programs.models import ProgramPage
from resources.models import CapabilityArea, CareerStage, Expert, PolicyDocumentPage, TrainingCenter


class DemoTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        # Loaded once for the class (the slowest set-up of the suite), twice to prove idempotence.
        first, second = StringIO(), StringIO()
        call_command("load_demo", stdout=first, stderr=StringIO())
        call_command("load_demo", stdout=second, stderr=StringIO())
        cls.first_run, cls.second_run = first.getvalue(), second.getvalue()

    def test_second_run_changes_nothing(self):
        self.assertNotIn("created: 0,", self.first_run)
        self.assertIn("created: 0, updated: 0, unchanged:", self.second_run)

    def test_micro_courses_cover_every_area_and_stage(self):
        live = MicroCoursePage.objects.live()
        self.assertGreaterEqual(live.count(), 30)
        self.assertEqual(CapabilityArea.objects.annotate(n=Count("resources")).filter(n__gt=0).count(), 9)
        self.assertEqual(CareerStage.objects.filter(courses__in=live).distinct().count(), 3)
        self.assertTrue(MicroCoursePage.objects.filter(live=False).exists(), "the demo keeps a draft or two")
        self.assertFalse(live.filter(lecturer__isnull=True).exists())

    def test_cases_centers_experts_series(self):
        self.assertGreaterEqual(CasePage.objects.count(), 10)
        self.assertGreaterEqual(TrainingCenter.objects.count(), 5)
        self.assertGreaterEqual(Expert.objects.count(), 10)
        self.assertTrue(CourseSeriesPage.objects.live().exists())

    def test_the_series_are_in_the_library_and_the_search(self):
        self.assertEqual(self.client.get("/library/", {"kind": "series"}).context["library"]["total"], 3)
        for query in ("必修系列", "新入职辅导员必修系列"):
            results = self.client.get("/search/", {"q": query}).context["search"].results
            self.assertEqual(results[0].title, "新入职辅导员必修系列", query)

    def test_a_recommended_package_of_courses_for_new_counselors_once(self):
        package = CoursePackagePage.objects.live().get()
        self.assertEqual(package.title, "新入职辅导员必修套餐")
        self.assertGreaterEqual(len(package.item_list), 3)
        listing = self.client.get("/library/", {"kind": "package", "stage": "new"})
        self.assertContains(listing, "新入职辅导员必修套餐")
        self.assertIn("packages     created 0", self.second_run)

    def test_the_ministry_notice_keeps_its_real_metadata(self):
        notice = PolicyDocumentPage.objects.get(doc_number="教思政厅函〔2023〕5号")
        self.assertEqual(notice.index_number, "360A12-07-2023-0005-1")
        self.assertEqual(str(notice.publication_date), "2023-05-05")
        self.assertEqual(notice.issuer, "教育部办公厅")
        self.assertTrue(notice.attachments.exists())
        self.assertTrue(PolicyDocumentPage.objects.filter(title__contains="思想政治工作司2023年工作要点").exists())

    def test_demo_pages_render_and_drafts_stay_hidden(self):
        for model in (MicroCoursePage, CasePage, PolicyDocumentPage, CourseSeriesPage, CoursePackagePage, ProgramPage):
            page = model.objects.live().first()
            self.assertEqual(self.client.get(page.url).status_code, 200, page.url)
        library = self.client.get("/library/", {"capability": "mental_health", "stage": "new"})
        self.assertGreater(library.context["library"]["total"], 0)
        kinds = (MicroCoursePage, CasePage, PolicyDocumentPage, CoursePackagePage, CourseSeriesPage, ProgramPage)
        live_count = sum(m.objects.live().count() for m in kinds)
        self.assertEqual(self.client.get("/library/").context["library"]["total"], live_count)
        for draft in MicroCoursePage.objects.filter(live=False):
            self.assertNotContains(self.client.get("/library/", {"q": draft.title[:6]}), draft.title)
            self.assertEqual(self.client.get(draft.url_path.removeprefix("/home")).status_code, 404)

    def test_programs_open_to_come_and_finished_with_sessions(self):
        programs = list(ProgramPage.objects.live())
        self.assertEqual({p.status for p in programs}, {"open", "not_open", "finished"})
        self.assertEqual(len({p.center_id for p in programs}), 3)
        sessions = [s for p in programs for s in p.sessions.all()]
        self.assertTrue(all(s.lecturer_id for s in sessions) and any(s.course_before_id for s in sessions))

    def test_some_courses_have_videos_probed_and_queued(self):
        from media.models import Video

        courses = MicroCoursePage.objects.live().filter(video__isnull=False)
        self.assertEqual(courses.count(), 3)
        self.assertEqual(sorted(round(c.video.duration) for c in courses), [16, 20, 24])  # probed, three files
        for course in courses:
            self.assertEqual(course.duration_seconds, round(course.video.duration))
            self.assertEqual(course.video.status, Video.Status.WAITING)  # the worker transcodes it
        self.assertTrue(courses.filter(video__captions__endswith=".vtt").exists())

    def test_each_center_has_a_work_plan_for_this_year(self):
        from django.utils import timezone

        from editorial import progress
        from editorial.models import WorkPlan

        year = timezone.localdate().year
        self.assertIn("work plans   created 6", self.first_run)
        self.assertIn("work plans   created 0", self.second_run)
        plans = WorkPlan.objects.filter(year=year)
        self.assertEqual(plans.count(), TrainingCenter.objects.count())
        self.assertEqual(plans.filter(status=WorkPlan.Status.SUBMITTED).count(), 5)
        linked = MicroCoursePage.objects.live().filter(plan_item__plan__year=year)
        self.assertEqual(linked.count(), 12)
        # Linked in the latest revision too, so that the next edit in the admin keeps the link.
        self.assertTrue(all(c.get_latest_revision_as_object().plan_item_id == c.plan_item_id for c in linked))
        rows = {row.code: row for row in progress.center_progress(year, timezone.localdate())}
        self.assertEqual((rows["bnu"].planned, rows["bnu"].done), (2, 2))
        self.assertEqual((rows["sdu"].planned, rows["sdu"].done), (4, 2))

    def test_the_submission_dashboard_shows_the_demo(self):
        from django.contrib.auth import get_user_model

        self.client.force_login(get_user_model().objects.create_superuser("demo-admin", "", "pw"))
        response = self.client.get("/admin/progress/")
        self.assertEqual(len(response.context["rows"]), 6)
        # The three demo videos wait for the worker, counted with the centers whose courses use them.
        self.assertEqual(sum(row.videos_transcoding for row in response.context["rows"]), 3)
        bnu = TrainingCenter.objects.get(code="bnu")
        drill_down = self.client.get(f"/admin/progress/{bnu.pk}/")
        self.assertContains(drill_down, "已完成")
        self.assertGreater(drill_down.context["log_entries"].paginator.count, 0)
