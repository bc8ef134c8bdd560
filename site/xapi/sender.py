"""Sending the outbox to the Learning Record Store (docs/xapi.md#operations).

Due statements go oldest first, XAPI_BATCH_SIZE to a POST of a JSON array. 200/204: sent. An LRS that
cannot be reached, times out, refuses the credentials or answers 5xx leaves the batch unsent, each statement
retried later with a doubling delay (never given up: an LRS that is down loses nothing). A batch refused as
a whole (400, 413, 422, or 409 "another statement has this id") is split in halves until the statement at
fault is alone: a single 409 means the LRS already holds that id (sent), a single 400 counts an attempt and is
given up (failed, with the LRS's answer) after XAPI_MAX_ATTEMPTS. So one bad statement never blocks others.
"""

import base64
import json
import logging
import urllib.error
import urllib.parse
import urllib.request
from collections import defaultdict
from datetime import timedelta

from django.conf import settings
from django.db import connection, transaction
from django.db.models import F
from django.utils import timezone

from .models import Statement
from .statements import complete

logger = logging.getLogger(__name__)

# Statements being sent are left alone by another sender (a second worker's sweep) this long.
LEASE = timedelta(minutes=2)
MAX_BATCHES = 100  # per run; the next run goes on
# Answers that blame the statements: bad request, too large, unprocessable (Ralph's validation errors).
REFUSED = (400, 413, 422)


class Unavailable(Exception):
    """The LRS did not take the batch for a reason that is not the statements' fault."""


class NoRedirect(urllib.request.HTTPRedirectHandler):
    """A redirect is answered as it came (Unavailable): followed, urllib would turn the POST into a GET and
    carry the Authorization header to whatever host the answer names, and that GET's 200 would count the
    statements as sent."""

    def redirect_request(self, req, fp, code, msg, headers, newurl):
        return None


# http and https only: urllib would also open file: and ftp: URLs (and put a local file into last_error).
OPENER = urllib.request.OpenerDirector()
for _handler in (
    urllib.request.ProxyHandler,
    urllib.request.HTTPHandler,
    urllib.request.HTTPSHandler,
    urllib.request.HTTPDefaultErrorHandler,
    NoRedirect,
    urllib.request.HTTPErrorProcessor,
):
    OPENER.add_handler(_handler())


def post(bodies):
    """(status, text of the answer) of one POST; Unavailable when no answer came."""
    data = json.dumps(bodies, ensure_ascii=False, separators=(",", ":")).encode()
    headers = {"Content-Type": "application/json; charset=utf-8", "X-Experience-API-Version": "1.0.3"}
    if settings.LRS_USERNAME or settings.LRS_PASSWORD:
        credentials = f"{settings.LRS_USERNAME}:{settings.LRS_PASSWORD}".encode()
        headers["Authorization"] = "Basic " + base64.b64encode(credentials).decode()
    url = f"{settings.LRS_URL}/xAPI/statements"
    if urllib.parse.urlsplit(url).scheme not in ("http", "https"):
        raise Unavailable("LRS_URL must begin with http:// or https://")
    request = urllib.request.Request(url, data=data, headers=headers, method="POST")
    try:
        with OPENER.open(request, timeout=settings.XAPI_TIMEOUT) as response:
            return response.status, response.read(2000).decode("utf-8", "replace")
    except urllib.error.HTTPError as error:
        return error.code, error.read(2000).decode("utf-8", "replace")
    except (OSError, ValueError) as error:  # refused, unreachable, timed out, a malformed LRS_URL
        raise Unavailable(str(error) or type(error).__name__) from error


def backoff(attempts):
    return timedelta(
        seconds=min(settings.XAPI_RETRY_SECONDS * 2 ** max(0, attempts - 1), settings.XAPI_RETRY_MAX_SECONDS)
    )


def claim(now):
    """The next due statements, completed (actor, object) and leased to this sender."""
    due = Statement.objects.filter(sent_at__isnull=True, failed_at__isnull=True, next_attempt_at__lte=now)
    with transaction.atomic():
        rows = due.order_by("created_at", "pk")[: settings.XAPI_BATCH_SIZE]
        if connection.features.has_select_for_update_skip_locked:
            rows = rows.select_for_update(skip_locked=True)
        rows = list(rows)
        if not rows:
            return [], {}
        bodies, completed = complete(rows)
        if completed:
            Statement.objects.bulk_update(completed, ["body"])
        Statement.objects.filter(pk__in=[row.pk for row in rows]).update(next_attempt_at=now + LEASE)
    return rows, bodies


class Run:
    def __init__(self, now):
        self.now = now
        self.sent = self.failed = self.refused = 0

    def deliver(self, rows, bodies):
        status, text = post([bodies[row.pk] for row in rows])
        if status in (200, 204):
            self.mark_sent(rows)
        elif status in REFUSED + (409,) and len(rows) > 1:
            middle = len(rows) // 2
            self.deliver(rows[:middle], bodies)
            self.deliver(rows[middle:], bodies)
        elif status == 409:
            # xAPI: the LRS already holds a statement with this id (our ids are fixed when written).
            self.mark_sent(rows, note=f"LRS 已有此 id 的语句（409）：{text}")
        elif status in REFUSED:
            self.refuse(rows[0], f"HTTP {status}: {text}")
        else:
            raise Unavailable(f"HTTP {status}: {text}")

    def mark_sent(self, rows, note=""):
        Statement.objects.filter(pk__in=[row.pk for row in rows]).update(
            sent_at=self.now, last_error=note[:500], attempts=F("attempts") + 1
        )
        self.sent += len(rows)

    def refuse(self, row, error):
        attempts = row.attempts + 1
        given_up = attempts >= settings.XAPI_MAX_ATTEMPTS
        Statement.objects.filter(pk=row.pk).update(
            attempts=attempts,
            last_error=error[:500],
            failed_at=self.now if given_up else None,
            next_attempt_at=self.now + backoff(attempts),
        )
        self.failed += given_up
        self.refused += 1

    def retry_later(self, rows, error):
        """The rows of an interrupted batch not settled yet: one more attempt, a longer wait."""
        pending = Statement.objects.filter(
            pk__in=[row.pk for row in rows], sent_at__isnull=True, failed_at__isnull=True
        )
        by_attempts = defaultdict(list)
        for pk, attempts in pending.values_list("pk", "attempts"):
            by_attempts[attempts].append(pk)
        for attempts, pks in by_attempts.items():
            Statement.objects.filter(pk__in=pks).update(
                attempts=attempts + 1, next_attempt_at=self.now + backoff(attempts + 1), last_error=error[:500]
            )


def send_due(now=None):
    """Send what is due; a short summary for the worker's log ("" when there was nothing to do)."""
    if not settings.LRS_URL:
        return ""
    now = now or timezone.now()
    run = Run(now)
    for _ in range(MAX_BATCHES):
        rows, bodies = claim(now)
        if not rows:
            break
        try:
            run.deliver(rows, bodies)
        except Unavailable as error:
            logger.warning("the LRS at %s did not take %d xAPI statements: %s", settings.LRS_URL, len(rows), error)
            run.retry_later(rows, str(error))
            return f"xAPI: {run.sent} statements sent; LRS unavailable ({error}), retrying later"
        if len(rows) < settings.XAPI_BATCH_SIZE:
            break
    parts = [f"{run.sent} sent"] if run.sent else []
    if run.refused:
        parts.append(f"{run.refused} refused by the LRS ({run.failed} given up)")
    return f"xAPI statements: {', '.join(parts)}" if parts else ""
