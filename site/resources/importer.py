"""Bulk import of the JSON Lines manifest described in DESIGN.md.

Two phases: `validate()` reads and checks every line against the database and the rest of the
file, collecting *all* problems; only a manifest without problems reaches `write()`, which runs
in one transaction (rolled back on any failure, and always in a dry run). Re-importing a file
compares each field with what is stored and writes nothing when nothing differs.

Beyond DESIGN.md the format accepts, for the demo and for migrating centers:
`center.host`; `expert` lines (`name`, `title`, `organisation`, `level`, `bio`);
`case.background/process/analysis/reflection`; `series` lines (`slug`, `title`, `summary`,
`center`, `courses`: micro-course slugs in order, `tags`, `live`).
"""

import datetime
import hashlib
import json
import math
import re
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

from django.conf import settings
from django.core.files import File
from django.core.files.base import ContentFile
from django.db import transaction

from wagtail.documents import get_document_model
from wagtail.models import Collection, Page

from .blocks import paragraphs_from_text
from .models import (
    CapabilityArea,
    CareerStage,
    CenterSectionPage,
    CourseType,
    Expert,
    PolicyDocumentPage,
    Requirement,
    Tier,
    TrainingCenter,
)
from .structure import ensure_site_structure

SLUG_RE = re.compile(r"^[a-z0-9-]+$")
MAX_TEXT_FILE = 2 * 1024 * 1024

COMMON = {"kind", "slug", "title", "summary", "body", "tags", "live", "center"}
FIELDS = {
    "center": {"kind", "code", "name", "host", "theme", "province", "description"},
    "expert": {"kind", "name", "title", "organisation", "level", "bio"},
    "microcourse": COMMON
    | {
        "capability",
        "stage",
        "course_type",
        "requirement",
        "tier",
        "lecturer",
        "duration_minutes",
        "learning_hours",
        "video",
        "captions",
        "transcript",
    },
    "case": COMMON | {"capability", "school", "background", "process", "analysis", "reflection"},
    "policy": COMMON | {"issuer", "doc_number", "index_number", "date", "category", "attachments"},
    "series": {"kind", "slug", "title", "summary", "center", "courses", "tags", "live"},
}
RESOURCE_KINDS = ("policy", "microcourse", "case", "series")
# Lines are written in this order so that what a line refers to already exists.
WRITE_ORDER = ("center", "expert", "policy", "microcourse", "case", "series")
STRING_LIMITS = {
    "title": 255,
    "slug": 255,
    "name": 200,
    "code": 40,
    "host": 200,
    "theme": 200,
    "province": 50,
    "school": 200,
    "issuer": 200,
    "doc_number": 100,
    "index_number": 100,
    "category": 100,
    "organisation": 200,
    "lecturer": 100,
}
# An expert's `title` is a rank (教授), shorter than a page title.
KIND_LIMITS = {"expert": {"title": 100, "name": 100}}
TEXT_FIELDS = set(STRING_LIMITS) | {
    "kind",
    "center",
    "course_type",
    "requirement",
    "tier",
    "level",
    "date",
    "video",
    "captions",
    "transcript",
    "summary",
    "body",
    "bio",
    "description",
    "background",
    "process",
    "analysis",
    "reflection",
}


@dataclass
class Problem:
    line: int
    field: str
    message: str

    def __str__(self):
        return f"line {self.line}: {self.field}: {self.message}"


@dataclass
class Line:
    number: int
    data: dict

    @property
    def kind(self):
        return self.data["kind"]


@dataclass
class Summary:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    by_kind: dict = field(default_factory=dict)
    warnings: list = field(default_factory=list)

    def count(self, kind, outcome):
        setattr(self, outcome, getattr(self, outcome) + 1)
        self.by_kind.setdefault(kind, {"created": 0, "updated": 0, "unchanged": 0})[outcome] += 1


class ManifestInvalid(Exception):
    def __init__(self, problems):
        super().__init__(f"{len(problems)} problem(s) in the manifest")
        self.problems = problems


def _model_for(kind):
    from cases.models import CasePage
    from microcourses.models import CourseSeriesPage, MicroCoursePage

    return {
        "microcourse": MicroCoursePage,
        "case": CasePage,
        "policy": PolicyDocumentPage,
        "series": CourseSeriesPage,
    }[kind]


class Manifest:
    def __init__(self, path):
        self.path = Path(path)
        self.root = self.path.resolve().parent
        self.lines = []
        self.problems = []
        self.video_probes = {}  # path -> ffmpeg.Probe, from validation, reused when writing
        self._parents = {}  # parent key -> page, during validation

    # -- reading -----------------------------------------------------------

    def read(self):
        try:
            raw = self.path.read_bytes()
        except OSError as exc:
            raise ManifestInvalid([Problem(0, "manifest", f"cannot read {self.path}: {exc.strerror}")]) from exc
        try:
            text = raw.decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            raise ManifestInvalid([Problem(0, "manifest", "the file is not UTF-8 text")]) from exc
        for number, source in enumerate(text.splitlines(), start=1):
            if not source.strip():
                continue
            try:
                data = json.loads(source)
            except json.JSONDecodeError as exc:
                self.problems.append(Problem(number, "json", f"not valid JSON ({exc.msg} at column {exc.colno})"))
                continue
            if not isinstance(data, dict):
                self.problems.append(Problem(number, "json", "each line must be a JSON object"))
                continue
            # An empty string counts as absent (DESIGN.md).
            data = {k: v.strip() if isinstance(v, str) else v for k, v in data.items()}
            data = {k: v for k, v in data.items() if v != "" and v is not None}
            self.lines.append(Line(number, data))
        if not self.lines and not self.problems:
            self.problems.append(Problem(0, "manifest", "the manifest has no lines"))
        return self

    # -- validation --------------------------------------------------------

    def validate(self):
        self.vocabularies = {
            "capability": set(CapabilityArea.objects.values_list("code", flat=True)),
            "stage": set(CareerStage.objects.values_list("code", flat=True)),
            "course_type": set(CourseType.objects.values_list("code", flat=True)),
            "requirement": set(Requirement.objects.values_list("code", flat=True)),
            "tier": set(Tier.objects.values_list("code", flat=True)),
        }
        # What a line may refer to: the site's objects and everything the file itself defines.
        self.centers = set(TrainingCenter.objects.values_list("code", flat=True)) | {
            ln.data["code"]
            for ln in self.lines
            if ln.data.get("kind") == "center" and isinstance(ln.data.get("code"), str)
        }
        self.courses = set(_model_for("microcourse").objects.values_list("slug", flat=True)) | {
            ln.data["slug"]
            for ln in self.lines
            if ln.data.get("kind") == "microcourse" and isinstance(ln.data.get("slug"), str)
        }
        seen = {}  # (kind, key) -> first line number
        for line in self.lines:
            kind = line.data.get("kind")
            if not isinstance(kind, str) or kind not in FIELDS:
                message = f"must be one of {', '.join(FIELDS)}, not {kind!r}" if kind else "is required"
                self._problem(line, "kind", message)
                continue
            self._check_shape(line, kind, seen)
            self._check_references(line)
            self._check_values(line)
            self._check_files(line)
        self._check_sibling_slugs()
        self.problems.sort(key=lambda p: p.line)
        if self.problems:
            raise ManifestInvalid(self.problems)
        return self

    def _check_shape(self, line, kind, seen):
        """Known fields, required fields, string types and lengths, unique keys."""
        d = line.data
        for key in sorted(set(d) - FIELDS[kind]):
            self._problem(line, key, f"unknown field for kind {kind!r}")
        key_field = {"center": "code", "expert": "name"}.get(kind, "slug")
        for name in {"center": ["code", "name"], "expert": ["name"]}.get(kind, ["slug", "title"]):
            if name not in d:
                self._problem(line, name, "is required")
        limits = {**STRING_LIMITS, **KIND_LIMITS.get(kind, {})}
        for name, value in list(d.items()):
            if name in TEXT_FIELDS and not isinstance(value, str):
                self._problem(line, name, "must be a string")
                del d[name]  # reported: the checks that follow compare strings only
            elif name in limits and len(value) > limits[name]:
                self._problem(line, name, f"is longer than {limits[name]} characters")
        key = d.get(key_field)
        if not isinstance(key, str):
            return
        if key_field in ("slug", "code") and not SLUG_RE.match(key):
            self._problem(line, key_field, "use only lowercase letters a–z, digits 0–9 and '-'")
        identity = (kind, key)
        if identity in seen:
            self._problem(line, key_field, f"{key!r} is already used on line {seen[identity]}")
        seen.setdefault(identity, line.number)

    def _check_references(self, line):
        d = line.data
        if d["kind"] != "center" and "center" in d and d["center"] not in self.centers:
            self._problem(line, "center", f"unknown center {d['center']!r} (not in the site nor in this file)")
        for name in ("capability", "stage"):
            if name in d:
                allowed = self.vocabularies[name]
                self._check_list(line, name, allowed.__contains__, f"unknown code; allowed: {_codes(allowed)}")
        for name in ("course_type", "requirement", "tier"):
            if name in d and d[name] not in self.vocabularies[name]:
                allowed = _codes(self.vocabularies[name])
                self._problem(line, name, f"unknown code {d[name]!r}; allowed: {allowed}")
        if d["kind"] == "series" and "courses" in d:
            self._check_list(line, "courses", self.courses.__contains__, "unknown micro-course")

    def _check_values(self, line):
        d = line.data
        if d["kind"] == "expert" and "level" in d and d["level"] not in Expert.Level.values:
            self._problem(line, "level", f"must be one of {', '.join(Expert.Level.values)}")
        if "live" in d and not isinstance(d["live"], bool):
            self._problem(line, "live", "must be true or false")
        if "tags" in d:
            self._check_list(line, "tags", lambda t: len(t) <= 100, "each tag must be at most 100 characters")
        if "duration_minutes" in d:
            self._check_number(line, "duration_minutes", 0, 600, allow_zero=False)
        if "learning_hours" in d:
            self._check_number(line, "learning_hours", 0, 99.99)
        if "date" in d:
            value = d["date"]
            try:
                if not re.fullmatch(r"\d{4}-\d{2}-\d{2}", str(value)):
                    raise ValueError
                datetime.date.fromisoformat(value)
            except ValueError:
                self._problem(line, "date", f"must be a date written YYYY-MM-DD, not {value!r}")

    def _check_files(self, line):
        d = line.data
        if "video" in d and self._check_path(line, "video", d["video"]):
            self._check_video(line, d["video"])
        if "captions" in d:
            if "video" not in d:
                self._problem(line, "captions", "captions belong to a video: give `video` too")
            elif self._check_path(line, "captions", d["captions"]):
                self._check_captions(line, d["captions"])
        if "transcript" in d and self._check_path(line, "transcript", d["transcript"]):
            self._check_text_file(line, "transcript", d["transcript"])
        if "attachments" in d and self._check_list(line, "attachments", lambda p: True, ""):
            for path in d["attachments"]:
                ext = Path(path).suffix.lower().lstrip(".")
                if self._check_path(line, "attachments", path) and ext not in settings.WAGTAILDOCS_EXTENSIONS:
                    self._problem(line, "attachments", f"{path}: file type .{ext} is not allowed")

    def _check_sibling_slugs(self):
        """Wagtail needs slugs unique among siblings. Every page the file creates or moves, and
        every new center's section (its slug is the center code, under the library), is checked
        against the other lines and the site, so that no clash is found only while writing."""
        claims = {}  # parent key -> {slug: line number}
        for line in self.lines:
            target = self._placement(line)
            if target is None:
                continue
            key, slug, existing = target
            field_name = "code" if line.kind == "center" else "slug"
            other = claims.setdefault(key, {}).get(slug)
            if other is not None:
                self._problem(line, field_name, f"{slug!r} is already used on line {other} in the same section")
                continue
            claims[key][slug] = line.number
            parent = self._parent(key)
            siblings = Page.objects.child_of(parent).filter(slug=slug) if parent else Page.objects.none()
            if existing is not None:
                siblings = siblings.exclude(pk=existing.pk)
            if siblings.exists():
                self._problem(line, field_name, f"{slug!r} is taken by another page in the same section")

    def _placement(self, line):
        """(parent key, slug, existing page) where the line puts a page, or None if it puts none."""
        d = line.data
        if d.get("kind") == "center":
            new = isinstance(d.get("code"), str) and not TrainingCenter.objects.filter(code=d["code"]).exists()
            return (("library",), d["code"], None) if new else None
        if d.get("kind") not in RESOURCE_KINDS or not isinstance(d.get("slug"), str):
            return None
        existing = _model_for(d["kind"]).objects.filter(slug=d["slug"]).first()
        key = parent_key(d)
        if existing is not None:
            parent = self._parent(key)
            if not moves(d) or (parent is not None and existing.is_child_of(parent)):
                return None  # an update in place
        return key, d["slug"], existing

    def _parent(self, key):
        # Validation writes nothing, so each section is looked up once, not once per line.
        if key not in self._parents:
            self._parents[key] = find_parent(key)
        return self._parents[key]

    def _problem(self, line, name, message):
        self.problems.append(Problem(line.number, name, message))

    def _check_list(self, line, name, ok, message):
        value = line.data[name]
        if not isinstance(value, list) or not all(isinstance(v, str) and v.strip() for v in value):
            self._problem(line, name, "must be a list of strings")
            return False
        bad = [v for v in value if not ok(v)]
        if bad:
            self._problem(line, name, f"{', '.join(map(repr, bad))}: {message}")
            return False
        return True

    def _check_number(self, line, name, low, high, allow_zero=True):
        value = line.data[name]
        if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
            self._problem(line, name, "must be a number")
        elif value < low or value > high or (value == 0 and not allow_zero):
            self._problem(line, name, f"must be between {low} and {high}" + ("" if allow_zero else ", above 0"))

    def resolve(self, relative):
        """A manifest path, which must stay inside the manifest's folder."""
        path = (self.root / relative).resolve()
        if not path.is_relative_to(self.root):
            return None
        return path

    def _check_path(self, line, name, value):
        if not isinstance(value, str):
            self._problem(line, name, "must be a path relative to the manifest")
            return False
        path = self.resolve(value)
        if path is None or Path(value).is_absolute():
            self._problem(line, name, f"{value}: must be a relative path inside the manifest's folder")
            return False
        if not path.is_file():
            self._problem(line, name, f"{value}: file not found")
            return False
        return True

    def _check_video(self, line, value):
        """What the upload form refuses is refused here too, before anything is written."""
        from media import validation
        from media.ffmpeg import VideoError

        path = self.resolve(value)
        try:
            self.video_probes[path] = validation.inspect(path, size=path.stat().st_size)
        except VideoError as exc:
            self._problem(line, "video", f"{value}: {exc.message}")

    def _check_captions(self, line, value):
        from django.core.exceptions import ValidationError

        from media.captions import to_webvtt

        try:
            to_webvtt(self.resolve(value).read_bytes())
        except ValidationError as exc:
            self._problem(line, "captions", f"{value}: {' '.join(exc.messages)}")

    def _check_text_file(self, line, name, value):
        path = self.resolve(value)
        if path is None or not path.is_file():
            return
        if path.stat().st_size > MAX_TEXT_FILE:
            self._problem(line, name, f"{value}: larger than {MAX_TEXT_FILE // 1024 // 1024} MB")
            return
        try:
            path.read_text("utf-8-sig")
        except UnicodeDecodeError:
            self._problem(line, name, f"{value}: not UTF-8 text")


def _codes(values):
    return ", ".join(sorted(values))


def parent_key(data):
    # Notices are public documents of the platform: they stay under the notice index.
    if data["kind"] != "policy" and data.get("center"):
        return ("center", data["center"])
    return {"microcourse": ("library",), "series": ("library",), "case": ("cases",), "policy": ("notices",)}[
        data["kind"]
    ]


def moves(data):
    """Whether a line may move an existing page: only by naming a center that places it.
    A line that leaves `center` out keeps the page where it is, like any absent field."""
    return "center" in data and parent_key(data)[0] == "center"


def find_parent(key):
    from cases.models import CaseIndexPage

    from .models import LibraryIndexPage, NoticeIndexPage

    if key[0] == "center":
        return CenterSectionPage.objects.filter(center__code=key[1]).first()
    model = {"library": LibraryIndexPage, "cases": CaseIndexPage, "notices": NoticeIndexPage}[key[0]]
    return model.objects.order_by("path").first()


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
        )
        return self._write_page(line, values)

    def _write_case(self, line):
        d = line.data
        values = self._common_values(d)
        values.update(
            capabilities=_lookup(CapabilityArea, d.get("capability")),
            school=d.get("school"),
            **{name: _html(d.get(name)) for name in ("background", "process", "analysis", "reflection")},
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
            attachments=[self._document(path, d.get("center")) for path in d["attachments"]]
            if "attachments" in d
            else None,
        )
        return self._write_page(line, values)

    def _write_series(self, line):
        from microcourses.models import MicroCoursePage

        d = line.data
        values = {
            "title": d["title"],
            "summary": d.get("summary"),
            "center": _one(TrainingCenter, d.get("center")),
            "tags": _tags(d["tags"]) if "tags" in d else None,
        }
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


def _collection_id(center_code):
    """A center's files go to its own collection; the platform's (no center) to the root one."""
    owner = _one(TrainingCenter, center_code)
    if owner is not None and owner.collection_id:
        return owner.collection_id
    return Collection.get_first_root_node().pk


def _stored_text(field_file):
    with field_file.storage.open(field_file.name, "rb") as fh:
        return fh.read().decode("utf-8")


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
            from .models import ResourceAttachment

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
