"""Work cases (工作案例): background, process, analysis and reflection."""

from django import forms
from django.db import models
from django.utils.html import strip_tags

from wagtail.admin.panels import FieldPanel, InlinePanel
from wagtail.api import APIField
from wagtail.fields import RichTextField
from wagtail.models import Page
from wagtail.search import index

from access.forms import CheckedPageForm
from resources.blocks import RICH_TEXT_FEATURES
from resources.forms import ResourcePageForm
from resources.models import CapabilityArea, ResourcePage, paginate, pagination_links


class CaseIndexPage(Page):
    base_form_class = CheckedPageForm
    """All centers' cases together. Cases themselves live in each center's section of the
    library (for per-center permissions); cases not tied to a center may live here."""

    intro = RichTextField("导语", blank=True, features=["bold", "italic", "link"])

    content_panels = Page.content_panels + [FieldPanel("intro")]
    search_fields = Page.search_fields + [index.SearchField("intro")]
    api_fields = [APIField("intro")]

    parent_page_types = ["home.HomePage"]
    subpage_types = ["cases.CasePage"]
    max_count = 1

    class Meta:
        verbose_name = "工作案例栏目"
        verbose_name_plural = "工作案例栏目"

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        cases = (
            CasePage.objects.live()
            .public()
            .select_related("center")
            .prefetch_related("capabilities")
            .order_by("-first_published_at", "-pk")
        )
        capability = request.GET.get("capability", "")
        if capability:
            cases = cases.filter(capabilities__code=capability)
        page = paginate(request, cases)
        context.update(
            cases=page,
            pagination=pagination_links(request, page),
            capabilities=CapabilityArea.objects.all(),
            capability=capability,
        )
        return context


class CasePage(ResourcePage):
    school = models.CharField("案例学校", max_length=200, blank=True)
    background = RichTextField("案例背景", blank=True, features=RICH_TEXT_FEATURES)
    process = RichTextField("处理过程", blank=True, features=RICH_TEXT_FEATURES)
    analysis = RichTextField("案例分析", blank=True, features=RICH_TEXT_FEATURES)
    reflection = RichTextField("经验与反思", blank=True, features=RICH_TEXT_FEATURES)

    resource_kind = "case"
    resource_kind_label = "工作案例"
    resource_kind_order = 2
    is_creatable = True
    base_form_class = ResourcePageForm

    # The four parts of a case, in reading order; templates and the import use this list.
    SECTIONS = [
        ("background", "案例背景"),
        ("process", "处理过程"),
        ("analysis", "案例分析"),
        ("reflection", "经验与反思"),
    ]

    content_panels = ResourcePage.content_panels + [
        FieldPanel("center"),
        FieldPanel("school"),
        FieldPanel("capabilities", widget=forms.CheckboxSelectMultiple),
        FieldPanel("background"),
        FieldPanel("process"),
        FieldPanel("analysis"),
        FieldPanel("reflection"),
        FieldPanel("body", heading="补充材料"),
        InlinePanel("attachments", label="附件"),
    ]
    search_fields = ResourcePage.search_fields + [
        index.SearchField("school"),
        index.SearchField("background"),
        index.SearchField("process"),
        index.SearchField("analysis"),
        index.SearchField("reflection"),
    ]
    api_fields = ResourcePage.api_fields + [
        APIField("school"),
        APIField("background"),
        APIField("process"),
        APIField("analysis"),
        APIField("reflection"),
    ]

    parent_page_types = ["resources.CenterSectionPage", "cases.CaseIndexPage"]
    subpage_types = []

    class Meta:
        verbose_name = "工作案例"
        verbose_name_plural = "工作案例"

    def search_keywords(self):
        return super().search_keywords() + [self.school]

    def search_body(self):
        return super().search_body() + [strip_tags(getattr(self, name)) for name, _ in self.SECTIONS]

    def sections(self):
        return [(label, getattr(self, name)) for name, label in self.SECTIONS if getattr(self, name)]
