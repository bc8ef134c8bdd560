"""The search page's layout in a real browser (Playwright + Debian's chromium, as tests/test_browser.py):
on a phone the results come first and the filters wait behind one closed "筛选" line (with and
without JavaScript); on a desktop the filters are an open sidebar with room inside its border."""

import os

import pytest

from .test_browser import browser, csp_violations  # noqa: F401 - the fixture, and the CSP listener

os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 900}


@pytest.fixture
def crisis_courses(tree, make_course):
    """Enough courses, areas, stages and tags for a long filter panel."""
    areas = ["mental_health", "crisis_response", "daily_affairs", "online_education", "ideology", "career_guidance"]
    for i, area in enumerate(areas):
        make_course(
            title=f"心理危机的识别与干预（第{i + 1}讲）",
            summary="心理危机的信号、评估与转介。",
            capabilities=[area, "mental_health"],
            stages=[["new"], ["experienced"], ["senior"]][i % 3],
            tags=[f"标签{i}", f"专题{i}", "心理危机"],
        ).save_revision().publish()


@pytest.mark.parametrize("javascript", [True, False], ids=["with-js", "without-js"])
def test_on_a_phone_the_first_result_is_on_the_first_screen(live_server, browser, crisis_courses, javascript):  # noqa: F811
    context = browser.new_context(java_script_enabled=javascript, viewport=PHONE)
    page = context.new_page()
    violations = csp_violations(page)
    page.goto(live_server.url + "/search/?q=心理危机")
    first = page.get_by_test_id("result").first
    box = first.bounding_box()
    assert box is not None and box["y"] < PHONE["height"] - 80, box  # its title shows without scrolling
    stage = page.get_by_test_id("facet-stage")
    assert not stage.is_visible()  # the filters wait behind their summary line
    page.locator(".filters__summary").click()  # <details>: opens without a script
    assert stage.is_visible()
    stage.get_by_role("link", name="新入职").first.click()
    page.wait_for_url("**stage=new*")
    assert page.get_by_test_id("result").count() == 2
    assert violations == []
    context.close()


def test_on_a_desktop_the_filters_are_an_open_sidebar_with_padding(live_server, browser, crisis_courses):  # noqa: F811
    page = browser.new_page(viewport=DESKTOP)
    page.goto(live_server.url + "/search/?q=心理危机")
    stage = page.get_by_test_id("facet-stage")
    assert stage.is_visible()  # open without a click
    panel = page.locator(".library__filters .filters").bounding_box()
    title = page.locator("#facet-capability").bounding_box()
    results = page.locator(".library__results").bounding_box()
    assert panel["x"] + panel["width"] <= results["x"]  # a sidebar beside the results
    assert title["x"] - panel["x"] >= 12  # the facets do not touch the panel's border
    assert title["y"] - panel["y"] >= 8
    last = page.locator(".search-filters__body .facet").last.bounding_box()
    assert panel["y"] + panel["height"] - (last["y"] + last["height"]) >= 8
    page.close()
