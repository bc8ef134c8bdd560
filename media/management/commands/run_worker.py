"""Run a task worker for the configured backend, and sweep for transcodes whose worker died.

    manage.py run_worker [--queues default,video] [--sweep-every 60] [--batch]

With the database backend (the default) this is django-tasks-db's `db_worker`; with
TASKS_BACKEND=rq it is django-rq's `rqworker`. Start as many as the machines allow, anywhere that
reaches the database (and Redis)."""

import logging
import threading

from django_tasks import DEFAULT_TASK_BACKEND_ALIAS, task_backends

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand
from django.db import close_old_connections
from django.utils.module_loading import import_string

logger = logging.getLogger("media.worker")


class Command(BaseCommand):
    help = "Run a background worker for the configured task backend, re-queueing transcodes whose worker died."

    def add_arguments(self, parser):
        parser.add_argument("--queues", default="default,video", help="comma-separated queues (default: %(default)s)")
        parser.add_argument(
            "--sweep-every",
            type=float,
            default=60,
            help="seconds between looks for transcodes whose worker died; 0 turns it off (default: %(default)s)",
        )
        parser.add_argument("--batch", action="store_true", help="run what is queued, then exit (database backend)")
        parser.add_argument("--worker-id", default=None, help="unique id of this worker (default: random)")

    def handle(self, *, queues, sweep_every, batch, worker_id, verbosity, **options):
        def sweep():
            # settings.WORKER_SWEEPS: stalled transcodes, search changes waiting for Elasticsearch.
            for path in settings.WORKER_SWEEPS:
                try:
                    done = import_string(path)()
                    if done:
                        logger.warning("%s: %s", path, done)
                except Exception:
                    logger.exception("sweep %s failed", path)
                finally:
                    close_old_connections()

        # At start-up first: a worker restarted after a crash picks up the job it was running.
        sweep()
        if sweep_every > 0 and not batch:
            stop = threading.Event()

            def loop():
                while not stop.wait(sweep_every):
                    sweep()

            threading.Thread(target=loop, name="stalled-transcode-sweeper", daemon=True).start()

        backend = type(task_backends[DEFAULT_TASK_BACKEND_ALIAS]).__name__
        if backend == "DatabaseBackend":
            # db_worker prints two lines per task at verbosity 1; the pipeline logs what matters.
            args = {"queue_name": queues, "interval": 1, "verbosity": max(0, verbosity - 1), "reload": False}
            args["batch"] = batch
            if worker_id:
                args["worker_id"] = worker_id
            call_command("db_worker", **args)
        elif backend == "RQBackend":
            # django-tasks-rq's Job class runs django-tasks' Task objects (rq's own cannot call them).
            rq_args = [*queues.split(","), "--job-class", "django_tasks_rq.Job"] + (["--burst"] if batch else [])
            call_command("rqworker", *rq_args, verbosity=verbosity)
        else:
            self.stdout.write(f"The {backend} task backend runs tasks at once; there is no worker to run.")
