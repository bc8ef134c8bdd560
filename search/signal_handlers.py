"""Every change that makes a resource appear in or disappear from the public library updates
the search index at once: publish, unpublish, move, delete, and view restrictions added,
changed or removed (on the page itself or on a section above it). Saving a draft changes
nothing: the index holds only what the public sees."""

from django.db.models.signals import post_delete, post_save, pre_delete

from wagtail.models import Page, PageViewRestriction
from wagtail.signals import page_published, page_unpublished, post_page_move

from resources.models import ResourcePage
from resources.signals import resource_viewed

from . import indexing


def _update_subtree(instance, **kwargs):
    indexing.update_subtree(instance)


def on_page_moved(instance, **kwargs):
    # The signal carries the page as it was loaded before the move: reload for its new path.
    indexing.update_subtree(Page.objects.get(pk=instance.pk))


def on_restriction_changed(instance, **kwargs):
    page = Page.objects.filter(pk=instance.page_id).first()
    if page is not None:
        indexing.update_subtree(page)


def on_page_deleting(instance, **kwargs):
    # Deleting a section deletes the resources below it, and the collector signals each of them.
    # Their database entries go through the foreign key; Elasticsearch is told through the queue.
    if isinstance(instance, ResourcePage):
        indexing.remove_pages([instance.pk])


def on_page_deleted(instance, **kwargs):
    # Deleting a live page first "unpublishes" it (Wagtail's page_unpublished), whose handler may write
    # an entry after the collector gathered the rows the foreign key cascades to: drop it again here,
    # in the same transaction, or the commit would fail on the dangling key.
    if isinstance(instance, ResourcePage):
        indexing.database_backend().delete({instance.pk})


# Labels and names that resources' documents contain: renaming one re-indexes the resources using it.
LABELLED = {
    "resources.TrainingCenter": "center",
    "resources.Expert": ("microcoursepage__lecturer", "programpage__sessions__lecturer"),
    "resources.CapabilityArea": "capabilities",
    "resources.CareerStage": ("microcoursepage__stages", "programpage__stages"),
    "resources.CourseType": "microcoursepage__course_type",
    "resources.Requirement": "microcoursepage__requirement",
    "resources.Tier": ("microcoursepage__tier", "programpage__tier"),
}


def on_label_saved(sender, instance, created, raw=False, **kwargs):
    if created or raw:
        return
    lookups = LABELLED[sender._meta.label]
    ids = set()
    for lookup in (lookups,) if isinstance(lookups, str) else lookups:
        ids.update(ResourcePage.objects.filter(**{lookup: instance}).values_list("pk", flat=True).distinct())
    indexing.update_pages(sorted(ids))


def on_resource_viewed(sender, page_id, times=1, **kwargs):
    indexing.record_view(page_id, times)


def register_signal_handlers():
    page_published.connect(_update_subtree, dispatch_uid="search_page_published")
    page_unpublished.connect(_update_subtree, dispatch_uid="search_page_unpublished")
    post_page_move.connect(on_page_moved, dispatch_uid="search_page_moved")
    post_save.connect(on_restriction_changed, sender=PageViewRestriction, dispatch_uid="search_restriction_saved")
    post_delete.connect(on_restriction_changed, sender=PageViewRestriction, dispatch_uid="search_restriction_deleted")
    pre_delete.connect(on_page_deleting, dispatch_uid="search_page_deleting")
    post_delete.connect(on_page_deleted, dispatch_uid="search_page_deleted")
    for label in LABELLED:
        post_save.connect(on_label_saved, sender=label, dispatch_uid=f"search_label_saved_{label}")
    resource_viewed.connect(on_resource_viewed, dispatch_uid="search_resource_viewed")
