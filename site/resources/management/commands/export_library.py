import sys
from contextlib import contextmanager

from tqdm import tqdm

from django.core.management.base import BaseCommand, CommandError
from django.db import connection, transaction

from resources.exporter import ExportError, LibraryExport, prepare_folder

PROGRESS_EVERY = 1000


class Command(BaseCommand):
    help = (
        "Export the public library (live, public micro-courses, cases, policy documents and series, with the "
        "centers and experts they refer to) as a JSON Lines manifest with its videos and attachments in "
        "files/ beside it, for `import_resources` on another installation. Drafts and private pages are "
        "never exported."
    )

    def add_arguments(self, parser):
        parser.add_argument("out_dir", help="folder to write manifest.jsonl and files/ into (created if missing)")
        parser.add_argument(
            "--force",
            action="store_true",
            help="write into a folder that is not empty, replacing its manifest.jsonl and files/ (nothing else)",
        )
        parser.add_argument(
            "--batch-size", type=int, default=200, help="pages read at a time (memory use grows with it; default 200)"
        )

    def handle(self, out_dir, force=False, batch_size=200, **options):
        if not 1 <= batch_size <= 5000:
            raise CommandError("--batch-size must be between 1 and 5000.")
        try:
            folder = prepare_folder(out_dir, force=force)
        except ExportError as exc:
            raise CommandError(str(exc)) from exc
        except OSError as exc:
            raise CommandError(f"Cannot use {out_dir}: {exc.strerror or exc}.") from exc

        export = LibraryExport(folder, batch_size=batch_size)
        total = export.total()
        self.stdout.write(f"Exporting up to {total} live pages to {folder} …")
        # The bar goes to the terminal only; logs and tests get the summary alone.
        with tqdm(total=total, desc="exporting", unit="page", file=sys.stderr, disable=None) as bar:
            export.progress = self._progress(bar, total)
            try:
                with snapshot():
                    summary = export.run()
            except OSError as exc:
                raise CommandError(
                    f"Writing the export failed: {exc.strerror or exc}. The folder is incomplete."
                ) from exc

        for warning in summary.warnings:
            self.stderr.write(f"warning: {warning}")
        for kind, count in summary.by_kind.items():
            self.stdout.write(f"  {kind:<12} {count}")
        self.stdout.write(
            self.style.SUCCESS(
                f"Exported {_count(summary.pages, 'page')}, {_count(summary.files, 'file')} "
                f"({_size(summary.bytes)}) to "
                f"{folder / 'manifest.jsonl'} in {summary.seconds:.1f} s. "
                f"Import elsewhere with: manage.py import_resources {folder / 'manifest.jsonl'}"
            )
        )

    def _progress(self, bar, total):
        """The bar on a terminal; elsewhere (a log, cron) a line every PROGRESS_EVERY pages."""
        done = {"pages": 0, "said": 0}

        def update(pages):
            bar.update(pages)
            done["pages"] += pages
            if bar.disable and done["pages"] - done["said"] >= PROGRESS_EVERY:
                done["said"] = done["pages"]
                self.stdout.write(f"  … {done['pages']} of {total} pages")

        return update


@contextmanager
def snapshot():
    """On PostgreSQL, one read-only repeatable-read transaction: the whole export sees the library as it
    was when it started, even if editors publish meanwhile. (SQLite is left alone: a read transaction
    there would block every writer for the length of the export.)"""
    if connection.vendor != "postgresql" or connection.in_atomic_block:
        yield
        return
    with transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ READ ONLY")
        yield


def _count(n, noun):
    return f"{n} {noun}" if n == 1 else f"{n} {noun}s"


def _size(n):
    for unit in ("bytes", "KB", "MB", "GB"):
        if n < 1024 or unit == "GB":
            return f"{n} {unit}" if unit == "bytes" else f"{n:.1f} {unit}"
        n /= 1024
