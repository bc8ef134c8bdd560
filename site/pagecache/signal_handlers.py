"""Every copy is dropped (a new generation: pagecache.store) when something public pages show changes:
a page published, unpublished, moved, saved or deleted, a view restriction, a site, a site setting, the
taxonomies, centers and experts, images, documents and videos (PAGECACHE_INVALIDATING_MODELS), an
approved comment. A new generation is set at once and again when the transaction commits, so that a
request that read the old rows while the change was being written cannot keep its copy."""

from django.conf import settings
from django.db import transaction
from django.db.models.signals import post_delete, post_save

from wagtail.contrib.settings.models import BaseGenericSetting, BaseSiteSetting
from wagtail.models import Page, PageViewRestriction, Site
from wagtail.signals import page_published, page_unpublished, post_page_move

from resources.signals import public_content_changed

from . import store

ALWAYS = (Page, PageViewRestriction, Site, BaseSiteSetting, BaseGenericSetting)
_decisions = {}


def invalidate(**kwargs):
    store.bump()
    transaction.on_commit(store.bump)


def invalidates(model):
    """Whether saving or deleting a row of this model changes a public page (decided once a model)."""
    if model not in _decisions:
        names = set(settings.PAGECACHE_INVALIDATING_MODELS)
        _decisions[model] = issubclass(model, ALWAYS) or model._meta.label in names or model._meta.app_label in names
    return _decisions[model]


def on_saved_or_deleted(sender, instance, **kwargs):
    if invalidates(sender):
        invalidate()
    elif sender._meta.label == "feedback.CourseRating" and instance.comment:
        # Comments show once approved; a rating without a comment changes only the averages (the TTL).
        invalidate()


def register_signal_handlers():
    for signal in (page_published, page_unpublished, post_page_move):
        signal.connect(invalidate, dispatch_uid=f"pagecache_{id(signal)}")
    public_content_changed.connect(invalidate, dispatch_uid="pagecache_public_content")
    post_save.connect(on_saved_or_deleted, dispatch_uid="pagecache_saved")
    post_delete.connect(on_saved_or_deleted, dispatch_uid="pagecache_deleted")
