"""The production setup of docs/deployment.md, run for real on loopback: Debian's nginx with the site that
`manage.py deploy_config nginx` renders (TLS with a certificate made here), in front of gunicorn started as
the rendered hub-web.service starts it (its EnvironmentFile, Environment, ExecStartPre and ExecStart), with
production settings, static files collected by `deploy/hub-manage collectstatic`, on the test database.

The `site` fixture gives `fetch()` (a request through nginx) and `gunicorn_saw()` (whether gunicorn's
access log has a request), so that a test can tell what nginx answered alone from what reached Python."""

import base64
import hashlib
import os
import re
import secrets
import shlex
import shutil
import signal
import socket
import ssl
import subprocess
import time
import uuid
from dataclasses import dataclass
from http.client import HTTPConnection, HTTPSConnection
from pathlib import Path
from unittest import mock

import pytest

from django.core.management import call_command
from django.db import connection
from django.test import override_settings

REPO = Path(__file__).resolve().parent.parent
NGINX = shutil.which("nginx") or "/usr/sbin/nginx"
SIGNING_KEY = secrets.token_urlsafe(50)  # production refuses a weak one

pytestmark = [
    pytest.mark.nginx,
    # gunicorn reads the test database: what a test shows it must be committed. serialized_rollback: the
    # flush after each test empties the tables; restore what migrations seeded.
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def database_url():
    """The test database, for processes started by a test (committed data only: transactional tests)."""
    db = connection.settings_dict
    if db["ENGINE"].endswith("sqlite3"):
        return f"sqlite:///{db['NAME']}"
    return f"postgres://{db['USER']}:{db['PASSWORD']}@{db['HOST'] or 'localhost'}:{db['PORT'] or 5432}/{db['NAME']}"


def sign(path, expires, key=SIGNING_KEY):
    """The token nginx's secure_link_md5 "$secure_link_expires$uri <key>" expects."""
    digest = hashlib.md5(f"{expires}{path} {key}".encode()).digest()
    return base64.urlsafe_b64encode(digest).decode().rstrip("=")


def signed(path, expires_in=60):
    expires = int(time.time()) + expires_in
    return f"{path}?e={expires}&t={sign(path, expires)}"


def unit_service(path):
    """The [Service] settings of a rendered unit, as {key: [values]}."""
    values, section = {}, None
    for line in Path(path).read_text(encoding="utf-8").splitlines():
        if line.startswith("["):
            section = line.strip("[]")
        elif section == "Service" and "=" in line and not line.startswith("#"):
            key, value = line.split("=", 1)
            values.setdefault(key, []).append(value)
    return values


def read_env_file(path):
    pairs = (line.split("=", 1) for line in Path(path).read_text().splitlines() if "=" in line)
    return {key: value for key, value in pairs if not key.startswith("#")}


@dataclass
class Response:
    status: int
    headers: dict
    body: bytes

    def header(self, name):
        return self.headers.get(name.lower())


@dataclass
class Site:
    root: Path
    var_dir: Path
    https_port: int
    http_port: int
    gunicorn_log: Path
    tls: ssl.SSLContext

    @property
    def media_root(self):
        return self.var_dir / "media"

    def fetch(self, path, method="GET", headers=None, body=None, scheme="https"):
        """One request through nginx; redirects are not followed."""
        if scheme == "https":
            conn = HTTPSConnection("localhost", self.https_port, context=self.tls, timeout=60)
        else:
            conn = HTTPConnection("localhost", self.http_port, timeout=60)
        try:
            conn.request(method, path, body=body, headers=headers or {})
            response = conn.getresponse()
            return Response(response.status, {k.lower(): v for k, v in response.getheaders()}, response.read())
        finally:
            conn.close()

    def gunicorn_saw(self, marker):
        """Whether gunicorn's access log has a request containing `marker`. A request that gunicorn does
        answer is sent afterwards and waited for, so that a line still being written is not missed."""
        barrier = uuid.uuid4().hex
        assert self.fetch(f"/?barrier={barrier}").status == 200
        deadline = time.monotonic() + 10
        while barrier not in (log := self.gunicorn_log.read_text()):
            assert time.monotonic() < deadline, "gunicorn never logged the barrier request"
            time.sleep(0.05)
        return marker in log

    def media_file(self, name, content):
        path = self.media_root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(content)
        return path


def wait_until_listening(ports, gunicorn, timeout=60):
    """Until gunicorn and nginx accept connections. No request is sent: between two transactional tests the
    database is empty, and a page rendered then would create rows (content types) the next test restores."""
    deadline = time.monotonic() + timeout
    for port in ports:
        while True:
            assert gunicorn.poll() is None, f"gunicorn exited with {gunicorn.returncode}"
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                assert time.monotonic() < deadline, f"nothing listens on port {port} after {timeout} s"
                time.sleep(0.2)


def stop(process):
    if process.poll() is None:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()


@pytest.fixture(scope="module")
def site(tmp_path_factory, django_db_setup, django_db_blocker):
    if not os.path.exists(NGINX):
        pytest.skip("nginx is not installed (`make test` installs Debian's)")
    root = tmp_path_factory.mktemp("deployment")
    var_dir, logs = root / "var", root / "logs"
    for folder in (var_dir / "media", logs, root / "tmp"):
        folder.mkdir(parents=True)
    https_port, http_port, gunicorn_port = free_port(), free_port(), free_port()
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2", "-subj", "/CN=localhost"]
        + ["-addext", "subjectAltName=DNS:localhost", "-keyout", root / "key.pem", "-out", root / "cert.pem"],
        check=True,
        capture_output=True,
    )

    # /etc/hub/env of the runbook, for this machine.
    env_file = root / "env"
    env_file.write_text(
        "\n".join(
            [
                f"SECRET_KEY=deploy-test-{uuid.uuid4().hex}{uuid.uuid4().hex}",
                "ALLOWED_HOSTS=localhost",
                f"BASE_URL=https://localhost:{https_port}",
                f"DATABASE_URL={database_url()}",
                f"VAR_DIR={var_dir}",
                f"GUNICORN_BIND=127.0.0.1:{gunicorn_port}",
                f"MEDIA_SIGNING_KEY={SIGNING_KEY}",
                "MEDIA_ACCEL_REDIRECT=/_protected/",
                "TRUSTED_PROXIES=127.0.0.1,::1",
                "TASKS_BACKEND=database",
                "",
            ]
        )
    )
    env = read_env_file(env_file)
    # What systemd gives a service: no variable of this test process (DJANGO_SETTINGS_MODULE, TASKS_BACKEND…).
    clean_env = {"PATH": os.environ["PATH"], "LANG": "C.UTF-8"}

    # Rendered with the values the services will use (MEDIA_SIGNING_KEY is set here for the render too, until
    # the settings read it from the environment).
    with (
        mock.patch.dict(os.environ, {"GUNICORN_BIND": env["GUNICORN_BIND"]}),
        override_settings(
            WAGTAILADMIN_BASE_URL=env["BASE_URL"],
            VAR_DIR=var_dir,
            STATIC_ROOT=var_dir / "static",
            MEDIA_ROOT=var_dir / "media",
            MEDIA_WORK_DIR=var_dir / "work",
            MEDIA_SIGNING_KEY=SIGNING_KEY,
        ),
        django_db_blocker.unblock(),
    ):
        call_command(
            "deploy_config",
            "nginx",
            "--out",
            str(root),
            "--listen",
            f"127.0.0.1:{https_port}",
            "--http-listen",
            f"127.0.0.1:{http_port}",
            "--tls-certificate",
            str(root / "cert.pem"),
            "--tls-certificate-key",
            str(root / "key.pem"),
            "--log-dir",
            str(logs),
        )
        call_command("deploy_config", "systemd", "--out", str(root), "--env-file", str(env_file))

    # `hub-manage collectstatic`, as an upgrade does.
    subprocess.run(
        [REPO / "deploy" / "hub-manage", "collectstatic", "--noinput", "-v0"],
        env={**clean_env, "HUB_ENV_FILE": str(env_file), "HUB_USER": "root"},
        check=True,
        timeout=300,
    )

    # nginx: the shipped site inside an http block like Debian's, with this prefix for its own files.
    (root / "nginx.conf").write_text(
        f"""
        {"user root;" if os.geteuid() == 0 else ""}
        worker_processes 1;
        pid {root}/nginx.pid;
        error_log {logs}/error.log;
        events {{ worker_connections 128; }}
        http {{
            sendfile on;
            tcp_nopush on;
            default_type application/octet-stream;
            access_log {logs}/access.log;
            client_body_temp_path {root}/tmp/body;
            proxy_temp_path {root}/tmp/proxy;
            fastcgi_temp_path {root}/tmp/fastcgi;
            uwsgi_temp_path {root}/tmp/uwsgi;
            scgi_temp_path {root}/tmp/scgi;
            include {root}/hub.conf;
        }}
        """
    )
    nginx_args = [NGINX, "-p", str(root), "-e", str(logs / "error.log"), "-c", str(root / "nginx.conf")]
    checked = subprocess.run([*nginx_args, "-t"], capture_output=True, text=True)
    assert checked.returncode == 0, checked.stderr

    # gunicorn as hub-web.service starts it; two workers are enough here.
    service = unit_service(root / "hub-web.service")
    unit_env = {**clean_env, **read_env_file(service["EnvironmentFile"][0])}
    unit_env.update(value.split("=", 1) for value in service["Environment"])
    for command in service["ExecStartPre"]:
        subprocess.run(shlex.split(command), env=unit_env, check=True)
    gunicorn_log = logs / "gunicorn-access.log"
    gunicorn_log.touch()
    command = shlex.split(service["ExecStart"][0]) + ["--workers", "2", "--access-logfile", str(gunicorn_log)]
    with open(logs / "gunicorn.log", "wb") as errors:
        gunicorn = subprocess.Popen(
            command, env=unit_env, cwd=service["WorkingDirectory"][0], stderr=errors, start_new_session=True
        )
    nginx = subprocess.Popen([*nginx_args, "-g", "daemon off;"], start_new_session=True)
    tls = ssl.create_default_context(cafile=str(root / "cert.pem"))
    deployed = Site(root, var_dir, https_port, http_port, gunicorn_log, tls)
    try:
        try:
            wait_until_listening([gunicorn_port, https_port, http_port], gunicorn)
        except AssertionError as error:
            tail = (logs / "gunicorn.log").read_text(errors="replace")[-3000:]
            raise AssertionError(f"{error}\ngunicorn's log:\n{tail}") from None
        yield deployed
    finally:
        stop(nginx)
        stop(gunicorn)


# -- what a visitor gets ----------------------------------------------------------------------


def test_a_page_is_served_by_gunicorn_over_https_with_its_security_headers(site):
    probe = uuid.uuid4().hex
    page = site.fetch(f"/?probe={probe}", headers={"Accept-Encoding": "gzip"})
    # 200, not a redirect to https: Django saw X-Forwarded-Proto from nginx and trusts it.
    assert page.status == 200
    assert page.header("content-encoding") == "gzip"
    assert page.header("x-content-type-options") == "nosniff"
    assert page.header("referrer-policy") == "same-origin"
    assert page.header("x-frame-options") == "DENY"
    assert page.header("server") == "nginx"  # no version
    assert site.gunicorn_saw(probe)
    # gunicorn's access log names the visitor (nginx's X-Forwarded-For), not nginx.
    line = next(line for line in site.gunicorn_log.read_text().splitlines() if probe in line)
    assert line.startswith("127.0.0.1 ")


def test_plain_http_redirects_to_https(site):
    response = site.fetch("/library/?capability=mental_health", scheme="http")
    assert response.status == 301
    assert response.header("location") == f"https://localhost:{site.https_port}/library/?capability=mental_health"


def test_static_files_come_from_nginx_hashed_ones_cached_for_a_year(site):
    import json

    manifest = json.loads((site.var_dir / "static" / "staticfiles.json").read_text())["paths"]
    original = next(name for name in manifest if name.endswith(".css"))
    hashed = manifest[original]
    probe = uuid.uuid4().hex

    response = site.fetch(f"/static/{hashed}?probe={probe}", headers={"Accept-Encoding": "gzip"})
    assert response.status == 200 and response.header("content-type") == "text/css"
    assert response.header("cache-control") == "public, max-age=31536000, immutable"
    assert response.header("content-encoding") == "gzip" or len(response.body) < 1024
    unhashed = site.fetch(f"/static/{original}?probe={probe}")
    assert unhashed.status == 200 and unhashed.header("cache-control") == "public, max-age=3600"
    assert not site.gunicorn_saw(probe)


# -- uploaded files ---------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["original_images/secret.jpg", "documents/secret.pdf"])
def test_originals_and_documents_are_not_served_from_the_media_folder(site, name):
    site.media_file(name, b"SECRET-BYTES " + name.encode())
    for path in (f"/media/{name}", f"/_protected/{name}"):
        response = site.fetch(path)
        assert response.status in (403, 404), path
        assert b"SECRET-BYTES" not in response.body


def test_a_signed_segment_is_sent_by_nginx_a_bad_or_expired_signature_is_not(site):
    segment = os.urandom(188 * 100)
    site.media_file("videos/hls/7-abc/720p/seg_00001.ts", segment)
    path = "/media/s/videos/hls/7-abc/720p/seg_00001.ts"
    probe = uuid.uuid4().hex

    good = site.fetch(f"{signed(path)}&probe={probe}", headers={"Accept-Encoding": "gzip"})
    assert good.status == 200 and good.body == segment  # not compressed
    assert good.header("content-type") == "video/mp2t"
    assert good.header("cache-control") == "private, max-age=3600"
    assert good.header("x-content-type-options") == "nosniff"
    # A range, as players ask for.
    part = site.fetch(signed(path), headers={"Range": "bytes=0-187"})
    assert part.status == 206 and part.body == segment[:188]

    expires = int(time.time()) + 60
    assert site.fetch(f"{path}?e={expires}&t={sign(path, expires, key='another-key-0123456789')}").status == 403
    assert site.fetch(f"{path}?e={expires + 1}&t={sign(path, expires)}").status == 403  # expiry changed
    assert site.fetch(path).status == 403  # unsigned
    other = "/media/s/videos/hls/7-abc/720p/seg_00002.ts"
    assert site.fetch(f"{other}?e={expires}&t={sign(path, expires)}").status == 403  # another file's token
    past = int(time.time()) - 10
    assert site.fetch(f"{path}?e={past}&t={sign(path, past)}").status == 410
    assert not site.gunicorn_saw(probe)


def test_files_of_live_courses_may_be_cached_by_everyone(site):
    site.media_file("videos/hls/8-def/poster.jpg", b"\xff\xd8poster")
    site.media_file("videos/hls/8-def/captions.vtt", b"WEBVTT\n")
    poster = site.fetch(signed("/media/p/videos/hls/8-def/poster.jpg"))
    assert poster.status == 200 and poster.body == b"\xff\xd8poster"
    assert poster.header("cache-control") == "public, max-age=3600"
    captions = site.fetch(signed("/media/p/videos/hls/8-def/captions.vtt"))
    assert captions.status == 200 and captions.header("content-type") == "text/vtt"


# -- the file gate behind nginx: a live course's files and a draft's ---------------------------------


@pytest.fixture
def courses_on_site(site, settings, tree, centers, tmp_path):
    """A live course and a draft course of one center, each with a transcoded lecture and an attachment,
    stored where the deployed site reads its files (committed: gunicorn reads the same database)."""
    from django.core.files.base import ContentFile

    from wagtail.documents import get_document_model

    from media import pipeline
    from media.models import Video
    from resources.models import ResourceAttachment

    from . import factories, videos

    settings.MEDIA_ROOT = site.media_root
    center, _other = centers
    lecture = videos.lecture(tmp_path / "lecture.mp4", seconds=3)
    made = {}
    for state in ("live", "draft"):
        video = Video(title=f"{state} 讲课", collection=center.collection)
        video.file.save("lecture.mp4", ContentFile(lecture.read_bytes()), save=False)
        video.save()
        pipeline.transcode(video.pk)
        video.refresh_from_db()
        assert video.is_ready
        content = f"{state} 附件内容".encode()
        document = get_document_model().objects.create(
            title=f"{state}讲义", file=ContentFile(content, name="notes.txt"), collection=center.collection
        )
        course = factories.MicroCoursePageFactory(parent=center.section, center=center, slug=state, video=video)
        ResourceAttachment.objects.create(page=course, document=document)
        if state == "draft":
            course.unpublish()
        made[state] = {"video": video, "document": document, "content": content}
    return made


def ladder_file(site, video, name):
    return (site.media_root / video.hls_dir / name).read_bytes()


def test_a_live_courses_files_are_sent_by_nginx_and_a_drafts_are_refused(site, courses_on_site):
    live, draft = courses_on_site["live"]["video"], courses_on_site["draft"]["video"]

    # The playlists are Django's (checked, rewritten); every segment URL is signed for nginx.
    master = site.fetch(live.playlist_url)
    assert master.status == 200
    rung = next(line for line in master.body.decode().splitlines() if line.endswith(".m3u8"))
    variant = site.fetch(live.playlist_url.rsplit("/", 1)[0] + "/" + rung)
    assert variant.status == 200
    segment_url = next(line for line in variant.body.decode().splitlines() if line.startswith("/media/p/"))
    probe = uuid.uuid4().hex
    segment = site.fetch(f"{segment_url}&probe={probe}")
    assert segment.status == 200 and segment.header("cache-control") == "public, max-age=3600"
    name = segment_url.split("?")[0].removeprefix(f"/media/p/{live.hls_dir}/")
    assert segment.body == ladder_file(site, live, name)
    assert not site.gunicorn_saw(probe)  # nginx checked the signature and sent the bytes alone

    # The poster: Django decides (gunicorn sees the request) and answers with an empty X-Accel-Redirect;
    # the bytes the client gets can only come from nginx.
    probe = uuid.uuid4().hex
    poster = site.fetch(f"{live.poster_url}?probe={probe}")
    assert poster.status == 200 and poster.body == ladder_file(site, live, "poster.jpg")
    assert poster.header("x-accel-redirect") is None and site.gunicorn_saw(probe)

    # The live course's attachment, the same way, saved under its title and unable to run as a page.
    document = courses_on_site["live"]["document"]
    response = site.fetch(document.url)
    assert response.status == 200 and response.body == courses_on_site["live"]["content"]
    assert "default-src 'none'" in response.header("content-security-policy")
    assert response.header("x-frame-options") == "DENY"

    # The draft: nothing of it, by any address.
    ladder = draft.hls_dir
    for path in (
        draft.playlist_url,
        f"/media/{ladder}/{rung}",
        f"/media/{ladder}/{name}",
        draft.poster_url,
        draft.captions_url or f"/media/{ladder}/poster.jpg",
        f"/media/{draft.file.name}",
        courses_on_site["draft"]["document"].url,
        f"/_protected/{ladder}/{name}",
    ):
        assert site.fetch(path).status == 404, path
    # A draft's segment under a signed address needs a token only the gate hands out.
    expires = int(time.time()) + 60
    assert site.fetch(f"/media/p/{ladder}/{name}?e={expires}&t=forged").status == 403


# -- request bodies ---------------------------------------------------------------------------


def announce(site, method, path, length):
    """Send only the headers of a `length`-byte request. nginx refuses a body over its limit at once (413);
    a body it buffers it waits for (None); a body it streams goes on to Django, which may answer first."""
    conn = HTTPSConnection("localhost", site.https_port, context=site.tls, timeout=2)
    try:
        conn.putrequest(method, path)
        conn.putheader("Content-Length", str(length))
        conn.endheaders()
        return conn.getresponse().status
    except TimeoutError:
        return None
    finally:
        conn.close()


def test_request_bodies_are_limited_per_location(site):
    mb = 1024**2
    chunk_url = f"/admin/videos/uploads/{uuid.uuid4()}/"
    assert announce(site, "POST", "/library/", 2 * mb) == 413
    assert announce(site, "POST", "/admin/documents/add/", 65 * mb) == 413
    assert announce(site, "POST", "/admin/documents/add/", 50 * mb) is None
    assert announce(site, "PATCH", chunk_url, 17 * mb) == 413
    assert announce(site, "PATCH", chunk_url, 16 * mb) is None
    assert announce(site, "POST", "/admin/media/video/add/", 5 * 1024 * mb) == 413
    # The single-file video upload is streamed to gunicorn: Django answers (403, no CSRF token) before
    # nginx has a byte of the 3 GB.
    probe = uuid.uuid4().hex
    assert announce(site, "POST", f"/admin/media/video/add/?probe={probe}", 3 * 1024 * mb) == 403
    assert site.gunicorn_saw(probe)

    # A whole tus chunk (8 MB) goes through nginx to Django, which answers it (here: not signed in).
    probe = uuid.uuid4().hex
    response = site.fetch(
        f"{chunk_url}?probe={probe}",
        method="PATCH",
        body=b"\0" * (8 * mb),
        headers={"Tus-Resumable": "1.0.0", "Upload-Offset": "0", "Content-Type": "application/offset+octet-stream"},
    )
    assert response.status in (302, 403, 404)
    assert site.gunicorn_saw(probe)


def test_the_site_also_passes_nginx_t_inside_debians_own_nginx_conf(site):
    debian = Path("/etc/nginx/nginx.conf")
    if not debian.exists():
        pytest.skip("no /etc/nginx/nginx.conf (not Debian's nginx package)")
    text = debian.read_text()
    assert "include /etc/nginx/sites-enabled/*;" in text
    text = text.replace("include /etc/nginx/sites-enabled/*;", f"include {site.root}/hub.conf;")
    text = re.sub(r"^pid .*;$", f"pid {site.root}/debian.pid;", text, flags=re.M)
    text = re.sub(r"(access_log|error_log) /var/log/nginx/", rf"\1 {site.root}/logs/debian-", text)
    (site.root / "debian-nginx.conf").write_text(text)
    checked = subprocess.run(
        [NGINX, "-t", "-p", str(site.root), "-e", str(site.root / "logs" / "debian-error.log")]
        + ["-c", str(site.root / "debian-nginx.conf")],
        capture_output=True,
        text=True,
    )
    assert checked.returncode == 0, checked.stderr


# -- systemd ----------------------------------------------------------------------------------


def test_the_units_pass_systemd_analyze_and_are_sandboxed(tmp_path, settings):
    analyze = shutil.which("systemd-analyze")
    if not analyze:
        pytest.skip("systemd-analyze is not installed (Debian's systemd package)")
    settings.VAR_DIR = tmp_path / "var"
    call_command("deploy_config", "systemd", "--out", str(tmp_path))
    for unit in ("hub-web.service", "hub-worker-default.service", "hub-worker-video.service"):
        path = str(tmp_path / unit)
        # Offline: unknown keys, bad values and missing executables are errors here (no systemd needed).
        verified = subprocess.run([analyze, "verify", "--man=no", path], capture_output=True, text=True)
        assert verified.returncode == 0 and not verified.stderr.strip(), verified.stderr
        # systemd's own exposure score, 0 (locked down) to 10; a unit without the sandbox scores 9.2.
        security = subprocess.run(
            [analyze, "security", "--offline=yes", "--threshold=40", "--no-pager", path],
            capture_output=True,
            text=True,
        )
        assert security.returncode == 0, security.stdout[-2000:]
        assert f"ReadWritePaths={settings.VAR_DIR}" in Path(path).read_text()


@pytest.mark.parametrize(
    ("key", "message"), [("", "MEDIA_SIGNING_KEY is missing"), ('a-long-key-with-a-"quote"', "letters, digits")]
)
def test_the_nginx_site_is_not_rendered_without_a_usable_signing_key(settings, key, message):
    from django.core.management.base import CommandError

    settings.MEDIA_SIGNING_KEY = key
    with pytest.raises(CommandError, match=message):
        call_command("deploy_config", "nginx")
