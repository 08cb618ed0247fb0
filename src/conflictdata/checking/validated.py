"""The one validated path: open a package, validate it once, and refuse it if invalid.

load, export, report, build and release all start here, so they refuse the same data with the
same `InvalidDataError` and read each table once.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from ..contract.errors import InvalidDataError
from ..contract.findings import Report
from ..contract.package import Package, open_package
from ..reading.tables import Table
from .validation import validate_package

__all__ = ["Validated", "validated"]


@dataclass(frozen=True, slots=True)
class Validated:
    """A package that passed validation: its findings (warnings, acknowledged) and the tables read."""

    package: Package
    report: Report
    tables: dict[str, Table]


def validated(path: str | Path | Package | None = None) -> Validated:
    """Validate the package at `path` (a folder, its descriptor, an opened `Package`, or the
    bundled dataset by default); raise `InvalidDataError`, carrying every finding, if it is invalid."""
    package = path if isinstance(path, Package) else open_package(path)
    report, tables = validate_package(package)
    if not report.valid:
        raise InvalidDataError(report)
    return Validated(package, report, tables)
