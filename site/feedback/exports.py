"""What the feedback app holds of one counselor, for their personal-data download
(ACCOUNTS_PERSONAL_DATA_EXPORTERS): every rating with its comment and the comment's review status.
Deleting the account deletes them (the foreign key cascades)."""

from .models import CourseRating


def _time(moment):
    return moment.isoformat() if moment else None


def personal_data(user):
    """{"ratings": [...]} for `user`; one query."""
    ratings = CourseRating.objects.filter(user=user).select_related("course").order_by("created_at", "pk")
    return {
        "ratings": [
            {
                "course-id": rating.course_id,
                "course": rating.course.title,
                "score": rating.score,
                "comment": rating.comment,
                "comment-status": rating.comment_status,
                "comment-status-label": rating.get_comment_status_display(),
                "commented": _time(rating.commented_at),
                "moderated": _time(rating.moderated_at),
                "created": _time(rating.created_at),
                "updated": _time(rating.updated_at),
            }
            for rating in ratings
        ]
    }
