"""The open API's own endpoints beside Wagtail's pages endpoint (hub/api.py): resources with their
facets as codes and labels (for syncing the shared library), training centers and experts.

Read-only and anonymous: nothing here reads the session or the user, so every answer is the same for
everyone and may be kept by shared caches (openapi.middleware adds ETag and Cache-Control)."""

from django.conf import settings
from django.db.models import Count
from django.http import JsonResponse
from django.utils.http import http_date
from django.views.decorators.http import require_safe

from access.visibility import open_pages
from discovery.links import absolute, page_url
from microcourses.models import MicroCoursePage
from resources.models import CenterSectionPage, Expert, ResourcePage, TrainingCenter

from . import params, resources
from .params import ParamError


def answer(data, status=200):
    return JsonResponse(data, status=status, json_dumps_params={"ensure_ascii": False})


def bad_request(error):
    return answer({"message": str(error)}, status=400)


def missing():
    return answer({"message": "未找到（不存在、未发布或不公开）"}, status=404)


def _detail(request, queryset, row):
    """A center's or an expert's detail: no parameters, 404 when `queryset` finds nothing, else row(it)."""
    if request.GET:
        return bad_request(ParamError("详情接口不接受参数"))
    found = queryset.first()
    return missing() if found is None else answer(row(found))


def _page(request, queryset, ids_only=False):
    limit, offset = params.page_bounds(request, ids_only=ids_only)
    total = queryset.count()
    rows = queryset[offset : offset + limit]
    following = None
    if offset + limit < total and offset + limit <= settings.OPENAPI_MAX_OFFSET:
        query = request.GET.copy()
        query["offset"] = offset + limit
        following = absolute(f"{request.path}?{query.urlencode()}")
    return rows, {"total_count": total, "next": following}


@require_safe
def resource_list(request):
    try:
        queryset = resources.filtered(request)
        fields = params.choice(request, "fields", ["id", "*"], default="*")
        rows, meta = _page(request, queryset, ids_only=fields == "id")
    except ParamError as error:
        return bad_request(error)
    if fields == "id":
        # Reconciliation: every current id (with when it was last published) in pages of up to
        # OPENAPI_IDS_LIMIT, one query each; ids a consumer holds and this list lacks were removed.
        items = [{"id": pk, "last_published_at": at} for pk, at in rows.values_list("pk", "last_published_at")]
        return answer({"meta": meta, "items": items})
    ids = list(rows.values_list("pk", flat=True))
    pages = resources.specifics(ids)
    return answer({"meta": meta, "items": [resources.row(pages[pk], request) for pk in ids if pk in pages]})


@require_safe
def resource_detail(request, pk):
    if request.GET:
        return bad_request(ParamError("详情接口不接受参数"))
    if not open_pages(ResourcePage, request).filter(pk=pk).exists():
        return missing()  # a draft, a private page or none: the same answer
    page = resources.specifics([pk]).get(pk)
    if page is None:
        return missing()
    response = answer(resources.row(page, request))
    if page.last_published_at:
        response["Last-Modified"] = http_date(page.last_published_at.timestamp())
    return response


# -- training centers -------------------------------------------------------------------------------


def center_row(center, counts, sections, request):
    section = sections.get(center.pk)
    return {
        "id": center.pk,
        "code": center.code,
        "name": center.name,
        "host_university": center.host_university,
        "theme": center.theme,
        "province": center.province,
        "description": center.description,
        "html_url": page_url(section, request) if section is not None else None,
        "resource_count": counts.get(center.pk, 0),
        "resources_url": absolute(f"/api/v2/resources/?center={center.code}"),
        "detail_url": absolute(f"/api/v2/centers/{center.pk}/"),
    }


def _center_context(request, centers):
    ids = [c.pk for c in centers]
    visible = open_pages(ResourcePage, request).filter(center__in=ids)
    # order_by(): the pages' own order (path) would split the groups.
    counts = dict(visible.order_by().values("center").annotate(n=Count("pk")).values_list("center", "n"))
    sections = {s.center_id: s for s in open_pages(CenterSectionPage, request).filter(center__in=ids)}
    return counts, sections


@require_safe
def center_list(request):
    try:
        params.check_known(request, {"province", "limit", "offset"})
        queryset = TrainingCenter.objects.order_by("pk")
        if province := params.single(request, "province", max_length=50):
            queryset = queryset.filter(province=province)
        rows, meta = _page(request, queryset)
    except ParamError as error:
        return bad_request(error)
    centers = list(rows)
    counts, sections = _center_context(request, centers)
    return answer({"meta": meta, "items": [center_row(c, counts, sections, request) for c in centers]})


@require_safe
def center_detail(request, pk):
    return _detail(
        request, TrainingCenter.objects.filter(pk=pk), lambda c: center_row(c, *_center_context(request, [c]), request)
    )


# -- experts (师资库) ---------------------------------------------------------------------------------


def expert_row(expert, courses):
    return {
        "id": expert.pk,
        "name": expert.name,
        "title": expert.title,
        "organisation": expert.organisation,
        "level": {"code": expert.level, "label": expert.get_level_display()},
        "bio": expert.bio,
        "course_count": courses.get(expert.pk, {}).get("count", 0),
        "centers": courses.get(expert.pk, {}).get("centers", []),
        "courses_url": absolute(f"/api/v2/experts/{expert.pk}/courses/"),
        "detail_url": absolute(f"/api/v2/experts/{expert.pk}/"),
    }


def _courses_by_expert(request, experts):
    """Expert id -> the number of their open courses and the codes of those courses' centers (one query)."""
    found = {}
    open_courses = open_pages(MicroCoursePage, request).filter(lecturer__in=[e.pk for e in experts])
    grouped = open_courses.values_list("lecturer", "center__code").annotate(n=Count("pk"))
    for lecturer, center, count in grouped.order_by("lecturer", "center__code"):
        entry = found.setdefault(lecturer, {"count": 0, "centers": []})
        entry["count"] += count
        if center:
            entry["centers"].append(center)
    return found


@require_safe
def expert_list(request):
    try:
        params.check_known(request, {"level", "center", "limit", "offset"})
        queryset = Expert.objects.order_by("pk")
        if level := params.choice(request, "level", list(Expert.Level.values)):
            queryset = queryset.filter(level=level)
        if centers := params.values(request, "center"):
            lecturing = open_pages(MicroCoursePage, request).filter(center__code__in=centers)
            queryset = queryset.filter(pk__in=lecturing.values("lecturer"))
        rows, meta = _page(request, queryset)
    except ParamError as error:
        return bad_request(error)
    experts = list(rows)
    courses = _courses_by_expert(request, experts)
    return answer({"meta": meta, "items": [expert_row(e, courses) for e in experts]})


@require_safe
def expert_detail(request, pk):
    return _detail(request, Expert.objects.filter(pk=pk), lambda e: expert_row(e, _courses_by_expert(request, [e])))


@require_safe
def expert_courses(request, pk):
    """The expert's open courses, as rows of /api/v2/resources/ (the same filters are not offered)."""
    if not Expert.objects.filter(pk=pk).exists():
        return missing()
    try:
        params.check_known(request, {"limit", "offset"})
        queryset = open_pages(MicroCoursePage, request).filter(lecturer=pk).order_by("pk")
        rows, meta = _page(request, queryset)
    except ParamError as error:
        return bad_request(error)
    ids = list(rows.values_list("pk", flat=True))
    pages = resources.specifics(ids)
    return answer({"meta": meta, "items": [resources.row(pages[i], request) for i in ids if i in pages]})
