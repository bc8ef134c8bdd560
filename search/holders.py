"""Pages whose search document holds the titles of other pages, through an item model: a series' courses
(microcourses.SeriesItem.course), a recommended package's items (coursepackages.PackageItem.target).

When a held page stops being public (unpublished, deleted, made private itself or through a section,
moved under a private section) or changes (published again, perhaps renamed), the pages holding it are
indexed again, in the same transaction: a holder must not stay findable by the title of a page the public
can no longer see. Each app connects its own item model with `connect_holders` (its signal_handlers)."""

from django.apps import apps
from django.db.models.signals import post_delete, post_save, pre_delete

from wagtail.models import Page, PageViewRestriction
from wagtail.signals import page_published, page_unpublished, post_page_move


def holders_of(page, items, field):
    """The ids of the holders (`items`' `page`) with an item whose `field` is `page` or below it (one query)."""
    held = items.filter(**{f"{field}__path__startswith": page.path})
    return set(held.values_list("page_id", flat=True))


def reindex_holders(page, items, field):
    """Index again the holders of `page` and of the pages below it."""
    if page is None:
        return
    if ids := holders_of(page, items, field):
        from . import indexing

        indexing.update_pages(ids)


def connect_holders(name, item_model, field, held_models):
    """Keep the holders through `item_model` ("app.Model", its `field` the held page) in step with the held
    pages, of `held_models` ("app.Model" labels). `name` makes the signals' dispatch_uid."""

    def items():
        return apps.get_model(item_model).objects.all()

    def on_page_changed(instance, **kwargs):
        reindex_holders(instance, items(), field)

    def on_page_moved(instance, **kwargs):
        # The signal carries the page as loaded before the move: reload for its new path.
        reindex_holders(Page.objects.filter(pk=instance.pk).first(), items(), field)

    def on_restriction_changed(instance, **kwargs):
        reindex_holders(Page.objects.filter(pk=instance.page_id).first(), items(), field)

    noted = f"_{name}_holding"

    def on_page_deleting(instance, **kwargs):
        # Deleting a held page deletes its items with it (the foreign key): note the holders before they go.
        if isinstance(instance, tuple(apps.get_model(label) for label in held_models)):
            setattr(instance, noted, holders_of(instance, items(), field))

    def on_page_deleted(instance, **kwargs):
        # Its items are gone now. A holder deleted in the same go is no longer found, so nothing is written.
        ids = getattr(instance, noted, None)
        if ids:
            from . import indexing

            setattr(instance, noted, None)
            indexing.update_pages(ids)

    # weak=False: the handlers are closures, kept alive by the signals alone.
    for signal, handler, sender, event in (
        (page_published, on_page_changed, None, "page_published"),
        (page_unpublished, on_page_changed, None, "page_unpublished"),
        (post_page_move, on_page_moved, None, "page_moved"),
        (post_save, on_restriction_changed, PageViewRestriction, "restriction_saved"),
        (post_delete, on_restriction_changed, PageViewRestriction, "restriction_deleted"),
        (pre_delete, on_page_deleting, None, "page_deleting"),
        (post_delete, on_page_deleted, None, "page_deleted"),
    ):
        signal.connect(handler, sender=sender, weak=False, dispatch_uid=f"{name}_{event}")
