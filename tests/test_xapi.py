"""xAPI statements to a Learning Record Store (docs/xapi.md), against a real one: Ralph on loopback,
installed in its own virtualenv by `make ralph` (which `make test` runs)."""

import base64
import contextlib
import http.server
import io
import json
import os
import socket
import subprocess
import threading
import time
import urllib.request
from datetime import timedelta
from pathlib import Path

import pytest

from django.core.cache import cache
from django.core.management import call_command

from wagtail.models import PageViewRestriction

from learning.models import CourseProgress
from xapi.models import Actor, Statement
from xapi.sender import send_due
from xapi.statements import EXTENSION, VIDEO_TYPE
from xapi.sweeps import send_statements

from .learning_helpers import Clock, counselor, playable_course, report, start

REPO = Path(__file__).resolve().parent.parent
RALPH_VENV = Path(os.environ.get("RALPH_VENV") or REPO / "var" / "ralph-venv")
LRS_USER, LRS_PASSWORD = "hub", "lrs-test-mima"


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Ralph:
    """Ralph's LRS (uvicorn, the file-system backend) in a temporary folder, on a free loopback port."""

    def __init__(self, home):
        self.home, self.port, self.process = home, free_port(), None
        self.url = f"http://127.0.0.1:{self.port}"
        self.env = {
            "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
            "HOME": str(home),
            "RALPH_APP_DIR": str(home),
            "RALPH_AUTH_FILE": str(home / "auth.json"),
            "RALPH_RUNSERVER_BACKEND": "fs",
            "RALPH_BACKENDS__LRS__FS__DEFAULT_DIRECTORY_PATH": str(home / "data"),
        }

    def add_account(self):
        subprocess.run(
            [RALPH_VENV / "bin" / "ralph", "auth", "-u", LRS_USER, "-p", LRS_PASSWORD, "-s", "all"]
            + ["-A", "hub-tests", "http://127.0.0.1", "-w"],
            env=self.env,
            cwd=self.home,
            check=True,
            capture_output=True,
        )

    def start(self):
        # Ralph 5.1's file-system LRS backend writes its one file with the "create" operation, so it takes the
        # first POST and refuses every later one ("already exists"); appending is what an LRS needs. This
        # one setting is all the tests change: the server, its validation and its duplicate checks are Ralph's.
        (self.home / "hub_ralph.py").write_text(
            "from ralph.backends.data.base import BaseOperationType\n"
            "from ralph.backends.lrs.fs import FSLRSBackend\n"
            "FSLRSBackend.default_operation_type = BaseOperationType.APPEND\n"
            "from ralph.api import app  # noqa: E402\n"
        )
        log = open(self.home / "ralph.log", "ab")  # noqa: SIM115 (the server's, closed with it)
        self.process = subprocess.Popen(
            [RALPH_VENV / "bin" / "python", "-m", "uvicorn", "hub_ralph:app"]
            + ["--host", "127.0.0.1", "--port", str(self.port), "--log-level", "warning"],
            env=self.env,
            cwd=self.home,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError("Ralph stopped: " + (self.home / "ralph.log").read_text()[-2000:])
            try:
                with urllib.request.urlopen(f"{self.url}/__heartbeat__", timeout=2) as response:
                    if response.status == 200:
                        return
            except OSError:
                time.sleep(0.2)
        raise RuntimeError("Ralph did not answer within 60 s")

    def stop(self):
        if self.process is not None:
            self.process.terminate()
            self.process.wait(timeout=20)
            self.process = None

    def statements(self, **query):
        """Everything Ralph holds (its file-system backend filters poorly: the tests filter here)."""
        credentials = base64.b64encode(f"{LRS_USER}:{LRS_PASSWORD}".encode()).decode()
        headers = {"Authorization": f"Basic {credentials}", "X-Experience-API-Version": "1.0.3"}
        found, path = [], "/xAPI/statements?limit=100"
        while path:
            request = urllib.request.Request(self.url + path, headers=headers)
            with urllib.request.urlopen(request, timeout=10) as response:
                page = json.load(response)
            found += page["statements"]
            path = page.get("more") or ""
        return found


@pytest.fixture(scope="session")
def ralph(tmp_path_factory):
    if not (RALPH_VENV / ".installed").exists():
        pytest.skip(
            f"Ralph (the LRS these tests send to) is not installed in {RALPH_VENV}: `make ralph` installs it "
            "(`make test` runs it; it needs pip to reach PyPI)"
        )
    server = Ralph(tmp_path_factory.mktemp("ralph"))
    server.add_account()
    server.start()
    yield server
    server.stop()


@pytest.fixture
def lrs(ralph, settings):
    settings.LRS_URL, settings.LRS_USERNAME, settings.LRS_PASSWORD = ralph.url, LRS_USER, LRS_PASSWORD
    return ralph


@pytest.fixture
def course(make_course):
    return playable_course(make_course, duration=120.0, title="谈心谈话技巧")


@pytest.fixture
def viewer(db, client):
    user = counselor()
    client.force_login(user)
    return user


def of(statements, name):
    # A completed statement has the timestamp of the report that completed the course, and comes after it.
    mine = (s for s in statements if s["actor"]["account"]["name"] == name)
    return sorted(mine, key=lambda s: (s["timestamp"], s["verb"]["id"].endswith("/completed")))


def watch_to_completion(client, course, clock):
    """Start, a forged claim, honest play to the end, pause, seek back, leave: the session's id."""
    session = start(client, course)
    clock.advance(10)
    # "I watched it all" after 10 s: the server credits 20 s (2x), and the statement says so.
    assert report(client, session, 1, [[0, 120]], position=120).json()["credited"] == 20
    seq, position = 2, 20
    while position < 120:
        clock.advance(10)
        assert report(client, session, seq, [[position, position + 10]]).status_code == 200
        seq, position = seq + 1, position + 10
    clock.advance(1)
    report(client, session, seq, [], verb="paused", position=120)
    clock.advance(1)
    report(client, session, seq + 1, [], verb="seeked", position=30)
    clock.advance(1)
    report(client, session, seq + 2, [], verb="terminated", position=30)
    return session["session"]


def test_statements_reach_ralph_with_the_servers_decisions(client, viewer, course, lrs, settings):
    with Clock() as clock:
        session_id = watch_to_completion(client, course, clock)
        assert Statement.objects.filter(sent_at__isnull=True).count() == Statement.objects.count() == 16
        assert "16 sent" in send_due()
    assert not Statement.objects.filter(sent_at__isnull=True).exists()

    name = str(Actor.objects.get(user=viewer).name)
    statements = of(lrs.statements(), name)
    verbs = [s["verb"]["id"].rsplit("/", 1)[1] for s in statements]
    assert verbs == ["initialized"] + ["played"] * 10 + ["completed", "played", "paused", "seeked", "terminated"]
    base = settings.WAGTAILADMIN_BASE_URL.rstrip("/")
    for statement in statements:
        # A pseudonym on this site, never the counselor's address or user name.
        assert statement["actor"] == {"objectType": "Agent", "account": {"homePage": base, "name": name}}
        assert viewer.email not in json.dumps(statement) and viewer.username not in json.dumps(statement)
        assert statement["object"]["id"] == base + course.get_url()
        assert statement["object"]["definition"] == {"type": VIDEO_TYPE, "name": {"zh-CN": "谈心谈话技巧"}}
        context = statement["context"]
        assert context["registration"] == session_id
        assert context["extensions"][EXTENSION + "session-id"] == session_id
        assert context["extensions"][EXTENSION + "length"] == 120
        assert context["extensions"][EXTENSION + "completion-threshold"] == 0.9
        assert {"id": "https://w3id.org/xapi/video"}.items() <= context["contextActivities"]["category"][0].items()
    assert statements[0]["verb"]["display"]["zh-CN"] == "开始观看"
    # The forged "0 to 120" report: what the server credited, not what the player claimed.
    first_played = statements[1]["result"]["extensions"]
    assert first_played[EXTENSION + "played-segments"] == "0[.]20"
    assert first_played[EXTENSION + "progress"] == 0.167  # the Video Profile: 0 to 1, at most 3 decimals
    completed = statements[11]["result"]
    assert completed["completion"] is True and completed["duration"] == "PT110S"
    assert completed["extensions"][EXTENSION + "played-segments"] == "0[.]110"
    assert completed["extensions"][EXTENSION + "progress"] == 0.917
    seeked = statements[14]["result"]["extensions"]
    assert (seeked[EXTENSION + "time-from"], seeked[EXTENSION + "time-to"]) == (120, 30)
    terminated = statements[15]["result"]["extensions"]
    assert terminated[EXTENSION + "played-segments"] == "0[.]120" and terminated[EXTENSION + "time"] == 30
    assert CourseProgress.objects.get(user=viewer).completed_at is not None


def test_an_lrs_that_is_down_loses_nothing_and_gets_everything_once_later(
    client, viewer, course, lrs, settings, django_capture_on_commit_callbacks
):
    settings.LRS_URL = f"http://127.0.0.1:{free_port()}"  # nothing listens there
    cache.delete("xapi:send-queued")
    with Clock() as clock:
        session = start(client, course)
        clock.advance(10)
        # The report queues the sending task after its commit (tests run tasks at once): it fails, and the
        # viewer's report is answered all the same, at once.
        began = time.monotonic()
        with django_capture_on_commit_callbacks(execute=True):
            response = report(client, session, 1, [[0, 10]])
        assert response.status_code == 200 and response.json()["credited"] == 10
        assert time.monotonic() - began < 3
        assert "LRS unavailable" in send_due(now=clock.now + timedelta(hours=1))
        rows = list(Statement.objects.all())
        assert len(rows) == 2 and all(row.sent_at is None and row.failed_at is None for row in rows)
        assert all(row.attempts == 2 and "Connection refused" in row.last_error for row in rows)
        assert all(row.next_attempt_at > clock.now + timedelta(hours=1) for row in rows)  # backing off
        # Not due yet: nothing is tried.
        assert send_due(now=clock.now + timedelta(hours=1)) == ""

        settings.LRS_URL = lrs.url
        later = clock.now + timedelta(hours=3)
        assert "2 sent" in send_due(now=later)
        assert Statement.objects.filter(sent_at=later).count() == 2
        # The answer was lost (say): sent again, and Ralph still holds each statement once.
        Statement.objects.update(sent_at=None, next_attempt_at=later)
        assert "2 sent" in send_due(now=later)
    ids = [s["id"] for s in lrs.statements()]
    assert all(ids.count(str(row.pk)) == 1 for row in rows)


def test_a_statement_the_lrs_refuses_does_not_block_the_others(client, viewer, course, lrs, settings):
    settings.XAPI_MAX_ATTEMPTS = 2
    with Clock() as clock:
        session = start(client, course)
        for seq in (1, 2, 3):
            clock.advance(10)
            report(client, session, seq, [[seq * 10 - 10, seq * 10]])
        statements = list(Statement.objects.order_by("created_at"))
        bad = statements[2]
        # A statement without a verb, which an LRS must refuse.
        bad.body = json.dumps({key: value for key, value in json.loads(bad.body).items() if key != "verb"})
        bad.save()
        summary = send_due()
        assert "3 sent" in summary and "1 refused" in summary
        bad.refresh_from_db()
        assert bad.sent_at is None and bad.attempts == 1 and "HTTP 422" in bad.last_error  # Ralph: unprocessable
        assert "1 given up" in send_due(now=clock.now + timedelta(days=1))
        bad.refresh_from_db()
        assert bad.failed_at is not None and bad.attempts == 2
    sent = Statement.objects.filter(sent_at__isnull=False)
    assert sent.count() == 3
    held = {s["id"] for s in lrs.statements()}
    assert {str(pk) for pk in sent.values_list("pk", flat=True)} <= held and str(bad.pk) not in held
    # The operator's command gives it another chance.
    out = io.StringIO()
    call_command("xapi_outbox", "--retry-failed", stdout=out)
    assert "1 failed statements are pending again" in out.getvalue() and "pending 1 (due now 1)" in out.getvalue()


def test_without_lrs_url_nothing_is_recorded(client, viewer, course, settings):
    settings.LRS_URL = ""
    with Clock() as clock:
        session = start(client, course)
        clock.advance(10)
        assert report(client, session, 1, [[0, 10]]).status_code == 200
    assert not Statement.objects.exists()
    assert send_statements() == ""


def test_a_counselor_reporting_without_pause_gets_a_bounded_number_of_statements(client, viewer, course, settings):
    settings.LRS_URL, settings.XAPI_STATEMENTS_PER_MINUTE = "http://127.0.0.1:9", 3
    with Clock() as clock:
        session = start(client, course)
        for seq in range(1, 11):
            clock.advance(1)
            assert report(client, session, seq, [[seq - 1, seq]]).status_code == 200
        # A report replayed (or arriving late) makes no statement of its own.
        report(client, session, 5, [[0, 1]])
        # The session's initialized statement and two reports' fill the minute.
        assert Statement.objects.filter(verb="played").count() == 2
        clock.advance(60)
        report(client, session, 11, [[10, 11]])
    assert Statement.objects.filter(verb="played").count() == 3
    assert CourseProgress.objects.get(user=viewer).watched_seconds == 11  # the reports all counted


def test_the_counselors_data_holds_their_statements_and_deletion_removes_them(client, viewer, course, settings):
    settings.LRS_URL = "http://127.0.0.1:9"
    with Clock() as clock:
        session = start(client, course)
        clock.advance(10)
        report(client, session, 1, [[0, 10]])
    other = counselor("other")
    Statement.objects.create(user=other, course_id=course.pk, verb="played", body=Statement.objects.first().body)
    data = json.loads(client.get("/accounts/data/").content)["xapi.exports.personal_data"]
    assert data["actor"]["account"]["name"] == str(Actor.objects.get(user=viewer).name)
    assert [entry["statement"]["verb"]["id"].rsplit("/", 1)[1] for entry in data["statements"]] == [
        "initialized",
        "played",
    ]
    assert all(entry["state"] == "pending" and entry["sent"] is None for entry in data["statements"])
    assert data["statements"][1]["statement"]["object"]["id"].endswith(course.get_url())

    response = client.post("/accounts/delete/", {"password": "xuexi-2026-mima", "confirm": "on"})
    assert response.status_code == 302
    assert list(Statement.objects.values_list("user", flat=True)) == [other.pk]
    assert not Actor.objects.filter(user_id=viewer.pk).exists()


def test_the_sweep_deletes_statements_older_than_the_retention(viewer, course, settings):
    settings.LRS_URL, settings.XAPI_KEEP_DAYS = "", 30
    old = Statement.objects.create(user=viewer, course_id=course.pk, verb="played", body="{}")
    recent = Statement.objects.create(user=viewer, course_id=course.pk, verb="played", body="{}")
    Statement.objects.filter(pk=old.pk).update(created_at=old.created_at - timedelta(days=31))
    assert "xapi.sweeps.send_statements" in settings.WORKER_SWEEPS
    assert send_statements() == "1 old xAPI statements deleted"
    assert list(Statement.objects.values_list("pk", flat=True)) == [recent.pk]


class Recorder(http.server.BaseHTTPRequestHandler):
    """A tiny HTTP server's handler: records each request, answers with the server's `answer`."""

    def answer(self):
        self.server.requests.append((self.command, self.path, dict(self.headers)))
        time.sleep(getattr(self.server, "delay", 0))
        status, headers, body = self.server.reply
        self.send_response(status)
        for name, value in headers.items():
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    do_GET = do_POST = answer

    def log_message(self, *args):
        pass


@contextlib.contextmanager
def http_server(status, headers=None, body=b""):
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Recorder)
    server.requests, server.reply = [], (status, headers or {}, body)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield server
    finally:
        server.shutdown()
        server.server_close()


def pending_statements(client, course):
    with Clock() as clock:
        session = start(client, course)
        clock.advance(10)
        report(client, session, 1, [[0, 10]])
        return clock.now


def test_a_redirecting_lrs_gets_neither_the_credentials_elsewhere_nor_counts_as_sent(client, viewer, course, settings):
    settings.LRS_USERNAME, settings.LRS_PASSWORD = LRS_USER, LRS_PASSWORD
    with http_server(200, body=b"[]") as elsewhere:
        target = f"http://127.0.0.1:{elsewhere.server_port}/steal"
        with http_server(302, {"Location": target}) as lrs:
            settings.LRS_URL = f"http://127.0.0.1:{lrs.server_port}"
            now = pending_statements(client, course)
            assert "LRS unavailable (HTTP 302" in send_due(now=now)
            assert len(lrs.requests) == 1 and lrs.requests[0][2]["Authorization"].startswith("Basic ")
    assert elsewhere.requests == []
    assert not Statement.objects.filter(sent_at__isnull=False).exists()
    assert all(row.last_error.startswith("HTTP 302") for row in Statement.objects.all())


def test_an_lrs_url_that_is_not_http_is_not_opened(client, viewer, course, settings, tmp_path):
    secret = tmp_path / "xAPI" / "statements"
    secret.parent.mkdir()
    secret.write_text("local-secret-text")
    settings.LRS_URL = f"file://{tmp_path}"
    assert "LRS unavailable" in send_due(now=pending_statements(client, course))
    assert all("http://" in row.last_error and "local-secret" not in row.last_error for row in Statement.objects.all())


@pytest.mark.parametrize("hidden", ["private", "unpublished"])
def test_a_course_hidden_before_sending_is_sent_without_its_title(client, viewer, course, settings, hidden):
    settings.LRS_URL = "http://127.0.0.1:9"
    now = pending_statements(client, course)
    course.title = "内部课程：某校学生危机个案"
    course.save_revision().publish()
    if hidden == "private":
        PageViewRestriction.objects.create(page=course, restriction_type="password", password="mima")
    else:
        course.unpublish()
    with http_server(204) as lrs:
        settings.LRS_URL = f"http://127.0.0.1:{lrs.server_port}"
        assert "2 sent" in send_due(now=now)
    for row in Statement.objects.all():
        body = json.loads(row.body)
        assert "危机" not in row.body and course.slug not in body["object"]["id"]
        assert body["object"]["definition"]["name"] == {"zh-CN": f"课程 {course.pk}"}


@contextlib.contextmanager
def trickling_server(seconds):
    """An "LRS" that answers a header byte every 0.2 s for `seconds`: each read is quick, the answer never ends."""
    listener = socket.create_server(("127.0.0.1", 0))
    stop = threading.Event()

    def serve():
        connection, _ = listener.accept()
        with connection:
            connection.recv(65536)
            connection.sendall(b"HTTP/1.1 200 OK\r\nX-Slow: ")
            ends = time.monotonic() + seconds
            while time.monotonic() < ends and not stop.is_set():
                try:
                    connection.sendall(b"a")
                except OSError:
                    return
                time.sleep(0.2)

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{listener.getsockname()[1]}"
    finally:
        stop.set()
        thread.join(timeout=15)
        listener.close()


def test_an_lrs_trickling_its_answer_holds_the_sender_only_xapi_timeout(client, viewer, course, settings):
    settings.LRS_URL, settings.XAPI_TIMEOUT = "http://127.0.0.1:9", 1
    now = pending_statements(client, course)
    with trickling_server(seconds=8) as url:
        settings.LRS_URL = url
        began = time.monotonic()
        summary = send_due(now=now)
        assert time.monotonic() - began < 4
    assert "LRS unavailable" in summary
    assert not Statement.objects.filter(sent_at__isnull=False).exists()


def test_a_slow_lrs_refusing_everything_holds_a_run_only_its_time(client, viewer, course, settings, monkeypatch):
    settings.LRS_URL = "http://127.0.0.1:9"
    now = pending_statements(client, course)
    body = Statement.objects.first().body
    Statement.objects.bulk_create(
        Statement(user=viewer, course_id=course.pk, verb="played", body=body, created_at=now, next_attempt_at=now)
        for _ in range(6)
    )
    monkeypatch.setattr("xapi.sender.RUN_SECONDS", 1, raising=False)
    with http_server(400, body=b"no") as lrs:
        lrs.delay = 0.3
        settings.LRS_URL = f"http://127.0.0.1:{lrs.server_port}"
        began = time.monotonic()
        assert "out of time" in send_due(now=now)
        assert time.monotonic() - began < 2.5
    # 8 statements split in halves would take 15 requests; the run stopped after its second.
    assert len(lrs.requests) <= 5
    assert Statement.objects.filter(next_attempt_at=now + timedelta(minutes=2)).exists()  # leased, then retried


def test_credentials_in_the_lrs_url_reach_neither_last_error_nor_the_log(client, viewer, course, settings, caplog):
    settings.LRS_URL = "http://127.0.0.1:9"
    now = pending_statements(client, course)
    settings.LRS_URL = "http://hub:lrs-secret-mima@127.0.0.1:notaport"
    assert "LRS unavailable" in send_due(now=now)
    assert all(row.last_error and "lrs-secret" not in row.last_error for row in Statement.objects.all())
    assert "lrs-secret" not in caplog.text
