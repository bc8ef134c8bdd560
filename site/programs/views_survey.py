"""The participant's survey page, /programs/<program id>/survey/: a plain form (CSRF, no JavaScript)
that shows the saved answers, and after the deadline shows them read-only (docs/programs-survey.md).

Only the participant reaches their own survey: the response is found from the signed-in user's own
enrolment, never from an id in the request. A refused submission is shown again with its answers
and the errors (nothing typed is lost)."""

from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods

from access.policy import pages_access

from . import survey
from .models import ProgramPage

NOT_FOUND = "没有找到这个培训项目。"
NOT_PARTICIPANT = "只有本项目已录取并参加培训的学员可以填写评估问卷。"
NO_SURVEY = "这个培训项目没有评估问卷。"
UPCOMING = "评估问卷将在培训结束后开放。"
CLOSED = "评估问卷已于 {deadline.year}年{deadline.month}月{deadline.day}日 截止，不能再提交或修改。"
SAVED = "感谢您的评价！您的问卷已提交，截止前仍可修改。"
CHANGED = "您的评价已修改。"
INVALID = "问卷未能提交，请按提示修改后再提交。您填写的内容已保留。"


def visible_program(request, program_id):
    """The live program with this id if the request may see it, else None."""
    program = ProgramPage.objects.live().filter(pk=program_id).first()
    if program is None or pages_access(request, [program.pk]) is None:
        return None
    return program


def refused(request, message, status, program=None):
    return render(request, "programs/survey/refused.html", {"message": message, "program": program}, status=status)


def survey_url(program):
    return reverse("programs:survey", args=[program.pk])


@require_http_methods(["GET", "POST"])
def survey_view(request, program_id):
    if not request.user.is_authenticated:
        # Nothing is read or stored for a visitor.
        return redirect_to_login(request.get_full_path())
    program = visible_program(request, program_id)
    if program is None:
        return refused(request, NOT_FOUND, 404)
    taking = survey.participation(program, request.user)
    if not taking.eligible:
        return refused(request, NOT_PARTICIPANT, 403, program)
    window = survey.window(program)
    if window.state == survey.NONE:
        return refused(request, NO_SURVEY, 404, program)

    status = 200
    if request.method == "POST":
        if window.state != survey.OPEN:
            messages.error(
                request, UPCOMING if window.state == survey.UPCOMING else CLOSED.format(deadline=window.deadline)
            )
            return redirect(survey_url(program))
        form = survey.bound_form(taking, request.POST)
        if not form.errors:
            _response, created = survey.save(taking, form)
            messages.success(request, SAVED if created else CHANGED)
            return redirect(survey_url(program))
        status = 400
    else:
        form = survey.initial_form(taking)
    return render(
        request,
        "programs/survey/form.html",
        {
            "page": program,
            "program": program,
            "window": window,
            "form": form,
            "response": taking.response,
            "editable": window.state == survey.OPEN,
            "scores": [(value, survey.SCORE_LABELS[value]) for value in survey.SCORES],
            "max_comment": survey.MAX_COMMENT,
            "invalid_message": INVALID if status == 400 else "",
        },
        status=status,
    )
