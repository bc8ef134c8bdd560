"""Rebuild the search index from the pages, with a progress bar.

    manage.py rebuild_search_index [--backend database|elasticsearch] [--restart]

The database index is built beside the live one, batch by batch, and swapped in at the end:
searches and publishing go on meanwhile, memory stays constant, and an interrupted rebuild
resumes where it stopped when run again (`--restart` starts it over). On Elasticsearch a new
index is filled and the alias switched to it in one step, so searches keep working during the
rebuild; changes queued while the cluster was down are then settled.
"""

from tqdm import tqdm

from django.core.management.base import BaseCommand, CommandError

from search import indexing
from search.backends.base import BackendUnavailable
from search.rebuild import RebuildRunning


class Command(BaseCommand):
    help = "Rebuild the Chinese search index (database, and Elasticsearch when ELASTICSEARCH_URL is set)."

    def add_arguments(self, parser):
        parser.add_argument(
            "--backend",
            choices=["database", "elasticsearch"],
            action="append",
            help="only this backend (may be repeated; default: every configured one)",
        )
        parser.add_argument(
            "--restart", action="store_true", help="start an interrupted database rebuild over instead of resuming it"
        )

    def handle(self, *, backend, restart, verbosity, **options):
        if backend and "elasticsearch" in backend and not indexing.elasticsearch_configured():
            raise CommandError("ELASTICSEARCH_URL is not set.")
        bars = {}

        def progress(name, done, total):
            if verbosity == 0:
                return
            bar = bars.get(name)
            if bar is None:
                bar = bars[name] = tqdm(total=total, desc=name, unit="doc", file=self.stderr._out)
            if done < bar.n or bar.total != total:  # a resumed rebuild starts at its last batch
                bar.reset(total=total)
            bar.update(done - bar.n)

        try:
            counts = indexing.rebuild(progress=progress, backends=backend, restart=restart)
        except BackendUnavailable as exc:
            raise CommandError(f"Elasticsearch is unavailable: {exc}") from exc
        except RebuildRunning as exc:
            raise CommandError(f"{exc}: wait for it to end (`search_status` shows its progress)") from exc
        finally:
            for bar in bars.values():
                bar.close()
        for name, count in counts.items():
            self.stdout.write(f"{name}: {count} documents indexed")
