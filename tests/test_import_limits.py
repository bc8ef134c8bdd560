# ruff: noqa: F811  (the manifest fixture is imported from test_import)
"""The importer's limits: bad paths, over-long texts and lines, too large files are reported like any
other problem (`line N: field: message`, nothing written), never a traceback; a long line is never
held in memory whole."""

import json
import tracemalloc

import pytest

from resources.importer import Manifest, ManifestInvalid
from resources.importer import manifest as manifest_format

from .test_import import CASE, CENTER, COURSE, manifest, run, run_failing, snapshot  # noqa: F401

BASE = {"kind": "microcourse", "slug": "x", "title": "t"}


@pytest.mark.django_db
class TestPaths:
    @pytest.mark.parametrize(
        ("field", "value", "message"),
        [
            ("transcript", "files/transcript.txt\x00.exe", "NUL character"),
            ("video", "files/\x00", "NUL character"),
            ("captions", "files/a\x00.vtt", "NUL character"),
            ("transcript", "files/trans\ncript.txt", "control character"),
            ("transcript", "files/" + "长" * 100 + ".txt", "longer than 255 bytes"),
            ("transcript", "a/" * 600, "longer than 1000 characters"),
        ],
    )
    def test_an_unusable_path_is_a_problem_not_a_traceback(self, manifest, tree, field, value, message):
        line = BASE | {field: value} | ({"video": "files/v.mp4"} if field == "captions" else {})
        before = snapshot()
        errors, summary = run_failing(manifest(CENTER, line))
        assert f"line 2: {field}: " in errors and message in errors
        assert "Traceback" not in errors and "nothing was written" in summary
        assert snapshot() == before

    def test_a_nul_in_an_attachment_path(self, manifest, tree):
        line = {"kind": "policy", "slug": "x", "title": "t", "attachments": ["files/plan.csv", "files/\x00plan.csv"]}
        errors, _ = run_failing(manifest(line))
        assert "line 1: attachments: contains a NUL character" in errors

    def test_a_nul_in_any_text(self, manifest, tree):
        errors, _ = run_failing(manifest(BASE | {"title": "标\x00题"}, CASE | {"tags": ["a\x00"]}))
        assert "line 1: title: contains a NUL character" in errors
        assert "line 2: tags: contains a NUL character" in errors


@pytest.mark.django_db
class TestLengths:
    @pytest.mark.parametrize(
        ("field", "limit"),
        [("summary", 2000), ("body", 200_000), ("bio", 5000), ("background", 50_000), ("reflection", 50_000)],
    )
    def test_long_texts_have_a_limit(self, manifest, tree, field, limit):
        line = {"kind": "expert", "name": "某人"} if field == "bio" else CASE if field != "summary" else BASE
        errors, _ = run_failing(manifest(CENTER, line | {field: "长" * (limit + 1)}))
        assert f"line 2: {field}: is longer than {limit} characters" in errors
        # At the limit it is taken.
        run(manifest(CENTER, line | {field: "长" * limit}))

    def test_lists_have_a_limit(self, manifest, tree):
        errors, _ = run_failing(manifest(BASE | {"tags": [f"标签{i}" for i in range(31)]}))
        assert "line 1: tags: has more than 30 entries" in errors

    def test_a_line_longer_than_the_limit_is_passed_over_and_reported(self, manifest, tree, monkeypatch):
        monkeypatch.setattr(manifest_format, "MAX_LINE_BYTES", 64 * 1024)
        huge = json.dumps(BASE | {"slug": "huge", "summary": "a" * 200_000})
        errors, summary = run_failing(manifest(CENTER, huge, COURSE | {"transcript": "files/none.txt"}))
        assert errors.splitlines()[0] == "line 2: line: longer than 64 KB"
        assert "line 3: transcript: files/none.txt: file not found" in errors  # the lines after it are read

    def test_a_manifest_larger_than_the_limit_is_refused_before_reading(self, manifest, tree, monkeypatch):
        monkeypatch.setattr(manifest_format, "MAX_MANIFEST_BYTES", 1000)
        errors, _ = run_failing(manifest(*[BASE | {"slug": f"c{i}"} for i in range(30)]))
        assert "line 0: manifest: the file has" in errors and "more than 1000 bytes" in errors


def test_a_huge_line_is_never_held_in_memory(tmp_path):
    """A 40 MB summary line (the issue's 100 MB one took 1.47 GB): Python's allocations while reading
    stay near one MAX_LINE_BYTES buffer."""
    path = tmp_path / "m.jsonl"
    with path.open("w") as out:
        out.write(json.dumps(BASE) + "\n" + '{"kind": "microcourse", "slug": "y", "title": "t", "summary": "')
        for _ in range(40):
            out.write("a" * 1024**2)
        out.write('"}\n' + json.dumps(BASE | {"slug": "z"}) + "\n")
    tracemalloc.start()
    manifest = Manifest(path).read()
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    assert [str(p) for p in manifest.problems] == ["line 2: line: longer than 4 MB"]
    assert [ln.data["slug"] for ln in manifest.lines] == ["x", "z"]
    assert peak < 2 * manifest_format.MAX_LINE_BYTES + 1024**2


@pytest.mark.django_db
def test_reading_still_reports_every_problem_of_a_file_at_once(tmp_path):
    path = tmp_path / "m.jsonl"
    path.write_text("\ufeff" + json.dumps(BASE) + "\n\n{broken\r\n[1]\n", encoding="utf-8")
    with pytest.raises(ManifestInvalid) as exc:
        Manifest(path).read().validate()
    assert [str(p) for p in exc.value.problems][:2] == [
        "line 3: json: not valid JSON (Expecting property name enclosed in double quotes at column 2)",
        "line 4: json: each line must be a JSON object",
    ]
