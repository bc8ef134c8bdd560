"""The submission dashboard (报送进度) in the admin: every visible center's progress for a year,
a chart of it, a drill-down per center with its audit log, and Excel/CSV exports of the table.

Center editors and reviewers see their own centers only; platform administrators see all."""

import csv
import io

from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import IntegerField, Value
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.views.generic import TemplateView, View

from wagtail.admin.ui.components import Component
from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin
from wagtail.models import ModelLogEntry, PageLogEntry

from cases.models import CasePage
from hub.spreadsheets import spreadsheet_safe, workbook_response
from learning import analytics
from media.models import Video
from microcourses.models import MicroCoursePage
from resources.models import TrainingCenter

from . import progress, roles, yearsummary
from .models import WorkPlan, YearSummary

AUDIT_LOG_PAGE_SIZE = 20


def export_columns(year):
    """(header, value) of every column of the table, in order: the exports write exactly these."""
    deadline = progress.upload_deadline(year)
    return [
        ("中心代码", lambda r: r.code),
        ("培训研修中心", lambda r: r.name),
        ("工作计划", lambda r: r.plan_status_label),
        ("计划课程", lambda r: r.planned),
        ("草稿", lambda r: r.draft),
        ("审核中", lambda r: r.in_review),
        ("已发布", lambda r: r.published),
        ("已完成计划课程", lambda r: r.done),
        ("转码中视频", lambda r: r.videos_transcoding),
        ("转码失败视频", lambda r: r.videos_failed),
        ("工作案例", lambda r: r.cases),
        (f"距{deadline.month}月{deadline.day}日天数", lambda r: r.days_left),
        ("完成率（%）", lambda r: r.completion),
        ("状态", lambda r: r.status_label),
        # Counselors' learning of the center's courses, all years (learning.analytics).
        ("累计学习人数", lambda r: r.learning.learners),
        ("累计完成人次", lambda r: r.learning.completions),
        ("累计计入学时", lambda r: r.learning.hours),
    ]


# The second sheet of the Excel export and the dashboard's second table: the programs of the year.
PROGRAM_COLUMNS = [
    ("中心代码", lambda r: r.code),
    ("培训研修中心", lambda r: r.name),
    ("本年度培训项目", lambda r: r.programs.planned),
    ("已举办", lambda r: r.programs.held),
    ("录取学员", lambda r: r.programs.enrolled),
    ("结业学员", lambda r: r.programs.completed),
    ("评估问卷份数", lambda r: r.programs.responses),
    ("总体满意度（5分制）", lambda r: float(r.programs.satisfaction) if r.programs.satisfaction else None),
    ("年底工作总结", lambda r: SUMMARY_STATUS_LABELS.get(r.summary_status, "未填写")),
]
SUMMARY_STATUS_LABELS = dict(YearSummary.STATUS_CHOICES)


def chart_bars(rows):
    """Widths (percent of the longest bar) of each center's published / in review / draft
    segments, and where its planned number falls on the same scale."""
    scale = max([max(r.planned, r.courses) for r in rows] + [1])
    bars = []
    for row in rows:
        segments = [
            ("published", "已发布", row.published),
            ("in-review", "审核中", row.in_review),
            ("draft", "草稿", row.draft),
        ]
        bars.append(
            {
                "row": row,
                "segments": [
                    {"key": key, "label": label, "count": n, "width": round(100 * n / scale, 2)}
                    for key, label, n in segments
                    if n
                ],
                "planned_width": round(100 * row.planned / scale, 2),
            }
        )
    return bars


class DashboardMixin:
    """Login is required by the admin's URLs; here, membership of a center (or the platform)."""

    def dispatch(self, request, *args, **kwargs):
        if not roles.works_for_centers(request.user):
            raise PermissionDenied
        self.today = progress.today()
        self.year = progress.requested_year(request.GET.get("year"), self.today)
        return super().dispatch(request, *args, **kwargs)

    def get_rows(self, center_ids=None):
        visible = roles.visible_center_ids(self.request.user)
        if center_ids is not None:
            visible = set(center_ids) if visible is None else set(center_ids) & set(visible)
        rows = progress.center_progress(self.year, self.today, visible)
        # Two aggregate queries for every center at once; the total counts a counselor once.
        by_center, self.learning_total = analytics.center_totals([row.center_id for row in rows])
        for row in rows:
            row.learning = by_center.get(row.center_id) or analytics.Totals()
        # The programs of the year (two queries) and the year-end summaries' states (one).
        programs = yearsummary.program_year(self.year, self.today, [row.center_id for row in rows])
        summaries = dict(
            YearSummary.objects.filter(year=self.year, center__in=[row.center_id for row in rows]).values_list(
                "center_id", "status"
            )
        )
        for row in rows:
            row.programs = programs.get(row.center_id) or yearsummary.ProgramYear()
            row.summary_status = summaries.get(row.center_id)
        return rows

    def years(self):
        years = set(WorkPlan.objects.order_by().values_list("year", flat=True).distinct())
        years |= {self.today.year, self.year}
        return sorted((y for y in years if y >= progress.FIRST_YEAR), reverse=True)


class ProgressView(DashboardMixin, WagtailAdminTemplateMixin, TemplateView):
    template_name = "editorial/dashboard/index.html"
    page_title = "报送进度"
    header_icon = "table"

    def get_breadcrumbs_items(self):
        return self.breadcrumbs_items + [{"url": "", "label": self.page_title}]

    def get_context_data(self, **kwargs):
        rows = self.get_rows()
        return super().get_context_data(
            year=self.year,
            years=self.years(),
            today=self.today,
            deadline=progress.upload_deadline(self.year),
            plan_deadline=progress.plan_deadline(self.year),
            rows=rows,
            bars=chart_bars(rows),
            overdue_count=sum(r.overdue for r in rows),
            behind_count=sum(r.behind for r in rows),
            learning_total=self.learning_total,
            is_platform_admin=roles.is_platform_admin(self.request.user),
            **kwargs,
        )


class CenterProgressView(DashboardMixin, WagtailAdminTemplateMixin, TemplateView):
    template_name = "editorial/dashboard/center.html"
    header_icon = "table"

    def dispatch(self, request, *args, center_id, **kwargs):
        self.center = get_object_or_404(TrainingCenter.objects.select_related("section"), pk=center_id)
        return super().dispatch(request, *args, **kwargs)

    def get_page_title(self):
        return f"{self.center.name} · {self.year} 年报送进度"

    def get_breadcrumbs_items(self):
        return self.breadcrumbs_items + [
            {"url": reverse("editorial_progress") + f"?year={self.year}", "label": "报送进度"},
            {"url": "", "label": self.center.name},
        ]

    def get_context_data(self, **kwargs):
        rows = self.get_rows([self.center.pk])
        if not rows:
            # Another center's page: as if it did not exist.
            raise Http404
        row = rows[0]
        section = getattr(self.center, "section", None)
        plan = WorkPlan.objects.filter(center=self.center, year=self.year).first()

        def pages(model):
            if section is None:
                return model.objects.none()
            return (
                model.objects.descendant_of(section)
                .filter(progress._counted_in_year(self.year))
                .annotate(in_review=progress.in_review_annotation())
                .order_by("path")
            )

        items = []
        if plan is not None:
            linked = MicroCoursePage.objects.annotate(in_review=progress.in_review_annotation())
            by_item = {}
            for course in linked.filter(plan_item__plan=plan).order_by("path"):
                by_item.setdefault(course.plan_item_id, []).append(course)
            for item in plan.items.select_related("capability").order_by("sort_order", "pk"):
                courses = by_item.get(item.pk, [])
                items.append((item, courses, any(course.live for course in courses)))
        unplanned = pages(MicroCoursePage).select_related("video")
        if plan is not None:
            unplanned = unplanned.exclude(plan_item__plan=plan)
        videos = Video.objects.filter(
            pk__in=row.video_ids,
            status__in=[Video.Status.WAITING, Video.Status.TRANSCODING, Video.Status.FAILED],
        ).order_by("status", "title")

        log_page = self.audit_log(section, plan, row.video_ids)
        return super().get_context_data(
            center=self.center,
            year=self.year,
            years=self.years(),
            row=row,
            plan=plan,
            items=items,
            unplanned=unplanned,
            videos=videos,
            cases=pages(CasePage),
            programs=yearsummary.program_rows(self.year, self.today, [self.center.pk]),
            log_entries=log_page,
            elided_page_range=log_page.paginator.get_elided_page_range(log_page.number),
            **kwargs,
        )

    def audit_log(self, section, plan, video_ids):
        """Wagtail's log entries of the pages under the section, the center's plans, year-end
        summaries and videos, newest first. As in Wagtail's own site history report, the two log tables are
        paged as one union of (id, timestamp) rows, then only the page's entries are loaded."""
        pages = PageLogEntry.objects.none()
        if section is not None:
            pages = PageLogEntry.objects.filter(page__path__startswith=section.path)
        plans = list(WorkPlan.objects.filter(center=self.center).values_list("pk", flat=True))
        models = ModelLogEntry.objects.filter(
            content_type=ContentType.objects.get_for_model(WorkPlan), object_id__in=[str(pk) for pk in plans]
        ) | ModelLogEntry.objects.filter(
            content_type=ContentType.objects.get_for_model(Video), object_id__in=[str(pk) for pk in video_ids]
        )
        summaries = YearSummary.objects.filter(center=self.center).values_list("pk", flat=True)
        models |= ModelLogEntry.objects.filter(
            content_type=ContentType.objects.get_for_model(YearSummary), object_id__in=[str(pk) for pk in summaries]
        )
        # Each side without its model's default ordering: SQLite refuses ORDER BY inside a UNION.
        union = (
            pages.order_by()
            .annotate(source=Value(0, output_field=IntegerField()))
            .values("pk", "timestamp", "source")
            .union(
                models.order_by()
                .annotate(source=Value(1, output_field=IntegerField()))
                .values("pk", "timestamp", "source"),
                all=True,
            )
            .order_by("-timestamp", "-pk")
        )
        page = Paginator(union, AUDIT_LOG_PAGE_SIZE).get_page(self.request.GET.get("p"))
        wanted = {0: [], 1: []}
        for entry in page.object_list:
            wanted[entry["source"]].append(entry["pk"])
        loaded = {}
        for source, model in ((0, PageLogEntry), (1, ModelLogEntry)):
            for entry in model.objects.filter(pk__in=wanted[source]).select_related("user", "content_type"):
                loaded[(source, entry.pk)] = entry
        page.object_list = [loaded[(e["source"], e["pk"])] for e in page.object_list]
        return page


class ExportView(DashboardMixin, View):
    """The dashboard's table as a spreadsheet: the same rows, columns and numbers."""

    def get(self, request, fmt):
        rows = self.get_rows()
        columns = export_columns(self.year)
        table = [[value(row) for _header, value in columns] for row in rows]
        headers = [header for header, _value in columns]
        filename = f"center-progress-{self.year}"
        if fmt == "csv":
            return self.csv(headers, table, filename)
        programs = [[value(row) for _header, value in PROGRAM_COLUMNS] for row in rows]
        return self.xlsx(headers, table, filename, [header for header, _value in PROGRAM_COLUMNS], programs)

    def csv(self, headers, table, filename):
        out = io.StringIO()
        # A byte-order mark, or Excel reads UTF-8 as the local code page and garbles the Chinese.
        out.write("\ufeff")
        writer = csv.writer(out)
        writer.writerow(headers)
        writer.writerows([["" if v is None else spreadsheet_safe(v) for v in line] for line in table])
        response = HttpResponse(out.getvalue().encode("utf-8"), content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="{filename}.csv"'
        return response

    def xlsx(self, headers, table, filename, program_headers, programs):
        # The first sheet is the table on the page; the second, the programs of the year.
        return workbook_response(
            filename,
            [(f"{self.year}年报送进度", headers, table), (f"{self.year}年培训项目", program_headers, programs)],
        )


class ProgressPanel(Component):
    """The admin home's panel: a center member's own rows, or a platform administrator's counts."""

    name = "center_progress"
    order = 90
    template_name = "editorial/dashboard/home_panel.html"

    def __init__(self, request):
        self.request = request

    def get_context_data(self, parent_context=None):
        user = self.request.user
        today = progress.today()
        rows = progress.center_progress(today.year, today, roles.visible_center_ids(user))
        return {
            "rows": rows,
            "is_platform_admin": roles.is_platform_admin(user),
            "year": today.year,
            "deadline": progress.upload_deadline(today.year),
            "behind_count": sum(r.behind for r in rows),
            "overdue_count": sum(r.overdue for r in rows),
        }
