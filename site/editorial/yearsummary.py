"""The center's year (docs/year-summary.md): each center's training programs of the year for the
submission dashboard, and the year-end summary (年底工作总结) a center's editors complete and submit,
pre-filled with the year's numbers.

A program belongs to the center whose section holds it in the page tree (as everything in the admin's
scoping), or, outside every section, to its `center` field. A program is of the year its starts_on
falls in. For a year and a day `today`:

- planned: the center's programs of the year, published or not; held: the live ones started by today;
- enrolled: enrolments approved (已录取); completed: enrolments with completed_at set;
- hours: the program hours credited to counselors' records (LearningCredit kind "program");
- satisfaction: the average of the survey responses' overall score (1..5), with their number.

`program_rows()` is one query whatever the number of centers and programs: the enrolment, survey and
credit numbers are subqueries of the program rows; the centers' totals are sums of those rows."""

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Count, IntegerField, OuterRef, Q, Subquery, Sum
from django.db.models.functions import Coalesce
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils import timezone
from django.views.generic import TemplateView

from wagtail.admin import messages
from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin
from wagtail.log_actions import log

from learning import analytics
from learning.models import LearningCredit
from programs.models import Enrolment, ProgramPage, SurveyResponse
from resources.models import TrainingCenter

from . import progress, roles
from .forms import YearSummaryForm
from .models import YearSummary

# -- the numbers ---------------------------------------------------------------------------------


@dataclass
class ProgramYear:
    """A center's programs of one year (or one program's numbers, with planned = 1)."""

    planned: int = 0
    held: int = 0
    enrolled: int = 0
    completed: int = 0
    hours: Decimal = Decimal("0.00")
    responses: int = 0
    overall_total: int = 0

    @property
    def satisfaction(self):
        """The average overall score in two decimals (a string, as shown and stored), or None."""
        if not self.responses:
            return None
        return str((Decimal(self.overall_total) / self.responses).quantize(Decimal("0.01")))

    def add(self, other):
        for name in ("planned", "held", "enrolled", "completed", "hours", "responses", "overall_total"):
            setattr(self, name, getattr(self, name) + getattr(other, name))


def _counted(queryset, value=None):
    """A subquery of the program's rows counted (or `value` summed), 0 when there are none."""
    grouped = queryset.filter(program=OuterRef("pk")).order_by().values("program")
    total = grouped.annotate(n=Sum(value) if value else Count("pk")).values("n")
    return Coalesce(Subquery(total, output_field=IntegerField()), 0)


def program_rows(year, today, center_ids=None):
    """Every program of the year of the given centers (None: all) as dicts: pk, title, live,
    starts_on, ends_on, center_id and their ProgramYear `numbers`, ordered by date. One query for
    the sections, one for the programs."""
    sections = analytics.sections_of(None)  # every section: a program belongs to the one holding it
    find_center = analytics.center_of_path(sections)
    wanted = None if center_ids is None else set(center_ids)
    programs = ProgramPage.objects.filter(starts_on__gte=date(year, 1, 1), starts_on__lte=date(year, 12, 31))
    if wanted is not None:
        mine = [sections[c] for c in wanted if c in sections]
        programs = programs.filter(analytics._under(mine) | Q(center__in=wanted))
    credits = (
        LearningCredit.objects.filter(kind="program", course_key=OuterRef("pk"))
        .order_by()
        .values("course_key")
        .annotate(total=Sum("hours"))
        .values("total")
    )
    rows = (
        programs.order_by("starts_on", "path")
        .values("pk", "title", "path", "live", "starts_on", "ends_on", "center_id")
        .annotate(
            enrolled=_counted(Enrolment.objects.filter(status=Enrolment.APPROVED)),
            completed=_counted(Enrolment.objects.filter(completed_at__isnull=False)),
            responses=_counted(SurveyResponse.objects.all()),
            overall_total=_counted(SurveyResponse.objects.all(), "overall"),
            hours=Subquery(credits),
        )
    )
    result = []
    for row in rows:
        center_id = find_center(row["path"]) or row["center_id"]
        if center_id is None or (wanted is not None and center_id not in wanted):
            continue
        row["center_id"] = center_id
        row["numbers"] = ProgramYear(
            planned=1,
            held=int(bool(row["live"] and row["starts_on"] <= today)),
            enrolled=row["enrolled"],
            completed=row["completed"],
            hours=analytics.hours_value(row["hours"]),
            responses=row["responses"],
            overall_total=row["overall_total"],
        )
        result.append(row)
    return result


def program_year(year, today, center_ids=None):
    """{center id: ProgramYear} of the centers that have programs in the year."""
    totals = {}
    for row in program_rows(year, today, center_ids):
        totals.setdefault(row["center_id"], ProgramYear()).add(row["numbers"])
    return totals


# The numbers of a summary, in the order shown: (key, label). Stored in YearSummary.numbers by key.
NUMBER_GROUPS = [
    (
        "网络课程与工作案例",
        [
            ("plan_status", "年度工作计划"),
            ("planned_courses", "计划课程（门）"),
            ("done_courses", "已完成计划课程（门）"),
            ("completion", "计划完成率（%）"),
            ("courses_published", "本年度发布微课（门）"),
            ("courses_in_review", "审核中微课（门）"),
            ("courses_draft", "草稿微课（门）"),
            ("cases", "工作案例（个）"),
        ],
    ),
    (
        "培训项目",
        [
            ("programs_planned", "本年度培训项目（个）"),
            ("programs_held", "已举办（个）"),
            ("enrolled", "录取学员（人）"),
            ("completed", "结业学员（人）"),
            ("program_hours", "结业计入学时"),
            ("survey_responses", "评估问卷（份）"),
            ("satisfaction", "总体满意度（5 分制）"),
        ],
    ),
    (
        "学员学习本中心微课",
        [
            ("course_completions_year", "本年度完成人次"),
            ("course_hours_year", "本年度计入学时"),
            ("learners_total", "累计学习人数"),
            ("completions_total", "累计完成人次"),
            ("course_hours_total", "累计计入学时"),
        ],
    ),
]


def center_numbers(center, year, today):
    """The year's numbers of one center, as YearSummary.numbers stores them (JSON: strings for
    decimals, None for what cannot be computed). Reuses the dashboard's and the learning
    analytics' definitions, so the three pages agree."""
    rows = progress.center_progress(year, today, [center.pk])
    row = rows[0] if rows else progress.CenterProgress(center.pk, center.code, center.name, year, today)
    programs = program_year(year, today, [center.pk]).get(center.pk) or ProgramYear()
    by_center, _total = analytics.center_totals([center.pk])
    learning = by_center.get(center.pk) or analytics.Totals()
    sections = analytics.sections_of([center.pk])
    start, end = progress.year_bounds(year)
    credited = LearningCredit.objects.filter(
        analytics._under(sections.values(), "course__"), kind="course", credited_at__gte=start, credited_at__lt=end
    ).aggregate(n=Count("pk"), hours=Sum("hours"))
    return {
        "computed_on": today.isoformat(),
        "plan_status": row.plan_status_label,
        "planned_courses": row.planned,
        "done_courses": row.done,
        "completion": row.completion,
        "courses_published": row.published,
        "courses_in_review": row.in_review,
        "courses_draft": row.draft,
        "cases": row.cases,
        "programs_planned": programs.planned,
        "programs_held": programs.held,
        "enrolled": programs.enrolled,
        "completed": programs.completed,
        "program_hours": str(programs.hours),
        "survey_responses": programs.responses,
        "satisfaction": programs.satisfaction,
        "course_completions_year": credited["n"],
        "course_hours_year": str(analytics.hours_value(credited["hours"])),
        "learners_total": learning.learners,
        "completions_total": learning.completions,
        "course_hours_total": str(learning.hours),
    }


def number_groups(numbers):
    """[(group title, [(label, value)])] for a template, "—" where a number is missing."""
    return [
        (title, [(label, "—" if numbers.get(key) is None else numbers[key]) for key, label in items])
        for title, items in NUMBER_GROUPS
    ]


def summary_deadline(year):
    return date(year, *settings.EDITORIAL_SUMMARY_DEADLINE)


# -- who may do what -------------------------------------------------------------------------------


def can_edit(user, center):
    """The center's editors and reviewers, and platform administrators, while it is a draft."""
    return roles.is_platform_admin(user) or center.pk in roles.center_ids_for(user)


def can_reopen(user, center):
    """A submitted summary is reopened by the center's reviewers or a platform administrator."""
    return roles.can_review(user, center)


def summary_years(today):
    """The dashboard's years: from next year (a plan ahead) back to the first."""
    return range(today.year + 1, progress.FIRST_YEAR - 1, -1)


# -- the views ---------------------------------------------------------------------------------


class SummaryMixin:
    def dispatch(self, request, *args, **kwargs):
        if not roles.works_for_centers(request.user):
            raise PermissionDenied
        self.today = progress.today()
        return super().dispatch(request, *args, **kwargs)


class SummaryIndexView(SummaryMixin, WagtailAdminTemplateMixin, TemplateView):
    """Every visible center's summary of the year and its state: for platform administrators, who
    has submitted and who is behind."""

    template_name = "editorial/year_summary/index.html"
    page_title = "年底工作总结"
    header_icon = "doc-full"

    def get_breadcrumbs_items(self):
        return self.breadcrumbs_items + [{"url": "", "label": self.page_title}]

    def get_context_data(self, **kwargs):
        year = progress.requested_year(self.request.GET.get("year"), self.today)
        centers = list(roles.visible_centers(self.request.user).order_by("code"))
        summaries = {
            s.center_id: s
            for s in YearSummary.objects.filter(year=year, center__in=[c.pk for c in centers]).select_related(
                "updated_by"
            )
        }
        deadline = summary_deadline(year)
        overdue = self.today > deadline
        rows = []
        for center in centers:
            summary = summaries.get(center.pk)
            submitted = summary is not None and summary.status == YearSummary.SUBMITTED
            rows.append(
                {"center": center, "summary": summary, "submitted": submitted, "overdue": overdue and not submitted}
            )
        return super().get_context_data(
            year=year,
            years=summary_years(self.today),
            deadline=deadline,
            rows=rows,
            submitted_count=sum(r["submitted"] for r in rows),
            behind_count=sum(not r["submitted"] for r in rows),
            overdue_count=sum(r["overdue"] for r in rows),
            is_platform_admin=roles.is_platform_admin(self.request.user),
            **kwargs,
        )


class SummaryView(SummaryMixin, WagtailAdminTemplateMixin, TemplateView):
    """One center's summary of one year: the numbers, the three texts, 保存草稿 / 提交 / 重新打开."""

    template_name = "editorial/year_summary/edit.html"
    header_icon = "doc-full"

    def dispatch(self, request, *args, code, year, **kwargs):
        self.center = get_object_or_404(TrainingCenter, code=code)
        self.year = year
        return super().dispatch(request, *args, **kwargs)

    def setup_summary(self):
        if not progress.FIRST_YEAR <= self.year <= self.today.year + 1:
            raise Http404
        if not can_edit(self.request.user, self.center):
            raise Http404  # another center's summary: as if it did not exist
        self.summary = YearSummary.objects.filter(center=self.center, year=self.year).select_related(
            "updated_by"
        ).first() or YearSummary(center=self.center, year=self.year)

    def get_page_title(self):
        return f"{self.center.name} · {self.year} 年底工作总结"

    def get_breadcrumbs_items(self):
        return self.breadcrumbs_items + [
            {"url": reverse("editorial_year_summary_index") + f"?year={self.year}", "label": "年底工作总结"},
            {"url": "", "label": self.get_page_title()},
        ]

    @property
    def locked(self):
        return self.summary.status == YearSummary.SUBMITTED

    def get(self, request, *args, **kwargs):
        self.setup_summary()
        form = YearSummaryForm(instance=self.summary, locked=self.locked)
        return self.render_to_response(self.get_context_data(form=form))

    def post(self, request, *args, **kwargs):
        self.setup_summary()
        if "reopen" in request.POST:
            return self.reopen()
        submit = "submit" in request.POST
        form = YearSummaryForm(request.POST, instance=self.summary, locked=self.locked, submitting=submit)
        if self.locked:
            messages.error(request, "该总结已提交，不能再修改；如需修改，请中心审核人员或平台管理员重新打开。")
            return self.render_to_response(self.get_context_data(form=form), status=409)
        if not form.is_valid():
            messages.error(request, "请修正下面标出的问题。" if not submit else "提交前请填写完整下面标出的内容。")
            return self.render_to_response(self.get_context_data(form=form))
        with transaction.atomic():
            # The row is locked while it is written: a reopen or a second submit waits for this one.
            # get_or_create: two first saves at once make one row (the unique constraint decides).
            created = YearSummary.objects.get_or_create(center=self.center, year=self.year)[0]
            summary = YearSummary.objects.select_for_update().get(pk=created.pk)
            if summary.status == YearSummary.SUBMITTED:
                self.summary = summary
                messages.error(request, "该总结刚刚已被提交，您的修改没有保存；请复制您的文字后刷新页面。")
                return self.render_to_response(self.get_context_data(form=form), status=409)
            for field in YearSummaryForm.Meta.fields:
                setattr(summary, field, form.cleaned_data[field])
            summary.numbers = center_numbers(self.center, self.year, self.today)
            summary.updated_by = request.user
            if submit:
                summary.status = YearSummary.SUBMITTED
                summary.submitted_at = timezone.now()
            summary.save()
            log(
                instance=summary,
                action="editorial.summary.submit" if submit else "editorial.summary.edit",
                user=request.user,
            )
        if submit:
            messages.success(request, f"{self.center.name} {self.year} 年底工作总结已提交。")
        else:
            messages.success(request, "草稿已保存。")
        return redirect("editorial_year_summary", self.center.code, self.year)

    def reopen(self):
        request = self.request
        if not can_reopen(request.user, self.center):
            raise PermissionDenied
        with transaction.atomic():
            updated = YearSummary.objects.filter(
                center=self.center, year=self.year, status=YearSummary.SUBMITTED
            ).update(status=YearSummary.DRAFT, submitted_at=None, updated_by=request.user, updated_at=timezone.now())
            if updated:
                log(
                    instance=YearSummary.objects.get(center=self.center, year=self.year),
                    action="editorial.summary.reopen",
                    user=request.user,
                )
        if updated:
            messages.success(request, "已重新打开该总结，中心编辑可以继续修改后再次提交。")
        else:
            messages.warning(request, "该总结尚未提交，无需重新打开。")
        return redirect("editorial_year_summary", self.center.code, self.year)

    def get_context_data(self, **kwargs):
        summary = self.summary
        # A submitted summary shows the numbers it was submitted with; a draft, today's.
        numbers = summary.numbers if self.locked else center_numbers(self.center, self.year, self.today)
        return super().get_context_data(
            center=self.center,
            year=self.year,
            years=summary_years(self.today),
            summary=summary,
            locked=self.locked,
            numbers=numbers,
            groups=number_groups(numbers),
            deadline=summary_deadline(self.year),
            can_reopen=self.locked and can_reopen(self.request.user, self.center),
            **kwargs,
        )


class SummaryPrintView(SummaryView):
    """The summary as a plain page to print or save as PDF from the browser."""

    template_name = "editorial/year_summary/print.html"
    http_method_names = ["get", "head", "options"]
