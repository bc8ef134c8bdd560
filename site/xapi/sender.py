"""Sending the outbox to the Learning Record Store (docs/xapi.md#operations).

Due statements go oldest first, XAPI_BATCH_SIZE to a POST of a JSON array. 200/204: sent. An LRS that
cannot be reached, times out, refuses the credentials or answers 5xx leaves the batch unsent, each statement
retried later with a doubling delay (never given up: an LRS that is down loses nothing). A batch refused as
a whole (400, 413, 422, or 409 "another statement has this id") is split in halves until the statement at
fault is alone: a single 409 means the LRS already holds that id (sent), a single 400 counts an attempt and is
given up (failed, with the LRS's answer) after XAPI_MAX_ATTEMPTS. So one bad statement never blocks others.
"""

import base64
import contextlib
import http.client
import json
import logging
import socket
import threading
import time
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
# Seconds a run may go on posting (a slow LRS refusing every batch, split in halves down to single
# statements, would otherwise hold the worker for hours); what is left waits for its lease to end.
RUN_SECONDS = 60
# Answers that blame the statements: bad request, too large, unprocessable (Ralph's validation errors).
REFUSED = (400, 413, 422)


class Unavailable(Exception):
    """The LRS did not take the batch for a reason that is not the statements' fault."""


class OutOfTime(Exception):
    """The run's RUN_SECONDS are spent."""


class NoRedirect(urllib.request.HTTPRedirectHandler):
    """A redirect is answered as it came (Unavailable): followed, urllib would turn the POST into a GET and
    carry the Authorization header to whatever host the answer names, and that GET's 200 would count the
    statements as sent."""

    def redirect_request(self, req, fp, code, msg, headers, newurl):
        return None


class Watched:
    """A connection cut when the request's time (XAPI_TIMEOUT) is up: the socket's timeout bounds each read,
    not an LRS that trickles its answer a byte at a time and would hold the worker for hours."""

    deadline, timers = 0.0, None

    def connect(self):
        super().connect()
        raw = self.sock

        def cut():
            # The plain socket's shutdown (under TLS too): the blocked read ends at once.
            with contextlib.suppress(OSError):
                socket.socket.shutdown(raw, socket.SHUT_RDWR)

        timer = threading.Timer(max(0.0, self.deadline - time.monotonic()), cut)
        timer.daemon = True
        self.timers.append(timer)
        timer.start()


class WatchedHTTP(Watched, http.client.HTTPConnection):
    pass


class WatchedHTTPS(Watched, http.client.HTTPSConnection):
    pass


def watched(cls, deadline, timers):
    def connection(host, **kwargs):
        made = cls(host, **kwargs)
        made.deadline, made.timers = deadline, timers
        return made

    return connection


def opener(deadline, timers):
    """http and https only (urllib would also open file: and ftp: URLs, and put a local file into
    last_error), no redirect, each connection cut at `deadline`."""

    class HTTP(urllib.request.HTTPHandler):
        def http_open(self, req):
            return self.do_open(watched(WatchedHTTP, deadline, timers), req)

    class HTTPS(urllib.request.HTTPSHandler):
        def https_open(self, req):
            return self.do_open(watched(WatchedHTTPS, deadline, timers), req, context=self._context)

    director = urllib.request.OpenerDirector()
    handlers = [urllib.request.ProxyHandler(), HTTP(), HTTPS(), urllib.request.HTTPDefaultErrorHandler()]
    for handler in handlers + [NoRedirect(), urllib.request.HTTPErrorProcessor()]:
        director.add_handler(handler)
    return director


def post(bodies):
    """(status, text of the answer) of one POST; Unavailable when no answer came within XAPI_TIMEOUT."""
    data = json.dumps(bodies, ensure_ascii=False, separators=(",", ":")).encode()
    headers = {"Content-Type": "application/json; charset=utf-8", "X-Experience-API-Version": "1.0.3"}
    if settings.LRS_USERNAME or settings.LRS_PASSWORD:
        credentials = f"{settings.LRS_USERNAME}:{settings.LRS_PASSWORD}".encode()
        headers["Authorization"] = "Basic " + base64.b64encode(credentials).decode()
    url = f"{settings.LRS_URL}/xAPI/statements"
    parts = urllib.parse.urlsplit(url)
    if parts.scheme not in ("http", "https"):
        raise Unavailable("LRS_URL must begin with http:// or https://")
    if "@" in parts.netloc:  # urllib would put the password in its error, hence in last_error and the log
        raise Unavailable("LRS_URL must not hold credentials: set LRS_USERNAME and LRS_PASSWORD")
    request = urllib.request.Request(url, data=data, headers=headers, method="POST")
    timers, deadline = [], time.monotonic() + settings.XAPI_TIMEOUT
    try:
        try:
            with opener(deadline, timers).open(request, timeout=settings.XAPI_TIMEOUT) as response:
                status, text = response.status, response.read(2000).decode("utf-8", "replace")
        except urllib.error.HTTPError as error:
            status, text = error.code, error.read(2000).decode("utf-8", "replace")
        if time.monotonic() >= deadline:  # cut off: what came may be a part of an answer
            raise Unavailable(f"no whole answer within XAPI_TIMEOUT ({settings.XAPI_TIMEOUT} s)")
        return status, text
    # Refused, unreachable, timed out or cut, a malformed LRS_URL, an answer that is not HTTP.
    except (OSError, ValueError, http.client.HTTPException) as error:
        raise Unavailable(str(error) or type(error).__name__) from error
    finally:
        for timer in timers:
            timer.cancel()


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
        self.ends = time.monotonic() + RUN_SECONDS

    def deliver(self, rows, bodies):
        if time.monotonic() >= self.ends:
            raise OutOfTime
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
            host = urllib.parse.urlsplit(settings.LRS_URL).hostname
            logger.warning("the LRS at %s did not take %d xAPI statements: %s", host, len(rows), error)
            run.retry_later(rows, str(error))
            return f"xAPI: {run.sent} statements sent; LRS unavailable ({error}), retrying later"
        except OutOfTime:
            # The batch's unsettled statements stay leased (LEASE), then the next run takes them.
            return f"xAPI: {run.sent} statements sent, {run.refused} refused; out of time, the rest next run"
        if len(rows) < settings.XAPI_BATCH_SIZE:
            break
    parts = [f"{run.sent} sent"] if run.sent else []
    if run.refused:
        parts.append(f"{run.refused} refused by the LRS ({run.failed} given up)")
    return f"xAPI statements: {', '.join(parts)}" if parts else ""
