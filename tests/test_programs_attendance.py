"""Attendance (QR check-in and by hand) and completion of training programs (docs/programs-attendance.md)."""

import datetime
import os
import threading
import time
from decimal import Decimal
from urllib.parse import urlsplit

import pytest

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import connection
from django.utils import timezone

from learning.models import LearningCredit
from learning.record import build_record
from programs import checkin
from programs.completion import evaluate
from programs.models import Attendance, Certificate, Enrolment

from . import factories
from .test_browser import browser, csp_violations  # noqa: F401 (browser: the fixture)

PERIOD = settings.PROGRAMS_CHECKIN_SECONDS


@pytest.fixture
def program(centers):
    a, _b = centers
    program = factories.ProgramPageFactory(
        parent=a.section, center=a, capabilities=["mental_health"], hours="16.0", min_attendance_percent=80
    )
    for n in range(5):
        factories.ProgramSessionFactory(program=program, topic=f"第{n + 1}讲：心理危机干预", sort_order=n)
    return program


@pytest.fixture
def sessions(program):
    return list(program.sessions.order_by("sort_order"))


def enrol(program, status=Enrolment.APPROVED, **kwargs):
    return factories.EnrolmentFactory(program=program, status=status, **kwargs)


@pytest.fixture
def approved(program):
    return enrol(program)


def url(token):
    return f"/programs/checkin/{token}/"


def old_token(session, periods):
    return checkin.make_token(session.pk, now=time.time() - periods * PERIOD)


def text(response):
    return response.content.decode()


# -- tokens ------------------------------------------------------------------------------------------


def test_a_token_is_accepted_in_its_period_and_the_next_only():
    start = 1_800_000_000.0 - 1_800_000_000.0 % PERIOD  # the first second of a period
    token = checkin.make_token(7, now=start + 5)
    assert checkin.read_token(token, now=start) == (checkin.VALID, 7)
    assert checkin.read_token(token, now=start + PERIOD - 0.1) == (checkin.VALID, 7)
    assert checkin.read_token(token, now=start + 2 * PERIOD - 0.1) == (checkin.VALID, 7)
    assert checkin.read_token(token, now=start + 2 * PERIOD) == (checkin.EXPIRED, 7)
    assert checkin.read_token(token, now=start + 100 * PERIOD) == (checkin.EXPIRED, 7)
    # Before its period: only a forger's clock could have made it.
    assert checkin.read_token(token, now=start - 1) == (checkin.INVALID, None)


def test_a_token_cannot_be_changed_to_another_session_or_period():
    token = checkin.make_token(7)
    value, signature = token.split(":")
    session, period = value.split(".")
    assert checkin.read_token(f"8.{period}:{signature}") == (checkin.INVALID, None)
    assert checkin.read_token(f"{session}.{int(period) + 1}:{signature}") == (checkin.INVALID, None)
    assert checkin.read_token(token[:-2]) == (checkin.INVALID, None)
    assert checkin.read_token("garbage") == (checkin.INVALID, None)
    # Signed with another salt (e.g. some other signed value of the site): refused.
    from django.core import signing

    assert checkin.read_token(signing.Signer(salt="other").sign(value)) == (checkin.INVALID, None)


# -- checking in -------------------------------------------------------------------------------------


def test_a_visitor_signs_in_and_comes_back_to_the_same_code(client, sessions):
    token = checkin.make_token(sessions[0].pk)
    response = client.get(url(token))
    assert response.status_code == 302
    assert response["Location"].startswith(settings.LOGIN_URL)
    assert f"next=/programs/checkin/{token}/".replace(":", "%3A") in response["Location"]


def test_an_expired_code_says_so_before_and_after_signing_in(client, sessions, approved):
    token = old_token(sessions[0], 3)
    response = client.get(url(token))
    assert response.status_code == 410
    assert "二维码已过期" in text(response) and "重新扫描" in text(response)
    client.force_login(approved.user)
    response = client.get(url(token))
    assert response.status_code == 410
    assert "请重新扫描" in text(response)
    assert client.post(url(token)).status_code == 410
    assert not Attendance.objects.exists()


def test_a_tampered_code_is_refused(client, sessions, approved):
    client.force_login(approved.user)
    value, signature = checkin.make_token(sessions[0].pk).split(":")
    period = value.split(".")[1]
    response = client.post(url(f"{sessions[1].pk}.{period}:{signature}"))
    assert response.status_code == 400
    assert "二维码无效" in text(response)
    assert not Attendance.objects.exists()


def test_an_approved_counselor_confirms_then_checks_in_once(client, sessions, approved):
    client.force_login(approved.user)
    token = checkin.make_token(sessions[0].pk)
    response = client.get(url(token))
    assert response.status_code == 200
    page = text(response)
    assert sessions[0].topic in page and 'data-testid="checkin-button"' in page
    assert 'name="viewport"' in page  # laid out for a phone
    assert not Attendance.objects.exists(), "GET must not check in"

    response = client.post(url(token))
    assert response.status_code == 302
    assert response["Location"] == f"/programs/checkin/sessions/{sessions[0].pk}/done/"
    attendance = Attendance.objects.get()
    assert (attendance.enrolment, attendance.session, attendance.method) == (approved, sessions[0], "qr")
    assert "签到成功" in text(client.get(response["Location"]))

    # Again: nothing changes, and the page says so.
    assert client.post(url(token)).status_code == 302
    assert Attendance.objects.count() == 1
    response = client.get(url(token))
    assert "已签到" in text(response) and 'data-testid="checkin-button"' not in text(response)


@pytest.mark.parametrize(
    "start_minutes, said",
    [(90, "本场签到将于"), (-60 * 24, "本场签到已于")],
    ids=["tomorrow-ish: not yet", "yesterday: over"],
)
def test_a_genuine_code_checks_in_only_around_the_sessions_own_time(client, sessions, approved, start_minutes, said):
    # A code photographed and sent on, or a screen shown on another day, checks nobody in: QR check-in
    # opens an hour before the session and closes an hour after it (PROGRAMS_CHECKIN_MARGIN_MINUTES).
    session = sessions[0]
    session.starts_at = timezone.now() + datetime.timedelta(minutes=start_minutes)
    session.ends_at = session.starts_at + datetime.timedelta(hours=2)
    session.save()
    client.force_login(approved.user)
    token = checkin.make_token(session.pk)
    response = client.post(url(token))
    assert response.status_code == 403
    assert said in text(response) and "不在签到时间内" in text(response)
    assert not Attendance.objects.exists()

    # The organiser can still mark it by hand; at the session's time the code works.
    session.starts_at = timezone.now() + datetime.timedelta(minutes=50)  # within the hour before
    session.ends_at = session.starts_at + datetime.timedelta(hours=2)
    session.save()
    assert client.post(url(token)).status_code == 302
    assert Attendance.objects.filter(session=session, enrolment=approved).exists()


def test_the_confirm_button_still_works_after_the_code_changed(client, sessions, approved):
    client.force_login(approved.user)
    token = checkin.make_token(sessions[0].pk)
    page = text(client.get(url(token)))
    confirm = page.split('name="confirm" value="')[1].split('"')[0]
    # The code on screen moved on twice while the counselor read the page.
    stale = old_token(sessions[0], 3)
    assert client.post(url(stale), {"confirm": confirm}).status_code == 302
    assert Attendance.objects.filter(enrolment=approved, session=sessions[0]).exists()
    # A confirmation is for its own session and user only.
    assert client.post(url(old_token(sessions[1], 3)), {"confirm": confirm}).status_code == 410
    other = enrol(approved.program)
    client.force_login(other.user)
    assert client.post(url(stale), {"confirm": confirm}).status_code == 410
    assert Attendance.objects.count() == 1


@pytest.mark.parametrize(
    ("status", "reason"),
    [
        (Enrolment.PENDING, "尚在审核中"),
        (Enrolment.WAITING, "候补名单"),
        (Enrolment.DECLINED, "未被录取"),
        (Enrolment.CANCELLED, "已取消报名"),
    ],
)
def test_a_counselor_not_approved_is_refused_with_the_reason(client, program, sessions, status, reason):
    enrolment = enrol(program, status=status)
    client.force_login(enrolment.user)
    token = checkin.make_token(sessions[0].pk)
    for response in (client.get(url(token)), client.post(url(token))):
        assert response.status_code == 403
        assert reason in text(response)
    assert not Attendance.objects.exists()


def test_a_counselor_not_enrolled_or_enrolled_in_another_program_is_refused(client, centers, program, sessions):
    other_program = factories.ProgramPageFactory(parent=centers[1].section, center=centers[1])
    other_session = factories.ProgramSessionFactory(program=other_program)
    elsewhere = enrol(other_program)
    client.force_login(elsewhere.user)
    response = client.post(url(checkin.make_token(sessions[0].pk)))
    assert response.status_code == 403
    assert "您没有报名该培训项目" in text(response)
    # Their own program's code works.
    assert client.post(url(checkin.make_token(other_session.pk))).status_code == 302
    assert list(Attendance.objects.values_list("session", flat=True)) == [other_session.pk]


def test_check_in_answers_a_code_of_a_program_taken_offline(client, program, sessions, approved):
    program.unpublish()
    client.force_login(approved.user)
    response = client.get(url(checkin.make_token(sessions[0].pk)))
    assert response.status_code == 404
    assert "已下线" in text(response)


# -- by hand -------------------------------------------------------------------------------------------


def grid(program):
    return f"/admin/programs/attendance/{program.pk}/"


def test_the_centers_editors_mark_and_unmark_attendance_by_hand(client, people, program, sessions, approved):
    pending = enrol(program, status=Enrolment.PENDING)
    client.force_login(people["editor_a"])
    page = text(client.get(grid(program)))
    assert approved.name in page and f'value="{approved.pk}:{sessions[0].pk}"' in page
    assert f'value="{pending.pk}:' not in page  # only approved participants are listed

    response = client.post(
        grid(program),
        {
            "row": [approved.pk, pending.pk],
            "mark": [
                f"{approved.pk}:{sessions[0].pk}",
                f"{approved.pk}:{sessions[1].pk}",
                f"{pending.pk}:{sessions[0].pk}",
            ],
        },
    )
    assert response.status_code == 302
    marks = Attendance.objects.order_by("session__sort_order")
    assert [(m.enrolment_id, m.session_id, m.method, m.marked_by) for m in marks] == [
        (approved.pk, sessions[0].pk, "manual", people["editor_a"]),
        (approved.pk, sessions[1].pk, "manual", people["editor_a"]),
    ]
    assert "新登记 2 人次" in text(client.get(response["Location"]))

    # Unticking one box removes that attendance only.
    client.post(grid(program), {"row": [approved.pk], "mark": [f"{approved.pk}:{sessions[1].pk}"]})
    assert list(Attendance.objects.values_list("session_id", flat=True)) == [sessions[1].pk]


def test_another_centers_staff_cannot_see_or_change_attendance(client, people, program, sessions, approved):
    Attendance.objects.create(session=sessions[0], enrolment=approved)
    for name in ("editor_b", "reviewer_b"):
        client.force_login(people[name])
        assert client.get(grid(program)).status_code == 404
        assert client.post(grid(program), {"row": [approved.pk], "mark": []}).status_code == 404
        assert client.get(f"/admin/programs/sessions/{sessions[0].pk}/checkin/").status_code == 404
        assert client.get(f"/admin/programs/sessions/{sessions[0].pk}/checkin/code/").status_code == 404
        listing = text(client.get("/admin/programs/attendance/"))
        assert 'id="program-' not in listing
    assert Attendance.objects.count() == 1
    # A counselor has no admin at all.
    client.force_login(approved.user)
    assert client.get(grid(program)).status_code in (302, 403)
    client.force_login(people["reviewer_a"])
    assert f'id="program-{program.pk}"' in text(client.get("/admin/programs/attendance/"))
    assert client.get(grid(program)).status_code == 200


def test_the_grid_ignores_ids_of_other_programs(client, people, centers, program, sessions, approved):
    other_program = factories.ProgramPageFactory(parent=centers[1].section, center=centers[1])
    other_session = factories.ProgramSessionFactory(program=other_program)
    foreign = enrol(other_program)
    client.force_login(people["editor_a"])
    client.post(
        grid(program),
        {
            "row": [approved.pk, foreign.pk, "x"],
            "mark": [f"{foreign.pk}:{sessions[0].pk}", f"{approved.pk}:{other_session.pk}", "1:x", "junk"],
        },
    )
    assert not Attendance.objects.exists()
    # And unticking a row of another program does not delete its attendance.
    Attendance.objects.create(session=other_session, enrolment=foreign)
    client.post(grid(program), {"row": [foreign.pk]})
    assert Attendance.objects.count() == 1


def test_the_grid_costs_the_same_queries_for_more_participants(
    client, people, program, sessions, django_assert_max_num_queries
):
    client.force_login(people["editor_a"])
    for _ in range(2):
        enrol(program)
    client.get(grid(program))  # warm the per-user role caches of the session
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as few:
        assert client.get(grid(program)).status_code == 200
    for _ in range(8):
        Attendance.objects.create(session=sessions[0], enrolment=enrol(program))
    with CaptureQueriesContext(connection) as many:
        assert client.get(grid(program)).status_code == 200
    assert len(many) == len(few)


def test_the_checkin_screen_shows_a_code_for_the_session_and_counts(client, people, program, sessions, approved):
    enrol(program)
    Attendance.objects.create(session=sessions[0], enrolment=approved)
    client.force_login(people["editor_a"])
    page = text(client.get(f"/admin/programs/sessions/{sessions[0].pk}/checkin/"))
    assert "<svg" in page and "签到二维码" in page
    assert "签到人数 <strong data-checked>1</strong> / 已录取人数 <strong data-approved>2</strong>" in page
    assert '<meta http-equiv="refresh"' in page
    link = page.split("data-link>")[1].split("<")[0]
    assert link.startswith(settings.WAGTAILADMIN_BASE_URL.rstrip("/") + "/programs/checkin/")
    token = link.rsplit("/", 2)[1]
    assert checkin.read_token(token) == (checkin.VALID, sessions[0].pk)
    data = client.get(f"/admin/programs/sessions/{sessions[0].pk}/checkin/code/").json()
    assert (data["checked_in"], data["approved"]) == (1, 2)
    assert data["svg"].startswith("<svg") and 0 < data["seconds_left"] <= PERIOD


# -- completion ----------------------------------------------------------------------------------------


def attend(enrolment, sessions):
    for session in sessions:
        Attendance.objects.create(session=session, enrolment=enrolment, method=Attendance.MANUAL)


def test_completion_needs_the_share_of_sessions_and_credits_the_hours_once(program, sessions, approved):
    attend(approved, sessions[:3])
    assert evaluate(approved) is False  # 3 of 5 is 60% < 80%
    assert not LearningCredit.objects.exists()
    attend(approved, sessions[3:4])
    assert evaluate(approved) is True  # 4 of 5 is exactly 80%
    assert evaluate(approved) is True
    approved.refresh_from_db()
    assert approved.completed_at is not None
    credit = LearningCredit.objects.get()
    assert (credit.kind, credit.course_id, credit.course_key, credit.hours) == (
        "program",
        None,
        program.pk,
        Decimal("16.0"),
    )
    assert credit.capability_codes == ["mental_health"]
    assert credit.title == program.title
    assert Certificate.objects.get().enrolment == approved


def test_completion_by_qr_check_in_and_by_hand(client, people, program, sessions, approved):
    attend(approved, sessions[:3])
    client.force_login(approved.user)
    client.post(url(checkin.make_token(sessions[3].pk)))
    approved.refresh_from_db()
    assert approved.completed_at is not None
    other = enrol(program)
    client.force_login(people["editor_a"])
    response = client.post(grid(program), {"row": [other.pk], "mark": [f"{other.pk}:{s.pk}" for s in sessions]})
    assert "1 名学员达到结业要求" in text(client.get(response["Location"]))
    assert LearningCredit.objects.filter(kind="program").count() == 2
    assert Certificate.objects.count() == 2
    listing = text(client.get("/admin/programs/attendance/"))
    row = listing.split(f'id="program-{program.pk}"')[1].split("</tr>")[0]
    assert 'data-column="approved">2<' in row and 'data-column="completed">2<' in row


def test_unmarking_later_does_not_withdraw_completion(client, people, program, sessions, approved):
    attend(approved, sessions)
    evaluate(approved)
    client.force_login(people["editor_a"])
    client.post(grid(program), {"row": [approved.pk], "mark": []})
    assert not Attendance.objects.exists()
    approved.refresh_from_db()
    assert approved.completed_at is not None
    assert LearningCredit.objects.count() == 1 and Certificate.objects.count() == 1


def test_a_pending_enrolment_never_completes(program, sessions):
    pending = enrol(program, status=Enrolment.PENDING)
    attend(pending, sessions)
    assert evaluate(pending) is False
    assert not LearningCredit.objects.exists()


def test_a_program_without_sessions_does_not_complete(centers):
    program = factories.ProgramPageFactory(parent=centers[0].section, center=centers[0])
    assert evaluate(enrol(program)) is False


def test_linked_micro_courses_are_required_and_their_credit_completes_the_program(
    program, sessions, approved, make_course, django_capture_on_commit_callbacks
):
    course = factories.MicroCoursePageFactory(parent=program.get_parent(), title="课前微课：危机识别")
    sessions[0].course_before = course
    sessions[0].save()
    program.require_courses = True
    program.save()
    attend(approved, sessions)
    assert evaluate(approved) is False
    # Another counselor's credit, or another course's, changes nothing.
    with django_capture_on_commit_callbacks(execute=True):
        LearningCredit.objects.create(
            user=enrol(program).user, course=course, course_key=course.pk, title=course.title, hours="0.5"
        )
    approved.refresh_from_db()
    assert approved.completed_at is None
    # Watching it to the end (its credit) completes the program, through the signal.
    with django_capture_on_commit_callbacks(execute=True):
        LearningCredit.objects.create(
            user=approved.user, course=course, course_key=course.pk, title=course.title, hours="0.5"
        )
    approved.refresh_from_db()
    assert approved.completed_at is not None
    assert LearningCredit.objects.filter(user=approved.user, kind="program").count() == 1


def test_the_record_counts_the_program_in_hours_and_areas(client, program, sessions, approved):
    user = approved.user
    before = build_record(user)
    client.force_login(user)
    radar_before = text(client.get("/me/radar.svg"))
    attend(approved, sessions)
    evaluate(approved)
    record = build_record(user)
    assert record.total_hours - before.total_hours == Decimal("16.0")
    area = {row.code: row for row in record.areas}["mental_health"]
    assert area.hours == Decimal("16.0") and (area.courses, area.programs) == (0, 1)
    assert (record.years[0].hours, record.years[0].courses, record.years[0].programs) == (Decimal("16.0"), 0, 1)
    assert record.completed_courses == [] and len(record.completed_programs) == 1

    page = text(client.get("/me/"))
    row = page.split('data-kind="program"')[1].split("</tr>")[0]
    assert program.title in row and "培训项目" in row and "已下线" not in row
    assert 'data-testid="completed-programs">1 个' in page
    assert 'data-area="mental_health" data-hours="16"' in page
    assert text(client.get("/me/radar.svg")) != radar_before


def test_the_program_page_shows_the_counselor_their_attendance(client, program, sessions, approved):
    attend(approved, sessions[:2])
    client.force_login(approved.user)
    page = text(client.get(program.url))
    box = page.split('data-testid="program-attendance"')[1].split("</section>")[0]
    assert 'data-testid="attended">2</strong> / 5' in box
    assert box.count("已签到") == 2 and box.count("未签到") == 3
    attend(approved, sessions[2:])
    evaluate(approved)
    page = text(client.get(program.url))
    certificate = Certificate.objects.get()
    assert f"/programs/certificates/{certificate.pk}/pdf/" in page
    # Someone else, signed in or not, sees no attendance box.
    client.force_login(enrol(program, status=Enrolment.PENDING).user)
    assert 'data-testid="program-attendance"' not in text(client.get(program.url))
    client.logout()
    assert 'data-testid="program-attendance"' not in text(client.get(program.url))


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_simultaneous_evaluations_credit_once(tree):
    center = factories.TrainingCenterFactory(code="race", name="并发测试中心")
    program = factories.ProgramPageFactory(parent=center.section, center=center, hours="8.0")
    session = factories.ProgramSessionFactory(program=program)
    enrolment = enrol(program)
    Attendance.objects.create(session=session, enrolment=enrolment)
    barrier = threading.Barrier(4)
    errors = []

    def run():
        try:
            barrier.wait()
            evaluate(Enrolment.objects.select_related("program").get(pk=enrolment.pk))
        except Exception as exc:  # noqa: BLE001 - reported below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=run) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors, errors
    assert LearningCredit.objects.filter(user=enrolment.user).count() == 1
    assert Certificate.objects.count() == 1


# -- in Chromium, on a phone -----------------------------------------------------------------------------


@pytest.mark.browser
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_counselor_checks_in_on_a_phone_after_signing_in(live_server, browser, tree):  # noqa: F811
    center = factories.TrainingCenterFactory(code="phone", name="手机签到测试中心")
    program = factories.ProgramPageFactory(parent=center.section, center=center, title="辅导员谈心谈话能力提升培训班")
    session = factories.ProgramSessionFactory(program=program, topic="专题一：谈心谈话的基本方法与技巧")
    enrolment = factories.EnrolmentFactory(program=program, status=Enrolment.APPROVED)
    from .test_admin_language import sign_in
    from .test_permissions import member

    editor = member(get_user_model(), "organiser", center.editors_group)
    screen = browser.new_page(viewport={"width": 1280, "height": 900})
    sign_in(screen, live_server.url, editor.username)
    screen.goto(f"{live_server.url}/admin/programs/sessions/{session.pk}/checkin/")
    code = screen.get_by_test_id("checkin-qr").locator("svg")
    assert code.bounding_box()["width"] >= 400  # readable from the back of the room
    assert "签到人数 0 / 已录取人数 1" in screen.locator(".checkin-screen__counts").inner_text()
    screen.screenshot(path=os.environ.get("CHECKIN_SCREEN_SCREENSHOT", "/tmp/checkin-screen.png"))
    link = screen.locator("[data-link]").inner_text()
    assert link.startswith(settings.WAGTAILADMIN_BASE_URL.rstrip("/") + "/programs/checkin/")

    page = browser.new_page(viewport={"width": 375, "height": 740}, is_mobile=True, has_touch=True)
    violations = csp_violations(page)
    page.goto(live_server.url + urlsplit(link).path)
    # Sent to sign in, and back to the same code afterwards.
    page.get_by_label("电子邮箱或手机号").fill(enrolment.user.email)
    page.get_by_label("密码", exact=True).fill("password")
    page.get_by_role("button", name="登录").click()
    page.wait_for_url("**/programs/checkin/**")
    assert page.get_by_test_id("checkin-topic").inner_text() == session.topic
    button = page.get_by_role("button", name="签到")
    box = button.bounding_box()
    assert box["width"] >= 300 and box["height"] >= 48  # a big target for a thumb
    assert page.evaluate("document.documentElement.scrollWidth") <= 375  # nothing wider than the phone
    page.screenshot(path=str(os.environ.get("CHECKIN_SCREENSHOT", "/tmp/checkin-375.png")), full_page=True)
    button.click()
    page.wait_for_url("**/done/")
    assert "已签到" in page.get_by_test_id("checkin-state").inner_text()
    assert Attendance.objects.filter(session=session, enrolment=enrolment, method="qr").exists()
    assert not violations
    # The screen's script brings the new count without a reload.
    screen.wait_for_function("() => document.querySelector('[data-checked]').textContent === '1'", timeout=15_000)


def test_other_readers_of_credits_take_a_program_credit_in_their_stride(program, sessions, approved):
    from learning import exports, recommend
    from popularity import aggregates
    from resources.models import ResourceStats

    attend(approved, sessions)
    evaluate(approved)
    user = approved.user
    assert aggregates.courses_of(user) == []  # a program is no course to count completions for
    aggregates.refresh()
    assert not ResourceStats.objects.filter(page_id=program.pk, completions__gt=0).exists()
    recommended, _stage = recommend.for_counselor(user, recommend.recommendable_courses())
    assert program.pk not in {course.pk for course in recommended}
    credits = exports.personal_data(user)["credits"]
    assert [(c["course-id"], c["hours"]) for c in credits] == [(program.pk, "16.00")]


def test_the_grid_answers_ids_past_the_databases_integers_without_a_server_error(
    client, people, program, sessions, approved
):
    """SQLite raises on such a number in `pk IN (…)` (hub.ids)."""
    client.force_login(people["editor_a"])
    Attendance.objects.create(session=sessions[0], enrolment=approved)
    for huge in (str(2**63), "9" * 25, "-" + "9" * 25):
        response = client.post(grid(program), {"row": [approved.pk, huge], "mark": [f"{huge}:{sessions[1].pk}"]})
        assert response.status_code == 302
        # A row that is not an id spoils the list, as any other: nothing is changed.
        assert list(Attendance.objects.values_list("enrolment", "session")) == [(approved.pk, sessions[0].pk)]
    client.post(
        grid(program), {"row": [approved.pk], "mark": [f"{approved.pk}:{sessions[1].pk}", f"{approved.pk}:{2**64}"]}
    )
    assert list(Attendance.objects.values_list("session", flat=True)) == [sessions[1].pk]
