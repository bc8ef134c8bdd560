"""The learning data of one counselor, for their personal-data download (ACCOUNTS_PERSONAL_DATA_EXPORTERS).

Everything the `learning` app stores about the user, in the xAPI Video Profile's names where it has
them (`played-segments`, `progress`, `completion-threshold`), as JSON-ready values. Viewing sessions are
listed as kept (LEARNING_SESSION_KEEP_DAYS); what they credited stays in the course progress.
"""

from .models import CourseProgress, Learner, LearningCredit, ViewingSession


def _time(moment):
    return moment.isoformat() if moment else None


def personal_data(user):
    """{"progress": [...], "credits": [...], "credit_clock": ...} for `user`; four queries in all."""
    sessions = {}
    for session in ViewingSession.objects.filter(user=user).order_by("started_at", "pk"):
        sessions.setdefault(session.progress_id, []).append(
            {
                "id": str(session.pk),
                "started": _time(session.started_at),
                "last-report": _time(session.last_report_at),
                "verb": session.last_verb,
                "credited-seconds": session.credited_seconds,
                "refused-seconds": session.refused_seconds,
                "reports": session.reports,
                "playback-rate": session.playback_rate,
                "device": session.device,
            }
        )
    progress = [
        {
            "course-id": row.course_id,
            "course": row.course.title,
            "duration": row.duration,
            "played-segments": row.played_segments,
            "watched-seconds": row.watched_seconds,
            "progress": row.progress,
            "completion-threshold": row.completion_threshold,
            "position": row.position,
            "started": _time(row.started_at),
            "last-watched": _time(row.updated_at),
            "completed": _time(row.completed_at),
            "sessions": sessions.get(row.pk, []),
        }
        for row in CourseProgress.objects.filter(user=user).select_related("course").order_by("started_at", "pk")
    ]
    credits = [
        {
            "course-id": credit.course_key,
            "course": credit.title,
            "hours": str(credit.hours),
            "capability-areas": list(credit.capability_codes),
            "credited": _time(credit.credited_at),
        }
        for credit in LearningCredit.objects.filter(user=user).order_by("credited_at", "pk")
    ]
    learner = Learner.objects.filter(user=user).first()
    return {
        "progress": progress,
        "credits": credits,
        "credit-clock": _time(learner.credit_clock) if learner else None,
    }
