"""A counselor's learning in a real browser (Chromium, Playwright), against the live test server, with a
video made by the real ffmpeg through the real pipeline: sign up, watch part of a course, close the page,
sign in again elsewhere and resume where they stopped, watch to the end, and find it in the record."""

import os

import pytest

from learning.models import CourseProgress, LearningCredit

from .test_browser import browser, csp_violations  # noqa: F401 (browser: the fixture)

os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

PLAYER = "document.querySelector('[data-testid=video-player]')"
SECONDS = 24


@pytest.fixture
def course(make_course, tmp_path):
    from .videos import ready_video

    video = ready_video(tmp_path, SECONDS)
    return make_course(
        title="大学生心理危机的识别与早期干预", video=video, learning_hours="0.50", capabilities=["mental_health"]
    )


EMAIL = "li.laoshi@example.edu.cn"
PASSWORD = "xuexi-2026-Mima"


def area_hours(page, live_server, code="mental_health"):
    """The hours the record's table and its radar chart give one capability area."""
    page.goto(live_server.url + "/me/")
    row = page.get_by_test_id("area-hours").locator(f"tr[data-area={code}]")
    svg = page.request.get(live_server.url + "/me/radar.svg").text()
    assert f'data-area="{code}"' in svg
    return float(row.get_attribute("data-hours")), svg


def play_until(page, seconds, timeout=40_000):
    page.wait_for_function(f"() => {PLAYER}.currentTime >= {seconds}", timeout=timeout)


def test_sign_up_watch_close_resume_elsewhere_finish_and_see_the_record(live_server, browser, course):  # noqa: F811
    from django.contrib.auth import get_user_model

    # A new counselor signs up on a laptop (the forms work without JavaScript; here with it).
    laptop = browser.new_context(viewport={"width": 1280, "height": 900})
    page = laptop.new_page()
    violations = csp_violations(page)
    page.goto(live_server.url + "/")
    page.get_by_role("link", name="注册").first.click()
    page.get_by_label("电子邮箱").fill(EMAIL)
    page.get_by_label("密码", exact=True).fill(PASSWORD)
    page.get_by_label("确认密码").fill(PASSWORD)
    page.get_by_role("button", name="注册").click()
    page.wait_for_url("**/accounts/profile/")
    user = get_user_model().objects.get(email=EMAIL)

    hours_before, radar_before = area_hours(page, live_server)
    assert hours_before == 0

    page.goto(live_server.url + course.url)
    assert "播放后将记录您的学习进度" in page.get_by_test_id("learning-status").inner_text()
    page.get_by_role("button", name="播放视频").click()
    play_until(page, 8)
    stopped_at = page.evaluate(f"() => {PLAYER}.currentTime")
    page.close()  # pagehide: the last report goes with keepalive
    laptop.close()

    progress = CourseProgress.objects.get(user=user, course=course)
    assert progress.watched_seconds >= 7 and abs(progress.position - stopped_at) < 2
    assert progress.completed_at is None

    # Signs in again on a phone (a new browser context: nothing shared with the laptop).
    phone = browser.new_context(viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True)
    page = phone.new_page()
    page.goto(live_server.url + "/accounts/login/")
    page.get_by_label("电子邮箱或手机号").fill(EMAIL)
    page.get_by_label("密码", exact=True).fill(PASSWORD)
    page.get_by_role("button", name="登录").click()
    page.wait_for_url(live_server.url + "/")
    assert course.title in page.get_by_test_id("continue-watching").inner_text()

    page.goto(live_server.url + course.url)
    assert "上次看到 0:0" in page.get_by_test_id("learning-status").inner_text()
    page.get_by_role("button", name="播放视频").click()
    page.wait_for_function(f"() => {PLAYER}.currentTime > 0 && !{PLAYER}.paused")
    resumed_at = page.evaluate(f"() => {PLAYER}.currentTime")
    assert abs(resumed_at - stopped_at) < 3, (resumed_at, stopped_at)

    # Watches to the end, at the fastest speed the player allows.
    page.evaluate(f"() => {{ {PLAYER}.playbackRate = 2; }}")
    page.wait_for_function(f"() => {PLAYER}.ended", timeout=60_000)
    page.wait_for_function(
        "() => document.querySelector('[data-learning-status]').textContent.includes('已完成本课')", timeout=15_000
    )
    assert violations == []
    progress.refresh_from_db()
    assert progress.completed_at is not None
    assert LearningCredit.objects.filter(user=user).count() == 1

    # The record: the course completed with its hours, and the radar's area grew.
    hours_after, radar_after = area_hours(page, live_server)
    assert hours_after == 0.5 and radar_after != radar_before
    completed = page.get_by_test_id("completed-courses").inner_text()
    assert course.title in completed and "0.5" in completed
    assert page.get_by_test_id("total-hours").inner_text().startswith("0.5")
    phone.close()
