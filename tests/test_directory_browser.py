"""The directory's pages in a real browser (Chromium, Playwright): on a phone and a desktop they fit the
screen, break no Content-Security-Policy rule, and lead from the navigation to a center and an expert."""

import os

import pytest

from . import factories
from .test_browser import browser, csp_violations  # noqa: F401 (browser: the fixture)

os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

SHOTS = os.environ.get("DIRECTORY_SCREENSHOTS", "")  # a folder: save screenshots there to look at them


@pytest.fixture
def directory(center, make_course):
    lecturer = factories.ExpertFactory(name="王晓明", title="教授、博士生导师", organisation="北京师范大学心理学部")
    make_course(title="大学生心理危机的识别与早期干预", lecturer=lecturer, capabilities=["mental_health"])
    for i in range(5):
        make_course(title=f"谈心谈话的方法{i}", lecturer=factories.ExpertFactory(name=f"李老师{i}"))
    factories.ExpertFactory(name="尚无课程的专家", level="provincial")
    return lecturer


@pytest.mark.parametrize("viewport", [{"width": 1280, "height": 900}, {"width": 375, "height": 740}])
def test_from_the_navigation_to_a_center_and_an_expert(live_server, browser, directory, center, viewport):  # noqa: F811
    page = browser.new_page(viewport=viewport)
    violations = csp_violations(page)

    def fits(name):
        if SHOTS:
            page.screenshot(path=f"{SHOTS}/{name}-{viewport['width']}.png", full_page=True)
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= viewport["width"], f"{name}: {width}px wide on a {viewport['width']}px screen"

    page.goto(live_server.url + "/")
    page.get_by_role("navigation", name="主导航").get_by_role("link", name="培训中心").click()
    page.wait_for_url("**/centers/")
    fits("centers")
    page.get_by_role("heading", name="北京师范大学中心").get_by_role("link").click()
    page.wait_for_url(f"**{center.section.url}")
    assert page.get_by_test_id("expert").count() == 6
    fits("center")

    page.get_by_role("navigation", name="主导航").get_by_role("link", name="师资库").click()
    page.wait_for_url("**/experts/")
    page.get_by_label("师资级别").select_option("provincial")
    page.get_by_role("button", name="筛选").click()
    page.wait_for_url("**level=provincial*")
    assert page.get_by_test_id("expert").all_inner_texts()[0].startswith("尚无课程的专家")
    page.goto(live_server.url + "/experts/")
    fits("experts")
    page.get_by_role("link", name="王晓明").click()
    page.wait_for_url(f"**/experts/{directory.pk}/")
    assert page.get_by_role("heading", level=1).inner_text() == "王晓明"
    assert page.get_by_test_id("result").count() == 1
    fits("expert")
    assert violations == []
