"""Ratings and comments on micro-courses: a counselor who started a course rates it (1–5) and may
comment; comments appear on the course page only after a reviewer of the course's center approved
them in the admin; nobody else's center sees or decides them."""

import html
import json
import re
import threading

import pytest

from django.core.cache import cache
from django.db import connection, transaction
from django.template import Context, Template
from django.test import Client
from django.test.utils import CaptureQueriesContext

from wagtail.models import PageViewRestriction

from feedback import moderation, views
from feedback.exports import personal_data
from feedback.models import CourseRating
from feedback.ratings import save_rating
from learning.models import CourseProgress
from microcourses.models import MicroCoursePage

from . import factories
from .test_admin_language import english, page_text

Status = CourseRating.CommentStatus
COMMENT = "案例讲得很透彻，谈心谈话的步骤可以直接用在工作中。"


@pytest.fixture(autouse=True)
def _fresh_limits():
    # The hourly limit counts in Django's cache, which outlives a test's database.
    cache.clear()
    yield
    cache.clear()


def course_of(center, **kwargs):
    return factories.MicroCoursePageFactory(parent=center.section, center=center, **kwargs)


def started(user, course, seconds=30):
    CourseProgress.objects.create(user=user, course=course, duration=600, watched_seconds=seconds)


@pytest.fixture
def course(centers):
    return course_of(centers[0], title="谈心谈话的十个技巧", slug="tan-xin")


@pytest.fixture
def other_course(centers):
    return course_of(centers[1], title="网络舆情的研判与引导", slug="yu-qing")


@pytest.fixture
def teacher(course):
    user = factories.CounselorFactory(username="li-laoshi", profile__school="山东师范大学", profile__name="李老师")
    started(user, course)
    return user


def signed_in(user):
    client = Client()
    client.force_login(user)
    return client


def rate(client, course, score="4", comment="", follow=True):
    return client.post(f"/feedback/courses/{course.pk}/rating/", {"score": score, "comment": comment}, follow=follow)


def text(response):
    return response.content.decode()


def section(response):
    """The 课程评价 section of a course page."""
    match = re.search(r'<section class="course__section feedback".*?</section>', text(response), re.S)
    assert match, "no 课程评价 section"
    return match.group(0)


def textarea(response):
    match = re.search(r'<textarea id="feedback-comment"[^>]*>(.*?)</textarea>', text(response), re.S)
    return html.unescape(match.group(1)) if match else None


def checked_score(response):
    match = re.search(r'name="score" value="(\d)" checked', text(response))
    return match.group(1) if match else None


# -- the course page ------------------------------------------------------------------------------


@pytest.mark.django_db
def test_visitors_are_invited_to_sign_in_and_their_posts_store_nothing(client, course):
    page = section(client.get(course.url))
    assert "课程评价" in page and "登录后评分" in page and "<form" not in page
    assert "/accounts/login/?next=" in page
    response = client.post(f"/feedback/courses/{course.pk}/rating/", {"score": "5", "comment": COMMENT})
    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/?next=")
    assert course.url in response["Location"]
    assert client.post(f"/feedback/courses/{course.pk}/rating/delete/").status_code == 302
    assert not CourseRating.objects.exists()
    assert views.DRAFT_KEY not in client.session


@pytest.mark.django_db
def test_a_counselor_who_has_not_started_the_course_cannot_rate_it(course):
    user = factories.CounselorFactory(username="wang")
    client = signed_in(user)
    page = section(client.get(course.url))
    assert "观看课程后即可评分" in page and 'name="score"' not in page
    response = rate(client, course, "5", COMMENT)
    assert "观看课程后才能评分。" in text(response)
    # Opening the player is not watching: a progress row without seconds does not count.
    CourseProgress.objects.create(user=user, course=course, duration=600, watched_seconds=0)
    assert "观看课程后才能评分。" in text(rate(client, course, "5"))
    assert not CourseRating.objects.exists()
    # A rating kept from before the course's video was replaced (its seconds no longer count) can still go.
    CourseRating.objects.create(user=user, course=course, score=3)
    page = section(client.get(course.url))
    assert "您之前的评分：3 星" in page and "删除我的评价" in page and 'name="score"' not in page


@pytest.mark.django_db
def test_a_counselor_rates_with_a_comment_that_waits_for_review(course, teacher):
    client = signed_in(teacher)
    page = section(client.get(course.url))
    assert "<legend>您的评分" in page
    for value in range(1, 6):
        assert f'<label class="rating-stars__label" for="feedback-score-{value}"' in page
        assert f'<span class="visually-hidden">{value} 星</span>' in page
    response = rate(client, course, "4", COMMENT)
    assert response.redirect_chain[-1][0] == f"{course.url}#feedback"
    assert "评论将在审核通过后公开显示" in text(response)
    rating = CourseRating.objects.get()
    assert (rating.user, rating.course_id, rating.score, rating.comment) == (teacher, course.pk, 4, COMMENT)
    assert rating.comment_status == Status.PENDING and rating.commented_at is not None

    # The counselor sees their rating and comment, marked 待审核 for them alone.
    own = client.get(course.url)
    assert checked_score(own) == "4" and textarea(own) == COMMENT
    assert "待审核" in section(own) and "删除我的评价" in section(own) and "更新评价" in section(own)
    assert "共 0 条评论" in section(own)
    # Nobody else sees the comment before it is approved.
    for other in (Client(), signed_in(factories.CounselorFactory(username="zhao"))):
        page = section(other.get(course.url))
        assert COMMENT not in page and "待审核" not in page and "共 0 条评论" in page


@pytest.mark.django_db
def test_changing_the_rating_keeps_one_row_and_only_a_changed_comment_goes_back_to_review(course, teacher, people):
    client = signed_in(teacher)
    rate(client, course, "3", COMMENT)
    rating = CourseRating.objects.get()
    rating.moderate(Status.APPROVED, people["reviewer_a"], rating.commented_at)
    rating.save()

    rate(client, course, "5", COMMENT)  # the same text: still approved
    rating.refresh_from_db()
    assert rating.score == 5 and rating.comment_status == Status.APPROVED and rating.moderated_by is not None

    rate(client, course, "5", COMMENT + "推荐给同事。")  # a changed text: reviewed again
    rating.refresh_from_db()
    assert rating.comment_status == Status.PENDING and rating.moderated_by is None and rating.moderated_at is None

    rate(client, course, "2", "")  # the comment removed: nothing to review
    rating.refresh_from_db()
    assert (rating.score, rating.comment, rating.comment_status, rating.commented_at) == (2, "", Status.NONE, None)
    assert CourseRating.objects.count() == 1


@pytest.mark.django_db
def test_a_second_insert_changes_the_first_row(course, teacher):
    # What the unique constraint decides when two submissions race: the later one becomes an update.
    first, _ = save_rating(teacher, course, 3, "")
    second, changed = save_rating(teacher, course, 5, COMMENT)
    assert first.pk == second.pk and changed and CourseRating.objects.get().score == 5


@pytest.mark.skipif(connection.vendor != "postgresql", reason="SQLite has one writer at a time: no overlap")
# serialized_rollback: a transactional test empties the tables; restore what migrations seeded.
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_two_submissions_at_the_same_moment_leave_one_rating(course, teacher):
    """The second insert waits for the first one's transaction, then hits the unique constraint and
    changes that row instead. Only PostgreSQL lets two writers overlap like this (SQLite serialises them)."""
    inserted, release = threading.Event(), threading.Event()

    def first_submission():
        try:
            with transaction.atomic():
                CourseRating.objects.create(user=teacher, course=course, score=2)
                inserted.set()
                release.wait(10)
        finally:
            connection.close()

    thread = threading.Thread(target=first_submission)
    thread.start()
    assert inserted.wait(10)
    threading.Timer(0.5, release.set).start()  # the first commits while the second waits on the index
    rating, changed = save_rating(teacher, course, 5, COMMENT)
    thread.join()
    assert changed and CourseRating.objects.count() == 1
    assert CourseRating.objects.values_list("pk", "score", "comment").get() == (rating.pk, 5, COMMENT)


@pytest.mark.django_db
def test_the_preview_of_a_course_not_saved_yet_shows_the_section_without_a_form(centers, teacher, rf):
    """The admin's preview of a new course renders the page from an unsaved instance (no id)."""
    request = rf.get("/")
    request.user = teacher
    request.session = {}
    unsaved = MicroCoursePage(title="还没保存的课程", slug="new-course")
    rendered = Template("{% load feedback_tags %}{% course_feedback %}").render(
        Context({"page": unsaved, "request": request})
    )
    assert "课程发布后，学员可以在这里评分和评论。" in rendered and "<form" not in rendered


@pytest.mark.django_db
def test_the_counselor_deletes_their_rating(course, teacher):
    client = signed_in(teacher)
    rate(client, course, "4", COMMENT)
    response = client.post(f"/feedback/courses/{course.pk}/rating/delete/", follow=True)
    assert "已删除您对这门课程的评价" in text(response)
    assert not CourseRating.objects.exists()
    assert "提交评价" in section(response) and checked_score(response) is None
    response = client.post(f"/feedback/courses/{course.pk}/rating/delete/", follow=True)
    assert "您还没有评价这门课程" in text(response)


@pytest.mark.django_db
@pytest.mark.parametrize("score", ["0", "6", "abc", "", "3.5", "-1"])
def test_scores_outside_one_to_five_are_refused_and_the_text_is_kept(course, teacher, score):
    client = signed_in(teacher)
    response = rate(client, course, score, COMMENT)
    assert "请选择评分" in text(response) or "评分只能是 1 至 5 星" in text(response)
    assert not CourseRating.objects.exists()
    assert textarea(response) == COMMENT  # nothing lost
    assert 'role="alert"' in section(response)
    assert '<fieldset class="rating-stars" aria-describedby="feedback-error">' in section(response)
    assert textarea(client.get(course.url)) == ""  # shown once


@pytest.mark.django_db
def test_the_comment_length_is_bounded_and_line_breaks_count_once(course, teacher):
    client = signed_in(teacher)
    too_long = "很" * 501
    response = rate(client, course, "4", too_long)
    assert "评论最多 500 字（现在 501 字）" in text(response)
    assert textarea(response) == too_long and not CourseRating.objects.exists()
    # The message is tied to the comment box it is about (screen readers read it there), not to the stars.
    assert re.search(r'<textarea[^>]*aria-describedby="feedback-error feedback-comment-help"', text(response))
    assert 'aria-invalid="true"' in section(response)
    assert '<fieldset class="rating-stars">' in section(response)

    fits = "好\r\n" * 250  # 500 characters once each line break counts as one, as the browser counted
    rate(client, course, "4", fits)
    assert CourseRating.objects.get().comment == ("好\n" * 250).strip()


@pytest.mark.django_db
def test_drafts_private_courses_and_other_pages_cannot_be_rated(centers, teacher, django_user_model):
    a = centers[0]
    draft = course_of(a, title="尚未发布的课程", slug="draft")
    draft.unpublish()
    private = course_of(a, title="仅限本校的课程", slug="private")
    restriction = PageViewRestriction.objects.create(page=private, restriction_type=PageViewRestriction.GROUPS)
    restriction.groups.add(a.editors_group)
    case = factories.CasePageFactory(parent=a.section, center=a)
    for course in (draft, private):
        started(teacher, course)
    client = signed_in(teacher)
    for page_id in (draft.pk, private.pk, case.pk, 999999):
        response = client.post(f"/feedback/courses/{page_id}/rating/", {"score": "5", "comment": COMMENT})
        assert response.status_code == 404 and "没有找到这门课程，或这门课程不接受评价。" in text(response)
        assert client.post(f"/feedback/courses/{page_id}/rating/delete/").status_code == 404
    # An id past the database's integers names no address at all (hub.ids), not a server error.
    for page_id in (2**63, "9" * 30):
        assert client.post(f"/feedback/courses/{page_id}/rating/", {"score": "5"}).status_code == 404
        assert client.post(f"/feedback/courses/{page_id}/rating/delete/").status_code == 404
    assert not CourseRating.objects.exists()
    assert client.get(f"/feedback/courses/{case.pk}/rating/").status_code == 405


@pytest.mark.django_db
def test_submissions_per_hour_are_limited(course, teacher, settings):
    settings.FEEDBACK_CHANGES_PER_HOUR = 2
    client = signed_in(teacher)
    rate(client, course, "4")
    rate(client, course, "5")
    response = rate(client, course, "3", COMMENT, follow=False)
    assert response.status_code == 429 and "您提交评价的次数过多，请一小时后再试。" in text(response)
    assert CourseRating.objects.get().score == 5
    assert textarea(client.get(course.url)) == COMMENT  # kept for later
    # Another counselor has their own count.
    other = factories.CounselorFactory(username="zhou")
    started(other, course)
    rate(signed_in(other), course, "4")
    assert CourseRating.objects.count() == 2


def approve_all():
    for rating in CourseRating.objects.exclude(comment=""):
        rating.moderate(Status.APPROVED, None, rating.commented_at)
        rating.save()


@pytest.mark.django_db
def test_approved_comments_are_escaped_and_signed_by_school_only(course, teacher):
    script = '<script>alert("x")</script>第一行\n第二行'
    rate(signed_in(teacher), course, "2", script)
    anonymous_counselor = factories.CounselorFactory(username="sun", profile__school="")
    started(anonymous_counselor, course)
    rate(signed_in(anonymous_counselor), course, "5", "很实用")
    approve_all()
    page = section(Client().get(course.url))
    assert "<script>alert" not in page and "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;第一行<br>第二行" in page
    assert "山东师范大学辅导员" in page and ">辅导员<" in page and "共 2 条评论" in page
    comment_list = page[page.index('data-testid="feedback-comments"') :]
    for personal in ("李老师", "张老师", teacher.username, teacher.email, "sun@"):
        assert personal not in comment_list
    assert "★★☆☆☆" in page and "评分 2 星" in page


@pytest.mark.django_db
def test_comments_are_newest_first_and_paged(course, settings):
    settings.FEEDBACK_COMMENTS_PER_PAGE = 2
    for n in range(5):
        user = factories.CounselorFactory(username=f"c{n}")
        started(user, course)
        save_rating(user, course, 4, f"第{n}条评论")
    approve_all()
    client = Client()
    first = section(client.get(course.url))
    assert first.index("第4条评论") < first.index("第3条评论") and "第2条评论" not in first
    assert "共 5 条评论" in first and "?comments_page=2#feedback" in first and "查看更多" in first
    last = section(client.get(course.url + "?comments_page=3"))
    assert "第0条评论" in last and "第4条评论" not in last and "查看更多" not in last
    assert "第4条评论" in section(client.get(course.url + "?comments_page=abc"))


@pytest.mark.django_db
def test_the_comment_list_costs_the_same_queries_for_few_and_many_comments(course):
    def add(n):
        for i in range(n):
            user = factories.CounselorFactory(username=f"q{CourseRating.objects.count()}-{i}")
            started(user, course)
            save_rating(user, course, 3, "评论")
        approve_all()

    def queries():
        client = Client()
        client.get(course.url)  # warm per-process caches
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(course.url).status_code == 200
        return len(ctx)

    add(2)
    few = queries()
    add(12)
    assert queries() == few


# -- the admin: 课程评论 -----------------------------------------------------------------------------


@pytest.fixture
def comments(course, other_course, teacher):
    """A pending comment on a course of each center."""
    started(teacher, other_course)
    client = signed_in(teacher)
    rate(client, course, "4", COMMENT)
    rate(client, other_course, "2", "乙中心课程的评论")
    return CourseRating.objects.get(course=course), CourseRating.objects.get(course=other_course)


def admin(user):
    return signed_in(user)


def tokens(response):
    return re.findall(r'name="one" value="(approve:[^"]+)"', text(response))


@pytest.mark.django_db
def test_each_centers_people_see_only_their_own_courses_comments(comments, people, django_user_model):
    a_comment, b_comment = comments
    for name in ("reviewer_a", "editor_a"):
        page = text(admin(people[name]).get("/admin/feedback/"))
        assert COMMENT in page and "乙中心课程的评论" not in page and "谈心谈话的十个技巧" in page
        assert "山东师范大学辅导员" in page and "李老师" not in page and a_comment.user.email not in page
    for name in ("reviewer_b", "editor_b"):
        page = text(admin(people[name]).get("/admin/feedback/"))
        assert COMMENT not in page and "乙中心课程的评论" in page
    # A center's id in the address does not open another center's comments.
    reviewer_b = admin(people["reviewer_b"])
    assert COMMENT not in text(reviewer_b.get(f"/admin/feedback/?center={a_comment.course.center_id}"))
    assert COMMENT not in text(reviewer_b.get(f"/admin/feedback/?course={a_comment.course_id}"))
    courses = reviewer_b.get(f"/admin/feedback/courses/?center={a_comment.course.center_id}")
    assert "谈心谈话的十个技巧" not in text(courses) and "网络舆情的研判与引导" in text(courses)
    superuser = django_user_model.objects.create_superuser("root", "root@example.edu.cn", "pw")
    page = text(admin(superuser).get("/admin/feedback/"))
    assert COMMENT in page and "乙中心课程的评论" in page
    # Counselors, and staff of no center, have no 课程评论.
    assert admin(django_user_model.objects.get(username="li-laoshi")).get("/admin/feedback/").status_code == 302


@pytest.mark.django_db
def test_the_centers_reviewer_approves_and_the_comment_appears(comments, people, course):
    a_comment, _ = comments
    client = admin(people["reviewer_a"])
    listing = client.get("/admin/feedback/")
    assert "通过" in text(listing) and tokens(listing)
    response = client.post(
        "/admin/feedback/moderate/", {"one": tokens(listing)[0], "next": "/admin/feedback/?status=pending&p=1"}
    )
    assert response.status_code == 302 and response["Location"] == "/admin/feedback/?status=pending&p=1"
    a_comment.refresh_from_db()
    assert a_comment.comment_status == Status.APPROVED
    assert a_comment.moderated_by == people["reviewer_a"] and a_comment.moderated_at is not None
    page = section(Client().get(course.url))
    assert COMMENT in page and "共 1 条评论" in page
    assert COMMENT in text(client.get("/admin/feedback/?status=approved"))
    assert COMMENT not in text(client.get("/admin/feedback/"))


@pytest.mark.django_db
def test_editors_read_and_other_centers_reviewers_cannot_decide(comments, people):
    a_comment, _ = comments
    listing = admin(people["reviewer_a"]).get("/admin/feedback/")
    approve = tokens(listing)[0]
    selected = approve.removeprefix("approve:")
    editor_page = text(admin(people["editor_a"]).get("/admin/feedback/"))
    assert COMMENT in editor_page and 'name="one"' not in editor_page and "审核由本中心的审核员进行" in editor_page
    for name in ("editor_a", "reviewer_b", "editor_b"):
        client = admin(people[name])
        for data in ({"one": approve}, {"action": "approve", "selected": [selected]}):
            # Refused as the admin refuses: back to its home page with "对不起，你没有权限访问。".
            response = client.post("/admin/feedback/moderate/", data, follow=True)
            assert response.redirect_chain[0][0] == "/admin/" and "没有权限" in text(response)
    a_comment.refresh_from_db()
    assert a_comment.comment_status == Status.PENDING and a_comment.moderated_by is None
    # Nor from outside the admin.
    assert Client().post("/admin/feedback/moderate/", {"one": approve}).status_code == 302
    a_comment.refresh_from_db()
    assert a_comment.comment_status == Status.PENDING


@pytest.mark.django_db
def test_bulk_decisions_and_a_comment_changed_since_it_was_read(course, people, settings):
    client = admin(people["reviewer_a"])
    users = []
    for n in range(3):
        user = factories.CounselorFactory(username=f"b{n}")
        started(user, course)
        save_rating(user, course, 3, f"评论{n}")
        users.append(user)
    listing = client.get("/admin/feedback/")
    selected = [value.removeprefix("approve:") for value in tokens(listing)]
    assert len(selected) == 3
    # Each checkbox says which comment it selects (three of the same course are told apart by their text).
    labels = re.findall(r'name="selected"[^>]*aria-label="([^"]*)"', text(listing))
    assert sorted(labels) == [f"选择《{course.title}》的评论：评论{n}" for n in range(3)]
    save_rating(users[0], course, 3, "评论0（作者改过）")  # changed after the reviewer read it
    response = client.post("/admin/feedback/moderate/", {"action": "reject", "selected": selected}, follow=True)
    assert "已设为不通过 2 条评论" in text(response) and "已被作者修改" in text(response)
    statuses = dict(CourseRating.objects.values_list("comment", "comment_status"))
    assert statuses == {"评论0（作者改过）": Status.PENDING, "评论1": Status.REJECTED, "评论2": Status.REJECTED}
    assert "评论1" in text(client.get("/admin/feedback/?status=rejected"))
    # Nothing chosen, or an unknown action: said, nothing done.
    assert "请先选择要审核的评论" in text(client.post("/admin/feedback/moderate/", {"action": "approve"}, follow=True))
    response = client.post("/admin/feedback/moderate/", {"action": "delete", "selected": selected}, follow=True)
    assert "请选择“通过”或“不通过”" in text(response)
    # The address to go back to is the list's own, nothing else.
    response = client.post("/admin/feedback/moderate/", {"action": "approve", "next": "https://evil.example/"})
    assert response["Location"] == "/admin/feedback/"


@pytest.mark.django_db
def test_a_decision_never_overwrites_what_the_author_saved_after_the_moderation_read_it(course, people, teacher):
    save_rating(teacher, course, 2, "第一稿")
    read = CourseRating.objects.get()  # what the moderation request loaded
    save_rating(teacher, course, 5, "第二稿")  # the author's change, saved just before the decision
    assert not moderation.decide(read, Status.APPROVED, people["reviewer_a"], read.updated_at)
    rating = CourseRating.objects.get()
    assert (rating.score, rating.comment, rating.comment_status) == (5, "第二稿", Status.PENDING)
    assert rating.moderated_by is None
    assert moderation.decide(rating, Status.APPROVED, people["reviewer_a"], rating.updated_at)
    rating.refresh_from_db()
    assert (rating.score, rating.comment_status, rating.moderated_by) == (5, Status.APPROVED, people["reviewer_a"])


@pytest.mark.django_db
def test_the_menu_counts_what_waits_for_the_reviewer(comments, people):
    assert "课程评论（待审 1）" in page_text(admin(people["reviewer_a"]).get("/admin/"))
    editor = page_text(admin(people["editor_a"]).get("/admin/"))
    assert "课程评论" in editor and "待审" not in editor


@pytest.mark.django_db
def test_editors_see_each_courses_count_and_average(comments, people, course):
    other = factories.CounselorFactory(username="he")
    started(other, course)
    save_rating(other, course, 5, "")
    page = text(admin(people["editor_a"]).get("/admin/feedback/courses/"))
    row = re.search(rf'<tr id="course-{course.pk}">(.*?)</tr>', page, re.S).group(1)
    assert re.search(r'data-column="ratings">2<', row) and re.search(r'data-column="average">4.5<', row)
    assert "网络舆情的研判与引导" not in page


@pytest.mark.django_db
def test_the_admin_pages_are_chinese(comments, people):
    for name in ("reviewer_a", "editor_a"):
        client = admin(people[name])
        for url in ("/admin/feedback/", "/admin/feedback/?status=approved", "/admin/feedback/courses/"):
            response = client.get(url)
            assert response.status_code == 200
            assert english(page_text(response), {name}) == [], url


@pytest.mark.django_db
def test_the_admin_list_costs_the_same_queries_for_few_and_many_comments(course, people):
    client = admin(people["reviewer_a"])

    def queries():
        client.get("/admin/feedback/")
        with CaptureQueriesContext(connection) as ctx:
            client.get("/admin/feedback/")
        return len(ctx)

    for n in range(2):
        user = factories.CounselorFactory(username=f"few{n}")
        started(user, course)
        save_rating(user, course, 3, "评论")
    few = queries()
    for n in range(10):
        user = factories.CounselorFactory(username=f"many{n}")
        started(user, course)
        save_rating(user, course, 3, "评论")
    assert queries() == few


# -- personal data ----------------------------------------------------------------------------------


@pytest.mark.django_db
def test_the_counselors_data_copy_has_their_ratings_and_deleting_the_account_removes_them(comments, teacher):
    data = personal_data(teacher)["ratings"]
    assert [(r["course"], r["score"], r["comment"], r["comment-status"]) for r in data] == [
        ("谈心谈话的十个技巧", 4, COMMENT, "pending"),
        ("网络舆情的研判与引导", 2, "乙中心课程的评论", "pending"),
    ]
    assert data[0]["comment-status-label"] == "待审核"
    download = json.loads(signed_in(teacher).get("/accounts/data/").content)
    assert download["feedback.exports.personal_data"]["ratings"][0]["comment"] == COMMENT
    from accounts.personal_data import erase

    erase(teacher)
    assert not CourseRating.objects.exists()
