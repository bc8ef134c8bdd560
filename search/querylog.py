"""The log of what readers search for, behind Wagtail's "popular searches" report, where editors
pick promotions. Wagtail already counts per normalised query and per day (Query, QueryDailyHits);
this keeps that log bounded although anyone can search for anything:

- a query is logged at most MAX_QUERY_LENGTH characters long (search.service cuts it there);
- a query not yet in the log is added only while the log holds fewer than SEARCH_QUERY_LOG_MAX_QUERIES
  queries (ones already there keep counting);
- the worker's sweep deletes daily counts older than SEARCH_QUERY_LOG_DAYS and then the least-searched
  queries beyond SEARCH_QUERY_LOG_KEEP_QUERIES, so that new queries find room again. Queries with an
  editor's promotion are never deleted.
So the log holds at most SEARCH_QUERY_LOG_MAX_QUERIES queries (plus the promoted ones), each with at
most SEARCH_QUERY_LOG_DAYS daily rows."""

from django.conf import settings
from django.db.models import F, Max, Sum
from django.utils import timezone

from wagtail.contrib.search_promotions.models import Query, QueryDailyHits
from wagtail.search.utils import normalise_query_string

from .service import MAX_QUERY_LENGTH


def log_query(q, times=1):
    query_string = normalise_query_string(q[:MAX_QUERY_LENGTH])
    if not query_string:
        return
    query = Query.objects.filter(query_string=query_string).first()
    if query is None:
        if Query.objects.count() >= settings.SEARCH_QUERY_LOG_MAX_QUERIES:
            return  # full until the next sweep
        query, _ = Query.objects.get_or_create(query_string=query_string)
    if times == 1:
        query.add_hit()
    else:  # the page cache's hits, written together (pagecache.replays)
        daily, _ = QueryDailyHits.objects.get_or_create(query=query, date=timezone.now().date())
        QueryDailyHits.objects.filter(pk=daily.pk).update(hits=F("hits") + times)


def sweep():
    """One of settings.WORKER_SWEEPS (run_worker)."""
    QueryDailyHits.garbage_collect(days=settings.SEARCH_QUERY_LOG_DAYS)
    Query.garbage_collect()  # queries left without a daily count, unless promoted
    keep = settings.SEARCH_QUERY_LOG_KEEP_QUERIES
    unpromoted = Query.objects.filter(editors_picks__isnull=True)
    excess = unpromoted.count() - keep
    if excess <= 0:
        return None
    least_used = (
        unpromoted.annotate(total=Sum("daily_hits__hits"), last=Max("daily_hits__date"))
        .order_by("total", "last", "pk")
        .values_list("pk", flat=True)[:excess]
    )
    deleted = Query.objects.filter(pk__in=list(least_used)).delete()[1].get(Query._meta.label, 0)
    return f"{deleted} rarely searched queries removed from the search log"
