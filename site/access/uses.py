"""The files a page's saved content uses: foreign keys (a course's video), child rows (a resource's
attachments), and StreamField / rich text references (document blocks, images, document links).

Wagtail's own reference index knows the same, but it is filled by a background task, so right after
a publish, or while no worker runs, it can be stale; the file gate must not be. FileUse is kept in
step in the saving transaction instead (signal_handlers.py)."""

from functools import cache

from django.apps import apps
from django.db import transaction

from modelcluster.fields import ParentalKey
from modelcluster.models import ClusterableModel, get_all_child_relations
from wagtail.documents import get_document_model
from wagtail.images import get_image_model
from wagtail.models import Page

from .models import FileUse


def file_models():
    """Kind -> the model of that kind of file."""
    return {
        FileUse.Kind.DOCUMENT: get_document_model(),
        FileUse.Kind.IMAGE: get_image_model(),
        FileUse.Kind.VIDEO: apps.get_model("media", "Video"),
    }


def kind_of(model):
    for kind, file_model in file_models().items():
        if model is not None and issubclass(model, file_model):
            return kind
    return None


@cache
def reference_fields(model):
    """The names of the model's own fields that can hold a file reference."""
    names = set()
    for field in model._meta.get_fields():
        if field.is_relation and field.many_to_one and not isinstance(field, ParentalKey):
            if kind_of(field.related_model):
                names.update({field.name, field.attname})
        elif hasattr(field, "extract_references"):
            names.add(field.name)
    return frozenset(names)


def references(obj):
    """Yield (kind, id) for every file the object (and its child rows) refers to."""
    for field in obj._meta.get_fields():
        if field.is_relation and field.many_to_one and not isinstance(field, ParentalKey):
            kind = kind_of(field.related_model)
            value = field.value_from_object(obj) if kind else None
            if value is not None:
                yield kind, int(value)
        elif hasattr(field, "extract_references"):
            value = field.value_from_object(obj)
            if value is None:
                continue
            for model, object_id, *_paths in field.extract_references(value):
                kind = kind_of(model)
                if kind and str(object_id).isascii() and str(object_id).isdigit():
                    yield kind, int(object_id)
    if isinstance(obj, ClusterableModel):
        for relation in get_all_child_relations(obj):
            for child in getattr(obj, relation.get_accessor_name()).all():
                yield from references(child)


def refresh(page_id, add=True):
    """Make FileUse match what the page's row and child rows refer to now. With add=False only
    stale rows are removed (a child row being deleted, perhaps with its page, adds nothing)."""
    page = Page.objects.filter(pk=page_id).first()
    wanted = set(references(page.specific)) if page is not None else set()
    with transaction.atomic():
        existing = set(FileUse.objects.filter(page_id=page_id).values_list("kind", "object_id"))
        for kind, object_id in existing - wanted:
            FileUse.objects.filter(page_id=page_id, kind=kind, object_id=object_id).delete()
        if add and page is not None:
            FileUse.objects.bulk_create(
                [FileUse(page_id=page_id, kind=kind, object_id=object_id) for kind, object_id in wanted - existing],
                ignore_conflicts=True,
            )


def refresh_all(progress=None):
    """Rebuild the whole table (after an upgrade, or if it was ever edited by hand)."""
    ids = list(Page.objects.filter(depth__gt=1).values_list("pk", flat=True))
    FileUse.objects.exclude(page_id__in=ids).delete()
    for page_id in ids:
        refresh(page_id)
        if progress:
            progress()
    return len(ids)


def pages_using(kind, object_id):
    return FileUse.objects.filter(kind=kind, object_id=object_id).values_list("page_id", flat=True)
