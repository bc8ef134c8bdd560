"""A recommended package's search document holds the titles of its live, public items (search_body).
When one of them stops being public (unpublished, deleted, made private itself or through a section,
moved under a private section) or changes (published again, perhaps renamed), the packages holding it
are indexed again, in the same transaction: the package must not stay findable by the title of a
course the public can no longer see."""

from django.db.models.signals import post_delete, post_save, pre_delete

from wagtail.models import Page, PageViewRestriction
from wagtail.signals import page_published, page_unpublished, post_page_move


def packages_holding(page):
    """The ids of the recommended packages with an item at or below `page` (one query)."""
    from .models import PackageItem

    items = PackageItem.objects.filter(target__path__startswith=page.path)
    return set(items.values_list("page_id", flat=True))


def reindex_packages_of(page):
    if page is None:
        return
    ids = packages_holding(page)
    if ids:
        from search import indexing

        indexing.update_pages(ids)


def on_page_changed(instance, **kwargs):
    reindex_packages_of(instance)


def on_page_moved(instance, **kwargs):
    # The signal carries the page as loaded before the move: reload for its new path.
    reindex_packages_of(Page.objects.filter(pk=instance.pk).first())


def on_restriction_changed(instance, **kwargs):
    reindex_packages_of(Page.objects.filter(pk=instance.page_id).first())


def _is_item_type(instance):
    from microcourses.models import CourseSeriesPage, MicroCoursePage

    return isinstance(instance, (MicroCoursePage, CourseSeriesPage))


def on_page_deleting(instance, **kwargs):
    # Deleting a course deletes its items with it (the foreign key): note the packages before they go.
    if _is_item_type(instance):
        instance._coursepackages_holding = packages_holding(instance)


def on_page_deleted(instance, **kwargs):
    # Its items are gone now. A package deleted in the same go is no longer found, so nothing is written.
    ids = getattr(instance, "_coursepackages_holding", None)
    if ids:
        from search import indexing

        instance._coursepackages_holding = None
        indexing.update_pages(ids)


def register_signal_handlers():
    page_published.connect(on_page_changed, dispatch_uid="coursepackages_page_published")
    page_unpublished.connect(on_page_changed, dispatch_uid="coursepackages_page_unpublished")
    post_page_move.connect(on_page_moved, dispatch_uid="coursepackages_page_moved")
    post_save.connect(
        on_restriction_changed, sender=PageViewRestriction, dispatch_uid="coursepackages_restriction_saved"
    )
    post_delete.connect(
        on_restriction_changed, sender=PageViewRestriction, dispatch_uid="coursepackages_restriction_deleted"
    )
    pre_delete.connect(on_page_deleting, dispatch_uid="coursepackages_page_deleting")
    post_delete.connect(on_page_deleted, dispatch_uid="coursepackages_page_deleted")
