"""Keeping the indexes in step with the pages.

The database index is written in the same transaction as the change that caused it (publish,
unpublish, move, delete, view restriction), so it is never behind. Elasticsearch, when
configured, gets the change through `PendingChange`: a row written in that same transaction
and removed once the cluster has applied it. If the cluster is down, the rows wait and are
applied by the next successful write, by the worker's sweeper, or by `rebuild_search_index`.
"""

import logging

from django.conf import settings
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from resources.models import ResourcePage

from . import documents
from .backends.base import BackendUnavailable
from .backends.database import DatabaseBackend
from .models import IndexEntry, IndexVersion, PendingChange
from .rebuild import guard_update
from .rebuild import in_progress as rebuild_in_progress
from .rebuild import rebuild as rebuild_database

logger = logging.getLogger(__name__)

UPDATE_BATCH = 500


def elasticsearch_configured():
    return bool(settings.SEARCH.get("ELASTICSEARCH_URL"))


def database_backend():
    return DatabaseBackend()


def elasticsearch_backend():
    # Cheap: the client behind it is made once per process (again only if the settings change).
    from .backends.elastic import ElasticsearchBackend

    return ElasticsearchBackend()


def get_backend(name=None):
    """The backend that answers queries: Elasticsearch when configured, else the database."""
    if name is None:
        name = "elasticsearch" if elasticsearch_configured() else "database"
    if name == "elasticsearch":
        return elasticsearch_backend()
    if name == "database":
        return database_backend()
    raise ValueError(f"unknown search backend {name!r}")


# -- changes -------------------------------------------------------------------


def update_pages(ids):
    """Bring the index entries of these pages in line with their current state: indexed if
    searchable, removed otherwise (also when the page no longer exists)."""
    ids = sorted(set(ids))
    guard_update(ids)
    # In batches: a moved or unpublished section may hold thousands of resources.
    for start in range(0, len(ids), UPDATE_BATCH):
        batch = set(ids[start : start + UPDATE_BATCH])
        docs = documents.documents_for(documents.specific_pages(batch))
        gone = batch - {d["id"] for d in docs}
        db = database_backend()
        db.index(docs)
        db.delete(gone)
        if elasticsearch_configured():
            _queue(
                [(d["id"], PendingChange.Action.INDEX) for d in docs]
                + [(pk, PendingChange.Action.DELETE) for pk in gone]
            )


def resource_ids_under(page):
    """The page and every resource below it: a move, an unpublished section or a view
    restriction changes them all."""
    return list(ResourcePage.objects.filter(path__startswith=page.path).values_list("pk", flat=True))


def update_subtree(page):
    update_pages(resource_ids_under(page))


def remove_pages(ids):
    """Pages being deleted (their database entries go with them through the foreign key)."""
    if ids:
        IndexVersion.bump()
        guard_update(ids)  # a rebuild under way drops them from its new index too
    if elasticsearch_configured() and ids:
        _queue([(pk, PendingChange.Action.DELETE) for pk in ids])


def record_view(page_id, times=1):
    # The database index follows at once (a plain column: the full-text row is not touched);
    # Elasticsearch gets the count with the page's next update or rebuild.
    IndexEntry.objects.filter(page_id=page_id).update(popularity=F("popularity") + times)


def record_stats(values_by_page):
    """A course's numbers changed (popularity.aggregates): {page id: {column: value}} of the index's
    copies (search.documents.stats_columns), written in the caller's transaction. Elasticsearch gets
    them through the queue, sent by the worker's sweep rather than at once: a counselor starting a
    course must not wait for the cluster."""
    ids = sorted(values_by_page)
    if not ids:
        return
    guard_update(ids)  # a rebuild under way takes the new numbers too
    indexed = [pk for pk in ids if IndexEntry.objects.filter(page_id=pk).update(**values_by_page[pk])]
    if indexed and elasticsearch_configured():
        _queue([(pk, PendingChange.Action.INDEX) for pk in indexed], flush=False)


def _queue(changes, flush=True):
    for page_id, action in changes:
        PendingChange.objects.update_or_create(
            page_id=page_id, defaults={"action": action, "attempts": 0, "last_error": ""}
        )
    if flush:
        # After the commit, not inside it: an unreachable cluster must not hold the transaction.
        transaction.on_commit(flush_queue)


def flush_queue(limit=500):
    """Apply queued changes to Elasticsearch. Returns the number applied; on failure the
    changes stay queued with the error, and the next attempt starts again from them."""
    if not elasticsearch_configured():
        return 0
    backend = elasticsearch_backend()
    applied = 0
    while True:
        batch = list(PendingChange.objects.all()[:limit])
        if not batch:
            return applied
        index_ids = [c.page_id for c in batch if c.action == PendingChange.Action.INDEX]
        delete_ids = [c.page_id for c in batch if c.action == PendingChange.Action.DELETE]
        # What to send is read now, not when queued: the latest state is the one that counts.
        docs = documents.documents_for(documents.specific_pages(index_ids))
        delete_ids += sorted(set(index_ids) - {d["id"] for d in docs})
        try:
            if docs:
                backend.index(docs)
            if delete_ids:
                backend.delete(delete_ids)
        except BackendUnavailable as exc:
            logger.warning("Elasticsearch unavailable, %d index changes stay queued: %s", len(batch), exc)
            PendingChange.objects.filter(pk__in=[c.pk for c in batch]).update(
                attempts=F("attempts") + 1, last_error=str(exc)[:1000]
            )
            return applied
        # A change queued again meanwhile (its queued_at moved) stays for the next round.
        for change in batch:
            PendingChange.objects.filter(pk=change.pk, queued_at=change.queued_at).delete()
        applied += len(batch)
        if len(batch) < limit:
            return applied


def queue_length():
    return PendingChange.objects.count()


def health_report():
    """Which backend answers queries, each backend's state, and the changes waiting for Elasticsearch."""
    report = {"backend": get_backend().name, "database": database_backend().health(), "queue": queue_length()}
    if elasticsearch_configured():
        report["elasticsearch"] = elasticsearch_backend().health()
    state = rebuild_in_progress()
    if state is not None:  # an interrupted one too: `rebuild_search_index` resumes it
        report["rebuild"] = {"started_at": state.started_at, "done": state.done, "total": state.total}
    report["ok"] = all(report[name]["ok"] for name in ("database", "elasticsearch") if name in report)
    return report


# -- whole index ---------------------------------------------------------------


def rebuild(progress=None, backends=None, restart=False):
    """Rebuild the database index (beside the live one, resumable: search.rebuild) and, when
    configured, Elasticsearch (a new index behind the alias). Returns {backend name: documents}.
    `progress(backend name, done, total)`."""
    names = backends or (["database", "elasticsearch"] if elasticsearch_configured() else ["database"])
    counts = {}
    for name in names:
        if name == "database":
            callback = (lambda done, total: progress("database", done, total)) if progress else None
            counts[name] = rebuild_database(callback, restart=restart)
            continue
        started = timezone.now()
        total, docs = documents.all_searchable()
        callback = (lambda done, name=name, total=total: progress(name, done, total)) if progress else None
        counts[name] = get_backend(name).rebuild(docs, total, callback)
        if name == "elasticsearch":
            # Changes queued before this rebuild began are in it; later ones stay queued.
            PendingChange.objects.filter(queued_at__lt=started).delete()
    return counts
