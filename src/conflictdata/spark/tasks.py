"""What a Spark task checks of the file it has just read, besides its records: the data-model
rules that judge rows one by one, the canonical form, and the resource's Parquet copy — each by the
local engine's own code, on the file's rows as a `Table`. Only findings leave the task, so the
driver's memory does not grow with the rows.

The same function runs on the driver for a resource the local engine reads there (inline data,
xlsx, fields left to frictionless).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field, fields, replace
from pathlib import Path

from typing import Any

from ._local import Finding, Package, Run, Table, canonical_findings, check_copy_integrity, check_parquet_copy, clock, fmt, rules

__all__ = ["Checks", "Displayed", "check_table", "canonical_applies", "run_canonical", "keys_table"]


@dataclass
class Displayed(Package):
    """The package as the driver names its files (relative to the driver's working directory: a
    task runs elsewhere)."""

    cwd: str = ""

    @classmethod
    def of(cls, package: Package) -> Displayed:
        return cls(**{f.name: getattr(package, f.name) for f in fields(Package)}, cwd=str(Path.cwd().resolve()))

    def display(self, path: Path) -> str:
        cwd = Path(self.cwd)
        if cwd == Path(cwd.anchor):
            return str(path)
        try:
            return str(Path(path).resolve().relative_to(cwd))
        except ValueError:
            return str(path)


@dataclass
class Checks:
    """What the tasks check beyond reading (pickled to the executors with the job).

    `rules`: the data-model row rules (conflictdata's own package), seeing `context` (the tables
    those rules look up, read before the others) and judging dates by the driver's `today`.
    `canonical`, `copies`: the canonical form and the Parquet copies, for a package on a file
    system the tasks share with the driver (not one under a URI)."""

    package: Package
    today: dt.date
    rules: bool
    canonical: bool
    copies: bool
    context: dict[str, Table] = field(default_factory=dict)


class _Bytes:
    """The file's bytes where the canonical check reads the file (it only reads them)."""

    def __init__(self, data: bytes) -> None:
        self.data = data

    def read_bytes(self) -> bytes:
        return self.data


def check_table(checks: Checks, table: Table, content: bytes | None = None) -> list[Finding]:
    """The findings of the row rules, the canonical form and the Parquet copy on `table` (one
    file's rows, or a whole resource read on the driver); `content`: the file's bytes, if at hand."""
    out: list[Finding] = []
    if checks.rules:
        run = Run(checks.package, None, tables=dict(checks.context))
        before = clock.today
        clock.today = lambda: checks.today  # the driver's day, wherever the task runs
        try:
            for check in rules.checks():
                if check.scope.rows:
                    out += check.connect(run).chunk(table)
        finally:
            clock.today = before
    res = table.resource
    if checks.canonical and len(res.paths) == 1:
        shown = replace(table, resource=replace(res, paths=[_Bytes(content)])) if content is not None else table
        out += canonical_findings({table.name: shown})
    if checks.copies:
        out += check_copy_integrity(checks.package, table) + check_parquet_copy(checks.package, table)
    return out


def canonical_applies(checks: Checks | None, res: Any) -> bool:
    """Whether the canonical form is judged for the resource's file (as `canonical_findings` does)."""
    return checks is not None and checks.canonical and res.format == "csv" and len(res.paths) == 1


def run_canonical(table: Table, content: bytes, unit: Any) -> dict[str, Any]:
    """A run of records of a file read in byte ranges against the canonical form: the first line
    (counted in LF, as `canonical_findings` counts) where its records differ from their canonical
    writing in file order; the line of its first record out of key order among its own; its
    smallest and largest key (compared with the other runs' on the driver)."""
    import numpy as np

    t = replace(table, data=content[unit.skip :], lines=np.asarray([unit.lf + 1]), clean=None)
    fmt.chunk_findings(t)
    order = fmt.canonical_order(table).to_numpy()
    wrong = np.flatnonzero(order != np.arange(len(order)))
    keys = [c for c in table.resource.row_key if c in table.raw.columns]
    ends = [[str(v) for v in table.raw[keys].iloc[int(order[i])]] for i in (0, -1)] if keys and len(order) else [None, None]
    return {"line": t.noncanonical_line, "misplaced": int(table.lines[wrong[0]]) if len(wrong) else None, "min": ends[0], "max": ends[1]}


def keys_table(res: Any, columns: dict[str, Any]) -> Table:
    """A `Table` of the resource with only `columns` (cells; the other fields empty), typed, for
    `canonical_order` on keys."""
    import pandas as pd

    from ._local import _finish

    n = len(next(iter(columns.values()))) if columns else 0
    raw = pd.DataFrame({f: pd.Series(columns[f], dtype=str) if f in columns else pd.Series([""] * n, dtype=str) for f in res.field_names})
    return _finish(res, "", raw, None, [])
