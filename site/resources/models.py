"""The shared library: controlled vocabularies, training centers, experts, the common
base of every resource page, the library index, and policy documents (notices)."""

from datetime import datetime, time

from django.apps import apps
from django.conf import settings
from django.core.exceptions import ObjectDoesNotExist, ValidationError
from django.core.paginator import EmptyPage, PageNotAnInteger, Paginator
from django.db import models
from django.utils import timezone
from django.utils.functional import cached_property

from modelcluster.contrib.taggit import ClusterTaggableManager
from modelcluster.fields import ParentalKey, ParentalManyToManyField
from taggit.models import TaggedItemBase
from wagtail.admin.panels import FieldPanel, InlinePanel, MultiFieldPanel
from wagtail.api import APIField
from wagtail.documents import get_document_model_string
from wagtail.fields import RichTextField, StreamField
from wagtail.images import get_image_model_string
from wagtail.models import Orderable, Page
from wagtail.search import index

from access.forms import CheckedModelForm, CheckedPageForm

from .blocks import BaseStreamBlock
from .forms import ResourcePageForm
from .signals import resource_viewed

# ---------------------------------------------------------------------------
# Controlled vocabularies (DESIGN.md). Codes are stable identifiers used in URLs,
# filters, the import format and the API; labels are what people read.
# ---------------------------------------------------------------------------


class Taxonomy(models.Model):
    code = models.SlugField(
        "代码",
        max_length=40,
        unique=True,
        help_text="稳定标识，用于网址、筛选、导入和接口；创建后请勿修改。",
    )
    label = models.CharField("名称", max_length=100)
    description = models.TextField("说明", blank=True)
    sort_order = models.PositiveSmallIntegerField("排序", default=0)

    panels = [FieldPanel("code"), FieldPanel("label"), FieldPanel("description"), FieldPanel("sort_order")]

    class Meta:
        abstract = True
        ordering = ["sort_order", "code"]

    def __str__(self):
        return self.label


class CapabilityArea(Taxonomy):
    class Meta(Taxonomy.Meta):
        verbose_name = "能力方向"
        verbose_name_plural = "能力方向"


class CareerStage(Taxonomy):
    class Meta(Taxonomy.Meta):
        verbose_name = "培训对象"
        verbose_name_plural = "培训对象"


class CourseType(Taxonomy):
    class Meta(Taxonomy.Meta):
        verbose_name = "课程类型"
        verbose_name_plural = "课程类型"


class Requirement(Taxonomy):
    class Meta(Taxonomy.Meta):
        verbose_name = "课程性质"
        verbose_name_plural = "课程性质"


class Tier(Taxonomy):
    class Meta(Taxonomy.Meta):
        verbose_name = "培训层级"
        verbose_name_plural = "培训层级"


class TrainingCenter(index.Indexed, models.Model):
    code = models.SlugField("代码", max_length=40, unique=True, help_text="稳定标识，用于网址和导入。")
    name = models.CharField("中心名称", max_length=200)
    host_university = models.CharField("依托高校", max_length=200, blank=True)
    theme = models.CharField("培训主题", max_length=200, blank=True)
    province = models.CharField("所在省份", max_length=50, blank=True)
    description = models.TextField("简介", blank=True)
    # The center's own roles and file collection, made when the center is created (editorial.roles).
    editors_group = models.OneToOneField(
        "auth.Group",
        verbose_name="编辑组",
        null=True,
        blank=True,
        editable=False,
        on_delete=models.SET_NULL,
        related_name="center_as_editors",
    )
    reviewers_group = models.OneToOneField(
        "auth.Group",
        verbose_name="审核组",
        null=True,
        blank=True,
        editable=False,
        on_delete=models.SET_NULL,
        related_name="center_as_reviewers",
    )
    collection = models.OneToOneField(
        "wagtailcore.Collection",
        verbose_name="文件集",
        null=True,
        blank=True,
        editable=False,
        on_delete=models.SET_NULL,
        related_name="center",
    )

    panels = [
        FieldPanel("code"),
        FieldPanel("name"),
        FieldPanel("host_university"),
        FieldPanel("theme"),
        FieldPanel("province"),
        FieldPanel("description"),
    ]
    search_fields = [
        index.SearchField("name"),
        index.AutocompleteField("name"),
        index.SearchField("host_university"),
        index.SearchField("theme"),
        index.SearchField("code"),
        index.FilterField("code"),
    ]

    class Meta:
        ordering = ["code"]
        verbose_name = "培训研修中心"
        verbose_name_plural = "培训研修中心"

    def __str__(self):
        return self.name

    def clean(self):
        # The code becomes the slug of the center's section under the library: it must be free there.
        super().clean()
        library = LibraryIndexPage.objects.order_by("path").first()
        if library is None or not self.code:
            return
        taken = Page.objects.child_of(library).filter(slug=self.code)
        if self.pk:
            taken = taken.exclude(centersectionpage__center=self)
        if taken.exists():
            raise ValidationError({"code": f"代码“{self.code}”已被资源库中的其他页面使用，请换一个代码。"})


class Expert(index.Indexed, models.Model):
    class Level(models.TextChoices):
        NATIONAL = "national", "国家级"
        PROVINCIAL = "provincial", "省级"
        SCHOOL = "school", "校级"

    name = models.CharField("姓名", max_length=100, unique=True)
    title = models.CharField("职称 / 职务", max_length=100, blank=True)
    organisation = models.CharField("工作单位", max_length=200, blank=True)
    level = models.CharField("师资级别", max_length=20, choices=Level.choices, default=Level.SCHOOL)
    photo = models.ForeignKey(
        get_image_model_string(),
        verbose_name="照片",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    bio = models.TextField("简介", blank=True)

    base_form_class = CheckedModelForm
    panels = [
        FieldPanel("name"),
        FieldPanel("title"),
        FieldPanel("organisation"),
        FieldPanel("level"),
        FieldPanel("photo"),
        FieldPanel("bio"),
    ]
    search_fields = [
        index.SearchField("name"),
        index.AutocompleteField("name"),
        index.SearchField("organisation"),
        index.AutocompleteField("organisation"),  # admin listings search as you type (autocomplete)
        index.FilterField("level"),
    ]

    class Meta:
        ordering = ["name"]
        verbose_name = "专家（师资）"
        verbose_name_plural = "师资库"

    def __str__(self):
        return self.name


# ---------------------------------------------------------------------------
# The common base of every resource the library holds.
# ---------------------------------------------------------------------------


class ResourceTag(TaggedItemBase):
    content_object = ParentalKey("resources.ResourcePage", related_name="tagged_items", on_delete=models.CASCADE)

    class Meta:
        verbose_name = "资源标签"
        verbose_name_plural = "资源标签"


class ResourceAttachment(Orderable):
    page = ParentalKey("resources.ResourcePage", related_name="attachments", on_delete=models.CASCADE)
    document = models.ForeignKey(
        get_document_model_string(), verbose_name="文件", on_delete=models.CASCADE, related_name="+"
    )
    title = models.CharField("显示名称", max_length=255, blank=True, help_text="留空则使用文件标题。")

    panels = [FieldPanel("document"), FieldPanel("title")]

    class Meta(Orderable.Meta):
        verbose_name = "附件"
        verbose_name_plural = "附件"

    @property
    def display_title(self):
        return self.title or self.document.title


def codes(manager):
    return [item.code for item in manager.all()]


class ResourcePage(Page):
    """Concrete (multi-table) base of micro-courses, cases and policy documents, so that
    the library can list, count and filter every kind of resource in one query."""

    summary = models.TextField("摘要", blank=True, help_text="一两句话说明内容，显示在列表和搜索结果中。")
    body = StreamField(BaseStreamBlock(), verbose_name="正文", blank=True)
    center = models.ForeignKey(
        TrainingCenter,
        verbose_name="培训研修中心",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="resources",
    )
    capabilities = ParentalManyToManyField(
        CapabilityArea, verbose_name="能力方向", blank=True, related_name="resources"
    )
    tags = ClusterTaggableManager("标签", through=ResourceTag, blank=True)

    # Only the concrete kinds below are created by editors.
    is_creatable = False
    base_form_class = ResourcePageForm
    resource_kind = ""
    resource_kind_label = ""
    resource_kind_order = 0

    content_panels = Page.content_panels + [FieldPanel("summary")]
    promote_panels = Page.promote_panels + [FieldPanel("tags")]

    search_fields = Page.search_fields + [
        index.SearchField("summary"),
        index.SearchField("body"),
        index.RelatedFields("tags", [index.SearchField("name")]),
        index.RelatedFields("center", [index.SearchField("name")]),
        index.FilterField("center"),
        index.FilterField("capabilities"),
    ]

    api_fields = [
        APIField("summary"),
        APIField("body"),
        APIField("center_code"),
        APIField("capability_codes"),
        APIField("tag_names"),
        APIField("attachment_list"),
        # Views, viewers, completions and rating (popularity; fetched with the listing by hub.api).
        APIField("popularity"),
    ]

    class Meta:
        verbose_name = "资源"
        verbose_name_plural = "资源"

    @property
    def center_code(self):
        return self.center.code if self.center_id else None

    @property
    def capability_codes(self):
        return codes(self.capabilities)

    @property
    def popularity(self):
        """The numbers of popularity.scores.Numbers, as the API shows them."""
        from popularity.scores import Numbers

        try:
            stats = self.stats
        except ObjectDoesNotExist:
            stats = None
        return Numbers.of(stats).as_json()

    @property
    def tag_names(self):
        return [tag.name for tag in self.tags.all()]

    @property
    def attachment_list(self):
        return [{"title": a.display_title, "url": a.document.url} for a in self.attachments.all()]

    @cached_property
    def detail(self):
        """The concrete page (micro-course, case, policy) behind a library row, taken from
        the row's select_related join rather than by one more query per row."""
        if type(self) is not ResourcePage:
            return self
        model = self.content_type.model_class()
        try:
            return getattr(self, model._meta.model_name)
        except (AttributeError, ObjectDoesNotExist):
            return self.specific

    def get_kind_label(self):
        return type(self.detail).resource_kind_label

    def serve(self, request, *args, **kwargs):
        response = super().serve(request, *args, **kwargs)
        if request.method == "GET" and not getattr(request, "is_preview", False):
            ResourceStats.record_view(self.pk)
        return response

    # -- what the Chinese search indexes (search/documents.py); subclasses extend these ----

    search_select_related = ["center"]  # what the methods below read, fetched in bulk on rebuilds
    search_prefetch_related = ["capabilities", "tags"]

    def search_facets(self):
        """Facet name -> codes, for filtering and counting search results."""
        return {
            "kind": [self.resource_kind],
            "capability": codes(self.capabilities),
            "center": [self.center.code] if self.center_id else [],
            "tag": self.tag_names,
        }

    def search_keywords(self):
        """Short labels that describe the resource: weighted above the body text."""
        center = [self.center.name] if self.center_id else []
        return [c.label for c in self.capabilities.all()] + self.tag_names + center

    def search_body(self):
        """Long text, in reading order; also the source of highlighted snippets."""
        return [self.summary, *self._meta.get_field("body").get_searchable_content(self.body)]

    def search_date(self):
        return self.first_published_at


class ResourceStats(models.Model):
    """How often a resource was viewed: the "most watched" sort. Kept out of the page's own
    row so that an editor's save or a revision being published never resets the count."""

    page = models.OneToOneField(ResourcePage, on_delete=models.CASCADE, primary_key=True, related_name="stats")
    views = models.PositiveIntegerField("浏览次数", default=0)
    # The learning aggregates of a micro-course (大数据比选), kept up to date by `popularity`: counselors who
    # started watching, those who completed it, their share, and the counselors' ratings.
    viewers = models.PositiveIntegerField("观看人数", default=0)
    completions = models.PositiveIntegerField("完成人数", default=0)
    completion_rate = models.FloatField("完成率", default=0)
    rating_count = models.PositiveIntegerField("评分人数", default=0)
    rating_sum = models.PositiveIntegerField("评分总和", default=0)
    rating_average = models.FloatField("平均评分", null=True, blank=True)
    # What 评分最高 sorts by (popularity.scores.rating_score): a damped average, stored so that the sort
    # reads a column instead of computing it for every row.
    rating_score = models.FloatField("评分排序分", default=0)

    class Meta:
        verbose_name = "资源统计"
        verbose_name_plural = "资源统计"

    def __str__(self):
        return f"{self.page_id}: {self.views}"

    @classmethod
    def record_view(cls, page_id, times=1):
        """`times` views at once: the page cache writes its hits' views in one update (pagecache.replays)."""
        updated = cls.objects.filter(page_id=page_id).update(views=models.F("views") + times)
        if not updated:
            stats, created = cls.objects.get_or_create(page_id=page_id, defaults={"views": times})
            if not created:
                cls.objects.filter(pk=stats.pk).update(views=models.F("views") + times)
        resource_viewed.send(sender=cls, page_id=page_id, times=times)


def resource_models():
    """The concrete resource kinds, in the order the library shows them."""
    models_ = [m for m in apps.get_models() if issubclass(m, ResourcePage) and m is not ResourcePage]
    return sorted(models_, key=lambda m: m.resource_kind_order)


def paginate(request, queryset, per_page=None):
    paginator = Paginator(queryset, per_page or settings.LIBRARY_PAGE_SIZE)
    try:
        return paginator.page(request.GET.get("page", 1))
    except PageNotAnInteger:
        return paginator.page(1)
    except EmptyPage:
        return paginator.page(paginator.num_pages)


def pagination_links(request, page):
    """Links for `includes/pagination.html`: every other query parameter (filters, sort) is kept."""

    def url(number):
        params = request.GET.copy()
        params["page"] = number
        return "?" + params.urlencode()

    numbers = page.paginator.get_elided_page_range(page.number, on_each_side=2, on_ends=1)
    return {
        "page": page,
        "previous": url(page.previous_page_number()) if page.has_previous() else None,
        "next": url(page.next_page_number()) if page.has_next() else None,
        "links": [
            {"number": n, "url": None if n == page.paginator.ELLIPSIS else url(n), "current": n == page.number}
            for n in numbers
        ],
    }


# ---------------------------------------------------------------------------
# The library (menu-style, all centers together) and each center's section.
# ---------------------------------------------------------------------------


class LibraryIndexPage(Page):
    base_form_class = CheckedPageForm

    intro = RichTextField("导语", blank=True, features=["bold", "italic", "link"])

    content_panels = Page.content_panels + [FieldPanel("intro")]
    search_fields = Page.search_fields + [index.SearchField("intro")]
    api_fields = [APIField("intro")]

    parent_page_types = ["home.HomePage"]
    subpage_types = [
        "resources.CenterSectionPage",
        "microcourses.MicroCoursePage",
        "microcourses.CourseSeriesPage",
        "coursepackages.CoursePackagePage",
    ]
    max_count = 1

    class Meta:
        verbose_name = "资源库首页"
        verbose_name_plural = "资源库首页"

    def get_context(self, request, *args, **kwargs):
        from .library import LibraryQuery

        context = super().get_context(request, *args, **kwargs)
        context["library"] = LibraryQuery(request).run()
        return context


class CenterSectionPage(Page):
    """One per training center: its micro-courses, series and cases live below it, so
    that Wagtail's tree permissions can give each center's editors their own branch."""

    base_form_class = CheckedPageForm

    center = models.OneToOneField(
        TrainingCenter, verbose_name="培训研修中心", on_delete=models.PROTECT, related_name="section"
    )
    intro = RichTextField("导语", blank=True, features=["bold", "italic", "link"])

    content_panels = Page.content_panels + [FieldPanel("center"), FieldPanel("intro")]
    search_fields = Page.search_fields + [index.SearchField("intro")]
    api_fields = [APIField("center_code"), APIField("intro")]

    parent_page_types = ["resources.LibraryIndexPage"]
    subpage_types = [
        "microcourses.MicroCoursePage",
        "microcourses.CourseSeriesPage",
        "cases.CasePage",
        "coursepackages.CoursePackagePage",
        "programs.ProgramPage",
    ]

    class Meta:
        verbose_name = "中心专区"
        verbose_name_plural = "中心专区"

    @property
    def center_code(self):
        return self.center.code

    def get_context(self, request, *args, **kwargs):
        from .library import LibraryQuery

        context = super().get_context(request, *args, **kwargs)
        context["library"] = LibraryQuery(request, fixed={"center": [self.center.code]}).run()
        context["library_url"] = self.get_parent().get_url(request)
        return context


# ---------------------------------------------------------------------------
# Notices and policy documents, shown like a government disclosure page.
# ---------------------------------------------------------------------------


class NoticeIndexPage(Page):
    base_form_class = CheckedPageForm

    intro = RichTextField("导语", blank=True, features=["bold", "italic", "link"])

    content_panels = Page.content_panels + [FieldPanel("intro")]
    search_fields = Page.search_fields + [index.SearchField("intro")]
    api_fields = [APIField("intro")]

    parent_page_types = ["home.HomePage"]
    subpage_types = ["resources.PolicyDocumentPage"]

    class Meta:
        verbose_name = "通知公告栏目"
        verbose_name_plural = "通知公告栏目"

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        notices = (
            PolicyDocumentPage.objects.child_of(self)
            .live()
            .public()
            .order_by("-publication_date", "-first_published_at")
        )
        categories = sorted({c for c in notices.values_list("category", flat=True) if c})
        category = request.GET.get("category", "")
        if category:
            notices = notices.filter(category=category)
        page = paginate(request, notices)
        context.update(
            notices=page, pagination=pagination_links(request, page), categories=categories, category=category
        )
        return context


class PolicyDocumentPage(ResourcePage):
    index_number = models.CharField("信息索引", max_length=100, blank=True)
    issuer = models.CharField("发文机构", max_length=200, blank=True)
    doc_number = models.CharField("发文字号", max_length=100, blank=True)
    publication_date = models.DateField("生成日期", null=True, blank=True)
    category = models.CharField("信息类别", max_length=100, blank=True)

    resource_kind = "policy"
    resource_kind_label = "政策文件"
    resource_kind_order = 3
    is_creatable = True

    content_panels = Page.content_panels + [
        MultiFieldPanel(
            [
                FieldPanel("index_number"),
                FieldPanel("issuer"),
                FieldPanel("doc_number"),
                FieldPanel("publication_date"),
                FieldPanel("category"),
            ],
            heading="公开信息",
        ),
        FieldPanel("summary", heading="内容概述"),
        FieldPanel("body"),
        InlinePanel("attachments", label="附件"),
    ]
    search_fields = ResourcePage.search_fields + [
        index.SearchField("issuer"),
        index.SearchField("doc_number"),
        index.FilterField("publication_date"),
        index.FilterField("category"),
    ]
    api_fields = ResourcePage.api_fields + [
        APIField("index_number"),
        APIField("issuer"),
        APIField("doc_number"),
        APIField("publication_date"),
        APIField("category"),
    ]

    parent_page_types = ["resources.NoticeIndexPage"]
    subpage_types = []

    class Meta:
        verbose_name = "政策文件 / 通知"
        verbose_name_plural = "政策文件 / 通知"

    def search_keywords(self):
        return super().search_keywords() + [self.issuer, self.doc_number, self.index_number, self.category]

    def search_date(self):
        # A notice is dated by its issue date, not by when it was put online.
        if self.publication_date:
            return timezone.make_aware(datetime.combine(self.publication_date, time(12)))
        return super().search_date()
