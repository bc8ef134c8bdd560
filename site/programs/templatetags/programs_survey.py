"""The program page's 评估问卷 box: {% program_survey %} in programs/includes/survey.html.

Cheap for the many who are not participants: no query for a visitor while the survey is not over,
one for a signed-in counselor who did not enrol; the window and the answer are read for participants
only."""

from django import template
from django.conf import settings
from django.utils import timezone

from .. import survey
from ..models import SurveyResponse
from ..survey_results import public_satisfaction

register = template.Library()


@register.inclusion_tag("programs/survey/box.html", takes_context=True)
def program_survey(context):
    page = context.get("page")
    request = context.get("request")
    if page is None or page.pk is None or request is None:
        return {"show": False}  # the admin's preview of a program not saved yet
    deadline = page.survey_deadline()
    if deadline is None:
        return {"show": False}
    data = {"page": page, "show": False}
    if deadline < timezone.localdate():
        data["public"] = public_satisfaction(page, settings.PROGRAMS_SURVEY_PUBLIC_MIN_RESPONSES)
    taking = survey.participation(page, request.user, with_response=False)
    if taking.eligible:
        window = survey.window(page)
        if window.state != survey.NONE:
            data.update(eligible=True, window=window)
            data["answered"] = SurveyResponse.objects.filter(enrolment=taking.enrolment).exists()
    data["show"] = bool(data.get("eligible") or data.get("public"))
    return data
