"""Deadline reminders: the editors of centers that are behind get one e-mail per threshold
(30, 7 and 1 days before May 10 and June 30), never twice, never after the deadline."""

from datetime import date, datetime, timedelta
from io import StringIO

import pytest

from django.core import mail
from django.core.management import call_command
from django.utils import timezone

from editorial import reminders
from editorial.models import PlanItem, ReminderSent, WorkPlan

from . import factories

YEAR = 2026
PLAN_DAY = date(YEAR, 5, 10)
UPLOAD_DAY = date(YEAR, 6, 30)


def run(today, *args):
    out = StringIO()
    call_command("send_deadline_reminders", "--today", today.isoformat(), *args, stdout=out)
    return out.getvalue()


def editor(django_user_model, center, name, email=True, active=True):
    user = django_user_model.objects.create_user(name, f"{name}@example.edu.cn" if email else "", "pw")
    user.is_active = active
    user.save()
    user.groups.add(center.editors_group)
    return user


@pytest.fixture
def centers(tree, django_user_model):
    """late: no plan, nothing done (two editors with e-mail, one without, one inactive, one
    reviewer); ontime: plan submitted, its item done, a case; other: behind, its own editor."""
    late = factories.TrainingCenterFactory(code="late", name="迟报培训研修中心")
    ontime = factories.TrainingCenterFactory(code="ontime", name="按时培训研修中心")
    other = factories.TrainingCenterFactory(code="other", name="另一培训研修中心")
    editor(django_user_model, late, "late-1")
    editor(django_user_model, late, "late-2")
    editor(django_user_model, late, "late-no-email", email=False)
    editor(django_user_model, late, "late-gone", active=False)
    reviewer = django_user_model.objects.create_user("late-reviewer", "late-reviewer@example.edu.cn", "pw")
    reviewer.groups.add(late.reviewers_group)
    editor(django_user_model, ontime, "ontime-1")
    editor(django_user_model, other, "other-1")

    plan = WorkPlan.objects.create(
        center=ontime,
        year=YEAR,
        status=WorkPlan.Status.SUBMITTED,
        submitted_at=timezone.make_aware(datetime(YEAR, 4, 1)),
    )
    item = PlanItem.objects.create(plan=plan, title="谈心谈话", sort_order=0)
    course = factories.MicroCoursePageFactory(parent=ontime.section, center=ontime, plan_item=item)
    case = factories.CasePageFactory(parent=ontime.section, center=ontime)
    # Published in the year of the deadlines (the factory publishes today).
    for page in (course, case):
        type(page).objects.filter(pk=page.pk).update(first_published_at=timezone.make_aware(datetime(YEAR, 3, 1)))
    # `other` has a submitted plan (no plan reminder) but no case (upload reminders).
    WorkPlan.objects.create(
        center=other,
        year=YEAR,
        status=WorkPlan.Status.SUBMITTED,
        submitted_at=timezone.make_aware(datetime(YEAR, 4, 1)),
    )
    return {"late": late, "ontime": ontime, "other": other}


def recipients():
    return sorted(address for message in mail.outbox for address in message.to)


@pytest.mark.django_db
def test_plan_reminders_at_30_7_and_1_days_each_once(centers):
    sent_at = {}
    day = PLAN_DAY - timedelta(days=35)
    while day <= PLAN_DAY + timedelta(days=3):
        mail.outbox.clear()
        run(day)
        run(day)  # a second run the same day sends nothing new
        if mail.outbox:
            sent_at[(PLAN_DAY - day).days] = recipients()
        day += timedelta(days=1)
    # Only `late` has no submitted plan: its two active editors with an address, nobody else.
    editors = ["late-1@example.edu.cn", "late-2@example.edu.cn"]
    assert sent_at == {30: editors, 7: editors, 1: editors}
    assert sorted(
        ReminderSent.objects.filter(deadline="plan").values_list("center__code", "days_before", "recipients")
    ) == [("late", 1, 2), ("late", 7, 2), ("late", 30, 2)]


@pytest.mark.django_db
def test_the_smallest_threshold_that_applies_is_the_one_sent(centers):
    run(PLAN_DAY - timedelta(days=29))  # first run 29 days before: the 30-day reminder
    run(PLAN_DAY - timedelta(days=5))  # 5 days before: the 7-day one, not the 30-day one again
    assert list(ReminderSent.objects.order_by("pk").values_list("days_before", flat=True)) == [30, 7]
    run(PLAN_DAY)  # the deadline day itself: the 1-day reminder, late rather than never
    run(PLAN_DAY + timedelta(days=1))  # after the deadline: nothing
    assert list(ReminderSent.objects.order_by("pk").values_list("days_before", flat=True)) == [30, 7, 1]


@pytest.mark.django_db
def test_upload_reminders_go_to_every_center_behind_and_not_to_the_one_on_time(centers):
    out = run(UPLOAD_DAY - timedelta(days=7))
    assert recipients() == ["late-1@example.edu.cn", "late-2@example.edu.cn", "other-1@example.edu.cn"]
    assert "late: upload deadline 2026-06-30, 7 day(s) left, 7-day reminder: e-mailed 2 editor(s)" in out
    assert "other: upload deadline" in out and "ontime" not in out
    mail.outbox.clear()
    assert "0 reminder(s) due, 0 sent" in run(UPLOAD_DAY - timedelta(days=6))
    assert run(UPLOAD_DAY + timedelta(days=1)).endswith("0 reminder(s) due, 0 sent\n")
    assert mail.outbox == []


@pytest.mark.django_db
def test_the_email_names_the_deadline_days_left_what_is_missing_and_the_dashboard(centers, settings):
    settings.WAGTAILADMIN_BASE_URL = "https://hub.example.edu.cn"
    run(UPLOAD_DAY - timedelta(days=1))
    message = next(m for m in mail.outbox if m.to == ["other-1@example.edu.cn"])
    assert message.subject == "【报送提醒】另一培训研修中心：距网络课程与工作案例上传截止（6月30日）还有 1 天"
    assert "2026 年网络课程与工作案例上传的截止日期是 6月30日，还有 1 天" in message.body
    assert "- 尚未上传工作案例" in message.body and "工作计划尚未提交" not in message.body
    url = f"https://hub.example.edu.cn/admin/progress/{centers['other'].pk}/?year=2026"
    assert url in message.body
    late = next(m for m in mail.outbox if m.to == ["late-1@example.edu.cn"])
    assert "- 尚未填报年度工作计划" in late.body


@pytest.mark.django_db
def test_dry_run_sends_and_records_nothing(centers):
    out = run(PLAN_DAY - timedelta(days=7), "--dry-run")
    assert "late: plan deadline 2026-05-10, 7 day(s) left, 7-day reminder: would e-mail 2 editor(s)" in out
    assert mail.outbox == [] and not ReminderSent.objects.exists()


@pytest.mark.django_db
def test_a_center_without_editors_is_not_marked_as_reminded(centers):
    centers["late"].editors_group.user_set.clear()
    assert "no active editor with an e-mail address" in run(PLAN_DAY - timedelta(days=7))
    assert not ReminderSent.objects.exists()


@pytest.mark.django_db
def test_the_workers_sweep_sends_them_too(centers, monkeypatch):
    from django.conf import settings

    from editorial import progress

    assert "editorial.reminders.sweep" in settings.WORKER_SWEEPS
    monkeypatch.setattr(progress, "today", lambda: PLAN_DAY - timedelta(days=30))
    assert reminders.sweep() == "late: plan deadline 2026-05-10, 30 day(s) left, 30-day reminder"
    assert reminders.sweep() == ""  # already sent
    monkeypatch.setattr(progress, "today", lambda: date(YEAR, 2, 1))
    assert reminders.sweep() == ""


def test_thresholds():
    assert [reminders.threshold_for(d, [30, 7, 1]) for d in (31, 30, 29, 8, 7, 2, 1, 0, -1)] == [
        None,
        30,
        30,
        30,
        7,
        7,
        1,
        1,
        None,
    ]
