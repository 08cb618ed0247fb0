"""Findings and reports: what validation returns, and what every output format renders.

A finding is data, not a string: it names the file and line a person must open, the column, the
offending value, the rule that was broken and how to fix it.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any, Literal

__all__ = ["Finding", "Report", "Severity"]

Severity = Literal["error", "warning"]


@dataclass(frozen=True, slots=True)
class Finding:
    """One problem found in a data package."""

    severity: Severity
    rule: str
    message: str
    table: str | None = None
    file: str | None = None
    line: int | None = None
    column: str | None = None
    value: str | None = None
    # The record's number as frictionless counts rows (header = 1, blank rows included); for
    # Parquet and inline data, where there is no line to open, the only position there is.
    row: int | None = None
    # A warning the package's `acknowledgements` table keeps on purpose (acknowledge.py): still
    # reported, but it does not fail --strict.
    acknowledged: bool = False

    def to_dict(self) -> dict[str, Any]:
        out = asdict(self)
        if not self.acknowledged:
            del out["acknowledged"]  # the JSON of an unacknowledged finding stays as it was
        return out

    @property
    def sort_key(self) -> tuple:
        return (self.file or "", self.line or 0, self.column or "", self.rule, self.value or "")


@dataclass(slots=True)
class Report:
    """The outcome of validating one package: every finding, plus what was checked."""

    package: str
    findings: list[Finding] = field(default_factory=list)
    rows: dict[str, int] = field(default_factory=dict)
    strict: bool = False
    # How resources were read where the fast path needed help (e.g. "events: schema inferred").
    notes: list[str] = field(default_factory=list)
    # The package's root folder (absolute), for outputs whose paths are relative to it (SARIF).
    root: str | None = None

    @property
    def errors(self) -> list[Finding]:
        return [f for f in self.findings if f.severity == "error"]

    @property
    def warnings(self) -> list[Finding]:
        """The warnings not acknowledged by the package."""
        return [f for f in self.findings if f.severity == "warning" and not f.acknowledged]

    @property
    def acknowledged(self) -> list[Finding]:
        return [f for f in self.findings if f.acknowledged]

    @property
    def valid(self) -> bool:
        """No errors, and no unacknowledged warnings either when the report is strict."""
        return not self.errors and not (self.strict and self.warnings)

    def only(self, table: str) -> Report:
        """Narrow the report to one table: its findings, its row count and its notes."""
        self.findings = [f for f in self.findings if f.table == table]
        self.rows = {name: n for name, n in self.rows.items() if name == table}
        self.notes = [n for n in self.notes if n.startswith(f"{table}:")]
        return self

    def sorted(self) -> Report:
        self.findings.sort(key=lambda f: f.sort_key)
        return self

    def to_dict(self) -> dict[str, Any]:
        return {
            "package": self.package,
            "valid": self.valid,
            "strict": self.strict,
            "errors": len(self.errors),
            "warnings": len(self.warnings),
            "acknowledged": len(self.acknowledged),
            "rows": self.rows,
            "notes": self.notes,
            "findings": [f.to_dict() for f in self.findings],
        }
