"""Brute-force protection: django-axes counts failed logins, and page passwords go through it too.

Failures are counted three ways (settings.AXES_LOCKOUT_PARAMETERS), each against its own limit:
per account, per address, and per account *and* address. Axes has one limit for all of them; the
handler below scales each count so that reaching its own limit is reaching axes' limit.

A page password (Wagtail's "private, accessible with a password") has no account: its failures are
recorded under the pseudo-account `page-password:<restriction id>` (a colon cannot occur in a
username), so the same records, logs, lockout page and `manage.py axes_reset*` commands serve both.
A private collection's password (its documents) is counted the same way, as
`collection-password:<restriction id>`.
"""

import logging

from axes.handlers.database import AxesDatabaseHandler
from axes.handlers.proxy import AxesProxyHandler
from axes.helpers import get_client_ip_address, get_client_username, get_lockout_parameters, get_lockout_response
from axes.models import AccessLog

from django.conf import settings
from django.contrib.auth.signals import user_login_failed
from django.db.models import Sum

from wagtail import views as wagtail_views
from wagtail.documents.views import serve as wagtaildocs_serve

logger = logging.getLogger(__name__)

PAGE_PASSWORD_PREFIX = "page-password:"
COLLECTION_PASSWORD_PREFIX = "collection-password:"
SHARED_PASSWORD_PREFIXES = (PAGE_PASSWORD_PREFIX, COLLECTION_PASSWORD_PREFIX)


def shared_password(username):
    """Whether a pseudo-account is a password shared by readers (a page's or a collection's)."""
    return (username or "").startswith(SHARED_PASSWORD_PREFIXES)


def client_username(request, credentials=None):
    """The account a login names (settings.AXES_USERNAME_CALLABLE): Django's and Wagtail's forms send
    `username`; django-allauth's sends `login` (an e-mail address or a mobile number), and passes `email`
    or `phone` to authenticate(): those count against the account they name (accounts.lockout)."""
    from accounts.lockout import account_name

    for source in (credentials or {}, request.POST if request is not None else {}):
        if source.get("username"):
            return str(source["username"])[:255]
        for key in ("email", "phone", "login"):
            if source.get(key):
                return account_name(str(source[key]))[:255]
    return None


def failure_limit(parameter, username):
    """How many failures within the cool-off lock out for one of AXES_LOCKOUT_PARAMETERS."""
    if parameter == "ip_address":
        return settings.LOGIN_ADDRESS_FAILURE_LIMIT
    if shared_password(username):
        # A page password is shared by a class of readers: the restriction as a whole gets a higher
        # limit than one address guessing it.
        if parameter == "username":
            return settings.PAGE_PASSWORD_RESTRICTION_FAILURE_LIMIT
        return settings.PAGE_PASSWORD_FAILURE_LIMIT
    return settings.AXES_FAILURE_LIMIT


def known_address(request, username):
    """Whether this account has logged in from this address before (axes' access log). The account-wide
    count does not lock it there: otherwise anyone who knows a user name (admin, bnu-editor) could keep
    its owner out with five wrong passwords every half hour. Guessing from that address is still
    counted per address and per account and address."""
    address = getattr(request, "axes_ip_address", None) or get_client_ip_address(request)
    return bool(username and address) and AccessLog.objects.filter(username=username, ip_address=address).exists()


class LoginLockout(AxesDatabaseHandler):
    def get_failures(self, request, credentials=None):
        username = get_client_username(request, credentials)
        scale = settings.AXES_FAILURE_LIMIT
        parameters = get_lockout_parameters(request, credentials)
        worst = 0
        for parameter, attempts in zip(parameters, self.get_user_attempts(request, credentials), strict=True):
            key = parameter if isinstance(parameter, str) else tuple(parameter)
            if key == "username" and not shared_password(username) and known_address(request, username):
                continue
            failures = attempts.aggregate(n=Sum("failures_since_start"))["n"] or 0
            # failures >= own limit  <=>  failures * scale // own >= scale
            worst = max(worst, failures * scale // failure_limit(key, username))
        return worst


def authenticate_with_password(request, page_view_restriction_id, page_id):
    """Wagtail's view for a page password form, counted like a login."""
    if request.method != "POST":
        return wagtail_views.authenticate_with_password(request, page_view_restriction_id, page_id)
    return _counted(
        request,
        f"{PAGE_PASSWORD_PREFIX}{page_view_restriction_id}",
        lambda: wagtail_views.authenticate_with_password(request, page_view_restriction_id, page_id),
    )


def authenticate_document_password(request, restriction_id):
    """Wagtail's view for a private collection's password form (its documents), counted the same way."""
    if request.method != "POST":
        return wagtaildocs_serve.authenticate_with_password(request, restriction_id)
    return _counted(
        request,
        f"{COLLECTION_PASSWORD_PREFIX}{restriction_id}",
        lambda: wagtaildocs_serve.authenticate_with_password(request, restriction_id),
    )


def _counted(request, pseudo_account, view):
    credentials = {settings.AXES_USERNAME_FORM_FIELD: pseudo_account}
    if settings.AXES_ENABLED and not AxesProxyHandler.is_allowed(request, credentials):
        logger.warning("%s refused to %s: locked out", pseudo_account, request.axes_ip_address)
        return get_lockout_response(request, None, credentials)
    response = view()
    if response.status_code == 200:
        # The form again: the password was wrong (a right one redirects). Axes records and logs it,
        # and its middleware answers with the lockout page when this failure reaches a limit.
        user_login_failed.send(sender=__name__, credentials=credentials, request=request)
    return response
