"""What a package shows and counts, in a constant number of queries whatever its size.

`resolve(target_ids, user)` takes the items' page ids in order and returns one Entry per item (a live,
public course or series with its duration, hours and the user's progress, or an offline item with no
title or link) and the totals: a series counts its live courses, and a course in two items (alone and in
a series) is counted once.
"""

from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Prefetch

from access.visibility import public
from learning.models import CourseProgress
from microcourses.models import CourseSeriesPage, MicroCoursePage, SeriesItem


@dataclass
class Entry:
    target_id: int
    item_id: int | None = None
    kind: str | None = None  # "microcourse", "series", or None when offline
    page: object = None
    url: str = ""
    courses: list = field(default_factory=list)  # the live courses it stands for
    seconds: int = 0
    hours: Decimal = Decimal(0)
    watched: int = 0  # seconds watched of its courses (each bounded by the course's length)
    completed: int = 0  # its courses completed

    @property
    def available(self):
        return self.kind is not None

    @property
    def title(self):
        return self.page.title if self.page else ""

    @property
    def course_count(self):
        return len(self.courses)

    @property
    def percent(self):
        """Watched share of its seconds, 0..100."""
        return min(100, int(self.watched * 100 / self.seconds)) if self.seconds else 0

    @property
    def is_completed(self):
        return bool(self.courses) and self.completed == len(self.courses)

    @property
    def minutes(self):
        return round(self.seconds / 60) if self.seconds else 0

    def as_api(self):
        return {
            "id": self.target_id,
            "type": self.kind,
            "title": self.title,
            "url": self.url,
            "duration_seconds": self.seconds,
            "learning_hours": float(self.hours),
            "courses": [course.pk for course in self.courses],
        }


@dataclass
class Resolved:
    entries: list
    total_seconds: int = 0
    total_hours: Decimal = Decimal(0)
    course_count: int = 0
    completed_count: int = 0
    hours_completed: Decimal = Decimal(0)
    watched_seconds: int = 0

    @property
    def available(self):
        return [e for e in self.entries if e.available]

    @property
    def total_minutes(self):
        return round(self.total_seconds / 60) if self.total_seconds else 0

    @property
    def completed_percent(self):
        return int(self.completed_count * 100 / self.course_count) if self.course_count else 0

    @property
    def watched_percent(self):
        return min(100, int(self.watched_seconds * 100 / self.total_seconds)) if self.total_seconds else 0


def _course_seconds(course):
    return int(course.duration_seconds or 0)


def visible_targets(ids):
    """{page id: "microcourse" | "series"} of the live, public courses and series among `ids`."""
    ids = list(ids)
    found = dict.fromkeys(
        public(MicroCoursePage.objects.filter(pk__in=ids)).values_list("pk", flat=True), "microcourse"
    )
    found.update(
        (pk, "series") for pk in public(CourseSeriesPage.objects.filter(pk__in=ids)).values_list("pk", flat=True)
    )
    return found


@dataclass
class Loaded:
    """The live, public courses and series of some items, and a user's progress in them."""

    courses: dict = field(default_factory=dict)
    series: dict = field(default_factory=dict)
    progress: dict = field(default_factory=dict)


def load(target_ids, user=None):
    """What `build` needs for these page ids, in at most five queries whatever their number."""
    unique = list(dict.fromkeys(target_ids))
    loaded = Loaded()
    if not unique:
        return loaded
    loaded.courses = {c.pk: c for c in public(MicroCoursePage.objects.filter(pk__in=unique))}
    live_courses = public(MicroCoursePage.objects.all())
    members = SeriesItem.objects.filter(course__in=live_courses).order_by("sort_order", "pk").select_related("course")
    loaded.series = {
        s.pk: s
        for s in CourseSeriesPage.objects.live()
        .public()
        .filter(pk__in=unique)
        .prefetch_related(Prefetch("items", queryset=members, to_attr="live_members"))
    }
    all_courses = dict(loaded.courses)
    for s in loaded.series.values():
        for member in s.live_members:
            all_courses.setdefault(member.course.pk, member.course)
    if user is not None and all_courses:
        rows = CourseProgress.objects.filter(user=user, course_id__in=list(all_courses))
        rows = rows.only("course_id", "watched_seconds", "duration", "completed_at")
        loaded.progress = {p.course_id: p for p in rows}
    return loaded


def resolve(target_ids, user=None, request=None, item_ids=None):
    """Entries of the items (page ids in order; `item_ids` the stored items' ids beside them) and totals."""
    target_ids = list(target_ids)
    return build(target_ids, load(target_ids, user), request=request, item_ids=item_ids)


def build(target_ids, loaded, request=None, item_ids=None):
    """Entries and totals of the items from what `load` read (no query but the pages' URLs' site lookup)."""
    target_ids = list(target_ids)
    item_ids = list(item_ids) if item_ids is not None else [None] * len(target_ids)
    courses, series, progress = loaded.courses, loaded.series, loaded.progress

    def watched(course):
        row = progress.get(course.pk)
        if row is None:
            return 0
        return min(row.watched_seconds, _course_seconds(course) or int(row.duration))

    def completed(course):
        row = progress.get(course.pk)
        return row is not None and row.completed_at is not None

    entries = []
    for target_id, item_id in zip(target_ids, item_ids, strict=True):
        entry = Entry(target_id=target_id, item_id=item_id)
        if target_id in courses:
            entry.kind, entry.page, entry.courses = "microcourse", courses[target_id], [courses[target_id]]
        elif target_id in series:
            entry.kind, entry.page = "series", series[target_id]
            entry.courses = [member.course for member in series[target_id].live_members]
        if entry.page is not None:
            entry.url = entry.page.get_url(request) or ""
        for course in entry.courses:
            entry.seconds += _course_seconds(course)
            entry.hours += course.learning_hours or Decimal(0)
            entry.watched += watched(course)
            entry.completed += completed(course)
        entries.append(entry)

    result = Resolved(entries=entries)
    counted = {}
    for entry in entries:
        for course in entry.courses:
            counted.setdefault(course.pk, course)
    for course in counted.values():
        result.course_count += 1
        result.total_seconds += _course_seconds(course)
        hours = course.learning_hours or Decimal(0)
        result.total_hours += hours
        result.watched_seconds += watched(course)
        if completed(course):
            result.completed_count += 1
            result.hours_completed += hours
    return result
