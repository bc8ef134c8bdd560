"""A counselor's package in a real browser (Chromium, Playwright), against the live test server: find three
courses by the search page and the library's facets, add each with 加入套餐, open 我的套餐, move the third up,
watch one course (a video made by the real ffmpeg through the real pipeline) to the end, and see the
package's progress change."""

import os

import pytest

from coursepackages.models import PersonalPackage

from . import factories
from .test_browser import browser, csp_violations  # noqa: F401 (browser: the fixture)
from .test_learning_browser import PLAYER

os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

SECONDS = 8
CRISIS = "大学生心理危机的识别与早期干预"
TALK = "谈心谈话的技巧与方法"
OPINION = "网络舆情的研判与引导"


@pytest.fixture
def courses(make_course, tmp_path):
    from .videos import ready_video

    video = ready_video(tmp_path, SECONDS)
    made = {
        CRISIS: make_course(
            title=CRISIS, video=video, learning_hours="0.50", capabilities=["mental_health"], stages=["new"]
        ),
        TALK: make_course(title=TALK, capabilities=["mental_health"], stages=["new"]),
        OPINION: make_course(title=OPINION, capabilities=["online_education"], stages=["new"]),
    }
    for course in made.values():
        course.save_revision().publish()  # indexed for the search, as an editor's publishing does
    return made


def add_from(row, page):
    with page.expect_navigation():
        row.get_by_role("button", name="加入套餐").click()
    assert "已加入课程套餐“我的课程套餐”" in page.locator(".messages").inner_text()


def item_titles(page):
    # Each link starts with a screen reader's "第 n 项：".
    return [t.split("项：", 1)[-1].strip() for t in page.locator(".package-items__title a").all_inner_texts()]


def test_build_a_package_reorder_watch_one_and_see_the_progress(live_server, browser, courses):  # noqa: F811
    user = factories.CounselorFactory(username="li", email="li.laoshi@example.edu.cn")
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    violations = csp_violations(page)
    page.goto(live_server.url + "/accounts/login/")
    page.get_by_label("电子邮箱或手机号").fill(user.email)
    page.get_by_label("密码", exact=True).fill("password")
    page.get_by_role("button", name="登录").click()
    page.wait_for_url(live_server.url + "/")

    # Two courses found by the search page, added from their result rows.
    for q, title in (("心理危机", CRISIS), ("谈心谈话", TALK)):
        page.goto(f"{live_server.url}/search/?q={q}")
        row = page.get_by_test_id("result").filter(has=page.get_by_role("link", name=title))
        add_from(row, page)
        assert "/search/?q=" in page.url  # back on the same results

    # The third by the library's facets.
    page.goto(live_server.url + "/library/")
    page.get_by_test_id("facet-capability").get_by_role("link", name="网络思想政治教育").first.click()
    page.wait_for_url("**capability=online_education*")
    page.get_by_test_id("facet-stage").get_by_role("link", name="新入职").first.click()
    page.wait_for_url("**stage=new*")
    rows = page.get_by_test_id("result")
    assert rows.count() == 1
    add_from(rows.first, page)
    assert "已加入套餐" in rows.first.inner_text()

    # 我的套餐: the three in the order added; the third moves up.
    # Each click waits for its page: reading the list at once raced the navigation (a CI run saw []).
    with page.expect_navigation():
        page.get_by_role("link", name="我的套餐").first.click()
    with page.expect_navigation():
        page.get_by_role("link", name="我的课程套餐").click()
    page.locator(".package-items__title a").nth(2).wait_for()
    assert item_titles(page) == [CRISIS, TALK, OPINION]
    assert page.get_by_test_id("package-completed").inner_text() == "0 / 3"
    with page.expect_navigation():
        page.get_by_role("button", name=f"上移“{OPINION}”").click()
    assert item_titles(page) == [CRISIS, OPINION, TALK]
    package_url = page.url.split("#")[0]

    # Watches the first to the end, at the fastest speed the player allows.
    with page.expect_navigation():
        page.get_by_role("link", name=CRISIS).click()
    page.get_by_role("button", name="播放视频").click()
    page.wait_for_function(f"() => {PLAYER}.currentTime > 0 && !{PLAYER}.paused")
    page.evaluate(f"() => {{ {PLAYER}.playbackRate = 2; }}")
    page.wait_for_function(f"() => {PLAYER}.ended", timeout=60_000)
    page.wait_for_function(
        "() => document.querySelector('[data-learning-status]').textContent.includes('已完成本课')", timeout=15_000
    )

    page.goto(package_url)
    assert page.get_by_test_id("package-completed").inner_text() == "1 / 3"
    assert "已完成 1 / 3 门课程" in page.get_by_test_id("package-totals").locator("..").inner_text()
    assert "已完成" in page.get_by_test_id("package-item").first.inner_text()
    assert violations == []
    package = PersonalPackage.objects.get(user=user)
    assert package.items.count() == 3
    context.close()
