from django.urls import path, reverse

from wagtail import hooks
from wagtail.admin.menu import MenuItem

# -- submission dashboard (报送进度): progress, drill-down, exports, home panel ----------------
from . import dashboard


class ProgressMenuItem(MenuItem):
    def is_shown(self, request):
        return dashboard.can_see_dashboard(request.user)


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
    return ProgressMenuItem("报送进度", reverse("editorial_progress"), icon_name="table", order=150)


@hooks.register("construct_homepage_panels")
def add_progress_panel(request, panels):
    if dashboard.can_see_dashboard(request.user):
        panels.append(dashboard.ProgressPanel(request))


# -- end of the submission dashboard ---------------------------------------------------------
