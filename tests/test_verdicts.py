"""The descriptor's metadata verdict, remembered in the user cache (distribution/verdicts.py):
served for an unchanged descriptor, checked afresh when the descriptor, its file name or the
cache entry changes, and never an error when the cache cannot be used."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from conflictdata.distribution.verdicts import verdict_key
from conflictdata.contract.package import open_package
from conflictdata.versions.history import validate

DESCRIPTOR = """{
  "name": "towns",
  "created": "yesterday",
  "resources": [{"name": "towns", "path": "towns.csv", "schema": {"fields": [{"name": "id", "type": "integer"}]}}]
}
"""


@pytest.fixture
def pkg(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("CONFLICTDATA_CACHE", str(tmp_path / "cache"))
    root = tmp_path / "pkg"
    root.mkdir()
    (root / "towns.csv").write_text("id\n1\n", encoding="utf-8")
    (root / "datapackage.json").write_text(DESCRIPTOR, encoding="utf-8")
    monkeypatch.chdir(root)  # findings name files relative to here
    return root


def _meta(report) -> list[tuple]:
    return [(f.file, f.line, f.column, f.value) for f in report.findings if f.rule == "descriptor"]


def _entry(root: Path) -> Path:
    return root.parent / "cache" / "metadata" / f"{verdict_key(open_package(root))}.json"


def test_a_verdict_is_remembered_and_served_for_the_same_descriptor(pkg: Path) -> None:
    assert _meta(validate(pkg)) == [("datapackage.json", 3, "created", "yesterday")]
    entry = _entry(pkg)
    kept = json.loads(entry.read_text(encoding="utf-8"))
    assert [f["column"] for f in kept["findings"]] == ["created"]
    # What is served is the entry (a planted one shows it), not a new check.
    kept["findings"][0]["column"] = "planted"
    entry.write_text(json.dumps(kept), encoding="utf-8")
    assert _meta(validate(pkg)) == [("datapackage.json", 3, "planted", "yesterday")]


def test_an_edited_descriptor_is_checked_again(pkg: Path) -> None:
    validate(pkg)
    first = _entry(pkg)
    (pkg / "datapackage.json").write_text(DESCRIPTOR.replace('"yesterday"', '"2024-01-31T12:00:00Z"'), encoding="utf-8")
    assert _meta(validate(pkg)) == []
    assert _entry(pkg) != first and first.exists()
    # A change of layout alone (the lines findings name) is another key too.
    (pkg / "datapackage.json").write_text("\n\n" + DESCRIPTOR, encoding="utf-8")
    assert _meta(validate(pkg)) == [("datapackage.json", 5, "created", "yesterday")]


def test_a_damaged_entry_is_a_miss_and_is_replaced(pkg: Path) -> None:
    validate(pkg)
    entry = _entry(pkg)
    entry.write_text("{not json", encoding="utf-8")
    assert _meta(validate(pkg)) == [("datapackage.json", 3, "created", "yesterday")]
    assert json.loads(entry.read_text(encoding="utf-8"))["findings"][0]["column"] == "created"


def test_an_unwritable_cache_still_checks(pkg: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    blocker = pkg.parent / "not-a-folder"
    blocker.write_text("", encoding="utf-8")
    monkeypatch.setenv("CONFLICTDATA_CACHE", str(blocker))
    assert _meta(validate(pkg)) == [("datapackage.json", 3, "created", "yesterday")]
    assert _meta(validate(pkg)) == [("datapackage.json", 3, "created", "yesterday")]


def test_a_remembered_verdict_spares_the_frictionless_import(pkg: Path) -> None:
    code = ("import sys; from conflictdata.versions.history import validate; r = validate(sys.argv[1]); "
            "print(sorted(f.column for f in r.findings if f.rule == 'descriptor'), 'frictionless' in sys.modules)")
    runs = [subprocess.run([sys.executable, "-c", code, str(pkg)], capture_output=True, text=True, check=True).stdout.split()
            for _ in range(2)]
    assert runs == [["['created']", "True"], ["['created']", "False"]]


def test_the_file_name_findings_give_is_part_of_the_key(pkg: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    validate(pkg)
    monkeypatch.chdir(pkg.parent)
    assert _meta(validate(pkg)) == [("pkg/datapackage.json", 3, "created", "yesterday")]
