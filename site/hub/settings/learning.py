"""Counselors' learning: watch tracking, learning hours (docs/learning.md). Star-imported by base.py."""

import os

from django.core.exceptions import ImproperlyConfigured


def _float(name, default, low, high):
    value = float(os.environ.get(name) or default)
    if not low <= value <= high:
        raise ImproperlyConfigured(f"{name} must be between {low} and {high}, not {value}")
    return value


# The share of a video's seconds a counselor must have watched for it to count as completed (its
# learning hours are then credited, once).
LEARNING_COMPLETION_THRESHOLD = _float("LEARNING_COMPLETION_THRESHOLD", "0.9", 0.05, 1)
# The fastest playback the player offers; a report credits at most this many video seconds per second
# of wall time since the previous one.
LEARNING_MAX_PLAYBACK_RATE = _float("LEARNING_MAX_PLAYBACK_RATE", "2", 1, 4)
# Seconds between the player's reports while a video plays (it also reports on pause, seek, end, leave).
LEARNING_REPORT_INTERVAL = int(_float("LEARNING_REPORT_INTERVAL", "10", 2, 60))
# The most video seconds one report can credit, whatever time passed: a page left open for an hour
# cannot then claim the hour in one forged report.
LEARNING_REPORT_MAX_SECONDS = int(_float("LEARNING_REPORT_MAX_SECONDS", "120", 10, 3600))
# Viewing sessions one counselor may open in 24 hours (each opened course page that plays is one).
LEARNING_SESSIONS_PER_DAY = int(_float("LEARNING_SESSIONS_PER_DAY", "300", 1, 100000))
# How long viewing sessions are kept (what they credited stays in the course progress).
LEARNING_SESSION_KEEP_DAYS = int(_float("LEARNING_SESSION_KEEP_DAYS", "180", 1, 3650))
# The learning hours a counselor should earn in a year (the record shows progress toward it).
LEARNING_ANNUAL_HOURS = _float("LEARNING_ANNUAL_HOURS", "32", 1, 1000)
