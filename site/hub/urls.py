from django.conf import settings
from django.urls import include, path, re_path

from wagtail import urls as wagtail_urls
from wagtail.admin import urls as wagtailadmin_urls
from wagtail.documents import urls as wagtaildocs_urls

from access import views as access_views
from editorial import reports as editorial_reports

from . import ids, security  # noqa: F401 (ids registers <id:…>)
from .api import api_router

media_prefix = settings.MEDIA_URL.strip("/")

urlpatterns = [
    # Before the admin's own: Wagtail's page-types report shows every center's drafts (editorial.reports).
    path("admin/reports/page-types-usage/", editorial_reports.page_types_usage),
    path("admin/reports/page-types-usage/results/", editorial_reports.page_types_usage_results),
    path("admin/", include(wagtailadmin_urls)),
    # Wagtail's document address, served by the file gate (the name lets Document.url find it).
    path("documents/<id:document_id>/<str:document_filename>", access_views.serve_document, name="wagtaildocs_serve"),
    ids.nothing_else(r"^documents/\d+/"),
    # A private collection's password form, counted against brute force like a page's (hub.security).
    path(
        "documents/authenticate_with_password/<id:restriction_id>/",
        security.authenticate_document_password,
        name="wagtaildocs_authenticate_with_password",
    ),
    ids.nothing_else(r"^documents/authenticate_with_password/"),
    path("documents/", include(wagtaildocs_urls)),
    # The open API (docs/api.md): resources with facets, centers and experts (openapi), then Wagtail's pages.
    path("api/v2/", include("openapi.urls")),
    path("api/v2/", api_router.urls),
    # Every uploaded file goes through the file gate (access.views); in production nginx answers the
    # signed URLs itself and sends the bytes the gate allows.
    re_path(rf"^{media_prefix}/(?P<prefix>[ps])/(?P<path>.+)$", access_views.serve_signed, name="media_signed"),
    re_path(rf"^{media_prefix}/(?P<path>.+)$", access_views.serve_media, name="media"),
    path("", include("search.urls")),
    path("", include("learning.urls")),
    path("", include("feedback.urls")),
    path("", include("coursepackages.urls")),
    path("", include("discovery.urls")),
    path("", include("directory.urls")),
    path("programs/", include("programs.urls")),
    # Counselor accounts: the profile, data copy and deletion (accounts), then allauth's sign-up and sign-in.
    path("accounts/", include("accounts.urls")),
    path("accounts/", include("allauth.urls")),
    # Wagtail's page password form, counted against brute force (hub.security); before Wagtail's URLs.
    path(
        "_util/authenticate_with_password/<id:page_view_restriction_id>/<id:page_id>/",
        security.authenticate_with_password,
    ),
    ids.nothing_else(r"^_util/authenticate_with_password/"),
]

if settings.DEBUG:
    from django.contrib.staticfiles.urls import staticfiles_urlpatterns

    urlpatterns += staticfiles_urlpatterns()

# Wagtail's page serving comes last: it matches every remaining path.
urlpatterns += [path("", include(wagtail_urls))]
