from wagtail import hooks

from resources.models import ResourcePage


@hooks.register("before_serve_page", order=-1)
def note_served_page(page, request, serve_args, serve_kwargs):
    """Before Wagtail's own check of view restrictions: a restricted page (its password form, or the
    page itself to a visitor who may see it) is never kept; a resource's view is counted on every hit."""
    state = getattr(request, "_pagecache", None)
    if state is None:
        return
    if page.get_view_restrictions().exists():
        state["private"] = True
    elif isinstance(page, ResourcePage):
        state["replays"].append(("resource_view", page.pk))
