"""The course page's 课程评价 section: {% course_feedback %} in feedback/includes/course_feedback.html."""

from django import template
from django.contrib.auth.views import redirect_to_login
from django.core.paginator import Paginator

from ..forms import SCORES
from ..models import MAX_COMMENT_LENGTH, CourseRating, author_label
from ..ratings import has_started
from ..views import comments_per_page, pop_draft

register = template.Library()


def stars(score):
    return "★" * score + "☆" * (5 - score)


@register.inclusion_tag("feedback/section.html", takes_context=True)
def course_feedback(context):
    page = context["page"]
    request = context["request"]
    user = request.user
    if page.pk is None:
        # The admin's preview of a course not saved yet: nothing to rate, no comments to read.
        return {"page": page, "unsaved": True}
    data = {"page": page, "scores": list(SCORES), "max_length": MAX_COMMENT_LENGTH}

    if not user.is_authenticated:
        data["login_url"] = redirect_to_login(f"{page.get_url(request)}#feedback")["Location"]
    else:
        # The course page already read the counselor's progress (learning.context.course_learning).
        learning = context.get("learning") or {}
        if "progress" in learning:
            progress = learning["progress"]
            data["started"] = progress is not None and progress.watched_seconds > 0
        else:
            data["started"] = has_started(user, page)
        rating = CourseRating.objects.filter(user=user, course=page).first()
        draft = pop_draft(request, page)
        data["rating"] = rating
        if draft is not None:
            data["error"] = draft.get("error", "")
            data["error_field"] = draft.get("field", "")
            data["chosen"] = draft.get("score", "")
            data["comment_text"] = draft.get("comment", "")
        elif rating is not None:
            data["chosen"] = str(rating.score)
            data["comment_text"] = rating.comment

    approved = (
        CourseRating.objects.filter(course=page, comment_status=CourseRating.CommentStatus.APPROVED)
        .select_related("user__counselor_profile")
        .order_by("-commented_at", "-pk")
    )
    comments = Paginator(approved, comments_per_page()).get_page(request.GET.get("comments_page"))
    for comment in comments:
        comment.author = author_label(comment.user)
        comment.stars = stars(comment.score)
    data["comments"] = comments
    return data
