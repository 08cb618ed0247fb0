"""The one validated path: open a package, validate it once, and refuse it if invalid.

load, export, report, build and release all start here, so they refuse the same data with the
same `InvalidDataError` and read each table once. `load(tables=...)` validates only the tables
asked for and those their checks look into (`closure`).
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from pathlib import Path

from ..contract.errors import InvalidDataError, UnusableInputError
from ..contract.findings import Report
from ..contract.package import Package, open_package, safe_join
from ..reading.tables import Table
from .validation import validate_package

__all__ = ["Validated", "validated", "closure", "files_read"]

# Tables whose rows name records of any table (`table` + `record_id`): their checks look into
# every table, so validating one of them means validating the whole package.
_NAMES_ANY_TABLE = ("retractions", "acknowledgements")


@dataclass(frozen=True, slots=True)
class Validated:
    """A package that passed validation: its findings (warnings, acknowledged) and the tables read."""

    package: Package
    report: Report
    tables: dict[str, Table]


def validated(path: str | Path | Package | None = None, *, tables: list[str] | None = None) -> Validated:
    """Validate the package at `path` (a folder, its descriptor, an opened `Package`, or the
    bundled dataset by default); raise `InvalidDataError`, carrying every finding, if it is invalid.

    With `tables`, only those tables and the ones their checks need (`closure`) are read and
    checked; the result holds just these.
    """
    package = path if isinstance(path, Package) else open_package(path)
    if tables is not None:
        kept = closure(package, tables)
        if len(kept) < len(package.resources):
            package = replace(package, resources={n: r for n, r in package.resources.items() if n in kept})
    report, read = validate_package(package)
    if not report.valid:
        raise InvalidDataError(report)
    return Validated(package, report, read)


def closure(package: Package, names: list[str]) -> list[str]:
    """`names` and every table their checks look into, in package order: the tables their foreign
    keys reference, and for conflictdata's own package those the data-model rules on them use
    (`uses`) or ask which rows refer to them (`link`), transitively. A subset of a valid package is
    valid under this closure: each of its checks sees the same tables as in the whole package."""
    unknown = [n for n in names if n not in package.resources]
    if unknown:
        raise ValueError(f"no table named {', '.join(unknown)}; the package has: {', '.join(package.resources)}")
    needs: dict[str, set[str]] = {n: {fk["resource"] for fk in r.foreign_keys} for n, r in package.resources.items()}
    if package.is_conflictdata:
        from .rules import SCOPES

        for scope in SCOPES.values():
            judged = set(package.resources) if "*" in scope.rows else {*scope.rows, *([scope.table] if scope.table else [])}
            for name in judged & set(package.resources):
                needs[name] |= set(scope.uses)
                if scope.link is not None and scope.link[2] == name:
                    needs[name].add(scope.link[0])
        for name in _NAMES_ANY_TABLE:
            if name in needs:
                needs[name] |= set(package.resources)
    seen: set[str] = set()
    todo = list(names)
    while todo:
        name = todo.pop()
        if name in seen or name not in package.resources:
            continue
        seen.add(name)
        todo += needs[name]
    return [n for n in package.resources if n in seen]


def files_read(package: Package, tables: dict[str, Table]) -> list[Path]:
    """Files besides the tables' own that the checks of these tables read: the archived snapshots
    named in `sources` (their hashes and the quotes taken from them are checked)."""
    sources = tables.get("sources")
    if sources is None or "snapshot" not in sources.raw.columns:
        return []
    out = []
    for rel in sources.raw["snapshot"]:
        if rel:
            try:
                out.append(safe_join(package.root, rel, what="snapshot", where=sources.file))
            except UnusableInputError:
                continue  # reported by the snapshot rule; such a package does not validate
    return out
