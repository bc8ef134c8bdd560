"""{% program_attendance page user as attendance %}: what a program page shows a counselor of their own
attendance, completion and certificate (programs/includes/attendance.html). A handful of queries for an
enrolled counselor, one for anyone else signed in, none for visitors."""

from django import template

from ..completion import rule_facts
from ..models import Attendance, Certificate, Enrolment, ProgramSession

register = template.Library()


@register.simple_tag
def program_attendance(page, user):
    if user is None or not user.is_authenticated:
        return None
    enrolment = Enrolment.objects.filter(program_id=page.pk, user=user, status=Enrolment.APPROVED).first()
    if enrolment is None:
        return None
    sessions = list(ProgramSession.objects.filter(program_id=page.pk).order_by("sort_order", "starts_at", "pk"))
    marks = dict(
        Attendance.objects.filter(enrolment=enrolment, session__program_id=page.pk).values_list(
            "session_id", "marked_at"
        )
    )
    facts = rule_facts(page, [enrolment])[enrolment.pk]
    certificate = Certificate.objects.filter(enrolment=enrolment, revoked_at__isnull=True).first()
    return {
        "enrolment": enrolment,
        "sessions": [(session, marks.get(session.pk)) for session in sessions],
        "facts": facts,
        "certificate": certificate,
    }
