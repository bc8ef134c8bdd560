"""Each center's progress towards the year's two deadlines (the work plan by May 10, courses and
cases uploaded by June 30), for the submission dashboard, its exports and the reminders.

Definitions, for a year and a day `today`:

- planned: items in the center's work plan for the year (0 without a plan). Plan status: none,
  draft (未提交) or submitted (已提交); a plan submitted after the plan deadline is late.
- The center's micro-courses are the `MicroCoursePage`s under its section. published: live ones
  first published in the year; in_review: not live, with a workflow in progress; draft: the other
  not-live ones (a page sent back for changes is a draft again). Live courses first published in
  another year are not counted.
- done: plan items with at least one live linked course; completion = done / planned.
- videos_transcoding (waiting or transcoding) and videos_failed: videos in the center's
  collection, together with the videos its counted courses use (the importer leaves videos in the
  root collection). A video is counted once.
- cases: `CasePage`s under the section, published in the year or not yet published.
- days_left: upload deadline (June 30) of the year minus today, in days (negative afterwards).
- behind: no submitted plan, or done < planned, or no case; overdue: behind and past June 30.

`center_progress()` runs the same five queries however many centers there are."""

from dataclasses import dataclass, field
from datetime import date, datetime, time

from django.contrib.contenttypes.models import ContentType
from django.db.models import CharField, Count, Exists, OuterRef, Q
from django.db.models.functions import Cast
from django.utils import timezone

from wagtail.models import Page, WorkflowState

from cases.models import CasePage
from media.models import Video
from microcourses.models import MicroCoursePage
from resources.models import TrainingCenter

from .models import WorkPlan, plan_deadline, upload_deadline

PLAN_NONE = "none"
PLAN_STATUS_LABELS = {
    PLAN_NONE: "未填报",
    WorkPlan.Status.DRAFT: "未提交",
    WorkPlan.Status.SUBMITTED: "已提交",
}


# The first year the platform kept work plans: the dashboard's and the plans' year choices start here.
FIRST_YEAR = 2020


def today():
    """The local date the dashboard counts from (a function so that tests can fix it)."""
    return timezone.localdate()


def requested_year(value, today):
    """The year a query string asks for (`?year=`), or this year when it is absent, unreadable or
    outside FIRST_YEAR..next year."""
    try:
        year = int(value or "")
    except ValueError:
        return today.year
    return year if FIRST_YEAR <= year <= today.year + 1 else today.year


@dataclass
class CenterProgress:
    center_id: int
    code: str
    name: str
    year: int
    today: date
    plan_id: int | None = None
    plan_status: str = PLAN_NONE
    plan_late: bool = False
    planned: int = 0
    done: int = 0
    published: int = 0
    in_review: int = 0
    draft: int = 0
    videos_transcoding: int = 0
    videos_failed: int = 0
    cases: int = 0
    video_ids: set = field(default_factory=set, repr=False)

    @property
    def plan_submitted(self):
        return self.plan_status == WorkPlan.Status.SUBMITTED

    @property
    def plan_status_label(self):
        return PLAN_STATUS_LABELS[self.plan_status] + ("（逾期提交）" if self.plan_late else "")

    @property
    def deadline(self):
        return upload_deadline(self.year)

    @property
    def days_left(self):
        return (self.deadline - self.today).days

    @property
    def completion(self):
        """Whole percent of planned items done; None without planned items."""
        return round(100 * self.done / self.planned) if self.planned else None

    @property
    def courses(self):
        return self.published + self.in_review + self.draft

    @property
    def behind(self):
        return not self.plan_submitted or self.done < self.planned or self.cases == 0

    @property
    def overdue(self):
        return self.behind and self.today > self.deadline

    @property
    def status_label(self):
        if self.overdue:
            return "已逾期"
        return "进度落后" if self.behind else "正常"

    def plan_problem(self):
        if self.plan_status == PLAN_NONE:
            return "尚未填报年度工作计划"
        return None if self.plan_submitted else "年度工作计划尚未提交"

    def missing(self):
        """What keeps the center behind, in words (dashboard and reminder e-mails)."""
        problems = [self.plan_problem()] if self.plan_problem() else []
        if self.done < self.planned:
            problems.append(f"计划课程 {self.planned} 门，已完成 {self.done} 门，还差 {self.planned - self.done} 门")
        if self.cases == 0:
            problems.append("尚未上传工作案例")
        return problems


def year_bounds(year):
    """The year as an aware [start, end) interval in the site's time zone."""
    tz = timezone.get_current_timezone()
    return (
        timezone.make_aware(datetime.combine(date(year, 1, 1), time.min), tz),
        timezone.make_aware(datetime.combine(date(year + 1, 1, 1), time.min), tz),
    )


def _under_sections(sections):
    query = Q(pk__in=[])
    for section in sections:
        query |= Q(path__startswith=section.path, depth__gt=section.depth)
    return query


def _counted_in_year(year):
    start, end = year_bounds(year)
    return Q(live=False) | Q(first_published_at__gte=start, first_published_at__lt=end)


def _center_finder(sections_by_center):
    """A function from a page's tree path to the id of the center whose section holds it."""
    by_path = {section.path: center_id for center_id, section in sections_by_center.items()}
    lengths = sorted({len(path) for path in by_path})

    def find(path):
        for length in lengths:
            center_id = by_path.get(path[:length])
            if center_id is not None and len(path) > length:
                return center_id
        return None

    return find


def in_review_annotation():
    """True for a page with a workflow in progress (not one sent back for changes)."""
    states = WorkflowState.objects.filter(
        base_content_type=ContentType.objects.get_for_model(Page),
        object_id=Cast(OuterRef("pk"), output_field=CharField()),
        status=WorkflowState.STATUS_IN_PROGRESS,
    )
    return Exists(states)


def center_progress(year, today, center_ids=None):
    """One CenterProgress per center (all, or those in center_ids), ordered by center code."""
    centers = TrainingCenter.objects.select_related("section").order_by("code")
    if center_ids is not None:
        centers = centers.filter(pk__in=center_ids)
    centers = list(centers)
    rows = {c.pk: CenterProgress(c.pk, c.code, c.name, year, today) for c in centers}
    if not rows:
        return []
    sections = {c.pk: c.section for c in centers if hasattr(c, "section")}
    collections = {c.collection_id: c.pk for c in centers if c.collection_id}

    plans = (
        WorkPlan.objects.filter(year=year, center__in=rows)
        .order_by()
        .annotate(
            n_items=Count("items", distinct=True),
            n_done=Count("items", filter=Q(items__courses__live=True), distinct=True),
        )
        .values("pk", "center_id", "status", "submitted_at", "n_items", "n_done")
    )
    for plan in plans:
        row = rows[plan["center_id"]]
        row.plan_id, row.plan_status = plan["pk"], plan["status"]
        row.planned, row.done = plan["n_items"], plan["n_done"]
        submitted_at = plan["submitted_at"]
        row.plan_late = bool(
            row.plan_submitted and submitted_at and timezone.localdate(submitted_at) > plan_deadline(year)
        )

    videos = {}  # id -> (center id, status), so that a video is counted once per center
    find_center = _center_finder(sections)
    if sections:
        courses = (
            MicroCoursePage.objects.filter(_under_sections(sections.values()))
            .filter(_counted_in_year(year))
            .annotate(in_review=in_review_annotation())
            .values_list("path", "live", "in_review", "video_id", "video__status")
        )
        for path, live, in_review, video_id, video_status in courses:
            center_id = find_center(path)
            if center_id is None:
                continue
            row = rows[center_id]
            if live:
                row.published += 1
            elif in_review:
                row.in_review += 1
            else:
                row.draft += 1
            if video_id:
                videos[(center_id, video_id)] = video_status

        cases = CasePage.objects.filter(_under_sections(sections.values())).filter(_counted_in_year(year))
        for path in cases.values_list("path", flat=True):
            center_id = find_center(path)
            if center_id is not None:
                rows[center_id].cases += 1

    if collections:
        for video_id, collection_id, status in Video.objects.filter(collection__in=collections).values_list(
            "pk", "collection_id", "status"
        ):
            videos[(collections[collection_id], video_id)] = status

    for (center_id, video_id), status in videos.items():
        row = rows[center_id]
        row.video_ids.add(video_id)
        if status in (Video.Status.WAITING, Video.Status.TRANSCODING):
            row.videos_transcoding += 1
        elif status == Video.Status.FAILED:
            row.videos_failed += 1
    return list(rows.values())
