"""A counselor's path through the site in a real browser: home → two facets → a micro-course.

Playwright drives Debian's chromium (`make test` installs it); no browser is downloaded."""

import os
import shutil

import pytest

# Playwright's sync API keeps an event loop in this thread; the ORM calls below are plain sync code.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM = os.environ.get("CHROMIUM_PATH") or shutil.which("chromium") or "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]

# serialized_rollback: a transactional test empties the tables; restore what migrations seeded.
pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


@pytest.fixture
def browser():
    from playwright.sync_api import sync_playwright

    assert os.path.exists(CHROMIUM), f"chromium not found at {CHROMIUM}: run `make test`, which installs it"
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        yield browser
        browser.close()


@pytest.fixture
def demo_courses(tree, make_course):
    make_course(title="大学生心理危机的识别与早期干预", capabilities=["mental_health"], stages=["new"])
    make_course(title="心理健康教育的进阶方法", capabilities=["mental_health"], stages=["senior"])
    make_course(title="网络舆情的研判与引导", capabilities=["online_education"], stages=["new"])
    make_course(title="草稿：不应出现", capabilities=["mental_health"], stages=["new"], live=False)


@pytest.mark.parametrize("viewport", [{"width": 1280, "height": 900}, {"width": 390, "height": 844}])
def test_home_two_facets_then_a_course(live_server, browser, demo_courses, viewport):
    page = browser.new_page(viewport=viewport)
    page.goto(live_server.url + "/")
    assert "高校辅导员培训研修资源库" in page.title()

    # First facet: the capability menu on the home page.
    page.get_by_role("link", name="心理健康教育").first.click()
    page.wait_for_url("**/library/?capability=mental_health*")
    results = page.get_by_test_id("result")
    assert results.count() == 2

    # Second facet: the career stage, inside the collapsible filter panel on small screens.
    stage = page.get_by_test_id("facet-stage")
    if not stage.is_visible():
        page.get_by_text("筛选", exact=True).first.click()
    stage.get_by_role("link", name="新入职").first.click()
    page.wait_for_url("**stage=new*")
    assert "capability=mental_health" in page.url
    assert results.count() == 1
    assert "草稿" not in page.content()

    results.first.get_by_role("link", name="大学生心理危机的识别与早期干预").click()
    assert page.get_by_test_id("course-title").inner_text() == "大学生心理危机的识别与早期干预"
    page.close()
