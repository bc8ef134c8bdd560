"""Who may do what: each training center's editors and reviewers groups, its branch of the page
tree and its file collection, the platform administrators, and the review workflow.

Everything here is idempotent: it is run when a center is created or renamed, after migrations,
and by `load_demo`, and only adds what is missing."""

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group, Permission
from django.db import transaction

EDITOR = "editor"
REVIEWER = "reviewer"
PLATFORM_ADMINS = "平台管理员"
WORKFLOW_NAME = "中心审核"

# Editors and reviewers add and edit their center's pages; neither may publish directly: an editor
# submits for review, and a reviewer's approval publishes (the workflow does it, not a permission).
CENTER_PAGE_PERMISSIONS = {
    EDITOR: ["add_page", "change_page"],
    REVIEWER: ["add_page", "change_page", "lock_page", "unlock_page"],
}
# Files in the center's collection: videos (wagtailmedia), images, documents.
CENTER_COLLECTION_PERMISSIONS = {
    "wagtailmedia.media": ["add_media", "change_media"],
    "wagtailimages.image": ["add_image", "change_image", "choose_image"],
    "wagtaildocs.document": ["add_document", "change_document", "choose_document"],
}
# Lecturers come from the shared expert pool: centers choose from it and add to it (not edit others').
CENTER_MODEL_PERMISSIONS = ["resources.view_expert", "resources.add_expert"]
PAGE_PERMISSIONS_ALL = ["add_page", "change_page", "publish_page", "bulk_delete_page", "lock_page", "unlock_page"]
COLLECTION_PERMISSIONS_ALL = {
    "wagtailmedia.media": ["add_media", "change_media", "delete_media"],
    "wagtailimages.image": ["add_image", "change_image", "delete_image", "choose_image"],
    "wagtaildocs.document": ["add_document", "change_document", "delete_document", "choose_document"],
}
# Model permissions of the platform administrators (snippets, plans, users, settings).
PLATFORM_MODEL_APPS = ["resources", "editorial", "wagtailsearchpromotions", "wagtailredirects", "taggit"]


def _permission(label):
    """'app_label.codename' -> Permission."""
    app_label, codename = label.split(".")
    return Permission.objects.get(content_type__app_label=app_label, codename=codename)


def _collection_permissions(spec):
    for model_label, codenames in spec.items():
        app_label = model_label.split(".")[0]
        for codename in codenames:
            yield _permission(f"{app_label}.{codename}")


def group_names(center):
    return {EDITOR: f"{center.name}·编辑", REVIEWER: f"{center.name}·审核"}


@transaction.atomic
def ensure_center_roles(center):
    """Give a center its editors and reviewers groups, its collection, and their permissions on
    the center's section and collection. Renaming the center renames them."""
    from wagtail.models import Collection, GroupCollectionPermission, GroupPagePermission

    from resources.models import TrainingCenter
    from resources.signal_handlers import ensure_center_section

    section = ensure_center_section(center) or getattr(center, "section", None)
    names = group_names(center)
    changed = {}
    for role, field in ((EDITOR, "editors_group"), (REVIEWER, "reviewers_group")):
        group = getattr(center, field)
        if group is None:
            group, _ = Group.objects.get_or_create(name=names[role])
            changed[field] = group
        elif group.name != names[role]:
            group.name = names[role]
            group.save(update_fields=["name"])
        group.permissions.add(_permission("wagtailadmin.access_admin"))
        group.permissions.add(*(_permission(label) for label in CENTER_MODEL_PERMISSIONS))
        setattr(center, field, group)

    if center.collection is None:
        root = Collection.get_first_root_node()
        center.collection = root.add_child(name=center.name)
        changed["collection"] = center.collection
    elif center.collection.name != center.name:
        center.collection.name = center.name
        center.collection.save(update_fields=["name"])
    if changed:
        TrainingCenter.objects.filter(pk=center.pk).update(**changed)

    collection_permissions = list(_collection_permissions(CENTER_COLLECTION_PERMISSIONS))
    for role, group in ((EDITOR, center.editors_group), (REVIEWER, center.reviewers_group)):
        if section is not None:
            for codename in CENTER_PAGE_PERMISSIONS[role]:
                GroupPagePermission.objects.get_or_create(
                    group=group, page=section, permission=_permission(f"wagtailcore.{codename}")
                )
        for permission in collection_permissions:
            GroupCollectionPermission.objects.get_or_create(
                group=group, collection=center.collection, permission=permission
            )
    return center


@transaction.atomic
def ensure_platform_admins():
    """The platform administrators: every page, every collection, every snippet and plan."""
    from django.contrib.contenttypes.models import ContentType

    from wagtail.models import Collection, GroupCollectionPermission, GroupPagePermission, Page

    group, _ = Group.objects.get_or_create(name=PLATFORM_ADMINS)
    group.permissions.add(_permission("wagtailadmin.access_admin"))
    content_types = ContentType.objects.filter(app_label__in=PLATFORM_MODEL_APPS)
    group.permissions.add(*Permission.objects.filter(content_type__in=content_types))
    root_page = Page.get_first_root_node()
    root_collection = Collection.get_first_root_node()
    if root_page is not None:
        for codename in PAGE_PERMISSIONS_ALL:
            GroupPagePermission.objects.get_or_create(
                group=group, page=root_page, permission=_permission(f"wagtailcore.{codename}")
            )
    if root_collection is not None:
        for permission in _collection_permissions(COLLECTION_PERMISSIONS_ALL):
            GroupCollectionPermission.objects.get_or_create(
                group=group, collection=root_collection, permission=permission
            )
    return group


@transaction.atomic
def ensure_review_workflow():
    """One workflow, one task, for the whole site: the task finds each object's center itself.
    Work plans are reviewed by editorial's own change requests, not by this workflow."""
    from wagtail.models import Page, Workflow, WorkflowPage, WorkflowTask

    from .models import CenterReviewTask

    task = CenterReviewTask.objects.filter(active=True).first()
    if task is None:
        task = CenterReviewTask.objects.create(name="中心审核员审核")
    workflow = Workflow.objects.filter(name=WORKFLOW_NAME).first()
    if workflow is None:
        workflow = Workflow.objects.create(name=WORKFLOW_NAME, active=True)
        WorkflowTask.objects.create(workflow=workflow, task=task, sort_order=0)
    home = Page.objects.filter(depth=2).order_by("path").first()
    if home is not None and not WorkflowPage.objects.filter(page=home).exists():
        WorkflowPage.objects.create(page=home, workflow=workflow)
    return workflow


def ensure_editorial_setup():
    from resources.models import TrainingCenter

    ensure_platform_admins()
    ensure_review_workflow()
    for center in TrainingCenter.objects.select_related("editors_group", "reviewers_group", "collection"):
        ensure_center_roles(center)


# -- questions asked by views, hooks and the review task ---------------------------------------


def is_platform_admin(user):
    if not user.is_authenticated or not user.is_active:
        return False
    if user.is_superuser:
        return True
    cache = user.__dict__.setdefault("_editorial_roles", {})
    if "admin" not in cache:
        cache["admin"] = user.groups.filter(name=PLATFORM_ADMINS).exists()
    return cache["admin"]


def center_ids_for(user, role=None):
    """The ids of the centers whose editors (role=EDITOR), reviewers (REVIEWER) or either (None)
    the user belongs to. Platform administrators are not members of centers' groups: ask
    is_platform_admin() for them."""
    from resources.models import TrainingCenter

    if not user.is_authenticated or not user.is_active:
        return frozenset()
    cache = user.__dict__.setdefault("_editorial_roles", {})
    key = ("centers", role)
    if key not in cache:
        group_ids = user.groups.values_list("pk", flat=True)
        centers = TrainingCenter.objects.none()
        if role in (None, EDITOR):
            centers = centers | TrainingCenter.objects.filter(editors_group__in=group_ids)
        if role in (None, REVIEWER):
            centers = centers | TrainingCenter.objects.filter(reviewers_group__in=group_ids)
        cache[key] = frozenset(centers.values_list("pk", flat=True))
    return cache[key]


def visible_center_ids(user):
    """None means every center (platform administrators)."""
    return None if is_platform_admin(user) else center_ids_for(user)


def works_for_centers(user):
    """A member of some center's groups, or a platform administrator: who gets the centers'
    admin pages (work plans, progress, bulk upload). Cheap: the roles are cached on the user."""
    return is_platform_admin(user) or bool(center_ids_for(user))


def visible_centers(user):
    """The TrainingCenters the user works for (all of them for platform administrators)."""
    from resources.models import TrainingCenter

    centers = TrainingCenter.objects.all()
    visible = visible_center_ids(user)
    return centers if visible is None else centers.filter(pk__in=visible)


def can_review(user, center):
    if is_platform_admin(user):
        return True
    return center is not None and center.pk in center_ids_for(user, REVIEWER)


def center_of(obj):
    """The training center an object belongs to: a page by its place in the tree (the center's
    section), a plan by its center, a file by its collection; None for the platform's own."""
    from wagtail.models import Collection, Page

    from resources.models import CenterSectionPage

    if obj is None:
        return None
    if isinstance(obj, Page):
        section = CenterSectionPage.objects.ancestor_of(obj, inclusive=True).select_related("center").first()
        return section.center if section else None
    if hasattr(obj, "center") and not isinstance(obj, Collection):
        return obj.center
    collection = getattr(obj, "collection", None)
    if collection is not None:
        return getattr(collection, "center", None)
    return None


def pages_of_centers(center_ids):
    """Every page in the given centers' sections (the sections included)."""
    from django.db.models import Q

    from wagtail.models import Page

    from resources.models import CenterSectionPage

    paths = CenterSectionPage.objects.filter(center__in=center_ids).values_list("path", flat=True)
    condition = Q()
    for path in paths:
        condition |= Q(path__startswith=path)
    return Page.objects.filter(condition) if condition else Page.objects.none()


def _members(group):
    User = get_user_model()
    if group is None:
        return User.objects.none()
    return User.objects.filter(groups=group, is_active=True)


def reviewers_of(center):
    User = get_user_model()
    if center is None:
        return User.objects.filter(is_active=True, groups__name=PLATFORM_ADMINS).distinct()
    return _members(center.reviewers_group)


def editors_of(center):
    return _members(center.editors_group) if center else get_user_model().objects.none()
