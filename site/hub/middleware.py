"""Site-wide request limits and security headers.

- `RequestLimitsMiddleware` answers 414 to a path or query string longer than the settings allow,
  before any view parses it (nginx's `large_client_header_buffers` mirrors it in front).
- `ContentSecurityPolicyMiddleware` is django-csp's middleware with a second, looser policy for the
  Wagtail admin, whose pages use inline scripts and styles.
- `PermissionsPolicyMiddleware` adds the Permissions-Policy header (Django has no setting for it).
"""

import logging

from csp.middleware import CSPMiddleware

from django.conf import settings
from django.http import HttpResponse

from .clientip import client_ip

logger = logging.getLogger(__name__)


class RequestLimitsMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        # In bytes: the query string as sent (percent-encoded), the path as the server decoded it.
        path_bytes = len(request.META.get("PATH_INFO", "").encode("utf-8", "surrogateescape"))
        query_bytes = len(request.META.get("QUERY_STRING", "").encode("utf-8", "surrogateescape"))
        if path_bytes > settings.MAX_PATH_BYTES or query_bytes > settings.MAX_QUERY_STRING_BYTES:
            logger.warning(
                "414 for %s: path %s bytes, query string %s bytes", client_ip(request), path_bytes, query_bytes
            )
            return HttpResponse(
                "请求的网址过长，请减少筛选条件后重试。", status=414, content_type="text/plain; charset=utf-8"
            )
        return self.get_response(request)


def _is_admin(request):
    return request.path_info.startswith(settings.ADMIN_URL_PREFIX)


def _uses_admin(request):
    """The admin, and public pages seen by its users: Wagtail's userbar (编辑此页…) on every page they
    view, and page previews, set inline styles. Visitors (counselors included) get the strict policy."""
    if _is_admin(request):
        return True
    user = getattr(request, "user", None)
    return bool(user and user.is_authenticated and user.has_perm("wagtailadmin.access_admin"))


class ContentSecurityPolicyMiddleware(CSPMiddleware):
    """The public pages get CONTENT_SECURITY_POLICY (strict); the admin, and the admin's users on public
    pages, get ADMIN_CONTENT_SECURITY_POLICY."""

    def process_response(self, request, response):
        # A view that set its own, prebuilt policy (learning.views, the players' reports) costs nothing here.
        if getattr(response, "_csp_fixed", False):
            return response
        return super().process_response(request, response)

    def get_policy_parts(self, request, response, report_only=False):
        parts = super().get_policy_parts(request, response, report_only=report_only)
        if not report_only and parts.config is None and _uses_admin(request):
            parts.config = settings.ADMIN_CONTENT_SECURITY_POLICY["DIRECTIVES"]
        return parts


class PermissionsPolicyMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response
        self.header = ", ".join(f"{feature}={allow}" for feature, allow in settings.PERMISSIONS_POLICY.items())

    def __call__(self, request):
        response = self.get_response(request)
        if self.header:
            response.headers.setdefault("Permissions-Policy", self.header)
        return response
