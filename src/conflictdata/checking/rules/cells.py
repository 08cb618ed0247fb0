"""Rules on the cells of every table: finite numbers, and no date in the future."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

import numpy as np

from ...contract.findings import Finding
from ...contract.package import Package
from ...reading.tables import Table
from . import clock
from .common import _after, _rows, _usable
from .registry import rule


def dates_after(tables: dict[str, Table], limit: dt.date, rule_name: str, why: str) -> Iterator[Finding]:
    """Every date cell after `limit`, as a finding of `rule_name`: "<date> is after <why>"."""
    for t in tables.values():
        for spec in t.specs:
            if spec.type != "date" or spec.name in t.absent_columns:
                continue
            col = t.frame[spec.name]
            for i in _rows(_after(col, limit)):
                yield t.finding(i, spec.name, rule_name, f"{col.iat[i]} is after {why}; correct the date")


@rule("number-finite", rows=("*",))
def _finite(t: Table, package: Package, tables: dict[str, Table]) -> Iterator[Finding]:
    for spec in t.specs:
        if spec.type != "number" or spec.name in t.absent_columns:
            continue
        # Cells written as NaN/inf parse as numbers (as in frictionless); empty cells are NaN too,
        # so only cells that hold text are checked.
        written = ~t.raw[spec.name].isin(t.resource.missing_values).to_numpy() & _usable(t, spec.name)
        values = t.frame[spec.name].to_numpy(dtype=float, na_value=np.nan)
        for i in _rows(written & ~np.isfinite(values)):
            yield t.finding(i, spec.name, "number-finite", "NaN and infinity are not measurements; write a finite number or leave the cell empty")


@rule("future-date", rows=("*",))
def _future(t: Table, package: Package, tables: dict[str, Table]) -> Iterator[Finding]:
    now = clock.today()  # looked up on each call: tests replace `clock.today`
    yield from dates_after(tables, now + clock.SLACK, "future-date", f"today ({now}, UTC, with a day of slack for time zones)")
