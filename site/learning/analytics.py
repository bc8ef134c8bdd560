"""What the centers' editors see of counselors' learning: counts, averages and histograms of their
own courses, never a person (docs/learning-analytics.md).

A course belongs to the center whose section holds it in the page tree (as everywhere in the
admin's scoping, editorial.scoping), not to its editable `center` field. Every number is an
aggregate computed by the database, one query for a page of courses, four for the
dashboard's totals whatever the number of centers; only the histograms read the bitmaps, one row
at a time, without names."""

import math
from bisect import bisect_right
from dataclasses import dataclass, field
from decimal import Decimal

from django.conf import settings
from django.db.models import Avg, Count, DecimalField, F, Max, OuterRef, Q, Subquery, Sum, Value
from django.db.models.functions import Coalesce, Substr

from editorial import roles
from microcourses.models import MicroCoursePage
from resources.models import CenterSectionPage

from .models import CourseProgress, LearningCredit, clock, seconds_count, unpack_bits

BUCKETS = 30  # histogram bars: fine enough to see where viewers stop, few enough to label
ZERO_HOURS = Value(Decimal("0.00"), output_field=DecimalField(max_digits=9, decimal_places=2))

# ?sort= keys of the course list: the annotation each orders by (a leading "-" for descending).
SORTS = {
    "title": "draft_title",
    "viewers": "viewers",
    "completions": "completions",
    "progress": "avg_progress",
    "hours": "hours",
    "last_viewed": "last_viewed",
}
DEFAULT_SORT = "-viewers"


def sections_of(center_ids):
    """{center id: (path, depth, name)} of the sections of the given centers (None: all)."""
    sections = CenterSectionPage.objects.filter(center__isnull=False)
    if center_ids is not None:
        sections = sections.filter(center__in=center_ids)
    return {
        center_id: (path, depth, name)
        for center_id, path, depth, name in sections.values_list("center_id", "path", "depth", "center__name")
    }


def _under(sections, prefix=""):
    """Pages strictly below any of the sections (prefix: the relation leading to the page)."""
    condition = Q(pk__in=[]) if not prefix else Q(**{f"{prefix}pk__in": []})
    for path, depth, _name in sections:
        condition |= Q(**{f"{prefix}path__startswith": path, f"{prefix}depth__gt": depth})
    return condition


def center_of_path(sections):
    """A function from a page's path to the id of the center whose section holds it."""
    by_path = {path: center_id for center_id, (path, _depth, _name) in sections.items()}
    lengths = sorted({len(path) for path in by_path})

    def find(path):
        for length in lengths:
            if len(path) > length and path[:length] in by_path:
                return by_path[path[:length]]
        return None

    return find


def course_rows(sections, sort=DEFAULT_SORT):
    """The courses under the sections with their numbers, as one query (values, not pages): the
    progress rows are joined and grouped; the credited hours come from a subquery, since joining
    credits too would multiply the progress rows."""
    hours = (
        LearningCredit.objects.filter(course=OuterRef("pk"))
        .order_by()
        .values("course")
        .annotate(total=Sum("hours"))
        .values("total")
    )
    rows = (
        MicroCoursePage.objects.filter(_under(sections.values()))
        .order_by()
        .values("pk", "draft_title", "path", "live")
        .annotate(
            viewers=Count("progress"),  # one progress row per counselor and course
            completions=Count("progress", filter=Q(progress__completed_at__isnull=False)),
            avg_progress=Avg("progress__progress"),
            last_viewed=Max("progress__updated_at"),
            hours=Coalesce(Subquery(hours), ZERO_HOURS),
        )
    )
    key = sort.removeprefix("-")
    if key not in SORTS:
        sort, key = DEFAULT_SORT, DEFAULT_SORT.removeprefix("-")
    expression = F(SORTS[key])
    # Courses nobody watched have no average or last view: always after the others.
    ordering = expression.desc(nulls_last=True) if sort.startswith("-") else expression.asc(nulls_last=True)
    return rows.order_by(ordering, "path")


def hours_value(value):
    """Hours as a Decimal of two places: SQLite's sums come back as 0.5 or as floats."""
    return Decimal(str(value or 0)).quantize(Decimal("0.01"))


def too_few(viewers):
    """Fewer viewers than LEARNING_ANALYTICS_MIN_VIEWERS: an average, a last view or a histogram of one or
    two people would describe those people, whom an editor may know."""
    return 0 < (viewers or 0) < settings.LEARNING_ANALYTICS_MIN_VIEWERS


def with_percent(row):
    """A course row with its average watched share in whole percent (None without viewers, or with too
    few to show it)."""
    row["hours"] = hours_value(row["hours"])
    average = row["avg_progress"]
    row["too_few"] = too_few(row.get("viewers"))
    if row["too_few"]:
        average = row["last_viewed"] = None
    row["avg_percent"] = None if average is None else min(100, math.floor(average * 100 + 1e-9))
    return row


def course_numbers(course):
    """The list's numbers for one course (two aggregate queries)."""
    numbers = CourseProgress.objects.filter(course=course).aggregate(
        viewers=Count("pk"),
        completions=Count("pk", filter=Q(completed_at__isnull=False)),
        avg_progress=Avg("progress"),
        last_viewed=Max("updated_at"),
        longest=Max("duration"),
    )
    numbers["hours"] = LearningCredit.objects.filter(course=course).aggregate(total=Coalesce(Sum("hours"), ZERO_HOURS))[
        "total"
    ]
    return with_percent(numbers)


# -- where viewers stop ------------------------------------------------------------------------


@dataclass
class Histogram:
    """Counts per bucket of a video's seconds: bucket k holds seconds starts[k] .. ends[k] - 1."""

    nseconds: int
    starts: list
    ends: list
    watched: list = field(default_factory=list)  # viewers who played any second of the bucket
    left: list = field(default_factory=list)  # viewers whose last position is in the bucket
    viewers: int = 0

    @property
    def buckets(self):
        return [
            {
                "start": s,
                "end": e,
                "start_label": clock(s),
                "end_label": clock(e),
                "watched": w,
                "left": n,
                "share": share(w, self.viewers),
            }
            for s, e, w, n in zip(self.starts, self.ends, self.watched, self.left, strict=True)
        ]


def share(part, whole):
    return round(100 * part / whole) if whole else 0


def bucket_bounds(nseconds, buckets=BUCKETS):
    """Start and end seconds of `buckets` (at most one per second) nearly equal buckets."""
    count = max(1, min(buckets, nseconds))
    starts = [k * nseconds // count for k in range(count)]
    return starts, starts[1:] + [nseconds]


def histogram(course, duration, buckets=BUCKETS):
    """Both histograms of a course from its progress rows: for each bucket, how many viewers played
    any of its seconds (the audience-retention curve) and how many left the video there.

    The bitmaps are read as Python ints (bit i = second i, as tracking writes them) and each
    bucket is a mask; a video replaced by a shorter one leaves bits past its end, which are
    ignored. Rows are streamed: memory stays flat for tens of thousands of viewers."""
    nseconds = seconds_count(duration)
    starts, ends = bucket_bounds(nseconds, buckets)
    masks = [((1 << (end - start)) - 1) << start for start, end in zip(starts, ends, strict=True)]
    result = Histogram(nseconds, starts, ends, [0] * len(starts), [0] * len(starts))
    rows = CourseProgress.objects.filter(course=course).order_by().values_list("played_bits", "position")
    for played, position in rows.iterator(chunk_size=2000):
        result.viewers += 1
        bits = unpack_bits(played)
        if bits:
            for k, mask in enumerate(masks):
                if bits & mask:
                    result.watched[k] += 1
        second = min(nseconds - 1, max(0, int(position or 0)))
        result.left[bisect_right(starts, second) - 1] += 1
    return result


# -- the submission dashboard's totals ---------------------------------------------------------


@dataclass
class Totals:
    learners: int = 0  # distinct counselors who played any of the courses
    completions: int = 0  # completed (counselor, course) pairs
    hours: Decimal = Decimal("0.00")


def center_totals(center_ids):
    """({center id: Totals}, platform Totals) for the given centers (None: all).

    One pass over the tables per depth of sections (there is one library, so one depth): the rows are
    grouped by the path of the section above their course, a prefix of the course's path. Counselors
    who watched several centers' courses are counted once in the total, in each of those centers."""
    sections = sections_of(center_ids)
    totals = {center_id: Totals() for center_id in sections}
    if not sections:
        return totals, Totals()
    center_by_path = {path: center_id for center_id, (path, _depth, _name) in sections.items()}
    scope = _under(sections.values(), "course__")
    for length in {len(path) for path, _depth, _name in sections.values()}:
        section_path = Substr("course__path", 1, length)
        grouped = CourseProgress.objects.filter(scope).annotate(section=section_path).order_by().values("section")
        for row in grouped.annotate(
            learners=Count("user", distinct=True), completions=Count("pk", filter=Q(completed_at__isnull=False))
        ):
            if row["section"] in center_by_path:
                total = totals[center_by_path[row["section"]]]
                total.learners, total.completions = row["learners"], row["completions"]
        credits = LearningCredit.objects.filter(scope).annotate(section=section_path).order_by().values("section")
        for row in credits.annotate(hours=Sum("hours")):
            if row["section"] in center_by_path:
                totals[center_by_path[row["section"]]].hours = hours_value(row["hours"])
    platform = CourseProgress.objects.filter(scope).aggregate(
        learners=Count("user", distinct=True), completions=Count("pk", filter=Q(completed_at__isnull=False))
    )
    hours = LearningCredit.objects.filter(scope).aggregate(total=Sum("hours"))["total"]
    return totals, Totals(platform["learners"], platform["completions"], hours_value(hours))


def visible_sections(user, center_id=None):
    """The sections of the centers the user may see the learning data of, narrowed to one center
    when asked (an unknown or foreign center gives none)."""
    visible = roles.visible_center_ids(user)
    if center_id is not None:
        visible = {center_id} if visible is None else set(visible) & {center_id}
    return sections_of(visible)
