from django.db.models import Q
from django.urls import path, reverse

from wagtail import hooks

from . import dashboard, roles
from .menu import CenterMenuItem

# -- scoping: nobody sees another center's drafts in the admin -----------------------------------


def visible_pages(pages, user):
    """Live pages (the shared library, for linking) and every page of the user's own centers.
    Wagtail's page chooser and search list the whole tree, drafts included, to anyone who may
    use the admin; this narrows them."""
    if roles.is_platform_admin(user):
        return pages
    own = roles.pages_of_centers(roles.center_ids_for(user)).values("pk")
    return pages.filter(Q(live=True) | Q(pk__in=own))


@hooks.register("construct_page_chooser_queryset")
def scope_page_chooser(pages, request):
    return visible_pages(pages, request.user)


@hooks.register("construct_explorer_page_queryset")
def scope_explorer(parent_page, pages, request):
    return visible_pages(pages, request.user)


# -- the annual work plan --------------------------------------------------------------------


@hooks.register("register_admin_urls")
def register_plan_urls():
    from . import views

    return [
        path("workplans/", views.plan_index, name="editorial_plan_index"),
        path("workplans/changes/<int:change_id>/", views.plan_change, name="editorial_plan_change"),
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
        path("progress/<int:center_id>/", dashboard.CenterProgressView.as_view(), name="editorial_progress_center"),
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
