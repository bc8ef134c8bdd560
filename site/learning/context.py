"""What the course page and the home page show a counselor about their own learning."""

from django.conf import settings
from django.urls import reverse
from django.utils.http import urlencode

from .models import CourseProgress


def login_url(request):
    return f"{settings.LOGIN_URL}?{urlencode({'next': request.get_full_path()})}"


def course_learning(request, course):
    """The player's learning settings and the counselor's progress in `course`."""
    if not request.user.is_authenticated:
        return {"anonymous": True, "login_url": login_url(request)}
    if course.pk is None:  # the admin's preview of a course not saved yet: nothing to track
        return {}
    progress = CourseProgress.objects.filter(user=request.user, course=course).first()
    return {
        "start_url": reverse("learning:start", args=[course.pk]),
        "progress": progress,
        "resume_at": progress.resume_at if progress else 0,
        "max_rate": f"{settings.LEARNING_MAX_PLAYBACK_RATE:g}",
        "threshold_percent": round(settings.LEARNING_COMPLETION_THRESHOLD * 100),
    }


def continue_watching(request, limit=3):
    """The counselor's most recently watched courses that are not completed (继续观看), that they may
    still see (live, and through any view restriction added since)."""
    if not request.user.is_authenticated:
        return []
    from access.policy import pages_access

    candidates = (
        CourseProgress.objects.filter(user=request.user, completed_at__isnull=True, course__live=True)
        .select_related("course")
        .order_by("-updated_at")[: limit * 3]
    )
    visible = [progress for progress in candidates if pages_access(request, [progress.course_id]) is not None]
    return visible[:limit]
