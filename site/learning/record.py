"""A counselor's learning record (学习成长数字档案): what /me/, its CSV and its PDF show.

`build_record` reads it all in a fixed number of queries, whatever the number of courses: the progress
rows with their course, the credits with theirs, the capability areas, and the areas of courses not yet
credited. Hours come from the credits only. A credit carries its own title, hours and areas (copied
when the course was completed), so the record keeps a course that was later edited, unpublished or
deleted, and counts its hours toward the areas it had then. See docs/learning-record.md.
"""

import math
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal

from django.conf import settings
from django.utils import timezone

from resources.formatting import format_hours
from resources.models import CapabilityArea, ResourcePage

from .models import CourseProgress, LearningCredit
from .tracking import course_hours

# The timeline shows this many of the newest events; the counts above it cover them all.
TIMELINE_LIMIT = 100

# Only what the record shows is read of a course page (not its body or transcript).
COURSE_FIELDS = ["course__title", "course__live", "course__url_path", "course__learning_hours"]
COURSE_FIELDS += ["course__duration_seconds"]

EVENT_LABELS = {"started": "开始学习", "completed": "完成课程", "credited": "计入学时"}
# Newest first; at the same moment (completion credits at once) the credit is listed above the completion.
EVENT_ORDER = {"started": 0, "completed": 1, "credited": 2}


@dataclass
class CourseRow:
    key: int  # the page id, kept by a credit when the page is deleted
    title: str
    url: str = ""  # "" when the course is no longer live
    areas: list = field(default_factory=list)  # [(code, label)] in the areas' order
    percent: int = 0
    watched_seconds: int = 0
    started_at: datetime | None = None
    last_watched: datetime | None = None
    completed_at: datetime | None = None
    hours: Decimal | None = None  # credited
    expected_hours: Decimal | None = None  # what completing it will credit
    kind: str = "course"  # or "program": a training program completed (programs.completion)

    @property
    def area_labels(self):
        return [label for _code, label in self.areas]

    @property
    def completed(self):
        return self.completed_at is not None or self.hours is not None

    @property
    def is_program(self):
        return self.kind == "program"


@dataclass
class AreaHours:
    code: str
    label: str
    hours: Decimal
    courses: int
    programs: int = 0  # training programs credited in the area (not counted in `courses`)

    @property
    def number(self):
        """The hours as the chart and the page's data-hours write them: 1.5, 0, 2.25."""
        return format_hours(self.hours)


@dataclass
class YearHours:
    year: int
    hours: Decimal
    courses: int
    programs: int = 0  # training programs credited that year (not counted in `courses`)


@dataclass
class Event:
    at: datetime
    kind: str
    title: str
    hours: Decimal | None = None

    @property
    def label(self):
        return EVENT_LABELS[self.kind]


@dataclass
class LearningRecord:
    name: str
    generated_at: datetime
    completed: list
    in_progress: list
    years: list  # YearHours, newest first
    areas: list  # AreaHours, every capability area in its order
    total_hours: Decimal
    target: dict
    timeline: list  # the newest TIMELINE_LIMIT events
    event_counts: dict  # kind -> count, of all events

    @property
    def courses(self):
        return self.completed + self.in_progress

    @property
    def completed_courses(self):
        """The completed micro-courses, without the training programs credited beside them."""
        return [row for row in self.completed if not row.is_program]

    @property
    def completed_programs(self):
        return [row for row in self.completed if row.is_program]

    @property
    def timeline_total(self):
        return sum(self.event_counts.values())

    @property
    def event_summary(self):
        return [(EVENT_LABELS[kind], count) for kind, count in self.event_counts.items()]


def display_name(user):
    """The 姓名 of the counselor's profile; else the account's full name, family name first when it is
    Chinese (张 + 三); else the user name."""
    from accounts.models import CounselorProfile

    profile_name = CounselorProfile.objects.filter(user_id=user.pk).values_list("name", flat=True).first()
    if profile_name and profile_name.strip():
        return profile_name.strip()
    first, last = (user.first_name or "").strip(), (user.last_name or "").strip()
    if first and last and not (first.isascii() and last.isascii()):
        return f"{last}{first}"
    return user.get_full_name().strip() or user.get_username()


def live_url(course, request):
    if course is None or not course.live:
        return ""
    return course.get_url(request=request) or ""


def capability_areas():
    return list(CapabilityArea.objects.order_by("sort_order", "code").only("code", "label", "sort_order"))


def area_naming(areas):
    """A function from area codes to [(code, label)] in the areas' order."""
    area_by_code = {area.code: area for area in areas}
    rank = {area.code: index for index, area in enumerate(areas)}

    def named(codes):
        known = sorted((code for code in set(codes) if code in area_by_code), key=rank.__getitem__)
        # An area deleted since the credit keeps its code as its name.
        unknown = sorted(code for code in set(codes) if code not in area_by_code)
        return [(code, area_by_code[code].label) for code in known] + [(code, code) for code in unknown]

    return named


def area_hours(user):
    """The record's hours per capability area alone (the radar chart): two queries, not the whole record."""
    areas = capability_areas()
    credits = LearningCredit.objects.filter(user=user).only("kind", "hours", "capability_codes")
    return hours_by_area(credits, areas, area_naming(areas))


def build_record(user, *, request=None, now=None):
    """The learning record of `user` (the owner: callers never pass another user's id)."""
    now = now or timezone.now()
    areas = capability_areas()
    area_by_id = {area.pk: area for area in areas}
    named = area_naming(areas)

    progress_rows = list(
        CourseProgress.objects.filter(user=user)
        .select_related("course")
        .only("course_id", "watched_seconds", "progress", "started_at", "updated_at", "completed_at", *COURSE_FIELDS)
        .order_by("-updated_at", "-pk")
    )
    credits = list(
        LearningCredit.objects.filter(user=user)
        .select_related("course")
        .only("course_id", "course_key", "kind", "title", "hours", "capability_codes", "credited_at", *COURSE_FIELDS)
        .order_by("-credited_at", "-pk")
    )
    credit_by_key = {credit.course_key: credit for credit in credits}

    # The areas of courses without a credit, read through the many-to-many table in one query.
    uncredited = [row.course_id for row in progress_rows if row.course_id not in credit_by_key]
    course_areas = defaultdict(list)
    if uncredited:
        links = ResourcePage.capabilities.through.objects.filter(resourcepage_id__in=uncredited)
        for page_id, area_id in links.values_list("resourcepage_id", "capabilityarea_id"):
            course_areas[page_id].append(area_by_id[area_id].code)

    rows, events = [], []
    for progress in progress_rows:
        course = progress.course
        credit = credit_by_key.get(progress.course_id)
        rows.append(
            CourseRow(
                key=progress.course_id,
                title=course.title,
                url=live_url(course, request),
                areas=named(credit.capability_codes if credit else course_areas[progress.course_id]),
                percent=progress.percent,
                watched_seconds=progress.watched_seconds,
                started_at=progress.started_at,
                last_watched=progress.updated_at,
                completed_at=progress.completed_at or (credit.credited_at if credit else None),
                hours=credit.hours if credit else None,
                expected_hours=None if credit else course_hours(course),
            )
        )
        events.append(Event(progress.started_at, "started", course.title))
        if progress.completed_at:
            events.append(Event(progress.completed_at, "completed", course.title))
    with_progress = {progress.course_id for progress in progress_rows}
    for credit in credits:
        events.append(Event(credit.credited_at, "credited", credit.title, credit.hours))
        if credit.course_key not in with_progress:
            # Its progress went with the deleted page (or it is a program's: it has none); the credit remains.
            rows.append(
                CourseRow(
                    key=credit.course_key,
                    title=credit.title,
                    url=live_url(credit.course, request),
                    areas=named(credit.capability_codes),
                    percent=100,
                    completed_at=credit.credited_at,
                    hours=credit.hours,
                    kind=credit.kind,
                )
            )

    completed = sorted((row for row in rows if row.completed), key=lambda row: row.completed_at, reverse=True)
    in_progress = [row for row in rows if not row.completed]  # already the most recently watched first
    events.sort(key=lambda event: (event.at, EVENT_ORDER[event.kind]), reverse=True)
    years = hours_by_year(credits)
    return LearningRecord(
        name=display_name(user),
        generated_at=now,
        completed=completed,
        in_progress=in_progress,
        years=years,
        areas=hours_by_area(credits, areas, named),
        total_hours=sum((credit.hours for credit in credits), Decimal(0)),
        target=annual_target(years, timezone.localtime(now).year),
        timeline=events[:TIMELINE_LIMIT],
        event_counts=event_counts(events),
    )


def event_counts(events):
    counts = Counter(event.kind for event in events)
    return {kind: counts[kind] for kind in EVENT_LABELS}


def hours_by_year(credits):
    hours, courses, programs = defaultdict(Decimal), Counter(), Counter()
    for credit in credits:
        year = timezone.localtime(credit.credited_at).year
        hours[year] += credit.hours
        (programs if credit.kind == "program" else courses)[year] += 1
    return [YearHours(year, hours[year], courses[year], programs[year]) for year in sorted(hours, reverse=True)]


def hours_by_area(credits, areas, named):
    """Every capability area with the hours of the credited courses in it: a course counts in full
    toward each of its areas, so the areas' sum exceeds the total when a course has several."""
    hours, courses, programs = defaultdict(Decimal), Counter(), Counter()
    known, unknown = {area.code for area in areas}, {}
    for credit in credits:
        counter = programs if credit.kind == "program" else courses
        for code, label in named(credit.capability_codes):
            hours[code] += credit.hours
            counter[code] += 1
            if code not in known:
                unknown[code] = label
    rows = [
        AreaHours(area.code, area.label, hours[area.code], courses[area.code], programs[area.code]) for area in areas
    ]
    return rows + [
        AreaHours(code, label, hours[code], courses[code], programs[code]) for code, label in sorted(unknown.items())
    ]


def annual_target(years, year):
    goal = Decimal(str(settings.LEARNING_ANNUAL_HOURS))
    if goal == goal.to_integral_value():
        goal = goal.quantize(Decimal(1))  # 32, not 32.0
    done = next((entry.hours for entry in years if entry.year == year), Decimal(0))
    return {
        "year": year,
        "hours": done,
        "goal": goal,
        # The <progress> element's value, never beyond its max.
        "value": min(done, goal),
        "percent": min(100, math.floor(done * 100 / goal)),
        "remaining": max(Decimal(0), goal - done),
        "reached": done >= goal,
    }
