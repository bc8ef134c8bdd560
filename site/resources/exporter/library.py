"""Writing the public library as an import manifest (docs/content.md, "Export").

Pages are read kind by kind in primary-key batches, each batch with what its lines need in a fixed
number of queries, and written out at once: memory holds one batch, whatever the library's size.
A page is exported only if a reader may see it: live, not expired, and neither it nor an ancestor
unpublished or view-restricted (the rule of search.documents, which the search index follows).
"""

import json
import os
import shutil
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

from django.conf import settings

from search.documents import hidden_among

from ..importer.manifest import FIELDS, KIND_LIMITS, LIST_LIMITS, SLUG_RE, TEXT_LIMITS, WRITE_ORDER, _model_for
from ..models import Expert, TrainingCenter
from .files import FileWriter, export_slug, extension, safe_stem
from .text import body_to_text, html_to_text

MANIFEST = "manifest.jsonl"
FILES = "files"
# What this export writes inside the folder: --force replaces these and nothing else.
OWN_ENTRIES = (MANIFEST, FILES)
PAGE_KINDS = ("policy", "microcourse", "case", "series")
IMAGE_EXTENSIONS = ("avif", "gif", "jpg", "jpeg", "png", "webp")


class ExportError(Exception):
    pass


@dataclass
class ExportSummary:
    by_kind: dict = field(default_factory=dict)
    files: int = 0
    bytes: int = 0
    seconds: float = 0.0
    warnings: list = field(default_factory=list)

    @property
    def pages(self):
        return sum(n for kind, n in self.by_kind.items() if kind in PAGE_KINDS)


def prepare_folder(out_dir, force=False):
    """The export folder, created if needed. A folder that holds anything is refused, unless `force`,
    which removes only what an export writes there (the manifest and `files/`), never anything else."""
    out = Path(out_dir)
    if out.exists() and not out.is_dir():
        raise ExportError(f"{out} exists and is not a folder.")
    if out.exists() and any(out.iterdir()):
        if not force:
            raise ExportError(
                f"{out} is not empty. Choose an empty folder, or pass --force to replace an earlier export."
            )
        for name in OWN_ENTRIES:
            path = out / name
            if path.is_dir() and not path.is_symlink():
                shutil.rmtree(path)
            elif path.exists() or path.is_symlink():
                path.unlink()
    out.mkdir(parents=True, exist_ok=True)
    return out


def visible_ids(model, batch_size):
    """Ids of the model's pages a reader may see, in pk order, one batch at a time."""
    after = 0
    while True:
        rows = list(
            model.objects.live()
            .filter(expired=False, pk__gt=after)
            .order_by("pk")
            .values_list("pk", "path")[:batch_size]
        )
        if not rows:
            return
        after = rows[-1][0]
        hidden = hidden_among(rows)
        ids = [pk for pk, _ in rows if pk not in hidden]
        if ids:
            yield ids


def count_live(model):
    return model.objects.live().filter(expired=False).count()


class LibraryExport:
    def __init__(self, out_dir, batch_size=200, progress=None):
        self.root = Path(out_dir)
        self.batch_size = batch_size
        self.progress = progress  # called with the number of pages handled, batch by batch
        self.files = FileWriter(self.root)
        self.summary = ExportSummary()
        self.center_ids = set()
        self.expert_ids = set()

    def total(self):
        return sum(count_live(_model_for(kind)) for kind in PAGE_KINDS)

    def run(self):
        started = time.monotonic()
        # Pages first, into a side file, collecting the centers and experts they refer to; then the
        # manifest: those centers and experts, then the pages, in the importer's writing order.
        handle, pages_path = tempfile.mkstemp(prefix=".pages-", suffix=".jsonl", dir=self.root)
        try:
            with os.fdopen(handle, "w", encoding="utf-8") as pages_out:
                for kind in (k for k in WRITE_ORDER if k in PAGE_KINDS):
                    for ids in visible_ids(_model_for(kind), self.batch_size):
                        for line in getattr(self, f"_{kind}_lines")(ids):
                            _write(pages_out, self._fit(line))
                            self._count(kind)
                        if self.progress:
                            self.progress(len(ids))
            partial = self.root / (MANIFEST + ".part")
            with partial.open("w", encoding="utf-8") as out:
                for line in self._center_lines():
                    _write(out, line)
                    self._count("center")
                for line in self._expert_lines():
                    _write(out, line)
                    self._count("expert")
                with open(pages_path, encoding="utf-8") as pages_in:
                    shutil.copyfileobj(pages_in, out)
            os.replace(partial, self.root / MANIFEST)
        finally:
            Path(pages_path).unlink(missing_ok=True)
        self.summary.files = self.files.files
        self.summary.bytes = self.files.bytes + (self.root / MANIFEST).stat().st_size
        self.summary.seconds = time.monotonic() - started
        return self.summary

    def _count(self, kind):
        self.summary.by_kind[kind] = self.summary.by_kind.get(kind, 0) + 1

    def _warn(self, message):
        self.summary.warnings.append(message)

    def _fit(self, line):
        """The line within the importer's limits (importer.manifest), which refuses a whole manifest for
        one value too long: a longer text or list is cut, and the cut is reported."""
        line = _clean(line)
        kind = line["kind"]
        limits = {**TEXT_LIMITS, **KIND_LIMITS.get(kind, {})}
        for name, value in line.items():
            if isinstance(value, str) and name in limits and len(value) > limits[name]:
                line[name] = value[: limits[name]].rstrip()
            elif isinstance(value, list) and name in LIST_LIMITS and len(value) > LIST_LIMITS[name]:
                line[name] = value[: LIST_LIMITS[name]]
            else:
                continue
            who = line.get("slug") or line.get("code") or line.get("name")
            self._warn(f"{kind} {who!r}: {name} cut to the import's limit of {limits.get(name) or LIST_LIMITS[name]}")
        return line

    # -- centers and experts ------------------------------------------------

    def _center_lines(self):
        ids = sorted(self.center_ids)
        for start in range(0, len(ids), self.batch_size):
            for center in TrainingCenter.objects.filter(pk__in=ids[start : start + self.batch_size]).order_by("code"):
                if not SLUG_RE.match(center.code):
                    self._warn(f"center {center.code!r}: the import takes only codes of a–z, 0–9 and '-'")
                yield self._fit(
                    {
                        "kind": "center",
                        "code": center.code,
                        "name": center.name,
                        "host": center.host_university,
                        "theme": center.theme,
                        "province": center.province,
                        "description": center.description,
                    }
                )

    def _expert_lines(self):
        ids = sorted(self.expert_ids)
        for start in range(0, len(ids), self.batch_size):
            experts = Expert.objects.filter(pk__in=ids[start : start + self.batch_size]).select_related("photo")
            for expert in experts.order_by("name"):
                line = self._fit(
                    {
                        "kind": "expert",
                        "name": expert.name,
                        "title": expert.title,
                        "organisation": expert.organisation,
                        "level": expert.level,
                        "bio": expert.bio,
                    }
                )
                if expert.photo_id:
                    line.update(self._photo(expert))
                yield line

    def _photo(self, expert):
        image = expert.photo
        ext = extension(image.file.name, IMAGE_EXTENSIONS)
        relative = None
        if ext is not None:
            relative = self.files.copy_named(image.file, f"{FILES}/photos", safe_stem(image.title, "photo"), ext)
        if relative is None:
            self._warn(f"expert {expert.name!r}: the photo's file is missing from storage or of an unknown type")
            return {}
        return {"photo": relative}

    # -- pages ----------------------------------------------------------------

    def _pages(self, kind, ids, select=(), prefetch=()):
        model = _model_for(kind)
        return (
            model.objects.filter(pk__in=ids)
            .order_by("pk")
            .select_related("center", *select)
            .prefetch_related("tags", *prefetch)
        )

    def _common(self, kind, page):
        body, body_documents, dropped = body_to_text(page.body)
        if dropped:
            self._warn(f"{kind} {page.slug!r}: {dropped} image block(s) of the body have no place in the manifest")
        if page.center_id:
            self.center_ids.add(page.center_id)
        line = {
            "kind": kind,
            "slug": export_slug(page.slug, page.pk),
            "title": page.title,
            "summary": page.summary,
            "body": body,
            "tags": sorted((t.name for t in page.tags.all()), key=str.casefold),
            "center": page.center.code if page.center_id else "",
        }
        attachments = self._attachments(kind, page, [a.document for a in page.attachments.all()] + body_documents)
        if attachments:
            line["attachments"] = attachments
        return line

    def _attachments(self, kind, page, documents):
        paths, seen = [], set()
        for document in documents:
            if document.pk in seen:
                continue
            seen.add(document.pk)
            ext = extension(document.file.name, settings.WAGTAILDOCS_EXTENSIONS)
            if ext is None:
                self._warn(f"{kind} {page.slug!r}: attachment {document.title!r} has a file type the import refuses")
                continue
            relative = self.files.copy_named(document.file, f"{FILES}/attachments", safe_stem(document.title), ext)
            if relative is None:
                self._warn(f"{kind} {page.slug!r}: the file of attachment {document.title!r} is missing from storage")
                continue
            paths.append(relative)
        return paths

    def _policy_lines(self, ids):
        for page in self._pages("policy", ids, prefetch=["attachments__document"]):
            line = self._common("policy", page)
            line.update(
                issuer=page.issuer,
                doc_number=page.doc_number,
                index_number=page.index_number,
                date=page.publication_date.isoformat() if page.publication_date else "",
                category=page.category,
            )
            yield _clean(line)

    def _microcourse_lines(self, ids):
        pages = self._pages(
            "microcourse",
            ids,
            select=["lecturer", "course_type", "requirement", "tier", "video"],
            prefetch=["capabilities", "stages", "attachments__document"],
        )
        for page in pages:
            line = self._common("microcourse", page)
            slug = line["slug"]
            line.update(
                capability=[c.code for c in page.capabilities.all()],
                stage=[s.code for s in page.stages.all()],
                course_type=page.course_type.code if page.course_type_id else "",
                requirement=page.requirement.code if page.requirement_id else "",
                tier=page.tier.code if page.tier_id else "",
                lecturer=page.lecturer.name if page.lecturer_id else "",
                learning_hours=float(page.learning_hours) if page.learning_hours is not None else None,
            )
            if page.lecturer_id:
                self.expert_ids.add(page.lecturer_id)
            if page.transcript:
                line["transcript"] = self.files.write_text(f"{FILES}/transcripts/{slug}.txt", page.transcript + "\n")
            if page.video_id:
                line.update(self._video(page, slug))
            if "video" not in line and page.duration_seconds:
                line["duration_minutes"] = round(page.duration_seconds / 60, 4)
            yield _clean(line)

    def _video(self, page, slug):
        """The original upload (what the importer probes and transcodes again) and its captions."""
        video = page.video
        ext = extension(video.file.name, settings.WAGTAILMEDIA["VIDEO_EXTENSIONS"], default="mp4")
        relative = self.files.copy_by_content(video.file, f"{FILES}/videos", ext) if video.file else None
        if relative is None:
            self._warn(f"microcourse {slug!r}: the original file of video {video.title!r} is missing from storage")
            return {}
        found = {"video": relative}
        if video.captions:
            captions = self.files.copy_by_content(video.captions, f"{FILES}/captions", "vtt")
            if captions:
                found["captions"] = captions
        return found

    def _case_lines(self, ids):
        for page in self._pages("case", ids, prefetch=["capabilities", "attachments__document"]):
            line = self._common("case", page)
            line.update(
                capability=[c.code for c in page.capabilities.all()],
                school=page.school,
                **{
                    name: html_to_text(getattr(page, name))
                    for name in ("background", "process", "analysis", "reflection")
                },
            )
            yield _clean(line)

    def _series_lines(self, ids):
        """A series lists only its courses a reader may see. Written with getattr so that the fields a
        series may gain (those of ResourcePage) travel as soon as the importer takes them."""
        accepts = FIELDS["series"]
        pages = list(self._pages("series", ids, prefetch=["items__course"]))
        courses = [item.course for page in pages for item in page.items.all()]
        hidden = hidden_among((c.pk, c.path) for c in courses)
        for page in pages:
            if page.center_id:
                self.center_ids.add(page.center_id)
            items = sorted(page.items.all(), key=lambda item: (item.sort_order or 0, item.pk))
            line = {
                "kind": "series",
                "slug": export_slug(page.slug, page.pk),
                "title": page.title,
                "summary": getattr(page, "summary", ""),
                "center": page.center.code if page.center_id else "",
                "tags": sorted((t.name for t in page.tags.all()), key=str.casefold),
                "courses": [
                    export_slug(item.course.slug, item.course.pk)
                    for item in items
                    if item.course.live and not item.course.expired and item.course.pk not in hidden
                ],
            }
            if "capability" in accepts and hasattr(page, "capabilities"):
                line["capability"] = [c.code for c in page.capabilities.all()]
            if "body" in accepts and hasattr(page, "body"):
                line["body"] = body_to_text(page.body)[0]
            yield _clean(line)


def _clean(line):
    """Empty values left out: the importer counts an empty string as absent anyway."""
    return {k: v for k, v in line.items() if v not in ("", None, [])}


def _write(out, line):
    out.write(json.dumps(line, ensure_ascii=False, separators=(",", ":")) + "\n")
