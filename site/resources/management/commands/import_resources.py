import sys

from tqdm import tqdm

from django.core.management.base import BaseCommand, CommandError

from resources.importer import Manifest, ManifestInvalid, ManifestWriter


def run_import(command, path, dry_run=False):
    """Validate then write a manifest, reporting like `import_resources` (also used by load_demo)."""
    try:
        manifest = Manifest(path).read().validate()
    except ManifestInvalid as exc:
        for problem in exc.problems:
            command.stderr.write(str(problem))
        raise CommandError(f"{len(exc.problems)} problem(s) in {path}; nothing was written.") from exc

    # The bar goes to the terminal only; logs and tests get the summary alone.
    with tqdm(total=len(manifest.lines), desc="importing", unit="line", file=sys.stderr, disable=None) as bar:
        summary = ManifestWriter(manifest).write(dry_run=dry_run, progress=lambda line: bar.update())

    for warning in summary.warnings:
        command.stderr.write(f"warning: {warning}")
    for kind, counts in summary.by_kind.items():
        command.stdout.write(f"  {kind:<12} " + ", ".join(f"{k} {v}" for k, v in counts.items()))
    verb = "would be" if dry_run else "were"
    command.stdout.write(
        command.style.SUCCESS(
            f"created: {summary.created}, updated: {summary.updated}, unchanged: {summary.unchanged}"
            + (f" (dry run: nothing {verb} written)" if dry_run else "")
        )
    )
    return summary


class Command(BaseCommand):
    help = (
        "Import micro-courses, cases, policy documents, centers, experts and series from a JSON Lines "
        "manifest (format: shared DESIGN.md and README). Every line is validated before anything is "
        "written; on any problem nothing is written."
    )

    def add_arguments(self, parser):
        parser.add_argument("manifest", help="path to the .jsonl manifest; file paths inside it are relative to it")
        parser.add_argument(
            "--dry-run", action="store_true", help="validate and report what would change, without writing"
        )

    def handle(self, manifest, dry_run=False, **options):
        run_import(self, manifest, dry_run=dry_run)
