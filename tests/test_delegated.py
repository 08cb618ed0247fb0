"""Fields of types the fast path does not parse are checked by frictionless, and the report says so."""

from __future__ import annotations

import json
from pathlib import Path

from conflictdata.versions.history import validate


def package(tmp_path: Path, fields: list[dict], rows: list[str]) -> Path:
    (tmp_path / "d.csv").write_text("\n".join(rows) + "\n", encoding="utf-8")
    descriptor = {"name": "p", "resources": [{"name": "d", "path": "d.csv", "schema": {"fields": fields}}]}
    (tmp_path / "datapackage.json").write_text(json.dumps(descriptor), encoding="utf-8")
    return tmp_path / "datapackage.json"


def test_datetime_time_and_year_fields_are_checked_by_frictionless(tmp_path: Path) -> None:
    path = package(tmp_path, [
        {"name": "id", "type": "integer"},
        {"name": "when", "type": "datetime", "constraints": {"required": True}},
        {"name": "t", "type": "time"},
        {"name": "y", "type": "year", "constraints": {"minimum": 2000}},
    ], ["id,when,t,y", "1,2020-01-01T10:00:00Z,10:00:00,2020", "2,yesterday,25:00:00,20x0", "3,,,1999", "x,2020-01-01T10:00:00Z,,"])
    report = validate(path)
    assert sorted((f.rule, f.line, f.row, f.column, f.value) for f in report.findings) == [
        ("minimum", 4, 4, "y", "1999"),
        ("required", 4, 4, "when", ""),
        ("type", 3, 3, "t", "25:00:00"),
        ("type", 3, 3, "when", "yesterday"),
        ("type", 3, 3, "y", "20x0"),
        ("type", 5, 5, "id", "x"),  # integer: the fast path's own finding
    ]
    assert "d: checked by frictionless, not by the fast path: when (type datetime), t (type time), y (type year)" in report.notes


def test_numbers_with_a_group_character_are_left_to_frictionless(tmp_path: Path) -> None:
    path = package(tmp_path, [{"name": "n", "type": "number", "groupChar": ","}],
                   ["n", '"1,000.5"', "2.5", "1.2.3"])
    found = sorted((f.rule, f.line, f.column, f.value) for f in validate(path).findings)
    assert found == [("type", 4, "n", "1.2.3")]  # "1,000.5" is a number with a group character
