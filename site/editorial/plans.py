"""The annual work plan's rules: who may change it, what a change does before and after May 10,
and how a reviewer's decision on a late change is applied. The views only call these."""

from django.conf import settings
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from wagtail.admin.mail import send_mail
from wagtail.log_actions import log

from resources.models import CapabilityArea, CourseType

from . import roles
from .models import PlanChangeRequest, PlanItem, WorkPlan


class PlanError(Exception):
    """A refused change, with the message for the user (Chinese)."""


def can_edit(user, center):
    return roles.is_platform_admin(user) or center.pk in roles.center_ids_for(user)


def applies_directly(user, plan, today=None):
    """Before May 10 a center's editors change their plan freely; after it, an editor's change
    waits for a reviewer. Reviewers and platform administrators change it directly."""
    if roles.can_review(user, plan.center):
        return True
    return not plan.changes_need_approval(today)


def plan_for(center, year):
    plan, _ = WorkPlan.objects.get_or_create(center=center, year=year)
    return plan


def _clean(items):
    """Normalise proposed items (dicts as PlanItem.as_data()), dropping blank rows."""
    capabilities = set(CapabilityArea.objects.values_list("pk", flat=True))
    course_types = set(CourseType.objects.values_list("pk", flat=True))
    cleaned = []
    for data in items:
        title = (data.get("title") or "").strip()
        if not title:
            continue
        cleaned.append(
            {
                "id": data.get("id"),
                "title": title[:255],
                "capability": data.get("capability") if data.get("capability") in capabilities else None,
                "course_type": data.get("course_type") if data.get("course_type") in course_types else None,
                "lecturer": (data.get("lecturer") or "").strip()[:100],
                "target_date": data.get("target_date") or None,
            }
        )
    return cleaned


def _apply(plan, items):
    """Make the plan's items exactly `items`, keeping existing rows (and the courses linked to
    them) where the id matches."""
    existing = {item.pk: item for item in plan.items.all()}
    kept = []
    for order, data in enumerate(items):
        item = existing.get(data.get("id")) or PlanItem(plan=plan)
        item.title = data["title"]
        item.capability_id = data["capability"]
        item.course_type_id = data["course_type"]
        item.lecturer = data["lecturer"]
        item.target_date = data["target_date"]
        item.sort_order = order
        item.save()
        kept.append(item.pk)
    plan.items.exclude(pk__in=kept).delete()


def _submit(plan, user):
    plan.status = WorkPlan.Status.SUBMITTED
    plan.submitted_at = timezone.now()
    plan.submitted_by = user
    plan.save()


@transaction.atomic
def save(plan, user, items, submit=False, reason="", today=None):
    """Save an editor's edit of the plan. Returns the PlanChangeRequest when the change must wait
    for a reviewer, or None when it took effect."""
    if not can_edit(user, plan.center):
        raise PlanError("您不是该中心的编辑或审核人员，不能修改其工作计划。")
    items = _clean(items)
    if submit and not items:
        raise PlanError("工作计划至少需要一门计划课程才能提交。")
    plan = WorkPlan.objects.select_for_update().get(pk=plan.pk)
    if applies_directly(user, plan, today):
        _apply(plan, items)
        if submit and not plan.is_submitted:
            _submit(plan, user)
            log(instance=plan, action="editorial.plan.submit", user=user)
        else:
            plan.save()  # updated_at
            log(instance=plan, action="editorial.plan.edit", user=user)
        return None
    if plan.pending_change() is not None:
        raise PlanError("该计划已有一份待审核的变更申请，请等审核人员处理后再提交新的变更。")
    if not reason.strip():
        raise PlanError("5月10日之后修改工作计划需要审核，请填写变更说明。")
    change = PlanChangeRequest.objects.create(plan=plan, items=items, reason=reason.strip(), requested_by=user)
    log(instance=plan, action="editorial.plan.change_requested", user=user, data={"change": change.pk})
    transaction.on_commit(lambda: _tell_reviewers(change))
    return change


@transaction.atomic
def decide(change, user, approve, comment=""):
    plan = change.plan
    if not roles.can_review(user, plan.center):
        raise PlanError("只有该中心的审核人员可以审核工作计划变更。")
    change = PlanChangeRequest.objects.select_for_update().get(pk=change.pk)
    if change.status != PlanChangeRequest.Status.PENDING:
        raise PlanError("该变更申请已经处理过了。")
    if change.requested_by_id == user.pk and not user.is_superuser:
        raise PlanError("不能审核自己提交的变更申请，请由中心的其他审核人员处理。")
    change.status = PlanChangeRequest.Status.APPROVED if approve else PlanChangeRequest.Status.REJECTED
    change.decided_by = user
    change.decided_at = timezone.now()
    change.comment = comment.strip()
    change.save()
    if approve:
        _apply(plan, _clean(change.items))
        if not plan.is_submitted:
            _submit(plan, change.requested_by)
        else:
            plan.save()
    action = "editorial.plan.change_approved" if approve else "editorial.plan.change_rejected"
    log(instance=plan, action=action, user=user, data={"change": change.pk, "comment": change.comment})
    transaction.on_commit(lambda: _tell_requester(change))
    return change


# -- e-mail -----------------------------------------------------------------------------------


def _url(name, *args):
    return settings.WAGTAILADMIN_BASE_URL.rstrip("/") + reverse(name, args=args)


def _tell_reviewers(change):
    plan = change.plan
    recipients = [u.email for u in roles.reviewers_of(plan.center).exclude(pk=change.requested_by_id).exclude(email="")]
    if not recipients:
        return
    send_mail(
        f"【待审核】{plan.center.name} {plan.year} 年度工作计划变更申请",
        f"{change.requested_by} 提交了 {plan.center.name} {plan.year} 年度工作计划的变更申请。\n\n"
        f"变更说明：{change.reason}\n\n请审核：{_url('editorial_plan_change', change.pk)}\n",
        recipients,
    )


def _tell_requester(change):
    requester = change.requested_by
    if requester is None or not requester.email:
        return
    plan = change.plan
    outcome = "已批准，计划已更新" if change.status == PlanChangeRequest.Status.APPROVED else "被退回"
    comment = f"\n\n审核意见：{change.comment}" if change.comment else ""
    send_mail(
        f"【{change.get_status_display()}】{plan.center.name} {plan.year} 年度工作计划变更",
        f"您提交的 {plan.center.name} {plan.year} 年度工作计划变更申请{outcome}。{comment}\n\n"
        f"查看计划：{_url('editorial_plan_edit', plan.center.code, plan.year)}\n",
        [requester.email],
    )
