"""Verdict parity with `frictionless validate`: both reports reduced to (resource, row, field, error type)."""

from __future__ import annotations

from pathlib import Path

FIXTURES = Path(__file__).resolve().parent / "fixtures/frictionless"
PACKAGES = sorted(
    str(p.relative_to(FIXTURES)) for p in
    [*FIXTURES.glob("*/datapackage.json"), *FIXTURES.glob("fk-inline/*.datapackage.json"),
     *FIXTURES.glob("r-example/*/datapackage.json"), FIXTURES / "storage/integrity.json"]
)

# conflictdata rule → frictionless error type.
KIND = {
    "type": "type-error", "required": "constraint-error", "enum": "constraint-error", "pattern": "constraint-error",
    "minimum": "constraint-error", "maximum": "constraint-error", "min-length": "constraint-error",
    "max-length": "constraint-error", "unique": "unique-error", "primary-key": "primary-key", "foreign-key": "foreign-key",
    "blank-row": "blank-row", "extra-cell": "extra-cell", "unquoted-delimiter": "extra-cell", "missing-cell": "missing-cell", "duplicate-column": "duplicate-label",
    "missing-column": "missing-label", "extra-column": "extra-label", "encoding": "encoding-error",
}
# Row-level errors carry no field in frictionless' report.
ROW_LEVEL = {"primary-key", "foreign-key", "blank-row", "extra-cell", "unquoted-delimiter"}


def ours(path: Path) -> list[list]:
    from conflictdata.versions.history import validate

    report = validate(path)
    return sorted([f.table, f.row, None if f.rule in ROW_LEVEL else f.column, KIND.get(f.rule, f.rule)] for f in report.findings)


def theirs(path: Path) -> list[list]:
    from frictionless import validate

    report = validate(str(path))
    return sorted([task.name, e.get("rowNumber"), e.get("fieldName") or None, e["type"]]
                  for task in report.tasks for e in (err.to_descriptor() for err in task.errors))
