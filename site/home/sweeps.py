"""Site-wide work for `run_worker`'s sweep (settings.WORKER_SWEEPS): nothing else runs it, so a worker
is all a site needs (no cron)."""

import io
import time

from django.core.management import call_command
from django.db.models import Q
from django.utils import timezone

from wagtail.models import Page, Revision

SESSION_SWEEP_SECONDS = 3600
_last_session_sweep = 0.0


def publish_scheduled():
    """Pages approved with a later go-live time go live at that time, and pages past their expiry time are
    unpublished (their files stop being served with them). Wagtail's `publish_scheduled`, when due."""
    now = timezone.now()
    due = Revision.page_revisions.filter(approved_go_live_at__lte=now).exists()
    expired = Page.objects.filter(Q(live=True) & Q(expire_at__lt=now)).exists()
    if not (due or expired):
        return ""
    output = io.StringIO()
    call_command("publish_scheduled", stdout=output)
    return output.getvalue().strip() or "scheduled publishing done"


def clear_sessions():
    """Expired sessions are deleted (the database keeps every one otherwise), at most once an hour."""
    global _last_session_sweep
    if time.monotonic() - _last_session_sweep < SESSION_SWEEP_SECONDS and _last_session_sweep:
        return ""
    _last_session_sweep = time.monotonic()
    call_command("clearsessions")
    return ""
