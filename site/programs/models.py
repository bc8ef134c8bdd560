"""Training programs (培训项目 / 班次) and their cycle (docs/programs.md): a program page with its
schedule, enrolment (报名) with a quota and a waiting list, attendance, completion with a certificate
(结业证书), and the participants' survey (质量评估).

A program is a library resource (ResourcePage) under its center's section, so it is edited, reviewed,
searched, listed and served like every other resource. What happens to people (enrolments,
attendance, certificates, survey answers) is kept in plain models beside it, never in page revisions.
"""

import datetime

from django import forms
from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone

from modelcluster.fields import ParentalKey, ParentalManyToManyField
from wagtail.admin.panels import FieldPanel, FieldRowPanel, InlinePanel, MultiFieldPanel, PageChooserPanel
from wagtail.api import APIField
from wagtail.models import Orderable
from wagtail.search import index

from resources.models import CareerStage, Expert, ResourcePage, Tier, codes

from .forms import ProgramPageForm

FORMAT_CHOICES = [("offline", "线下"), ("online", "线上"), ("mixed", "线上线下混合")]

SCORE_VALIDATORS = [MinValueValidator(1, "评分应为 1 到 5 分。"), MaxValueValidator(5, "评分应为 1 到 5 分。")]


class ProgramPage(ResourcePage):
    """One training program (a 班次): who it is for, when and where, how many seats, how it completes."""

    tier = models.ForeignKey(
        Tier, verbose_name="培训层级", null=True, blank=True, on_delete=models.PROTECT, related_name="programs"
    )
    stages = ParentalManyToManyField(CareerStage, verbose_name="培训对象", blank=True, related_name="programs")
    format = models.CharField("培训形式", max_length=10, choices=FORMAT_CHOICES, default="offline")
    place = models.CharField("培训地点", max_length=200, blank=True)
    starts_on = models.DateField("开班日期", null=True, blank=True)
    ends_on = models.DateField("结业日期", null=True, blank=True)
    capacity = models.PositiveIntegerField(
        "招收名额", default=50, validators=[MinValueValidator(1, "招收名额至少为 1 人。")]
    )
    enrol_opens = models.DateTimeField("报名开始", null=True, blank=True)
    enrol_closes = models.DateTimeField("报名截止", null=True, blank=True)
    # Province names of accounts.models.PROVINCES; empty: any counselor may apply.
    provinces = models.JSONField("限报省份", default=list, blank=True, help_text="不选则全国辅导员均可报名。")
    hours = models.DecimalField(
        "结业学时",
        max_digits=5,
        decimal_places=1,
        default=0,
        validators=[MinValueValidator(0, "学时不能为负数。"), MaxValueValidator(500, "学时最多 500。")],
    )
    # The completion rule (考核评价): a share of the sessions attended and, if asked, the linked
    # micro-courses completed through the watch tracking (learning.LearningCredit).
    min_attendance_percent = models.PositiveSmallIntegerField(
        "结业所需出勤比例（%）", default=80, validators=[MaxValueValidator(100, "出勤比例最多 100%。")]
    )
    require_courses = models.BooleanField("须学完关联微课", default=True)
    survey_closes = models.DateField(
        "评估问卷截止", null=True, blank=True, help_text="不填则为结业后 14 天（PROGRAMS_SURVEY_DAYS）。"
    )

    resource_kind = "program"
    resource_kind_label = "培训项目"
    resource_kind_order = 5
    is_creatable = True

    base_form_class = ProgramPageForm

    content_panels = ResourcePage.content_panels + [
        MultiFieldPanel(
            [
                FieldPanel("center"),
                FieldPanel("capabilities", widget=forms.CheckboxSelectMultiple),
                FieldPanel("stages", widget=forms.CheckboxSelectMultiple),
                FieldRowPanel([FieldPanel("tier"), FieldPanel("format")]),
            ],
            heading="分类（资源库筛选）",
        ),
        MultiFieldPanel(
            [
                FieldRowPanel([FieldPanel("starts_on"), FieldPanel("ends_on")]),
                FieldPanel("place"),
                FieldPanel("capacity"),
                FieldRowPanel([FieldPanel("enrol_opens"), FieldPanel("enrol_closes")]),
                FieldPanel("provinces"),
            ],
            heading="时间、地点和报名",
        ),
        MultiFieldPanel(
            [
                FieldPanel("hours"),
                FieldRowPanel([FieldPanel("min_attendance_percent"), FieldPanel("require_courses")]),
                FieldPanel("survey_closes"),
            ],
            heading="结业要求（考核评价）和评估",
        ),
        FieldPanel("body"),
        InlinePanel(
            "sessions",
            label="课程安排",
            heading="课程安排（日程）",
            panels=[
                FieldRowPanel([FieldPanel("starts_at"), FieldPanel("ends_at")]),
                FieldPanel("topic"),
                FieldPanel("lecturer"),
                FieldPanel("place"),
                PageChooserPanel("course_before", "microcourses.MicroCoursePage"),
                PageChooserPanel("course_after", "microcourses.MicroCoursePage"),
            ],
        ),
        InlinePanel("attachments", label="附件"),
    ]
    search_fields = ResourcePage.search_fields + [
        index.SearchField("place"),
        index.RelatedFields(
            "sessions", [index.SearchField("topic"), index.RelatedFields("lecturer", [index.SearchField("name")])]
        ),
        index.FilterField("stages"),
        index.FilterField("tier"),
        index.FilterField("starts_on"),
        index.FilterField("ends_on"),
    ]
    # What Wagtail's pages endpoint (/api/v2/pages/) shows: the program as published, never who applied.
    api_fields = ResourcePage.api_fields + [
        APIField("tier_code"),
        APIField("stage_codes"),
        APIField("format"),
        APIField("place"),
        APIField("starts_on"),
        APIField("ends_on"),
        APIField("capacity"),
        APIField("enrol_opens"),
        APIField("enrol_closes"),
        APIField("provinces"),
        APIField("hours"),
        APIField("min_attendance_percent"),
        APIField("require_courses"),
        APIField("status"),
        APIField("session_list"),
    ]

    parent_page_types = ["resources.CenterSectionPage"]
    subpage_types = []

    class Meta:
        verbose_name = "培训项目"
        verbose_name_plural = "培训项目"

    @property
    def stage_codes(self):
        return codes(self.stages)

    @property
    def tier_code(self):
        return self.tier.code if self.tier_id else None

    # -- what readers see (programs.library decides the status from the dates, when asked) ----------

    @property
    def status(self):
        from .library import status_of

        return status_of(self)

    @property
    def status_label(self):
        from .library import STATUS_LABELS

        return STATUS_LABELS[self.status]

    @property
    def who_may_apply(self):
        return "、".join(self.provinces) + "的辅导员" if self.provinces else "全国高校辅导员"

    @property
    def completion_rule(self):
        """The completion rule in plain words."""
        parts = []
        if self.min_attendance_percent:
            parts.append(f"出勤不少于全部课程安排的 {self.min_attendance_percent}%")
        else:
            parts.append("不要求出勤比例")
        if self.require_courses:
            parts.append("学完各项课程安排关联的课前、课后微课")
        return "，".join(parts) + "。"

    def ordered_sessions(self):
        """The schedule in time order; prefetched (sessions__lecturer) when a listing or page fetched it."""
        return sorted(self.sessions.all(), key=lambda s: (s.starts_at, s.sort_order or 0, s.pk or 0))

    @property
    def session_list(self):
        """The schedule for API clients: times, topic, place and lecturer (id and name) — nobody else."""
        return [
            {
                "topic": s.topic,
                "starts_at": s.starts_at.isoformat() if s.starts_at else None,
                "ends_at": s.ends_at.isoformat() if s.ends_at else None,
                "place": s.place or self.place,
                "lecturer": {"id": s.lecturer.pk, "name": s.lecturer.name} if s.lecturer_id else None,
            }
            for s in self.ordered_sessions()
        ]

    # -- what the Chinese search indexes (search/documents.py) ------------------------------------

    # What the open API's rows read (openapi.resources.specifics), fetched with the page of rows.
    openapi_prefetch_related = ["sessions__lecturer"]

    search_select_related = ResourcePage.search_select_related + ["tier"]
    search_prefetch_related = ResourcePage.search_prefetch_related + ["stages", "sessions__lecturer"]

    def search_facets(self):
        # The status is not here: it changes with the date (programs.library computes it when asked).
        return super().search_facets() | {
            "stage": self.stage_codes,
            "tier": [self.tier_code] if self.tier_id else [],
        }

    def search_keywords(self):
        lecturers = [s.lecturer.name for s in self.ordered_sessions() if s.lecturer_id]
        related = [self.tier, *self.stages.all()]
        labels = [str(item) for item in related if item is not None]
        return super().search_keywords() + labels + [self.get_format_display(), self.place, *dict.fromkeys(lecturers)]

    def search_body(self):
        return super().search_body() + [s.topic for s in self.ordered_sessions()]

    def get_context(self, request, *args, **kwargs):
        from .pages import program_context

        context = super().get_context(request, *args, **kwargs)
        context.update(program_context(self, request))
        return context

    def survey_deadline(self):
        """The last day the survey may be answered or changed (None before the program has dates)."""
        if self.survey_closes:
            return self.survey_closes
        if self.ends_on:
            return self.ends_on + datetime.timedelta(days=settings.PROGRAMS_SURVEY_DAYS)
        return None

    def enrolment_open(self, now=None):
        now = now or timezone.now()
        return bool(self.enrol_opens and self.enrol_closes and self.enrol_opens <= now < self.enrol_closes)


class ProgramSession(Orderable):
    """One session of a program's schedule (a lecture, a workshop, a visit to a practice base)."""

    program = ParentalKey(ProgramPage, related_name="sessions", on_delete=models.CASCADE)
    starts_at = models.DateTimeField("开始时间")
    ends_at = models.DateTimeField("结束时间")
    topic = models.CharField("专题", max_length=200)
    lecturer = models.ForeignKey(
        Expert, verbose_name="主讲人", null=True, blank=True, on_delete=models.SET_NULL, related_name="program_sessions"
    )
    place = models.CharField("地点", max_length=200, blank=True, help_text="不填则为项目的培训地点。")
    course_before = models.ForeignKey(
        "microcourses.MicroCoursePage",
        verbose_name="课前微课",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    course_after = models.ForeignKey(
        "microcourses.MicroCoursePage",
        verbose_name="课后微课",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta(Orderable.Meta):
        verbose_name = "课程安排"
        verbose_name_plural = "课程安排"

    def __str__(self):
        return self.topic


class ProgramSeats(models.Model):
    """One row per program, locked (select_for_update) while seats are given or given back, so that
    simultaneous applications are decided one at a time without locking the page itself."""

    program = models.OneToOneField(ProgramPage, primary_key=True, on_delete=models.CASCADE, related_name="seats")

    class Meta:
        verbose_name = "名额锁"
        verbose_name_plural = "名额锁"

    def __str__(self):
        return str(self.program_id)


class Enrolment(models.Model):
    """A counselor's application to a program and what became of it (学员管理)."""

    PENDING, APPROVED, WAITING, DECLINED, CANCELLED = "pending", "approved", "waiting", "declined", "cancelled"
    STATUS_CHOICES = [
        (PENDING, "待审核"),
        (APPROVED, "已录取"),
        (WAITING, "候补"),
        (DECLINED, "未录取"),
        (CANCELLED, "已取消"),
    ]
    # The states that hold one of the program's seats.
    HOLDS_SEAT = (PENDING, APPROVED)

    program = models.ForeignKey(ProgramPage, on_delete=models.CASCADE, related_name="enrolments")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="program_enrolments")
    status = models.CharField("状态", max_length=12, choices=STATUS_CHOICES, default=PENDING)
    # Copied from the counselor's profile when they apply (they may correct them in the form).
    name = models.CharField("姓名", max_length=50)
    school = models.CharField("学校", max_length=100, blank=True)
    province = models.CharField("省份", max_length=10, blank=True)
    phone = models.CharField("手机号", max_length=14, blank=True)
    email = models.EmailField("电子邮箱", blank=True)
    note = models.TextField("报名说明", max_length=500, blank=True)
    applied_at = models.DateTimeField("报名时间", default=timezone.now)
    # When the applicant joined the waiting list: the list is served in this order.
    queued_at = models.DateTimeField("候补时间", null=True, blank=True)
    decided_at = models.DateTimeField("审核时间", null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    decline_reason = models.CharField("未录取原因", max_length=200, blank=True)
    completed_at = models.DateTimeField("结业时间", null=True, blank=True)

    class Meta:
        verbose_name = "报名"
        verbose_name_plural = "报名"
        constraints = [models.UniqueConstraint(fields=["program", "user"], name="programs_enrolment_once")]
        indexes = [models.Index(fields=["program", "status", "queued_at"], name="programs_enrolment_queue")]

    def __str__(self):
        return f"{self.name} · {self.program_id}"

    @property
    def holds_seat(self):
        return self.status in self.HOLDS_SEAT


class Attendance(models.Model):
    """One participant present at one session: checked in with the session's QR code or marked by staff."""

    QR, MANUAL = "qr", "manual"
    METHOD_CHOICES = [(QR, "扫码签到"), (MANUAL, "人工登记")]

    session = models.ForeignKey(ProgramSession, on_delete=models.CASCADE, related_name="attendance")
    enrolment = models.ForeignKey(Enrolment, on_delete=models.CASCADE, related_name="attendance")
    method = models.CharField("方式", max_length=8, choices=METHOD_CHOICES, default=QR)
    marked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    marked_at = models.DateTimeField("签到时间", default=timezone.now)

    class Meta:
        verbose_name = "签到"
        verbose_name_plural = "签到"
        constraints = [models.UniqueConstraint(fields=["session", "enrolment"], name="programs_attendance_once")]

    def __str__(self):
        return f"{self.enrolment_id} @ {self.session_id}"


class Certificate(models.Model):
    """A certificate of completion (结业证书). What the public verification page shows is copied here,
    so a certificate still verifies after its program page is edited or deleted."""

    enrolment = models.OneToOneField(
        Enrolment, null=True, blank=True, on_delete=models.SET_NULL, related_name="certificate"
    )
    code = models.CharField("验证码", max_length=20, unique=True)
    name = models.CharField("姓名", max_length=50)
    program_title = models.CharField("培训项目", max_length=255)
    center_name = models.CharField("主办中心", max_length=200, blank=True)
    hours = models.DecimalField("学时", max_digits=5, decimal_places=1)
    issued_on = models.DateField("结业日期")
    issued_at = models.DateTimeField("发放时间", default=timezone.now)
    revoked_at = models.DateTimeField("撤销时间", null=True, blank=True)

    class Meta:
        verbose_name = "结业证书"
        verbose_name_plural = "结业证书"

    def __str__(self):
        return self.code


class SurveyResponse(models.Model):
    """A participant's answer to a program's survey: one per enrolment, editable until the survey closes."""

    enrolment = models.OneToOneField(Enrolment, on_delete=models.CASCADE, related_name="survey")
    program = models.ForeignKey(ProgramPage, on_delete=models.CASCADE, related_name="survey_responses")
    overall = models.PositiveSmallIntegerField("总体满意度", validators=SCORE_VALIDATORS)
    organisation = models.PositiveSmallIntegerField("组织管理", validators=SCORE_VALIDATORS)
    comment = models.TextField("意见和建议", max_length=1000, blank=True)
    submitted_at = models.DateTimeField("提交时间", default=timezone.now)
    updated_at = models.DateTimeField("修改时间", default=timezone.now)

    class Meta:
        verbose_name = "评估问卷"
        verbose_name_plural = "评估问卷"

    def __str__(self):
        return f"{self.program_id} · {self.enrolment_id}"


class SessionRating(models.Model):
    """A participant's rating of one session: its content and its lecturer (the experts' evaluation)."""

    response = models.ForeignKey(SurveyResponse, on_delete=models.CASCADE, related_name="ratings")
    session = models.ForeignKey(ProgramSession, on_delete=models.CASCADE, related_name="ratings")
    # The session's lecturer when the rating was given: the lecturer's results stay theirs if the
    # schedule is later changed.
    lecturer = models.ForeignKey(
        Expert, null=True, blank=True, on_delete=models.SET_NULL, related_name="session_ratings"
    )
    content = models.PositiveSmallIntegerField("内容", validators=SCORE_VALIDATORS)
    teaching = models.PositiveSmallIntegerField("主讲人", validators=SCORE_VALIDATORS)

    class Meta:
        verbose_name = "课程评分"
        verbose_name_plural = "课程评分"
        constraints = [models.UniqueConstraint(fields=["response", "session"], name="programs_rating_once")]

    def __str__(self):
        return f"{self.response_id} · {self.session_id}"
