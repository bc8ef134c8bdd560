"""Who may see which file, and which files a user may choose for their own pages.

A file (document, image, video with its playlists, poster and captions) is shown to a request when
- a live page that uses it is public: PUBLIC, which shared caches may keep; or
- a live page that uses it has view restrictions the request passes (the page's password was
  entered in this session, the visitor is logged in or in the group): PRIVATE; or
- the user may work with the file in the admin (its collection's permissions, which is how a center's
  editors preview their own uploads) or may edit a page that uses it: PRIVATE.
Nobody else learns that the file exists (404)."""

import enum

from django.apps import apps

from wagtail.models import Page, PageViewRestriction
from wagtail.permissions import policy_registry

from . import uses
from .models import FileUse


class Access(enum.Enum):
    PUBLIC = "public"
    PRIVATE = "private"


# What each kind's admin chooser offers (Wagtail's document and image choosers ask for "choose";
# wagtailmedia's for "change" or "delete"): exactly what an editor may put on a page.
CHOOSE_ACTIONS = {
    FileUse.Kind.DOCUMENT: ["choose"],
    FileUse.Kind.IMAGE: ["choose"],
    FileUse.Kind.VIDEO: ["change", "delete"],
}
# Who may open a file outside any page: whoever may choose or manage it in the admin.
MANAGE_ACTIONS = {kind: sorted({*actions, "change"}) for kind, actions in CHOOSE_ACTIONS.items()}


def _policy(kind):
    return policy_registry.get_by_type(uses.file_models()[kind])


def choosable(user, kind):
    """The files of this kind the user may put on a page (a queryset)."""
    return _policy(kind).instances_user_has_any_permission_for(user, CHOOSE_ACTIONS[kind])


def may_choose(user, kind, obj):
    return _policy(kind).user_has_any_permission_for_instance(user, CHOOSE_ACTIONS[kind], obj)


def may_manage(user, kind, obj):
    return _policy(kind).user_has_any_permission_for_instance(user, MANAGE_ACTIONS[kind], obj)


def pages_access(request, page_ids):
    """The best access the request has through these pages' live versions, or None."""
    from search.documents import ancestor_paths  # here: import cycle via resources.models

    live = list(Page.objects.filter(pk__in=list(page_ids), live=True).only("pk", "path"))
    if not live:
        return None
    paths = {page.pk: ancestor_paths(page.path) for page in live}
    restrictions = {}
    # One query for the restrictions on every live page and its ancestors.
    wanted = {path for page_paths in paths.values() for path in page_paths}
    for restriction in PageViewRestriction.objects.filter(page__path__in=wanted).select_related("page"):
        restrictions.setdefault(restriction.page.path, []).append(restriction)
    private = False
    for page in live:
        applying = [r for path in paths[page.pk] for r in restrictions.get(path, [])]
        if not applying:
            return Access.PUBLIC
        if all(r.accept_request(request) for r in applying):
            private = True
    return Access.PRIVATE if private else None


def file_access(request, kind, obj, public_use=False):
    """How the request may see the file: Access.PUBLIC, Access.PRIVATE, or None (refused).
    `public_use`: the file is public by nature wherever it is used (an expert's photo)."""
    if public_use:
        return Access.PUBLIC
    page_ids = list(uses.pages_using(kind, obj.pk))
    access = pages_access(request, page_ids)
    if access is not None:
        return access
    user = request.user
    if not (user.is_authenticated and user.is_active):
        return None
    if may_manage(user, kind, obj):
        return Access.PRIVATE
    for page in Page.objects.filter(pk__in=page_ids).specific(defer=True):
        if page.permissions_for_user(user).can_edit():
            return Access.PRIVATE
    return None


def document_access(request, document):
    # Asked twice per download (the hook guarding Wagtail's view, then our view): decided once.
    decided = request.__dict__.setdefault("_document_access", {})
    if document.pk not in decided:
        decided[document.pk] = file_access(request, FileUse.Kind.DOCUMENT, document)
    return decided[document.pk]


def image_access(request, image):
    # The expert pool (师资库) is public: a lecturer's photo is shown wherever the lecturer is.
    Expert = apps.get_model("resources", "Expert")
    return file_access(request, FileUse.Kind.IMAGE, image, public_use=Expert.objects.filter(photo=image).exists())


def video_access(request, video):
    return file_access(request, FileUse.Kind.VIDEO, video)


def manage_only_access(request, kind, obj):
    """Originals (a video's upload, an image's full-size file) are for the people who manage them."""
    user = request.user
    if user.is_authenticated and user.is_active and may_manage(user, kind, obj):
        return Access.PRIVATE
    return None
