"""Ratings in a real browser (Chromium, Playwright) against the live test server: a counselor watches a
few seconds of a course, rates it with the keyboard and comments; nobody else sees the comment until a
reviewer of the course's center approves it in the admin; then everyone does."""

import os
import time

import pytest

from feedback.models import CourseRating
from learning.models import CourseProgress

from . import factories
from .test_admin_language import sign_in
from .test_browser import browser, csp_violations  # noqa: F401 (browser: the fixture)
from .test_learning_browser import PASSWORD, PLAYER, course, play_until  # noqa: F401 (course: the fixture)
from .test_permissions import member

os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

COMMENT = "危机识别的五个信号讲得很清楚，<b>马上</b>用到了班级工作中。"


def wait_for(condition, timeout=15):
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.2)


def test_a_counselor_rates_and_the_comment_appears_after_the_centers_reviewer_approves(
    live_server,
    browser,  # noqa: F811
    course,  # noqa: F811
    django_user_model,
):
    from django.core.cache import cache

    cache.clear()
    user = factories.CounselorFactory(username="li", email="li.laoshi@example.edu.cn", password=PASSWORD)
    reviewer = member(django_user_model, "bnu-reviewer", course.center.reviewers_group)

    # The counselor signs in and watches a few seconds: only then is the rating form offered.
    counselor = browser.new_context(viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True)
    page = counselor.new_page()
    violations = csp_violations(page)
    page.goto(live_server.url + "/accounts/login/")
    page.get_by_label("电子邮箱或手机号").fill(user.email)
    page.get_by_label("密码", exact=True).fill(PASSWORD)
    page.get_by_role("button", name="登录").click()
    page.wait_for_url(live_server.url + "/")
    page.goto(live_server.url + course.url)
    feedback = page.get_by_test_id("course-feedback")
    assert "观看课程后即可评分" in feedback.inner_text()
    page.get_by_role("button", name="播放视频").click()
    play_until(page, 4)
    page.evaluate(f"() => {PLAYER}.pause()")  # a pause reports what was played
    wait_for(lambda: CourseProgress.objects.filter(user=user, course=course, watched_seconds__gt=0).exists())

    # Rates with the keyboard (arrow keys move through the stars) and writes a comment.
    page.reload()
    page.get_by_label("1 星").focus()
    for _ in range(3):
        page.keyboard.press("ArrowRight")
    assert page.get_by_label("4 星").is_checked()
    page.get_by_label("评论（选填").fill(COMMENT)
    page.get_by_role("button", name="提交评价").click()
    page.wait_for_url("**#feedback")
    assert "评论将在审核通过后公开显示" in page.locator(".messages").inner_text()
    assert "待审核" in page.get_by_test_id("feedback-own-status").inner_text()
    assert page.get_by_label("4 星").is_checked() and page.get_by_label("评论（选填").input_value() == COMMENT
    rating = CourseRating.objects.get(user=user, course=course)
    assert rating.score == 4 and rating.comment_status == CourseRating.CommentStatus.PENDING
    assert violations == []

    # A visitor does not see it yet.
    visitor = browser.new_context(viewport={"width": 1280, "height": 900})
    other = visitor.new_page()
    other.goto(live_server.url + course.url)
    assert COMMENT not in other.content() and "共 0 条评论" in other.get_by_test_id("course-feedback").inner_text()

    # The center's reviewer approves it in the admin.
    moderator = browser.new_context(viewport={"width": 1280, "height": 900})
    admin = moderator.new_page()
    sign_in(admin, live_server.url, reviewer.username)
    admin.goto(live_server.url + "/admin/feedback/")
    row = admin.get_by_test_id("comment-row").filter(has_text="危机识别的五个信号")
    assert "4 星" in row.inner_text() and "北京师范大学辅导员" in row.inner_text() and "李" not in row.inner_text()
    row.get_by_role("button", name="通过", exact=True).click()
    admin.wait_for_url("**/admin/feedback/**")
    assert "已通过 1 条评论" in admin.content()
    rating.refresh_from_db()
    assert rating.comment_status == CourseRating.CommentStatus.APPROVED and rating.moderated_by == reviewer

    # Now everyone sees it, escaped as typed, signed by the school only.
    other.reload()
    comments = other.get_by_test_id("feedback-comments")
    assert COMMENT in comments.inner_text() and "北京师范大学辅导员" in comments.inner_text()
    assert "共 1 条评论" in other.get_by_test_id("course-feedback").inner_text()
    for context in (counselor, visitor, moderator):
        context.close()
