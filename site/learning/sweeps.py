"""Housekeeping run by `run_worker` (settings.WORKER_SWEEPS)."""

from datetime import timedelta

from django.conf import settings
from django.utils import timezone

from .models import ViewingSession


def expire_sessions():
    """Old viewing sessions go; what they credited stays in the course progress they merged into."""
    cutoff = timezone.now() - timedelta(days=settings.LEARNING_SESSION_KEEP_DAYS)
    deleted, _ = ViewingSession.objects.filter(last_report_at__lt=cutoff).delete()
    return f"{deleted} old viewing sessions deleted" if deleted else ""
