"""Micro-courses (微课 / 网络课程) and ordered series of them (系列微课)."""

from django import forms
from django.db import models
from django.db.models import Prefetch

from modelcluster.fields import ParentalKey, ParentalManyToManyField
from wagtail.admin.panels import FieldPanel, FieldRowPanel, InlinePanel, MultiFieldPanel, PageChooserPanel
from wagtail.api import APIField
from wagtail.models import Orderable, PageManager
from wagtail.query import PageQuerySet
from wagtail.search import index
from wagtailmedia.edit_handlers import MediaChooserPanel

from access.visibility import public
from learning.context import course_learning
from resources.forms import ResourcePageForm
from resources.models import (
    CareerStage,
    CourseType,
    Expert,
    Requirement,
    ResourcePage,
    Tier,
    codes,
)

from .forms import MicroCoursePageForm


class MicroCoursePage(ResourcePage):
    lecturer = models.ForeignKey(
        Expert, verbose_name="主讲人", null=True, blank=True, on_delete=models.SET_NULL, related_name="courses"
    )
    stages = ParentalManyToManyField(CareerStage, verbose_name="培训对象", blank=True, related_name="courses")
    course_type = models.ForeignKey(
        CourseType, verbose_name="课程类型", null=True, blank=True, on_delete=models.PROTECT, related_name="courses"
    )
    requirement = models.ForeignKey(
        Requirement, verbose_name="课程性质", null=True, blank=True, on_delete=models.PROTECT, related_name="courses"
    )
    tier = models.ForeignKey(
        Tier, verbose_name="培训层级", null=True, blank=True, on_delete=models.PROTECT, related_name="courses"
    )
    video = models.ForeignKey(
        "media.Video",
        verbose_name="课程视频",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="courses",
        help_text="选择或上传讲课视频；时长、封面和清晰度由系统自动生成。",
    )
    # Probed from the video when there is one (never typed by editors); imports of courses whose
    # video lives elsewhere may still give it.
    duration_seconds = models.PositiveIntegerField("时长（秒）", null=True, blank=True, editable=False)
    learning_hours = models.DecimalField("学时", max_digits=4, decimal_places=2, null=True, blank=True)
    transcript = models.TextField("讲稿 / 字幕文本", blank=True)
    plan_item = models.ForeignKey(
        "editorial.PlanItem",
        verbose_name="对应的年度计划课程",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="courses",
        help_text="本课程完成的是中心年度工作计划中的哪一门课。",
    )

    resource_kind = "microcourse"
    resource_kind_label = "微课"
    resource_kind_order = 1
    is_creatable = True
    base_form_class = MicroCoursePageForm

    content_panels = ResourcePage.content_panels + [
        FieldPanel("lecturer"),
        MultiFieldPanel(
            [
                FieldPanel("center"),
                FieldPanel("capabilities", widget=forms.CheckboxSelectMultiple),
                FieldPanel("stages", widget=forms.CheckboxSelectMultiple),
                FieldRowPanel([FieldPanel("course_type"), FieldPanel("requirement"), FieldPanel("tier")]),
            ],
            heading="分类（资源库筛选）",
        ),
        MediaChooserPanel("video", media_type="video"),
        FieldPanel("plan_item"),
        FieldPanel("learning_hours"),
        FieldPanel("body"),
        FieldPanel("transcript"),
        InlinePanel("attachments", label="附件"),
    ]
    search_fields = ResourcePage.search_fields + [
        index.SearchField("transcript"),
        index.RelatedFields("lecturer", [index.SearchField("name")]),
        index.FilterField("stages"),
        index.FilterField("course_type"),
        index.FilterField("requirement"),
        index.FilterField("tier"),
    ]
    api_fields = ResourcePage.api_fields + [
        APIField("lecturer_name"),
        APIField("stage_codes"),
        APIField("course_type_code"),
        APIField("requirement_code"),
        APIField("tier_code"),
        APIField("duration_seconds"),
        APIField("video_info"),
        APIField("learning_hours"),
        APIField("transcript"),
    ]

    parent_page_types = ["resources.CenterSectionPage", "resources.LibraryIndexPage"]
    subpage_types = []

    class Meta:
        verbose_name = "微课"
        verbose_name_plural = "微课"

    @property
    def lecturer_name(self):
        return self.lecturer.name if self.lecturer_id else None

    @property
    def stage_codes(self):
        return codes(self.stages)

    @property
    def course_type_code(self):
        return self.course_type.code if self.course_type_id else None

    @property
    def requirement_code(self):
        return self.requirement.code if self.requirement_id else None

    @property
    def tier_code(self):
        return self.tier.code if self.tier_id else None

    @property
    def video_info(self):
        """The player's sources, for API clients (apps); None until the video is playable."""
        video = self.video
        if video is None or not video.is_ready:
            return None
        return {
            "playlist": video.playlist_url,
            "poster": video.poster_url,
            "captions": video.captions_url,
            "duration": video.duration,
            "renditions": video.renditions,
        }

    search_select_related = ResourcePage.search_select_related + ["lecturer", "course_type", "requirement", "tier"]
    search_prefetch_related = ResourcePage.search_prefetch_related + ["stages"]

    def search_facets(self):
        return super().search_facets() | {
            "stage": self.stage_codes,
            "course_type": [self.course_type_code] if self.course_type_id else [],
            "requirement": [self.requirement_code] if self.requirement_id else [],
            "tier": [self.tier_code] if self.tier_id else [],
        }

    def search_keywords(self):
        related = [self.lecturer, self.course_type, self.requirement, self.tier, *self.stages.all()]
        return super().search_keywords() + [str(item) for item in related if item is not None]

    def search_body(self):
        return super().search_body() + [self.transcript]

    def save(self, *args, **kwargs):
        if self.video_id and self.video.duration:
            self.duration_seconds = round(self.video.duration)
        super().save(*args, **kwargs)

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        context["series_memberships"] = series_memberships(self)
        context["learning"] = course_learning(request, self)
        return context


def series_memberships(course):
    """Each live series this course belongs to, with its neighbours for previous/next links."""
    memberships = []
    if course.pk is None:  # the admin's preview of a course not saved yet
        return memberships
    items = SeriesItem.objects.filter(course=course, page__in=public(CourseSeriesPage.objects.all()))
    for item in items.select_related("page"):
        siblings = list(item.page.live_items())
        position = next(i for i, s in enumerate(siblings) if s.pk == item.pk)
        memberships.append(
            {
                "series": item.page,
                "position": position + 1,
                "count": len(siblings),
                "previous": siblings[position - 1].course if position > 0 else None,
                "next": siblings[position + 1].course if position + 1 < len(siblings) else None,
            }
        )
    return memberships


class SeriesQuerySet(PageQuerySet):
    """Series fetched together read their live courses together (API listings: course_list, the totals)."""

    def _fetch_all(self):
        fresh = self._result_cache is None
        super()._fetch_all()
        if fresh and self._result_cache:
            prefetch_live_items([row for row in self._result_cache if isinstance(row, CourseSeriesPage)])


class CourseSeriesPage(ResourcePage):
    """An ordered series of micro-courses (系列微课): a library resource like any other kind. Until
    migration 0007 it was a plain Page with its own summary, center and tags; the page ids stayed."""

    resource_kind = "series"
    resource_kind_label = "系列微课"
    resource_kind_order = 5
    is_creatable = True
    base_form_class = ResourcePageForm

    content_panels = ResourcePage.content_panels + [
        MultiFieldPanel(
            [FieldPanel("center"), FieldPanel("capabilities", widget=forms.CheckboxSelectMultiple)],
            heading="分类（资源库筛选）",
        ),
        InlinePanel("items", label="系列中的微课（按顺序）", min_num=1),
    ]
    api_fields = ResourcePage.api_fields + [
        APIField("course_list"),
        APIField("course_count"),
        APIField("total_duration_seconds"),
        APIField("total_learning_hours"),
    ]

    parent_page_types = ["resources.CenterSectionPage", "resources.LibraryIndexPage"]
    subpage_types = []

    objects = PageManager.from_queryset(SeriesQuerySet)()

    class Meta:
        verbose_name = "系列微课"
        verbose_name_plural = "系列微课"

    @property
    def course_list(self):
        return [{"id": item.course_id, "title": item.course.title} for item in self.live_items()]

    @property
    def course_count(self):
        return len(self.live_items())

    @property
    def total_duration_seconds(self):
        return sum(item.course.duration_seconds or 0 for item in self.live_items())

    @property
    def total_learning_hours(self):
        return float(sum(item.course.learning_hours or 0 for item in self.live_items()))

    def live_items(self):
        """The series' courses a reader may see, in order: drafts and private courses are left out.
        A listing fetches them for all its series at once (prefetch_live_items, series_items_prefetch)."""
        prefetched = getattr(self, "_live_items", None)
        if prefetched is not None:
            return prefetched
        if self.pk is None or "items" in getattr(self, "_cluster_related_objects", {}):
            # The admin's preview (or a revision): items held in memory, not stored yet.
            items = sorted(self.items.all(), key=lambda item: (item.sort_order or 0, item.pk or 0))
            visible = public(MicroCoursePage.objects.filter(pk__in=[item.course_id for item in items]))
            courses = visible.select_related("lecturer").in_bulk()
            items = [item for item in items if item.course_id in courses]
            for item in items:
                item.course = courses[item.course_id]
            return items
        self._live_items = list(live_items_queryset().filter(page=self))
        return self._live_items

    def search_keywords(self):
        return super().search_keywords() + [self.resource_kind_label]

    def search_body(self):
        # Only the titles of its live, public courses: a draft's or a private course's title never reaches
        # the index. signal_handlers indexes the series again when one of its courses changes.
        return super().search_body() + [item.course.title for item in self.live_items()]

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        context["items"] = self.live_items()
        return context


def live_items_queryset():
    # The site's rule (access.visibility): a live course inside an unpublished or restricted section is
    # not public either, and an open series must not name it.
    visible = public(MicroCoursePage.objects.all())
    # pk breaks ties, so that the order is the same on every database.
    items = SeriesItem.objects.filter(course__in=visible).order_by("sort_order", "pk")
    return items.select_related("course", "course__lecturer")


def series_items_prefetch(lookup="courseseriespage__items"):
    """A listing's prefetch of each series' live courses (resources.library's rows: card facts)."""
    return Prefetch(lookup, queryset=live_items_queryset(), to_attr="_live_items")


def prefetch_live_items(series):
    series = [s for s in series if s.pk is not None and getattr(s, "_live_items", None) is None]
    if not series:
        return
    by_series = {s.pk: [] for s in series}
    for item in live_items_queryset().filter(page__in=list(by_series)):
        by_series[item.page_id].append(item)
    for s in series:
        s._live_items = by_series[s.pk]


class SeriesItem(Orderable):
    page = ParentalKey(CourseSeriesPage, related_name="items", on_delete=models.CASCADE)
    course = models.ForeignKey(MicroCoursePage, verbose_name="微课", on_delete=models.CASCADE, related_name="+")

    panels = [PageChooserPanel("course", "microcourses.MicroCoursePage")]

    class Meta(Orderable.Meta):
        verbose_name = "系列条目"
        verbose_name_plural = "系列条目"
