"""The library's resources for other platforms: filters by every facet, rows with codes and labels.

Generic over the kinds of resource (resources.models.resource_models: micro-courses, cases, notices,
course packages, and any later ResourcePage subclass such as series): a facet applies to the kinds
whose model has its field, and a row shows it empty for the others. A page of rows costs a fixed number
of queries whatever its length: the ids, then per kind present its pages with their facets."""

from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import FieldDoesNotExist
from django.db.models import ManyToManyField, Q

from access.visibility import open_pages
from discovery.links import absolute, page_url
from resources.models import (
    CapabilityArea,
    CareerStage,
    CourseType,
    Requirement,
    ResourcePage,
    ResourceTag,
    Tier,
    TrainingCenter,
    resource_models,
)

from . import params
from .params import ParamError

# parameter -> (field on the concrete model, vocabulary, what people call it)
FACETS = {
    "capability": ("capabilities", CapabilityArea, "能力方向"),
    "stage": ("stages", CareerStage, "培训对象"),
    "course_type": ("course_type", CourseType, "课程类型"),
    "requirement": ("requirement", Requirement, "课程性质"),
    "tier": ("tier", Tier, "培训层级"),
}
ORDERS = {
    "id": ["pk"],
    "-id": ["-pk"],
    "last_published_at": ["last_published_at", "pk"],
    "-last_published_at": ["-last_published_at", "-pk"],
}
LIST_PARAMETERS = {
    *FACETS,
    "center",
    "tag",
    "type",
    "has_video",
    "status",
    "updated_since",
    "order",
    "fields",
    "limit",
    "offset",
}


def kinds():
    """resource_kind -> model, in the library's order."""
    return {model.resource_kind: model for model in resource_models()}


def has_field(model, name):
    try:
        model._meta.get_field(name)
    except FieldDoesNotExist:
        return False
    return True


def is_many(model, name):
    return isinstance(model._meta.get_field(name), ManyToManyField)


def has_video_q():
    """Resources whose video is transcoded and playable (media.Video.is_ready), of the kinds with a video."""
    condition = Q(pk__in=[])
    for model in kinds().values():
        if has_field(model, "video"):
            ready = model.objects.filter(video__status="ready").exclude(video__hls_dir="")
            condition |= Q(pk__in=ready.values("pk"))
    return condition


def program_statuses():
    from programs.library import FILTERS

    return FILTERS


def program_status_ids(status):
    from programs.library import conditions
    from programs.models import ProgramPage

    return ProgramPage.objects.filter(conditions()[status]).values("pk")


def _checked_codes(request, name, vocabulary, label):
    codes = params.values(request, name)
    if codes:
        known = set(vocabulary.objects.filter(code__in=codes).values_list("code", flat=True))
        if missing := [c for c in codes if c not in known]:
            raise ParamError(f"未知的{label}代码“{missing[0]}”")
    return codes


def filtered(request):
    """The open resources the request's filters select, ordered (a ResourcePage queryset)."""
    params.check_known(request, LIST_PARAMETERS)
    queryset = open_pages(ResourcePage, request)

    wanted_kinds = params.values(request, "type")
    available = kinds()
    if unknown := [k for k in wanted_kinds if k not in available]:
        raise ParamError(f"未知的资源类型“{unknown[0]}”；可用的类型：{'、'.join(available)}")
    if wanted_kinds:
        types = ContentType.objects.get_for_models(*(available[k] for k in wanted_kinds)).values()
        queryset = queryset.filter(content_type__in=list(types))

    for name, (field, vocabulary, label) in FACETS.items():
        codes = _checked_codes(request, name, vocabulary, label)
        if not codes:
            continue
        if has_field(ResourcePage, field):
            queryset = queryset.filter(pk__in=ResourcePage.objects.filter(**{f"{field}__code__in": codes}).values("pk"))
            continue
        condition = Q(pk__in=[])
        for model in available.values():
            if has_field(model, field):
                condition |= Q(pk__in=model.objects.filter(**{f"{field}__code__in": codes}).values("pk"))
        queryset = queryset.filter(condition)

    if centers := _checked_codes(request, "center", TrainingCenter, "培训研修中心"):
        queryset = queryset.filter(center__code__in=centers)
    if tags := params.values(request, "tag", codes=False):
        tagged = ResourceTag.objects.filter(tag__name__in=tags).values("content_object_id")
        queryset = queryset.filter(pk__in=tagged)

    # Training programs by their status now (programs.library), never a stored value.
    if status := params.choice(request, "status", program_statuses()):
        queryset = queryset.filter(pk__in=program_status_ids(status))

    video = params.flag(request, "has_video")
    if video is not None:
        queryset = queryset.filter(has_video_q()) if video else queryset.exclude(has_video_q())

    if (since := params.moment(request, "updated_since")) is not None:
        queryset = queryset.filter(last_published_at__gte=since)

    order = params.choice(request, "order", list(ORDERS), default="id")
    return queryset.order_by(*ORDERS[order])


# -- rows -------------------------------------------------------------------------------------------


def term(item):
    return {"code": item.code, "label": item.label} if item is not None else None


def video_info(page):
    """What another platform may show of a course's video. Only stable addresses of the file gate
    (access.views), which serves them to anyone because the course is live and public: the poster and
    the master playlist. The playlist's segments get signed URLs that expire when the gate answers the
    playlist; they are never in the API (a consumer keeps the playlist's address, not its contents)."""
    video = getattr(page, "video", None) if has_field(type(page), "video") else None
    ready = video is not None and video.is_ready
    duration = getattr(page, "duration_seconds", None)
    if duration is None and video is not None and video.duration:
        duration = round(video.duration)
    return {
        "has_video": ready,
        "duration_seconds": duration,
        "poster_url": absolute(video.poster_url) if ready and video.poster else None,
        "playlist_url": absolute(video.playlist_url) if ready else None,
    }


ONE_RELATED = ("course_type", "requirement", "tier", "lecturer", "video")


def specifics(ids):
    """The concrete pages of these ids with everything a row reads, by kind: {id: page}."""
    if not ids:
        return {}
    by_type = {}
    for pk, content_type_id in ResourcePage.objects.filter(pk__in=ids).values_list("pk", "content_type_id"):
        by_type.setdefault(content_type_id, []).append(pk)
    pages = {}
    for content_type_id, pks in by_type.items():
        model = ContentType.objects.get_for_id(content_type_id).model_class()
        related = ["center", *(f for f in ONE_RELATED if has_field(model, f))]
        many = ["capabilities", "tags", *(f for f in ("stages",) if has_field(model, f) and is_many(model, f))]
        many += list(getattr(model, "openapi_prefetch_related", ()))
        for page in model.objects.filter(pk__in=pks).select_related(*related).prefetch_related(*many):
            pages[page.pk] = page
    return pages


def row(page, request):
    model = type(page)

    def many(name):
        return [term(item) for item in getattr(page, name).all()] if has_field(model, name) else []

    def one(name):
        return term(getattr(page, name)) if has_field(model, name) else None

    lecturer = getattr(page, "lecturer", None) if has_field(model, "lecturer") else None
    hours = getattr(page, "learning_hours", None)
    return {
        "id": page.pk,
        "type": model.resource_kind,
        "type_label": model.resource_kind_label,
        "title": page.title,
        "slug": page.slug,
        "summary": page.summary,
        "html_url": page_url(page, request),
        "detail_url": absolute(f"/api/v2/resources/{page.pk}/"),
        "content_url": absolute(f"/api/v2/pages/{page.pk}/"),
        "first_published_at": page.first_published_at,
        "last_published_at": page.last_published_at,
        "center": {"code": page.center.code, "label": page.center.name} if page.center_id else None,
        "capabilities": many("capabilities"),
        "stages": many("stages"),
        "course_type": one("course_type"),
        "requirement": one("requirement"),
        "tier": one("tier"),
        "tags": [tag.name for tag in page.tags.all()],
        "lecturer": {"id": lecturer.pk, "name": lecturer.name} if lecturer is not None else None,
        "learning_hours": float(hours) if hours is not None else None,
        "video": video_info(page),
        "program": program_info(page),
    }


def program_info(page):
    """A training program's dates, place, quota, window and schedule (None for other kinds). What it
    is, never who applied: enrolments and everything about people stay out of the API."""
    if model_kind(page) != "program":
        return None
    from programs.library import FILTER_LABELS, filter_code

    status = filter_code(page)
    return {
        "format": {"code": page.format, "label": page.get_format_display()},
        "place": page.place,
        "starts_on": page.starts_on,
        "ends_on": page.ends_on,
        "capacity": page.capacity,
        "enrol_opens": page.enrol_opens,
        "enrol_closes": page.enrol_closes,
        "enrolment_open": page.enrolment_open(),
        "provinces": list(page.provinces or []),
        "hours": float(page.hours) if page.hours is not None else None,
        "min_attendance_percent": page.min_attendance_percent,
        "require_courses": page.require_courses,
        "status": {"code": status, "label": FILTER_LABELS[status]}
        if status
        else {"code": "running", "label": "培训中"},
        "sessions": page.session_list,
    }


def model_kind(page):
    return type(page).resource_kind
