"""Column checks: each field's constraints (required, enum, pattern, range, length) chunk by
chunk, and `unique` across all rows.

Arrow kernels judge them (`reading.columns`); a column whose constraints Arrow cannot judge exactly
goes to the Pandera schema generated from `schema/`, which defines the same verdicts.
"""

from __future__ import annotations

import difflib

import numpy as np
import pandas as pd

from ..contract.findings import Finding
from ..contract.schema import pandera_schema
from ..reading.tables import Table
from .check import Check
from .keys import Lookup, first_at

__all__ = ["Constraints", "Unique", "check_constraints", "check_unique"]


class Constraints(Check):
    """Every field's constraints, on each chunk (reusing the chunk's foreign-key lookups)."""

    def chunk(self, chunk: Table) -> list[Finding]:
        return check_constraints(chunk, self.run.lookups)


class Unique(Check):
    """`unique` across all rows, once every table is read."""

    def end(self, tables: dict[str, Table]) -> list[Finding]:
        return [f for table in tables.values() for f in check_unique(table)]


def _limit_text(rule: str, limit: object) -> str:
    return {
        "minimum": f"below the minimum {limit}",
        "maximum": f"above the maximum {limit}",
        "min-length": f"shorter than {limit} character(s)",
        "max-length": f"longer than {limit} character(s)",
    }.get(rule, str(limit))


def check_constraints(table: Table, lookups: dict[str, Lookup] | None = None) -> list[Finding]:
    """Required, unique, enum, pattern, range and length constraints, column by column.

    Arrow kernels judge them (columns.py); a column whose constraints Arrow cannot judge exactly
    goes to the Pandera schema generated from `schema/`, which defines the same verdicts.
    `lookups`: the columns already looked up among another table's keys (`ForeignKeys.chunk`).
    """
    from ..reading.columns import _Slow, constraint_failures

    out: list[Finding] = []
    slow: list[str] = []
    for spec in table.specs:
        name = spec.name
        parsed = table.parsed.get(name)
        if name in table.absent_columns or parsed is None or name in table.delegated:
            continue
        usable = ~table.unusable[name].to_numpy(dtype=bool)
        if spec.required:
            for i in np.flatnonzero(parsed.missing & usable):
                out.append(table.finding(int(i), name, "required", f"'{name}' is required; fill it in ({spec.description.rstrip('.')})"))
        try:
            failures = constraint_failures(spec, parsed, usable, (lookups or {}).get(name), table.resource.missing_values)
        except _Slow:
            slow.append(name)
            continue
        for rule, limit, rows in failures:
            for i in np.flatnonzero(rows):
                out.append(table.finding(int(i), name, rule, _constraint_message(table, spec, rule, limit, int(i))))
    if slow:
        out += _pandera_findings(table, slow)
    return out


def check_unique(table: Table) -> list[Finding]:
    """The `unique` constraint, across all rows (a single-field primary key is left to check_primary_key)."""
    out: list[Finding] = []
    pk = table.resource.primary_key
    for spec in table.specs:
        name = spec.name
        if not spec.unique or pk == [name] or name in table.absent_columns or name not in table.frame.columns:
            continue
        col = table.frame[name]
        usable = ~table.unusable[name].to_numpy(dtype=bool)
        counted = col.notna().to_numpy(dtype=bool) & usable
        for i, j in _repeated(col, counted):
            first = first_at(table.line(j), table.rownum(j))
            out.append(table.finding(i, name, "unique", f"the value must be unique in '{name}' but already appears on {first}; change one of them"))
    return out


def _repeated(col: pd.Series, counted: np.ndarray) -> list[tuple[int, int]]:
    """Each row of `counted` whose value appeared on an earlier row of `counted`, with that first
    row. Text and whole numbers go through Arrow's hash kernels (a column of 10^6 distinct values:
    a few hundredths of a second, not pandas' fifth); other types (floats: is -0.0 0.0?) keep
    pandas' own equality."""
    import pyarrow as pa
    import pyarrow.compute as pc

    values = None
    if pd.api.types.is_string_dtype(col.dtype) or pd.api.types.is_integer_dtype(col.dtype):
        try:
            values = pa.array(col)
        except (pa.ArrowException, TypeError, ValueError):
            values = None
    if values is not None and (pa.types.is_integer(values.type) or pa.types.is_string(values.type) or pa.types.is_large_string(values.type)):
        rows = np.flatnonzero(counted)
        kept = values.take(pa.array(rows)) if len(rows) != len(values) else values
        # One hash pass (dictionary_encode numbers values across chunks with one dictionary), not
        # two (unique, then index_in): a third of the time on 10^6 distinct strings.
        encoded = pc.dictionary_encode(kept)
        pieces = encoded.chunks if isinstance(encoded, pa.ChunkedArray) else [encoded]
        # Its ids are the table's only if every piece carries the one dictionary (a shared buffer:
        # `equals` answers at once). Otherwise the ids would restart per piece: check, not assume.
        if pieces and not all(p.dictionary.equals(pieces[-1].dictionary) for p in pieces):
            pieces = [pc.dictionary_encode(kept.combine_chunks())]
        ids = np.concatenate([np.asarray(p.indices.to_numpy(zero_copy_only=False), dtype=np.int64) for p in pieces]) if pieces else np.zeros(0, np.int64)
        seen = np.maximum.accumulate(ids) if len(ids) else ids
        # Arrow numbers distinct values as it meets them: then each new value's id is one above
        # the largest so far, and a repeat's id is at most that. Checked, not assumed.
        if len(ids) == 0 or (ids[0] == 0 and np.all(np.diff(seen) <= 1)):
            later = np.flatnonzero(np.concatenate(([False], ids[1:] <= seen[:-1])))
            if not len(later):
                return []
            first = np.zeros(int(seen[-1]) + 1, dtype=np.int64)
            new = np.flatnonzero(np.concatenate(([True], ids[1:] > seen[:-1])))
            first[ids[new]] = new
            return [(int(rows[p]), int(rows[first[ids[p]]])) for p in later]
    dup = col.duplicated(keep="first").to_numpy(dtype=bool) & counted
    return [(int(i), _first_row(col, counted, int(i))) for i in np.flatnonzero(dup)]


def _first_row(col: pd.Series, counted: np.ndarray, i: int) -> int:
    return int(np.flatnonzero((col == col.iat[i]).to_numpy(dtype=bool, na_value=False) & counted)[0])


def _constraint_message(table: Table, spec, rule: str, limit: object, i: int) -> str:
    value = table.raw[spec.name].iat[i]
    return failure_text(spec, rule, limit, value, nan=spec.type == "number" and bool(np.isnan(table.frame[spec.name].iat[i])))


def failure_text(spec, rule: str, limit: object, value: str, *, nan: bool = False) -> str:
    """How a cell `value` fails `rule` (enum, pattern, minimum, ...) of `spec`, and what to write
    instead: the message both engines (local and Spark) give."""
    if nan:
        # A cell written NaN: no near miss to suggest, no order to explain.
        return f"'{value}' is not an allowed value" if rule == "enum" else f"'{value}' is {_limit_text(rule, limit)}"
    if rule == "enum":
        close = difflib.get_close_matches(value, [str(v) for v in limit], n=1, cutoff=0.6)
        hint = f"did you mean '{close[0]}'? " if close else ""
        return f"'{value}' is not an allowed value; {hint}allowed: {', '.join(map(str, limit))}"
    if rule == "pattern":
        return f"'{value}' does not have the required form {limit} ({spec.description.rstrip('.')})"
    return f"'{value}' is {_limit_text(rule, limit)}"


def _pandera_findings(table: Table, columns: list[str]) -> list[Finding]:
    """Enum, pattern, range and length checks of `columns` by the generated Pandera schema."""
    import pandera.errors

    schema, rules = pandera_schema(table.resource.schema, name=table.name)
    schema = schema.select_columns(columns)
    schema.unique = None
    for col in schema.columns.values():
        col.nullable, col.unique = True, False  # required and unique are judged by the caller
    specs = {s.name: s for s in table.specs}
    frame = table.frame[columns].copy()
    for name in columns:
        if specs[name].type == "number":
            # A NaN cell fails enum and range checks (as in frictionless); Pandera would skip it.
            frame[name] = frame[name].fillna(np.inf).where(~table.parsed[name].missing, np.nan) if name in table.parsed else frame[name]
    try:
        schema.validate(frame, lazy=True)
        return []
    except pandera.errors.SchemaErrors as exc:
        cases = exc.failure_cases
    out: list[Finding] = []
    seen: set[tuple] = set()
    for case in cases.itertuples(index=False):
        column, number, index = case.column, case.check_number, case.index
        if column not in specs or index is None or pd.isna(index) or number is None or pd.isna(number):
            continue
        i = int(index)
        if bool(table.unusable[column].iat[i]) or table.parsed[column].missing[i]:
            continue
        cs = rules[column][int(number)]
        key = (i, column, cs.rule)
        if key not in seen:
            seen.add(key)
            out.append(table.finding(i, column, cs.rule, _constraint_message(table, specs[column], cs.rule, cs.limit, i)))
    return out
