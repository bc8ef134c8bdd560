"""The search page, its JSON API, the autocomplete endpoint and the health check. All of them
go through `search.service`; none knows which backend answers."""

from urllib.parse import urlencode

from django.core.paginator import Paginator
from django.http import JsonResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

from popularity.scores import SORT_LABELS as POPULARITY_SORT_LABELS
from resources.library import FACETS
from resources.models import pagination_links

from . import indexing, querylog, service
from .backends.base import SORTS

SORT_LABELS = {"relevance": "相关度", "newest": "最新发布", **POPULARITY_SORT_LABELS}
# Offered when a search finds nothing: the field's everyday topics, each a search of its own.
SUGGESTED_TOPICS = ["心理危机", "谈心谈话", "学业帮扶", "网络舆情", "新入职辅导员", "就业帮扶"]


def _log_query(request, q):
    """Count the query for Wagtail's "popular searches" report, where editors pick promotions
    (bounded: search.querylog). A HEAD request is not a search anyone read."""
    if q and request.method == "GET":
        querylog.log_query(q)


class Links:
    """URLs that change one thing about the current search (and go back to page 1)."""

    def __init__(self, request: service.SearchRequest):
        self.request = request

    def _url(self, filters, sort=None):
        pairs = [("q", self.request.q)] if self.request.q else []
        pairs += [(name, code) for name, codes in filters.items() for code in codes]
        sort = sort or self.request.sort
        if sort != service.default_sort(self.request.q):
            pairs.append(("sort", sort))
        return "?" + urlencode(pairs)

    def toggle(self, name, code):
        filters = {k: list(v) for k, v in self.request.filters.items()}
        codes = filters.setdefault(name, [])
        codes.remove(code) if code in codes else codes.append(code)
        return self._url({k: v for k, v in filters.items() if v})

    def sort(self, sort):
        return self._url(self.request.filters, sort=sort)


def facet_menu(response, links):
    """The facets of a response with labels, counts and toggle links, in menu order."""
    menu = []
    for facet in FACETS:
        counts = response.facets.get(facet.name, {})
        chosen = response.request.filters.get(facet.name, [])
        if facet.name == "tag":
            top = sorted(counts, key=lambda t: (-counts[t], t))
            options = [(t, t) for t in top + [c for c in chosen if c not in counts]]
        else:
            options = [(code, label) for code, label, _ in facet.options()]
        entries = [
            {
                "code": code,
                "label": label,
                "count": counts.get(code, 0),
                "selected": code in chosen,
                "url": links.toggle(facet.name, code),
            }
            for code, label in options
        ]
        if any(e["count"] or e["selected"] for e in entries):
            menu.append({"name": facet.name, "label": facet.label, "options": entries})
    return menu


def pagination(request, response):
    """The library's page links (every other parameter kept) for a page of search results."""
    paginator = Paginator(range(response.total), response.request.page_size)
    return pagination_links(request, paginator.get_page(response.request.page))


@require_safe
def search_page(request):
    """Usable without JavaScript: a GET form, facet links and page links."""
    search_request = service.SearchRequest.from_querydict(request.GET, default_page_size=20)
    response = service.search(search_request)
    _log_query(request, search_request.q)
    links = Links(search_request)
    facets = facet_menu(response, links)
    labels = {(f["name"], o["code"]): (f["label"], o["label"]) for f in facets for o in f["options"]}
    active = [
        {
            "facet": labels.get((name, code), (name, code))[0],
            "label": labels.get((name, code), (name, code))[1],
            "remove_url": links.toggle(name, code),
        }
        for name, codes in search_request.filters.items()
        for code in codes
    ]
    return render(
        request,
        "search/search.html",
        {
            "search": response,
            "q": search_request.q,
            "facets": facets,
            "active": active,
            "sorts": [
                {"code": s, "label": SORT_LABELS[s], "url": links.sort(s), "current": s == search_request.sort}
                for s in SORTS
            ],
            "pagination": pagination(request, response),
            "suggestions": [t for t in SUGGESTED_TOPICS if t != search_request.q] if not response.results else [],
        },
    )


@require_safe
def api_search(request):
    search_request = service.SearchRequest.from_querydict(request.GET)
    response = service.search(search_request)
    _log_query(request, search_request.q)
    return JsonResponse(response.as_json(), json_dumps_params={"ensure_ascii": False})


@require_safe
def api_suggest(request):
    q = request.GET.get("q", "")
    suggestions = service.suggest(q)
    return JsonResponse(
        {"query": q, "suggestions": [{"title": t, "url": "/search/?" + urlencode({"q": t})} for t in suggestions]},
        json_dumps_params={"ensure_ascii": False},
    )


def may_see_internals(user):
    from editorial.roles import is_platform_admin

    return user.is_authenticated and (user.is_staff or is_platform_admin(user))


@require_safe
@never_cache
def health(request):
    """Liveness for anyone ({"status": "ok"} or a 503); for platform administrators also which
    backend answers, whether each is reachable, and how many changes wait for Elasticsearch."""
    report = indexing.health_report()
    status = 200 if report["ok"] else 503
    if may_see_internals(request.user):
        body = {"status": "ok" if report["ok"] else "unavailable", **report}
    else:
        body = {"status": "ok" if report["ok"] else "unavailable"}
    return JsonResponse(body, status=status, json_dumps_params={"ensure_ascii": False})
