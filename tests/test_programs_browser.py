"""Issue 16's first Done-when line, whole, in Chromium: a center's editor writes a program with two seats
in the Wagtail admin and submits it, another person of the center (its reviewer) approves it, which
publishes it; three counselors apply, staff admit two in 学员管理 and the third waits; one cancels and
the third gets the seat (and an e-mail) and is admitted; the organiser shows the session's check-in
screen and that counselor opens its link on a phone-sized page and taps 签到; completion credits the
hours to the record and the radar; the certificate's code verifies on the public page for anyone; the
survey is answered, changed (still one response) and shows in the center's 评估结果.

Each part has its own finer tests (tests/test_programs_*.py); this one walks the parts together through
the real pages, as the people involved do."""

import datetime
import os
import re
from urllib.parse import urlsplit

import pytest

from django.conf import settings
from django.core import mail
from django.test import Client
from django.utils import timezone

from programs.models import Certificate, Enrolment, ProgramPage, SurveyResponse

from . import factories
from .test_browser import browser, csp_violations  # noqa: F401 (browser: the fixture)

os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

TITLE = "辅导员谈心谈话能力示范培训班"
TOPIC = "专题一：谈心谈话的基本方法与技巧"
DESKTOP = {"viewport": {"width": 1280, "height": 900}}
SCREENSHOTS = os.environ.get("PROGRAMS_SCREENSHOTS")  # a folder: keep pictures of the pages for a look
PHONE = {"viewport": {"width": 375, "height": 740}, "is_mobile": True, "has_touch": True}


def signed_in(browser, live_server, user, **options):  # noqa: F811
    """A browser context of its own for `user`, signed in by the session cookie of a test client."""
    client = Client()
    client.force_login(user)
    context = browser.new_context(**options)
    cookie = client.cookies[settings.SESSION_COOKIE_NAME].value
    context.add_cookies([{"name": settings.SESSION_COOKIE_NAME, "value": cookie, "url": live_server.url}])
    return context.new_page()


def shot(page, name):
    if SCREENSHOTS:
        page.screenshot(path=os.path.join(SCREENSHOTS, f"e2e-{name}.png"), full_page=True)


def fill_date(page, selector, value):
    # Wagtail's date pickers open on focus; Escape closes the picker and keeps the typed value.
    field = page.locator(selector)
    field.fill(value)
    field.press("Escape")


def footer_action(page, selector):
    """A button of the editor's footer: the save button's dropdown holds the other actions."""
    footer = page.locator("footer").last
    footer.locator(".w-dropdown__toggle").first.click()
    button = footer.locator(selector)
    button.wait_for()
    with page.expect_navigation():
        button.click()


def area_hours(page, code):
    return float(page.get_by_test_id("area-hours").locator(f'tr[data-area="{code}"]').get_attribute("data-hours"))


def radar_hours(page, live_server, code):
    """The hours the record's radar image plots for the area (each point carries its numbers)."""
    page.goto(live_server.url + "/me/radar.svg")
    return float(page.locator(f'[data-area="{code}"]').first.get_attribute("data-hours"))


def test_a_program_from_publication_to_the_centers_survey_results(live_server, browser, centers, people):  # noqa: F811
    center, _other = centers
    today = timezone.localdate()
    refused = []  # what the browser refused under the Content-Security-Policy, page by public page
    starts = today + datetime.timedelta(days=7)

    # -- 1. The center's editor writes the program in the admin and submits it for review. -----------
    editor = signed_in(browser, live_server, people["editor_a"], **DESKTOP)
    editor.goto(f"{live_server.url}/admin/pages/add/programs/programpage/{center.section.pk}/")
    editor.locator("#id_title").fill(TITLE)
    editor.locator("#id_summary").fill("面向新入职辅导员的谈心谈话能力示范培训。")
    editor.get_by_role("checkbox", name="心理健康教育").check()
    fill_date(editor, "#id_starts_on", starts.isoformat())
    fill_date(editor, "#id_ends_on", (starts + datetime.timedelta(days=1)).isoformat())
    editor.locator("#id_place").fill("北京师范大学")
    editor.locator("#id_capacity").fill("2")
    fill_date(editor, "#id_enrol_opens", f"{today.isoformat()} 00:00")  # open now
    fill_date(editor, "#id_enrol_closes", f"{(today + datetime.timedelta(days=5)).isoformat()} 18:00")
    editor.locator("#id_hours").fill("8")
    # The rule: the one session attended completes it; no linked micro-courses to watch.
    editor.locator("#id_min_attendance_percent").fill("100")
    editor.locator("#id_require_courses").uncheck()
    editor.locator("#id_sessions-ADD").click()
    fill_date(editor, "#id_sessions-0-starts_at", f"{starts.isoformat()} 09:00")
    fill_date(editor, "#id_sessions-0-ends_at", f"{starts.isoformat()} 11:30")
    editor.locator("#id_sessions-0-topic").fill(TOPIC)
    shot(editor, "01-add")
    assert editor.locator('footer button[name="action-publish"]').count() == 0  # editors do not publish
    mail.outbox.clear()
    footer_action(editor, 'button[name="action-submit"]')
    program = ProgramPage.objects.get(title=TITLE)
    assert not program.live and program.center_id == center.pk
    sessions = [(s.topic, timezone.localtime(s.starts_at).hour) for s in program.sessions.all()]
    assert sessions == [(TOPIC, 9)]
    assert any("reviewer_a@example.edu.cn" in message.to for message in mail.outbox)  # the center's reviewer is told

    # A different person of the center, its reviewer, approves it: that publishes it.
    reviewer = signed_in(browser, live_server, people["reviewer_a"], **DESKTOP)
    reviewer.goto(f"{live_server.url}/admin/pages/{program.pk}/edit/")
    shot(reviewer, "02-review")
    footer_action(reviewer, 'button[data-workflow-action-name="approve"]:not([data-workflow-action-modal-url])')
    program.refresh_from_db()
    assert program.live and program.capacity == 2 and program.enrolment_open()

    # -- 2. Three counselors apply for the two seats. -------------------------------------------------
    names = ("li", "wang", "zhao")
    counselors = [factories.CounselorFactory(username=name, profile__name=f"{name}老师") for name in names]
    pages = []
    for user in counselors:
        page = signed_in(browser, live_server, user, **PHONE)
        refused.append(csp_violations(page))
        page.goto(live_server.url + program.url)
        assert page.get_by_label("姓名").input_value() == f"{user.username}老师"  # the profile fills it
        page.get_by_test_id("enrolment-submit").click()
        page.wait_for_url("**#enrolment")
        pages.append(page)
    li, wang, zhao = pages
    assert "待审核" in li.get_by_test_id("enrolment-state").inner_text()
    assert "待审核" in wang.get_by_test_id("enrolment-state").inner_text()
    assert "候补第 1 位" in zhao.get_by_test_id("enrolment-state").inner_text()
    shot(zhao, "03-waiting")

    # Staff admit the first two in 学员管理, from its list of the center's programs.
    editor.goto(f"{live_server.url}/admin/programs/enrolment/")
    editor.get_by_role("link", name=TITLE).first.click()
    editor.wait_for_url(f"**/admin/programs/enrolment/{program.pk}/**")

    def admit(user):
        row = editor.locator(f"#enrolment-{Enrolment.objects.get(user=user).pk}")
        with editor.expect_navigation():
            row.get_by_role("button", name="录取").click()
        assert f"已录取 {user.username}老师" in editor.locator(".messages").inner_text()

    admit(counselors[0])
    admit(counselors[1])
    assert editor.locator('[data-count="approved"]').inner_text() == "2"
    assert editor.locator('[data-count="waiting"]').inner_text() == "1"
    shot(editor, "04-applicants")

    # wang cancels: zhao gets the seat, is told by e-mail, and staff admit zhao.
    mail.outbox.clear()
    wang.reload()
    assert "已录取" in wang.get_by_test_id("enrolment-state").inner_text()
    with wang.expect_navigation():
        wang.get_by_test_id("enrolment-cancel").click()
    assert "已取消报名" in wang.locator(".messages").inner_text()
    zhao.reload()
    assert "待审核" in zhao.get_by_test_id("enrolment-state").inner_text()
    told = [message for message in mail.outbox if message.to == ["zhao@example.edu.cn"]]
    assert len(told) == 1 and "候补递补" in told[0].subject and TITLE in told[0].body
    editor.reload()
    admit(counselors[2])
    statuses = dict(Enrolment.objects.values_list("user__username", "status"))
    assert statuses == {"li": "approved", "wang": "cancelled", "zhao": "approved"}

    # zhao's record before the program: no hours in 心理健康教育 yet; the radar as it is drawn now.
    zhao.goto(live_server.url + "/me/")
    hours_before = area_hours(zhao, "mental_health")
    assert radar_hours(zhao, live_server, "mental_health") == hours_before

    # -- 3. Check-in: the organiser shows the session's code; zhao opens its link on a phone. --------
    # Time must pass: QR check-in opens an hour before the session (programs.checkin.window), a week
    # from now. The session's day comes: move it to now (an ORM change; the survey's below is the other).
    session = program.sessions.get()
    session.starts_at = timezone.now() - datetime.timedelta(minutes=5)
    session.ends_at = session.starts_at + datetime.timedelta(hours=2)
    session.save(update_fields=["starts_at", "ends_at"])
    editor.goto(f"{live_server.url}/admin/programs/attendance/{program.pk}/")
    with editor.expect_navigation():
        editor.get_by_role("link", name="显示签到二维码").first.click()
    assert "签到人数 0 / 已录取人数 2" in editor.locator(".checkin-screen__counts").inner_text()
    link = editor.locator("[data-link]").inner_text()
    shot(editor, "05-screen")
    assert link.startswith(settings.WAGTAILADMIN_BASE_URL.rstrip("/") + "/programs/checkin/")

    # A phone of zhao's own, not yet signed in there: the link asks to sign in, then comes back.
    phone = browser.new_context(**PHONE).new_page()
    refused.append(csp_violations(phone))
    phone.goto(live_server.url + urlsplit(link).path)
    phone.get_by_label("电子邮箱或手机号").fill("zhao@example.edu.cn")
    phone.get_by_label("密码", exact=True).fill("password")
    phone.get_by_role("button", name="登录").click()
    phone.wait_for_url("**/programs/checkin/**")
    assert phone.get_by_test_id("checkin-topic").inner_text() == TOPIC
    shot(phone, "06-confirm")
    phone.get_by_role("button", name="签到").tap()
    phone.wait_for_url("**/done/")
    assert "已签到" in phone.get_by_test_id("checkin-state").inner_text()
    shot(phone, "07-done")
    assert phone.evaluate("document.documentElement.scrollWidth") <= 375
    editor.wait_for_function("() => document.querySelector('[data-checked]').textContent === '1'", timeout=15_000)

    # The one session attended meets the rule: the program is complete, its hours in the record.
    zhao.goto(live_server.url + program.url)
    assert "8 学时已计入" in zhao.get_by_test_id("program-completed").inner_text()
    shot(zhao, "08-completed")
    zhao.goto(live_server.url + "/me/")
    assert area_hours(zhao, "mental_health") == hours_before + 8
    area = zhao.get_by_test_id("area-hours").locator('tr[data-area="mental_health"]')
    assert "培训项目 1 个" in area.inner_text()
    shot(zhao, "09-record")
    # The radar drawn for the record (its own SVG document) has the area's point moved out by the hours.
    assert radar_hours(zhao, live_server, "mental_health") == hours_before + 8

    # -- 4. The certificate's code, read on the program page, verifies for anyone. ------------------
    zhao.goto(live_server.url + program.url)
    attendance_box = zhao.get_by_test_id("program-attendance")
    assert attendance_box.get_by_test_id("certificate-download").is_visible()
    code = re.search(r"验证码 ([A-Z0-9]{4}-[A-Z0-9]{4}-[A-Z0-9]{4})", attendance_box.inner_text()).group(1)
    assert Certificate.objects.get(enrolment__user=counselors[2]).code == code
    href = attendance_box.get_by_test_id("certificate-download").get_attribute("href")
    pdf = zhao.context.request.get(live_server.url + href)
    assert pdf.ok and pdf.body().startswith(b"%PDF")

    anyone = browser.new_context(**DESKTOP).new_page()
    refused.append(csp_violations(anyone))
    anyone.goto(live_server.url + "/programs/certificates/verify/")
    anyone.get_by_label("证书验证码").fill(code.lower())  # as typed by someone reading it off the paper
    with anyone.expect_navigation():
        anyone.get_by_role("button", name="验证").click()
    result = anyone.get_by_test_id("certificate-result").inner_text()
    shot(anyone, "10-verified")
    assert "证书有效" in result and "zhao老师" in result and TITLE in result and "8 学时" in result
    assert f"{today.year}年{today.month}月{today.day}日" in result  # the date it was issued
    assert "zhao@example.edu.cn" not in anyone.content()  # name, program, hours, date: nothing more

    # -- 5. The survey, once the program is over. ---------------------------------------------------
    assert zhao.get_by_test_id("survey-upcoming").is_visible()  # on the program page, still closed
    # Time must pass: the survey opens when the last session ends. Move the program and its session
    # into the past.
    ended = timezone.now() - datetime.timedelta(hours=2)
    session.starts_at, session.ends_at = ended - datetime.timedelta(hours=2), ended
    session.save(update_fields=["starts_at", "ends_at"])
    ProgramPage.objects.filter(pk=program.pk).update(starts_on=timezone.localdate(ended), ends_on=today)

    zhao.goto(live_server.url + program.url)
    zhao.get_by_test_id("survey-link").click()
    zhao.wait_for_url("**/survey/**")

    def answer(overall, organisation, content, comment):
        form = zhao.get_by_test_id("survey-form")
        form.locator(f"#overall-{overall}").check()
        form.locator(f"#organisation-{organisation}").check()
        form.locator(f"#session-{session.pk}-content-{content}").check()
        zhao.get_by_label("意见和建议（选填，最多 1000 字）").fill(comment)
        with zhao.expect_navigation():
            form.get_by_role("button").click()

    answer(4, 3, 5, "案例讨论很有收获。")
    assert zhao.get_by_test_id("survey-submitted").is_visible()
    shot(zhao, "11-survey")
    # Answered again: the one response changes, no second one.
    zhao.goto(live_server.url + program.url)
    zhao.get_by_test_id("survey-link").click()
    zhao.wait_for_url("**/survey/**")
    assert zhao.locator("#overall-4").is_checked()  # the saved answers come back
    answer(5, 4, 5, "案例讨论很有收获，希望增加实操演练。")
    response = SurveyResponse.objects.get()
    assert (response.enrolment.user.username, response.overall, response.organisation) == ("zhao", 5, 4)

    # The center's reviewer reads it in 评估结果.
    reviewer.goto(f"{live_server.url}/admin/survey/")
    reviewer.get_by_test_id("survey-programs").get_by_role("link", name=TITLE).first.click()
    reviewer.wait_for_url(f"**/admin/survey/{program.pk}/")
    summary = reviewer.get_by_test_id("survey-summary")
    shot(reviewer, "12-results")
    assert summary.locator('[data-number="participants"]').inner_text() == "1"
    assert summary.locator('[data-number="responses"]').inner_text() == "1"
    assert summary.locator('[data-number="overall"]').inner_text().startswith("5")
    assert summary.locator('[data-number="organisation"]').inner_text().startswith("4")
    row = reviewer.get_by_test_id("survey-sessions").locator(f'tr[data-session="{session.pk}"]')
    assert row.locator('[data-column="ratings"]').inner_text() == "1"
    assert row.locator('[data-column="content"]').inner_text().startswith("5")
    assert "希望增加实操演练" in reviewer.get_by_test_id("survey-comments").inner_text()

    # No public page of the walk (program page, record, check-in, verification, survey) broke its policy.
    assert [message for messages in refused for message in messages] == []
