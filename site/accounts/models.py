"""A counselor's profile: who they are, where they work, and since when (which decides their career
stage, the library's 培训对象 facet)."""

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone

# The 31 provinces, autonomous regions and municipalities of the mainland, in the statistical yearbook's order.
PROVINCES = [
    "北京",
    "天津",
    "河北",
    "山西",
    "内蒙古",
    "辽宁",
    "吉林",
    "黑龙江",
    "上海",
    "江苏",
    "浙江",
    "安徽",
    "福建",
    "江西",
    "山东",
    "河南",
    "湖北",
    "湖南",
    "广东",
    "广西",
    "海南",
    "重庆",
    "四川",
    "贵州",
    "云南",
    "西藏",
    "陕西",
    "甘肃",
    "青海",
    "宁夏",
    "新疆",
]
FIRST_START_YEAR = 1980

# resources.CareerStage codes (seeded by resources' migration 0002) and the years in the work they cover.
NEW, EXPERIENCED, SENIOR = "new", "experienced", "senior"


def stage_for_years(years):
    """新入职 1–3 years, 有一定工作基础 4–8, 经验丰富 more than 8. A counselor in their first calendar
    year counts as in their first year (0 years since would otherwise fall outside every stage)."""
    if years is None:
        return None
    if years <= 3:
        return NEW
    if years <= 8:
        return EXPERIENCED
    return SENIOR


def validate_start_year(value):
    # The upper bound moves with the calendar: a model validator rather than a fixed MaxValueValidator
    # (whose value would be frozen into a migration).
    MaxValueValidator(timezone.localdate().year, message="入职年份不能晚于今年。")(value)


class CounselorProfile(models.Model):
    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="counselor_profile")
    name = models.CharField("姓名", max_length=50, blank=True)
    school = models.CharField("学校", max_length=100, blank=True)
    province = models.CharField("省份", max_length=10, blank=True, choices=[(p, p) for p in PROVINCES])
    start_year = models.PositiveSmallIntegerField(
        "入职年份",
        null=True,
        blank=True,
        validators=[MinValueValidator(FIRST_START_YEAR, message="入职年份不能早于 1980 年。"), validate_start_year],
        help_text="开始担任辅导员的年份，用来推荐适合您所处阶段的课程。",
    )
    # +86 and 11 digits (accounts.phone.normalise); empty when the counselor signed up by e-mail only.
    phone = models.CharField("手机号", max_length=14, blank=True)
    phone_verified = models.BooleanField("手机号已验证", default=False)
    # When the number was last set (accounts.adapter.set_phone): the sweep clears a number still
    # unconfirmed a day later. Not updated_at, which every edit of the profile would push back.
    phone_set_at = models.DateTimeField("手机号填写时间", null=True, blank=True)
    created_at = models.DateTimeField("创建时间", auto_now_add=True)
    updated_at = models.DateTimeField("更新时间", auto_now=True)

    class Meta:
        verbose_name = "辅导员资料"
        verbose_name_plural = "辅导员资料"
        constraints = [
            # One account per *confirmed* number. An unconfirmed one proves nothing: anyone can type
            # someone else's number at sign-up, and a unique claim on it would lock its owner out. Several
            # accounts may claim a number unconfirmed; the first to confirm it keeps it (the adapter
            # clears the others), and the sweep clears claims left unconfirmed (accounts.sweeps).
            models.UniqueConstraint(
                fields=["phone"],
                condition=Q(phone_verified=True) & ~Q(phone=""),
                name="accounts_profile_unique_verified_phone",
            ),
        ]

    def __str__(self):
        return self.name or str(self.user)

    @property
    def years_in_work(self):
        if self.start_year is None:
            return None
        return timezone.localdate().year - self.start_year

    @property
    def career_stage(self):
        """The resources.CareerStage code for this counselor (new / experienced / senior), None if unknown."""
        return stage_for_years(self.years_in_work)


def career_stage_for(user):
    """The CareerStage code of a user (None for visitors, staff without a profile, an unknown year)."""
    if user is None or not user.is_authenticated:
        return None
    profile = CounselorProfile.objects.filter(user_id=user.pk).only("start_year").first()
    return profile.career_stage if profile else None


class SmsSent(models.Model):
    """One text message sent to a number: what the daily cap per number counts (accounts.sms). In the
    database because allauth's own limits live in the cache, which is per process here (no shared
    CACHES): counted there, each gunicorn worker would allow its own day's worth. Rows older than a day
    are deleted by the sweep (accounts.sweeps)."""

    phone = models.CharField("手机号", max_length=14)
    purpose = models.CharField("用途", max_length=20)
    sent_at = models.DateTimeField("发送时间", default=timezone.now)

    class Meta:
        verbose_name = "短信发送记录"
        verbose_name_plural = "短信发送记录"
        indexes = [models.Index(fields=["phone", "sent_at"], name="accounts_sms_phone_sent")]

    def __str__(self):
        return f"{self.phone} {self.purpose} {self.sent_at:%Y-%m-%d %H:%M}"
