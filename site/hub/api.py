"""The open, read-only API (Wagtail API v2; docs/api.md). Only open pages are served
(access.visibility): live, not view-restricted, and under no unpublished or restricted ancestor,
whoever asks (a session that entered a page's password or a signed-in editor sees the same API), so
that the answers may be kept by shared caches. `html_url` is BASE_URL's address of the page.
The facets with labels, centers, experts and incremental sync are openapi's endpoints beside this one.

There is deliberately no documents or images endpoint: those would list every file,
including the attachments of drafts. Each page's attachments are in its `attachment_list`.

Besides Wagtail's `order` (fields of the page), `sort` orders by the numbers of popularity
(docs/popularity.md): `sort=popular` 最多观看, `completion` 完成率最高, `rating` 评分最高, as the library and
the search order them, and `newest` / `oldest`."""

import datetime

from rest_framework.filters import BaseFilterBackend
from rest_framework.permissions import AllowAny

from django.core.exceptions import FieldDoesNotExist, ValidationError
from django.db import models
from django.utils import timezone

from wagtail.api.v2.filters import FieldsFilter, SearchFilter
from wagtail.api.v2.pagination import WagtailPagination
from wagtail.api.v2.router import WagtailAPIRouter
from wagtail.api.v2.serializers import PageHtmlUrlField, PageSerializer
from wagtail.api.v2.utils import BadRequestError
from wagtail.api.v2.views import PagesAPIViewSet
from wagtail.models import Page

from access.visibility import open_pages
from discovery.links import page_url
from openapi import params
from openapi.resources import has_field
from popularity.scores import SORT_LABELS
from popularity.scores import order_by as popularity_order
from resources.models import ResourcePage

SORTS = {
    "newest": ["-first_published_at", "-pk"],
    "oldest": ["first_published_at", "pk"],
    **dict.fromkeys(SORT_LABELS),
}


def stats_prefix(model):
    """The path from a queryset's model to its ResourceStats, or None if it has none."""
    if issubclass(model, ResourcePage):
        return "stats__"
    if model is Page:
        return "resourcepage__stats__"
    return None


class SortFilter(BaseFilterBackend):
    """`?sort=popular|completion|rating|newest|oldest` (before the search filter, which must be last)."""

    def filter_queryset(self, request, queryset, view):
        sort = request.GET.get("sort")
        if sort is None:
            return queryset
        if sort not in SORTS:
            raise BadRequestError(f"sort 只能是 {'、'.join(SORTS)} 之一（unknown sort {sort[:50]!r}）")
        if "order" in request.GET:
            raise BadRequestError("sort 与 order 不能同时使用（sort and order cannot be combined）")
        if "search" in request.GET:
            raise BadRequestError("按热度排序的检索请用 /api/search/?sort=…（sort cannot be combined with search）")
        if SORTS[sort] is not None:
            return queryset.order_by(*SORTS[sort])
        prefix = stats_prefix(queryset.model)
        if prefix is None:
            raise BadRequestError("只有资源（微课、案例、政策文件）可以按热度排序（this type has no popularity）")
        return queryset.order_by(*popularity_order(sort, prefix))


# Past this offset there is nothing to list; a larger one would reach the database as an integer it
# cannot hold (a server error on SQLite and PostgreSQL instead of a 400).
MAX_OFFSET = 10**9


class HubPagination(WagtailPagination):
    def paginate_queryset(self, queryset, request, view=None):
        try:
            too_far = int(request.GET.get("offset", 0)) > MAX_OFFSET
        except ValueError:
            too_far = False  # Wagtail's own message
        if too_far:
            raise BadRequestError(f"offset 不能大于 {MAX_OFFSET}（offset cannot be higher than {MAX_OFFSET}）")
        return super().paginate_queryset(queryset, request, view)


def with_related(queryset):
    """What a resource's API fields read (its facets, tags, attachments, video), fetched with the listing
    (`fields=*`) instead of by a few queries per row. The kinds say what they read (search_select_related)."""
    model = queryset.model
    if not issubclass(model, ResourcePage):
        return queryset
    related = ["locale", *getattr(model, "search_select_related", [])]
    if has_field(model, "video"):
        related.append("video")
    prefetch = [*getattr(model, "search_prefetch_related", []), "attachments__document"]
    return queryset.select_related(*related).prefetch_related(*prefetch)


class UpdatedSinceFilter(BaseFilterBackend):
    """`?updated_since=<ISO 8601>`: pages published (first or again) since then, for incremental sync."""

    def filter_queryset(self, request, queryset, view):
        try:
            since = params.moment(request, "updated_since")
        except params.ParamError as error:
            raise BadRequestError(str(error)) from error
        return queryset if since is None else queryset.filter(last_published_at__gte=since)


class CheckedFieldsFilter(FieldsFilter):
    """Wagtail's `?<field>=value`, with a 400 instead of a server error for a value the field cannot hold: a
    date that is no date (`?first_published_at=x`), or a moment with no UTC value (`0001-01-01`)."""

    def filter_queryset(self, request, queryset, view):
        for name, value in request.GET.items():
            try:
                field = queryset.model._meta.get_field(name)
            except FieldDoesNotExist:
                continue
            if isinstance(field, models.DateField):  # DateTimeField too
                try:
                    parsed = field.to_python(value)
                    if isinstance(parsed, datetime.datetime) and timezone.is_naive(parsed):
                        parsed = timezone.make_aware(parsed)
                    if isinstance(parsed, datetime.datetime):
                        parsed.astimezone(datetime.UTC)
                except (ValidationError, OverflowError, ValueError) as error:
                    raise BadRequestError(
                        f"{name} 的值不是有效的日期或时间（'{value[:40]}' is not a valid date）"
                    ) from error
        try:
            return super().filter_queryset(request, queryset, view)
        except ValidationError as error:
            raise BadRequestError(f"筛选条件的值无效（{'; '.join(error.messages)[:100]}）") from error


class OpenSearchFilter(SearchFilter):
    """Wagtail's `?search=`, over the open pages. The search backend turns a queryset's conditions into its
    own filters and knows plain field lookups only, not the visibility rule's EXISTS (a server error on
    every search): the pages the other filters selected reach it as a sub-query of ids."""

    def filter_queryset(self, request, queryset, view):
        if "search" in request.GET:
            if request.GET.get("search_operator", "and") not in ("and", "or"):
                raise BadRequestError("search_operator 只能是 and 或 or（search_operator must be 'and' or 'or'）")
            by_tag = getattr(queryset, "_filtered_by_tag", False)
            ordering = queryset.query.order_by
            queryset = queryset.model.objects.filter(pk__in=queryset.order_by().values("pk")).order_by(*ordering)
            queryset._filtered_by_tag = by_tag
        return super().filter_queryset(request, queryset, view)


class BaseUrlHtmlUrlField(PageHtmlUrlField):
    """The page's address under BASE_URL (WAGTAILADMIN_BASE_URL), whatever host the Site record keeps."""

    def to_representation(self, page):
        return page_url(page, self.context.get("request"))


class HubPageSerializer(PageSerializer):
    html_url = BaseUrlHtmlUrlField(read_only=True)


class HubPagesAPIViewSet(PagesAPIViewSet):
    # Anonymous: no session or login is read, so answers do not vary by cookie and shared caches may keep
    # them (openapi.middleware).
    authentication_classes = []
    permission_classes = [AllowAny]
    base_serializer_class = HubPageSerializer
    pagination_class = HubPagination
    filter_backends = [
        CheckedFieldsFilter,
        *PagesAPIViewSet.filter_backends[1:-1],
        SortFilter,
        UpdatedSinceFilter,
        OpenSearchFilter,  # Wagtail's search filter, last
    ]
    # No `site`: one site; the default site's pages are the API's.
    known_query_parameters = PagesAPIViewSet.known_query_parameters.union(["sort", "updated_since"]) - {"site"}

    def get_base_queryset(self):
        # Instead of Wagtail's: its restrictions are checked against this request (a password entered,
        # a login), and a live page under an unpublished section is still listed.
        return open_pages(Page, self.request)

    def get_queryset(self):
        queryset = super().get_queryset()
        # A resource's `popularity` field reads its ResourceStats: fetched with the listing, not per item.
        if issubclass(queryset.model, ResourcePage):
            queryset = queryset.select_related("stats")
        return with_related(queryset)


api_router = WagtailAPIRouter("wagtailapi")
api_router.register_endpoint("pages", HubPagesAPIViewSet)
