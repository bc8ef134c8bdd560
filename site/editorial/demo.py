"""Demo work plans, so that the submission dashboard shows something after `load_demo`."""

from datetime import date, datetime, time, timedelta

from django.db import transaction
from django.utils import timezone

from microcourses.models import MicroCoursePage
from resources.models import TrainingCenter

from .models import PlanItem, WorkPlan, plan_deadline

# Items still to be made, beside the demo courses a plan names: (title suffix, planned month).
TO_DO = [("专题案例研讨", 6), ("政策解读与工作规范", 9)]


@transaction.atomic
def ensure_demo_plans(center_codes, year=None):
    """Give each demo center a work plan for the year, once. A plan names two of the center's
    live courses (linked to them, so done) and two courses still to make, except that the first
    center's plan is all done and the last center's is not submitted yet. Returns the plans made."""
    year = year or timezone.localdate().year
    centers = list(TrainingCenter.objects.filter(code__in=center_codes).select_related("section").order_by("code"))
    # Submitted five days before the deadline (or now, earlier in the year).
    before_deadline = datetime.combine(plan_deadline(year) - timedelta(days=5), time(10))
    submitted_at = min(timezone.now(), timezone.make_aware(before_deadline))
    created = []
    for index, center in enumerate(centers):
        if WorkPlan.objects.filter(center=center, year=year).exists():
            continue
        last = index == len(centers) - 1
        plan = WorkPlan.objects.create(
            center=center,
            year=year,
            status=WorkPlan.Status.DRAFT if last else WorkPlan.Status.SUBMITTED,
            submitted_at=None if last else submitted_at,
        )
        courses = (
            MicroCoursePage.objects.live().descendant_of(center.section).select_related("lecturer", "course_type")
        ).order_by("path")[:2]
        order = 0
        for course in courses:
            item = PlanItem.objects.create(
                plan=plan,
                sort_order=order,
                title=course.title,
                capability=course.capabilities.first(),
                course_type=course.course_type,
                lecturer=course.lecturer.name if course.lecturer else "",
                target_date=date(year, 5, 31),
            )
            order += 1
            # Through a revision, as an editor linking it in the admin would: the next edit keeps it.
            draft = course.get_latest_revision_as_object()
            draft.plan_item = item
            draft.save_revision().publish()
        for suffix, month in [] if index == 0 else TO_DO:
            PlanItem.objects.create(
                plan=plan,
                sort_order=order,
                title=f"{center.theme}{suffix}",
                lecturer="待定",
                target_date=date(year, month, 28),
            )
            order += 1
        created.append(plan)
    return created
