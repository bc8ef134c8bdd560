"""The menu-style library: facets combined in the URL (`?capability=mental_health&stage=new`),
a count beside every option, pagination, and a constant number of SQL queries per page.

Values of one facet are OR-ed, facets are AND-ed. Each facet's counts are computed with every
*other* facet applied (disjunctive faceting), so a reader sees how many results each
alternative would give without first removing their own choice.
"""

import functools
from dataclasses import dataclass, field
from urllib.parse import urlencode

from django.db.models import Case, CharField, Count, F, Q, Value, When
from django.db.models.functions import Coalesce
from django.utils.functional import cached_property

from popularity.scores import SORT_LABELS as POPULARITY_SORT_LABELS
from popularity.scores import order_by as popularity_order

from .models import (
    CapabilityArea,
    CareerStage,
    CourseType,
    Requirement,
    ResourcePage,
    Tier,
    TrainingCenter,
    paginate,
    pagination_links,
    resource_models,
)

TOP_TAGS = 20
# As /search/ (search.service): more values per facet than a menu shows are ignored. Every value
# becomes a link in the page and each link repeats the whole selection, so the page grows with the
# square of the count (2,000 tags made a 109 MB page).
MAX_VALUES_PER_FACET = 20

# code -> (label, ordering); the popularity sorts' ordering is computed per request (it reads settings).
SORTS = {
    "newest": ("最新发布", ["-first_published_at", "-pk"]),
    "oldest": ("最早发布", ["first_published_at", "pk"]),
    **{code: (label, functools.partial(popularity_order, code)) for code, label in POPULARITY_SORT_LABELS.items()},
}
DEFAULT_SORT = "newest"


def video_ready(prefix=""):
    """media.Video.is_ready in SQL (transcoded, its HLS ladder written), for a course at `prefix`."""
    from media.models import Video

    return Q(**{f"{prefix}video__status": Video.Status.READY, f"{prefix}video__hls_dir__gt": ""})


def program_facet_conditions():
    from programs.library import facet_conditions

    return facet_conditions()


def sort_order(code):
    """The ORM ordering of a sort code of SORTS."""
    order = SORTS[code][1]
    return order() if callable(order) else order


@dataclass(frozen=True)
class Facet:
    name: str  # the URL parameter
    label: str
    lookup: str  # ORM path compared with the option codes
    vocabulary: type | None = None  # model whose rows are the options (code, label)
    label_field: str = "label"
    # Further ORM paths to the same codes on other kinds (a stage: a course's or a package's). A page is
    # of one kind only, so at most one path has values for it: filters OR them, counts coalesce them.
    other_lookups: tuple = ()
    # A facet of conditions rather than of stored codes (有视频: the course's video is playable):
    # (code, label, Q) per option. Options must exclude each other: a page is counted under one.
    # A callable gives them per request (a program's status depends on today's date).
    conditions: tuple = ()
    hide_empty: bool = False  # not offered while none of the listed resources has a value for it

    def condition_list(self):
        return self.conditions() if callable(self.conditions) else self.conditions

    @property
    def lookups(self):
        return (self.lookup, *self.other_lookups)

    def matching(self, values):
        condition = Q()
        if self.conditions:
            known = [q for code, _, q in self.condition_list() if code in values]
            # An unknown code matches nothing, as an unknown code of a vocabulary does.
            return functools.reduce(Q.__or__, known) if known else Q(pk__in=[])
        for lookup in self.lookups:
            condition |= Q(**{f"{lookup}__in": values})
        return condition

    def count_expression(self):
        """What one count query groups by: the lookup, or the first non-null of the lookups."""
        if self.conditions:
            whens = [When(q, then=Value(code)) for code, _, q in self.condition_list()]
            return Case(*whens, default=Value(None), output_field=CharField())
        return Coalesce(*self.lookups) if self.other_lookups else F(self.lookup)

    def options(self):
        """(code, label, value in the database) for every option, in menu order."""
        if self.conditions:
            return [(code, label, code) for code, label, _ in self.condition_list()]
        if self.name == "kind":
            return [(m.resource_kind, m.resource_kind_label, m._meta.model_name) for m in resource_models()]
        rows = self.vocabulary.objects.order_by(*self.vocabulary._meta.ordering).values_list("code", self.label_field)
        return [(code, label, code) for code, label in rows]

    def db_values(self, codes):
        if self.name == "kind":
            by_kind = {m.resource_kind: m._meta.model_name for m in resource_models()}
            return [by_kind.get(code, code) for code in codes]
        return list(codes)


FACETS = [
    Facet("kind", "资源类型", "content_type__model"),
    Facet("capability", "能力方向", "capabilities__code", CapabilityArea),
    Facet(
        "stage",
        "培训对象",
        "microcoursepage__stages__code",
        CareerStage,
        other_lookups=("coursepackagepage__stages__code", "programpage__stages__code"),
    ),
    Facet("course_type", "课程类型", "microcoursepage__course_type__code", CourseType),
    Facet("requirement", "课程性质", "microcoursepage__requirement__code", Requirement),
    Facet("tier", "培训层级", "microcoursepage__tier__code", Tier, other_lookups=("programpage__tier__code",)),
    # Courses whose video is playable (the card's 有视频 badge): one option, `?video=yes`.
    Facet("video", "视频", "microcoursepage__video", conditions=(("yes", "有视频", video_ready("microcoursepage__")),)),
    # Training programs by their status today (programs.library): computed per request, never stored.
    Facet("program_status", "项目状态", "programpage__starts_on", conditions=program_facet_conditions, hide_empty=True),
    Facet("center", "培训研修中心", "center__code", TrainingCenter, label_field="name"),
    Facet("tag", "标签", "tags__name"),
]
FACETS_BY_NAME = {f.name: f for f in FACETS}


@dataclass
class Option:
    code: str
    label: str
    count: int
    selected: bool
    url: str


@dataclass
class FacetResult:
    facet: Facet
    options: list[Option] = field(default_factory=list)

    @property
    def name(self):
        return self.facet.name

    @property
    def label(self):
        return self.facet.label

    @property
    def any_selected(self):
        return any(o.selected for o in self.options)


def base_queryset():
    """Live, public resources only: drafts and view-restricted pages never reach the library."""
    return ResourcePage.objects.live().public()


def listing_queryset(queryset):
    """Everything a library row shows, fetched in a fixed number of queries."""
    from microcourses.models import series_items_prefetch

    return queryset.select_related(
        "content_type",
        "center",
        "microcoursepage__lecturer",
        "microcoursepage__video",  # the card's 有视频 / 无视频 badge
        "microcoursepage__course_type",
        "microcoursepage__requirement",
        "microcoursepage__tier",
        "casepage",
        "policydocumentpage",
        "coursepackagepage",
        "courseseriespage",
        "programpage__tier",  # a program's card: dates, place, status
        "stats",
    ).prefetch_related(
        "capabilities",
        "tags",
        "microcoursepage__stages",
        "coursepackagepage__stages",
        series_items_prefetch(),  # a series' card: its number of live courses and their length
    )


class LibraryQuery:
    def __init__(self, request, fixed=None):
        self.request = request
        self.fixed = fixed or {}  # facet name -> codes imposed by the page (a center's section)
        self.selected = {}
        for facet in FACETS:
            if facet.name in self.fixed:
                continue
            values = [v.strip()[:100] for v in request.GET.getlist(facet.name) if v.strip()]
            if values:
                self.selected[facet.name] = list(dict.fromkeys(values))[:MAX_VALUES_PER_FACET]
        self.q = request.GET.get("q", "").strip()[:100]
        # `.public()` reads the view restrictions when called: once per request, not once per facet.
        self.base = base_queryset()
        self.sort = request.GET.get("sort") if request.GET.get("sort") in SORTS else DEFAULT_SORT

    # -- filtering ---------------------------------------------------------

    def _filter(self, queryset, filters):
        for name, codes in filters.items():
            facet = FACETS_BY_NAME[name]
            # A subquery keeps many-to-many filters from duplicating rows.
            matching = ResourcePage.objects.filter(facet.matching(facet.db_values(codes)))
            queryset = queryset.filter(pk__in=matching.values("pk"))
        if self.q:
            queryset = queryset.filter(pk__in=self.matching_ids)
        return queryset

    @cached_property
    def matching_ids(self):
        """Resources whose words match the keywords (the Chinese search, not a substring test),
        looked up once per request for the listing and every facet count."""
        from search.service import matching_ids

        return matching_ids(self.q) or []

    def filtered(self, exclude=None):
        filters = {**self.fixed, **{k: v for k, v in self.selected.items() if k != exclude}}
        return self._filter(self.base, filters)

    # -- URLs --------------------------------------------------------------

    def _params(self, selected=None, **extra):
        selected = self.selected if selected is None else selected
        pairs = [(name, code) for name, codes in selected.items() for code in codes]
        if self.q:
            pairs.append(("q", self.q))
        if self.sort != DEFAULT_SORT:
            pairs.append(("sort", self.sort))
        pairs.extend((k, v) for k, v in extra.items() if v is not None)
        return pairs

    def url_with(self, name, code):
        """The URL that toggles one option, back on page 1."""
        selected = {k: list(v) for k, v in self.selected.items()}
        codes = selected.setdefault(name, [])
        if code in codes:
            codes.remove(code)
        else:
            codes.append(code)
        return "?" + urlencode(self._params({k: v for k, v in selected.items() if v}))

    def sort_url(self, sort):
        pairs = [(k, v) for k, v in self._params() if k != "sort"]
        if sort != DEFAULT_SORT:
            pairs.append(("sort", sort))
        return "?" + urlencode(pairs)

    # -- facets ------------------------------------------------------------

    def _counts(self, facet):
        rows = (
            self.filtered(exclude=facet.name)
            .order_by()
            .values(facet_value=facet.count_expression())
            .annotate(n=Count("pk", distinct=True))
            .values_list("facet_value", "n")
        )
        return {value: n for value, n in rows if value is not None}

    def facet_results(self):
        results = []
        for facet in FACETS:
            if facet.name in self.fixed:
                continue
            counts = self._counts(facet)
            chosen = self.selected.get(facet.name, [])
            if facet.hide_empty and not any(counts.values()) and not chosen:
                continue
            if facet.name == "tag":
                top = sorted(counts, key=lambda name: (-counts[name], name))[:TOP_TAGS]
                options = [(name, name, name) for name in top + [c for c in chosen if c not in top]]
            else:
                options = facet.options()
            result = FacetResult(facet)
            for code, label, db_value in options:
                result.options.append(
                    Option(code, label, counts.get(db_value, 0), code in chosen, self.url_with(facet.name, code))
                )
            results.append(result)
        return results

    # -- the whole result --------------------------------------------------

    def run(self):
        facets = self.facet_results()
        items = listing_queryset(self.filtered().order_by(*sort_order(self.sort)))
        page = paginate(self.request, items)
        labels = {(f.name, o.code): o.label for f in facets for o in f.options}
        active = [
            {
                "facet": FACETS_BY_NAME[name].label,
                "label": labels.get((name, code), code),
                "remove_url": self.url_with(name, code),
            }
            for name, codes in self.selected.items()
            for code in codes
        ]
        return {
            "page": page,
            "total": page.paginator.count,
            "facets": facets,
            "active": active,
            "q": self.q,
            "sort": self.sort,
            "sorts": [{"code": c, "label": label, "url": self.sort_url(c)} for c, (label, _) in SORTS.items()],
            "pagination": pagination_links(self.request, page),
        }
