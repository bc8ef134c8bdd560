"""gunicorn for the hub, behind nginx on the same machine (docs/deployment.md).

    .venv/bin/gunicorn -c deploy/gunicorn.conf.py        # what deploy/systemd/hub-web.service runs

Every number here can be changed without editing this file: gunicorn reads GUNICORN_CMD_ARGS after it,
e.g. GUNICORN_CMD_ARGS="--workers 8 --threads 8" in /etc/hub/env."""

import os
from pathlib import Path

APP_DIR = Path(__file__).resolve().parent.parent

wsgi_app = "hub.wsgi:application"
chdir = str(APP_DIR)
# `site/` holds the Django project and is never a package (see manage.py); the repository root holds the
# `media` and `search` apps.
pythonpath = f"{APP_DIR / 'site'},{APP_DIR}"
proc_name = "hub-web"

# Loopback only: nginx is the only client. `manage.py deploy_config nginx` reads this same value for the
# upstream, so the two always agree.
bind = [os.environ.get("GUNICORN_BIND", "127.0.0.1:8000")]

# Processes give parallelism (one Python process runs on one core at a time), threads let a process go on
# while a request waits for PostgreSQL, the disk or a slow upload. Two processes per core keep every core
# busy while one process waits; four threads each make 8 requests at once on 2 cores, 16 on 4. A Wagtail
# process takes 150-250 MB, so this stays well within a small server's memory.
worker_class = "gthread"
workers = 2 * (os.cpu_count() or 1)
threads = 4

# nginx buffers every request body (a tus chunk of 8 MB arrives whole, at loopback speed) and every
# response, so a slow mobile client never holds a thread -- except the admin's single-file video upload,
# which nginx streams through (proxy_request_buffering off) so that 4 GB are not written to disk twice.
# That upload keeps one thread for as long as the client takes; the other threads go on.
#
# With gthread workers `timeout` does not bound a request: it is how long a process may fail to show life
# (its main loop) before the master kills and replaces it. 60 s covers a process busy in C code (Pillow
# resizing a large image) without leaving a wedged one around for long. The request itself is bounded by
# nginx's proxy_read_timeout (60 s; 300 s for the single upload, which Django probes and stores after the
# last byte).
timeout = 60
# On `systemctl reload hub-web` (HUP: new workers on new code) and on stop, a request in flight may
# finish for this long; hub-web.service's TimeoutStopSec is longer.
graceful_timeout = 60
# nginx keeps connections to us open (upstream keepalive, its keepalive_timeout 60 s). gunicorn must keep
# them longer than nginx does, or nginx may send a request on a connection gunicorn is just closing (502).
keepalive = 75

# Restart each process after about 20,000 requests (staggered), bounding slow memory growth (Pillow,
# caches). Not fewer: the players' progress reports alone come at hundreds a second, and a new process
# spends about a second of CPU importing Django and Wagtail -- at 1000 that was a restart every few
# seconds per process (bench/progress.py).
max_requests = 20000
max_requests_jitter = 2000

# Matches nginx's large_client_header_buffers (4 x 8k): longer lines or headers are refused before Django.
limit_request_line = 8190
limit_request_field_size = 8190
limit_request_fields = 100

# Trust X-Forwarded-Proto/-For only from nginx on loopback (Django trusts X-Forwarded-Proto through
# SECURE_PROXY_SSL_HEADER in hub/settings/production.py).
forwarded_allow_ips = "127.0.0.1,::1"

# The heartbeat file is touched constantly; on a disk it can stall a worker under I/O load (gunicorn's
# documentation), so keep it in memory when /dev/shm exists (it does under systemd's PrivateDevices too).
worker_tmp_dir = "/dev/shm" if os.access("/dev/shm", os.W_OK) else None

# gunicorn 25+ opens a control socket under $HOME; the service user has none, and systemctl is the control.
control_socket_disable = True

# Logs go to stdout/stderr, that is to the journal under systemd (journalctl -u hub-web), which rotates
# them. The access log shows the client's address (nginx's X-Forwarded-For) and the time taken.
accesslog = "-"
errorlog = "-"
access_log_format = '%({x-forwarded-for}i)s "%(r)s" %(s)s %(B)s %(M)sms "%(f)s" "%(a)s"'
