"""Rebuilding the database index without a pause in searching, in constant memory, resumable.

Like Elasticsearch's alias switch: the new index is written into `search_indexentry_next` (and
its full-text index) while `search_indexentry` goes on answering searches and taking publishes.
Pages are read and written batch by batch in page id order, each batch in its own transaction,
and the progress is kept in `RebuildState`: an interrupted rebuild (a deploy, a killed process)
resumes after the last batch written. Pages changed meanwhile are noted in `RebuildChange`; just
before the swap their latest state is written into the new index, and the swap itself (renaming
the tables) takes one short transaction. Publishing waits for it: on PostgreSQL through an
advisory lock that every index update takes shared, on SQLite because writes take turns anyway.
"""

import contextlib
import fcntl
import functools
import hashlib
import logging
import tempfile
from pathlib import Path

from pyroaring import BitMap

from django.apps.registry import Apps
from django.db import connection, models, transaction

from . import analysis, documents
from .backends.database import entry_values, write_vectors
from .models import IndexEntry, IndexVersion, RebuildChange, RebuildState

logger = logging.getLogger(__name__)

LIVE, NEXT = "search_indexentry", "search_indexentry_next"
FTS, FTS_NEXT = "search_fts", "search_fts_next"
COLUMNS = ["title_words", "keywords", "summary_words", "body_words", "bigrams"]
LOCK_KEY = 727_180_001  # PostgreSQL advisory lock: index updates (shared) against the swap (exclusive)
BATCH = 200
FORMAT = 1  # raise when the documents' rules change (search.documents), so that no rebuild resumes across it


_next_model = None


def next_model():
    """IndexEntry's columns on the table of the new index. In a registry of its own (never listed
    among the site's models, never seen by `makemigrations`), made when a rebuild first runs. The
    page is a plain integer key, without a foreign key constraint: deleting a page elsewhere while
    the index is built must not fail on a row of it (the changes noted settle those rows)."""
    global _next_model
    if _next_model is None:
        attrs = {field.name: field.clone() for field in IndexEntry._meta.local_fields if field.name != "page"}
        attrs["page_id"] = models.IntegerField(primary_key=True)  # as IndexEntry's column: SQLite's rowid
        meta = type("Meta", (), {"app_label": "search", "db_table": NEXT, "managed": False, "apps": Apps()})
        _next_model = type("NextIndexEntry", (models.Model,), {"__module__": __name__, "Meta": meta, **attrs})
    return _next_model


def _sqlite_fulltext(entries, fts, suffix=""):
    """The contentless full-text table of `entries` and the triggers that keep it in step (as
    migration 0006 creates them for the live index)."""
    cols = ", ".join(COLUMNS)
    words = COLUMNS[:-1]
    new = ", ".join(f"new.{c}" for c in words) + ", hub_bigrams_v1(new.title, new.keyword_text, new.text)"
    old = ", ".join(f"old.{c}" for c in words) + ", hub_bigrams_v1(old.title, old.keyword_text, old.text)"
    watched = ", ".join([*words, "title", "keyword_text", "text"])
    return [
        f"CREATE VIRTUAL TABLE {fts} USING fts5({cols}, content='', tokenize='unicode61 remove_diacritics 0')",
        f"CREATE TRIGGER search_indexentry{suffix}_ai AFTER INSERT ON {entries} BEGIN "
        f"INSERT INTO {fts}(rowid, {cols}) VALUES (new.page_id, {new}); END",
        f"CREATE TRIGGER search_indexentry{suffix}_ad AFTER DELETE ON {entries} BEGIN "
        f"INSERT INTO {fts}({fts}, rowid, {cols}) VALUES ('delete', old.page_id, {old}); END",
        f"CREATE TRIGGER search_indexentry{suffix}_au AFTER UPDATE OF {watched} ON {entries} BEGIN "
        f"INSERT INTO {fts}({fts}, rowid, {cols}) VALUES ('delete', old.page_id, {old}); "
        f"INSERT INTO {fts}(rowid, {cols}) VALUES (new.page_id, {new}); END",
    ]


def _execute(statements):
    with connection.cursor() as cursor:
        for sql in statements:
            cursor.execute(sql)


def _next_exists():
    with connection.cursor() as cursor:
        return NEXT in connection.introspection.table_names(cursor)


def _drop_next():
    if connection.vendor == "sqlite":
        _execute([f"DROP TABLE IF EXISTS {FTS_NEXT}", f"DROP TABLE IF EXISTS {NEXT}"])
    else:
        _execute([f"DROP TABLE IF EXISTS {NEXT}"])


def _create_next():
    # The schema editor only writes the SQL: Django's SQLite one refuses to run inside a transaction.
    editor = connection.schema_editor(collect_sql=True)
    editor.deferred_sql = []  # set by entering the editor, which is what cannot be done here
    editor.create_model(next_model())
    _execute([*editor.collected_sql, *(str(sql) for sql in editor.deferred_sql)])
    if connection.vendor == "sqlite":
        _execute(_sqlite_fulltext(NEXT, FTS_NEXT, "_next"))
    else:
        _execute([f"ALTER TABLE {NEXT} ADD COLUMN search_vector tsvector, ADD COLUMN title_vector tsvector"])


# -- while a rebuild runs ----------------------------------------------------------


def guard_update(ids):
    """Called by every index update, inside its transaction: waits while a swap is under way
    (PostgreSQL) and notes the pages for the rebuild in progress, if any."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock_shared(%s)", [LOCK_KEY])
    if ids and RebuildState.objects.exists():
        RebuildChange.objects.bulk_create([RebuildChange(page_id=pk) for pk in ids], ignore_conflicts=True)


def _exclusive():
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [LOCK_KEY])


# -- writing the new index ---------------------------------------------------------


def _write(docs, replace):
    """Documents into the new index. A batch of the rebuild never overwrites a row already there
    (`replace=False`); the changes noted meanwhile do (`replace=True`)."""
    model = next_model()
    rows = [model(page_id=doc["id"], **entry_values(doc)) for doc in docs]
    if replace:
        model.objects.filter(page_id__in=[doc["id"] for doc in docs]).delete()
    model.objects.bulk_create(rows, ignore_conflicts=True)
    if connection.vendor == "postgresql" and docs:
        write_vectors(NEXT, docs, only_missing=True)


def _swap():
    """The new index replaces the old one, in the caller's transaction."""
    if connection.vendor == "sqlite":
        _execute(
            [
                f"DROP TABLE {FTS}",
                f"DROP TABLE {LIVE}",  # its triggers and indexes go with it
                f"ALTER TABLE {NEXT} RENAME TO {LIVE}",
                f"ALTER TABLE {FTS_NEXT} RENAME TO {FTS}",
                *(f"DROP TRIGGER search_indexentry_next_{s}" for s in ("ai", "ad", "au")),
                *(_sqlite_fulltext(LIVE, FTS)[1:]),
            ]
        )
    else:
        _execute(
            [
                # Deferred foreign key checks of rows written earlier in this transaction would
                # otherwise forbid dropping the table.
                "SET CONSTRAINTS ALL IMMEDIATE",
                f"DROP TABLE {LIVE}",
                f"ALTER TABLE {NEXT} RENAME TO {LIVE}",
                f"ALTER INDEX {NEXT}_pkey RENAME TO {LIVE}_pkey",
                f"ALTER TABLE {LIVE} ADD CONSTRAINT search_indexentry_page_id_fk FOREIGN KEY (page_id) "
                "REFERENCES wagtailcore_page (id) DEFERRABLE INITIALLY DEFERRED",
            ]
        )
    # Created after the load: building an index at once is much faster than row by row. As SQL:
    # Django's SQLite schema editor cannot be entered inside a transaction.
    editor = connection.schema_editor(collect_sql=True)
    _execute([str(index.create_sql(IndexEntry, editor)) for index in IndexEntry._meta.indexes])
    if connection.vendor == "postgresql":
        _execute(
            [
                "CREATE INDEX search_indexentry_vector ON search_indexentry USING GIN (search_vector)",
                "CREATE INDEX search_indexentry_title_vector ON search_indexentry USING GIN (title_vector)",
            ]
        )


def rebuild(progress=None, restart=False):
    """Build the database index anew beside the live one and swap it in. Resumes an interrupted
    rebuild unless `restart`. `progress(done, total)`. Returns the number of documents."""
    with _only_one_rebuild():
        return _rebuild(progress, restart)


def _rebuild(progress, restart):
    state = RebuildState.objects.first()
    if state and state.fingerprint != fingerprint():
        logger.warning("the interrupted search index rebuild was written by other code: starting over")
        restart = True
    if state and (restart or not _next_exists()):
        RebuildState.objects.all().delete()
        state = None
    if state is None:
        _drop_next()
        _create_next()
        with transaction.atomic():
            _exclusive()  # index updates in flight finish first: later ones are noted
            RebuildChange.objects.all().delete()
            state = RebuildState.objects.create(fingerprint=fingerprint())
    else:
        logger.info("resuming the search index rebuild after page %s (%s done)", state.last_id, state.done)
    state.total = state.done + documents.count_searchable(after=state.last_id)
    state.save(update_fields=["total"])
    if progress:
        progress(state.done, state.total)

    for ids in documents.searchable_ids(BATCH, after=state.last_id):
        with transaction.atomic():
            docs = documents.load_documents(ids) if ids else []
            _write(docs, replace=False)
            state.done += len(docs)
            state.last_id = max(ids) if ids else state.last_id
            state.save(update_fields=["done", "last_id"])
        if progress:
            progress(state.done, state.total)

    _prune()
    if connection.vendor == "sqlite":
        # One merged b-tree per column instead of the segments written batch by batch: smaller
        # and faster to read. Before the swap, so publishing never waits for it.
        _execute([f"INSERT INTO {FTS_NEXT}({FTS_NEXT}) VALUES ('optimize')"])
    with transaction.atomic():
        _exclusive()
        changed = list(RebuildChange.objects.values_list("page_id", flat=True))
        for start in range(0, len(changed), 500):
            chunk = changed[start : start + 500]
            docs = documents.documents_for(documents.specific_pages(chunk))
            next_model().objects.filter(page_id__in=chunk).exclude(page_id__in=[d["id"] for d in docs]).delete()
            _write(docs, replace=True)
        _swap()
        IndexVersion.bump()
        count = IndexEntry.objects.count()
        RebuildChange.objects.all().delete()
        RebuildState.objects.all().delete()
    return count


def _prune():
    """Drop from the new index what is no longer searchable (hidden or deleted since its batch was
    written, before the changes were noted, or by a rule of newer code)."""
    keep = BitMap()
    for ids in documents.searchable_ids(5_000):
        keep.update(ids)
    model = next_model()
    stale = [pk for pk in model.objects.values_list("page_id", flat=True).iterator(chunk_size=5_000) if pk not in keep]
    for start in range(0, len(stale), 500):
        model.objects.filter(page_id__in=stale[start : start + 500]).delete()


@contextlib.contextmanager
def _only_one_rebuild():
    """Two rebuilds at once would swap in each other's half-built index. A lock the system frees
    when its holder dies: a PostgreSQL session lock, or a file lock beside an SQLite database."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_try_advisory_lock(%s)", [LOCK_KEY + 1])
            if not cursor.fetchone()[0]:
                raise RebuildRunning
        try:
            yield
        finally:
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_advisory_unlock(%s)", [LOCK_KEY + 1])
        return
    name = hashlib.sha1(str(connection.settings_dict["NAME"]).encode()).hexdigest()[:16]
    with open(Path(tempfile.gettempdir()) / f"hub-search-rebuild-{name}.lock", "w") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise RebuildRunning from None
        yield


class RebuildRunning(Exception):
    def __str__(self):
        return "another rebuild of the search index is running"


@functools.cache
def fingerprint():
    """Of what decides the documents: a rebuild resumed by other code (an upgrade meanwhile) starts over."""
    digest = hashlib.sha256(f"{FORMAT}|{analysis.SEGMENTER}".encode())
    digest.update(",".join(f.name for f in IndexEntry._meta.concrete_fields).encode())
    for path in sorted(analysis.DICT_DIR.glob("*.txt")):
        digest.update(path.read_bytes())
    return digest.hexdigest()


def in_progress():
    """The rebuild under way, or None."""
    return RebuildState.objects.first()
