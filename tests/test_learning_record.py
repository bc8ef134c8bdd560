"""The counselor's learning record at /me/: what it shows, its exports, and that only its owner sees it."""

import csv
import io
import re
import shutil
import subprocess
from datetime import datetime, timedelta
from decimal import Decimal

import pytest

from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from learning.exports import personal_data
from learning.models import CourseProgress, LearningCredit
from learning.record import build_record
from learning.record_pdf import offline_fetcher
from learning.tracking import Report, apply_report, start_session
from resources.models import CapabilityArea

from .learning_helpers import Clock, counselor, playable_course, report, start
from .test_browser import browser, csp_violations  # noqa: F401 (the browser fixture)

URLS = ["/me/", "/me/radar.svg", "/me/record.csv", "/me/record.pdf"]


@pytest.fixture
def owner(db, client):
    user = counselor("owner")
    user.first_name, user.last_name = "晓明", "王"
    user.save()
    client.force_login(user)
    return user


def progress(user, course, percent, *, completed_at=None, updated_at=None):
    now = timezone.now()
    return CourseProgress.objects.create(
        user=user,
        course=course,
        duration=600,
        watched_seconds=6 * percent,
        progress=percent / 100,
        started_at=(updated_at or now) - timedelta(days=3),
        updated_at=updated_at or now,
        completed_at=completed_at,
    )


def credit(user, course, hours, codes, at=None):
    return LearningCredit.objects.create(
        user=user,
        course=course,
        course_key=course.pk,
        title=course.title,
        hours=Decimal(hours),
        capability_codes=codes,
        credited_at=at or timezone.now(),
    )


def completed(user, course, hours, codes, at=None):
    at = at or timezone.now()
    progress(user, course, 95, completed_at=at, updated_at=at)
    return credit(user, course, hours, codes, at)


def area_hours(html):
    return dict(re.findall(r'data-area="([\w-]+)" data-hours="([\d.]+)"', html))


def local_year_start(year):
    return timezone.make_aware(datetime(year, 6, 1, 12))


def test_completed_and_in_progress_courses_are_listed(client, owner, make_course):
    done = make_course(title="心理危机干预的第一步", capabilities=["mental_health"])
    doing = make_course(title="网络舆情的研判与引导", capabilities=["online_education"])
    completed(owner, done, "1.50", ["mental_health"])
    progress(owner, doing, 42)

    html = client.get("/me/").content.decode()
    done_rows = html[html.index('data-testid="completed-courses"') : html.index('data-testid="in-progress-courses"')]
    assert done.title in done_rows and "1.5" in done_rows and "心理健康教育" in done_rows
    assert f'href="{done.url}"' in done_rows  # still live: linked
    doing_rows = html[html.index('data-testid="in-progress-courses"') : html.index('data-testid="timeline"')]
    assert doing.title in doing_rows and "42%" in doing_rows and done.title not in doing_rows
    assert "王晓明" in html  # the owner's name, family name first


def test_watching_a_course_to_the_end_puts_it_on_the_record_with_its_hours(client, owner, make_course):
    course = playable_course(make_course, duration=600.0, title="谈心谈话的方法", capabilities=["mental_health"])
    with Clock() as clock:
        session = start(client, course)
        for seq, position in enumerate(range(0, 560, 60), start=1):
            clock.advance(60)
            assert report(client, session, seq, [[position, position + 60]]).status_code == 200
    record = build_record(owner)
    assert [row.title for row in record.completed] == ["谈心谈话的方法"]
    assert record.completed[0].hours == Decimal("0.50")
    assert record.total_hours == Decimal("0.50")
    assert [event.kind for event in record.timeline] == ["credited", "completed", "started"]


def test_hours_by_year_and_by_area_count_a_course_toward_each_of_its_areas(client, owner, make_course):
    this_year = timezone.localtime().year
    two_areas = make_course(title="班级心理委员培训", capabilities=["mental_health", "party_league_class"])
    one_area = make_course(title="学风建设案例", capabilities=["study_style"])
    last_year = make_course(title="去年的课程", capabilities=["mental_health"])
    completed(owner, two_areas, "2.00", ["mental_health", "party_league_class"])
    completed(owner, one_area, "0.50", ["study_style"])
    completed(owner, last_year, "1.25", ["mental_health"], at=local_year_start(this_year - 1))

    record = build_record(owner)
    assert [(year.year, year.hours, year.courses) for year in record.years] == [
        (this_year, Decimal("2.50"), 2),
        (this_year - 1, Decimal("1.25"), 1),
    ]
    assert record.total_hours == Decimal("3.75")
    # Every area in its order, the two-area course counted in full in both.
    assert [area.code for area in record.areas] == list(CapabilityArea.objects.values_list("code", flat=True))
    by_code = {area.code: area.hours for area in record.areas}
    assert by_code["mental_health"] == Decimal("3.25")
    assert by_code["party_league_class"] == Decimal("2.00")
    assert by_code["study_style"] == Decimal("0.50")
    assert by_code["research"] == 0

    html = client.get("/me/").content.decode()
    assert area_hours(html)["mental_health"] == "3.25" and area_hours(html)["research"] == "0"
    assert f'data-year="{this_year}"' in html and f'data-year="{this_year - 1}"' in html


def test_progress_toward_the_yearly_target(client, owner, make_course, settings):
    settings.LEARNING_ANNUAL_HOURS = 10.0
    completed(owner, make_course(title="今年的课"), "2.50", ["ideology"])
    completed(owner, make_course(title="去年的课"), "4.00", ["ideology"], at=local_year_start(timezone.now().year - 1))

    html = client.get("/me/").content.decode()
    assert re.search(r'<progress id="record-target-progress" max="10" value="2.5">25%</progress>', html)
    assert 'data-testid="year-hours">2.5<' in html
    assert "已完成 25%，还需 7.5 学时" in html

    completed(owner, make_course(title="又一门课"), "8.00", ["ideology"])
    html = client.get("/me/").content.decode()
    # Beyond the target the bar is full, never past its max.
    assert 'max="10" value="10"' in html and "已完成本年度学时目标" in html


def test_the_radar_names_the_nine_areas_and_follows_the_credits(client, owner, make_course):
    course = make_course(title="职业规划课", capabilities=["career_guidance", "research"])
    response = client.get("/me/radar.svg")
    assert response["Content-Type"].startswith("image/svg+xml")
    svg = response.content.decode()
    assert svg.startswith("<svg") and "<script" not in svg
    labels = list(CapabilityArea.objects.values_list("label", flat=True))
    assert len(labels) == 9
    for label in labels:
        assert label in svg
    title = re.search(r"<title[^>]*>(.*?)</title><desc[^>]*>(.*?)</desc>", svg)
    assert title and all(f"{label} 0 学时" in title[2] for label in labels)
    assert area_hours(svg)["career_guidance"] == "0"

    completed(owner, course, "1.50", ["career_guidance", "research"])
    svg = client.get("/me/radar.svg").content.decode()
    assert area_hours(svg)["career_guidance"] == "1.5" and area_hours(svg)["research"] == "1.5"
    assert "职业规划与就业创业指导 1.5 学时" in svg
    # The page shows it as an image whose text alternative carries the same numbers.
    html = client.get("/me/").content.decode()
    assert re.search(r'<img src="/me/radar.svg"[^>]*alt="[^"]*职业规划与就业创业指导 1.5 学时', html)


def test_the_timeline_is_newest_first_and_bounded(client, owner, make_course, monkeypatch):
    monkeypatch.setattr("learning.record.TIMELINE_LIMIT", 3)
    base = timezone.now() - timedelta(days=10)
    for day in range(3):
        completed(owner, make_course(title=f"第{day + 1}门课"), "0.50", ["ideology"], at=base + timedelta(days=day))
    record = build_record(owner)
    assert record.event_counts == {"started": 3, "completed": 3, "credited": 3}
    assert [(event.kind, event.title) for event in record.timeline] == [
        ("credited", "第3门课"),
        ("completed", "第3门课"),
        ("credited", "第2门课"),
    ]
    html = client.get("/me/").content.decode()
    assert "显示最近 3 条，共 9 条" in html


def test_an_unpublished_or_deleted_course_keeps_its_hours_without_a_link(client, owner, make_course):
    hidden = make_course(title="已下线的课程", capabilities=["research"])
    completed(owner, hidden, "1.00", ["research"])
    hidden.unpublish()
    # What deleting a course leaves: its progress goes with the page, its credit stays (course=None).
    LearningCredit.objects.create(
        user=owner,
        course=None,
        course_key=hidden.pk + 1000,
        title="已删除的课程",
        hours=Decimal("1.00"),
        capability_codes=["research"],
        credited_at=timezone.now() - timedelta(days=1),
    )

    record = build_record(owner)
    assert [(row.title, row.url) for row in record.completed] == [("已下线的课程", ""), ("已删除的课程", "")]
    assert record.areas[-1].code == "research" and record.areas[-1].hours == Decimal("2.00")
    html = client.get("/me/").content.decode()
    assert '已删除的课程 <span class="muted">（已下线）</span>' in html


def test_csv_has_a_bom_and_one_row_per_course(client, owner, make_course):
    done = make_course(title="=心理健康教育专题", capabilities=["mental_health", "ideology"])
    doing = make_course(title="学业指导入门", capabilities=["study_style"])
    at = timezone.make_aware(datetime(2026, 3, 5, 14, 30))
    completed(owner, done, "1.50", ["ideology", "mental_health"], at=at)
    progress(owner, doing, 40)

    response = client.get("/me/record.csv")
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"].startswith('attachment; filename="learning-record-')
    assert response.content.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert rows[0] == ["课程", "能力方向", "观看进度（%）", "已观看秒数", "完成时间", "学时"]
    assert rows[1] == [
        "'=心理健康教育专题",
        "思想理论教育和价值引领；心理健康教育",
        "95",
        "570",
        "2026-03-05 14:30",
        "1.50",
    ]
    assert rows[2] == ["学业指导入门", "学风建设", "40", "240", "", ""]
    assert len(rows) == 3


def cjk_font_installed():
    return bool(shutil.which("fc-list")) and bool(subprocess.run(["fc-list", ":lang=zh"], capture_output=True).stdout)


def test_the_pdf_carries_the_record_in_chinese(client, owner, make_course):
    if not cjk_font_installed():
        pytest.skip("no Chinese font for WeasyPrint: install Debian's fonts-noto-cjk (make run / make test do)")
    completed(
        owner, make_course(title="心理危机干预的第一步", capabilities=["mental_health"]), "1.50", ["mental_health"]
    )
    response = client.get("/me/record.pdf")
    assert response["Content-Type"] == "application/pdf"
    pdf = response.content
    assert pdf.startswith(b"%PDF")
    if not (shutil.which("pdftotext") and shutil.which("pdffonts")):
        pytest.skip(
            "pdftotext/pdffonts (Debian's poppler-utils) are missing: the PDF's text and fonts were not checked"
        )
    fonts = subprocess.run(["pdffonts", "-"], input=pdf, capture_output=True, check=True).stdout.decode()
    assert "Noto-Sans-CJK" in fonts  # the CJK font, embedded (a subset)
    text = subprocess.run(["pdftotext", "-layout", "-", "-"], input=pdf, capture_output=True, check=True).stdout
    text = text.decode("utf-8")
    for expected in ["学习成长数字档案", "王晓明", "心理危机干预的第一步", "心理健康教育", "1.5"]:
        assert expected in text, expected


def test_the_pdf_fetches_nothing_over_the_network():
    fetcher = offline_fetcher()
    for url in ["http://example.com/x.png", "https://example.com/a.css", "file:///etc/passwd"]:
        with pytest.raises(ValueError):
            fetcher.fetch(url)
    assert fetcher.fetch("data:text/plain;base64,5a2m").read() == "学".encode()


@pytest.mark.parametrize("url", URLS)
def test_anonymous_visitors_are_sent_to_sign_in(client, db, url):
    response = client.get(url)
    assert response.status_code == 302
    assert response["Location"] == f"/accounts/login/?next={url}"


def test_another_counselor_sees_only_their_own_record(client, owner, make_course):
    mine = make_course(title="我的课程甲", capabilities=["ideology"])
    theirs = make_course(title="别人的课程乙", capabilities=["research"])
    other = counselor("other")
    completed(owner, mine, "1.00", ["ideology"])
    completed(other, theirs, "2.00", ["research"])
    progress(other, make_course(title="别人在学的课程丙"), 30)

    client.force_login(other)
    bodies = {url: client.get(url) for url in URLS}
    for url, response in bodies.items():
        assert response.status_code == 200, url
        assert response["Cache-Control"] == "private, no-store", url
    html = bodies["/me/"].content.decode()
    # The record's own sections; its 推荐学习 may recommend any public course, the owner's too.
    html = re.sub(r'<section class="record-section record-recommend".*?</section>', "", html, flags=re.S)
    assert "别人的课程乙" in html and "别人在学的课程丙" in html
    assert "我的课程甲" not in html and "王晓明" not in html
    assert "我的课程甲" not in bodies["/me/record.csv"].content.decode("utf-8-sig")
    assert area_hours(bodies["/me/radar.svg"].content.decode())["ideology"] == "0"
    # No URL takes a user id: the same addresses give the owner their own record.
    client.force_login(owner)
    assert "我的课程甲" in client.get("/me/").content.decode()


def test_the_record_takes_a_bounded_number_of_queries(client, owner, make_course, django_assert_max_num_queries):
    def add(count):
        for index in range(count):
            course = make_course(title=f"课程{index}", capabilities=["ideology", "mental_health"])
            if index % 2:
                completed(owner, course, "0.50", ["ideology", "mental_health"])
            else:
                progress(owner, course, 30)

    add(2)
    client.get("/me/")  # warm per-process caches (content types, site root paths)
    with CaptureQueriesContext(connection) as few:
        client.get("/me/")
    with CaptureQueriesContext(connection) as record_few:
        build_record(owner)
    add(20)
    with django_assert_max_num_queries(len(few.captured_queries)):
        html = client.get("/me/").content.decode()
    assert html.count('data-course="') == 22
    with django_assert_max_num_queries(len(record_few.captured_queries)):
        build_record(owner)
    assert len(record_few.captured_queries) <= 5


def test_personal_data_lists_progress_sessions_and_credits(owner, make_course):
    course = playable_course(make_course, duration=600.0, title="个人数据课程", capabilities=["research"])
    with Clock() as clock:
        session, _ = start_session(owner, course, device="电脑")
        clock.advance(30)
        apply_report(owner.pk, session.pk, Report(seq=1, verb="paused", segments=[(0, 30)], position=30, rate=1))
    credit(owner, course, "0.50", ["research"])
    other = counselor("other")
    start_session(other, course)

    data = personal_data(owner)
    assert len(data["progress"]) == 1
    row = data["progress"][0]
    assert row["course"] == "个人数据课程"
    assert row["played-segments"] == "0[.]30"
    assert row["progress"] == pytest.approx(0.05)
    assert row["completion-threshold"] == 0.9 and row["position"] == 30
    assert len(row["sessions"]) == 1
    assert row["sessions"][0] | {"id": None} == {
        "id": None,
        "started": row["started"],
        "last-report": row["sessions"][0]["last-report"],
        "verb": "paused",
        "credited-seconds": 30,
        "refused-seconds": 0,
        "reports": 1,
        "playback-rate": 1.0,
        "device": "电脑",
    }
    assert data["credits"] == [
        {
            "course-id": course.pk,
            "course": "个人数据课程",
            "hours": "0.50",
            "capability-areas": ["research"],
            "credited": data["credits"][0]["credited"],
        }
    ]
    assert data["credit-clock"] is not None


@pytest.mark.browser
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_the_record_works_in_a_browser_without_javascript(live_server, browser, make_course, settings):  # noqa: F811
    user = counselor("browser")
    course = make_course(title="心理危机干预的第一步", capabilities=["mental_health", "crisis_response"])
    completed(user, course, "1.50", ["mental_health", "crisis_response"])
    progress(user, make_course(title="网络舆情的研判与引导", capabilities=["online_education"]), 42)
    signed_in = Client()
    signed_in.force_login(user)
    context = browser.new_context(java_script_enabled=False)
    cookie = signed_in.cookies[settings.SESSION_COOKIE_NAME].value
    context.add_cookies([{"name": settings.SESSION_COOKIE_NAME, "value": cookie, "url": live_server.url}])
    page = context.new_page()
    violations = csp_violations(page)
    page.goto(live_server.url + "/me/")
    page.wait_for_load_state("networkidle")
    assert page.locator("img[src='/me/radar.svg']").evaluate("image => image.naturalWidth") > 0
    values = page.eval_on_selector_all("tr[data-area]", "rows => rows.map(r => [r.dataset.area, r.dataset.hours])")
    assert len(values) == 9 and dict(values)["crisis_response"] == "1.5" and dict(values)["research"] == "0"
    assert page.locator("#record-target-progress").get_attribute("value") == "1.5"
    assert page.get_by_role("link", name="心理危机干预的第一步").count() == 1
    assert violations == []


def test_the_record_is_in_the_name_of_the_counselors_profile(client, db):
    from django.core.cache import cache

    from . import factories

    user = factories.CounselorFactory(username="zhang", profile__name="张晓燕")
    client.force_login(user)
    assert (
        "张晓燕 的学习成长数字档案" in client.get("/me/").content.decode()
        or "张晓燕" in client.get("/me/").content.decode()
    )
    assert "zhang" not in client.get("/me/").content.decode().split("<main", 1)[1]
    # A PDF costs most of a second of CPU: a handful per user every ten minutes.
    cache.clear()
    statuses = [client.get("/me/record.pdf").status_code for _ in range(7)]
    assert statuses == [200] * 6 + [429]
    assert "请十分钟后再试" in client.get("/me/record.pdf").content.decode()
    cache.clear()
