"""The hottest write path under load: counselors' players reporting what they played, every 10 s.

    .venv/bin/python bench/progress.py [--viewers 6000] [--seconds 60] [--workers N] [--connections 32]
                                       [--database-url postgres://user:pass@host:5432/name] [--keep]

A fresh database (a SQLite file in a temporary folder; with --database-url, a database of its own created
on that PostgreSQL server and dropped afterwards), migrated, with three live micro-courses whose 1,200 s
videos count as transcoded, N counselors logged in (Django sessions written directly, with the session
hash, and a CSRF cookie each), a tenth of them already near the completion threshold of their course.
Then gunicorn on loopback as deploy/gunicorn.conf.py starts it with production settings (DEBUG off,
HTTPS as nginx forwards it), and two client processes (asyncio, raw HTTP/1.1 over a pool of keep-alive
connections, as nginx's upstream keepalive would hold them) play the viewers:

  each viewer opens a viewing session (POST /learning/api/courses/<id>/sessions/), the openings spread
  over the warm-up, then reports every 10 s what it played in that wall time: mostly 10 s of video,
  sometimes a pause, a seek ahead (two segments), some at 1.5x; like the player, what a failed report
  carried is sent again with the next one.

Measured over --seconds after the warm-up (everybody reporting by then): reports/s, latency from the
moment a report was due to its answer (p50/p95/p99/max), errors by status. Then the server's records are
checked viewer by viewer against what that viewer honestly played: the stored bitmap equals the union of
its acknowledged segments (counted the server's way, learning.tracking.segments_to_bits) -- no lost and
no extra second --, its sessions' credited seconds add up to the new seconds (no double credit), and the
learning hours are credited exactly once to those who passed the threshold, to nobody else.

Goals (on 2 cores): >= 500 reports/s sustained, p99 <= 100 ms, no error, no lost or double credit."""

import argparse
import asyncio
import contextlib
import json
import os
import random
import secrets
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

from _searchbench import temporary_postgres

REPO = Path(__file__).resolve().parent.parent
PYTHON = REPO / ".venv" / "bin" / "python"
GUNICORN = REPO / ".venv" / "bin" / "gunicorn"

GOAL_RPS = 500
GOAL_P99_MS = 100
DURATION = 1200.0  # seconds of each course's video
COURSES = 3
INTERVAL = 10.0  # the player's report interval (LEARNING_REPORT_INTERVAL)
COMPLETER_SHARE = 0.1  # viewers who resume a course 12 s short of its completion threshold
SEED = 20261127


# -- the client (a separate process; standard library only) ------------------------------------------------


class Pool:
    """Keep-alive HTTP/1.1 connections to gunicorn, shared by the viewers of one client process."""

    def __init__(self, port, size, deadline):
        self.port, self.size, self.opened, self.deadline = port, size, 0, deadline
        self.idle = asyncio.Queue()

    async def acquire(self):
        if self.idle.empty() and self.opened < self.size:
            self.opened += 1
            try:
                return await asyncio.open_connection("127.0.0.1", self.port)
            except OSError:
                self.opened -= 1
                raise
        return await self.idle.get()

    def release(self, conn, reusable):
        if conn is None:
            self.idle.put_nowait(None)
        elif reusable:
            self.idle.put_nowait(conn)
        else:
            conn[1].close()
            self.opened -= 1
            # Whoever waits for a connection may now open one.
            if self.opened < self.size and self.idle.empty():
                self.idle.put_nowait(None)

    async def request(self, head, body):
        """(status, body bytes); status 0 for a connection that failed (what nginx would answer 502)."""
        for attempt in range(2):
            try:
                conn = await self.acquire()
            except OSError:
                return 0, b""
            if time.time() > self.deadline:
                # Still waiting for a connection long after the run: the server is saturated. Not sent
                # (status -1); the player would send these seconds with its next report.
                self.release(conn, conn is not None)
                return -1, b""
            if conn is None:
                self.opened += 1
                try:
                    conn = await asyncio.open_connection("127.0.0.1", self.port)
                except OSError:
                    self.opened -= 1
                    return 0, b""
            reader, writer = conn
            got_bytes = False
            try:
                writer.write(head + body)
                line = await asyncio.wait_for(reader.readline(), 30)
                if not line:
                    raise ConnectionResetError("closed")
                got_bytes = True
                status = int(line.split()[1])
                length, close = 0, False
                while (line := await reader.readline()) not in (b"\r\n", b""):
                    name, _, value = line.decode("latin-1").partition(":")
                    name = name.strip().lower()
                    if name == "content-length":
                        length = int(value)
                    elif name == "connection" and value.strip().lower() == "close":
                        close = True
                payload = await reader.readexactly(length) if length else b""
                self.release(conn, not close)
                return status, payload
            except (TimeoutError, OSError, asyncio.IncompleteReadError, ValueError, IndexError):
                self.release(conn, False)
                # A kept-alive connection the server closed meanwhile (a worker restarting after
                # max_requests) fails before any answer: a browser sends again on a new one. The report
                # is safe to send twice: replayed seconds are already watched.
                if got_bytes or attempt:
                    return 0, b""
        return 0, b""


class Viewer:
    """One counselor's player: plays in real time and reports what it played since the last report."""

    def __init__(self, spec, rng):
        self.spec, self.rng = spec, rng
        self.position = spec["resume_at"]
        self.rate = 1.5 if rng.random() < 0.15 else 1.0
        self.seq = 0
        self.pending = []  # played, not yet acknowledged by the server
        self.acked = []  # acknowledged segments: what the server must have credited
        self.session_url = None

    def play(self, seconds):
        """Play `seconds` of video from the position; returns the segments (wrapping at the end)."""
        segments = []
        while seconds > 1e-9:
            end = min(DURATION, self.position + seconds)
            segments.append([round(self.position, 3), round(end, 3)])
            seconds -= end - self.position
            self.position = 0.0 if end >= DURATION else end
        return segments

    def next_report(self, wall):
        """What the player reports after `wall` seconds of wall time."""
        video = wall * self.rate
        roll = self.rng.random()
        if roll < 0.08:  # paused partway, the rest of the interval spent paused
            verb, played = "paused", self.play(video * self.rng.uniform(0.2, 0.8))
        elif roll < 0.13:  # played a little, sought ahead, played on
            first = video * self.rng.uniform(0.1, 0.6)
            played = self.play(first)
            self.position = min(DURATION - 1, self.position + self.rng.uniform(30, 120))
            played += self.play(video - first)
            verb = "seeked"
        else:
            verb, played = "played", self.play(video)
        self.pending += played
        self.seq += 1
        body = {"seq": self.seq, "verb": verb, "segments": self.pending[-64:], "position": self.position}
        body["rate"] = self.rate
        return json.dumps(body).encode()


def http_head(path, viewer, length, token=None):
    # As a browser sends them: the cookies always; the CSRF token to open a session, the session's report
    # token with each report.
    secret = f"X-Report-Token: {token}" if token else f"X-CSRFToken: {viewer['csrf']}"
    return (
        f"POST {path} HTTP/1.1\r\nHost: localhost\r\nX-Forwarded-Proto: https\r\nX-Forwarded-For: 127.0.0.1\r\n"
        f"Origin: https://localhost\r\nCookie: sessionid={viewer['sessionid']}; csrftoken={viewer['csrf']}\r\n"
        f"{secret}\r\nContent-Type: application/json\r\nContent-Length: {length}\r\n\r\n"
    ).encode()


async def run_client(spec):
    """Play spec["viewers"] from spec["t0"] (wall clock) until spec["stop"]; returns what happened."""
    pool = Pool(spec["port"], spec["connections"], spec["stop"] + 5)
    records = []  # (due, latency ms, status) of every report
    opens = Counter()
    lag = [0.0]

    async def sleep_until(moment):
        await asyncio.sleep(max(0.0, moment - time.time()))
        lag[0] = max(lag[0], time.time() - moment)

    async def one(vspec, index):
        rng = random.Random(SEED + vspec["index"])
        viewer = Viewer(vspec, rng)
        opened_at = spec["t0"] + vspec["open_offset"]
        await sleep_until(opened_at)
        status, payload = await pool.request(http_head(vspec["start_path"], vspec, 0), b"")
        opens[status] += 1
        if status != 201:
            return viewer
        opened = json.loads(payload)
        viewer.session_url, token = opened["report_url"], opened["report_token"]
        last, tick = time.time(), 1
        while (due := opened_at + tick * INTERVAL) < spec["stop"]:
            await sleep_until(due)
            now = time.time()
            body = viewer.next_report(now - last)
            last = now
            sent = len(viewer.pending)
            status, payload = await pool.request(http_head(viewer.session_url, vspec, len(body), token), body)
            records.append((round(due, 3), round((time.time() - due) * 1000, 2), status))
            # As the player does (progress.js): seconds the server refused as too early stay pending and
            # are offered again with the next report; the rest is acknowledged.
            if status == 200 and json.loads(payload).get("refused", 0) == 0:
                viewer.acked += viewer.pending[:sent]
                viewer.pending = viewer.pending[sent:]
            tick += 1
        return viewer

    cpu = time.process_time()
    viewers = await asyncio.gather(*(one(v, i) for i, v in enumerate(spec["viewers"])))
    return {
        "records": records,
        "opens": dict(opens),
        "viewers": {
            v.spec["user"]: {"acked": v.acked, "pending": v.pending, "opened": v.session_url is not None}
            for v in viewers
        },
        "cpu_seconds": time.process_time() - cpu,
        "max_lag_ms": lag[0] * 1000,
    }


def client_main(spec_path, out_path):
    spec = json.loads(Path(spec_path).read_text())
    result = asyncio.run(run_client(spec))
    Path(out_path).write_text(json.dumps(result))


# -- set-up and verification (Django, in this process) -----------------------------------------------------


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def server_env(root, database_url, port):
    return {
        "PATH": os.environ["PATH"],
        "LANG": "C.UTF-8",
        "DJANGO_SETTINGS_MODULE": "hub.settings.production",
        "SECRET_KEY": secrets.token_urlsafe(50),
        "MEDIA_SIGNING_KEY": secrets.token_urlsafe(50),
        "ALLOWED_HOSTS": "localhost",
        "BASE_URL": "https://localhost",
        "DATABASE_URL": database_url,
        # docs/deployment.md's /etc/hub/env: persistent database connections.
        "DATABASE_CONN_MAX_AGE": "60",
        "VAR_DIR": str(root / "var"),
        "MEDIA_ACCEL_REDIRECT": "/_protected/",
        "TRUSTED_PROXIES": "127.0.0.1,::1",
        # Queued, never run: the videos are marked transcoded by hand.
        "TASKS_BACKEND": "database",
        "GUNICORN_BIND": f"127.0.0.1:{port}",
        "LOG_LEVEL": "WARNING",
        "TMPDIR": str(root / "tmp"),
    }


def group_cpu_seconds(pgid):
    """CPU seconds (user + system) used so far by a process group (gunicorn's), exited workers included."""
    total = 0
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[2]) == pgid:  # fields after the name: state, ppid, pgrp, …, utime (12), stime (13)
            total += int(fields[11]) + int(fields[12])
            if stat.parent.name == str(pgid):  # the master: also its workers that exited (cutime, cstime)
                total += int(fields[13]) + int(fields[14])
    return total / os.sysconf("SC_CLK_TCK")


def setup_django(env):
    os.environ.update(env)
    for path in (REPO, REPO / "site"):
        if str(path) not in sys.path:
            sys.path.insert(0, str(path))
    import django

    django.setup()


def create_world(viewers):
    """Courses, counselors, their login sessions and CSRF tokens; some counselors near completion."""
    from datetime import timedelta

    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY, get_user_model
    from django.contrib.auth.hashers import make_password
    from django.contrib.sessions.backends.db import SessionStore
    from django.contrib.sessions.models import Session
    from django.core.management import call_command
    from django.db import transaction
    from django.utils import timezone
    from django.utils.crypto import get_random_string

    from learning.models import CourseProgress, Learner, pack_bits
    from learning.tracking import completion_needed
    from media.models import Video
    from microcourses.models import MicroCoursePage
    from resources.models import TrainingCenter
    from resources.structure import ensure_site_structure

    call_command("migrate", verbosity=0, interactive=False)
    ensure_site_structure()
    center, _ = TrainingCenter.objects.get_or_create(code="bench", defaults={"name": "基准中心"})
    center.refresh_from_db()
    courses = []
    for n in range(COURSES):
        video = Video.objects.create(title=f"讲课视频 {n}", file=f"videos/originals/bench{n}.mp4")
        # Counts as transcoded (no ffmpeg: the benchmark is about reports), as tests/learning_helpers.py does.
        Video.objects.filter(pk=video.pk).update(
            status=Video.Status.READY, hls_dir=f"videos/hls/bench{n}", duration=DURATION
        )
        course = MicroCoursePage(title=f"基准微课 {n}", slug=f"bench-course-{n}", center=center, video_id=video.pk)
        center.section.add_child(instance=course)
        course.save_revision().publish()
        courses.append(course.pk)

    nseconds = int(DURATION)
    needed = completion_needed(nseconds, 0.9)
    resume_at = needed - 12  # two reports from completing
    near = pack_bits((1 << resume_at) - 1, nseconds)
    password = make_password("bench-not-a-login")  # one hash for all: logins are sessions, never passwords
    rng = random.Random(SEED)
    User = get_user_model()
    with transaction.atomic():
        users = User.objects.bulk_create(
            User(username=f"viewer{i:05d}", email=f"viewer{i:05d}@example.com", password=password)
            for i in range(viewers)
        )
        store, expiry, sessions, specs, progress = SessionStore(), timezone.now() + timedelta(days=1), [], [], []
        for i, user in enumerate(users):
            key = get_random_string(32, "abcdefghijklmnopqrstuvwxyz0123456789")
            data = {
                SESSION_KEY: str(user.pk),
                BACKEND_SESSION_KEY: "django.contrib.auth.backends.ModelBackend",
                HASH_SESSION_KEY: user.get_session_auth_hash(),
            }
            sessions.append(Session(session_key=key, session_data=store.encode(data), expire_date=expiry))
            course = courses[i % COURSES]
            completer = rng.random() < COMPLETER_SHARE
            if completer:
                progress.append(
                    CourseProgress(
                        user=user, course_id=course, duration=DURATION, played_bits=near, watched_seconds=resume_at,
                        progress=resume_at / nseconds, completion_threshold=0.9, position=resume_at,
                    )
                )  # fmt: skip
            specs.append(
                {
                    "user": user.pk,
                    "index": i,
                    "course": course,
                    "start_path": f"/learning/api/courses/{course}/sessions/",
                    "sessionid": key,
                    "csrf": get_random_string(32),
                    "resume_at": float(resume_at) if completer else 0.0,
                    "preseeded": resume_at if completer else 0,
                }
            )
        Session.objects.bulk_create(sessions, batch_size=1000)
        Learner.objects.bulk_create(Learner(user_id=p.user.pk) for p in progress)
        CourseProgress.objects.bulk_create(progress, batch_size=1000)
    return specs


def verify(specs, results):
    """Compare every viewer's stored progress with what it honestly played."""
    from django.db.models import Sum

    from learning.models import CourseProgress, LearningCredit, ViewingSession
    from learning.tracking import completion_needed, segments_to_bits

    nseconds = int(DURATION)
    needed = completion_needed(nseconds, 0.9)
    stored = {(p.user_id, p.course_id): p for p in CourseProgress.objects.all()}
    credited = dict(
        ViewingSession.objects.values("user").annotate(total=Sum("credited_seconds")).values_list("user", "total")
    )
    credits = Counter(LearningCredit.objects.values_list("user_id", "course_key"))
    report = Counter()
    for spec in specs:
        mine = results[str(spec["user"])]
        if not mine["opened"]:
            report["not opened"] += 1
            continue
        pre = (1 << spec["preseeded"]) - 1
        expected = pre | segments_to_bits(mine["acked"], nseconds)
        maybe = segments_to_bits(mine["pending"], nseconds) & ~expected  # sent, outcome unknown
        progress = stored.get((spec["user"], spec["course"]))
        bits = progress.bits if progress else 0
        lost = (expected & ~bits).bit_count()
        extra = (bits & ~(expected | maybe)).bit_count()
        report["viewers"] += 1
        report["lost seconds"] += lost
        report["extra seconds"] += extra
        report["viewers with lost or extra seconds"] += bool(lost or extra)
        report["unacknowledged seconds"] += maybe.bit_count()
        if progress and progress.watched_seconds != bits.bit_count():
            report["watched_seconds not the bitmap's count"] += 1
        # The sessions' credited seconds are each new second once: any double credit shows here.
        if credited.get(spec["user"], 0) != bits.bit_count() - spec["preseeded"]:
            report["viewers whose sessions credited another count"] += 1
        complete = bits.bit_count() >= needed
        report["completed"] += complete
        hours = credits[(spec["user"], spec["course"])]
        if complete != (hours == 1) or hours > 1 or complete != (progress is not None and bool(progress.completed_at)):
            report["viewers with hours credited not exactly once when completed"] += 1
    report["learning-hour records"] = sum(credits.values())
    return report


def percentile(values, share):
    return values[min(len(values) - 1, max(0, int(round(share * len(values))) - 1))] if values else float("nan")


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--viewers", type=int, default=6000, help="simulated viewers, one report per 10 s each")
    parser.add_argument("--seconds", type=int, default=60, help="measured duration after the warm-up")
    parser.add_argument(
        "--warmup", type=int, default=120, help="seconds over which the viewers open their sessions (an evening ramp)"
    )
    parser.add_argument("--workers", type=int, help="gunicorn processes (default: deploy/gunicorn.conf.py's)")
    parser.add_argument("--threads", type=int, help="threads per process (default: deploy/gunicorn.conf.py's)")
    parser.add_argument("--connections", type=int, default=32, help="keep-alive connections, all clients together")
    parser.add_argument("--clients", type=int, default=2, help="client processes")
    parser.add_argument("--database-url", help="a PostgreSQL server to run on (a database is created and dropped)")
    parser.add_argument("--keep", action="store_true", help="keep the temporary folder and database")
    parser.add_argument("--client", nargs=2, metavar=("SPEC", "OUT"), help=argparse.SUPPRESS)
    options = parser.parse_args()
    if options.client:
        return client_main(*options.client)

    started = time.perf_counter()
    root = Path(tempfile.mkdtemp(prefix="hub-bench-progress-"))
    for folder in (root / "var" / "media", root / "tmp"):
        folder.mkdir(parents=True)
    with contextlib.ExitStack() as stack:
        if options.database_url:
            database_url = stack.enter_context(
                temporary_postgres(options.database_url, keep=options.keep, tag="progressbench")
            )
        else:
            database_url = f"sqlite:///{root / 'db.sqlite3'}"
        port = free_port()
        env = server_env(root, database_url, port)
        setup_django(env)
        from django.db import connection, connections

        print(f"setting up {options.viewers} counselors on a fresh {connection.vendor} database in {root} …")
        specs = create_world(options.viewers)
        connections.close_all()
        print(f"set up in {time.perf_counter() - started:.0f} s; starting gunicorn", flush=True)

        args = [str(GUNICORN), "--config", "deploy/gunicorn.conf.py", "--access-logfile", str(root / "access.log")]
        if options.workers:
            args += ["--workers", str(options.workers)]
        if options.threads:
            args += ["--threads", str(options.threads)]
        log = open(root / "gunicorn.log", "wb")  # noqa: SIM115
        gunicorn = subprocess.Popen(args, env=env, cwd=REPO, stdout=log, stderr=log, start_new_session=True)
        clients = []
        try:
            deadline = time.monotonic() + 60
            while True:
                try:
                    socket.create_connection(("127.0.0.1", port), timeout=1).close()
                    break
                except OSError:
                    if time.monotonic() > deadline or gunicorn.poll() is not None:
                        tail = (root / "gunicorn.log").read_text()[-3000:]
                        raise SystemExit(f"gunicorn did not start:\n{tail}") from None
                    time.sleep(0.2)
            time.sleep(2)  # every worker up

            warmup = max(INTERVAL, options.warmup // int(INTERVAL) * INTERVAL)
            t0 = time.time() + 3  # the clients' start-up
            window = (t0 + warmup + INTERVAL, t0 + warmup + INTERVAL + options.seconds)
            for spec in specs:
                # Openings spread evenly over the warm-up, so reports arrive evenly over every 10 s.
                spec["open_offset"] = spec["index"] / len(specs) * warmup
            load_before = os.getloadavg()
            for n in range(options.clients):
                spec = {
                    "port": port,
                    "t0": t0,
                    "stop": window[1],
                    "connections": max(1, options.connections // options.clients),
                    "viewers": specs[n :: options.clients],
                }
                (root / f"client{n}.json").write_text(json.dumps(spec))
                out = root / f"result{n}.json"
                command = [sys.executable, __file__, "--client", str(root / f"client{n}.json"), str(out)]
                clients.append((subprocess.Popen(command), out))
            print(f"{options.clients} clients: sessions opened over {warmup:.0f} s, then {options.seconds} s measured")
            # gunicorn's CPU over the measured window: what a report costs the server, whatever else runs.
            time.sleep(max(0.0, window[0] - time.time()))
            cpu_start = group_cpu_seconds(gunicorn.pid)
            time.sleep(max(0.0, window[1] - time.time()))
            server_cpu = group_cpu_seconds(gunicorn.pid) - cpu_start
            for process, _ in clients:
                process.wait()
            load_after = os.getloadavg()
        finally:
            for process, _ in clients:
                if process.poll() is None:
                    process.kill()
            if gunicorn.poll() is None:
                os.killpg(gunicorn.pid, 15)
                gunicorn.wait(timeout=90)
            log.close()

        results, records, opens, cpu, lag = {}, [], Counter(), 0.0, 0.0
        for _, out in clients:
            result = json.loads(out.read_text())
            results.update(result["viewers"])
            records += result["records"]
            opens.update(result["opens"])
            cpu += result["cpu_seconds"]
            lag = max(lag, result["max_lag_ms"])
        measured = [r for r in records if window[0] <= r[0] < window[1]]
        latencies = sorted(r[1] for r in measured if r[2] == 200)
        statuses = Counter(r[2] for r in measured)
        rps = statuses[200] / options.seconds
        errors = {status: n for status, n in statuses.items() if status != 200}
        p50, p95, p99 = (percentile(latencies, s) for s in (0.5, 0.95, 0.99))
        worst = latencies[-1] if latencies else float("nan")
        offered = len(measured) / options.seconds

        print("verifying every viewer's credit on the server …", flush=True)
        checked = verify(specs, results)

        workers = options.workers or 2 * (os.cpu_count() or 1)
        print(f"\n{connection.vendor}, {options.viewers} viewers, gunicorn {workers} processes, "
              f"{options.connections} keep-alive connections, {os.cpu_count()} cores")  # fmt: skip
        print(f"load average before {load_before[0]:.2f}, after {load_after[0]:.2f} (1 min)")
        print(f"sessions opened: {dict(opens)}")
        print(f"measured {options.seconds} s: {len(measured)} reports due ({offered:.0f}/s), "
              f"{statuses[200]} answered 200")  # fmt: skip
        print(f"reports/s {rps:.0f}   latency ms p50 {p50:.1f}  p95 {p95:.1f}  p99 {p99:.1f}  max {worst:.1f}")
        print(f"errors by status: {errors or 'none'} (0: connection failed, -1: not sent, server saturated)")
        print(f"server: {server_cpu:.0f} s of CPU in the {options.seconds} s measured, "
              f"{server_cpu * 1000 / max(1, statuses[200]):.2f} ms per report answered")  # fmt: skip
        print(f"clients: {cpu:.0f} s of CPU for {len(records)} reports, largest scheduling lag {lag:.0f} ms")
        for name, value in checked.items():
            print(f"  {name}: {value}")
        lost_or_double = (
            checked["lost seconds"]
            + checked["extra seconds"]
            + checked["viewers whose sessions credited another count"]
            + checked["viewers with hours credited not exactly once when completed"]
            + checked["watched_seconds not the bitmap's count"]
            + checked["not opened"]
        )
        goals = [
            (f"≥ {GOAL_RPS} reports/s sustained", f"{rps:.0f}", rps >= GOAL_RPS),
            (f"p99 ≤ {GOAL_P99_MS} ms", f"{p99:.1f} ms", p99 <= GOAL_P99_MS),
            ("no error", f"{sum(errors.values())}", not errors and set(opens) <= {"201"}),
            ("no lost or double credit", f"{lost_or_double}", lost_or_double == 0 and checked["viewers"] > 0),
        ]
        for goal, value, met in goals:
            print(f"goal: {goal}: {value} ({'met' if met else 'NOT met'})")
        print(f"benchmark took {time.perf_counter() - started:.0f} s")
        if options.keep:
            print(f"kept: {root}")
        else:
            shutil.rmtree(root, ignore_errors=True)
        return 0 if all(met for *_, met in goals) else 1


if __name__ == "__main__":
    sys.exit(main())
