"""Course packages (课程套餐): the centers' recommended packages (a page type, reviewed like every page),
the counselors' own packages (自主搭配课程套餐) and their favourites (收藏).

An item of either kind of package points to a micro-course or a series. What a package shows and counts
is decided when it is read (totals.resolve): only live, public courses and series, a series expanded to
its live courses, each course counted once. An item whose page went offline stays stored (the counselor
sees 该课程已下线) and counts for nothing.
"""

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone

from modelcluster.fields import ParentalKey, ParentalManyToManyField
from wagtail.admin.panels import FieldPanel, InlinePanel, MultiFieldPanel, PageChooserPanel
from wagtail.api import APIField
from wagtail.models import Orderable, Page, PageManager
from wagtail.query import PageQuerySet
from wagtail.search import index

from resources.forms import ResourcePageForm
from resources.models import CareerStage, ResourcePage, codes

# The page types an item may point to (admin chooser, model validation, the counselors' forms).
ITEM_TYPES = ["microcourses.MicroCoursePage", "microcourses.CourseSeriesPage"]


class PackageQuerySet(PageQuerySet):
    """Packages fetched together resolve their items together: the API's listing of 20 packages with
    `item_list` and the totals runs the same queries as one of 2 (CoursePackagePage.resolved)."""

    def _fetch_all(self):
        fresh = self._result_cache is None
        super()._fetch_all()
        if fresh and self._result_cache:
            packages = [row for row in self._result_cache if isinstance(row, CoursePackagePage)]
            for package in packages:
                package._fetched_with = packages


class CoursePackagePage(ResourcePage):
    """A package of courses a center (or the platform) recommends, for stages and capability areas."""

    stages = ParentalManyToManyField(CareerStage, verbose_name="培训对象", blank=True, related_name="packages")

    resource_kind = "package"
    resource_kind_label = "课程套餐"
    resource_kind_order = 4
    is_creatable = True
    base_form_class = ResourcePageForm

    content_panels = ResourcePage.content_panels + [
        MultiFieldPanel(
            [
                FieldPanel("center"),
                FieldPanel("capabilities", widget=forms.CheckboxSelectMultiple),
                FieldPanel("stages", widget=forms.CheckboxSelectMultiple),
            ],
            heading="分类（资源库筛选）",
        ),
        InlinePanel(
            "items",
            label="套餐中的微课或系列微课（按顺序）",
            min_num=1,
            help_text="总时长和总学时按其中已发布、公开的课程自动计算，无需填写；未发布或非公开的课程不计入，也不向访客显示。",
        ),
        FieldPanel("body"),
    ]
    search_fields = ResourcePage.search_fields + [index.FilterField("stages")]
    api_fields = ResourcePage.api_fields + [
        APIField("stage_codes"),
        APIField("item_list"),
        APIField("total_duration_seconds"),
        APIField("total_learning_hours"),
    ]

    parent_page_types = ["resources.CenterSectionPage", "resources.LibraryIndexPage"]
    subpage_types = []

    objects = PageManager.from_queryset(PackageQuerySet)()

    class Meta:
        verbose_name = "课程套餐"
        verbose_name_plural = "课程套餐"

    @property
    def stage_codes(self):
        return codes(self.stages)

    def target_ids(self):
        return list(self.items.order_by("sort_order", "pk").values_list("target_id", flat=True))

    def resolved(self, user=None, request=None):
        from .totals import resolve

        if user is not None or request is not None:
            return resolve(self.target_ids(), user=user, request=request)
        # The API reads the items and both totals: resolve once per instance, and together with the
        # packages fetched in the same query (a listing), never one package after the other.
        if not hasattr(self, "_resolved"):
            fetched = [p for p in getattr(self, "_fetched_with", ()) if not hasattr(p, "_resolved")]
            if self in fetched:
                resolve_together(fetched)
            else:
                self._resolved = resolve(self.target_ids())
        return self._resolved

    @property
    def item_list(self):
        """The live, public items in order (API): drafts and private courses never appear."""
        return [entry.as_api() for entry in self.resolved().entries if entry.available]

    @property
    def total_duration_seconds(self):
        return self.resolved().total_seconds

    @property
    def total_learning_hours(self):
        return float(self.resolved().total_hours)

    search_prefetch_related = ResourcePage.search_prefetch_related + ["stages"]

    def search_facets(self):
        return super().search_facets() | {"stage": self.stage_codes}

    def search_keywords(self):
        return super().search_keywords() + [self.resource_kind_label] + [s.label for s in self.stages.all()]

    def search_body(self):
        # The titles of its live, public items only: a draft's or a private course's title never reaches the
        # index (nor a highlighted snippet). Re-indexed when the package is published again.
        return super().search_body() + [entry.title for entry in self.resolved().entries if entry.available]

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        user = request.user if request.user.is_authenticated else None
        context["package"] = self.resolved(user=user, request=request)
        return context


def resolve_together(packages):
    """Sets each stored package's `_resolved` (live, public items; no user) in a fixed number of queries."""
    from .totals import build, load

    targets = {package.pk: [] for package in packages}
    rows = PackageItem.objects.filter(page__in=list(targets)).order_by("sort_order", "pk")
    for page_id, target_id in rows.values_list("page_id", "target_id"):
        targets[page_id].append(target_id)
    loaded = load([t for ids in targets.values() for t in ids])
    for package in packages:
        package._resolved = build(targets[package.pk], loaded)


def check_target(page):
    """A ValidationError unless `page` is a micro-course or a series."""
    from microcourses.models import CourseSeriesPage, MicroCoursePage

    if page is None:
        raise ValidationError("请选择一门微课或一个系列微课。")
    if page.specific_class not in (MicroCoursePage, CourseSeriesPage):
        raise ValidationError("套餐中只能加入微课或系列微课。")


class PackageItem(Orderable):
    page = ParentalKey(CoursePackagePage, related_name="items", on_delete=models.CASCADE)
    target = models.ForeignKey(Page, verbose_name="微课或系列微课", on_delete=models.CASCADE, related_name="+")

    panels = [PageChooserPanel("target", ITEM_TYPES)]

    class Meta(Orderable.Meta):
        verbose_name = "套餐条目"
        verbose_name_plural = "套餐条目"

    def clean(self):
        super().clean()
        if self.target_id:
            try:
                check_target(self.target)
            except ValidationError as error:
                raise ValidationError({"target": error.messages}) from None


class PersonalPackage(models.Model):
    """A counselor's own package. Never shown in the admin: a counselor's records are theirs alone."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="course_packages")
    title = models.CharField("名称", max_length=60)
    source = models.ForeignKey(
        CoursePackagePage,
        verbose_name="复制自",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField("创建时间", default=timezone.now)
    # The package that 加入套餐 fills when none is chosen: the last one changed.
    used_at = models.DateTimeField("最近使用", default=timezone.now)

    class Meta:
        verbose_name = "我的课程套餐"
        verbose_name_plural = "我的课程套餐"
        indexes = [models.Index(fields=["user", "-used_at"], name="coursepackages_recent")]

    def __str__(self):
        return self.title

    def touch(self):
        self.used_at = timezone.now()
        self.save(update_fields=["used_at"])


class PersonalPackageItem(models.Model):
    package = models.ForeignKey(PersonalPackage, on_delete=models.CASCADE, related_name="items")
    target = models.ForeignKey(Page, verbose_name="微课或系列微课", on_delete=models.CASCADE, related_name="+")
    position = models.PositiveIntegerField("顺序", default=0)
    added_at = models.DateTimeField("加入时间", default=timezone.now)

    class Meta:
        verbose_name = "套餐条目"
        verbose_name_plural = "套餐条目"
        ordering = ["position", "pk"]
        constraints = [models.UniqueConstraint(fields=["package", "target"], name="coursepackages_item_once")]

    def __str__(self):
        return f"{self.package_id} · {self.target_id}"


class Favourite(models.Model):
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="favourites")
    target = models.ForeignKey(Page, verbose_name="微课或系列微课", on_delete=models.CASCADE, related_name="+")
    created_at = models.DateTimeField("收藏时间", default=timezone.now)

    class Meta:
        verbose_name = "收藏"
        verbose_name_plural = "收藏"
        ordering = ["-created_at", "-pk"]
        constraints = [models.UniqueConstraint(fields=["user", "target"], name="coursepackages_favourite_once")]

    def __str__(self):
        return f"{self.user_id} · {self.target_id}"
