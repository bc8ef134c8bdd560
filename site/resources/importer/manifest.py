"""The manifest's format (DESIGN.md, and the extensions listed in `resources.importer`), its limits,
and reading it: line by line as a stream, so that memory never holds more than one line of at most
MAX_LINE_BYTES, whatever the file holds."""

import codecs
import json
import os
import re
from dataclasses import dataclass, field

from ..models import CenterSectionPage, PolicyDocumentPage

SLUG_RE = re.compile(r"^[a-z0-9-]+$")
MAX_TEXT_FILE = 2 * 1024 * 1024

COMMON = {"kind", "slug", "title", "summary", "body", "tags", "live", "center"}
FIELDS = {
    "center": {"kind", "code", "name", "host", "theme", "province", "description"},
    "expert": {"kind", "name", "title", "organisation", "level", "bio", "photo"},
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
        "attachments",
    },
    "case": COMMON | {"capability", "school", "background", "process", "analysis", "reflection", "attachments"},
    "policy": COMMON | {"issuer", "doc_number", "index_number", "date", "category", "attachments"},
    # A series is a library resource like the others (microcourses.CourseSeriesPage): areas and a body too.
    "series": {"kind", "slug", "title", "summary", "body", "center", "capability", "courses", "tags", "live"},
}
RESOURCE_KINDS = ("policy", "microcourse", "case", "series")
# Lines are written in this order so that what a line refers to already exists.
WRITE_ORDER = ("center", "expert", "policy", "microcourse", "case", "series")
# The longest value of each text field, in characters (docs/security.md). Short fields follow the
# database columns; long texts are bounded so that one line cannot hold the importer's memory.
TEXT_LIMITS = {
    "kind": 20,
    "title": 255,
    "slug": 255,
    "name": 200,
    "code": 40,
    "center": 40,
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
    "course_type": 40,
    "requirement": 40,
    "tier": 40,
    "level": 40,
    "date": 10,
    "video": 1000,
    "captions": 1000,
    "transcript": 1000,
    "photo": 1000,
    "summary": 2000,
    "body": 200_000,
    "bio": 5000,
    "description": 5000,
    "background": 50_000,
    "process": 50_000,
    "analysis": 50_000,
    "reflection": 50_000,
}
# An expert's `title` is a rank (教授), shorter than a page title.
KIND_LIMITS = {"expert": {"title": 100, "name": 100}}
TEXT_FIELDS = set(TEXT_LIMITS)
# The most entries of each list field.
LIST_LIMITS = {"tags": 30, "capability": 20, "stage": 20, "courses": 200, "attachments": 50}
# The file and each line, in bytes. A line holds at most a 200,000-character body and four case
# sections of 50,000, even written with \u escapes (6 bytes a character): 4 MB is ample.
MAX_LINE_BYTES = 4 * 1024**2
MAX_MANIFEST_BYTES = 100 * 1024**2


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

    from ..models import LibraryIndexPage, NoticeIndexPage

    if key[0] == "center":
        return CenterSectionPage.objects.filter(center__code=key[1]).first()
    model = {"library": LibraryIndexPage, "cases": CaseIndexPage, "notices": NoticeIndexPage}[key[0]]
    return model.objects.order_by("path").first()


def read_lines(path):
    """Yield a Line or a Problem for each non-blank line of the manifest, reading one line at a time.
    A line longer than MAX_LINE_BYTES is passed over in pieces (a Problem), never held whole. A file
    that cannot be read, is too large or is not UTF-8 raises ManifestInvalid at once."""
    try:
        handle = open(path, "rb")  # noqa: SIM115 (closed by the with below)
    except OSError as exc:
        raise ManifestInvalid([Problem(0, "manifest", f"cannot read {path}: {exc.strerror}")]) from exc
    with handle:
        size = os.fstat(handle.fileno()).st_size
        if size > MAX_MANIFEST_BYTES:
            raise ManifestInvalid(
                [Problem(0, "manifest", f"the file has {size} bytes, more than {MAX_MANIFEST_BYTES} bytes: split it")]
            )
        number = 0
        while raw := handle.readline(MAX_LINE_BYTES + 1):
            number += 1
            if len(raw) > MAX_LINE_BYTES and not raw.endswith(b"\n"):
                while (rest := handle.readline(1024**2)) and not rest.endswith(b"\n"):
                    pass
                yield Problem(number, "line", f"longer than {_size(MAX_LINE_BYTES)}")
                continue
            if number == 1:
                raw = raw.removeprefix(codecs.BOM_UTF8)
            try:
                source = raw.decode("utf-8")
            except UnicodeDecodeError as exc:
                raise ManifestInvalid([Problem(0, "manifest", "the file is not UTF-8 text")]) from exc
            if not source.strip():
                continue
            yield parse_line(number, source)


def parse_line(number, source):
    try:
        data = json.loads(source)
    except json.JSONDecodeError as exc:
        return Problem(number, "json", f"not valid JSON ({exc.msg} at column {exc.colno})")
    except RecursionError:
        return Problem(number, "json", "nested too deeply")
    if not isinstance(data, dict):
        return Problem(number, "json", "each line must be a JSON object")
    # An empty string counts as absent (DESIGN.md).
    data = {k: v.strip() if isinstance(v, str) else v for k, v in data.items()}
    return Line(number, {k: v for k, v in data.items() if v != "" and v is not None})


def _size(n):
    return f"{n // 1024**2} MB" if n >= 1024**2 else f"{n // 1024} KB"
