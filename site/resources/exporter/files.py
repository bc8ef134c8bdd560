"""The files beside the manifest: copied from storage in chunks (constant memory, S3 or local),
named from their content and a sanitised title, never from a stored path, so that no name can
leave the export folder and the same library always gives the same names."""

import hashlib
import os
import re
import unicodedata
import uuid
from pathlib import Path, PurePosixPath

from ..importer.manifest import SLUG_RE

CHUNK = 1024 * 1024
# Characters no file system takes in a name (Windows' set, which covers the others), and names it reserves.
UNSAFE = re.compile(r'[\x00-\x1f\x7f<>:"/\\|?*]')
RESERVED = {"con", "prn", "aux", "nul", *(f"com{n}" for n in range(1, 10)), *(f"lpt{n}" for n in range(1, 10))}
MAX_NAME_BYTES = 150


def safe_stem(title, fallback="file"):
    """A file name (without extension) from a title: path separators, control and reserved characters
    removed, no leading dot, at most MAX_NAME_BYTES bytes of UTF-8. Chinese titles stay readable."""
    name = unicodedata.normalize("NFC", str(title or ""))
    name = UNSAFE.sub("_", name)
    name = re.sub(r"\s+", " ", name).strip(" .")
    while len(name.encode("utf-8")) > MAX_NAME_BYTES:
        name = name[:-1]
    name = name.strip(" .")
    if not name or name.lower() in RESERVED or name.lower().split(".")[0] in RESERVED:
        name = f"{fallback}-{name}" if name else fallback
    return name


def extension(stored_name, allowed, default=None):
    """The lower-case extension of a stored file, if it is one of `allowed` (else `default`)."""
    ext = PurePosixPath(stored_name or "").suffix.lower().lstrip(".")
    return ext if ext in allowed else default


def export_slug(slug, pk):
    """The page's slug if the import format takes it (a–z, 0–9, '-'); otherwise a readable ASCII
    slug (pinyin for Chinese) made unique by the page id, so that the same page always gets the same one."""
    if SLUG_RE.match(slug or "") and len(slug) <= 255:
        return slug
    from hub.slugs import pinyin_slug  # the admin's own spelling of Chinese slugs

    base = re.sub(r"[^a-z0-9-]", "", pinyin_slug(slug or "").lower().replace("_", "-"))[:200].strip("-")
    return f"{base}-{pk}" if base else f"page-{pk}"


class FileWriter:
    """Copies stored files into the export folder; counts files and bytes."""

    def __init__(self, root):
        self.root = Path(root)
        self.files = 0
        self.bytes = 0
        self._written = set()  # relative paths already written (each file once)

    def copy_by_content(self, field_file, folder, ext):
        """Copy a stored file to `folder/<sha1>.<ext>`; the same content is written once.
        Returns the path relative to the export folder, or None if the stored file is missing."""
        target_dir = self.root / folder
        target_dir.mkdir(parents=True, exist_ok=True)
        partial = target_dir / f".{uuid.uuid4().hex}.part"
        digest = self._copy(field_file, partial)
        if digest is None:
            return None
        relative = f"{folder}/{digest}.{ext}"
        return self._place(partial, relative)

    def copy_named(self, field_file, folder, stem, ext):
        """Copy a stored file to `folder/<first 16 hex of its sha1>/<stem>.<ext>`: the stem becomes the
        document's title on import, the hash folder keeps different files of one title apart."""
        tmp_dir = self.root / folder
        tmp_dir.mkdir(parents=True, exist_ok=True)
        partial = tmp_dir / f".{uuid.uuid4().hex}.part"
        digest = self._copy(field_file, partial)
        if digest is None:
            return None
        (tmp_dir / digest[:16]).mkdir(exist_ok=True)
        return self._place(partial, f"{folder}/{digest[:16]}/{stem}.{ext}")

    def write_text(self, relative, text):
        path = self.root / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        data = text.encode("utf-8")
        path.write_bytes(data)
        if relative not in self._written:
            self._written.add(relative)
            self.files += 1
            self.bytes += len(data)
        return relative

    def _copy(self, field_file, target):
        digest = hashlib.sha1()
        try:
            source = field_file.storage.open(field_file.name, "rb")
        except (FileNotFoundError, OSError):
            return None
        with source, target.open("wb") as out:
            while chunk := source.read(CHUNK):
                digest.update(chunk)
                out.write(chunk)
        return digest.hexdigest()

    def _place(self, partial, relative):
        final = self.root / relative
        if relative in self._written:
            partial.unlink()
        else:
            os.replace(partial, final)
            self._written.add(relative)
            self.files += 1
            self.bytes += final.stat().st_size
        return relative
