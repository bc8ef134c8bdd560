"""Wagtail's page-types report names, for each page type, the most recently edited page of the whole site
under its draft title, and counts every center's drafts: another center's unpublished work. It is for
platform administrators only (the other reports are scoped in editorial.scoping)."""

from functools import wraps

from wagtail.admin.auth import permission_denied
from wagtail.admin.views.reports.page_types_usage import PageTypesUsageReportView

from . import roles


def platform_admins_only(view):
    @wraps(view)
    def wrapped(request, *args, **kwargs):
        if not roles.is_platform_admin(request.user):
            return permission_denied(request)
        return view(request, *args, **kwargs)

    return wrapped


page_types_usage = platform_admins_only(PageTypesUsageReportView.as_view())
page_types_usage_results = platform_admins_only(PageTypesUsageReportView.as_view(results_only=True))
