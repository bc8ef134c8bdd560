"""学员管理 in the admin (menu 培训项目): each program's applicants with filters and counts, the staff's
decisions (录取 / 不录取 with a reason / 候补顺序) as plain POST forms, and an Excel export.

Center-scoped like the rest of the admin (docs/permissions.md): a center's editors and reviewers see
and manage the programs in their centers' sections (drafts included); platform administrators every
program. Another center's program, its applicants, its export and its actions answer 404, whatever
id is sent; people who work for no center get 403 (counselors never reach the admin at all). Every
enrolment id posted must belong to the program in the URL."""

from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Case, Count, IntegerField, Q, Value, When
from django.http import Http404
from django.shortcuts import redirect
from django.urls import path, reverse
from django.utils import timezone
from django.views.generic import TemplateView, View

from wagtail import hooks
from wagtail.admin.menu import Menu, SubmenuMenuItem
from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin

from accounts.models import PROVINCES
from accounts.phone import display
from editorial import roles
from editorial.menu import CenterMenuItem
from hub.ids import parse_id
from hub.spreadsheets import workbook_response

from . import enrolment as service
from .forms_enrolment import DeclineForm
from .models import Enrolment
from .staff import programs_for

MAX_QUERY_LENGTH = 50
PROGRAMS_PER_PAGE = 50
STATUSES = dict(Enrolment.STATUS_CHOICES)
# The list's order: who needs a decision first, then the admitted, the waiting list in its order.
STATUS_ORDER = Case(
    *(When(status=status, then=Value(index)) for index, (status, _label) in enumerate(Enrolment.STATUS_CHOICES)),
    output_field=IntegerField(),
)


def program_for(user, program_id):
    program = programs_for(user).filter(pk=program_id).first()
    if not program:
        raise Http404
    return program


class EnrolmentAdminMixin(WagtailAdminTemplateMixin):
    header_icon = "group"

    def dispatch(self, request, *args, **kwargs):
        if not roles.works_for_centers(request.user):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)

    def get_breadcrumbs_items(self):
        return self.breadcrumbs_items + [{"url": "", "label": self.get_page_title()}]


class ProgramListView(EnrolmentAdminMixin, TemplateView):
    """Each program the user manages, with its seats and applicants by status (one grouped query)."""

    template_name = "programs/admin/enrolment/programs.html"
    page_title = "学员管理"

    def get_context_data(self, **kwargs):
        query = self.request.GET.get("q", "").strip()[:MAX_QUERY_LENGTH]
        programs = programs_for(self.request.user)
        if query:
            programs = programs.filter(Q(title__icontains=query) | Q(draft_title__icontains=query))
        programs = programs.annotate(
            **{f"n_{status}": Count("enrolments", filter=Q(enrolments__status=status)) for status in STATUSES}
        ).order_by("-starts_on", "-pk")
        page = Paginator(programs, PROGRAMS_PER_PAGE).get_page(self.request.GET.get("p"))
        return super().get_context_data(page=page, programs=page.object_list, query=query, **kwargs)


class ApplicantListView(EnrolmentAdminMixin, TemplateView):
    template_name = "programs/admin/enrolment/applicants.html"
    page_title = "学员管理"

    def get_page_title(self):
        return f"学员管理：{self.program.get_admin_display_title()}"

    def get_breadcrumbs_items(self):
        return self.breadcrumbs_items + [
            {"url": reverse("programs_enrolment_admin"), "label": "学员管理"},
            {"url": "", "label": self.program.get_admin_display_title()},
        ]

    def dispatch(self, request, program_id, *args, **kwargs):
        if not roles.works_for_centers(request.user):
            raise PermissionDenied
        self.program = program_for(request.user, program_id)
        return super().dispatch(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        chosen = filters_of(self.request)
        numbers = service.counts(self.program.pk)
        rows = applicants(self.program, chosen).select_related("decided_by")
        page = Paginator(rows, settings.PROGRAMS_APPLICANTS_PER_PAGE).get_page(self.request.GET.get("p"))
        filters = {key: value for key, value in chosen.items() if value}
        here = reverse("programs_enrolment_applicants", args=[self.program.pk])
        back = here + "?" + urlencode({**filters, "p": page.number})
        # 全选本页 without JavaScript: the same page again, its boxes ticked (the script ticks in place).
        select_all = self.request.GET.get("select") == "page"
        select_url = back + ("" if select_all else "&select=page")
        marks = [selectable(row) for row in page.object_list]  # every row marked, not only up to the first
        return super().get_context_data(
            program=self.program,
            numbers=numbers,
            held=numbers[Enrolment.PENDING] + numbers[Enrolment.APPROVED],
            page=page,
            rows=page.object_list,
            elided_page_range=page.paginator.get_elided_page_range(page.number),
            chosen=chosen,
            statuses=Enrolment.STATUS_CHOICES,
            provinces=PROVINCES,
            export_url=reverse("programs_enrolment_export", args=[self.program.pk]) + "?" + urlencode(filters),
            back=back,
            select_all=select_all,
            select_url=select_url,
            bulk_url=reverse("programs_enrolment_bulk", args=[self.program.pk]),
            any_selectable=any(marks),
            reason_max=service.MAX_REASON_LENGTH,
            **kwargs,
        )


def selectable(row):
    """Marks and answers whether a bulk decision may change the row: pending (录取 or 不录取), admitted
    or waiting (不录取), unless completed. The service checks again under the lock; this only spares
    useless boxes."""
    row.selectable = row.status in service.ACTIVE and row.completed_at is None
    return row.selectable


def filters_of(request):
    """The list's filters from the query string; a value not offered is ignored."""
    params = request.GET
    return {
        "status": params.get("status") if params.get("status") in STATUSES else "",
        "province": params.get("province") if params.get("province") in PROVINCES else "",
        "q": params.get("q", "").strip()[:MAX_QUERY_LENGTH],
    }


def applicants(program, chosen):
    """The program's applicants with the filters, in the list's order, each with its waiting place."""
    rows = Enrolment.objects.filter(program=program).annotate(order=STATUS_ORDER, position=service.waiting_position())
    if chosen["status"]:
        rows = rows.filter(status=chosen["status"])
    if chosen["province"]:
        rows = rows.filter(province=chosen["province"])
    if chosen["q"]:
        rows = rows.filter(Q(name__icontains=chosen["q"]) | Q(school__icontains=chosen["q"]))
    return rows.order_by("order", "queued_at", "applied_at", "pk")


ACTIONS = {"approve", "decline", "up", "down"}


def back_to_list(request, program):
    """The posted `next`: the list with its filters and page, never anywhere else."""
    base = reverse("programs_enrolment_applicants", args=[program.pk])
    value = request.POST.get("next", "")
    return value if value.startswith(base + "?") and "//" not in value and "\\" not in value else base


class ActionView(EnrolmentAdminMixin, View):
    """One decision on one applicant: action=approve|decline|up|down, enrolment=<id>, reason=… ."""

    def post(self, request, program_id):
        program = program_for(request.user, program_id)
        back = back_to_list(request, program)
        action = request.POST.get("action", "")
        enrolment_id = parse_id(request.POST.get("enrolment"))
        # The enrolment must be one of this program's: an id of another program (or center) is unknown.
        if action not in ACTIONS or enrolment_id is None:
            messages.error(request, "请选择要处理的报名人和操作。")
            return redirect(back)
        if not Enrolment.objects.filter(pk=enrolment_id, program=program).exists():
            raise Http404
        try:
            if action == "approve":
                done = service.approve(enrolment_id, request.user)
                messages.success(request, f"已录取 {done.name}，并已邮件通知。")
            elif action == "decline":
                form = DeclineForm(request.POST)
                if not form.is_valid():
                    messages.error(request, form.errors["reason"][0])
                    return redirect(back)
                done = service.decline(enrolment_id, request.user, form.cleaned_data["reason"])
                messages.success(request, f"已将 {done.name} 设为未录取，并已邮件通知。")
            else:
                done = service.move(enrolment_id, request.user, action)
                messages.success(request, f"已调整 {done.name} 的候补顺序。")
        except service.EnrolmentError as error:
            messages.error(request, error.message)
        return redirect(back)


# -- bulk decisions (批量录取 / 批量不录取) ------------------------------------------------------------------

BULK_ACTIONS = {"approve": "录取", "decline": "设为未录取"}
SKIP_REASONS = {
    service.SKIP_UNKNOWN: "不是本项目的报名记录或已不存在",
    service.SKIP_APPROVED: "已录取",
    service.SKIP_WAITING: "在候补名单中（有空出的名额递补为待审核后才能录取）",
    service.SKIP_INACTIVE: "已是未录取或已取消",
    service.SKIP_COMPLETED: "已结业，不能设为未录取（如结业证书有误，请在“签到与结业”中撤销）",
}


class BulkView(EnrolmentAdminMixin, View):
    """One decision on the applicants ticked on one page of the list: action=approve|decline,
    enrolment=<id> (repeated), reason=… for a decline. At most a page of ids per request; each must be
    an enrolment of this program (others are passed over and counted in the message)."""

    def post(self, request, program_id):
        program = program_for(request.user, program_id)
        back = back_to_list(request, program)
        action = request.POST.get("action", "")
        values = request.POST.getlist("enrolment")
        limit = settings.PROGRAMS_APPLICANTS_PER_PAGE
        if action not in BULK_ACTIONS:
            messages.error(request, "请选择批量录取或批量不录取。")
            return redirect(back)
        if len(values) > limit:
            messages.error(request, f"一次最多处理 {limit} 人（一页），请分页处理。未做任何更改。")
            return redirect(back)
        ids = {parse_id(value) for value in values}
        unreadable = sum(1 for value in values if parse_id(value) is None)
        ids.discard(None)
        if not ids:
            messages.error(request, "请先勾选要处理的报名人。")
            return redirect(back)
        reason = ""
        if action == "decline":
            form = DeclineForm(request.POST)
            if not form.is_valid():
                messages.error(request, form.errors["reason"][0])
                return redirect(back)
            reason = form.cleaned_data["reason"]
        done, skipped = service.decide_many(program.pk, ids, request.user, action, reason)
        if unreadable:
            skipped[service.SKIP_UNKNOWN] = skipped.get(service.SKIP_UNKNOWN, 0) + unreadable
        text = f"已{BULK_ACTIONS[action]} {len(done)} 人" + ("，并已邮件通知。" if done else "。")
        if skipped:
            reasons = "；".join(f"{skipped[why]} 人{label}" for why, label in SKIP_REASONS.items() if why in skipped)
            text += f"跳过 {sum(skipped.values())} 人：{reasons}。"
        level = messages.success if done and not skipped else messages.warning if done else messages.error
        level(request, text)
        return redirect(back)


EXPORT_HEADERS = [
    "序号",
    "姓名",
    "学校",
    "省份",
    "手机号",
    "电子邮箱",
    "状态",
    "候补位次",
    "报名时间",
    "审核时间",
    "未录取原因",
    "报名说明",
]


def _local(moment):
    return timezone.localtime(moment).strftime("%Y-%m-%d %H:%M") if moment else ""


class ExportView(EnrolmentAdminMixin, View):
    """The program's applicants (with the list's filters) as an Excel workbook."""

    def get(self, request, program_id):
        program = program_for(request.user, program_id)
        rows = (
            [
                number,
                row.name,
                row.school,
                row.province,
                display(row.phone) if row.phone else "",
                row.email,
                row.get_status_display(),
                row.position if row.status == Enrolment.WAITING else "",
                _local(row.applied_at),
                _local(row.decided_at),
                row.decline_reason,
                row.note,
            ]
            for number, row in enumerate(applicants(program, filters_of(request)).iterator(chunk_size=500), start=1)
        )
        stamp = timezone.localtime().strftime("%Y%m%d")
        return workbook_response(f"program-{program.pk}-applicants-{stamp}", [("报名名单", EXPORT_HEADERS, rows)])


# -- hooks -------------------------------------------------------------------------------------------


@hooks.register("register_admin_urls")
def register_enrolment_admin_urls():
    return [
        path("programs/enrolment/", ProgramListView.as_view(), name="programs_enrolment_admin"),
        path(
            "programs/enrolment/<id:program_id>/",
            ApplicantListView.as_view(),
            name="programs_enrolment_applicants",
        ),
        path(
            "programs/enrolment/<id:program_id>/action/",
            ActionView.as_view(),
            name="programs_enrolment_action",
        ),
        path(
            "programs/enrolment/<id:program_id>/bulk/",
            BulkView.as_view(),
            name="programs_enrolment_bulk",
        ),
        path(
            "programs/enrolment/<id:program_id>/export.xlsx",
            ExportView.as_view(),
            name="programs_enrolment_export",
        ),
    ]


# The 培训项目 menu: every part of the programs app adds its items with
# @hooks.register("register_programs_menu_item") (学员管理 here; 签到, 评估 in their modules).
PROGRAMS_MENU_HOOK = "register_programs_menu_item"


@hooks.register("register_admin_menu_item")
def register_programs_menu():
    # After 课程评论 (170): the same people, the same centers. Shown only if one of its items is.
    return SubmenuMenuItem("培训项目", Menu(register_hook_name=PROGRAMS_MENU_HOOK), icon_name="group", order=180)


@hooks.register(PROGRAMS_MENU_HOOK)
def register_enrolment_menu_item():
    return CenterMenuItem("学员管理", reverse("programs_enrolment_admin"), icon_name="user", order=100)
