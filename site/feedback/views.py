"""The course page's rating form posts here (a plain form with CSRF, no JavaScript needed); every
answer goes back to the course page's #feedback with a Chinese message, keeping what was typed.

Everything is checked again on the server: signed in, a live micro-course the user may see, started
(seconds watched), a score of 1–5, the comment's length, and the hourly limit of submissions."""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from .forms import RatingForm
from .models import MAX_COMMENT_LENGTH
from .ratings import delete_rating, has_started, over_limit, save_rating, visible_course

DRAFT_KEY = "feedback-draft"
# What the session keeps of a refused submission, to fill the form again: a refused comment may be
# longer than allowed (the counselor shortens it), but not without bound.
DRAFT_MAX_CHARS = MAX_COMMENT_LENGTH * 4

NOT_FOUND = "没有找到这门课程，或这门课程不接受评价。"
NOT_STARTED = "观看课程后才能评分。"
TOO_MANY = "您提交评价的次数过多，请一小时后再试。"
KEPT = "您填写的内容已保留。"
SAVED = "您的评价已保存。"
SAVED_PENDING = "您的评价已保存，评论将在审核通过后公开显示。"
DELETED = "已删除您对这门课程的评价。"
NOTHING_TO_DELETE = "您还没有评价这门课程。"


def course_url(request, course):
    return f"{course.get_url(request)}#feedback"


def keep_draft(request, course, data, error="", field=""):
    """`field`: the field the error is about ("score" or "comment"), which the form points to it."""
    request.session[DRAFT_KEY] = {
        "course": course.pk,
        "score": str(data.get("score", ""))[:8],
        "comment": str(data.get("comment", ""))[:DRAFT_MAX_CHARS],
        "error": error,
        "field": field,
    }


def pop_draft(request, course):
    """The refused submission of this course, once (None for another course or none)."""
    session = getattr(request, "session", None)
    if session is None or DRAFT_KEY not in session:
        return None
    draft = session.get(DRAFT_KEY) or {}
    if draft.get("course") != course.pk:
        return None
    del session[DRAFT_KEY]
    return draft


def refused(request, message, status, course=None):
    return render(request, "feedback/refused.html", {"message": message, "course": course}, status=status)


def _checked(request, course_id):
    """(course, None) when the request may go on, else (None, the response to give)."""
    course = visible_course(request, course_id)
    if not request.user.is_authenticated:
        # Nothing is read or stored for a visitor: sign in, then back to the course (if there is one).
        return None, redirect_to_login(course_url(request, course) if course else "/")
    if course is None:
        return None, refused(request, NOT_FOUND, 404)
    return course, None


@require_POST
def rate(request, course_id):
    course, response = _checked(request, course_id)
    if response is not None:
        return response
    back = course_url(request, course)
    if over_limit(request.user):
        keep_draft(request, course, request.POST, TOO_MANY)
        return refused(request, TOO_MANY + KEPT, 429, course)
    if not has_started(request.user, course):
        messages.error(request, NOT_STARTED)
        return redirect(back)
    form = RatingForm(request.POST)
    if not form.is_valid():
        field, error = form.first_error()
        messages.error(request, error)
        keep_draft(request, course, request.POST, error, field)
        return redirect(back)
    rating, comment_changed = save_rating(
        request.user, course, form.cleaned_data["score"], form.cleaned_data["comment"]
    )
    messages.success(request, SAVED_PENDING if comment_changed and rating.comment else SAVED)
    return redirect(back)


@require_POST
def delete(request, course_id):
    course, response = _checked(request, course_id)
    if response is not None:
        return response
    if over_limit(request.user):
        return refused(request, TOO_MANY, 429, course)
    if delete_rating(request.user, course):
        messages.success(request, DELETED)
    else:
        messages.info(request, NOTHING_TO_DELETE)
    return redirect(course_url(request, course))


def comments_per_page():
    return max(1, min(settings.FEEDBACK_COMMENTS_PER_PAGE, 100))
