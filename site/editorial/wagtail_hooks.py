from django.db.models import Q

from wagtail import hooks

from . import roles

# -- scoping: nobody sees another center's drafts in the admin -----------------------------------


def visible_pages(pages, user):
    """Live pages (the shared library, for linking) and every page of the user's own centers.
    Wagtail's page chooser and search list the whole tree, drafts included, to anyone who may
    use the admin; this narrows them."""
    if roles.is_platform_admin(user):
        return pages
    from resources.models import CenterSectionPage

    paths = CenterSectionPage.objects.filter(center__in=roles.center_ids_for(user)).values_list("path", flat=True)
    own = Q()
    for path in paths:
        own |= Q(path__startswith=path)
    return pages.filter(Q(live=True) | own) if own else pages.filter(live=True)


@hooks.register("construct_page_chooser_queryset")
def scope_page_chooser(pages, request):
    return visible_pages(pages, request.user)


@hooks.register("construct_explorer_page_queryset")
def scope_explorer(parent_page, pages, request):
    return visible_pages(pages, request.user)
