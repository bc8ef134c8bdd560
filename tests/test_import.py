"""import_resources: validates the whole file first, writes nothing on error, is idempotent."""

import json
from io import StringIO

import pytest

from django.core.management import CommandError, call_command

from wagtail.documents import get_document_model
from wagtail.models import Page, Revision

from cases.models import CasePage
from microcourses.models import CourseSeriesPage, MicroCoursePage
from resources.models import Expert, PolicyDocumentPage, TrainingCenter

CENTER = {"kind": "center", "code": "bnu", "name": "北京师范大学中心", "host": "北京师范大学", "theme": "心理健康教育"}
EXPERT = {"kind": "expert", "name": "王明", "title": "教授", "organisation": "北京师范大学", "level": "national"}
COURSE = {
    "kind": "microcourse",
    "slug": "xinli-weiji",
    "title": "大学生心理危机的识别与早期干预",
    "summary": "识别心理危机的信号",
    "body": "第一段。\n\n第二段。",
    "tags": ["心理危机", "谈心谈话"],
    "center": "bnu",
    "capability": ["mental_health", "crisis_response"],
    "stage": ["new", "experienced"],
    "course_type": "theory",
    "requirement": "required",
    "tier": "national",
    "lecturer": "王明",
    "duration_minutes": 12,
    "learning_hours": 0.5,
    "transcript": "files/transcript.txt",
}
CASE = {
    "kind": "case",
    "slug": "weiji-anli",
    "title": "一次心理危机的处置",
    "center": "bnu",
    "capability": ["crisis_response"],
    "school": "某大学",
    "background": "学生A情绪低落。\n\n室友反映异常。",
    "process": "辅导员谈心谈话。",
}
POLICY = {
    "kind": "policy",
    "slug": "jiaosizheng-2023-5",
    "title": "教育部办公厅关于做好2023年高校思想政治工作队伍培训研修中心重点建设工作的通知",
    "issuer": "教育部办公厅",
    "doc_number": "教思政厅函〔2023〕5号",
    "index_number": "360A12-07-2023-0005-1",
    "date": "2023-05-05",
    "category": "高等教育",
    "body": "一、总体目标\n\n二、主要任务",
    "attachments": ["files/plan.csv"],
}
SERIES = {
    "kind": "series",
    "slug": "xinli-xilie",
    "title": "心理健康系列",
    "center": "bnu",
    "courses": ["xinli-weiji"],
    "tags": ["新入职"],
}


@pytest.fixture
def manifest(tmp_path):
    (tmp_path / "files").mkdir()
    (tmp_path / "files" / "transcript.txt").write_text("今天我们讨论心理危机的识别。", encoding="utf-8")
    (tmp_path / "files" / "plan.csv").write_text("序号,课程名称\n1,示例\n", encoding="utf-8")
    (tmp_path / "files" / "tool.exe").write_bytes(b"MZ\x90\x00")

    def write(*lines, name="manifest.jsonl"):
        path = tmp_path / name
        path.write_text(
            "\n".join(line if isinstance(line, str) else json.dumps(line, ensure_ascii=False) for line in lines),
            encoding="utf-8",
        )
        return path

    return write


def run(path, *args):
    out, err = StringIO(), StringIO()
    call_command("import_resources", str(path), *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def run_failing(path):
    err = StringIO()
    with pytest.raises(CommandError) as exc:
        call_command("import_resources", str(path), stdout=StringIO(), stderr=err)
    return err.getvalue(), str(exc.value)


def snapshot():
    return (Page.objects.count(), Revision.objects.count(), TrainingCenter.objects.count(), Expert.objects.count())


@pytest.mark.django_db
class TestImport:
    def test_imports_every_kind_with_all_fields(self, manifest, tree):
        out, _ = run(manifest(CENTER, EXPERT, COURSE, CASE, POLICY, SERIES))
        assert "created: 6, updated: 0, unchanged: 0" in out

        course = MicroCoursePage.objects.get(slug="xinli-weiji")
        assert course.live and course.center.code == "bnu"
        assert course.get_parent().specific.center.code == "bnu"  # in its center's section
        assert sorted(course.capability_codes) == ["crisis_response", "mental_health"]
        assert sorted(course.stage_codes) == ["experienced", "new"]
        assert (course.course_type_code, course.requirement_code, course.tier_code) == (
            "theory",
            "required",
            "national",
        )
        assert course.lecturer.title == "教授" and course.duration_seconds == 720
        assert str(course.learning_hours) == "0.50"
        assert course.transcript == "今天我们讨论心理危机的识别。"
        assert sorted(course.tag_names) == ["心理危机", "谈心谈话"]
        assert [b.value.source for b in course.body] == ["<p>第一段。</p>", "<p>第二段。</p>"]

        case = CasePage.objects.get(slug="weiji-anli")
        assert case.background == "<p>学生A情绪低落。</p><p>室友反映异常。</p>" and case.school == "某大学"

        policy = PolicyDocumentPage.objects.get(slug="jiaosizheng-2023-5")
        assert (policy.doc_number, str(policy.publication_date)) == ("教思政厅函〔2023〕5号", "2023-05-05")
        assert [a.document.title for a in policy.attachments.all()] == ["plan"]

        series = CourseSeriesPage.objects.get(slug="xinli-xilie")
        assert [i.course.slug for i in series.items.all()] == ["xinli-weiji"]
        assert series.tag_names == ["新入职"]

    def test_importing_twice_changes_nothing(self, manifest, tree):
        path = manifest(CENTER, EXPERT, COURSE, CASE, POLICY, SERIES)
        run(path)
        before = snapshot() + (get_document_model().objects.count(),)
        out, _ = run(path)
        assert "created: 0, updated: 0, unchanged: 6" in out
        assert snapshot() + (get_document_model().objects.count(),) == before

    def test_a_changed_line_updates_in_place(self, manifest, tree):
        run(manifest(CENTER, EXPERT, COURSE))
        page_id = MicroCoursePage.objects.get().pk
        out, _ = run(manifest(CENTER, EXPERT, {**COURSE, "title": "新标题", "capability": ["ideology"]}))
        assert "created: 0, updated: 1, unchanged: 2" in out
        course = MicroCoursePage.objects.get()
        assert course.pk == page_id and course.title == "新标题" and course.capability_codes == ["ideology"]

    def test_live_false_stays_a_draft(self, manifest, tree):
        run(manifest(CENTER, {**COURSE, "live": False}))
        course = MicroCoursePage.objects.get()
        assert not course.live and course.has_unpublished_changes
        out, _ = run(manifest(CENTER, {**COURSE, "live": False}))
        assert "unchanged: 2" in out and not MicroCoursePage.objects.get().live

    def test_dry_run_writes_nothing(self, manifest, tree):
        before = snapshot()
        out, _ = run(manifest(CENTER, EXPERT, COURSE, POLICY), "--dry-run")
        assert "created: 4" in out and "dry run" in out
        assert snapshot() == before
        assert get_document_model().objects.count() == 0

    def test_empty_strings_count_as_absent(self, manifest, tree):
        run(manifest(CENTER, {**COURSE, "lecturer": "", "course_type": "", "transcript": ""}))
        course = MicroCoursePage.objects.get()
        assert course.lecturer is None and course.course_type is None and course.transcript == ""


BAD_LINES = [
    ("not json at all", "json", "not valid JSON"),
    ('["a", "list"]', "json", "must be a JSON object"),
    ({"slug": "x", "title": "t"}, "kind", "is required"),
    ({"kind": "podcast", "slug": "x", "title": "t"}, "kind", "must be one of"),
    ({"kind": "microcourse", "title": "t"}, "slug", "is required"),
    ({"kind": "microcourse", "slug": "x"}, "title", "is required"),
    ({"kind": "microcourse", "slug": "Bad Slug", "title": "t"}, "slug", "lowercase"),
    ({"kind": "microcourse", "slug": "x", "title": "t", "capabilities": ["ideology"]}, "capabilities", "unknown field"),
    ({"kind": "microcourse", "slug": "x", "title": "t", "capability": ["nope"]}, "capability", "unknown code"),
    ({"kind": "microcourse", "slug": "x", "title": "t", "stage": "new"}, "stage", "must be a list"),
    ({"kind": "microcourse", "slug": "x", "title": "t", "tier": "city"}, "tier", "unknown code"),
    ({"kind": "microcourse", "slug": "x", "title": "t", "center": "nowhere"}, "center", "unknown center"),
    ({"kind": "microcourse", "slug": "x", "title": "t", "duration_minutes": "ten"}, "duration_minutes", "number"),
    ({"kind": "microcourse", "slug": "x", "title": "t", "duration_minutes": -3}, "duration_minutes", "between"),
    ({"kind": "microcourse", "slug": "x", "title": "t", "live": "yes"}, "live", "true or false"),
    ({"kind": "microcourse", "slug": "x", "title": "t", "transcript": "files/none.txt"}, "transcript", "not found"),
    ({"kind": "microcourse", "slug": "x", "title": 5}, "title", "must be a string"),
    ({"kind": "microcourse", "slug": "x", "title": "长" * 300}, "title", "longer than 255"),
    ({"kind": "policy", "slug": "x", "title": "t", "date": "2023-02-30"}, "date", "YYYY-MM-DD"),
    ({"kind": "policy", "slug": "x", "title": "t", "date": "5/5/2023"}, "date", "YYYY-MM-DD"),
    ({"kind": "policy", "slug": "x", "title": "t", "attachments": ["../secret.csv"]}, "attachments", "inside"),
    ({"kind": "policy", "slug": "x", "title": "t", "attachments": ["files/tool.exe"]}, "attachments", "not allowed"),
    ({"kind": "policy", "slug": "x", "title": "t", "attachments": ["files/gone.pdf"]}, "attachments", "not found"),
    ({"kind": "series", "slug": "x", "title": "t", "courses": ["ghost"]}, "courses", "unknown micro-course"),
    ({"kind": "center", "name": "无代码中心"}, "code", "is required"),
    ({"kind": "expert", "name": "某人", "level": "city"}, "level", "must be one of"),
]


@pytest.mark.django_db
class TestValidation:
    @pytest.mark.parametrize(("line", "field", "message"), BAD_LINES)
    def test_each_kind_of_bad_line_is_reported_and_nothing_is_written(self, manifest, tree, line, field, message):
        before = snapshot()
        # A good line before the bad one must not be written either.
        errors, summary = run_failing(manifest(CENTER, EXPERT, line))
        assert f"line 3: {field}: " in errors and message in errors
        assert "nothing was written" in summary
        assert snapshot() == before

    def test_every_problem_is_reported_at_once(self, manifest, tree):
        errors, summary = run_failing(
            manifest(
                {"kind": "microcourse", "slug": "A", "title": "t", "tier": "x"},
                "{broken",
                {"kind": "case", "slug": "c", "title": "t", "capability": ["nope"]},
            )
        )
        lines = errors.strip().splitlines()
        assert lines == [
            "line 1: slug: use only lowercase letters a–z, digits 0–9 and '-'",
            "line 1: tier: unknown code 'x'; allowed: national, provincial, school",
            "line 2: json: not valid JSON (Expecting property name enclosed in double quotes at column 2)",
            lines[3],
        ]
        assert lines[3].startswith("line 3: capability: 'nope': unknown code")
        assert summary.startswith("4 problem(s)")

    def test_duplicate_slugs_in_one_file(self, manifest, tree):
        errors, _ = run_failing(manifest(COURSE | {"center": ""}, COURSE | {"center": "", "title": "另一门"}))
        assert "line 2: slug: 'xinli-weiji' is already used on line 1" in errors

    def test_a_slug_taken_by_a_sibling_of_another_kind(self, manifest, tree):
        clash = {**CASE, "slug": COURSE["slug"]}
        errors, _ = run_failing(manifest(CENTER, COURSE, clash))
        assert "line 3: slug: 'xinli-weiji' is already used on line 2 in the same section" in errors

    def test_a_file_that_is_not_utf8(self, manifest, tree, tmp_path):
        path = tmp_path / "gbk.jsonl"
        path.write_bytes(json.dumps(COURSE, ensure_ascii=False).encode("gbk"))
        errors, _ = run_failing(path)
        assert "line 0: manifest: the file is not UTF-8 text" in errors

    def test_a_missing_file(self, tmp_path, tree):
        errors, _ = run_failing(tmp_path / "missing.jsonl")
        assert "cannot read" in errors

    def test_a_failure_while_writing_rolls_everything_back(self, manifest, tree, monkeypatch, settings):
        from resources import importer

        def explode(self, line):
            raise RuntimeError("disk full")

        monkeypatch.setattr(importer.ManifestWriter, "_write_series", explode)
        before, files_before = snapshot(), set(settings.MEDIA_ROOT.glob("documents/*"))
        with pytest.raises(RuntimeError):
            run(manifest(CENTER, EXPERT, COURSE, POLICY, SERIES))
        assert snapshot() == before
        assert get_document_model().objects.count() == 0
        assert set(settings.MEDIA_ROOT.glob("documents/*")) == files_before, "the stored attachment must be removed"


@pytest.mark.django_db
class TestPlacementAndRepublishing:
    """Regression tests from review: each of these once passed validation and then went wrong."""

    def test_a_draft_taken_live_with_changes_publishes_the_new_content(self, manifest, tree):
        run(manifest(CENTER, {**COURSE, "live": False, "title": "（草稿）旧标题"}))
        out, _ = run(manifest(CENTER, {**COURSE, "title": "正式标题"}))
        assert "updated: 1" in out
        course = MicroCoursePage.objects.get()
        assert course.live and course.title == "正式标题" and not course.has_unpublished_changes
        out, _ = run(manifest(CENTER, {**COURSE, "title": "正式标题"}))
        assert "unchanged: 2" in out

    def test_leaving_center_out_keeps_the_page_in_its_section(self, manifest, tree):
        run(manifest(CENTER, COURSE))
        without_center = {k: v for k, v in COURSE.items() if k != "center"}
        out, _ = run(manifest({**without_center, "title": "改了标题"}))
        course = MicroCoursePage.objects.get()
        assert course.title == "改了标题" and course.get_parent().specific.center.code == "bnu"

    def test_naming_another_center_moves_the_page(self, manifest, tree):
        other = {**CENTER, "code": "sdu", "name": "山东大学中心"}
        run(manifest(CENTER, other, COURSE))
        run(manifest(CENTER, other, {**COURSE, "center": "sdu"}))
        course = MicroCoursePage.objects.get()
        assert course.center.code == "sdu" and course.get_parent().specific.center.code == "sdu"

    def test_a_move_onto_a_taken_slug_is_reported_before_writing(self, manifest, tree):
        other = {**CENTER, "code": "sdu", "name": "山东大学中心"}
        run(manifest(CENTER, other, COURSE, {**CASE, "slug": COURSE["slug"], "center": "sdu"}))
        before = snapshot()
        errors, _ = run_failing(manifest(CENTER, other, {**COURSE, "center": "sdu"}))
        assert "line 3: slug: 'xinli-weiji' is taken by another page in the same section" in errors
        assert snapshot() == before

    def test_a_new_center_code_that_clashes_with_a_library_page(self, manifest, tree):
        run(manifest({**COURSE, "center": "", "slug": "pku"}))
        errors, _ = run_failing(manifest({**CENTER, "code": "pku"}))
        assert "line 1: code: 'pku' is taken by another page in the same section" in errors
        errors, _ = run_failing(manifest({**CENTER, "code": "sdu"}, {**COURSE, "center": "", "slug": "sdu"}))
        assert "line 2: slug: 'sdu' is already used on line 1 in the same section" in errors

    def test_policy_documents_stay_under_the_notices(self, manifest, tree):
        run(manifest(CENTER, {**POLICY, "center": "bnu"}))
        policy = PolicyDocumentPage.objects.get()
        assert policy.get_parent().pk == tree["notices"].pk and policy.center.code == "bnu"

    def test_tags_that_differ_only_in_case_settle(self, manifest, tree):
        path = manifest(CENTER, {**COURSE, "tags": ["Excel", "excel", "AI"]})
        run(path)
        assert sorted(MicroCoursePage.objects.get().tag_names) == ["AI", "Excel"]
        revisions = Revision.objects.count()
        out, _ = run(path)
        assert "unchanged: 2" in out and Revision.objects.count() == revisions

    @pytest.mark.parametrize(
        ("line", "field"),
        [
            ('{"kind": "microcourse", "slug": "x", "title": "t", "duration_minutes": NaN}', "duration_minutes"),
            ('{"kind": "microcourse", "slug": "x", "title": "t", "learning_hours": Infinity}', "learning_hours"),
            ({"kind": "microcourse", "slug": "x", "title": "t", "center": ["bnu"]}, "center"),
            ({"kind": "microcourse", "slug": "x", "title": "t", "tier": ["national"]}, "tier"),
            ({"kind": ["microcourse"], "slug": "x", "title": "t"}, "kind"),
            ({"kind": "expert", "name": "某人", "level": ["national"]}, "level"),
        ],
    )
    def test_wrong_types_are_reported_not_crashed_on(self, manifest, tree, line, field):
        errors, _ = run_failing(manifest(line))
        assert f"line 1: {field}: " in errors

    def test_series_and_attachments_keep_the_manifest_order(self, manifest, tree, tmp_path):
        courses = [{**COURSE, "slug": f"ke-{n}", "title": f"第{n}讲"} for n in ("c", "a", "b")]
        (tmp_path / "files" / "b.csv").write_text("b\n", encoding="utf-8")
        (tmp_path / "files" / "a.csv").write_text("a\n", encoding="utf-8")
        run(
            manifest(
                CENTER,
                *courses,
                {**SERIES, "courses": ["ke-c", "ke-a", "ke-b"]},
                {**POLICY, "attachments": ["files/b.csv", "files/plan.csv", "files/a.csv"]},
            )
        )
        series = CourseSeriesPage.objects.get()
        assert [(i.course.slug, i.sort_order) for i in series.live_items()] == [("ke-c", 0), ("ke-a", 1), ("ke-b", 2)]
        policy = PolicyDocumentPage.objects.get()
        assert [a.document.title for a in policy.attachments.all()] == ["b", "plan", "a"]
        assert [a.sort_order for a in policy.attachments.all()] == [0, 1, 2]


@pytest.mark.django_db
class TestImportVideos:
    """A course line's `video` becomes a Video queued for transcoding when the import commits."""

    @pytest.fixture
    def clip(self, tmp_path):
        from .videos import lecture

        (tmp_path / "files").mkdir(exist_ok=True)
        return lecture(tmp_path / "files" / "lecture.mp4", seconds=3)

    def test_a_video_is_stored_probed_and_queued_on_commit(
        self, manifest, tree, clip, tmp_path, settings, django_capture_on_commit_callbacks
    ):
        from django_tasks_db.models import DBTaskResult

        from media.models import Video

        settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default", "video"]}}
        (tmp_path / "files" / "subs.srt").write_text("1\n00:00:00,000 --> 00:00:02,000\n同学们好\n", encoding="utf-8")
        line = {**COURSE, "video": "files/lecture.mp4", "captions": "files/subs.srt"}
        with django_capture_on_commit_callbacks(execute=True):
            out, _ = run(manifest(CENTER, EXPERT, line))
        assert "created: 3" in out

        video = Video.objects.get()
        course = MicroCoursePage.objects.get(slug="xinli-weiji")
        assert course.video == video and video.title == course.title
        assert video.status == Video.Status.WAITING and video.duration == pytest.approx(3, abs=0.1)
        assert course.duration_seconds == 3  # the probed length, not the line's duration_minutes
        assert video.captions.read().decode().startswith("WEBVTT")
        assert DBTaskResult.objects.filter(
            task_path="media.tasks.transcode_video", args_kwargs__args=[video.pk]
        ).exists()

        # Again: the same file is recognised by its content; nothing new is stored or queued.
        out, _ = run(manifest(CENTER, EXPERT, line))
        assert "created: 0, updated: 0, unchanged: 3" in out
        assert Video.objects.count() == 1

    def test_a_file_that_is_not_a_video_stops_the_import_with_the_reason(self, manifest, tree, tmp_path):
        from media.models import Video

        (tmp_path / "files" / "fake.mp4").write_text("不是视频", encoding="utf-8")
        err, _ = run_failing(manifest(CENTER, EXPERT, {**COURSE, "video": "files/fake.mp4"}))
        assert "line 3: video: files/fake.mp4: 无法识别该文件" in err
        assert not Video.objects.exists() and not MicroCoursePage.objects.exists()

    def test_a_dry_run_stores_and_queues_nothing(self, manifest, tree, clip, django_capture_on_commit_callbacks):
        from media.models import Video

        with django_capture_on_commit_callbacks(execute=True) as callbacks:
            run(manifest(CENTER, EXPERT, {**COURSE, "video": "files/lecture.mp4"}), "--dry-run")
        assert not Video.objects.exists() and callbacks == []
