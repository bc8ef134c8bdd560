"""Recommendations from the learning map (seed 000 §二(三), choosing courses "by big data").

A signed-in counselor is recommended courses for their career stage in the capability areas where
their credited hours are lowest (the radar's weakest areas), none they completed, the most watched
first (`resources.ResourceStats.viewers`, kept by `popularity`), one area after another so that the list
covers several weak areas. Each recommendation says why in one line. Visitors see the most watched
courses of each career stage.

A bounded number of queries whatever the library's size: the areas and the counselor's hours, their
completed courses, and one query per weak area shown (at most `limit`), each taking `limit` rows.
"""

from dataclasses import dataclass

from django.db.models import Exists, OuterRef, prefetch_related_objects

from accounts.models import career_stage_for
from popularity.scores import order_by
from resources.models import CareerStage

from .models import CourseProgress, LearningCredit
from .record import area_naming, capability_areas, hours_by_area


@dataclass
class Recommendation:
    course: object
    reason: str


def recommendable_courses():
    """Live, public micro-courses with what a recommended card shows (learning/includes/course_card.html)."""
    from microcourses.models import MicroCoursePage

    return MicroCoursePage.objects.live().public().select_related("lecturer", "center", "course_type", "requirement")


def popular(courses):
    # The library's 最多观看 (popularity.scores): counselors who watched, then page views, then newest.
    return courses.select_related("stats").order_by(*order_by("popular"))


def _for_stage(courses, stage):
    through = courses.model.stages.through
    return courses.filter(Exists(through.objects.filter(microcoursepage_id=OuterRef("pk"), careerstage=stage)))


def weak_areas(user):
    """The capability areas in which the counselor has fewer hours than in their strongest, fewest hours
    first ([AreaHours]; none for a counselor with no hours yet, or the same hours in every area)."""
    areas = capability_areas()
    credits = LearningCredit.objects.filter(user=user).only("kind", "hours", "capability_codes")
    # The areas of the menu only: a deleted area a credit still names is not recommended.
    rows = hours_by_area(credits, areas, area_naming(areas))[: len(areas)]
    most = max((row.hours for row in rows), default=0)
    return sorted((row for row in rows if row.hours < most), key=lambda row: row.hours)  # stable: menu order


def popular_reason(stage):
    # "新入职（1—3年）" -> "新入职辅导员学习人数最多"
    return f"{stage.label.split('（')[0]}辅导员学习人数最多" if stage else "学习人数最多"


def for_counselor(user, courses, limit=6):
    """[Recommendation] for a signed-in counselor, and their stage (a CareerStage or None)."""
    stage_code = career_stage_for(user)
    stage = CareerStage.objects.filter(code=stage_code).first() if stage_code else None
    completed = CourseProgress.objects.filter(user=user, completed_at__isnull=False).values("course_id")
    # Credited counts as completed, as in the learning record (a progress row sized again for a replaced
    # video loses its completed_at, not the credit).
    credited = LearningCredit.objects.filter(user=user, course__isnull=False).values("course_id")
    courses = courses.exclude(pk__in=completed).exclude(pk__in=credited)
    staged = _for_stage(courses, stage) if stage is not None else courses
    areas = weak_areas(user)

    chosen, seen = [], set()

    def add(course, reason):
        if course.pk not in seen and len(chosen) < limit:
            seen.add(course.pk)
            chosen.append(Recommendation(course, reason))

    if not areas:
        # Nothing learnt yet (or every area alike): the most watched for their stage.
        for course in popular(staged)[:limit]:
            add(course, popular_reason(stage))
    else:
        # Round robin over the weakest areas that have courses: the most watched course of each, then the
        # next of each. One query finds those areas, then one per area shown.
        weak = {row.code: row for row in areas}
        offered = set(
            staged.filter(capabilities__code__in=list(weak)).order_by().values_list("capabilities__code", flat=True)
        )
        picks = []
        for row in [row for row in areas if row.code in offered][:limit]:
            area_courses = popular(staged.filter(capabilities__code=row.code).prefetch_related(None))[:limit]
            picks.append((row, list(area_courses)))
        for rank in range(limit):
            for row, area_courses in picks:
                if rank < len(area_courses):
                    add(area_courses[rank], f"您在{row.label}方向学时较少")
    # Fewer than asked for: the stage's (then everyone's) most watched fill the list.
    if len(chosen) < limit:
        for course in popular(staged.exclude(pk__in=seen))[:limit]:
            add(course, popular_reason(stage))
    if len(chosen) < limit and stage is not None:
        for course in popular(courses.exclude(pk__in=seen))[:limit]:
            add(course, popular_reason(None))
    # The cards' capability chips, for all of them at once.
    prefetch_related_objects([pick.course for pick in chosen], "capabilities")
    return chosen, stage


def for_visitors(courses, per_stage=3):
    """The most watched courses of each career stage: [(CareerStage, [Recommendation])], stages without
    courses left out."""
    groups = []
    for stage in CareerStage.objects.order_by("sort_order", "code"):
        picks = [
            Recommendation(course, popular_reason(stage)) for course in popular(_for_stage(courses, stage))[:per_stage]
        ]
        if picks:
            groups.append((stage, picks))
    prefetch_related_objects([pick.course for _, picks in groups for pick in picks], "capabilities")
    return groups
