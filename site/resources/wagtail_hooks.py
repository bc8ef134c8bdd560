from wagtail.snippets.models import register_snippet
from wagtail.snippets.views.snippets import CopyView, SnippetViewSet, SnippetViewSetGroup

from .models import (
    CapabilityArea,
    CareerStage,
    CourseType,
    Expert,
    Requirement,
    Tier,
    TrainingCenter,
)


class CopyAsNewView(CopyView):
    """Wagtail 8.0's copy view fills its form with the source object itself, so "copy" saved over the
    original: a center's editor, who may only add experts, could rewrite any lecturer. A copy is a new row."""

    def get_initial_form_instance(self):
        instance = super().get_initial_form_instance()
        instance.pk = None
        instance._state.adding = True
        return instance


class HubSnippetViewSet(SnippetViewSet):
    copy_view_class = CopyAsNewView


class TaxonomyViewSet(HubSnippetViewSet):
    list_display = ["label", "code", "sort_order"]
    ordering = ["sort_order", "code"]
    search_fields = ["label", "code"]
    add_to_admin_menu = False


def taxonomy_viewset(model_, icon_):
    return type(f"{model_.__name__}ViewSet", (TaxonomyViewSet,), {"model": model_, "icon": icon_})


class TaxonomyGroup(SnippetViewSetGroup):
    menu_label = "分类体系"
    menu_icon = "list-ul"
    menu_order = 300
    items = [
        taxonomy_viewset(CapabilityArea, "pick"),
        taxonomy_viewset(CareerStage, "group"),
        taxonomy_viewset(CourseType, "form"),
        taxonomy_viewset(Requirement, "tasks"),
        taxonomy_viewset(Tier, "order"),
    ]


class TrainingCenterViewSet(HubSnippetViewSet):
    model = TrainingCenter
    icon = "home"
    menu_label = "培训研修中心"
    list_display = ["name", "code", "host_university", "theme", "province"]
    list_filter = ["province"]
    # No viewset search_fields: the listing searches the model's own index (search_fields on the
    # model, segmented for Chinese by search.wagtail_backend).


class ExpertViewSet(HubSnippetViewSet):
    model = Expert
    icon = "user"
    menu_label = "师资库"
    list_display = ["name", "title", "organisation", "level"]
    list_filter = ["level"]


class LibraryGroup(SnippetViewSetGroup):
    menu_label = "中心与师资"
    menu_icon = "site"
    menu_order = 250
    items = [TrainingCenterViewSet, ExpertViewSet]


register_snippet(TaxonomyGroup)
register_snippet(LibraryGroup)
