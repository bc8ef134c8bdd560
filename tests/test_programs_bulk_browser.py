"""学员管理's bulk decisions in Chromium: with JavaScript 全选本页 ticks the page's boxes in place (the
script is a file, no CSP complaint) and 批量录取 admits them; without JavaScript the same link reloads
the page ticked and 批量不录取 with its reason works the same (docs/programs-enrolment.md)."""

import os

import pytest

from programs.models import Enrolment

from . import factories
from .test_browser import browser, csp_violations  # noqa: F401 (browser: the fixture)
from .test_programs_enrolment_browser import session_for, shot

os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]
DESKTOP = {"viewport": {"width": 1280, "height": 900}}


@pytest.fixture
def program(centers):
    a, _b = centers
    program = factories.ProgramPageFactory(parent=a.section, center=a, capacity=4, title="全国辅导员骨干示范培训班")
    for _n in range(3):
        factories.EnrolmentFactory(program=program, status=Enrolment.PENDING)
    factories.EnrolmentFactory(program=program, status=Enrolment.DECLINED)
    return program


def statuses(program):
    return sorted(Enrolment.objects.filter(program=program).values_list("status", flat=True))


def test_select_the_page_with_javascript_then_approve(live_server, browser, program, people):  # noqa: F811
    page = session_for(browser, live_server, people["editor_a"], **DESKTOP).new_page()
    violations = csp_violations(page)
    page.goto(live_server.url + f"/admin/programs/enrolment/{program.pk}/")
    boxes = page.locator('input[type="checkbox"][form="enrolment-bulk"]')
    assert boxes.count() == 3
    toggle = page.get_by_role("button", name="全选本页")
    toggle.click()
    assert all(boxes.nth(n).is_checked() for n in range(3))
    assert "已选 3 人" in page.get_by_test_id("enrolment-bulk").inner_text()
    shot(page, "bulk-1-ticked")
    assert page.url.endswith(f"/{program.pk}/")  # ticked in place, no reload
    page.get_by_role("button", name="取消全选").click()
    assert not any(boxes.nth(n).is_checked() for n in range(3))
    boxes.nth(0).check()
    boxes.nth(2).check()
    with page.expect_navigation():
        page.get_by_role("button", name="批量录取").click()
    assert "已录取 2 人" in page.locator(".messages").inner_text()
    assert statuses(program) == ["approved", "approved", "declined", "pending"]
    assert violations == []


def test_select_the_page_and_decline_without_javascript(live_server, browser, program, people):  # noqa: F811
    context = session_for(browser, live_server, people["reviewer_a"], java_script_enabled=False, **DESKTOP)
    page = context.new_page()
    page.goto(live_server.url + f"/admin/programs/enrolment/{program.pk}/?status=pending")
    with page.expect_navigation():
        page.get_by_role("link", name="全选本页").click()
    boxes = page.locator('input[type="checkbox"][form="enrolment-bulk"]')
    assert boxes.count() == 3 and all(boxes.nth(n).is_checked() for n in range(3))
    page.locator("summary", has_text="批量不录取").click()
    page.get_by_label("未录取原因（告知所选的每位报名人").fill("本期名额优先给西部高校")
    shot(page, "bulk-2-decline-without-javascript")
    with page.expect_navigation():
        page.get_by_role("button", name="确认批量不录取").click()
    assert "已设为未录取 3 人" in page.locator(".messages").inner_text()
    assert "status=pending" in page.url  # back to the same filtered list
    assert statuses(program) == ["declined"] * 4
