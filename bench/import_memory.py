"""Peak memory of validating a manifest one of whose lines holds a huge summary.

    .venv/bin/python bench/import_memory.py [--megabytes 100]

Writes a manifest of a center line, one ordinary course and one course whose `summary` is
--megabytes MB long, migrates a fresh SQLite database in a temporary VAR_DIR, then runs what
`import_resources` runs before writing (read, then validate) and prints the problems found, the
peak of Python allocations (tracemalloc) and the process's peak resident size (ru_maxrss) before and
after. Issue 11 measured 1.47 GB for a 100 MB summary with the importer that read the whole file;
the importer reads one line at a time and passes over a line longer than MAX_LINE_BYTES in pieces."""

import argparse
import json
import os
import resource
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT / "site"), str(ROOT)]


def write_manifest(path, megabytes):
    with path.open("w", encoding="utf-8") as out:
        out.write(json.dumps({"kind": "center", "code": "bench", "name": "测试中心"}, ensure_ascii=False) + "\n")
        out.write(json.dumps({"kind": "microcourse", "slug": "ok", "title": "普通课程", "center": "bench"}) + "\n")
        out.write('{"kind": "microcourse", "slug": "huge", "title": "超长摘要", "summary": "')
        piece = "a" * 1024**2
        for _ in range(megabytes):
            out.write(piece)
        out.write('"}\n')


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--megabytes", type=int, default=100)
    args = parser.parse_args()

    var_dir = Path(tempfile.mkdtemp(prefix="bench-import-"))
    os.environ.update(VAR_DIR=str(var_dir), DJANGO_SETTINGS_MODULE="hub.settings.dev", LOG_LEVEL="WARNING")
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    from resources.importer import Manifest, ManifestInvalid

    manifest = var_dir / "manifest.jsonl"
    write_manifest(manifest, args.megabytes)
    print(f"manifest: {manifest.stat().st_size / 1024**2:.1f} MB")

    rss_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    tracemalloc.start()
    started = time.monotonic()
    try:
        Manifest(manifest).read().validate()
        problems = []
    except ManifestInvalid as exc:
        problems = exc.problems
    elapsed = time.monotonic() - started
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    rss_after = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    for problem in problems:
        print(f"  {str(problem)[:120]}")
    print(f"read + validate: {elapsed:.2f} s")
    print(f"peak Python allocations (tracemalloc): {peak / 1024**2:.1f} MB")
    print(f"peak resident size: {rss_before:.0f} MB before, {rss_after:.0f} MB after")


if __name__ == "__main__":
    main()
