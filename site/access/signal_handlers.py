"""Keep FileUse in step with what pages save (uses.py says why it is not Wagtail's reference index)."""

from functools import cache

from django.db.models.signals import post_delete, post_save

from modelcluster.fields import ParentalKey
from wagtail.models import Page

from . import uses
from .models import FileUse


@cache
def parent_page_field(model):
    """The ParentalKey by which a child row (an attachment) belongs to a page, if its rows can
    refer to files."""
    if not uses.reference_fields(model):
        return None
    for field in model._meta.get_fields():
        if isinstance(field, ParentalKey) and issubclass(field.related_model, Page):
            return field.attname
    return None


def on_save(sender, instance, raw=False, update_fields=None, **kwargs):
    if raw:
        return
    if isinstance(instance, Page):
        # Saving a draft revision writes only Wagtail's bookkeeping fields: the content, and so
        # the files the live page uses, did not change.
        if update_fields is not None and not set(update_fields) & uses.reference_fields(type(instance)):
            return
        uses.refresh(instance.pk)
        return
    field = parent_page_field(type(instance))
    if field and getattr(instance, field, None):
        uses.refresh(getattr(instance, field))


def on_delete(sender, instance, **kwargs):
    field = parent_page_field(type(instance))
    if field and getattr(instance, field, None):
        uses.refresh(getattr(instance, field), add=False)
        return
    kind = uses.kind_of(type(instance))
    if kind:
        FileUse.objects.filter(kind=kind, object_id=instance.pk).delete()


def register_signal_handlers():
    post_save.connect(on_save, dispatch_uid="access_file_uses_save")
    post_delete.connect(on_delete, dispatch_uid="access_file_uses_delete")
