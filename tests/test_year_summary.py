"""The center's year (docs/year-summary.md): each center's programs of the year on the submission
dashboard (报送进度), and the year-end summary (年底工作总结) pre-filled with the year's numbers that a
center's editors complete and submit; who may see, change, submit and reopen it."""

import io
from datetime import date, datetime
from decimal import Decimal
from html.parser import HTMLParser

import pytest
from openpyxl import load_workbook

from django.contrib.auth.models import Group, Permission
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from editorial import progress, roles, yearsummary
from editorial.models import YearSummary
from learning.models import LearningCredit
from programs.models import Enrolment, SurveyResponse

from . import factories

YEAR = 2026
TODAY = date(YEAR, 12, 20)


@pytest.fixture
def fixed_today(monkeypatch):
    monkeypatch.setattr(progress, "today", lambda: TODAY)
    return TODAY


def program(center, starts_on, live=True, parent=None, **kwargs):
    return factories.ProgramPageFactory(
        parent=parent or center.section, center=center, starts_on=starts_on, ends_on=starts_on, live=live, **kwargs
    )


def enrol(page, status=Enrolment.APPROVED, completed=False, overall=None):
    enrolment = factories.EnrolmentFactory(
        program=page, status=status, completed_at=timezone.now() if completed else None
    )
    if completed:
        LearningCredit.objects.create(
            user=enrolment.user, course=None, course_key=page.pk, kind="program", title=page.title, hours=page.hours
        )
    if overall is not None:
        SurveyResponse.objects.create(enrolment=enrolment, program=page, overall=overall, organisation=4)
    return enrolment


@pytest.fixture
def scenario(tree, fixed_today):
    """甲: three programs of 2026 (one held, one not yet started, one unpublished) and one of 2025;
    乙: two held, one of them with 甲 in its `center` field (it belongs to the section holding it)."""
    jia = factories.TrainingCenterFactory(code="jia", name="甲培训研修中心")
    yi = factories.TrainingCenterFactory(code="yi", name="乙培训研修中心")

    held = program(jia, date(YEAR, 3, 10), title="甲的示范培训班")
    enrol(held, completed=True, overall=5)
    enrol(held, completed=True, overall=4)
    enrol(held)
    enrol(held, status=Enrolment.WAITING)
    enrol(held, status=Enrolment.DECLINED)
    enrol(program(jia, date(YEAR, 12, 28), title="甲的年末培训班"))  # published, not yet started
    program(jia, date(YEAR, 6, 1), live=False, title="甲未发布的培训班")
    enrol(program(jia, date(YEAR - 1, 5, 1), title="甲去年的培训班"), completed=True, overall=1)

    first = program(yi, date(YEAR, 5, 1), title="乙的省级培训班")
    enrol(first, completed=True, overall=3)
    enrol(first, completed=True)
    program(jia, date(YEAR, 2, 1), parent=yi.section, title="乙中心栏目下的培训班")  # 乙's, by its place
    return {"jia": jia, "yi": yi}


def member(django_user_model, center, name, role="editors_group"):
    user = django_user_model.objects.create_user(name, f"{name}@example.edu.cn", "pw")
    user.groups.add(getattr(center, role))
    return user


@pytest.fixture
def admin_client(client, django_user_model):
    client.force_login(django_user_model.objects.create_superuser("admin", "admin@example.edu.cn", "pw"))
    return client


class RowsParser(HTMLParser):
    """{row id: {data-column: text}} of the rows whose id starts with the prefix."""

    def __init__(self, prefix):
        super().__init__()
        self.prefix, self.rows, self.row, self.column = prefix, {}, None, None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "tr" and (attrs.get("id") or "").startswith(self.prefix):
            self.row = attrs["id"].removeprefix(self.prefix)
            self.rows[self.row] = {"class": attrs.get("class") or ""}
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


def rows(response, prefix):
    assert response.status_code == 200
    parser = RowsParser(prefix)
    parser.feed(response.text)
    return parser.rows


# -- the numbers ---------------------------------------------------------------------------------


@pytest.mark.django_db
def test_each_centers_programs_of_the_year_are_counted(scenario):
    numbers = yearsummary.program_year(YEAR, TODAY)
    jia, yi = numbers[scenario["jia"].pk], numbers[scenario["yi"].pk]
    assert (jia.planned, jia.held, jia.enrolled, jia.completed, jia.responses) == (3, 1, 4, 2, 2)
    assert jia.satisfaction == "4.50" and jia.hours == Decimal("32.00")
    assert (yi.planned, yi.held, yi.enrolled, yi.completed, yi.responses) == (2, 2, 2, 2, 1)
    assert yi.satisfaction == "3.00"
    # Last year's program is last year's; one center asked for, one center answered.
    last_year = yearsummary.program_year(YEAR - 1, TODAY)[scenario["jia"].pk]
    assert (last_year.planned, last_year.completed, last_year.satisfaction) == (1, 1, "1.00")
    assert list(yearsummary.program_year(YEAR, TODAY, [scenario["yi"].pk])) == [scenario["yi"].pk]


@pytest.mark.django_db
def test_the_programs_numbers_take_the_same_queries_for_any_number_of_centers(scenario, django_assert_num_queries):
    with django_assert_num_queries(2):
        yearsummary.program_year(YEAR, TODAY, [scenario["jia"].pk])
    for n in range(3):
        center = factories.TrainingCenterFactory(code=f"extra-{n}", name=f"另一中心{n}")
        for month in (4, 5):
            enrol(program(center, date(YEAR, month, 1)), completed=True, overall=5)
    with django_assert_num_queries(2):
        numbers = yearsummary.program_year(YEAR, TODAY)
    assert len(numbers) == 5


# -- the dashboard ------------------------------------------------------------------------------


@pytest.mark.django_db
def test_the_dashboard_shows_each_centers_programs_and_summary_state(admin_client, scenario):
    YearSummary.objects.create(center=scenario["yi"], year=YEAR, status=YearSummary.SUBMITTED)
    table = rows(admin_client.get("/admin/progress/", {"year": YEAR}), "programs-")
    assert table["jia"]["programs"] == "1／3" and table["jia"]["enrolled"] == "4"
    assert table["jia"]["completed"] == "2" and table["jia"]["satisfaction"] == "4.50（2 份）"
    assert table["jia"]["summary"].startswith("未填写")
    assert table["yi"]["programs"] == "2／2" and table["yi"]["summary"].startswith("已提交")
    # The center's drill-down lists its programs of the year.
    html = admin_client.get(f"/admin/progress/{scenario['jia'].pk}/", {"year": YEAR}).text
    html = html.split('id="programs"')[1].split('id="audit-log"')[0]
    assert "甲的示范培训班" in html and "甲未发布的培训班" in html and "甲去年的培训班" not in html


@pytest.mark.django_db
def test_the_dashboard_takes_the_same_queries_with_more_centers_and_programs(admin_client, scenario):
    def count():
        with CaptureQueriesContext(connection) as queries:
            assert admin_client.get("/admin/progress/", {"year": YEAR}).status_code == 200
        return len(queries)

    count()  # the first request warms the caches (content types, site)
    before = count()
    for n in range(3):
        center = factories.TrainingCenterFactory(code=f"extra-{n}", name=f"另一中心{n}")
        for month in (4, 5):
            enrol(program(center, date(YEAR, month, 1)), completed=True, overall=4)
        YearSummary.objects.create(center=center, year=YEAR)
    assert count() == before


@pytest.mark.django_db
def test_the_excel_export_has_a_sheet_of_programs(admin_client, scenario):
    response = admin_client.get("/admin/progress/export.xlsx", {"year": YEAR})
    workbook = load_workbook(io.BytesIO(response.content))
    assert workbook.sheetnames == [f"{YEAR}年报送进度", f"{YEAR}年培训项目"]
    lines = list(workbook[f"{YEAR}年培训项目"].iter_rows(values_only=True))
    assert lines[0][:4] == ("中心代码", "培训研修中心", "本年度培训项目", "已举办")
    assert lines[1:] == [
        ("jia", "甲培训研修中心", 3, 1, 4, 2, 2, 4.5, "未填写"),
        ("yi", "乙培训研修中心", 2, 2, 2, 2, 1, 3.0, "未填写"),
    ]


# -- the year-end summary -------------------------------------------------------------------------


def url(center, year=YEAR, suffix=""):
    return f"/admin/year-summary/{center.code}/{year}/{suffix}"


TEXTS = {"achievements": "举办示范培训班 3 期。", "problems": "现场教学基地不足。", "next_year": "新增两个实践基地。"}


@pytest.mark.django_db
def test_the_summary_is_prefilled_with_the_years_numbers(client, scenario, django_user_model):
    jia = scenario["jia"]
    course = factories.MicroCoursePageFactory(parent=jia.section, center=jia, title="甲的微课")
    learner = factories.CounselorFactory()
    LearningCredit.objects.create(
        user=learner, course=course, course_key=course.pk, title=course.title, hours=Decimal("0.50")
    )
    LearningCredit.objects.filter(course=course).update(credited_at=timezone.make_aware(datetime(YEAR, 9, 1)))
    client.force_login(member(django_user_model, jia, "jia-editor"))
    response = client.get(url(jia))
    assert response.status_code == 200
    numbers = response.context["numbers"]
    assert numbers["programs_planned"] == 3 and numbers["programs_held"] == 1
    assert numbers["enrolled"] == 4 and numbers["completed"] == 2 and numbers["program_hours"] == "32.00"
    assert numbers["survey_responses"] == 2 and numbers["satisfaction"] == "4.50"
    assert numbers["course_completions_year"] == 1 and numbers["course_hours_year"] == "0.50"
    assert numbers["plan_status"] == "未填报" and numbers["cases"] == 0
    html = response.text
    assert "甲培训研修中心 · 2026 年底工作总结" in html and "总体满意度（5 分制）" in html and "4.50" in html
    assert 'name="save"' in html and 'name="submit"' in html and 'name="reopen"' not in html


@pytest.mark.django_db
def test_save_draft_then_submit_locks_the_text(client, scenario, django_user_model):
    jia = scenario["jia"]
    editor = member(django_user_model, jia, "jia-editor")
    client.force_login(editor)

    response = client.post(url(jia), {"achievements": "初稿", "problems": "", "next_year": "", "save": "1"})
    assert response.status_code == 302 and response["Location"] == url(jia)
    summary = YearSummary.objects.get(center=jia, year=YEAR)
    assert summary.status == YearSummary.DRAFT and summary.achievements == "初稿" and summary.updated_by == editor
    assert summary.numbers["enrolled"] == 4  # the numbers are copied on save

    # Submitting needs every text: nothing is lost, nothing submitted.
    response = client.post(url(jia), {"achievements": "第二稿", "problems": "", "next_year": "", "submit": "1"})
    assert response.status_code == 200 and "提交前请填写此项。" in response.text and "第二稿" in response.text
    assert YearSummary.objects.get(pk=summary.pk).status == YearSummary.DRAFT

    response = client.post(url(jia), {**TEXTS, "submit": "1"})
    assert response.status_code == 302
    summary.refresh_from_db()
    assert summary.status == YearSummary.SUBMITTED and summary.submitted_at is not None
    assert summary.achievements == TEXTS["achievements"]
    assert summary.numbers == yearsummary.center_numbers(jia, YEAR, TODAY)

    # Submitted: the editor sees it read-only and cannot change it, even by a forged POST.
    html = client.get(url(jia)).text
    assert "该总结已提交，内容已锁定" in html and 'name="submit"' not in html and 'name="reopen"' not in html
    response = client.post(url(jia), {**TEXTS, "achievements": "偷偷改", "save": "1"})
    assert response.status_code == 409 and "偷偷改" in response.text  # shown back, not saved
    assert YearSummary.objects.get(pk=summary.pk).achievements == TEXTS["achievements"]
    response = client.post(url(jia), {"reopen": "1"})
    assert response.status_code == 302 and response["Location"] == "/admin/"  # Wagtail's "no permission"
    assert YearSummary.objects.get(pk=summary.pk).status == YearSummary.SUBMITTED


@pytest.mark.django_db
def test_a_submitted_summary_keeps_its_numbers_and_a_reviewer_reopens_it(client, scenario, django_user_model):
    jia = scenario["jia"]
    YearSummary.objects.create(
        center=jia,
        year=YEAR,
        status=YearSummary.SUBMITTED,
        submitted_at=timezone.now(),
        numbers={"enrolled": 99},
        **TEXTS,
    )
    client.force_login(member(django_user_model, jia, "jia-reviewer", role="reviewers_group"))
    response = client.get(url(jia))
    assert response.context["numbers"] == {"enrolled": 99}  # as submitted, not today's
    assert 'name="reopen"' in response.text
    assert client.post(url(jia), {"reopen": "1"}).status_code == 302
    summary = YearSummary.objects.get(center=jia, year=YEAR)
    assert summary.status == YearSummary.DRAFT and summary.submitted_at is None
    assert summary.achievements == TEXTS["achievements"]  # the text stays
    assert client.get(url(jia)).context["numbers"]["enrolled"] == 4  # a draft shows today's numbers


@pytest.mark.django_db
def test_texts_are_bounded(client, scenario, django_user_model):
    jia = scenario["jia"]
    client.force_login(member(django_user_model, jia, "jia-editor"))
    response = client.post(url(jia), {**TEXTS, "problems": "问" * 3001, "save": "1"})
    assert response.status_code == 200 and "最多 3000 字（现为 3001 字）。" in response.text
    assert not YearSummary.objects.exists()


@pytest.mark.django_db
def test_another_centers_people_cannot_see_or_change_the_summary(client, scenario, django_user_model):
    jia, yi = scenario["jia"], scenario["yi"]
    YearSummary.objects.create(center=jia, year=YEAR, **TEXTS)
    for role in ("editors_group", "reviewers_group"):
        client.force_login(member(django_user_model, yi, f"yi-{role}", role=role))
        assert client.get(url(jia)).status_code == 404
        assert client.get(url(jia, suffix="print/")).status_code == 404
        assert client.post(url(jia), {**TEXTS, "achievements": "乙改的", "submit": "1"}).status_code == 404
        assert client.post(url(jia), {"reopen": "1"}).status_code == 404
        listing = rows(client.get("/admin/year-summary/", {"year": YEAR}), "summary-")
        assert list(listing) == ["yi"]
    summary = YearSummary.objects.get(center=jia, year=YEAR)
    assert summary.achievements == TEXTS["achievements"] and summary.status == YearSummary.DRAFT
    # Someone of no center: Wagtail's "no permission" redirect, and no menu item.
    outsider = django_user_model.objects.create_user("outsider", "", "pw")
    outsider.user_permissions.add(Permission.objects.get(codename="access_admin"))
    client.force_login(outsider)
    for address in ("/admin/year-summary/", url(jia), url(jia, suffix="print/")):
        response = client.get(address)
        assert response.status_code == 302 and response["Location"] == "/admin/", address
    assert '"/admin/year-summary/"' not in client.get("/admin/account/").text
    client.logout()
    assert client.get(url(jia))["Location"].startswith("/admin/login/")


@pytest.mark.django_db
def test_the_platform_list_shows_who_has_submitted(client, scenario, django_user_model, monkeypatch):
    jia, yi = scenario["jia"], scenario["yi"]
    bing = factories.TrainingCenterFactory(code="bing", name="丙培训研修中心")
    YearSummary.objects.create(center=jia, year=YEAR, status=YearSummary.SUBMITTED, submitted_at=timezone.now())
    YearSummary.objects.create(center=yi, year=YEAR)
    platform = django_user_model.objects.create_user("platform", "", "pw")
    platform.groups.add(Group.objects.get(name=roles.PLATFORM_ADMINS))
    client.force_login(platform)
    response = client.get("/admin/year-summary/", {"year": YEAR})
    listing = rows(response, "summary-")
    assert list(listing) == ["bing", "jia", "yi"]
    assert listing["jia"]["status"] == "已提交" and listing["yi"]["status"] == "草稿"
    assert listing["bing"]["status"] == "未填写"
    assert "共 3 个中心，已提交 1 个，未提交 2 个。" in response.text
    assert '"/admin/year-summary/"' in response.text  # the menu item
    # After the deadline (December 31), the centers that have not submitted are overdue.
    monkeypatch.setattr(progress, "today", lambda: date(YEAR + 1, 1, 5))
    response = client.get("/admin/year-summary/", {"year": YEAR})
    listing = rows(response, "summary-")
    assert "progress-row--overdue" in listing["yi"]["class"] and "已逾期" in listing["bing"]["status"]
    assert "overdue" not in listing["jia"]["class"] and "其中 <strong>2 个已逾期</strong>" in response.text
    # A platform administrator reads and reopens any center's summary.
    assert client.get(url(bing)).status_code == 200
    client.post(url(jia), {"reopen": "1"})
    assert YearSummary.objects.get(center=jia).status == YearSummary.DRAFT


@pytest.mark.django_db
def test_the_printable_summary(admin_client, scenario):
    jia = scenario["jia"]
    YearSummary.objects.create(
        center=jia,
        year=YEAR,
        status=YearSummary.SUBMITTED,
        submitted_at=timezone.now(),
        numbers=yearsummary.center_numbers(jia, YEAR, TODAY),
        **TEXTS,
    )
    response = admin_client.get(url(jia, suffix="print/"))
    assert response.status_code == 200
    html = response.text
    assert "甲培训研修中心" in html and "2026 年度工作总结" in html and TEXTS["problems"] in html
    assert "录取学员（人）" in html and "4.50" in html and "<script" not in html
    assert admin_client.post(url(jia, suffix="print/")).status_code == 405


@pytest.mark.django_db
def test_years_outside_the_dashboards_range_are_not_found(admin_client, scenario):
    assert admin_client.get(url(scenario["jia"], year=1999)).status_code == 404
    assert admin_client.get(url(scenario["jia"], year=YEAR + 2)).status_code == 404
    assert admin_client.get("/admin/year-summary/nope/2026/").status_code == 404


@pytest.mark.django_db
def test_the_summary_screens_have_no_english(client, scenario, django_user_model):
    from .test_admin_language import data_codes, english, page_text

    jia = scenario["jia"]
    YearSummary.objects.create(center=jia, year=YEAR, status=YearSummary.SUBMITTED, submitted_at=timezone.now())
    client.force_login(member(django_user_model, jia, "jia-reviewer", role="reviewers_group"))
    codes = data_codes() | {"jia", "reviewer"}
    for address in ("/admin/year-summary/", url(jia), "/admin/progress/", f"/admin/progress/{jia.pk}/"):
        assert english(page_text(client.get(address, {"year": YEAR})), codes) == [], address
