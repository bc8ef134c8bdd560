"""xAPI statements to a Learning Record Store (docs/xapi.md). Star-imported by base.py."""

import os

from django.core.exceptions import ImproperlyConfigured


def _int(name, default, low, high):
    value = int(os.environ.get(name) or default)
    if not low <= value <= high:
        raise ImproperlyConfigured(f"{name} must be between {low} and {high}, not {value}")
    return value


# The LRS's base URL (its statements resource is LRS_URL + "/xAPI/statements", Ralph's path; give the
# full path of another LRS's endpoint up to /statements excluded). Unset: no statement is recorded or sent.
LRS_URL = os.environ.get("LRS_URL", "").strip().rstrip("/")
# HTTP Basic credentials of the site's account at the LRS.
LRS_USERNAME = os.environ.get("LRS_USERNAME", "")
LRS_PASSWORD = os.environ.get("LRS_PASSWORD", "")
# Statements per request to the LRS.
XAPI_BATCH_SIZE = _int("XAPI_BATCH_SIZE", "100", 1, 1000)
# Sent (and given up) statements stay this many days for the counselor's data export, then the sweep deletes
# them; so do statements still unsent after that long.
XAPI_KEEP_DAYS = _int("XAPI_KEEP_DAYS", "180", 1, 3650)
# A statement the LRS refuses (400) this many times is given up (failed); an unreachable LRS never makes one fail.
XAPI_MAX_ATTEMPTS = _int("XAPI_MAX_ATTEMPTS", "5", 1, 100)
# Seconds before the first retry after a failed send; each further failure doubles it, up to XAPI_RETRY_MAX_SECONDS.
XAPI_RETRY_SECONDS = _int("XAPI_RETRY_SECONDS", "60", 1, 86400)
XAPI_RETRY_MAX_SECONDS = _int("XAPI_RETRY_MAX_SECONDS", "3600", 1, 7 * 86400)
# Seconds the site waits for the LRS's answer.
XAPI_TIMEOUT = _int("XAPI_TIMEOUT", "10", 1, 120)
# At most this many statements of progress reports per counselor a minute (a player reports every 10 s, and on
# pause and seek); beyond it reports still count but make no statement: the next one carries the played
# segments. A session's initialized and a course's completed statement are always recorded (and count toward
# the minute). Keeps the outbox bounded.
XAPI_STATEMENTS_PER_MINUTE = _int("XAPI_STATEMENTS_PER_MINUTE", "30", 1, 600)
# After a report, the sending task is queued at most once in this many seconds (the worker's sweep sends
# what is left every minute anyway).
XAPI_QUEUE_EVERY_SECONDS = _int("XAPI_QUEUE_EVERY_SECONDS", "5", 0, 3600)
