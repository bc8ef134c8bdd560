"""Validation: every line is checked against the database and the rest of the file, and *all*
problems are collected before anything is written."""

import datetime
import math
import re
from pathlib import Path

from django.conf import settings

from wagtail.models import Page

from ..models import CapabilityArea, CareerStage, CourseType, Expert, Requirement, Tier, TrainingCenter
from .manifest import (
    FIELDS,
    KIND_LIMITS,
    LIST_LIMITS,
    MAX_TEXT_FILE,
    RESOURCE_KINDS,
    SLUG_RE,
    TEXT_FIELDS,
    TEXT_LIMITS,
    ManifestInvalid,
    Problem,
    _codes,
    _model_for,
    find_parent,
    moves,
    parent_key,
    read_lines,
)


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
        for item in read_lines(self.path):
            if isinstance(item, Problem):
                self.problems.append(item)
            else:
                self.lines.append(item)
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
        limits = {**TEXT_LIMITS, **KIND_LIMITS.get(kind, {})}
        for name, value in list(d.items()):
            if name in TEXT_FIELDS and not isinstance(value, str):
                self._problem(line, name, "must be a string")
                del d[name]  # reported: the checks that follow compare strings only
                continue
            if name in limits and len(value) > limits[name]:
                self._problem(line, name, f"is longer than {limits[name]} characters")
                del d[name]  # the later checks would only repeat it, at length
                continue
            if name in LIST_LIMITS and isinstance(value, list) and len(value) > LIST_LIMITS[name]:
                self._problem(line, name, f"has more than {LIST_LIMITS[name]} entries")
                del d[name]
                continue
            strings = [value] if isinstance(value, str) else value if isinstance(value, list) else []
            if any(isinstance(v, str) and "\x00" in v for v in strings):
                # Databases refuse the character, and a path with it cannot be opened.
                self._problem(line, name, "contains a NUL character (\\u0000)")
                del d[name]
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
        if "photo" in d and self._check_path(line, "photo", d["photo"]):
            self._check_image(line, d["photo"])
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
        shown = value if len(value) <= 200 else value[:200] + "…"
        if problem := path_problem(value):
            self._problem(line, name, f"{shown!r}: {problem}")
            return False
        try:
            path = self.resolve(value)
            if path is None or Path(value).is_absolute():
                self._problem(line, name, f"{shown}: must be a relative path inside the manifest's folder")
                return False
            if not path.is_file():
                self._problem(line, name, f"{shown}: file not found")
                return False
        except (OSError, ValueError) as exc:
            self._problem(line, name, f"{shown}: cannot be opened ({getattr(exc, 'strerror', None) or exc})")
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

    def _check_image(self, line, value):
        """What the image upload form refuses (type, size, an unreadable picture) is refused here too."""
        import willow

        path = self.resolve(value)
        ext = path.suffix.lower().lstrip(".")
        allowed = getattr(settings, "WAGTAILIMAGES_EXTENSIONS", ["avif", "gif", "jpg", "jpeg", "png", "webp"])
        if ext not in allowed:
            self._problem(line, "photo", f"{value}: file type .{ext} is not allowed ({', '.join(allowed)})")
            return
        limit = getattr(settings, "WAGTAILIMAGES_MAX_UPLOAD_SIZE", 10 * 1024 * 1024)
        if path.stat().st_size > limit:
            self._problem(line, "photo", f"{value}: larger than {limit // 1024 // 1024} MB")
            return
        try:
            with path.open("rb") as fh:
                willow.Image.open(fh).get_size()
        except Exception:  # Willow raises many kinds for a file that is not a picture
            self._problem(line, "photo", f"{value}: not a readable picture")

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


MAX_PATH_CHARACTERS = 1000


def path_problem(value):
    """What makes a manifest path unusable on any system, or None."""
    if len(value) > MAX_PATH_CHARACTERS:
        return f"longer than {MAX_PATH_CHARACTERS} characters"
    if any(ord(c) < 32 or ord(c) == 127 for c in value):
        return "contains a control character (NUL, line break, tab…)"
    if any(len(part.encode("utf-8", "surrogatepass")) > 255 for part in value.split("/")):
        return "a file or folder name is longer than 255 bytes"
    return None
