"""What the public program page shows beside its own fields: the schedule with its lecturers' pages and
the linked micro-courses a visitor may open, in a fixed number of queries whatever its length."""

from django.urls import reverse
from django.utils import timezone

from access.visibility import public
from microcourses.models import MicroCoursePage
from resources.models import Expert

from .library import STATUS_LABELS, status_of


def schedule(page, request=None):
    """The program's sessions in time order, as rows for the schedule table. A lecturer is linked to
    their page in the directory when it exists (they teach a public course); a linked course is shown
    only if it is public (a draft's or a private course's title never reaches the page)."""
    # From the database for a live page, from memory for a preview: the same code for both.
    sessions = page.ordered_sessions()
    expert_ids = {s.lecturer_id for s in sessions if s.lecturer_id}
    course_ids = {getattr(s, f"{name}_id") for s in sessions for name in ("course_before", "course_after")}
    course_ids.discard(None)
    experts = Expert.objects.in_bulk(expert_ids) if expert_ids else {}
    courses = public(MicroCoursePage.objects.filter(pk__in=course_ids), request).in_bulk() if course_ids else {}
    with_page = set()
    if expert_ids:
        lecturing = public(MicroCoursePage.objects.filter(lecturer__in=expert_ids), request)
        with_page = set(lecturing.values_list("lecturer_id", flat=True))
    rows = []
    for session in sessions:
        expert = experts.get(session.lecturer_id)
        starts = timezone.localtime(session.starts_at) if session.starts_at else None
        ends = timezone.localtime(session.ends_at) if session.ends_at else None
        rows.append(
            {
                "session": session,
                "starts": starts,
                "ends": ends,
                "same_day": bool(starts and ends and starts.date() == ends.date()),
                "topic": session.topic,
                "lecturer": expert,
                "lecturer_url": reverse("directory:expert", args=[expert.pk])
                if expert and expert.pk in with_page
                else "",
                "place": session.place or page.place,
                "course_before": courses.get(session.course_before_id),
                "course_after": courses.get(session.course_after_id),
            }
        )
    return rows


def program_context(page, request):
    status = status_of(page)
    return {
        "program_status": status,
        "program_status_label": STATUS_LABELS[status],
        "schedule": schedule(page, request),
    }
