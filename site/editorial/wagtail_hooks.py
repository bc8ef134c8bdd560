from django.urls import path, reverse

from wagtail import hooks
from wagtail.admin import messages

import hub.ids  # noqa: F401 (registers <id:…>)

from . import dashboard, roles, scoping, usage
from .menu import CenterMenuItem

# -- scoping: nobody sees another center's drafts, private pages or files in the admin -------------
# (editorial.scoping has the rule; these hooks apply it wherever Wagtail lists or names objects.)


@hooks.register("construct_page_chooser_queryset")
def scope_page_chooser(pages, request):
    scoping.check_chooser_parent(request)
    return scoping.visible_pages(pages, request.user)


@hooks.register("construct_explorer_page_queryset")
def scope_explorer(parent_page, pages, request):
    if not roles.is_platform_admin(request.user):
        scoping.check_explorer_parent(parent_page, request.user)
    return scoping.visible_pages(pages, request.user)


# Wagtail's registry keeps the last class registered for an action type: ours come after its own.
for action_class in scoping.scoped_bulk_actions():
    hooks.register("register_bulk_action", action_class, order=100)


@hooks.register("construct_admin_api", order=100)
def scope_admin_api(router):
    # Same names, so the admin's own JavaScript (and anyone else) gets the scoped endpoints.
    router.register_endpoint("images", scoping.ScopedImagesAdminAPIViewSet)
    router.register_endpoint("documents", scoping.ScopedDocumentsAdminAPIViewSet)


# order=-1: before wagtailmedia's, Wagtail images' and documents' own URLs, so that ours serve them.
@hooks.register("register_admin_urls", order=-1)
def register_usage_urls():
    return [
        path("media/usage/<id:media_id>/", usage.VideoUsageView.as_view(), name="video_usage"),
        path("images/usage/<id:image_id>/", usage.ScopedImageUsageView.as_view(), name="image_usage_scoped"),
        path(
            "documents/usage/<id:document_id>/",
            usage.ScopedDocumentUsageView.as_view(),
            name="document_usage_scoped",
        ),
        hub.ids.nothing_else(r"^(media|images|documents)/usage/"),
    ]


# -- review: say why the approve action is missing ---------------------------------------------


@hooks.register("before_edit_page")
def explain_missing_approval(request, page):
    from .models import AUTHOR_CANNOT_APPROVE, CenterReviewTask

    if request.method != "GET":
        return
    task = page.current_workflow_task
    user = request.user
    if isinstance(task, CenterReviewTask) and task.can_review(page, user) and not task.may_approve(page, user):
        messages.warning(request, AUTHOR_CANNOT_APPROVE)


# -- the annual work plan --------------------------------------------------------------------


@hooks.register("register_admin_urls")
def register_plan_urls():
    from . import views

    return [
        path("workplans/", views.plan_index, name="editorial_plan_index"),
        path("workplans/changes/<id:change_id>/", views.plan_change, name="editorial_plan_change"),
        path("workplans/<slug:code>/<int:year>/", views.plan_edit, name="editorial_plan_edit"),
    ]


@hooks.register("register_admin_menu_item")
def register_plan_menu_item():
    return CenterMenuItem("年度工作计划", reverse("editorial_plan_index"), icon_name="list-ol", order=210)


@hooks.register("register_log_actions")
def register_plan_log_actions(actions):
    actions.register_action("editorial.plan.edit", "修改工作计划", "修改了年度工作计划")
    actions.register_action("editorial.plan.submit", "提交工作计划", "提交了年度工作计划")
    actions.register_action("editorial.plan.change_requested", "申请变更工作计划", "提交了工作计划变更申请")
    actions.register_action("editorial.plan.change_approved", "批准工作计划变更", "批准了工作计划变更申请")
    actions.register_action("editorial.plan.change_rejected", "退回工作计划变更", "退回了工作计划变更申请")


# -- submission dashboard (报送进度): progress, drill-down, exports, home panel ----------------


@hooks.register("register_admin_urls")
def register_progress_urls():
    return [
        path("progress/", dashboard.ProgressView.as_view(), name="editorial_progress"),
        path("progress/<id:center_id>/", dashboard.CenterProgressView.as_view(), name="editorial_progress_center"),
        path("progress/export.csv", dashboard.ExportView.as_view(), {"fmt": "csv"}, name="editorial_progress_csv"),
        path("progress/export.xlsx", dashboard.ExportView.as_view(), {"fmt": "xlsx"}, name="editorial_progress_xlsx"),
    ]


@hooks.register("register_admin_menu_item")
def register_progress_menu_item():
    return CenterMenuItem("报送进度", reverse("editorial_progress"), icon_name="table", order=150)


@hooks.register("construct_homepage_panels")
def add_progress_panel(request, panels):
    if roles.works_for_centers(request.user):
        panels.append(dashboard.ProgressPanel(request))


@hooks.register("construct_reports_menu")
def hide_platform_reports(request, menu_items):
    # The page-types report is for platform administrators only (editorial.reports).
    if not roles.is_platform_admin(request.user):
        menu_items[:] = [item for item in menu_items if item.name != "page-types-usage"]


# -- the center's year: the year-end summary (年底工作总结) -----------------------------------------


@hooks.register("register_admin_urls")
def register_year_summary_urls():
    from . import yearsummary

    return [
        path("year-summary/", yearsummary.SummaryIndexView.as_view(), name="editorial_year_summary_index"),
        path("year-summary/<slug:code>/<int:year>/", yearsummary.SummaryView.as_view(), name="editorial_year_summary"),
        path(
            "year-summary/<slug:code>/<int:year>/print/",
            yearsummary.SummaryPrintView.as_view(),
            name="editorial_year_summary_print",
        ),
    ]


@hooks.register("register_admin_menu_item")
def register_year_summary_menu_item():
    return CenterMenuItem("年底工作总结", reverse("editorial_year_summary_index"), icon_name="doc-full", order=220)


@hooks.register("register_log_actions")
def register_year_summary_log_actions(actions):
    actions.register_action("editorial.summary.edit", "保存年底工作总结", "保存了年底工作总结草稿")
    actions.register_action("editorial.summary.submit", "提交年底工作总结", "提交了年底工作总结")
    actions.register_action("editorial.summary.reopen", "重新打开年底工作总结", "重新打开了已提交的年底工作总结")
