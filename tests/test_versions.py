"""Diffs between versions, the SemVer bump each kind of change requires, and ids that never vanish."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest

from conflictdata.versions.diff import diff_packages
from conflictdata.contract.package import open_package
from conflictdata.versions.semver import bump_version
from conflictdata.versions.history import validate
from pkgcopy import copy_package, edit_schema, edit_table


@pytest.fixture
def old(tmp_path: Path) -> Path:
    return copy_package(tmp_path / "old")


@pytest.fixture
def new(tmp_path: Path) -> Path:
    return copy_package(tmp_path / "new")


def _diff(old: Path, new: Path):
    return diff_packages(open_package(old), open_package(new))


def _retract(pkg: Path, table: str, rid: str, reason: str, replaced_by: str = "") -> None:
    key = {"stances": "stance_id", "events": "event_id", "casualty_claims": "claim_id", "actors": "actor_id", "sources": "source_id"}[table]
    edit_table(pkg, table, lambda h, rows: (h, [r for r in rows if r[key] != rid]))
    edit_table(pkg, "retractions", lambda h, rows: (h, rows + [{"table": table, "record_id": rid, "retracted_date": "2026-11-20", "reason": reason, "replaced_by_id": replaced_by}]))


def _set(pkg: Path, table: str, key: str, rid: str, column: str, value: str) -> None:
    def fn(h, rows):
        for r in rows:
            if r[key] == rid:
                r[column] = value
        return h, rows
    edit_table(pkg, table, fn)


def test_identical_packages_have_an_empty_diff(old: Path, new: Path) -> None:
    d = _diff(old, new)
    assert d.empty and d.required_bump is None and d.counts() == {}


def test_a_corrected_value_is_a_patch_with_before_and_after(old: Path, new: Path) -> None:
    _set(new, "events", "event_id", "EVT-0003", "location", "Kursk Oblast")
    d = _diff(old, new)
    [change] = d.tables["events"].changed
    assert (change.key, change.line, change.fields) == ("EVT-0003", 4, {"location": ("Kursk region", "Kursk Oblast")})
    assert d.counts() == {"events": {"added": 0, "retracted": 0, "removed": 0, "changed": 1}}
    assert d.schema == [] and d.required_bump == "patch"


def test_a_new_row_is_minor(old: Path, new: Path) -> None:
    edit_table(new, "event_actors", lambda h, rows: (h, rows + [{"event_id": "EVT-0001", "actor_id": "ACT-RUS-AF", "role": "target", "certainty": "alleged"}]))
    d = _diff(old, new)
    assert d.tables["event_actors"].added == ["EVT-0001|ACT-RUS-AF|target"]
    assert d.counts() == {"event_actors": {"added": 1, "retracted": 0, "removed": 0, "changed": 0}}
    assert d.required_bump == "minor"


def test_a_retraction_is_minor_and_listed_as_retracted(old: Path, new: Path) -> None:
    _retract(new, "stances", "STN-0002", "duplicate of another stance")
    d = _diff(old, new)
    assert d.tables["stances"].retracted == ["STN-0002"] and d.tables["stances"].removed == []
    assert d.tables["retractions"].added == ["stances|STN-0002"]
    assert d.required_bump == "minor"
    assert validate(new, against=old).findings == []


def test_a_removed_id_without_retraction_fails_validate_against(old: Path, new: Path) -> None:
    edit_table(new, "stances", lambda h, rows: (h, [r for r in rows if r["stance_id"] != "STN-0002"]))
    report = validate(new, against=old)
    assert [(f.severity, f.rule, f.table, f.column, f.value) for f in report.findings] == [
        ("error", "id-vanished", "stances", "stance_id", "STN-0002"),
    ]
    assert "line 3 of the old stances" in report.findings[0].message
    d = _diff(old, new)
    assert d.tables["stances"].removed == ["STN-0002"] and d.required_bump == "major"


def test_an_id_reused_for_a_different_record_fails(old: Path, new: Path) -> None:
    for column, value in {"actor_id": "ACT-UKR", "stance": "confirms", "event_id": "", "claim_id": "CLM-0001"}.items():
        _set(new, "stances", "stance_id", "STN-0003", column, value)
    report = validate(new, against=old)
    assert [(f.rule, f.table, f.line, f.column) for f in report.findings] == [("id-reused", "stances", 4, "stance_id")]


def test_an_id_retracted_before_cannot_come_back(old: Path, new: Path) -> None:
    _retract(old, "stances", "STN-0002", "duplicate")
    edit_table(new, "retractions", lambda h, rows: (h, []))
    report = validate(new, against=old)
    assert sorted((f.rule, f.table, f.value) for f in report.findings) == [
        ("id-reused", "stances", "STN-0002"),
        ("retraction-removed", "retractions", "STN-0002"),
    ]


def test_a_retracted_id_still_present_is_invalid(new: Path) -> None:
    edit_table(new, "retractions", lambda h, rows: (h, [{"table": "stances", "record_id": "STN-0002", "retracted_date": "2026-11-20", "reason": "x", "replaced_by_id": "STN-0009"}]))
    assert [(f.rule, f.table, f.line, f.column) for f in validate(new).findings] == [
        ("retraction-still-present", "retractions", 2, "record_id"),
        ("retraction-replacement", "retractions", 2, "replaced_by_id"),
    ]


@pytest.mark.parametrize(
    ("change", "kind", "bump"),
    [
        (lambda s: s["fields"].pop(), "column-removed", "major"),
        (lambda s: s["fields"].append({"name": "reporter_note", "type": "string", "description": "x"}), "column-added", "minor"),
        (lambda s: s["fields"][5].update(type="string"), "column-retyped", "major"),  # value_low integer -> string
        (lambda s: s["fields"][4]["constraints"]["enum"].remove("captured"), "constraint-tightened", "major"),
        (lambda s: s["fields"][4]["constraints"]["enum"].append("detained"), "constraint-loosened", "minor"),
        (lambda s: s["fields"][17].setdefault("constraints", {}).update(required=True), "constraint-tightened", "major"),
        (lambda s: s["fields"][5]["constraints"].update(minimum=1), "constraint-tightened", "major"),
        (lambda s: s["fields"][5].update(description="Lower bound."), "description-changed", "patch"),
        (lambda s: s["fields"][4]["measureKind"].update(captured="equipment"), "property-changed", "patch"),
    ],
    ids=["column-removed", "column-added", "retyped", "enum-value-removed", "enum-value-added", "required-added", "minimum-raised", "description",
         "property"],
)
def test_each_schema_change_requires_its_bump(old: Path, new: Path, change, kind: str, bump: str) -> None:
    edit_schema(new, "casualty_claims", change)
    d = _diff(old, new)
    assert [(c.table, c.kind, c.bump) for c in d.schema] == [("casualty_claims", kind, bump)]
    assert d.required_bump == bump


def test_a_combined_change_needs_the_largest_bump(old: Path, new: Path) -> None:
    _set(new, "events", "event_id", "EVT-0003", "location", "Kursk Oblast")
    _retract(new, "stances", "STN-0002", "duplicate")
    assert _diff(old, new).required_bump == "minor"


@pytest.mark.parametrize(("version", "level", "expected"), [
    ("0.1.0", "patch", "0.1.1"), ("0.1.3", "minor", "0.2.0"), ("1.4.2", "major", "2.0.0"), ("1.4.2", None, "1.4.2"),
])
def test_bump_version(version: str, level: str | None, expected: str) -> None:
    assert bump_version(version, level) == expected


def test_diff_reads_git_refs(tmp_path: Path) -> None:
    repo = copy_package(tmp_path / "repo")
    git = lambda *a: subprocess.run(["git", *a], cwd=repo, check=True, capture_output=True)
    git("init", "-q")
    git("-c", "user.email=t@t", "-c", "user.name=t", "add", "-A")
    git("-c", "user.email=t@t", "-c", "user.name=t", "commit", "-qm", "v1")
    _set(repo, "events", "event_id", "EVT-0003", "location", "Kursk Oblast")
    from conflictdata.versions.refs import opened

    with opened("HEAD", repo=repo) as a:
        d = diff_packages(a, open_package(repo))
    assert [c.key for c in d.tables["events"].changed] == ["EVT-0003"]
    assert validate(repo, against="HEAD").findings == []


def test_diff_cli_markdown_and_json(old: Path, new: Path) -> None:
    from typer.testing import CliRunner

    from conflictdata.cli import app

    _set(new, "events", "event_id", "EVT-0003", "location", "Kursk Oblast")
    runner = CliRunner()
    md = runner.invoke(app, ["diff", str(old), str(new), "--format", "markdown"])
    assert md.exit_code == 0
    assert "Required version bump: **patch**" in md.stdout
    assert "| `EVT-0003` | location | Kursk region | Kursk Oblast |" in md.stdout
    js = runner.invoke(app, ["diff", str(old), str(new), "--format", "json"])
    data = json.loads(js.stdout)
    assert data["required_bump"] == "patch"
    assert data["tables"]["events"]["changed"] == [{"key": "EVT-0003", "line": 4, "fields": {"location": {"old": "Kursk region", "new": "Kursk Oblast"}}}]
