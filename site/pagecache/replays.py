"""What serving a page records, which a copy served from the cache must still record: a resource's
view count (resources.ResourceStats, the 最多观看 order) and the search log (search.querylog, the
editors' popular searches). Each miss notes what its page recorded; each hit does the same again.

Hits are many: their records are gathered in the process and written together, in one transaction,
PAGECACHE_REPLAY_SECONDS after the first (by a timer thread, so that no visitor waits for it), and when the
process exits. The same functions run as many times as on an uncached site; only later, by that much."""

import atexit
import logging
import threading
from collections import Counter

from django.conf import settings
from django.db import close_old_connections, connection, transaction

logger = logging.getLogger(__name__)

SEARCH_VIEWS = {"search.views.search_page", "search.views.api_search"}


def for_view(request, view_func):
    # A view may be an instance (a syndication Feed is): it has no __qualname__ of its own.
    name = getattr(view_func, "__qualname__", None) or type(view_func).__qualname__
    if f"{getattr(view_func, '__module__', '')}.{name}" in SEARCH_VIEWS:
        q = request.GET.get("q", "")
        return [("search_query", q)] if q else []
    return []


def resource_view(page_id, times):
    from resources.models import ResourceStats

    ResourceStats.record_view(page_id, times)


def search_query(q, times):
    from search import querylog

    querylog.log_query(q, times)


ACTIONS = {"resource_view": resource_view, "search_query": search_query}

_lock = threading.Lock()
_pending = Counter()
_timer = None


def run(entries):
    global _timer
    if not entries:
        return
    if settings.PAGECACHE_REPLAY_SECONDS <= 0:
        write(Counter(tuple(entry) for entry in entries))
        return
    with _lock:
        _pending.update(tuple(entry) for entry in entries)
        if _timer is None:
            _timer = threading.Timer(settings.PAGECACHE_REPLAY_SECONDS, _flush_in_thread)
            _timer.daemon = True
            _timer.start()


def flush():
    global _pending, _timer
    with _lock:
        if _timer is not None:
            _timer.cancel()
        batch, _pending, _timer = _pending, Counter(), None
    if batch:
        write(batch)


def _flush_in_thread():
    try:
        flush()
    except Exception:
        logger.exception("cached pages' views and searches could not be written")
    finally:
        close_old_connections()
        connection.close()


def write(batch):
    with transaction.atomic():
        # One update per page or query for all its hits: "+n" once, not n times "+1".
        for (name, argument), times in batch.items():
            ACTIONS[name](argument, times)


atexit.register(_flush_in_thread)
