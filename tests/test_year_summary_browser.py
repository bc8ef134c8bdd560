# ruff: noqa: F811  (the browser fixture is imported from test_browser)
"""The center's year in a real browser at 1280 px: the dashboard's programs table fits beside the
sidebar with the progress table, and the year-end summary is filled in and submitted without
JavaScript."""

from datetime import date

import pytest

from django.utils import timezone

from editorial.models import YearSummary

from . import factories
from .test_admin_browser import LONG_NAMES, sign_in
from .test_browser import browser  # noqa: F401

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

FITS = """() => [...document.querySelectorAll('.progress-table-wrapper')].map(
    w => w.scrollWidth - w.clientWidth).concat([document.documentElement.scrollWidth])"""


def test_the_programs_table_fits_and_a_summary_is_submitted_without_javascript(
    live_server, browser, django_user_model, tree
):
    year = timezone.localdate().year
    for number, school in enumerate(LONG_NAMES):
        center = factories.TrainingCenterFactory(code=f"c{number}", name=f"{school}高校思想政治工作队伍培训研修中心")
        page = factories.ProgramPageFactory(parent=center.section, center=center, starts_on=date(year, 1, 1))
        factories.EnrolmentFactory(program=page, status="approved")
    django_user_model.objects.create_superuser("admin", "admin@example.edu.cn", "right-password")

    context = browser.new_context(viewport={"width": 1280, "height": 800}, java_script_enabled=False)
    page = context.new_page()
    sign_in(page, live_server.url, "admin", "right-password")
    page.goto(f"{live_server.url}/admin/progress/?year={year}")
    *overflows, width = page.evaluate(FITS)
    assert len(overflows) == 2 and all(o <= 0 for o in overflows) and width <= 1280, (overflows, width)
    assert page.locator("#programs-c0 [data-column=programs]").inner_text() == "1／1"

    page.goto(f"{live_server.url}/admin/year-summary/c0/{year}/")
    page.fill("#id_achievements", "举办示范培训班一期。")
    page.fill("#id_problems", "实践基地不足。")
    page.fill("#id_next_year", "新增实践基地。")
    page.get_by_role("button", name="提交", exact=True).click()
    page.wait_for_load_state()
    assert "年底工作总结已提交" in page.content()
    assert page.evaluate("document.documentElement.scrollWidth") <= 1280
    summary = YearSummary.objects.get(center__code="c0", year=year)
    assert summary.status == YearSummary.SUBMITTED and summary.numbers["enrolled"] == 1
    context.close()
