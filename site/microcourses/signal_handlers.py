"""A series' search document holds the titles of its live, public courses (CourseSeriesPage.search_body).
When one of them stops being public (unpublished, deleted, made private itself or through a section,
moved under a private section) or changes (published again, perhaps renamed), the series holding it are
indexed again, in the same transaction: a series must not stay findable by the title of a course the
public can no longer see. (The same as coursepackages.signal_handlers does for packages.)"""

from django.db.models.signals import post_delete, post_save, pre_delete

from wagtail.models import Page, PageViewRestriction
from wagtail.signals import page_published, page_unpublished, post_page_move


def series_holding(page):
    """The ids of the series with a course at or below `page` (one query)."""
    from .models import SeriesItem

    items = SeriesItem.objects.filter(course__path__startswith=page.path)
    return set(items.values_list("page_id", flat=True))


def reindex_series_of(page):
    if page is None:
        return
    ids = series_holding(page)
    if ids:
        from search import indexing

        indexing.update_pages(ids)


def on_page_changed(instance, **kwargs):
    reindex_series_of(instance)


def on_page_moved(instance, **kwargs):
    # The signal carries the page as loaded before the move: reload for its new path.
    reindex_series_of(Page.objects.filter(pk=instance.pk).first())


def on_restriction_changed(instance, **kwargs):
    reindex_series_of(Page.objects.filter(pk=instance.page_id).first())


def on_page_deleting(instance, **kwargs):
    # Deleting a course deletes its series items with it: note the series before they go.
    from .models import MicroCoursePage

    if isinstance(instance, MicroCoursePage):
        instance._series_holding = series_holding(instance)


def on_page_deleted(instance, **kwargs):
    ids = getattr(instance, "_series_holding", None)
    if ids:
        from search import indexing

        instance._series_holding = None
        indexing.update_pages(ids)


def register_signal_handlers():
    page_published.connect(on_page_changed, dispatch_uid="microcourses_page_published")
    page_unpublished.connect(on_page_changed, dispatch_uid="microcourses_page_unpublished")
    post_page_move.connect(on_page_moved, dispatch_uid="microcourses_page_moved")
    post_save.connect(on_restriction_changed, sender=PageViewRestriction, dispatch_uid="microcourses_restriction_saved")
    post_delete.connect(
        on_restriction_changed, sender=PageViewRestriction, dispatch_uid="microcourses_restriction_deleted"
    )
    pre_delete.connect(on_page_deleting, dispatch_uid="microcourses_page_deleting")
    post_delete.connect(on_page_deleted, dispatch_uid="microcourses_page_deleted")
