"""Acknowledged findings: the package's `acknowledgements` table, applied to a run's findings.

One row acknowledges the warnings of one rule on one record (all its columns, or the one in
`column`); with `record_id` empty, the findings of that rule on that table that concern no record
(file-level ones). An acknowledged warning stays in the report, marked `acknowledged`, and does
not fail --strict. Errors cannot be acknowledged: a row that matches one leaves it as it is and
is itself reported. A row that matches nothing is stale, and reported too.

Record ids are looked up only for the findings whose rule and table some row names, so a run
with few warnings costs a few lookups, whatever the size of the tables.
"""

from __future__ import annotations

from collections.abc import Iterable

from dataclasses import dataclass, replace

import numpy as np

from ..contract.findings import Finding
from ..contract.package import Package
from ..contract.rulebook import KNOWN_RULES, closest_rule
from ..reading.readahead import iter_batches
from ..reading.stream import concat
from ..reading.tables import Table, read_table, subset

__all__ = ["TABLE", "apply_acknowledgements", "select_rules", "rule_names"]

TABLE = "acknowledgements"
_COLUMNS = ("rule", "table", "record_id", "column")


@dataclass(frozen=True, slots=True)
class _Ack:
    i: int  # position in the table
    line: int | None
    rule: str
    table: str
    record_id: str | None
    column: str | None

    def matches(self, finding: Finding, record_id: str | None) -> bool:
        if self.column is not None and finding.column != self.column:
            return False
        return record_id == self.record_id

    def __str__(self) -> str:
        what = f"{self.table} {self.record_id}" if self.record_id is not None else f"the file of {self.table}"
        return f"{self.rule} on {what}" + (f" column {self.column}" if self.column is not None else "")


def apply_acknowledgements(package: Package, tables: dict[str, Table], findings: list[Finding]) -> list[Finding]:
    """`findings` with the acknowledged warnings marked, and the findings about the table's own
    rows added (an unknown rule, a duplicate, a row that acknowledges an error, a stale row)."""
    table = tables.get(TABLE)
    if table is not None and table.partial:
        table = read_table(package, package.resources[TABLE])  # read in chunks: now whole (it is small)
    if table is None or any(c not in table.raw.columns for c in _COLUMNS):
        return findings
    # A row whose rule or table the column checks already reported (required, pattern, enum)
    # matches nothing; saying so again would add nothing.
    flagged = {f.row for f in findings if f.table == TABLE and f.column in ("rule", "table")}
    acks, out = _read(table, flagged)
    by_target: dict[tuple[str, str], list[_Ack]] = {}
    for ack in acks:
        by_target.setdefault((ack.rule, ack.table), []).append(ack)
    ids = _RecordIds(package, tables)
    used: set[_Ack] = set()
    hit_errors: dict[_Ack, Finding] = {}
    marked: list[Finding] = []
    for f in findings:
        candidates = by_target.get((f.rule, f.table))
        if not candidates:
            marked.append(f)
            continue
        # No record id: a file-level finding, or a row of a table without a primary key (which
        # only rule and table can name).
        record_id = ids.of(f.table, f.row) if f.row is not None else None
        hits = [a for a in candidates if a.matches(f, record_id)]
        if hits and f.severity == "error":
            for a in hits:
                hit_errors.setdefault(a, f)
        elif hits:
            used.update(hits)
            f = replace(f, acknowledged=True)
        marked.append(f)
    for ack in acks:
        if ack in hit_errors:
            e = hit_errors[ack]
            out.append(table.finding(ack.i, "rule", "acknowledgement-of-error",
                                     f"{ack} is an error ({e.file}:{e.line}: {e.message}); errors cannot be acknowledged: "
                                     "fix the data, and delete this row", severity="warning"))
        elif ack not in used:
            out.append(table.finding(ack.i, "record_id" if ack.record_id is not None else "rule", "acknowledgement-stale",
                                     f"no finding of {ack}: the data were fixed or the rule no longer reports it; delete this row",
                                     severity="warning"))
    return marked + out


def select_rules(findings: list[Finding], select: set[str] | None, ignore: set[str] | None) -> list[Finding]:
    """Only the findings of the `select`ed rules (all if None), without the `ignore`d ones."""
    return [f for f in findings if (select is None or f.rule in select) and not (ignore and f.rule in ignore)]


def _read(table: Table, flagged: set[int | None]) -> tuple[list[_Ack], list[Finding]]:
    """The table's usable rows; and its findings: unknown rules (errors), duplicate rows."""
    out: list[Finding] = []
    acks: list[_Ack] = []
    first: dict[tuple, int | None] = {}
    known = set(KNOWN_RULES)
    cells = [table.raw[c].to_numpy(dtype=object) for c in _COLUMNS]
    missing = set(table.resource.missing_values)

    def cell(v: object) -> str | None:
        return None if v is None or v in missing or not isinstance(v, str) else v

    for i, values in enumerate(zip(*cells)):
        rule, name, record_id, column = (cell(v) for v in values)
        line = table.line(i)
        if rule is None or name is None or table.rownum(i) in flagged:
            continue
        if rule not in known:
            close = closest_rule(rule)
            hint = f"did you mean '{close}'? " if close else ""
            out.append(table.finding(i, "rule", "acknowledgement-rule",
                                     f"'{rule}' is not a rule conflictdata reports; {hint}see `conflictdata validate --help` or the README for the rules"))
            continue
        key = (rule, name, record_id, column)
        if key in first:
            out.append(table.finding(i, ",".join(_COLUMNS), "acknowledgement-duplicate",
                                     f"the same acknowledgement as on line {first[key]}; delete one of them", value=",".join(v or "" for v in key)))
            continue
        first[key] = line
        acks.append(_Ack(i, line, rule, name, record_id, column))
    return acks, out


class _RecordIds:
    """The primary key value of a table's record, from a finding's row number, read on demand."""

    def __init__(self, package: Package, tables: dict[str, Table]) -> None:
        self.package, self.tables = package, tables
        self._cache: dict[str, tuple[np.ndarray, list[np.ndarray]] | None] = {}

    def of(self, name: str, row: int) -> str | None:
        if name not in self._cache:
            self._cache[name] = self._keys(name)
        keys = self._cache[name]
        if keys is None:
            return None
        rows, columns = keys
        i = int(np.searchsorted(rows, row))
        if i >= len(rows) or rows[i] != row:
            return None
        return ",".join(str(c[i]) for c in columns)

    def _keys(self, name: str) -> tuple[np.ndarray, list[np.ndarray]] | None:
        t = self.tables.get(name)
        res = self.package.resources.get(name)
        pk = res.primary_key if res is not None else []
        if t is None or not pk:
            return None
        if not set(pk) <= set(t.raw.columns):
            # A table read in chunks keeps only some columns; its key columns, read again.
            t = t.key_table if t.key_table is not None and set(pk) <= set(t.key_table.raw.columns) else \
                concat([subset(c, set(pk)) for c in iter_batches(self.package, res)], set(pk))
        rows = np.asarray(t.rownums, dtype=np.int64) if t.rownums is not None else np.arange(len(t.raw), dtype=np.int64) + 2
        return rows, [t.raw[c].to_numpy(dtype=object) for c in pk]


def rule_names(names: Iterable[str] | None, option: str) -> set[str] | None:
    """The rule names given (comma-separated lists allowed), every one known."""
    if names is None:
        return None
    if isinstance(names, str):
        names = [names]
    from ..contract.errors import UnusableInputError
    from ..contract.rulebook import KNOWN_RULES, closest_rule, unknown_rules

    given = {n.strip() for item in names for n in item.split(",") if n.strip()}
    unknown = unknown_rules(given)
    if unknown:
        hints = "".join(f" (did you mean '{c}'?)" for c in map(closest_rule, unknown[:1]) if c)
        raise UnusableInputError(f"{option}: no rule named {', '.join(repr(u) for u in unknown)}{hints}; "
                                 f"the rules are: {', '.join(KNOWN_RULES)}")
    return given
