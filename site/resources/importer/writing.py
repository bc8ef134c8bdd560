"""Writing a validated manifest in one transaction (rolled back on any failure, and always in a dry
run). Each line's fields are compared with what is stored: nothing that is the same is written."""

import datetime
import hashlib
from decimal import Decimal

from django.core.files import File
from django.core.files.base import ContentFile
from django.core.files.images import ImageFile
from django.db import transaction

from wagtail.documents import get_document_model
from wagtail.models import Collection

from ..blocks import paragraphs_from_text
from ..models import CapabilityArea, CareerStage, CourseType, Expert, Requirement, Tier, TrainingCenter
from ..structure import ensure_site_structure
from .manifest import WRITE_ORDER, Summary, _model_for, find_parent, moves, parent_key


class ManifestWriter:
    """Applies a validated manifest. Each `_write_*` returns "created", "updated" or "unchanged"."""

    def __init__(self, manifest):
        self.manifest = manifest
        self.summary = Summary()
        self.stored_files = []  # removed again if the transaction rolls back

    def write(self, dry_run=False, progress=None):
        lines = sorted(self.manifest.lines, key=lambda ln: (WRITE_ORDER.index(ln.kind), ln.number))
        try:
            with transaction.atomic():
                ensure_site_structure()
                for line in lines:
                    outcome = getattr(self, f"_write_{line.kind}")(line)
                    self.summary.count(line.kind, outcome)
                    if progress:
                        progress(line)
                if dry_run:
                    transaction.set_rollback(True)
        except BaseException:
            self._remove_stored_files()
            raise
        if dry_run:
            self._remove_stored_files()
        return self.summary

    def _remove_stored_files(self):
        for storage, name in self.stored_files:
            storage.delete(name)
        self.stored_files.clear()

    # -- snippets ----------------------------------------------------------

    def _write_center(self, line):
        d = line.data
        values = {
            "name": d["name"],
            "host_university": d.get("host", ""),
            "theme": d.get("theme", ""),
            "province": d.get("province", ""),
            "description": d.get("description", ""),
        }
        return self._upsert(TrainingCenter, {"code": d["code"]}, values, line)

    def _write_expert(self, line):
        d = line.data
        values = {
            "title": d.get("title", ""),
            "organisation": d.get("organisation", ""),
            "level": d.get("level", Expert.Level.SCHOOL),
            "bio": d.get("bio", ""),
            "photo": self._image(d["photo"]) if "photo" in d else None,
        }
        return self._upsert(Expert, {"name": d["name"]}, values, line)

    def _upsert(self, model, lookup, values, line):
        obj = model.objects.filter(**lookup).first()
        if obj is None:
            model.objects.create(**lookup, **values)
            return "created"
        # Only the fields the line gives are compared and written.
        given = {k: v for k, v in values.items() if _given(line, k)}
        if all(getattr(obj, k) == v for k, v in given.items()):
            return "unchanged"
        for k, v in given.items():
            setattr(obj, k, v)
        obj.save()
        return "updated"

    # -- pages -------------------------------------------------------------

    def _write_microcourse(self, line):
        d = line.data
        values = self._common_values(d)
        values.update(
            capabilities=_lookup(CapabilityArea, d.get("capability")),
            stages=_lookup(CareerStage, d.get("stage")),
            course_type=_one(CourseType, d.get("course_type")),
            requirement=_one(Requirement, d.get("requirement")),
            tier=_one(Tier, d.get("tier")),
            lecturer=self._lecturer(d.get("lecturer")),
            # A video's probed length wins over the line's duration_minutes.
            duration_seconds=round(d["duration_minutes"] * 60)
            if "duration_minutes" in d and "video" not in d
            else None,
            learning_hours=_decimal(d.get("learning_hours")),
            transcript=self._read_text(d["transcript"]) if "transcript" in d else None,
            video=self._video(d["video"], d["title"], d.get("captions"), center=d.get("center"))
            if "video" in d
            else None,
            attachments=self._documents(d),
        )
        return self._write_page(line, values)

    def _write_case(self, line):
        d = line.data
        values = self._common_values(d)
        values.update(
            capabilities=_lookup(CapabilityArea, d.get("capability")),
            school=d.get("school"),
            **{name: _html(d.get(name)) for name in ("background", "process", "analysis", "reflection")},
            attachments=self._documents(d),
        )
        return self._write_page(line, values)

    def _write_policy(self, line):
        d = line.data
        values = self._common_values(d)
        values.update(
            issuer=d.get("issuer"),
            doc_number=d.get("doc_number"),
            index_number=d.get("index_number"),
            category=d.get("category"),
            publication_date=datetime.date.fromisoformat(d["date"]) if "date" in d else None,
            attachments=self._documents(d),
        )
        return self._write_page(line, values)

    def _write_series(self, line):
        from microcourses.models import MicroCoursePage

        d = line.data
        values = self._common_values(d) | {"capabilities": _lookup(CapabilityArea, d.get("capability"))}
        if "courses" in d:
            by_slug = {p.slug: p for p in MicroCoursePage.objects.filter(slug__in=d["courses"])}
            values["items"] = [by_slug[slug] for slug in d["courses"]]
        return self._write_page(line, values)

    def _common_values(self, d):
        return {
            "title": d["title"],
            "summary": d.get("summary"),
            "body": paragraphs_from_text(d["body"]) if "body" in d else None,
            "center": _one(TrainingCenter, d.get("center")),
            "tags": _tags(d["tags"]) if "tags" in d else None,
        }

    def _write_page(self, line, values):
        """Create or update one page. `None` values are fields the line leaves out: they keep
        what is stored (or the default on a new page)."""
        d = line.data
        model = _model_for(line.kind)
        live = d.get("live", True)
        values = {k: v for k, v in values.items() if v is not None}
        page = model.objects.filter(slug=d["slug"]).first()

        if page is None:
            page = model(slug=d["slug"], live=False)
            _apply(page, values)
            find_parent(parent_key(d)).add_child(instance=page)
            revision = page.save_revision(log_action=True)
            if live:
                revision.publish()
            return "created"

        changed = False
        parent = find_parent(parent_key(d))
        if moves(d) and not page.is_child_of(parent):
            page.move(parent, pos="last-child")
            page.refresh_from_db()
            changed = True
        draft = page.get_latest_revision_as_object()
        if _apply(draft, values):
            revision = draft.save_revision(log_action=True)
            changed = True
            if live:
                revision.publish()
            page.refresh_from_db()  # publishing changed `live` and the latest revision
        if live and not page.live:
            page.get_latest_revision().publish()
            changed = True
        elif not live and page.live:
            page.unpublish(log_action=True)
            changed = True
        return "updated" if changed else "unchanged"

    # -- referenced objects ------------------------------------------------

    def _lecturer(self, name):
        if not name:
            return None
        expert, created = Expert.objects.get_or_create(name=name)
        if created:
            self.summary.warnings.append(f"expert {name!r} was not in the expert pool: added with no details")
        return expert

    def _read_text(self, relative):
        return self.manifest.resolve(relative).read_text("utf-8-sig").strip()

    def _documents(self, d):
        if "attachments" not in d:
            return None
        return [self._document(path, d.get("center")) for path in d["attachments"]]

    def _document(self, relative, center=None):
        """The Wagtail document for a file, found by content hash in the center's collection so that
        re-imports reuse it; never another center's file (it may be unpublished), even if identical."""
        Document = get_document_model()
        path = self.manifest.resolve(relative)
        digest = _file_hash(path)
        collection_id = _collection_id(center)
        existing = Document.objects.filter(file_hash=digest, collection_id=collection_id).order_by("pk").first()
        if existing is not None:
            return existing
        with path.open("rb") as fh:
            document = Document(
                title=path.stem, file_hash=digest, file_size=path.stat().st_size, collection_id=collection_id
            )
            document.file.save(path.name, File(fh), save=False)
        self.stored_files.append((document.file.storage, document.file.name))
        document.save()
        return document

    def _image(self, relative):
        """The Wagtail image for a file (an expert's photo), found by content hash in the root collection
        (where the expert pool's photos are) so that re-imports reuse it."""
        from wagtail.images import get_image_model

        Image = get_image_model()
        path = self.manifest.resolve(relative)
        digest = _file_hash(path)
        root = Collection.get_first_root_node().pk
        existing = Image.objects.filter(file_hash=digest, collection_id=root).order_by("pk").first()
        if existing is not None:
            return existing
        with path.open("rb") as fh:
            # An ImageFile, so that the model reads the picture's width and height as it stores it.
            image = Image(
                title=path.stem,
                file=ImageFile(fh, name=path.name),
                file_hash=digest,
                file_size=path.stat().st_size,
                collection_id=root,
            )
            image.save()
        self.stored_files.append((image.file.storage, image.file.name))
        return image

    def _video(self, relative, title, captions=None, center=None):
        """The video for a file, found by content hash in the center's collection so that re-imports
        reuse it (never another center's). A new one is queued for transcoding when the import commits
        (media.signal_handlers), and filed in its center's collection, where that center's editors
        (and only they) can manage it."""
        from media.captions import to_webvtt
        from media.models import Video

        path = self.manifest.resolve(relative)
        digest = _file_hash(path)
        collection_id = _collection_id(center)
        video = Video.objects.filter(file_hash=digest, collection_id=collection_id).order_by("pk").first()
        changed = video is None
        if video is None:
            with path.open("rb") as fh:
                video = Video(title=title, file_hash=digest, size=path.stat().st_size, collection_id=collection_id)
                # Probed while validating: the course shows its real length before the transcode finishes.
                video.apply_probe(self.manifest.video_probes[path])
                video.file.save(path.name, File(fh), save=False)
            self.stored_files.append((video.file.storage, video.file.name))
        if captions is not None:
            text = to_webvtt(self.manifest.resolve(captions).read_bytes())
            if not video.captions or _stored_text(video.captions) != text:
                video.captions.save("captions.vtt", ContentFile(text.encode("utf-8")), save=False)
                self.stored_files.append((video.captions.storage, video.captions.name))
                changed = True
        if changed:
            video.save()
        return video


def _stored_text(field_file):
    with field_file.storage.open(field_file.name, "rb") as fh:
        return fh.read().decode("utf-8")


def _collection_id(center_code):
    """A center's files go to its own collection; the platform's (no center) to the root one."""
    owner = _one(TrainingCenter, center_code)
    if owner is not None and owner.collection_id:
        return owner.collection_id
    return Collection.get_first_root_node().pk


def _file_hash(path):
    digest = hashlib.sha1()
    with path.open("rb") as fh:
        while chunk := fh.read(1024 * 1024):
            digest.update(chunk)
    return digest.hexdigest()


def _tags(names):
    """Tags compare without case (TAGGIT_CASE_INSENSITIVE): keep the first spelling of each."""
    unique = {}
    for name in names:
        unique.setdefault(name.casefold(), name)
    return sorted(unique.values(), key=str.casefold)


def _given(line, model_field):
    source = {"host_university": "host"}.get(model_field, model_field)
    return source in line.data


def _lookup(model, codes):
    if codes is None:
        return None
    found = {obj.code: obj for obj in model.objects.filter(code__in=codes)}
    return [found[code] for code in codes]


def _one(model, code):
    return model.objects.get(code=code) if code else None


def _decimal(value):
    # Validation has already refused anything that is not a finite number.
    return None if value is None else Decimal(str(value)).quantize(Decimal("0.01"))


def _html(text):
    if text is None:
        return None
    return "".join(block.source for _, block in paragraphs_from_text(text))


def _apply(page, values):
    """Set `values` on `page`; return whether anything differs from what it held."""
    changed = False
    for name, new in values.items():
        if name == "body":
            current = [(b.block_type, b.value.source) for b in page.body if b.block_type == "paragraph"]
            has_other = any(b.block_type != "paragraph" for b in page.body)
            if has_other or current != [(t, v.source) for t, v in new]:
                page.body = new
                changed = True
        elif name == "tags":
            if sorted(t.name.casefold() for t in page.tags.all()) != [name.casefold() for name in new]:
                page.tags.set(new)
                changed = True
        elif name in ("capabilities", "stages"):
            if {o.pk for o in getattr(page, name).all()} != {o.pk for o in new}:
                setattr(page, name, new)
                changed = True
        elif name == "attachments":
            from ..models import ResourceAttachment

            if [a.document_id for a in page.attachments.all()] != [doc.pk for doc in new]:
                page.attachments = [ResourceAttachment(document=doc, sort_order=i) for i, doc in enumerate(new)]
                changed = True
        elif name == "items":
            from microcourses.models import SeriesItem

            if [i.course_id for i in page.items.all()] != [c.pk for c in new]:
                # Numbered here: an unnumbered order is whatever the database returns.
                page.items = [SeriesItem(course=course, sort_order=i) for i, course in enumerate(new)]
                changed = True
        elif _id(getattr(page, name)) != _id(new):
            setattr(page, name, new)
            changed = True
    return changed


def _id(value):
    return value.pk if hasattr(value, "pk") else value
