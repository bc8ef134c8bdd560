"""E-mail reminders to centers that are behind before the year's two deadlines.

- plan (May 10): the center has no submitted work plan;
- upload (June 30): the center is behind as the dashboard says (no submitted plan, planned
  courses not all published, or no case).

When a deadline is at most N days away, N one of settings.EDITORIAL_REMINDER_DAYS, the center's
editors get the reminder of the smallest such N (29 days left: the 30-day one; 7 days left: the
7-day one), once: a ReminderSent row records it, so running again sends nothing new, and a
threshold already passed when the command first runs is not sent late. Nothing is sent after the
deadline. `manage.py send_deadline_reminders` runs it (for cron), and so does every
`run_worker`'s sweep (settings.WORKER_SWEEPS)."""

import logging
from dataclasses import dataclass, field

from django.conf import settings
from django.core.mail import EmailMessage, get_connection
from django.db import IntegrityError, transaction
from django.urls import reverse

from resources.models import TrainingCenter

from . import progress, roles
from .models import ReminderSent, plan_deadline, upload_deadline

logger = logging.getLogger(__name__)

DEADLINES = {
    ReminderSent.Deadline.PLAN: ("年度工作计划提交", plan_deadline),
    ReminderSent.Deadline.UPLOAD: ("网络课程与工作案例上传", upload_deadline),
}


@dataclass
class Reminder:
    center: object
    row: progress.CenterProgress
    deadline: str  # ReminderSent.Deadline
    date: object
    days_left: int
    threshold: int
    recipients: list = field(default_factory=list)
    sent: bool = False

    @property
    def what(self):
        return DEADLINES[self.deadline][0]

    def missing(self):
        if self.deadline == ReminderSent.Deadline.PLAN:
            return [self.row.plan_problem()]
        return self.row.missing()

    def describe(self):
        return (
            f"{self.center.code}: {self.deadline} deadline {self.date.isoformat()}, {self.days_left} day(s) left, "
            f"{self.threshold}-day reminder"
        )


def threshold_for(days_left, thresholds=None):
    """The smallest threshold at or above days_left, or None (too early, or past the deadline)."""
    thresholds = settings.EDITORIAL_REMINDER_DAYS if thresholds is None else thresholds
    if days_left < 0:
        return None
    fitting = [t for t in thresholds if days_left <= t]
    return min(fitting) if fitting else None


def due_reminders(today):
    """The reminders that should go out today and have not been sent yet."""
    year = today.year
    windows = {}
    for deadline, (_what, deadline_of) in DEADLINES.items():
        date = deadline_of(year)
        threshold = threshold_for((date - today).days)
        if threshold is not None:
            windows[deadline] = (date, threshold)
    if not windows:
        # Most of the year: no query at all (the worker's sweep calls this every minute).
        return []

    rows = progress.center_progress(year, today)
    sent = set(
        ReminderSent.objects.filter(year=year, deadline__in=windows).values_list("center_id", "deadline", "days_before")
    )
    centers = TrainingCenter.objects.select_related("editors_group").in_bulk([r.center_id for r in rows])
    due = []
    for row in rows:
        for deadline, (date, threshold) in windows.items():
            behind = not row.plan_submitted if deadline == ReminderSent.Deadline.PLAN else row.behind
            if behind and (row.center_id, deadline, threshold) not in sent:
                reminder = Reminder(centers[row.center_id], row, deadline, date, (date - today).days, threshold)
                due.append(reminder)
    return due


def dashboard_url(reminder):
    path = reverse("editorial_progress_center", args=[reminder.center.pk])
    return f"{settings.WAGTAILADMIN_BASE_URL.rstrip('/')}{path}?year={reminder.row.year}"


def compose(reminder):
    date = f"{reminder.date.month}月{reminder.date.day}日"
    when = "今天截止" if reminder.days_left == 0 else f"还有 {reminder.days_left} 天"
    subject = f"【报送提醒】{reminder.center.name}：距{reminder.what}截止（{date}）{when}"
    lines = [
        f"{reminder.center.name}的各位编辑老师：",
        "",
        f"{reminder.row.year} 年{reminder.what}的截止日期是 {date}，{when}。目前中心还有以下事项未完成：",
        "",
        *[f"- {problem}" for problem in reminder.missing()],
        "",
        f"请登录资源库管理后台查看报送进度：{dashboard_url(reminder)}",
        "",
        "本邮件由高校辅导员培训研修资源库自动发送，请勿直接回复。",
    ]
    return subject, "\n".join(lines)


def send_reminders(today, dry_run=False):
    """Send today's due reminders; returns them (with .recipients and .sent filled in)."""
    reminders = due_reminders(today)
    connection = None
    for reminder in reminders:
        reminder.recipients = list(
            roles.editors_of(reminder.center).exclude(email="").order_by("pk").values_list("email", flat=True)
        )
        if dry_run or not reminder.recipients:
            # Without recipients nothing is recorded, so the reminder goes out once editors are added.
            continue
        connection = connection or get_connection()
        subject, body = compose(reminder)
        try:
            # The row first: of two workers sweeping at once, only one gets to send. If sending
            # fails, the row is rolled back and the next run tries again.
            with transaction.atomic():
                ReminderSent.objects.create(
                    center=reminder.center,
                    deadline=reminder.deadline,
                    year=reminder.row.year,
                    days_before=reminder.threshold,
                    recipients=len(reminder.recipients),
                )
                # One message per editor: editors of a center need not see each other's addresses.
                messages = [EmailMessage(subject, body, to=[address]) for address in reminder.recipients]
                connection.send_messages(messages)
        except IntegrityError:
            continue  # sent by another worker meanwhile
        except Exception:
            logger.exception("reminder not sent: %s", reminder.describe())
            continue
        reminder.sent = True
    return reminders


def sweep():
    """For settings.WORKER_SWEEPS: send what is due; a short summary when something was sent."""
    sent = [r for r in send_reminders(progress.today()) if r.sent]
    return "; ".join(r.describe() for r in sent)
