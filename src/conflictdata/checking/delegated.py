"""Fields the fast path does not parse, checked by frictionless instead (issue 5: correct first).

The Arrow and Pandera checks understand the Table Schema types string, integer, number, boolean
and date. A field of another type (time, datetime, year, yearmonth, duration, geopoint, geojson,
array, object…), or a number written with a decimal or group character other than the plain
one, is *delegated*: the fast path reads it as text and does not judge it, and frictionless
validates the resource and reports that field's type and constraint errors. The report says
which fields went this way.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ..contract.findings import Finding
from ..contract.package import Package, Resource
from ..contract.schema import FAST_TYPES, delegated_fields
from ..reading.tables import Table
from .check import Check

__all__ = ["Delegated", "delegated_fields", "frictionless_findings", "handed_over_findings", "FAST_TYPES"]

# frictionless' constraint names → ours.
_CONSTRAINTS = {"required": "required", "unique": "unique", "enum": "enum", "pattern": "pattern",
                "minimum": "minimum", "maximum": "maximum", "minLength": "min-length", "maxLength": "max-length",
                "exclusiveMinimum": "minimum", "exclusiveMaximum": "maximum"}


def frictionless_findings(package: Package, resource: Resource, fields: set[str], file: str,
                          line_of: Any) -> list[Finding]:
    """frictionless' type and constraint errors of `fields` in this resource, as findings.
    `line_of(row_number)` gives the line in the file of a frictionless row number (None: unknown)."""
    from frictionless import Resource as FResource

    descriptor = dict(resource.descriptor)
    if resource.inline is None:
        descriptor.pop("data", None)
    descriptor["schema"] = resource.schema
    try:
        fres = FResource(descriptor, basepath=str(package.root))
        report = fres.validate()
    except Exception as exc:  # frictionless raises its own types; the resource is reported, not crashed on
        return [Finding("error", "frictionless", f"frictionless could not check fields {', '.join(sorted(fields))} ({exc})", resource.name, file)]
    out: list[Finding] = []
    for task in report.tasks:
        for err in task.errors:
            name = getattr(err, "field_name", None)
            if name not in fields or err.type not in ("type-error", "constraint-error"):
                continue
            row = getattr(err, "row_number", None)
            cell = getattr(err, "cell", None)
            if err.type == "type-error":
                rule, message = "type", f"not a valid value: {err.note} (checked by frictionless)"
            else:
                constraint = err.note.split('"')[1] if err.note.count('"') >= 2 else "constraint"
                rule, message = _CONSTRAINTS.get(constraint, constraint), f"{err.note} (checked by frictionless)"
            out.append(Finding("error", rule, message, resource.name, file, line_of(row) if row else None, name,
                               None if cell is None else str(cell), row=row))
    return out


# frictionless' error types → our rules (those without one become rule `frictionless`).
_TYPES = {"type-error": "type", "unique-error": "unique", "primary-key": "primary-key", "foreign-key": "foreign-key",
          "blank-row": "blank-row", "extra-cell": "extra-cell", "missing-cell": "missing-cell",
          "duplicate-label": "duplicate-column", "missing-label": "missing-column", "extra-label": "extra-column",
          "encoding-error": "encoding", "hash-count": "resource-hash", "byte-count": "resource-bytes"}


def handed_over_findings(package: Package, resource: Resource, file: str) -> list[Finding]:
    """Every error frictionless finds in the resource (validated in its package, so its foreign
    keys too), as findings of the same shape as the fast path's: table, row (and line where the
    format has lines), column, rule. An error type with no rule of ours keeps its name in the
    message under rule `frictionless`."""
    from ..reading.handover import frictionless_resource

    try:
        report = frictionless_resource(package, resource).validate()
    except Exception as exc:  # frictionless raises its own types; the resource is reported, not crashed on
        return [Finding("error", "frictionless", f"frictionless could not read the resource ({exc})", resource.name, file)]
    from ..reading.formats import source_of

    # A spreadsheet's row number is the row to open in it; other handed-over formats have no lines.
    sheet = source_of(resource).format in ("xlsx", "xls", "ods")
    pk = resource.primary_key
    out: list[Finding] = []
    for task in report.tasks:
        for err in task.errors:
            row = getattr(err, "row_number", None)
            column = getattr(err, "field_name", None) or None
            cell = getattr(err, "cell", None)
            if err.type == "constraint-error":
                constraint = err.note.split('"')[1] if err.note.count('"') >= 2 else "constraint"
                rule = _CONSTRAINTS.get(constraint, constraint)
            else:
                rule = _TYPES.get(err.type, "frictionless")
            if rule == "primary-key":
                column = ",".join(pk)
            elif rule == "foreign-key":
                column = ",".join(getattr(err, "field_names", None) or []) or column
            if rule == "required":
                cell = ""  # frictionless writes the missing value as "None"; the fast path's findings have it empty
            what = err.type if rule == "frictionless" else err.title.lower()
            out.append(Finding("error", rule, f"{what}: {err.note} (checked by frictionless)" if err.note else f"{what} (checked by frictionless)",
                               resource.name, file, row if sheet else None, column, None if cell is None else str(cell), row=row))
    return out


class Delegated(Check):
    """The delegated fields, once per table read whole (frictionless reads the whole file itself),
    and the resources handed over to frictionless whole (`Table.handed_over`), whose findings are
    frictionless's instead of the fast path's (the engine drops the others)."""

    def chunk(self, chunk: Table) -> list[Finding]:
        if chunk.handed_over is not None:
            return []
        return _delegated_findings(self.run.package, chunk) if chunk.delegated and not chunk.streamed else []

    def end(self, tables: dict[str, Table]) -> list[Finding]:
        return [f for t in tables.values() if t.handed_over is not None
                for f in handed_over_findings(self.run.package, t.resource, t.file)]


def _delegated_findings(package: Package, table: Table) -> list[Finding]:
    """Type and constraint errors of the fields the fast path leaves to frictionless."""
    rows = np.asarray(table.rownums) if table.rownums is not None else np.arange(len(table.raw)) + 2
    line_by_row = dict(zip(rows.tolist(), np.asarray(table.lines).tolist())) if table.lines is not None else {}
    return frictionless_findings(package, table.resource, table.delegated, table.file, line_by_row.get)
