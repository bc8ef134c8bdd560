"""Centers' editorial work: the review task that scopes approval to a center's reviewers, the
annual work plan (工作计划表) with its reviewer-approved changes, and the reminders already sent."""

from datetime import date

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied
from django.db import models
from django.db.models.functions import Cast
from django.utils import timezone

from modelcluster.fields import ParentalKey
from modelcluster.models import ClusterableModel
from wagtail.models import Orderable, Page, Revision, Task, TaskState, WorkflowState

from . import roles

# Shown to a reviewer where the approve action is missing (the page editor) and in the refusal.
AUTHOR_CANNOT_APPROVE = "您提交或修改过待审核的内容，需由本中心另一位审核员审核通过；您仍可退回修改。"


def plan_deadline(year):
    """The work plan is due on May 10 (seed 000)."""
    return date(year, *settings.EDITORIAL_PLAN_DEADLINE)


def upload_deadline(year):
    """Network courses and work cases are uploaded and reviewed by June 30 (seed 000)."""
    return date(year, *settings.EDITORIAL_UPLOAD_DEADLINE)


class CenterReviewTask(Task):
    """Approval by the reviewers of the center the page (or object) belongs to.

    One task serves every center: the reviewers are found from the object, so that a new center
    needs no workflow of its own, and a reviewer of one center can never approve another's work.
    Four eyes: nobody approves words they wrote. Whoever submitted the object or saved any of its
    revisions since it was last published (what approval would publish) may send it back but not
    approve it; another reviewer must. Superusers keep an override (they may publish directly
    anyway). Objects outside any center are reviewed by the platform administrators."""

    class Meta:
        verbose_name = "中心审核"
        verbose_name_plural = "中心审核"

    @classmethod
    def get_description(cls):
        return (
            "由内容所属培训研修中心的审核组审核；提交人和修改过待发布内容的人只能退回修改，需由另一位审核员审核通过。"
        )

    def can_review(self, obj, user):
        return roles.can_review(user, roles.center_of(obj))

    def wrote_unpublished_text(self, obj, user):
        """Did the user submit the object, or save a revision of it that is not yet published?
        Revisions after the live one, all of them if it was never published: that is the text an
        approval publishes (a workflow resumed after "request changes" keeps its first authors)."""
        state = WorkflowState.objects.active().for_instance(obj).only("requested_by").first()
        if state is not None and state.requested_by_id == user.pk:
            return True
        revisions = Revision.objects.for_instance(obj).filter(user=user)
        if getattr(obj, "live_revision_id", None):
            revisions = revisions.filter(pk__gt=obj.live_revision_id)
        return revisions.exists()

    def may_approve(self, obj, user):
        return user.is_superuser or not self.wrote_unpublished_text(obj, user)

    def user_can_access_editor(self, obj, user):
        return self.can_review(obj, user)

    def locked_for_user(self, obj, user):
        return not self.can_review(obj, user)

    def user_can_lock(self, obj, user):
        return self.can_review(obj, user)

    def user_can_unlock(self, obj, user):
        return False

    def get_actions(self, obj, user):
        if not self.can_review(obj, user):
            return []
        # Sending back publishes nothing: an author-reviewer may still return the text to the editors.
        actions = [("reject", "退回修改", True)]
        if self.may_approve(obj, user):
            actions += [("approve", "审核通过并发布", False), ("approve", "审核通过并附意见", True)]
        return actions

    def on_action(self, task_state, user, action_name, **kwargs):
        # The action view offers only get_actions(); check again so that no forged POST gets through,
        # and so that the page editor's "change and approve" in one request is refused after saving
        # the change (which makes the reviewer an author: the text stays, in review, for another).
        obj = task_state.workflow_state.content_object
        if action_name not in {name for name, _label, _modal in self.get_actions(obj, user)}:
            raise PermissionDenied(AUTHOR_CANNOT_APPROVE if self.can_review(obj, user) else "不能审核此内容")
        return super().on_action(task_state, user, action_name, **kwargs)

    def get_task_states_user_can_moderate(self, user, **kwargs):
        states = self.task_states.filter(status=TaskState.STATUS_IN_PROGRESS)
        if roles.is_platform_admin(user):
            return states
        centers = roles.center_ids_for(user, roles.REVIEWER)
        if not centers:
            return TaskState.objects.none()
        # In one query: the states of pages in the reviewer's centers' sections.
        pages = roles.pages_of_centers(centers).annotate(key=Cast("pk", output_field=models.CharField()))
        return states.filter(
            workflow_state__base_content_type=ContentType.objects.get_for_model(Page),
            workflow_state__object_id__in=pages.values("key"),
        )

    def reviewers(self, obj):
        return roles.reviewers_of(roles.center_of(obj))


class WorkPlan(ClusterableModel):
    """A center's annual work plan: the courses it will build this year."""

    class Status(models.TextChoices):
        DRAFT = "draft", "未提交"
        SUBMITTED = "submitted", "已提交"

    center = models.ForeignKey(
        "resources.TrainingCenter", verbose_name="培训研修中心", on_delete=models.CASCADE, related_name="work_plans"
    )
    year = models.PositiveSmallIntegerField("年度")
    status = models.CharField("状态", max_length=20, choices=Status.choices, default=Status.DRAFT)
    submitted_at = models.DateTimeField("提交时间", null=True, blank=True)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="提交人",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    updated_at = models.DateTimeField("更新时间", auto_now=True)

    class Meta:
        ordering = ["-year", "center__code"]
        constraints = [models.UniqueConstraint(fields=["center", "year"], name="editorial_one_plan_per_center_year")]
        verbose_name = "年度工作计划"
        verbose_name_plural = "年度工作计划"

    def __str__(self):
        return f"{self.center} {self.year} 年度工作计划"

    @property
    def deadline(self):
        return plan_deadline(self.year)

    @property
    def is_submitted(self):
        return self.status == self.Status.SUBMITTED

    def is_late(self):
        """Submitted after May 10, or not at all and May 10 has passed."""
        if self.submitted_at:
            return timezone.localdate(self.submitted_at) > self.deadline
        return timezone.localdate() > self.deadline

    def changes_need_approval(self, today=None):
        """After May 10 an editor's change (a late first submission too) waits for a reviewer."""
        return (today or timezone.localdate()) > self.deadline

    def pending_change(self):
        return self.change_requests.filter(status=PlanChangeRequest.Status.PENDING).first()


class PlanItem(Orderable):
    plan = ParentalKey(WorkPlan, on_delete=models.CASCADE, related_name="items")
    title = models.CharField("课程名称", max_length=255)
    capability = models.ForeignKey(
        "resources.CapabilityArea", verbose_name="能力方向", null=True, blank=True, on_delete=models.PROTECT
    )
    course_type = models.ForeignKey(
        "resources.CourseType", verbose_name="课程类型", null=True, blank=True, on_delete=models.PROTECT
    )
    lecturer = models.CharField("拟定主讲人", max_length=100, blank=True)
    target_date = models.DateField("计划完成日期", null=True, blank=True)

    class Meta(Orderable.Meta):
        verbose_name = "计划课程"
        verbose_name_plural = "计划课程"

    def __str__(self):
        return f"{self.plan.year} · {self.title}"

    def as_data(self):
        return {
            "id": self.pk,
            "title": self.title,
            "capability": self.capability_id,
            "course_type": self.course_type_id,
            "lecturer": self.lecturer,
            "target_date": self.target_date.isoformat() if self.target_date else None,
        }


class PlanChangeRequest(models.Model):
    """An editor's change to a plan after its deadline, waiting for the center's reviewers. The
    proposed list of items is kept whole (`items`, as PlanItem.as_data() dicts) and applied on
    approval, so the plan in force never changes before a reviewer says so."""

    class Status(models.TextChoices):
        PENDING = "pending", "待审核"
        APPROVED = "approved", "已批准"
        REJECTED = "rejected", "已退回"

    plan = models.ForeignKey(WorkPlan, on_delete=models.CASCADE, related_name="change_requests")
    items = models.JSONField("变更后的计划课程")
    reason = models.TextField("变更说明", blank=True)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="申请人", null=True, on_delete=models.SET_NULL, related_name="+"
    )
    requested_at = models.DateTimeField("申请时间", default=timezone.now)
    status = models.CharField("状态", max_length=20, choices=Status.choices, default=Status.PENDING)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="审核人",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    decided_at = models.DateTimeField("审核时间", null=True, blank=True)
    comment = models.TextField("审核意见", blank=True)

    class Meta:
        ordering = ["-requested_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["plan"], condition=models.Q(status="pending"), name="editorial_one_pending_change_per_plan"
            )
        ]
        verbose_name = "工作计划变更申请"
        verbose_name_plural = "工作计划变更申请"

    def __str__(self):
        return f"{self.plan} 变更（{self.get_status_display()}）"


class ReminderSent(models.Model):
    """One row per reminder e-mailed, so that each threshold is sent once however often the
    command runs."""

    class Deadline(models.TextChoices):
        PLAN = "plan", "年度工作计划（5月10日）"
        UPLOAD = "upload", "网络课程与工作案例上传（6月30日）"

    center = models.ForeignKey("resources.TrainingCenter", on_delete=models.CASCADE, related_name="reminders")
    deadline = models.CharField(max_length=20, choices=Deadline.choices)
    year = models.PositiveSmallIntegerField()
    days_before = models.PositiveSmallIntegerField()
    sent_at = models.DateTimeField(default=timezone.now)
    recipients = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["center", "deadline", "year", "days_before"], name="editorial_reminder_once_per_threshold"
            )
        ]
        verbose_name = "截止提醒记录"
        verbose_name_plural = "截止提醒记录"

    def __str__(self):
        return f"{self.center} {self.year} {self.get_deadline_display()} 前 {self.days_before} 天"


class YearSummary(models.Model):
    """A center's year-end summary (年底工作总结): pre-filled from the year's numbers (uploads, programs,
    enrolment, completion, satisfaction), completed by the center's editors and submitted once."""

    DRAFT, SUBMITTED = "draft", "submitted"
    STATUS_CHOICES = [(DRAFT, "草稿"), (SUBMITTED, "已提交")]

    center = models.ForeignKey("resources.TrainingCenter", on_delete=models.CASCADE, related_name="year_summaries")
    year = models.PositiveSmallIntegerField("年度")
    # The numbers of the year when the summary was last saved or submitted (editorial.yearsummary).
    numbers = models.JSONField("年度数据", default=dict, blank=True)
    achievements = models.TextField("主要工作和成效", max_length=5000, blank=True)
    problems = models.TextField("存在的问题", max_length=3000, blank=True)
    next_year = models.TextField("下一年度工作打算", max_length=3000, blank=True)
    status = models.CharField("状态", max_length=10, choices=STATUS_CHOICES, default=DRAFT)
    updated_at = models.DateTimeField("修改时间", auto_now=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    submitted_at = models.DateTimeField("提交时间", null=True, blank=True)

    class Meta:
        verbose_name = "年底工作总结"
        verbose_name_plural = "年底工作总结"
        constraints = [models.UniqueConstraint(fields=["center", "year"], name="editorial_year_summary_once")]

    def __str__(self):
        return f"{self.center} · {self.year}"
