"""The survey's results in the admin (docs/programs-survey.md).

- 评估结果 (`programs_survey_index`): a center's programs with their response rates and averages;
  per program (`programs_survey_program`) the distributions, each session's averages, the free text
  and an Excel export; per lecturer across the center's programs (`programs_survey_lecturers`).
  Center-scoped like the rest of the admin: a program belongs to the center whose section holds it;
  another center's program answers 404. Platform administrators see every center's numbers.
- The free text is the center's only: shown (and exported) to the program's own center's editors and
  reviewers, and to superusers (break-glass, as everywhere); never to another center, nor to the
  platform administrators' group, nor in the lecturers' evaluation.
- 师资教学评价 (`programs_survey_experts`, `programs_survey_expert`): per lecturer across every program
  and center, with the trend by year, for platform administrators only (docs/permissions.md)."""

from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.urls import path, reverse
from django.views.generic import TemplateView, View

from wagtail import hooks
from wagtail.admin.menu import MenuItem
from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin

from editorial import roles
from editorial.menu import CenterMenuItem
from hub.ids import parse_id
from hub.spreadsheets import workbook_response
from learning.analytics import center_of_path, visible_sections
from resources.models import Expert

from . import survey, survey_results
from .models import ProgramPage

PAGE_SIZE = 50
ANONYMOUS_NOTE = "问卷匿名：只显示汇总结果和不署名的意见和建议。"


def may_read_comments(user, center_id):
    """The free text of a program of `center_id`: its own center's people (and superusers)."""
    return user.is_superuser or (center_id is not None and center_id in roles.center_ids_for(user))


class SurveyAdminMixin(WagtailAdminTemplateMixin):
    header_icon = "tasks"

    def check_access(self, request):
        if not roles.works_for_centers(request.user):
            raise PermissionDenied

    def dispatch(self, request, *args, **kwargs):
        self.check_access(request)
        return super().dispatch(request, *args, **kwargs)

    def sections(self, center_id=None):
        """The user's visible sections, narrowed to `center_id` when it is one of them."""
        all_sections = visible_sections(self.request.user)
        if center_id is not None and center_id in all_sections:
            return all_sections, {center_id: all_sections[center_id]}, center_id
        return all_sections, all_sections, None


class ProgramListView(SurveyAdminMixin, TemplateView):
    template_name = "programs/admin/survey/index.html"
    page_title = "评估结果"

    def get_breadcrumbs_items(self):
        return self.breadcrumbs_items + [{"url": "", "label": self.page_title}]

    def get_context_data(self, **kwargs):
        all_sections, sections, center_id = self.sections(parse_id(self.request.GET.get("center")))
        page = Paginator(survey_results.program_rows(sections), PAGE_SIZE).get_page(self.request.GET.get("p"))
        find_center = center_of_path(all_sections)
        rows = []
        for program in page.object_list:
            program.center_name = all_sections[find_center(program.path)][2]
            program.window = survey.window(program, last_session_end=program.last_session)
            program.rate = survey_results.rate(program.responses, program.participants)
            program.avg_overall = survey_results.average(program.avg_overall)
            program.avg_organisation = survey_results.average(program.avg_organisation)
            rows.append(program)
        return super().get_context_data(
            rows=rows,
            page=page,
            centers=sorted((pk, name) for pk, (_path, _depth, name) in all_sections.items()),
            center_id=center_id,
            show_center=len(all_sections) > 1,
            is_platform_admin=roles.is_platform_admin(self.request.user),
            note=ANONYMOUS_NOTE,
            **kwargs,
        )


class ProgramMixin(SurveyAdminMixin):
    def dispatch(self, request, *args, program_id, **kwargs):
        self.check_access(request)  # refused before anything is looked up
        self.program = get_object_or_404(ProgramPage, pk=program_id)
        return super().dispatch(request, *args, **kwargs)

    def scope(self):
        """(center id, center name) of the program; 404 for a program the user may not see."""
        sections = visible_sections(self.request.user)
        center_id = center_of_path(sections)(self.program.path)
        if center_id is None:
            raise Http404  # another center's program, or one outside every center: as if unknown
        return center_id, sections[center_id][2]


class ProgramResultsView(ProgramMixin, TemplateView):
    template_name = "programs/admin/survey/program.html"

    def get_page_title(self):
        return f"{self.program.get_admin_display_title()} · 评估结果"

    def get_breadcrumbs_items(self):
        return self.breadcrumbs_items + [
            {"url": reverse("programs_survey_index"), "label": "评估结果"},
            {"url": "", "label": self.program.get_admin_display_title()},
        ]

    def get_context_data(self, **kwargs):
        center_id, center_name = self.scope()
        summary = survey_results.program_summary(self.program)
        sessions = survey_results.session_rows(self.program)
        readable = may_read_comments(self.request.user, center_id)
        comments = None
        if readable:
            comments = Paginator(survey_results.comments(self.program), PAGE_SIZE).get_page(self.request.GET.get("p"))
        return super().get_context_data(
            program=self.program,
            center_name=center_name,
            window=survey.window(self.program),
            summary=summary,
            sessions=sessions,
            distribution_svg=survey_results.distribution_chart(summary) if summary["responses"] else None,
            sessions_svg=survey_results.sessions_chart(sessions) if summary["responses"] and sessions else None,
            comments=comments,
            may_read_comments=readable,
            note=ANONYMOUS_NOTE,
            **kwargs,
        )


class ProgramExportView(ProgramMixin, View):
    def get(self, request):
        center_id, _name = self.scope()
        summary = survey_results.program_summary(self.program)
        sessions = survey_results.session_rows(self.program)
        # Bounded by the program's participants (one response each).
        comment_rows = (
            list(survey_results.comments(self.program)) if may_read_comments(request.user, center_id) else None
        )
        sheets = survey_results.program_sheets(self.program, summary, sessions, comment_rows)
        return workbook_response(f"program-{self.program.pk}-survey", sheets)


class LecturersMixin(SurveyAdminMixin):
    """Per lecturer: within the user's centers (`platform` False), or across every program and center
    for platform administrators (`platform` True)."""

    platform = False

    def check_access(self, request):
        super().check_access(request)
        if self.platform and not roles.is_platform_admin(request.user):
            raise PermissionDenied

    def scoped(self):
        if self.platform:
            return {}, None, None
        all_sections, sections, center_id = self.sections(parse_id(self.request.GET.get("center")))
        return all_sections, sections, center_id


class LecturersView(LecturersMixin, TemplateView):
    template_name = "programs/admin/survey/lecturers.html"
    page_title = "主讲人评价"

    def get_breadcrumbs_items(self):
        items = [] if self.platform else [{"url": reverse("programs_survey_index"), "label": "评估结果"}]
        return self.breadcrumbs_items + items + [{"url": "", "label": self.page_title}]

    def get_context_data(self, **kwargs):
        all_sections, sections, center_id = self.scoped()
        page = Paginator(survey_results.lecturer_rows(sections), PAGE_SIZE).get_page(self.request.GET.get("p"))
        rows = survey_results.finish_lecturer_rows(list(page.object_list))
        years = survey_results.lecturer_years([row["lecturer_id"] for row in rows], sections)
        year_columns = survey_results.recent_years(years)
        for row in rows:
            by_year = years.get(row["lecturer_id"], {})
            row["years"] = [by_year.get(year) for year in year_columns]
        export = reverse("programs_survey_experts_export" if self.platform else "programs_survey_lecturers_export")
        return super().get_context_data(
            rows=rows,
            page=page,
            year_columns=year_columns,
            platform=self.platform,
            centers=sorted((pk, name) for pk, (_path, _depth, name) in all_sections.items()),
            center_id=center_id,
            show_center=len(all_sections) > 1,
            export_url=export + (f"?center={center_id}" if center_id else ""),
            **kwargs,
        )


class ExpertsView(LecturersView):
    platform = True
    page_title = "师资教学评价"


class LecturersExportView(LecturersMixin, View):
    def get(self, request):
        _all, sections, center_id = self.scoped()
        # Bounded by the expert pool; no free text in any of these sheets.
        rows = survey_results.finish_lecturer_rows(list(survey_results.lecturer_rows(sections)))
        years = survey_results.lecturer_years(None, sections)
        sheets = survey_results.lecturer_sheets(rows, years, survey_results.recent_years(years))
        name = "experts-teaching-evaluation" if self.platform else "lecturers-survey"
        return workbook_response(name + (f"-center-{center_id}" if center_id else ""), sheets)


class ExpertsExportView(LecturersExportView):
    platform = True


class ExpertView(LecturersMixin, TemplateView):
    """One lecturer's evaluation across every program and center, by year (platform administrators)."""

    template_name = "programs/admin/survey/expert.html"
    platform = True

    def dispatch(self, request, *args, expert_id, **kwargs):
        self.check_access(request)
        self.expert = get_object_or_404(Expert, pk=expert_id)
        return super().dispatch(request, *args, **kwargs)

    def get_page_title(self):
        return f"{self.expert.name} · 师资教学评价"

    def get_breadcrumbs_items(self):
        return self.breadcrumbs_items + [
            {"url": reverse("programs_survey_experts"), "label": "师资教学评价"},
            {"url": "", "label": self.expert.name},
        ]

    def get_context_data(self, **kwargs):
        by_year = survey_results.lecturer_years([self.expert.pk]).get(self.expert.pk, {})
        return super().get_context_data(
            expert=self.expert,
            years=sorted(by_year.items()),
            trend_svg=survey_results.trend_chart(by_year) if by_year else None,
            programs=survey_results.expert_program_rows(self.expert),
            **kwargs,
        )


@hooks.register("register_admin_urls")
def register_survey_admin_urls():
    return [
        path("survey/", ProgramListView.as_view(), name="programs_survey_index"),
        path("survey/<id:program_id>/", ProgramResultsView.as_view(), name="programs_survey_program"),
        path("survey/<id:program_id>/export/", ProgramExportView.as_view(), name="programs_survey_program_export"),
        path("survey/lecturers/", LecturersView.as_view(), name="programs_survey_lecturers"),
        path("survey/lecturers/export/", LecturersExportView.as_view(), name="programs_survey_lecturers_export"),
        path("survey/experts/", ExpertsView.as_view(), name="programs_survey_experts"),
        path("survey/experts/export/", ExpertsExportView.as_view(), name="programs_survey_experts_export"),
        path("survey/experts/<id:expert_id>/", ExpertView.as_view(), name="programs_survey_expert"),
    ]


class PlatformMenuItem(MenuItem):
    def is_shown(self, request):
        return roles.is_platform_admin(request.user)


# Both in the 培训项目 menu (admin_enrolment), after 学员管理 and 签到与结业.
@hooks.register("register_programs_menu_item")
def register_survey_menu_item():
    return CenterMenuItem("评估结果", reverse("programs_survey_index"), icon_name="tasks", order=300)


@hooks.register("register_programs_menu_item")
def register_experts_menu_item():
    return PlatformMenuItem("师资教学评价", reverse("programs_survey_experts"), icon_name="user", order=400)
