"""The worker's recount of every course's numbers (settings.WORKER_SWEEPS), at most once per
POPULARITY_REFRESH_MINUTES whatever the number of workers."""

from datetime import timedelta

from django.conf import settings
from django.utils import timezone

from . import aggregates
from .models import RefreshRun


def claim_run(now=None):
    """True if this process is the one to recount now (a conditional update: one winner among workers)."""
    now = now or timezone.now()
    due = now - timedelta(minutes=settings.POPULARITY_REFRESH_MINUTES)
    if RefreshRun.objects.filter(pk=1, started_at__lte=due).update(started_at=now):
        return True
    _, created = RefreshRun.objects.get_or_create(pk=1, defaults={"started_at": now})
    return created


def refresh_stats():
    """Count courses' viewers, completions and ratings again from their rows, fixing any drift."""
    if not claim_run():
        return ""
    corrected = aggregates.refresh()
    return f"popularity: {corrected} courses' numbers corrected" if corrected else ""
