"""Admin views of the annual work plan: the list of plans, editing one (directly before May 10,
as a change request after), and a reviewer's decision on a change request."""

from datetime import MAXYEAR

from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone

from wagtail.admin import messages
from wagtail.admin.auth import permission_denied

from resources.models import CapabilityArea, CourseType, TrainingCenter

from . import plans, progress, roles
from .forms import DecisionForm, PlanChangeReasonForm, plan_formset
from .models import PlanChangeRequest, WorkPlan, plan_deadline


def plan_index(request):
    today = timezone.localdate()
    year = progress.requested_year(request.GET.get("year"), today)
    centers = roles.visible_centers(request.user).order_by("code")
    by_center = {
        p.center_id: p for p in WorkPlan.objects.filter(year=year, center__in=centers).prefetch_related("items")
    }
    pending = set(
        PlanChangeRequest.objects.filter(
            plan__year=year, plan__center__in=centers, status=PlanChangeRequest.Status.PENDING
        ).values_list("plan__center_id", flat=True)
    )
    rows = [{"center": c, "plan": by_center.get(c.pk), "pending": c.pk in pending} for c in centers]
    return render(
        request,
        "editorial/plan_index.html",
        {
            "rows": rows,
            "year": year,
            "years": range(today.year + 1, max(progress.FIRST_YEAR - 1, today.year - 4), -1),
            "deadline": plan_deadline(year),
        },
    )


def plan_edit(request, code, year):
    if not progress.FIRST_YEAR <= year <= MAXYEAR:
        raise Http404  # the URL takes any number; a year with no date would be a server error
    center = get_object_or_404(TrainingCenter, code=code)
    if not plans.can_edit(request.user, center):
        return permission_denied(request)
    plan = WorkPlan.objects.filter(center=center, year=year).first() or WorkPlan(center=center, year=year)
    direct = plans.applies_directly(request.user, plan)
    initial = [item.as_data() for item in plan.items.all()] if plan.pk else []

    if request.method == "POST" and "add_row" in request.POST:
        formset = plan_formset(request.POST, initial)  # one blank row more, nothing saved
        reason_form = PlanChangeReasonForm(request.POST)
    elif request.method == "POST":
        formset = plan_formset(request.POST, initial)
        reason_form = PlanChangeReasonForm(request.POST)
        if formset.is_valid() and reason_form.is_valid():
            # Empty extra rows have no cleaned data; a row whose title was cleared is removed.
            items = [form.as_data() for form in formset.forms if form.cleaned_data and not _deleted(form)]
            if not plan.pk:
                plan = plans.plan_for(center, year)
            try:
                change = plans.save(
                    plan,
                    request.user,
                    items,
                    submit="submit" in request.POST,
                    reason=reason_form.cleaned_data["reason"],
                )
            except plans.PlanError as error:
                messages.error(request, str(error))
            else:
                if change is not None:
                    messages.success(request, "变更申请已提交，中心审核人员批准后生效。")
                elif "submit" in request.POST:
                    messages.success(request, f"{center.name} {year} 年度工作计划已提交。")
                else:
                    messages.success(request, "工作计划已保存。")
                return redirect("editorial_plan_edit", center.code, year)
        else:
            messages.error(request, "请修正下面标出的问题。")
    else:
        formset = plan_formset(initial=initial)
        reason_form = PlanChangeReasonForm()

    pending = plan.pending_change() if plan.pk else None
    return render(
        request,
        "editorial/plan_edit.html",
        {
            "center": center,
            "plan": plan,
            "year": year,
            "formset": formset,
            "reason_form": reason_form,
            "direct": direct,
            "pending": pending,
            "can_review": roles.can_review(request.user, center),
            "deadline": plan_deadline(year),
        },
    )


def _deleted(form):
    return form.cleaned_data.get("DELETE", False)


def _describe(data):
    capability = CapabilityArea.objects.filter(pk=data.get("capability")).first()
    course_type = CourseType.objects.filter(pk=data.get("course_type")).first()
    return [
        data.get("title") or "",
        str(capability or ""),
        str(course_type or ""),
        data.get("lecturer") or "",
        data.get("target_date") or "",
    ]


def change_diff(change):
    """Rows for the reviewer: each proposed item marked 新增 / 修改 / 不变, then the removed ones."""
    current = {item.pk: item.as_data() for item in change.plan.items.all()}
    rows = []
    for data in change.items:
        old = current.pop(data.get("id"), None) if data.get("id") else None
        if old is None:
            rows.append({"state": "新增", "after": _describe(data), "before": None})
        else:
            before, after = _describe(old), _describe(data)
            rows.append({"state": "修改" if before != after else "不变", "after": after, "before": before})
    for old in current.values():
        rows.append({"state": "删除", "after": None, "before": _describe(old)})
    return rows


def plan_change(request, change_id):
    change = get_object_or_404(PlanChangeRequest.objects.select_related("plan__center", "requested_by"), pk=change_id)
    center = change.plan.center
    if not plans.can_edit(request.user, center):
        return permission_denied(request)
    can_decide = (
        roles.can_review(request.user, center)
        and change.status == PlanChangeRequest.Status.PENDING
        and (change.requested_by_id != request.user.pk or request.user.is_superuser)
    )
    form = DecisionForm(request.POST or None)
    if request.method == "POST":
        if not can_decide:
            return permission_denied(request)
        if form.is_valid():
            try:
                plans.decide(
                    change, request.user, approve="approve" in request.POST, comment=form.cleaned_data["comment"]
                )
            except plans.PlanError as error:
                messages.error(request, str(error))
            else:
                messages.success(request, "已批准，计划已更新。" if "approve" in request.POST else "已退回该变更申请。")
                return redirect(reverse("editorial_plan_edit", args=(center.code, change.plan.year)))
    return render(
        request,
        "editorial/plan_change.html",
        {"change": change, "center": center, "rows": change_diff(change), "form": form, "can_decide": can_decide},
    )
