"""What the rating views decide: which course may be rated by whom, how often, and how a rating is
stored. Ratings are always saved and deleted one instance at a time (never queryset.update/delete):
the popularity app keeps each course's count and average from CourseRating's post_save/post_delete."""

from django.conf import settings
from django.core.cache import cache
from django.db import IntegrityError, transaction
from django.utils import timezone

from access.policy import pages_access
from learning.models import CourseProgress
from microcourses.models import MicroCoursePage

from .models import CourseRating

WINDOW_SECONDS = 3600


def visible_course(request, course_id):
    """The live micro-course with this id if the request may see it (view restrictions included), else
    None: a draft, another page type, a private course or an unknown id all look the same."""
    course = MicroCoursePage.objects.live().filter(pk=course_id).first()
    if course is None or pages_access(request, [course.pk]) is None:
        return None
    return course


def has_started(user, course):
    """Only counselors who watched some of the course rate it (its seconds decided by the server)."""
    return CourseProgress.objects.filter(user=user, course=course, watched_seconds__gt=0).exists()


def over_limit(user):
    """Count one submission; True past FEEDBACK_CHANGES_PER_HOUR in the hour since the first one."""
    key = f"feedback-changes:{user.pk}"
    cache.add(key, 0, timeout=WINDOW_SECONDS)
    try:
        count = cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.set(key, 1, timeout=WINDOW_SECONDS)
        count = 1
    return count > settings.FEEDBACK_CHANGES_PER_HOUR


def _apply(rating, score, comment, now):
    changed = rating.score != score
    rating.score = score
    comment_changed = rating.set_comment(comment, now)
    if changed or comment_changed or rating.pk is None:
        rating.save()
    return comment_changed


def save_rating(user, course, score, comment):
    """Create or change the counselor's one rating of the course. Returns (rating, comment_changed).
    Two submissions at once: the unique constraint refuses the second insert, which then changes the
    row the first one made."""
    now = timezone.now()
    try:
        with transaction.atomic():
            rating = CourseRating.objects.select_for_update().filter(user=user, course=course).first()
            if rating is None:
                rating = CourseRating(user=user, course=course, score=score)
            return rating, _apply(rating, score, comment, now)
    except IntegrityError:
        with transaction.atomic():
            rating = CourseRating.objects.select_for_update().get(user=user, course=course)
            return rating, _apply(rating, score, comment, now)


def delete_rating(user, course):
    rating = CourseRating.objects.filter(user=user, course=course).first()
    if rating is None:
        return False
    rating.delete()
    return True
