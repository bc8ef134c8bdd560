"""How fast a lecture's segments are served behind the shipped nginx + gunicorn, three ways, in one run.

    .venv/bin/python bench/media_serving.py [--seconds 60] [--requests 3000] [--concurrency 16]

A live public course with a real transcoded lecture, production settings, `deploy_config nginx`'s site in
front of gunicorn as `deploy/gunicorn.conf.py` starts it (SQLite, a temporary VAR_DIR), then N segment requests
over C keep-alive HTTPS connections for each of:

  signed    what the player gets: /media/p/…?e=&t=, the signature checked by nginx, no Python at all
  gate      the same segment through the file gate (/media/videos/hls/…): Django checks every request and
            answers X-Accel-Redirect, nginx sends the bytes (what a per-request check would cost)
  open      nginx sending the file with no check at all (an extra internal-free location added for the
            benchmark only): the upper bound, what serving VAR_DIR/media openly used to cost

The client runs on the same two cores as the servers, so absolute numbers are low; the ratios are the point.
Requires Debian's nginx and ffmpeg (`make test` installs both)."""

import argparse
import os
import secrets
import shutil
import socket
import ssl
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from http.client import HTTPSConnection
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
PYTHON = REPO / ".venv" / "bin" / "python"
NGINX = shutil.which("nginx") or "/usr/sbin/nginx"

SETUP = """
from django.core.files.base import ContentFile
from media import ffmpeg, pipeline
from media.models import Video
from microcourses.models import MicroCoursePage
from resources.models import TrainingCenter
from resources.structure import ensure_site_structure
import os, pathlib

ensure_site_structure()
center, _ = TrainingCenter.objects.get_or_create(code="bench", defaults={"name": "基准中心"})
center.refresh_from_db()
source = ffmpeg.make_sample_lecture(pathlib.Path(os.environ["BENCH_LECTURE"]), seconds=%(seconds)d, size="1280x720")
video = Video(title="基准讲座", collection=center.collection)
video.file.save("lecture.mp4", ContentFile(source.read_bytes()), save=False)
video.save()  # TASKS_BACKEND=immediate: transcoded on commit; a second run is a no-op
pipeline.transcode(video.pk)
video.refresh_from_db()
assert video.is_ready, video.failure_reason
course = MicroCoursePage(title="基准微课", slug="bench-course", center=center, video=video)
center.section.add_child(instance=course)
course.save_revision().publish()
print(video.playlist_url)
"""


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def run(args, env, **kwargs):
    done = subprocess.run(args, env=env, cwd=REPO, capture_output=True, text=True, **kwargs)
    if done.returncode:
        raise SystemExit(f"{' '.join(map(str, args[:3]))} failed:\n{done.stderr[-3000:]}")
    return done


def wait_for(port, timeout=60):
    deadline = time.monotonic() + timeout
    while True:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            return
        except OSError:
            if time.monotonic() > deadline:
                raise SystemExit(f"nothing listens on {port}") from None
            time.sleep(0.2)


def load(port, tls, paths, requests, concurrency):
    """`requests` GETs spread over `concurrency` keep-alive connections; latencies in ms and bytes read."""
    latencies, errors, received = [], [], [0]
    lock = threading.Lock()
    per_thread = requests // concurrency

    def worker(offset):
        conn = HTTPSConnection("localhost", port, context=tls, timeout=30)
        mine, size = [], 0
        for i in range(per_thread):
            path = paths[(offset + i) % len(paths)]
            started = time.perf_counter()
            conn.request("GET", path)
            response = conn.getresponse()
            body = response.read()
            mine.append((time.perf_counter() - started) * 1000)
            if response.status != 200:
                errors.append(response.status)
            size += len(body)
        conn.close()
        with lock:
            latencies.extend(mine)
            received[0] += size

    threads = [threading.Thread(target=worker, args=(n * 7,)) for n in range(concurrency)]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.perf_counter() - started
    latencies.sort()
    return {
        "rps": len(latencies) / elapsed,
        "p50": statistics.median(latencies),
        "p95": latencies[int(len(latencies) * 0.95) - 1],
        "mbps": received[0] * 8 / elapsed / 1e6,
        "errors": len(errors),
    }


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=int, default=60, help="length of the generated lecture")
    parser.add_argument("--requests", type=int, default=3000)
    parser.add_argument("--concurrency", type=int, default=16)
    options = parser.parse_args()
    if not os.path.exists(NGINX):
        raise SystemExit("nginx is not installed (make test installs Debian's)")

    root = Path(tempfile.mkdtemp(prefix="hub-bench-media-"))
    var, logs = root / "var", root / "logs"
    for folder in (var / "media", logs, root / "tmp"):
        folder.mkdir(parents=True)
    https_port, http_port, gunicorn_port = free_port(), free_port(), free_port()
    env = {
        "PATH": os.environ["PATH"],
        "LANG": "C.UTF-8",
        "DJANGO_SETTINGS_MODULE": "hub.settings.production",
        "SECRET_KEY": secrets.token_urlsafe(50),
        "ALLOWED_HOSTS": "localhost",
        "BASE_URL": f"https://localhost:{https_port}",
        "DATABASE_URL": f"sqlite:///{root / 'db.sqlite3'}",
        "VAR_DIR": str(var),
        "MEDIA_SIGNING_KEY": secrets.token_urlsafe(50),
        "MEDIA_ACCEL_REDIRECT": "/_protected/",
        "TRUSTED_PROXIES": "127.0.0.1,::1",
        "TASKS_BACKEND": "immediate",
        "GUNICORN_BIND": f"127.0.0.1:{gunicorn_port}",
        "LOG_LEVEL": "WARNING",
    }
    manage = [str(PYTHON), "manage.py"]
    print(f"setting up in {root} (migrate, a {options.seconds} s 720p lecture transcoded) …", flush=True)
    run([*manage, "migrate", "-v0"], env)
    run([*manage, "collectstatic", "--noinput", "-v0"], env)
    playlist = run(
        [*manage, "shell", "-c", SETUP % {"seconds": options.seconds}], {**env, "BENCH_LECTURE": str(root / "l.mp4")}
    ).stdout.split()[-1]
    run(
        ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1", "-subj", "/CN=localhost"]
        + ["-addext", "subjectAltName=DNS:localhost", "-keyout", str(root / "key.pem"), "-out", str(root / "cert.pem")],
        env,
    )
    run(
        [*manage, "deploy_config", "nginx", "--out", str(root), "--listen", f"127.0.0.1:{https_port}"]
        + ["--http-listen", f"127.0.0.1:{http_port}", "--tls-certificate", str(root / "cert.pem")]
        + ["--tls-certificate-key", str(root / "key.pem"), "--log-dir", str(logs), "--acme-root", str(root)],
        env,
    )
    site = (root / "hub.conf").read_text()
    # The benchmark's upper bound only: the media folder with no check at all.
    site = site.replace(
        "    location ^~ /_protected/ {",
        f"    location ^~ /bench-open/ {{\n        alias {var / 'media'}/;\n    }}\n    location ^~ /_protected/ {{",
    )
    (root / "hub.conf").write_text(site)
    (root / "nginx.conf").write_text(
        f"""{"user root;" if os.geteuid() == 0 else ""}
worker_processes 1;
pid {root}/nginx.pid;
error_log {logs}/error.log;
events {{ worker_connections 256; }}
http {{
    sendfile on; tcp_nopush on; default_type application/octet-stream;
    access_log off;
    client_body_temp_path {root}/tmp/body; proxy_temp_path {root}/tmp/proxy; fastcgi_temp_path {root}/tmp/f;
    uwsgi_temp_path {root}/tmp/u; scgi_temp_path {root}/tmp/s;
    include {root}/hub.conf;
}}
"""
    )
    nginx_args = [NGINX, "-p", str(root), "-e", str(logs / "error.log"), "-c", str(root / "nginx.conf")]
    gunicorn = subprocess.Popen(
        [
            str(REPO / ".venv" / "bin" / "gunicorn"),
            "--config",
            "deploy/gunicorn.conf.py",
            "--access-logfile",
            "/dev/null",
        ],
        env={**env, "TMPDIR": str(root / "tmp")},
        cwd=REPO,
        stdout=subprocess.DEVNULL,
        stderr=open(logs / "gunicorn.log", "wb"),  # noqa: SIM115
        start_new_session=True,
    )
    nginx = subprocess.Popen([*nginx_args, "-g", "daemon off;"], start_new_session=True)
    try:
        wait_for(gunicorn_port)
        wait_for(https_port)
        tls = ssl.create_default_context(cafile=str(root / "cert.pem"))
        conn = HTTPSConnection("localhost", https_port, context=tls, timeout=30)

        def get(path):
            conn.request("GET", path)
            response = conn.getresponse()
            return response.status, response.read().decode(errors="replace")

        status, master = get(playlist)
        assert status == 200, status
        rung = next(line for line in master.splitlines() if line.endswith(".m3u8"))
        status, variant = get(playlist.rsplit("/", 1)[0] + "/" + rung)
        signed = [line for line in variant.splitlines() if line.startswith("/media/p/")]
        assert signed, variant[:500]
        names = [line.split("?")[0].removeprefix("/media/p/") for line in signed]
        ways = {
            "signed": signed,
            "gate": [f"/media/{name}" for name in names],
            "open": [f"/bench-open/{name}" for name in names],
        }
        for paths in ways.values():
            load(https_port, tls, paths, 64, 4)  # warm up: TLS sessions, page cache, gunicorn workers
        results = {
            way: load(https_port, tls, paths, options.requests, options.concurrency) for way, paths in ways.items()
        }
    finally:
        for process in (nginx, gunicorn):
            if process.poll() is None:
                os.killpg(process.pid, 15)
                process.wait(timeout=30)

    size = sum((var / "media" / name).stat().st_size for name in names) / len(names)
    print(f"\n{len(names)} segments of 6 s at 720p, {size / 1024:.0f} KB each on average; ", end="")
    print(f"{options.requests} requests over {options.concurrency} keep-alive HTTPS connections per way\n")
    print(f"{'way':8} {'req/s':>8} {'Mb/s':>8} {'p50 ms':>8} {'p95 ms':>8} {'errors':>7}")
    for way, r in results.items():
        print(f"{way:8} {r['rps']:8.0f} {r['mbps']:8.0f} {r['p50']:8.1f} {r['p95']:8.1f} {r['errors']:7d}")
    signed_, gate, open_ = results["signed"], results["gate"], results["open"]
    print(f"\nsigned / gate: {signed_['rps'] / gate['rps']:.2f}× the requests per second")
    print(f"signed / open: {signed_['rps'] / open_['rps']:.2f}× (1.00 = the signature check costs nothing)")
    shutil.rmtree(root, ignore_errors=True)
    return 0 if not any(r["errors"] for r in results.values()) else 1


if __name__ == "__main__":
    sys.exit(main())
