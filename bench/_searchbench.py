"""Shared set-up of the search benchmarks (search_quality.py, search_latency.py).

Each benchmark runs in a fresh database of its own (a SQLite file in a temporary folder, or a
temporary PostgreSQL database), never in var/. Django is configured like the test suite
(hub.settings.test) with three differences: background tasks are queued in the database and never
run (so load_demo's lecture videos are not transcoded); WAGTAILSEARCH_BACKENDS gets a "stock"
entry, Wagtail's own database backend, whatever the "default" entry is, for comparison; and
Elasticsearch is used when ELASTICSEARCH_URL is set, under the alias fudaoyuan-searchbench
(SEARCHBENCH_ELASTICSEARCH_INDEX), never the site's own.
"""

import contextlib
import io
import json
import os
import statistics
import sys
import tempfile
import time
import unicodedata
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parent.parent
QUERIES_PATH = Path(__file__).resolve().parent / "search_queries.json"
HEADLINE_QUERIES = ["心理危机", "谈心谈话", "网络舆情", "学业帮扶", "电信诈骗"]
# Demo resources that share characters with a query word but are not about it: a result list for a
# query containing the word must not show them (用心理解 contains 心理; 危险 shares 危 with 危机).
DISTRACTORS = {
    "yongxin-lijie-xuesheng-yuren-qinghuai": "心理",
    "shiyanshi-weixian-huaxuepin-anquan-guanli-anli": "危机",
}
STOCK_BACKEND = {"BACKEND": "wagtail.search.backends.database", "AUTO_UPDATE": False}


def load_queries(path=QUERIES_PATH):
    return json.loads(Path(path).read_text(encoding="utf-8"))


# -- Django ------------------------------------------------------------------


def setup_django(tmp, database_url=None):
    """Configure and start Django on a fresh database in `tmp` (or `database_url`)."""
    tmp = Path(tmp)
    for path in (ROOT, ROOT / "site"):  # as manage.py: site/ holds the apps, the root holds search/ and media/
        if str(path) not in sys.path:
            sys.path.insert(0, str(path))
    os.environ["DJANGO_SETTINGS_MODULE"] = "hub.settings.test"
    os.environ["VAR_DIR"] = str(tmp)
    os.environ["MEDIA_ROOT"] = str(tmp / "media")
    os.environ["DATABASE_URL"] = database_url or f"sqlite:///{tmp / 'db.sqlite3'}"
    os.environ["TASKS_BACKEND"] = "database"  # queued, never run: no transcoding, no per-save index tasks
    os.environ.setdefault("LOG_LEVEL", "WARNING")

    import django
    from django.conf import settings

    settings.WAGTAILSEARCH_BACKENDS = {**settings.WAGTAILSEARCH_BACKENDS, "stock": STOCK_BACKEND}
    # The test settings switch Elasticsearch off; the benchmarks use it when ELASTICSEARCH_URL is set,
    # under an alias of their own so that a rebuild never replaces the site's index on a shared cluster.
    settings.SEARCH = {
        **settings.SEARCH,
        "ELASTICSEARCH_URL": os.environ.get("ELASTICSEARCH_URL", ""),
        "ELASTICSEARCH_INDEX": os.environ.get("SEARCHBENCH_ELASTICSEARCH_INDEX", "fudaoyuan-searchbench"),
    }
    django.setup()


def migrate_and_load_demo():
    """Migrations and the demo content, quietly. Returns the seconds each took."""
    from django.core.management import call_command

    started = time.perf_counter()
    call_command("migrate", verbosity=0, interactive=False)
    migrated = time.perf_counter()
    out = io.StringIO()
    call_command("load_demo", stdout=out, stderr=out)
    return migrated - started, time.perf_counter() - migrated


def database_size():
    """(bytes, description) of the benchmark's database."""
    from django.db import connection

    if connection.vendor == "sqlite":
        name = Path(connection.settings_dict["NAME"])
        with connection.cursor() as cursor:
            cursor.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        files = [p for p in (name, Path(f"{name}-wal"), Path(f"{name}-shm")) if p.exists()]
        return sum(p.stat().st_size for p in files), f"SQLite file {name.name}"
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_database_size(current_database())")
            return cursor.fetchone()[0], "pg_database_size"
    return 0, connection.vendor


def table_sizes(prefixes=("search_", "wagtailsearch_")):
    """{table: bytes} of the search tables, where the database can tell (SQLite dbstat, PostgreSQL)."""
    from django.db import connection

    sizes = {}
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            try:
                cursor.execute("SELECT name, SUM(pgsize) FROM dbstat GROUP BY name")
            except Exception:  # SQLite built without dbstat
                return {}
            rows = dict(cursor.fetchall())
            # FTS5 tables keep their data in shadow tables (name_data, name_idx, …).
            for name, size in rows.items():
                if name.startswith(prefixes):
                    sizes[name] = size
        elif connection.vendor == "postgresql":
            for table in connection.introspection.table_names(cursor, include_views=False):
                if table.startswith(prefixes):
                    cursor.execute("SELECT pg_total_relation_size(%s)", [table])
                    sizes[table] = cursor.fetchone()[0]
    return sizes


@contextlib.contextmanager
def workdir(prefix, keep=False):
    """A temporary folder for the database and uploads, removed afterwards unless `keep`."""
    if keep:
        path = tempfile.mkdtemp(prefix=prefix)
        yield path
        print(f"kept: {path}")
        return
    with tempfile.TemporaryDirectory(prefix=prefix) as path:
        yield path


@contextlib.contextmanager
def temporary_postgres(url, keep=False, tag="searchbench"):
    """A fresh database on the server of `url` (same user; needs CREATEDB), dropped afterwards
    unless `keep` (with the connections a server under test may still hold). Yields its URL."""
    import psycopg

    parts = urlsplit(url)
    name = f"{(parts.path.lstrip('/') or 'bench')}_{tag}_{os.getpid()}"
    admin = urlunsplit(parts._replace(scheme="postgresql", path="/postgres"))
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    try:
        yield urlunsplit(parts._replace(path=f"/{name}"))
    finally:
        from django.db import connections

        connections.close_all()
        if keep:
            print(f"kept PostgreSQL database {name}")
        else:
            with psycopg.connect(admin, autocommit=True) as conn:
                conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


# -- search ------------------------------------------------------------------


def service():
    """(search.service, search.indexing), or (None, reason) while they do not exist yet."""
    try:
        from search import indexing
        from search import service as service_module
    except ImportError as exc:
        return None, f"search.service / search.indexing not importable ({exc})"
    return (service_module, indexing), None


def elasticsearch_configured():
    return bool(os.environ.get("ELASTICSEARCH_URL"))


def service_search(q, backend, filters=None, sort="relevance", page=1, page_size=10):
    from search.service import SearchRequest, search

    return search(SearchRequest(q=q, filters=filters or {}, sort=sort, page=page, page_size=page_size), backend=backend)


def rss_bytes():
    """This process's resident memory now (Linux)."""
    try:
        pages = int(Path("/proc/self/statm").read_text().split()[1])
    except OSError:
        return 0
    return pages * os.sysconf("SC_PAGE_SIZE")


def rebuild_service_index(memory=None):
    """indexing.rebuild(); seconds. `memory`: a list that receives (documents done, resident bytes)
    about every tenth of the way, to show whether memory grows with the index."""
    from search import indexing

    marks = set()

    def progress(name, done, total):
        tenth = done * 10 // max(total, 1)
        if memory is not None and tenth not in marks:
            marks.add(tenth)
            memory.append((name, done, rss_bytes()))

    started = time.perf_counter()
    indexing.rebuild(progress=progress, restart=True)
    return time.perf_counter() - started


def rebuild_stock_index():
    """Wagtail's own database backend ("stock"): its update_index; seconds."""
    from django.core.management import call_command

    started = time.perf_counter()
    call_command("update_index", backend_name="stock", verbosity=0)
    return time.perf_counter() - started


def stock_queryset():
    from resources.models import ResourcePage

    return ResourcePage.objects.live().public()


def stock_search(q, limit=10, order_by=None):
    """Wagtail's stock backend on the same data: the first `limit` live, public resources."""
    return list(stock_queryset().search(q, backend="stock", order_by=order_by)[:limit])


# -- numbers and tables --------------------------------------------------------


def percentile(values, p):
    """Nearest-rank percentile (p in 0..100) of a non-empty list."""
    ordered = sorted(values)
    rank = max(1, -(-len(ordered) * p // 100))  # ceil
    return ordered[int(rank) - 1]


def summarize_ms(seconds):
    ms = [s * 1000 for s in seconds]
    return {"n": len(ms), "median": statistics.median(ms), "p95": percentile(ms, 95), "max": max(ms)}


def width(text):
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)


def clip(text, cells):
    """`text` cut to at most `cells` terminal cells (CJK characters take two), with … if cut."""
    if width(text) <= cells:
        return text
    out, used = "", 0
    for c in text:
        w = 2 if unicodedata.east_asian_width(c) in "WF" else 1
        if used + w > cells - 1:
            break
        out += c
        used += w
    return out + "…"


def pad(text, cells, right=False):
    text = clip(str(text), cells)
    fill = " " * (cells - width(text))
    return fill + text if right else text + fill


def human_bytes(n):
    for unit in ("B", "KB", "MB", "GB"):
        if n < 1024 or unit == "GB":
            return f"{n:.1f} {unit}" if unit != "B" else f"{n} B"
        n /= 1024
