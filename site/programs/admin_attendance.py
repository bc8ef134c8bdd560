"""签到与结业 in the admin (docs/programs-attendance.md): the programs of the user's centers, each with its
attendance grid (approved participants × sessions, marked by hand with plain checkboxes), the QR
check-in screen of each session, and certificate revocation.

Who: a program's center's editors and reviewers, platform administrators and superusers (center-scoped
as everything in the admin: editorial.roles). Another center's program answers 404.
"""

import io

import segno

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Count, IntegerField, OuterRef, Q, Subquery
from django.db.models.functions import Coalesce
from django.http import Http404, JsonResponse
from django.shortcuts import get_object_or_404, redirect
from django.urls import path, reverse
from django.utils import timezone
from django.views.generic import TemplateView

from wagtail import hooks
from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin

from discovery.links import absolute
from editorial import roles
from editorial.menu import CenterMenuItem
from hub.ids import parse_id

from . import checkin
from .completion import evaluate_many
from .models import Attendance, Certificate, Enrolment, ProgramPage, ProgramSession
from .staff import programs_for
from .views_attendance import is_program_staff

PROGRAMS_PER_PAGE = 50
# Checkboxes on one page of the grid at most (rows × sessions): a page of a big program stays light,
# and its POST far below DATA_UPLOAD_MAX_NUMBER_FIELDS.
GRID_CELLS = 1000
GRID_ROWS_MAX = 50


def staff_program(user, program_id):
    program = get_object_or_404(ProgramPage, pk=program_id)
    if not is_program_staff(user, program):
        raise Http404  # another center's program: as if it did not exist (and Wagtail would redirect a 403)
    return program


def staff_session(user, session_id):
    session = get_object_or_404(ProgramSession.objects.select_related("program"), pk=session_id)
    if not is_program_staff(user, session.program):
        raise Http404
    return session


class AttendanceAdminMixin(WagtailAdminTemplateMixin):
    header_icon = "tasks"

    def dispatch(self, request, *args, **kwargs):
        if not roles.works_for_centers(request.user):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)


def count_of(queryset):
    rows = queryset.filter(program=OuterRef("pk")).order_by().values("program").annotate(n=Count("pk")).values("n")
    return Coalesce(Subquery(rows, output_field=IntegerField()), 0)


class ProgramListView(AttendanceAdminMixin, TemplateView):
    template_name = "programs/admin/attendance/index.html"
    page_title = "签到与结业"

    def get_breadcrumbs_items(self):
        return self.breadcrumbs_items + [{"url": "", "label": self.page_title}]

    def get_context_data(self, **kwargs):
        programs = (
            programs_for(self.request.user)
            # Subqueries, not joins: enrolments × sessions would multiply the rows of a big program.
            .annotate(
                approved=count_of(Enrolment.objects.filter(status=Enrolment.APPROVED)),
                completed=count_of(Enrolment.objects.filter(completed_at__isnull=False)),
                session_count=count_of(ProgramSession.objects.all()),
            )
            .order_by("-starts_on", "-pk")
            .only("pk", "title", "draft_title", "live", "starts_on", "ends_on")
        )
        page = Paginator(programs, PROGRAMS_PER_PAGE).get_page(self.request.GET.get("p"))
        return super().get_context_data(page=page, programs=page.object_list, **kwargs)


class AttendanceGridView(AttendanceAdminMixin, TemplateView):
    template_name = "programs/admin/attendance/program.html"

    def dispatch(self, request, *args, program_id, **kwargs):
        self.program = staff_program(request.user, program_id)
        return super().dispatch(request, *args, **kwargs)

    def get_page_title(self):
        return f"{self.program.get_admin_display_title()} · 签到与结业"

    def get_breadcrumbs_items(self):
        return self.breadcrumbs_items + [
            {"url": reverse("programs_attendance_index"), "label": "签到与结业"},
            {"url": "", "label": self.program.get_admin_display_title()},
        ]

    def sessions(self):
        return list(ProgramSession.objects.filter(program=self.program).order_by("sort_order", "starts_at", "pk"))

    def grid_page(self, sessions, number):
        per_page = max(1, min(GRID_ROWS_MAX, GRID_CELLS // max(1, len(sessions))))
        approved = (
            Enrolment.objects.filter(program=self.program, status=Enrolment.APPROVED)
            .select_related("certificate")
            .order_by("name", "pk")
        )
        return Paginator(approved, per_page).get_page(number)

    def get_context_data(self, **kwargs):
        sessions = self.sessions()
        page = self.grid_page(sessions, self.request.GET.get("p"))
        enrolments = list(page.object_list)
        marks = {
            (enrolment_id, session_id): method
            for enrolment_id, session_id, method in Attendance.objects.filter(
                enrolment__in=enrolments, session__in=sessions
            ).values_list("enrolment_id", "session_id", "method")
        }
        rows = []
        for enrolment in enrolments:
            cells = [(session, marks.get((enrolment.pk, session.pk))) for session in sessions]
            certificate = getattr(enrolment, "certificate", None)
            rows.append(
                {
                    "enrolment": enrolment,
                    "cells": cells,
                    "attended": sum(1 for _session, mark in cells if mark),
                    "certificate": certificate,
                }
            )
        counts = dict(
            Attendance.objects.filter(session__in=sessions, enrolment__status=Enrolment.APPROVED)
            .order_by()
            .values("session_id")
            .annotate(n=Count("pk"))
            .values_list("session_id", "n")
        )
        return super().get_context_data(
            program=self.program,
            sessions=[(session, counts.get(session.pk, 0)) for session in sessions],
            rows=rows,
            page=page,
            approved_total=page.paginator.count,
            **kwargs,
        )

    def post(self, request, *args, **kwargs):
        if request.POST.get("revoke"):
            return self.revoke(request)
        sessions = {session.pk: session for session in self.sessions()}
        shown = {parse_id(value) for value in request.POST.getlist("row")[:GRID_ROWS_MAX]}
        if None in shown:
            shown = set()  # a row that is not an id (or past the databases' integers): nothing is changed
        # Only approved participants of this program: ids of anything else are ignored.
        enrolments = list(
            Enrolment.objects.filter(program=self.program, status=Enrolment.APPROVED, pk__in=shown).select_related(
                "program"
            )
        )
        ids = {enrolment.pk for enrolment in enrolments}
        wanted = set()
        for value in request.POST.getlist("mark")[:GRID_CELLS]:
            enrolment_id, _, session_id = value.partition(":")
            pair = (parse_id(enrolment_id), parse_id(session_id))
            if pair[0] in ids and pair[1] in sessions:
                wanted.add(pair)
        current = set(
            Attendance.objects.filter(enrolment_id__in=ids, session_id__in=sessions).values_list(
                "enrolment_id", "session_id"
            )
        )
        added, removed = wanted - current, current - wanted
        now = timezone.now()
        Attendance.objects.bulk_create(
            [
                Attendance(
                    enrolment_id=e, session_id=s, method=Attendance.MANUAL, marked_by=request.user, marked_at=now
                )
                for e, s in sorted(added)
            ],
            ignore_conflicts=True,  # a QR check-in of the same moment wins
        )
        if removed:
            condition = Q(pk__in=[])
            for e, s in removed:
                condition |= Q(enrolment_id=e, session_id=s)
            Attendance.objects.filter(condition).delete()
        changed = {e for e, _s in added}
        completed = evaluate_many(self.program, [e for e in enrolments if e.pk in changed]) if changed else set()
        newly = len([e for e in enrolments if e.pk in completed and not e.completed_at])
        text = f"已保存：新登记 {len(added)} 人次，取消 {len(removed)} 人次。"
        if newly:
            text += f"{newly} 名学员达到结业要求，已计入学时并发放结业证书。"
        messages.success(request, text)
        return redirect(self.back_url(request))

    def revoke(self, request):
        certificate_id = parse_id(request.POST.get("revoke"))
        certificate = None
        if certificate_id:
            certificate = Certificate.objects.filter(
                pk=certificate_id, enrolment__program=self.program, revoked_at__isnull=True
            ).first()
        if certificate is None:
            messages.error(request, "未找到该证书，或它已被撤销。")
        else:
            certificate.revoked_at = timezone.now()
            certificate.save(update_fields=["revoked_at"])
            messages.success(request, f"已撤销 {certificate.name} 的结业证书（{certificate.code}）。")
        return redirect(self.back_url(request))

    def back_url(self, request):
        url = reverse("programs_attendance", args=[self.program.pk])
        page = request.POST.get("p", "")
        return f"{url}?p={page}" if page.isdigit() else url


# -- the QR check-in screen ------------------------------------------------------------------------------


def qr_svg(url):
    """A large inline SVG of the check-in address (no XML declaration: it sits in the admin's HTML)."""
    code = segno.make(url, micro=False, error="m")
    out = io.BytesIO()
    code.save(out, kind="svg", xmldecl=False, svgns=True, nl=False, omitsize=True, border=4,
              title="签到二维码", svgclass="checkin-screen__qr", lineclass=None)  # fmt: skip
    return out.getvalue().decode("utf-8").replace("<svg ", '<svg role="img" ', 1)


def screen_state(session):
    token = checkin.make_token(session.pk)
    url = absolute(reverse("programs:checkin", args=[token]))
    return {
        "url": url,
        "svg": qr_svg(url),
        "seconds_left": checkin.seconds_left(),
        "checked_in": Attendance.objects.filter(session=session, enrolment__status=Enrolment.APPROVED).count(),
        "approved": Enrolment.objects.filter(program_id=session.program_id, status=Enrolment.APPROVED).count(),
    }


class CheckinScreenView(AttendanceAdminMixin, TemplateView):
    template_name = "programs/admin/attendance/screen.html"

    def dispatch(self, request, *args, session_id, **kwargs):
        self.session = staff_session(request.user, session_id)
        return super().dispatch(request, *args, **kwargs)

    def get_page_title(self):
        return f"签到二维码 · {self.session.topic}"

    def get_breadcrumbs_items(self):
        program = self.session.program
        return self.breadcrumbs_items + [
            {"url": reverse("programs_attendance_index"), "label": "签到与结业"},
            {"url": reverse("programs_attendance", args=[program.pk]), "label": program.get_admin_display_title()},
            {"url": "", "label": "签到二维码"},
        ]

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            session=self.session, program=self.session.program, state=screen_state(self.session), **kwargs
        )


def checkin_code(request, session_id):
    """The screen's current code and counts as JSON, for the script that refreshes it in place."""
    if not roles.works_for_centers(request.user):
        raise PermissionDenied
    state = screen_state(staff_session(request.user, session_id))
    response = JsonResponse(state)
    response["Cache-Control"] = "private, no-store"
    return response


@hooks.register("register_admin_urls")
def register_attendance_admin_urls():
    return [
        path("programs/attendance/", ProgramListView.as_view(), name="programs_attendance_index"),
        path("programs/attendance/<id:program_id>/", AttendanceGridView.as_view(), name="programs_attendance"),
        path("programs/sessions/<id:session_id>/checkin/", CheckinScreenView.as_view(), name="programs_checkin_screen"),
        path("programs/sessions/<id:session_id>/checkin/code/", checkin_code, name="programs_checkin_code"),
    ]


@hooks.register("register_programs_menu_item")  # in the 培训项目 menu (admin_enrolment)
def register_attendance_menu_item():
    return CenterMenuItem("签到与结业", reverse("programs_attendance_index"), icon_name="tasks", order=200)
