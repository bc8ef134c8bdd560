from django.db.models import Count, Q

from wagtail.admin.panels import FieldPanel
from wagtail.api import APIField
from wagtail.fields import RichTextField
from wagtail.models import Page
from wagtail.search import index

from access.forms import CheckedPageForm
from cases.models import CasePage
from learning import recommend
from learning.context import continue_watching
from resources.models import CapabilityArea, PolicyDocumentPage, ResourcePage


class HomePage(Page):
    base_form_class = CheckedPageForm
    intro = RichTextField("导语", blank=True, features=["bold", "italic", "link"])

    content_panels = Page.content_panels + [FieldPanel("intro")]
    search_fields = Page.search_fields + [index.SearchField("intro")]
    api_fields = [APIField("intro")]

    parent_page_types = ["wagtailcore.Page"]
    subpage_types = ["resources.LibraryIndexPage", "cases.CaseIndexPage", "resources.NoticeIndexPage"]
    max_count = 1

    class Meta:
        verbose_name = "首页"
        verbose_name_plural = "首页"

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        public = ResourcePage.objects.live().public()
        context["capabilities"] = CapabilityArea.objects.annotate(
            resource_count=Count("resources", filter=Q(resources__in=public.values("pk")), distinct=True)
        ).order_by("sort_order", "code")  # a grouped query drops Meta.ordering
        courses = recommend.recommendable_courses()
        if request.user.is_authenticated:
            context["recommended"], context["stage"] = recommend.for_counselor(request.user, courses)
        else:
            context["popular_by_stage"] = recommend.for_visitors(courses)
        context["cases"] = (
            CasePage.objects.live()
            .public()
            .select_related("center")
            .prefetch_related("capabilities")
            .order_by("-first_published_at", "-pk")[:4]
        )
        context["continue_watching"] = continue_watching(request)
        context["notices"] = PolicyDocumentPage.objects.live().public().order_by("-publication_date", "-pk")[:6]
        return context
