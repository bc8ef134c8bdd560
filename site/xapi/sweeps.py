"""The worker's sweep (settings.WORKER_SWEEPS): the safety net of the sending task, and the retention."""

from datetime import timedelta

from django.conf import settings
from django.utils import timezone

from .models import Statement
from .sender import send_due


def expire_statements(now=None):
    """Statements older than XAPI_KEEP_DAYS go, sent or not (the counselor's export shows them until then)."""
    cutoff = (now or timezone.now()) - timedelta(days=settings.XAPI_KEEP_DAYS)
    deleted, _ = Statement.objects.filter(created_at__lt=cutoff).delete()
    return deleted


def send_statements():
    """Send the outbox's due statements to the Learning Record Store, and delete expired ones."""
    deleted = expire_statements()
    summary = send_due()
    if deleted:
        summary = "; ".join(filter(None, [summary, f"{deleted} old xAPI statements deleted"]))
    return summary
