"""The submission dashboard (报送进度): each center's numbers, the overdue highlighted, the chart,
the drill-down with its audit log, the Excel and CSV exports, and who may see what."""

import csv
import io
from datetime import date, datetime
from html.parser import HTMLParser

import pytest
from openpyxl import load_workbook

from django.contrib.auth.models import Group, Permission
from django.utils import timezone

from wagtail.log_actions import log
from wagtail.models import Collection, Workflow

from editorial import progress, roles
from editorial.models import PlanItem, WorkPlan
from media.models import Video

from . import factories

YEAR = 2026
TODAY = date(YEAR, 7, 2)  # two days after the upload deadline


def at(month, day):
    return timezone.make_aware(datetime(YEAR, month, day, 10, 0))


def publish(page, when):
    """Publish through a revision (as in the admin) and date the first publication."""
    page.save_revision().publish()
    type(page).objects.filter(pk=page.pk).update(first_published_at=when)


def course(center, user=None, state="live", when=None, **kwargs):
    page = factories.MicroCoursePageFactory(parent=center.section, center=center, live=False, **kwargs)
    if state == "live":
        publish(page, when or at(3, 1))
    elif state == "review":
        page.save_revision(user=user)
        Workflow.objects.get(name=roles.WORKFLOW_NAME).start(page, user)
    return page


def case(center, live=True):
    page = factories.CasePageFactory(parent=center.section, center=center, live=False)
    if live:
        publish(page, at(4, 1))
    return page


def plan(center, titles, submitted=None):
    work_plan = WorkPlan.objects.create(
        center=center,
        year=YEAR,
        status=WorkPlan.Status.SUBMITTED if submitted else WorkPlan.Status.DRAFT,
        submitted_at=submitted,
    )
    return work_plan, [
        PlanItem.objects.create(plan=work_plan, title=title, sort_order=n) for n, title in enumerate(titles)
    ]


def video(center, status, title="讲课视频", collection=None):
    item = Video.objects.create(
        title=title, file="videos/originals/x.mp4", collection=collection or center.collection, duration=60
    )
    Video.objects.filter(pk=item.pk).update(status=status, failure_reason="视频文件不完整或已损坏")
    return item


@pytest.fixture
def fixed_today(monkeypatch):
    monkeypatch.setattr(progress, "today", lambda: TODAY)
    return TODAY


@pytest.fixture
def submitter(django_user_model):
    return django_user_model.objects.create_user("submitter", "submitter@example.edu.cn", "pw")


@pytest.fixture
def scenario(tree, fixed_today, submitter):
    """甲 on time; 乙 on time with a failed, a waiting and a transcoding video and a course in
    review; 丙 overdue (late plan, one of three items done, no case)."""
    jia = factories.TrainingCenterFactory(code="jia", name="甲培训研修中心")
    yi = factories.TrainingCenterFactory(code="yi", name="乙培训研修中心")
    bing = factories.TrainingCenterFactory(code="bing", name="丙培训研修中心")

    _, (j1, j2) = plan(jia, ["谈心谈话", "心理危机干预"], submitted=at(5, 1))
    course(jia, plan_item=j1, title="谈心谈话的方法")
    course(jia, plan_item=j2, title="心理危机的识别")
    course(jia, state="draft", title="甲的草稿课程")
    course(jia, when=timezone.make_aware(datetime(YEAR - 1, 9, 1)), title="甲去年的课程")  # not this year's
    case(jia)
    video(jia, Video.Status.READY)

    _, (y1,) = plan(yi, ["网络思政"], submitted=at(5, 8))
    # In the root collection (as the importer leaves them), counted through the course using it.
    transcoding = video(yi, Video.Status.TRANSCODING, collection=Collection.get_first_root_node())
    course(yi, plan_item=y1, title="网络思政的阵地", video=transcoding)
    course(yi, user=submitter, state="review", title="乙审核中的课程")
    case(yi, live=False)  # uploaded, not yet published: counts
    video(yi, Video.Status.FAILED, title="转码失败的讲课")
    video(yi, Video.Status.WAITING, title="等待转码的讲课")

    _, (b1, b2, _b3) = plan(bing, ["学风建设", "班级建设", "党团建设"], submitted=at(5, 20))
    course(bing, plan_item=b1, title="学风建设的抓手")
    course(bing, state="draft", plan_item=b2, title="班级建设（草稿）")
    return {"jia": jia, "yi": yi, "bing": bing, "users": {"submitter": submitter}}


EXPECTED = {
    # code: planned, draft, in review, published, done, transcoding, failed, cases, completion, status
    "jia": ["2", "1", "0", "2", "2", "0", "0", "1", "100%", "正常"],
    "yi": ["1", "0", "1", "1", "1", "2", "1", "1", "100%", "正常"],
    "bing": ["3", "1", "0", "1", "1", "0", "0", "0", "33%", "已逾期"],
}
COLUMNS = ["planned", "draft", "in_review", "published", "done", "videos_transcoding", "videos_failed", "cases"]
COLUMNS += ["completion", "status"]


class TableParser(HTMLParser):
    """The progress table's rows: {row id: {data-column: text}}, and each row's class."""

    def __init__(self):
        super().__init__()
        self.rows, self.classes, self.row, self.column = {}, {}, None, None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "tr" and (attrs.get("id") or "").startswith("center-"):
            self.row = attrs["id"].removeprefix("center-")
            self.rows[self.row], self.classes[self.row] = {}, attrs.get("class") or ""
        elif tag == "td" and self.row and "data-column" in attrs:
            self.column = attrs["data-column"]
            self.rows[self.row][self.column] = ""

    def handle_endtag(self, tag):
        if tag == "td":
            self.column = None
        elif tag == "tr":
            self.row = None

    def handle_data(self, data):
        if self.row and self.column:
            self.rows[self.row][self.column] += data.strip()


def table(response):
    assert response.status_code == 200
    parser = TableParser()
    parser.feed(response.text)
    return parser


@pytest.fixture
def admin_client(client, django_user_model):
    client.force_login(django_user_model.objects.create_superuser("admin", "admin@example.edu.cn", "pw"))
    return client


def member(django_user_model, center, name, role="editors_group"):
    user = django_user_model.objects.create_user(name, f"{name}@example.edu.cn", "pw")
    user.groups.add(getattr(center, role))
    return user


@pytest.mark.django_db
def test_dashboard_shows_each_centers_numbers_and_highlights_the_overdue(admin_client, scenario):
    response = admin_client.get("/admin/progress/")
    parsed = table(response)
    assert list(parsed.rows) == ["bing", "jia", "yi"]  # by center code
    for code, expected in EXPECTED.items():
        assert [parsed.rows[code][c] for c in COLUMNS] == expected, code
        assert parsed.rows[code]["days_left"].startswith("-2")  # July 2: two days past June 30
    # The overdue center: highlighted, and said in words (not by colour alone).
    assert "progress-row--overdue" in parsed.classes["bing"]
    assert "overdue" not in parsed.classes["jia"] + parsed.classes["yi"]
    assert parsed.rows["bing"]["plan"] == "已提交（逾期提交）"
    assert parsed.rows["jia"]["plan"] == "已提交"
    assert "共 3 个中心，1 个进度落后，其中 <strong>1 个已逾期</strong>" in response.text
    assert "<title>报送进度" in response.text


@pytest.mark.django_db
def test_the_chart_labels_every_bar_in_text(admin_client, scenario):
    html = admin_client.get("/admin/progress/").text
    assert 'class="progress-chart"' in html and "<script" not in html.split('class="progress-chart"')[1][:4000]
    assert "已发布 1 · 审核中 0 · 草稿 1 ／ 计划 3" in html  # 丙
    assert "已发布 2 · 审核中 0 · 草稿 1 ／ 计划 2" in html  # 甲
    # Scale: the longest bar is 3 (丙's plan and 甲's courses); 甲's published is 2 of 3.
    assert "progress-chart__segment--published" in html and "width: 66.67%" in html


@pytest.mark.django_db
def test_before_the_deadline_nobody_is_overdue(admin_client, scenario, monkeypatch):
    monkeypatch.setattr(progress, "today", lambda: date(YEAR, 6, 20))
    parsed = table(admin_client.get("/admin/progress/"))
    assert parsed.rows["bing"]["status"] == "进度落后" and parsed.rows["bing"]["days_left"] == "10"
    assert not any("overdue" in c for c in parsed.classes.values())


@pytest.mark.django_db
def test_another_year_has_its_own_numbers(admin_client, scenario):
    parsed = table(admin_client.get("/admin/progress/", {"year": YEAR - 1}))
    # No plans in 2025; 甲's course of 2025 is published that year; drafts count in any year.
    assert parsed.rows["jia"]["plan"] == "未填报"
    assert [parsed.rows["jia"][c] for c in ("planned", "draft", "published", "completion")] == ["0", "1", "1", "—"]


@pytest.mark.django_db
def test_excel_export_has_the_tables_rows_and_numbers(admin_client, scenario):
    response = admin_client.get("/admin/progress/export.xlsx", {"year": YEAR})
    assert response.status_code == 200
    assert response["Content-Disposition"] == f'attachment; filename="center-progress-{YEAR}.xlsx"'
    sheet = load_workbook(io.BytesIO(response.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0] == (
        "中心代码",
        "培训研修中心",
        "工作计划",
        "计划课程",
        "草稿",
        "审核中",
        "已发布",
        "已完成计划课程",
        "转码中视频",
        "转码失败视频",
        "工作案例",
        "距6月30日天数",
        "完成率（%）",
        "状态",
        "累计学习人数",
        "累计完成人次",
        "累计计入学时",
    )
    assert sheet.freeze_panes == "A2"
    assert sheet["A1"].font.bold
    assert rows[1:] == [
        ("bing", "丙培训研修中心", "已提交（逾期提交）", 3, 1, 0, 1, 1, 0, 0, 0, -2, 33, "已逾期", 0, 0, 0),
        ("jia", "甲培训研修中心", "已提交", 2, 1, 0, 2, 2, 0, 0, 1, -2, 100, "正常", 0, 0, 0),
        ("yi", "乙培训研修中心", "已提交", 1, 0, 1, 1, 1, 2, 1, 1, -2, 100, "正常", 0, 0, 0),
    ]
    # The same numbers as the table on the page.
    parsed = table(admin_client.get("/admin/progress/", {"year": YEAR}))
    for line in rows[1:]:
        shown = parsed.rows[line[0]]
        assert [str(v) for v in line[3:11]] == [shown[c] for c in COLUMNS[:8]]
        assert f"{line[12]}%" == shown["completion"] and line[13] == shown["status"]


@pytest.mark.django_db
def test_csv_export_is_utf8_with_a_bom_and_the_same_rows(admin_client, scenario):
    response = admin_client.get("/admin/progress/export.csv", {"year": YEAR})
    assert response.status_code == 200 and response["Content-Type"] == "text/csv; charset=utf-8"
    assert response.content.startswith(b"\xef\xbb\xbf")
    lines = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert lines[0][:4] == ["中心代码", "培训研修中心", "工作计划", "计划课程"]
    learning = ["0", "0", "0.00"]  # nobody watched (tests/test_learning_analytics.py has the numbers)
    assert lines[1:] == [
        ["bing", "丙培训研修中心", "已提交（逾期提交）", "3", "1", "0", "1", "1", "0", "0", "0", "-2", "33", "已逾期"]
        + learning,
        ["jia", "甲培训研修中心", "已提交", "2", "1", "0", "2", "2", "0", "0", "1", "-2", "100", "正常"] + learning,
        ["yi", "乙培训研修中心", "已提交", "1", "0", "1", "1", "1", "2", "1", "1", "-2", "100", "正常"] + learning,
    ]


@pytest.mark.django_db
def test_drill_down_lists_plan_courses_videos_cases_and_the_audit_log(admin_client, scenario, submitter):
    yi = scenario["yi"]
    work_plan = WorkPlan.objects.get(center=yi)
    log(work_plan, "wagtail.edit", user=submitter)
    response = admin_client.get(f"/admin/progress/{yi.pk}/", {"year": YEAR})
    assert response.status_code == 200
    html = response.text
    assert "乙培训研修中心 · 2026 年报送进度" in html
    assert "网络思政" in html and "网络思政的阵地" in html and "已完成" in html
    assert "乙审核中的课程" in html and "审核中" in html  # not in the plan
    failed = Video.objects.get(title="转码失败的讲课")
    assert f'href="/admin/media/edit/{failed.pk}/"' in html and "视频文件不完整或已损坏" in html
    assert "等待转码的讲课" in html
    # The audit log: who published, submitted and changed what.
    entries = response.context["log_entries"].object_list
    actions = {(e.label, e.action) for e in entries}
    assert ("网络思政的阵地", "wagtail.publish") in actions
    assert ("乙审核中的课程", "wagtail.workflow.start") in actions
    assert (str(work_plan), "wagtail.edit") in actions
    assert "submitter" in html
    assert not any("甲" in e.label for e in entries)  # another center's pages are not in it


@pytest.mark.django_db
def test_drill_down_audit_log_is_paginated(admin_client, scenario):
    jia = scenario["jia"]
    work_plan = WorkPlan.objects.get(center=jia)
    for _ in range(25):
        log(work_plan, "wagtail.edit")
    first = admin_client.get(f"/admin/progress/{jia.pk}/", {"year": YEAR})
    entries = first.context["log_entries"]
    assert len(entries.object_list) == 20 and entries.paginator.num_pages == 2
    assert f"?year={YEAR}&amp;p=2" in first.text
    second = admin_client.get(f"/admin/progress/{jia.pk}/", {"year": YEAR, "p": 2})
    assert len(second.context["log_entries"].object_list) == entries.paginator.count - 20


@pytest.mark.django_db
def test_an_editor_sees_only_their_centers_row(client, scenario, django_user_model):
    jia, yi = scenario["jia"], scenario["yi"]
    client.force_login(member(django_user_model, jia, "jia-editor"))
    assert list(table(client.get("/admin/progress/")).rows) == ["jia"]
    assert client.get(f"/admin/progress/{jia.pk}/").status_code == 200
    assert client.get(f"/admin/progress/{yi.pk}/").status_code == 404
    csv_lines = client.get("/admin/progress/export.csv").content.decode("utf-8-sig").splitlines()
    assert [line.split(",")[0] for line in csv_lines[1:]] == ["jia"]
    sheet = load_workbook(io.BytesIO(client.get("/admin/progress/export.xlsx").content)).active
    assert [row[0] for row in sheet.iter_rows(min_row=2, values_only=True)] == ["jia"]
    # The admin menu offers the dashboard to center members.
    assert '"/admin/progress/"' in client.get("/admin/progress/").text


@pytest.mark.django_db
def test_a_reviewer_sees_their_center_too(client, scenario, django_user_model):
    client.force_login(member(django_user_model, scenario["yi"], "yi-reviewer", role="reviewers_group"))
    assert list(table(client.get("/admin/progress/")).rows) == ["yi"]


@pytest.mark.django_db
def test_a_platform_administrator_sees_every_center(client, scenario, django_user_model):
    user = django_user_model.objects.create_user("platform", "", "pw")
    user.groups.add(Group.objects.get(name=roles.PLATFORM_ADMINS))
    client.force_login(user)
    assert list(table(client.get("/admin/progress/")).rows) == ["bing", "jia", "yi"]
    assert client.get(f"/admin/progress/{scenario['bing'].pk}/").status_code == 200


@pytest.mark.django_db
def test_anonymous_users_are_sent_to_the_login_and_outsiders_refused(client, scenario, django_user_model):
    for url in ("/admin/progress/", f"/admin/progress/{scenario['jia'].pk}/", "/admin/progress/export.xlsx"):
        response = client.get(url)
        assert response.status_code == 302 and response["Location"].startswith("/admin/login/"), url
    outsider = django_user_model.objects.create_user("outsider", "", "pw")
    outsider.user_permissions.add(Permission.objects.get(codename="access_admin"))
    client.force_login(outsider)
    # Wagtail's admin answers PermissionDenied with its "no permission" redirect to the home.
    for url in ("/admin/progress/", f"/admin/progress/{scenario['jia'].pk}/", "/admin/progress/export.csv"):
        response = client.get(url)
        assert response.status_code == 302 and response["Location"] == "/admin/", url
    assert '"/admin/progress/"' not in client.get("/admin/account/").text  # no menu item either


@pytest.mark.django_db
def test_the_admin_home_has_a_progress_panel(admin_client, scenario, django_user_model):
    html = admin_client.get("/admin/").text
    assert 'id="center-progress' in html and "共 3 个中心，1 个进度落后，其中 1 个已逾期" in html

    from django.test import Client

    editor = Client()
    editor.force_login(member(django_user_model, scenario["bing"], "bing-editor"))
    panel = editor.get("/admin/").text
    assert "丙培训研修中心" in panel and "已逾期" in panel and "甲培训研修中心" not in panel


@pytest.mark.django_db
def test_progress_runs_the_same_queries_for_any_number_of_centers(scenario, django_assert_num_queries):
    with django_assert_num_queries(5):
        progress.center_progress(YEAR, TODAY, [scenario["jia"].pk])
    for n in range(3):
        center = factories.TrainingCenterFactory(code=f"extra-{n}")
        course(center)
        case(center)
        video(center, Video.Status.FAILED)
    with django_assert_num_queries(5):
        rows = progress.center_progress(YEAR, TODAY)
    assert len(rows) == 6
