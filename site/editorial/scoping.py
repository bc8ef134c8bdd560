"""What the admin shows a user of the other centers' work (issue 11, point 5).

One rule for pages, wherever the admin lists or names them (page chooser, explorer, admin page
search, the admin API, bulk-action confirmations, usage listings):

- the user's own centers' pages, drafts and private pages included, and the pages above their
  sections (home, library), so that the own section can always be reached by browsing;
- of everything else, what the public sees: live pages with no view restriction on them or an
  ancestor, and only while the title Wagtail would show (`draft_title`, the latest revision's) is
  the live title. A live page whose unpublished revision renames it is left out until the new
  title is published, and so is the whole branch of a center whose section is being renamed;
- platform administrators see everything.

Files (images, documents, videos) and other objects are visible to those who may choose or change
them (Wagtail's permission policies: a center's collection for its own groups).

Every condition is built from two small queries (sections, the depth of the tree), never per row; view
restrictions by one EXISTS per level of the tree (access/visibility.py), whatever their number."""

from django.core.exceptions import ValidationError
from django.db.models import F, Q, QuerySet
from django.http import Http404

from wagtail.documents.api.admin.views import DocumentsAdminAPIViewSet
from wagtail.images.api.admin.views import ImagesAdminAPIViewSet
from wagtail.models import Page
from wagtail.permissions import policy_registry

from access import visibility

from . import roles

# Which permissions make an object (other than a page) visible: for files the center's choose and
# change on its collection; for snippets and users a model permission (view, or one of the others).
VISIBLE_ACTIONS = ["choose", "change", "view", "delete"]


def _under(paths):
    condition = Q(pk__in=[])
    for path in paths:
        condition |= Q(path__startswith=path)
    return condition


def visible_pages_q(user):
    """The condition on Page that selects what the user may see (see the module's docstring)."""
    from resources.models import CenterSectionPage

    own_centers = roles.center_ids_for(user)
    renamed = Q(has_unpublished_changes=True) & ~Q(draft_title=F("title"))
    sections = CenterSectionPage.objects.filter(Q(center__in=own_centers) | renamed).values_list("path", "center_id")
    own_paths, renamed_paths = [], []
    for path, center_id in sections:
        (own_paths if center_id in own_centers else renamed_paths).append(path)
    steplen = Page.steplen
    ancestors = {path[:end] for path in own_paths for end in range(steplen, len(path), steplen)}

    public = Q(live=True) & (Q(has_unpublished_changes=False) | Q(draft_title=F("title"))) & ~_under(renamed_paths)
    # One EXISTS per level of the tree (Wagtail's private_q() ORs one condition per restriction: SQLite
    # refuses it past about a thousand).
    if restricted := visibility.restricted():
        public &= ~restricted
    return _under(own_paths) | Q(path__in=ancestors) | public


def visible_pages(pages, user):
    """`pages` narrowed to what the user may see in the admin. As a subquery on the primary key: the
    chooser and explorer searches then run `pages` through the search backend, which filters on
    indexed fields only (the subquery is still part of the same SQL statement)."""
    if roles.is_platform_admin(user):
        return pages
    return pages.filter(pk__in=Page.objects.filter(visible_pages_q(user)).values("pk"))


def page_is_visible(page, user):
    return roles.is_platform_admin(user) or visible_pages(Page.objects.filter(pk=page.pk), user).exists()


def visible_instances(model, user):
    """Every instance of `model` the user may see in the admin."""
    if issubclass(model, Page):
        return visible_pages(model._default_manager.all(), user)
    policy = policy_registry.get_by_type(model)
    return policy.instances_user_has_any_permission_for(user, VISIBLE_ACTIONS)


# -- page chooser and explorer ---------------------------------------------------------------------


def check_chooser_parent(request):
    """The chooser lists the children of a page it fetches by id and shows that page (its title, its
    ancestors) above them: refuse a page the user would not see listed."""
    match = request.resolver_match
    parent_id = match.kwargs.get("parent_page_id") if match else None
    if parent_id is None or roles.is_platform_admin(request.user):
        return
    parent = Page.objects.filter(pk=parent_id).only("pk").first()
    if parent is not None and not page_is_visible(parent, request.user):
        raise Http404


def check_explorer_parent(parent_page, user):
    """An editor of two centers explores from the library down: not into a page hidden from them."""
    if parent_page is not None and not page_is_visible(parent_page, user):
        raise Http404


# -- bulk actions ------------------------------------------------------------------------------------


class ScopedBulkAction:
    """Mixed into every bulk action: Wagtail fetches each requested id and lists those the user may
    not act on as "items with no access", by title. Here ids of objects the user may not see are
    dropped before anything is fetched, so they are neither named nor acted on; if none is left,
    404."""

    def get_queryset(self, model, object_ids):
        if not isinstance(object_ids, QuerySet):
            object_ids = list(object_ids)
        try:
            visible = visible_instances(model, self.request.user).filter(pk__in=object_ids)
            ids = list(visible.values_list("pk", flat=True))
        except (ValueError, ValidationError, OverflowError) as error:  # ids that are not ids (SQLite: too large)
            raise Http404 from error
        return super().get_queryset(model, ids)


def scoped(action_class):
    """The same action, for the same models and action type, scoped by ScopedBulkAction."""
    return type(action_class.__name__, (ScopedBulkAction, action_class), {"__module__": action_class.__module__})


def scoped_bulk_actions():
    from wagtail.admin.views.pages import bulk_actions as pages
    from wagtail.documents.views import bulk_actions as documents
    from wagtail.images.views import bulk_actions as images
    from wagtail.snippets.bulk_actions.delete import DeleteBulkAction as SnippetDelete
    from wagtail.users.views import bulk_actions as users

    actions = [
        pages.DeleteBulkAction,
        pages.MoveBulkAction,
        pages.PublishBulkAction,
        pages.UnpublishBulkAction,
        images.AddTagsBulkAction,
        images.AddToCollectionBulkAction,
        images.DeleteBulkAction,
        documents.AddTagsBulkAction,
        documents.AddToCollectionBulkAction,
        documents.DeleteBulkAction,
        users.AssignRoleBulkAction,
        users.DeleteBulkAction,
        users.SetActiveStateBulkAction,
        SnippetDelete,
    ]
    return [scoped(action) for action in actions]


# -- the admin API's files -------------------------------------------------------------------------


class VisibleFilesMixin:
    def get_queryset(self):
        visible = visible_instances(self.model, self.request.user)
        return super().get_queryset().filter(pk__in=visible.values("pk"))


class ScopedImagesAdminAPIViewSet(VisibleFilesMixin, ImagesAdminAPIViewSet):
    pass


class ScopedDocumentsAdminAPIViewSet(VisibleFilesMixin, DocumentsAdminAPIViewSet):
    pass
