"""What serving a page records, which a copy served from the cache must still record: a resource's
view count (resources.ResourceStats, the 最多观看 order) and the search log (search.querylog, the
editors' popular searches). Each miss notes what its page recorded; each hit does the same again."""

SEARCH_VIEWS = {"search.views.search_page", "search.views.api_search"}


def for_view(request, view_func):
    if f"{view_func.__module__}.{view_func.__qualname__}" in SEARCH_VIEWS:
        q = request.GET.get("q", "")
        return [("search_query", q)] if q else []
    return []


def resource_view(page_id):
    from resources.models import ResourceStats

    ResourceStats.record_view(page_id)


def search_query(q):
    from search import querylog

    querylog.log_query(q)


ACTIONS = {"resource_view": resource_view, "search_query": search_query}


def run(entries):
    for name, argument in entries:
        ACTIONS[name](argument)
