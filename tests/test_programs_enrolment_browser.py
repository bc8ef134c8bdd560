"""Enrolment in Chromium, without JavaScript on the counselors' side: three counselors apply for two
seats on a phone-sized page, staff admit one in 学员管理, one cancels and the third gets the seat and
an e-mail (issue 16's first Done-when line, its enrolment part)."""

import os

import pytest

from django.conf import settings
from django.core import mail
from django.test import Client

from programs.models import Enrolment

from . import factories
from .test_browser import browser, csp_violations  # noqa: F401 (browser: the fixture)

os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]
SCREENSHOTS = os.environ.get("PROGRAMS_SCREENSHOTS")  # a folder: keep pictures of the pages for a look


def session_for(browser, live_server, user, **options):  # noqa: F811
    client = Client()
    client.force_login(user)
    context = browser.new_context(**options)
    cookie = client.cookies[settings.SESSION_COOKIE_NAME].value
    context.add_cookies([{"name": settings.SESSION_COOKIE_NAME, "value": cookie, "url": live_server.url}])
    return context


def shot(page, name):
    if SCREENSHOTS:
        page.screenshot(path=os.path.join(SCREENSHOTS, f"{name}.png"), full_page=True)


def test_two_seats_three_counselors_a_cancellation_gives_the_third_the_seat(live_server, browser, centers, people):  # noqa: F811
    a, _b = centers
    program = factories.ProgramPageFactory(parent=a.section, center=a, capacity=2, title="辅导员谈心谈话能力示范培训班")
    phone = {"viewport": {"width": 390, "height": 844}, "java_script_enabled": False}
    counselors = [
        factories.CounselorFactory(username=name, profile__name=f"{name}老师") for name in ("li", "wang", "zhao")
    ]
    pages = []
    for index, user in enumerate(counselors):
        page = session_for(browser, live_server, user, **phone).new_page()
        violations = csp_violations(page)
        page.goto(live_server.url + program.url)
        if index == 0:
            shot(page, "1-form")
        assert page.get_by_label("姓名").input_value() == f"{user.username}老师"
        page.get_by_label("报名说明（选填，最多 500 字）").fill("希望提升谈心谈话能力")
        page.get_by_test_id("enrolment-submit").click()
        assert page.url.endswith("#enrolment")
        pages.append(page)
        assert not violations
    assert "待审核" in pages[0].get_by_test_id("enrolment-state").inner_text()
    assert "候补第 1 位" in pages[2].get_by_test_id("enrolment-state").inner_text()
    assert "名额已满" in pages[2].locator(".messages").inner_text()
    shot(pages[2], "2-waiting")

    # Staff admit the first in 学员管理.
    admin = session_for(browser, live_server, people["editor_a"], viewport={"width": 1280, "height": 900}).new_page()
    admin.goto(live_server.url + f"/admin/programs/enrolment/{program.pk}/")
    assert admin.locator('[data-count="waiting"]').inner_text() == "1"
    shot(admin, "3-admin")
    first = Enrolment.objects.get(user=counselors[0])
    admin.locator(f"#enrolment-{first.pk}").get_by_role("button", name="录取").click()
    admin.wait_for_load_state()
    assert "已录取 li老师" in admin.locator(".messages").inner_text()
    assert admin.locator('[data-count="approved"]').inner_text() == "1"

    # The second cancels: the third gets the seat and an e-mail.
    pages[1].reload()
    pages[1].get_by_test_id("enrolment-cancel").click()
    assert "已取消报名" in pages[1].locator(".messages").inner_text()
    pages[2].reload()
    assert "待审核" in pages[2].get_by_test_id("enrolment-state").inner_text()
    assert any(message.to == ["zhao@example.edu.cn"] and "候补递补" in message.subject for message in mail.outbox)

    # Each sees their programs in the record.
    pages[2].goto(live_server.url + "/me/")
    row = pages[2].get_by_test_id("record-programs")
    assert program.title in row.inner_text() and "待审核" in row.inner_text()
    shot(pages[2], "4-record")
