from pathlib import Path

from django.core.management.base import BaseCommand

from .import_resources import run_import

DEMO_MANIFEST = Path(__file__).resolve().parents[2] / "demo" / "manifest.jsonl"


class Command(BaseCommand):
    help = (
        "Build the demo site (centers, experts, micro-courses, cases, policy documents) "
        "through the importer. Idempotent."
    )

    def handle(self, **options):
        run_import(self, DEMO_MANIFEST)
