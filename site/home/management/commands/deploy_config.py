"""Render the shipped production configuration (deploy/) from this installation's settings.

    manage.py deploy_config nginx   [--out DIR] [--server-name NAME] [--listen ADDR]... [--tls-certificate PATH]
    manage.py deploy_config systemd [--out DIR] [--user hub] [--group hub] [--env-file /etc/hub/env]

Run it with the production environment (deploy/hub-manage does), so that paths, the media signing key, the
site's address and gunicorn's address are the ones the services will use. Without --out the files are printed."""

import re
import runpy
import sys
from pathlib import Path
from urllib.parse import urlsplit

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.template import Context, Engine

DEPLOY_DIR = Path(settings.BASE_DIR) / "deploy"
UNITS = ["hub-web.service", "hub-worker-default.service", "hub-worker-video.service"]
# The key is written into nginx's secure_link_md5 string: no quotes, spaces, `$` or `;` may reach it.
SAFE_KEY = re.compile(r"^[A-Za-z0-9._~+/=-]{16,}$")


def nginx_size(n):
    """nginx's notation for a byte count: 4g rather than 4294967296."""
    for suffix, unit in (("g", 1024**3), ("m", 1024**2), ("k", 1024)):
        if n % unit == 0:
            return f"{n // unit}{suffix}"
    return str(n)


def plain_path(value, what):
    path = str(Path(value).resolve())
    if re.search(r"[\s;{}\"'$#]", path):
        raise CommandError(f"{what} ({path}) contains spaces or characters nginx/systemd would misread.")
    return path


def gunicorn_bind():
    """The address gunicorn listens on, read from deploy/gunicorn.conf.py (which reads GUNICORN_BIND)."""
    bind = runpy.run_path(str(DEPLOY_DIR / "gunicorn.conf.py"))["bind"]
    return bind[0] if isinstance(bind, list) else bind


class Command(BaseCommand):
    help = "Render the nginx site or the systemd units of deploy/ with this installation's settings."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="what", required=True)
        nginx = sub.add_parser("nginx", help="the nginx site (hub.conf), with the media signing key")
        nginx.add_argument("--out", type=Path, help="write DIR/hub.conf (mode 600) instead of printing it")
        nginx.add_argument("--server-name", help="host name(s) (default: BASE_URL's host)")
        nginx.add_argument(
            "--listen", action="append", help="HTTPS address, repeatable (default: BASE_URL's port on IPv4 and IPv6)"
        )
        nginx.add_argument(
            "--http-listen", action="append", help="plain HTTP address that redirects, repeatable (default: 80)"
        )
        nginx.add_argument("--tls-certificate", help="default: /etc/letsencrypt/live/<name>/fullchain.pem")
        nginx.add_argument("--tls-certificate-key", help="default: /etc/letsencrypt/live/<name>/privkey.pem")
        nginx.add_argument("--log-dir", default="/var/log/nginx", help="access and error logs (%(default)s)")
        nginx.add_argument(
            "--acme-root", default="/var/www/html", help="folder of certbot's webroot challenges (%(default)s)"
        )
        systemd = sub.add_parser("systemd", help="the units of the web server and the two workers")
        systemd.add_argument("--out", type=Path, help="write the units into DIR instead of printing them")
        systemd.add_argument("--user", default="hub", help="the services' user (default: %(default)s)")
        systemd.add_argument("--group", default="hub", help="their group (default: %(default)s)")
        systemd.add_argument("--env-file", default="/etc/hub/env", help="their environment (default: %(default)s)")

    def handle(self, *, what, out, **options):
        engine = Engine(dirs=[str(DEPLOY_DIR)], autoescape=False)
        if what == "nginx":
            files = {"hub.conf": engine.get_template("nginx/hub.conf.template").render(Context(self.nginx(options)))}
            mode = 0o600  # the signing key is in it
        else:
            context = self.systemd(options)
            files = {name: engine.get_template(f"systemd/{name}").render(Context(context)) for name in UNITS}
            mode = 0o644
        if out is None:
            for name, text in files.items():
                if len(files) > 1:
                    self.stdout.write(f"# ---- {name}")
                self.stdout.write(text, ending="")
            return
        out.mkdir(parents=True, exist_ok=True)
        for name, text in files.items():
            path = out / name
            path.write_text(text, encoding="utf-8")
            path.chmod(mode)
            self.stderr.write(f"wrote {path}")

    def nginx(self, options):
        key = getattr(settings, "MEDIA_SIGNING_KEY", None)
        if not key:
            raise CommandError(
                "settings.MEDIA_SIGNING_KEY is missing or empty: nginx needs it to check signed media URLs. "
                "Set MEDIA_SIGNING_KEY in the environment (/etc/hub/env) and run this again."
            )
        if not SAFE_KEY.match(key):
            raise CommandError(
                "MEDIA_SIGNING_KEY must be at least 16 characters of letters, digits and ._~+/=- only (it is "
                'written into nginx\'s configuration): python -c "import secrets; print(secrets.token_urlsafe(32))"'
            )
        for name in ("STATIC_URL", "MEDIA_URL"):
            value = getattr(settings, name)
            if not (value.startswith("/") and value.endswith("/")):
                raise CommandError(f"{name} must be a path such as /static/ for this nginx site, not {value!r}.")
        base = urlsplit(settings.WAGTAILADMIN_BASE_URL)
        server_name = options["server_name"] or base.hostname
        if not server_name:
            raise CommandError("BASE_URL must be the site's address (https://name/), or pass --server-name.")
        port = base.port or 443
        cert_dir = f"/etc/letsencrypt/live/{server_name.split()[0]}"
        return {
            "base_url": settings.WAGTAILADMIN_BASE_URL,
            "server_name": server_name,
            "https_listen": options["listen"] or [str(port), f"[::]:{port}"],
            "http_listen": options["http_listen"] or ["80", "[::]:80"],
            "https_port_suffix": "" if port == 443 else f":{port}",
            "tls_certificate": options["tls_certificate"] or f"{cert_dir}/fullchain.pem",
            "tls_certificate_key": options["tls_certificate_key"] or f"{cert_dir}/privkey.pem",
            "acme_root": plain_path(options["acme_root"], "--acme-root"),
            "log_dir": plain_path(options["log_dir"], "--log-dir"),
            "upstream": gunicorn_bind(),
            "static_url": settings.STATIC_URL,
            "static_root": plain_path(settings.STATIC_ROOT, "STATIC_ROOT"),
            "media_url": settings.MEDIA_URL,
            "media_root": plain_path(settings.MEDIA_ROOT, "MEDIA_ROOT"),
            "signing_key": key,
            "max_upload_size": nginx_size(settings.MEDIA_MAX_UPLOAD_SIZE),
            "tus_chunk_mb": settings.MEDIA_UPLOAD_CHUNK_SIZE // 1024**2,
            # Twice a chunk: room for a client that rounds its chunk size up.
            "tus_body_limit": nginx_size(2 * settings.MEDIA_UPLOAD_CHUNK_SIZE),
        }

    def systemd(self, options):
        if sys.prefix == sys.base_prefix:
            raise CommandError(
                "Run this with the virtualenv's Python (.venv/bin/python manage.py …): the units use it."
            )
        app_dir = plain_path(settings.BASE_DIR, "the application folder")
        var_dir = plain_path(settings.VAR_DIR, "VAR_DIR")
        # Everything the services write: VAR_DIR, and media or scratch space kept elsewhere ('-': may be absent).
        writable = [var_dir]
        for name in ("MEDIA_ROOT", "MEDIA_WORK_DIR"):
            path = plain_path(getattr(settings, name), name)
            if not Path(path).is_relative_to(var_dir):
                writable.append(f"-{path}")
        under_home = any(
            Path(p.lstrip("-")).is_relative_to(h) for p in [app_dir, *writable] for h in ("/home", "/root")
        )
        return {
            "user": options["user"],
            "group": options["group"],
            "env_file": options["env_file"],
            "app_dir": app_dir,
            "venv": plain_path(sys.prefix, "the virtualenv"),
            "tmp_dir": f"{var_dir}/tmp",
            "read_write_paths": " ".join(writable),
            "protect_home": "read-only" if under_home else "yes",
        }
