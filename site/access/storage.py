"""Storage classes that never keep an uploader's file name: documents and original images are stored
under a random name (their title, and the name a download is saved as, come from the database).
Videos choose their own random paths (media.models)."""

import os
import posixpath
import re
import uuid

from storages.backends import s3

from django.core.files import storage

RANDOM_NAME_FOLDERS = {"documents", "original_images"}
EXTENSION = re.compile(r"\.[a-z0-9]{1,10}")


def random_name(filename):
    folder, basename = posixpath.split(filename)
    if folder.split("/")[0] not in RANDOM_NAME_FOLDERS:
        return filename
    extension = os.path.splitext(basename)[1].lower()
    return posixpath.join(folder, uuid.uuid4().hex + (extension if EXTENSION.fullmatch(extension) else ""))


class RandomNamesMixin:
    def generate_filename(self, filename):
        return random_name(super().generate_filename(filename))


class FileSystemStorage(RandomNamesMixin, storage.FileSystemStorage):
    pass


class S3Storage(RandomNamesMixin, s3.S3Storage):
    pass
