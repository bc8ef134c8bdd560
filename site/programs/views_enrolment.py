"""The program page's enrolment box posts here (plain forms with CSRF, no JavaScript needed); every
answer goes back to the program page's #enrolment with a Chinese message, keeping what was typed.

Everything is checked again on the server: signed in, a live public program (a draft, a private
program, another page type and an unknown id look the same: 404), inside its enrolment window, the
profile's province, one application per program and counselor (enrolment.apply). Nothing a visitor
sends is read or stored."""

from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from access.visibility import is_public

from .enrolment import EnrolmentError, apply, cancel
from .forms_enrolment import EnrolmentForm
from .models import Enrolment, ProgramPage

DRAFT_KEY = "programs-enrolment-draft"
# What the session keeps of a refused form, to fill it again: bounded whatever was sent.
DRAFT_MAX_CHARS = 2000

NOT_FOUND = "没有找到这个培训项目，或它不接受报名。"
KEPT = "您填写的内容已保留。"


def visible_program(request, program_id):
    """The live, public program with this id, else None."""
    program = ProgramPage.objects.live().filter(pk=program_id).first()
    if program is None or not is_public(program, request):
        return None
    return program


def program_url(request, program):
    return f"{program.get_url(request)}#enrolment"


def keep_draft(request, program, data, error, field):
    request.session[DRAFT_KEY] = {
        "program": program.pk,
        **{name: str(data.get(name, ""))[:DRAFT_MAX_CHARS] for name in EnrolmentForm.FIELDS},
        "error": error,
        "field": field,
    }


def pop_draft(request, program):
    """The refused form of this program, once (None for another program or none)."""
    session = getattr(request, "session", None)
    if session is None or DRAFT_KEY not in session:
        return None
    draft = session.get(DRAFT_KEY) or {}
    if draft.get("program") != program.pk:
        return None
    del session[DRAFT_KEY]
    return draft


def refused(request, message, status, program=None):
    return render(request, "programs/enrolment/refused.html", {"message": message, "program": program}, status=status)


def _checked(request, program_id):
    """(program, None) when the request may go on, else (None, the response to give)."""
    program = visible_program(request, program_id)
    if not request.user.is_authenticated:
        return None, redirect_to_login(program_url(request, program) if program else "/")
    if program is None:
        return None, refused(request, NOT_FOUND, 404)
    return program, None


@require_POST
def apply_view(request, program_id):
    program, response = _checked(request, program_id)
    if response is not None:
        return response
    back = program_url(request, program)
    form = EnrolmentForm(request.POST)
    if not form.is_valid():
        field, error = form.first_error()
        messages.error(request, error)
        keep_draft(request, program, request.POST, error, field)
        return redirect(back)
    try:
        enrolment = apply(program, request.user, form.cleaned_data)
    except EnrolmentError as error:
        messages.error(request, error.message)
        keep_draft(request, program, request.POST, error.message, "")
        return redirect(back)
    if enrolment.status == Enrolment.WAITING:
        messages.warning(request, "名额已满，您已进入候补名单。有名额空出时会按顺序递补，并以邮件通知您。")
    else:
        messages.success(request, "报名成功，请等待主办中心审核。审核结果会以邮件通知您。")
    return redirect(back)


@require_POST
def cancel_view(request, program_id):
    program, response = _checked(request, program_id)
    if response is not None:
        return response
    try:
        cancel(program, request.user)
    except EnrolmentError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, "已取消报名。如需参加，可在报名截止前重新报名（将排在最后）。")
    return redirect(program_url(request, program))
