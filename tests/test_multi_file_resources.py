"""A resource of several files (`"path": [a.csv, b.csv]`): every finding names the file and line
its record is in, not the resource's first file; row numbers run on across the files."""

from __future__ import annotations

import json
from pathlib import Path

from conflictdata.versions.history import validate

SCHEMA = {"fields": [{"name": "id", "type": "string", "constraints": {"required": True}},
                     {"name": "n", "type": "integer", "constraints": {"minimum": 0}},
                     {"name": "tag", "type": "string", "constraints": {"required": True}}],
          "primaryKey": ["id"]}


def write_package(root: Path) -> Path:
    (root / "data").mkdir(parents=True)
    (root / "data/a.csv").write_text("id,n,tag\nA1,1,x\nA2,2,x\n", encoding="utf-8")
    # Second file: a quoted line break before the bad records; a short record whose padded cell
    # is reported once (missing-cell), not again as required.
    (root / "data/b.csv").write_text('id,n,tag\nB1,3,"two\nlines"\nB2,-5,x\nA1,4,x\nB4,5\nB5,five,x\n', encoding="utf-8")
    descriptor = {"name": "multi", "resources": [{"name": "things", "path": ["data/a.csv", "data/b.csv"], "schema": SCHEMA}]}
    (root / "datapackage.json").write_text(json.dumps(descriptor), encoding="utf-8")
    return root


def test_findings_in_the_second_file_name_it(tmp_path):
    root = write_package(tmp_path / "pkg")
    report = validate(root)
    got = sorted((f.rule, Path(f.file).name, f.line, f.row, f.column, f.value) for f in report.findings)
    assert got == [
        ("minimum", "b.csv", 4, 5, "n", "-5"),
        ("missing-cell", "b.csv", 6, 7, "tag", None),
        ("primary-key", "b.csv", 5, 6, "id", "A1"),
        ("type", "b.csv", 7, 8, "n", "five"),
    ]
