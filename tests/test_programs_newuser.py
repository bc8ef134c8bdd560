"""What a first-time user of the training programs noticed (a counselor on a phone, a center's editor, a reader):
each test is one thing that was in their way and is fixed (docs/programs-pages.md and the other programs docs)."""

import datetime
import re
from pathlib import Path

import pytest

from django.conf import settings
from django.core import mail
from django.test import Client
from django.utils import timezone

from programs import enrolment as service
from programs.completion import evaluate
from programs.models import Attendance, Certificate, Enrolment

from . import factories
from .test_year_summary import fixed_today, scenario  # noqa: F401 (fixtures)
from .test_year_summary import member as center_member
from .test_year_summary import url as summary_url

pytestmark = pytest.mark.django_db


def signed_in(user):
    client = Client()
    client.force_login(user)
    return client


def flat(html):
    """The page's text without tags and line breaks, as a reader sees it."""
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", "", html))


@pytest.fixture
def finished(centers):
    """A program of last month, with one session, that a counselor attended and completed."""
    a, _b = centers
    today = timezone.localdate()
    program = factories.ProgramPageFactory(
        parent=a.section,
        center=a,
        title="辅导员网络思政能力提升培训班",
        hours="16.0",
        provinces=["山东"],
        enrol_opens=timezone.now() - datetime.timedelta(days=60),
        enrol_closes=timezone.now() - datetime.timedelta(days=40),
        starts_on=today - datetime.timedelta(days=30),
        ends_on=today - datetime.timedelta(days=28),
        capabilities=["online_education"],
    )
    session = factories.ProgramSessionFactory(program=program)
    user = factories.CounselorFactory(username="zhang", profile__name="张老师", profile__province="山东")
    enrolment = factories.EnrolmentFactory(program=program, user=user, status=Enrolment.APPROVED, name="张老师")
    Attendance.objects.create(session=session, enrolment=enrolment)
    assert evaluate(enrolment)
    return program, user


def test_a_completed_counselor_is_told_they_completed_not_to_come_on_time(finished):
    program, user = finished
    html = signed_in(user).get(program.url).content.decode()
    start = html.index('data-testid="program-enrolment"')
    box = flat(html[start : html.index("</section>", start)])
    assert "我的报名： 已结业" in box or "我的报名：已结业" in box
    assert "请按时参加培训" not in box and "项目已开班" not in box
    assert "结业证书见本页" in box
    # Who may apply, written as in the facts above it; the date as everywhere on the page.
    assert "限山东的辅导员" in box and "限 山东 的" not in box
    assert re.search(r"报名时间：\d{4}年\d{1,2}月\d{1,2}日 \d\d:\d\d", box)


def test_an_approved_counselor_of_a_finished_program_is_not_asked_to_come(finished, centers):
    program, _user = finished
    other = factories.CounselorFactory(username="li", profile__province="山东")
    factories.EnrolmentFactory(program=program, user=other, status=Enrolment.APPROVED)
    box = flat(signed_in(other).get(program.url).content.decode())
    assert "我的报名： 已录取" in box or "我的报名：已录取" in box
    assert "培训已结束" in box and "请按时参加培训" not in box and "如需取消请联系主办中心" not in box


def test_a_pending_application_says_the_seat_is_kept_until_the_center_decides(centers):
    a, _b = centers
    program = factories.ProgramPageFactory(parent=a.section, center=a, capacity=5)
    user = factories.CounselorFactory(username="wang")
    client = signed_in(user)
    client.post(f"/programs/{program.pk}/enrolment/", {"name": "王老师", "school": "山东大学", "email": ""})
    html = flat(client.get(program.url).content.decode())
    assert "待审核" in html and "已为您保留名额" in html and "您已获得名额" not in html
    assert "剩余 4 个名额" in html


def test_the_attendance_box_writes_hours_as_the_site_does_and_links_the_verification(finished):
    program, user = finished
    html = signed_in(user).get(program.url).content.decode()
    attendance = html[html.index('data-testid="program-attendance"') :]
    assert "16 学时已计入" in flat(attendance) and "16.0 学时" not in attendance
    code = Certificate.objects.get().code
    assert f'href="/programs/certificates/{code}/"' in attendance


def test_the_learning_record_says_completed_and_writes_dates_in_chinese(finished):
    program, user = finished
    html = signed_in(user).get("/me/").content.decode()
    section = html[html.index('data-testid="record-programs"') :]
    section = section[: section.index("</section>")]
    row = flat(section)
    assert "已结业" in row and "已录取" not in row
    assert f"{program.starts_on.year}年{program.starts_on.month}月{program.starts_on.day}日" in row
    assert not re.search(r"\d{4}-\d\d-\d\d", row)
    assert "出勤与结业证书" in row


def test_emails_do_not_say_laoshi_twice(centers, django_capture_on_commit_callbacks):
    a, _b = centers
    program = factories.ProgramPageFactory(parent=a.section, center=a, capacity=1)
    user = factories.CounselorFactory(username="chen", profile__name="陈老师")
    enrolment = factories.EnrolmentFactory(program=program, user=user, name="陈老师", email="chen@example.edu.cn")
    other = factories.CounselorFactory(username="liu")
    named = factories.EnrolmentFactory(program=program, user=other, name="刘红", email="liu@example.edu.cn")
    approver = factories.CounselorFactory(username="boss")
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):  # the e-mails leave once the decisions commit
        service.approve(enrolment.pk, approver)
        service.approve(named.pk, approver)
    bodies = [message.body for message in mail.outbox]
    assert any(body.startswith("陈老师：您好！") for body in bodies)
    assert any(body.startswith("刘红老师：您好！") for body in bodies)
    assert not any("老师老师" in body for body in bodies)


def test_every_page_links_the_certificate_verification(client, tree):
    html = client.get("/").content.decode()
    footer = html[html.index('class="site-footer"') :]
    assert 'href="/programs/certificates/verify/"' in footer and "结业证书验证" in footer


def test_the_program_badge_is_styled_on_every_page():
    """Library cards, search results and the learning record show 培训项目 without loading programs.css."""
    css = (Path(settings.BASE_DIR) / "site/hub/static/css/site.css").read_text("utf-8")
    assert re.search(r"\.badge--program\s*\{[^}]*background", css)
    assert css.count("{") == css.count("}")


def test_the_checkin_screen_leads_back_to_attendance_by_hand(centers, people):
    a, _b = centers
    program = factories.ProgramPageFactory(parent=a.section, center=a)
    session = factories.ProgramSessionFactory(program=program)
    response = signed_in(people["editor_a"]).get(f"/admin/programs/sessions/{session.pk}/checkin/")
    assert response.status_code == 200
    html = response.content.decode()
    assert f'href="/admin/programs/attendance/{program.pk}/"' in html and "返回签到与结业" in html


def test_the_year_summary_writes_hours_without_trailing_zeros(client, scenario, django_user_model):  # noqa: F811
    jia = scenario["jia"]
    client.force_login(center_member(django_user_model, jia, "jia-newuser"))
    html = client.get(summary_url(jia)).content.decode()
    assert response_numbers_row(html, "结业计入学时") == "32"


def response_numbers_row(html, label):
    match = re.search(rf"<th scope=\"row\">{label}</th><td class=\"num\">([^<]*)</td>", html)
    assert match, f"{label} not in the numbers"
    return match.group(1)


def test_the_schedule_gives_each_sessions_weekday(centers):
    a, _b = centers
    program = factories.ProgramPageFactory(parent=a.section, center=a)
    starts = timezone.make_aware(datetime.datetime(2026, 12, 18, 9, 0))
    factories.ProgramSessionFactory(program=program, starts_at=starts, ends_at=starts + datetime.timedelta(hours=3))
    html = Client().get(program.url).content.decode()
    schedule = flat(html[html.index('data-testid="program-schedule"') :])
    assert "12月18日（星期五）09:00" in schedule


def test_the_verification_page_says_what_a_certificate_is_and_leads_to_the_programs(client, tree):
    html = client.get("/programs/certificates/verify/").content.decode()
    about = html[html.index('data-testid="certificate-about"') :]
    assert 'href="/library/?kind=program"' in about[:400] and "培训研修中心" in about[:400]


def test_the_records_programs_read_as_labelled_cards_on_a_phone(finished):
    """At 390 px the table's cells stack with their own labels (enrolment.css), so nothing needs scrolling."""
    _program, user = finished
    html = signed_in(user).get("/me/").content.decode()
    section = html[html.index('data-testid="record-programs"') :]
    section = section[: section.index("</section>")]
    assert "record-programs__table" in section
    for label in ("培训日期", "报名状态", "报名时间", "更多"):
        assert f'data-label="{label}"' in section
    css = (Path(settings.BASE_DIR) / "site/programs/static/programs/enrolment.css").read_text("utf-8")
    assert ".record-programs__table td[data-label]::before" in css
    assert css.count("{") == css.count("}")
