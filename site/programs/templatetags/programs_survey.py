"""The program page's 评估问卷 box: {% program_survey %} in programs/includes/survey.html."""

from django import template
from django.conf import settings

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
    window = survey.window(page)
    data = {"show": window.state != survey.NONE, "page": page, "window": window}
    if window.state == survey.NONE:
        return data
    taking = survey.participation(page, request.user, with_response=False)
    data["eligible"] = taking.eligible
    if taking.eligible:
        data["answered"] = SurveyResponse.objects.filter(enrolment=taking.enrolment).exists()
    if window.state == survey.CLOSED:
        data["public"] = public_satisfaction(page, settings.PROGRAMS_SURVEY_PUBLIC_MIN_RESPONSES)
    data["show"] = taking.eligible or bool(data.get("public"))
    return data
