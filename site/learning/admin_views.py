"""学习数据 in the admin: the micro-courses of the user's own centers with how counselors watched
them, and per course where viewers stop. Counts only, never a person (docs/learning-analytics.md).

Who: a center's editors and reviewers see their own centers' courses; platform administrators see
every center and may filter by one. Anyone else with admin access is refused as on the 报送进度
dashboard; people without admin access never reach the admin's views."""

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.views.generic import TemplateView

from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin

from editorial import roles
from microcourses.models import MicroCoursePage
from resources.formatting import format_duration

from . import admin_charts, analytics

PAGE_SIZE = 50
PRIVACY_NOTE = "仅显示汇总数据，不显示个人学习记录。"
COLUMNS = [
    # (sort key, heading, numeric)
    ("title", "课程", False),
    ("viewers", "学习人数", True),
    ("completions", "完成人数", True),
    ("progress", "平均观看比例", True),
    ("hours", "计入学时", True),
    ("last_viewed", "最近观看", True),
]


class LearningAdminMixin(WagtailAdminTemplateMixin):
    header_icon = "view"

    def dispatch(self, request, *args, **kwargs):
        if not roles.works_for_centers(request.user):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)


def _center_param(value):
    try:
        return int(value) if value else None
    except ValueError:
        return None


class CourseListView(LearningAdminMixin, TemplateView):
    template_name = "learning/admin/index.html"
    page_title = "学习数据"

    def get_breadcrumbs_items(self):
        return self.breadcrumbs_items + [{"url": "", "label": self.page_title}]

    def get_context_data(self, **kwargs):
        user = self.request.user
        center_id = _center_param(self.request.GET.get("center"))
        all_sections = analytics.visible_sections(user)
        sections = {k: v for k, v in all_sections.items() if center_id is None or k == center_id}
        if center_id is not None and not sections:
            center_id = None  # an unknown or foreign center: the user's own list, as without it
            sections = all_sections
        sort = self.request.GET.get("sort") or analytics.DEFAULT_SORT
        if sort.removeprefix("-") not in analytics.SORTS:
            sort = analytics.DEFAULT_SORT
        page = Paginator(analytics.course_rows(sections, sort), PAGE_SIZE).get_page(self.request.GET.get("p"))
        find_center = analytics.center_of_path(all_sections)
        rows = []
        for row in page.object_list:
            analytics.with_percent(row)
            row["center"] = all_sections[find_center(row["path"])][2]
            rows.append(row)
        return super().get_context_data(
            rows=rows,
            page=page,
            elided_page_range=page.paginator.get_elided_page_range(page.number),
            columns=self.columns(sort, center_id),
            centers=sorted((pk, name) for pk, (_path, _depth, name) in all_sections.items()),
            center_id=center_id,
            sort=sort,
            show_center=len(all_sections) > 1,
            privacy_note=PRIVACY_NOTE,
            **kwargs,
        )

    def columns(self, sort, center_id):
        """Headings that sort by their column: ascending on the first click (descending for the
        numbers, where the largest is what one looks for), the other way on the next."""
        base = reverse("learning_admin_index")
        extra = f"&center={center_id}" if center_id is not None else ""
        columns = []
        for key, heading, numeric in COLUMNS:
            current = sort.removeprefix("-") == key
            descending = sort.startswith("-")
            first = f"-{key}" if numeric else key
            next_sort = (key if descending else f"-{key}") if current else first
            columns.append(
                {
                    "key": key,
                    "heading": heading,
                    "numeric": numeric,
                    "url": f"{base}?sort={next_sort}{extra}",
                    "aria_sort": ("descending" if descending else "ascending") if current else None,
                }
            )
        return columns


class CourseDetailView(LearningAdminMixin, TemplateView):
    template_name = "learning/admin/course.html"

    def dispatch(self, request, *args, course_id, **kwargs):
        self.course = get_object_or_404(MicroCoursePage.objects.select_related("video"), pk=course_id)
        return super().dispatch(request, *args, **kwargs)

    def get_page_title(self):
        return f"{self.course.get_admin_display_title()} · 学习数据"

    def get_breadcrumbs_items(self):
        return self.breadcrumbs_items + [
            {"url": reverse("learning_admin_index"), "label": "学习数据"},
            {"url": "", "label": self.course.get_admin_display_title()},
        ]

    def get_context_data(self, **kwargs):
        sections = analytics.visible_sections(self.request.user)
        center_id = analytics.center_of_path(sections)(self.course.path)
        if center_id is None:
            # Another center's course (or one outside every center): as if it did not exist.
            raise Http404
        numbers = analytics.course_numbers(self.course)
        video = self.course.video
        duration = (video.duration if video else None) or self.course.duration_seconds or numbers["longest"]
        shown = numbers["viewers"] and not numbers["too_few"]
        histogram = analytics.histogram(self.course, duration) if shown else None
        retention_svg = exits_svg = None
        if histogram is not None:
            retention_svg, exits_svg = admin_charts.histogram_charts(histogram)
        return super().get_context_data(
            course=self.course,
            center_name=sections[center_id][2],
            numbers=numbers,
            duration=format_duration(duration) or "—",
            histogram=histogram,
            buckets=histogram.buckets if histogram else [],
            retention_svg=retention_svg,
            exits_svg=exits_svg,
            privacy_note=PRIVACY_NOTE,
            min_viewers=settings.LEARNING_ANALYTICS_MIN_VIEWERS,
            **kwargs,
        )
