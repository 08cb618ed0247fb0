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

__all__ = ["Delegated", "delegated_fields", "frictionless_findings", "FAST_TYPES"]

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


class Delegated(Check):
    """The delegated fields, once per table read whole (frictionless reads the whole file itself)."""

    def chunk(self, chunk: Table) -> list[Finding]:
        return _delegated_findings(self.run.package, chunk) if chunk.delegated and not chunk.streamed else []


def _delegated_findings(package: Package, table: Table) -> list[Finding]:
    """Type and constraint errors of the fields the fast path leaves to frictionless."""
    rows = np.asarray(table.rownums) if table.rownums is not None else np.arange(len(table.raw)) + 2
    line_by_row = dict(zip(rows.tolist(), np.asarray(table.lines).tolist())) if table.lines is not None else {}
    return frictionless_findings(package, table.resource, table.delegated, table.file, line_by_row.get)
