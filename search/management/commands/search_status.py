"""Report the search backends' health and the queue of changes waiting for Elasticsearch.

    manage.py search_status [--flush]

Exits with status 1 when a configured backend is unreachable (for monitoring)."""

import json

from django.core.management.base import BaseCommand, CommandError

from search import indexing


class Command(BaseCommand):
    help = "Search health: backend, documents, Elasticsearch state, queued changes."

    def add_arguments(self, parser):
        parser.add_argument("--flush", action="store_true", help="send queued changes to Elasticsearch now")

    def handle(self, *, flush, **options):
        if flush:
            self.stdout.write(f"applied {indexing.flush_queue()} queued changes")
        report = indexing.health_report()
        self.stdout.write(json.dumps(report, ensure_ascii=False, indent=2, default=str))
        if not report["ok"]:
            raise CommandError("a search backend is unavailable")
