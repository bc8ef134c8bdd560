"""The counselor's side of attendance and certificates (docs/programs-attendance.md): checking in with
a session's QR code on a phone, the certificate PDF, and the public verification of a certificate code.

Check-in: the token is read first (a tampered or expired code says so before asking anyone to sign
in), then the counselor signs in (and comes back to the same address, where the token is read again),
then their enrolment must be approved. GET only shows the session and a 签到 button; the POST checks
in, once (a unique constraint), and evaluates completion.
"""

import functools

from django.contrib.auth.views import redirect_to_login
from django.core.cache import cache
from django.db import IntegrityError, transaction
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods

from editorial import roles

from . import certificates, checkin
from .completion import evaluate
from .models import Attendance, Certificate, Enrolment, ProgramSession

# Why an enrolment that is not approved cannot check in, in the counselor's words.
REFUSALS = {
    Enrolment.PENDING: "您的报名尚在审核中，录取后才能签到。",
    Enrolment.WAITING: "您目前在候补名单中，获得名额并被录取后才能签到。",
    Enrolment.DECLINED: "您的报名未被录取，不能签到。",
    Enrolment.CANCELLED: "您已取消报名，不能签到。",
}
PDF_PER_WINDOW = 6
PDF_WINDOW_SECONDS = 600


def is_program_staff(user, program):
    """The program's center's editors and reviewers, platform administrators and superusers."""
    if roles.is_platform_admin(user):
        return True
    center = roles.center_of(program)
    return center is not None and center.pk in roles.center_ids_for(user)


def private(view):
    @functools.wraps(view)
    def wrapped(request, *args, **kwargs):
        response = view(request, *args, **kwargs)
        response["Cache-Control"] = "private, no-store"
        return response

    return wrapped


def refuse(request, title, message, status, session=None):
    context = {"title": title, "message": message, "session": session}
    return render(request, "programs/checkin/refused.html", context, status=status)


@private
@require_http_methods(["GET", "POST"])
def checkin_view(request, token):
    state, session_id = checkin.read_token(token)
    if state == checkin.INVALID:
        return refuse(request, "二维码无效", "这个签到二维码无效，请扫描现场屏幕上的二维码。", 400)
    session = ProgramSession.objects.select_related("program").filter(pk=session_id, program__live=True).first()
    if session is None:
        return refuse(request, "无法签到", "该课程不存在或培训项目已下线。", 404)
    if not request.user.is_authenticated:
        if state == checkin.EXPIRED:
            return expired(request, session)
        return redirect_to_login(request.get_full_path())
    confirmed = state == checkin.VALID
    if not confirmed and request.method == "POST":
        confirmed = checkin.confirmation_valid(request.POST.get("confirm"), session.pk, request.user.pk)
    if not confirmed:
        return expired(request, session)

    enrolment = Enrolment.objects.filter(program_id=session.program_id, user=request.user).first()
    if enrolment is None:
        return refuse(request, "无法签到", "您没有报名该培训项目，不能签到。", 403, session)
    if enrolment.status != Enrolment.APPROVED:
        return refuse(request, "无法签到", REFUSALS[enrolment.status], 403, session)
    timing = checkin.window_state(session)
    if timing != checkin.OPEN:
        opens, closes = (timezone.localtime(moment) for moment in checkin.window(session))
        message = (
            f"本场签到将于 {opens:%Y年%m月%d日 %H:%M} 开始。"
            if timing == checkin.EARLY
            else f"本场签到已于 {closes:%Y年%m月%d日 %H:%M} 结束。如确已出勤，请联系主办方人工登记。"
        )
        return refuse(request, "不在签到时间内", message, 403, session)

    attendance = Attendance.objects.filter(session=session, enrolment=enrolment).first()
    if request.method == "POST":
        if attendance is None:
            try:
                with transaction.atomic():
                    Attendance.objects.create(session=session, enrolment=enrolment, method=Attendance.QR)
            except IntegrityError:
                pass  # a second tap at the same moment: already checked in
            enrolment.program = session.program
            evaluate(enrolment)
        return redirect("programs:checkin_done", session_id=session.pk)
    return render(
        request,
        "programs/checkin/confirm.html",
        {
            "session": session,
            "program": session.program,
            "enrolment": enrolment,
            "attendance": attendance,
            "confirm": checkin.make_confirmation(session.pk, request.user.pk),
        },
    )


def expired(request, session):
    return refuse(
        request,
        "二维码已过期",
        "这个签到二维码已过期（二维码每分钟更换一次）。请重新扫描现场屏幕上的二维码。",
        410,
        session,
    )


@private
@require_GET
def checkin_done(request, session_id):
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    attendance = (
        Attendance.objects.select_related("session__program")
        .filter(session_id=session_id, enrolment__user=request.user)
        .first()
    )
    if attendance is None:
        return refuse(request, "尚未签到", "您还没有在这次课程签到。请扫描现场屏幕上的二维码。", 404)
    return render(
        request,
        "programs/checkin/done.html",
        {"attendance": attendance, "session": attendance.session, "program": attendance.session.program},
    )


# -- certificates -----------------------------------------------------------------------------------


@require_GET
def certificate_verify(request):
    """The form; `?code=` (the form's GET) goes to the code's page when it is well formed."""
    typed = request.GET.get("code", "")[:64]
    error = ""
    if typed:
        code = certificates.normalise(typed)
        if code is not None:
            return redirect("programs:certificate_detail", code=code)
        error = "验证码应为 12 位字母和数字（如 ABCD-EFGH-JKMN），请核对后重新输入。"
    response = render(
        request, "programs/certificates/verify.html", {"typed": typed, "error": error}, status=400 if error else 200
    )
    response["X-Robots-Tag"] = "noindex"
    return response


@require_GET
def certificate_detail(request, code):
    normalised = certificates.normalise(code)
    context = {"typed": code[:64], "certificate": None}
    if not certificates.lookup_allowed(request):
        response = render(request, "programs/certificates/verify.html", {**context, "busy": True}, status=429)
        response["Retry-After"] = "3600"
        return response
    certificate = None
    if normalised is not None:
        certificate = (
            Certificate.objects.filter(code=normalised)
            .only("code", "name", "program_title", "center_name", "hours", "issued_on", "revoked_at")
            .first()
        )
    if normalised is not None and normalised != code and certificate is not None:
        return redirect("programs:certificate_detail", code=normalised)
    status = 200 if certificate is not None and certificate.revoked_at is None else 404
    if certificate is not None and certificate.revoked_at is not None:
        status = 410
    response = render(
        request, "programs/certificates/verify.html", {**context, "certificate": certificate}, status=status
    )
    response["X-Robots-Tag"] = "noindex"
    response["Cache-Control"] = "no-store"
    return response


@private
@require_GET
def certificate_pdf(request, pk):
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    certificate = Certificate.objects.select_related("enrolment__program").filter(pk=pk).first()
    enrolment = certificate.enrolment if certificate else None
    owner = enrolment is not None and enrolment.user_id == request.user.pk
    staff = roles.is_platform_admin(request.user) or (
        enrolment is not None and is_program_staff(request.user, enrolment.program)
    )
    if certificate is None or not (owner or staff):
        return refuse(request, "未找到证书", "未找到该证书，或您无权下载。", 404)
    if certificate.revoked_at is not None:
        return refuse(request, "证书已撤销", "该结业证书已被撤销，不能下载。", 410)
    # A PDF takes most of a second of CPU: a few per user every ten minutes, as the learning record's.
    key = f"programs-certificate-pdf:{request.user.pk}"
    cache.add(key, 0, timeout=PDF_WINDOW_SECONDS)
    if cache.incr(key) > PDF_PER_WINDOW:
        return refuse(request, "请稍后再试", "证书下载过于频繁，请十分钟后再试。", 429)
    response = HttpResponse(certificates.render_pdf(certificate), content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="certificate-{certificate.code}.pdf"'
    return response


def certificate_pdf_url(certificate):
    return reverse("programs:certificate_pdf", args=[certificate.pk])
