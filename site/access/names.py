"""Stored names that reveal nothing: uploads made before access.storage kept their uploader's names."""

import posixpath
import re

from django.db import transaction

from wagtail.documents import get_document_model
from wagtail.images import get_image_model

from .storage import random_name

RANDOM_STEM = re.compile(r"[0-9a-f]{32}(\.[a-z0-9]{1,10})?")


def randomise_stored_names():
    """Copy every document and original image stored under another name to a random one. Image
    renditions, named after their original, are deleted (they are made again when next shown)."""
    renamed = 0
    for model in (get_document_model(), get_image_model()):
        for obj in model.objects.exclude(file=""):
            old = obj.file.name
            if RANDOM_STEM.fullmatch(posixpath.basename(old)):
                continue
            storage = obj.file.storage
            if not storage.exists(old):
                continue
            with storage.open(old, "rb") as handle:
                new = storage.save(random_name(old), handle)
            model.objects.filter(pk=obj.pk).update(file=new)
            if hasattr(obj, "renditions"):
                for rendition in obj.renditions.all():
                    rendition.delete()
            transaction.on_commit(lambda storage=storage, old=old: storage.delete(old))
            renamed += 1
    return renamed
