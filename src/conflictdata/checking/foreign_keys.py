"""Foreign keys: looked up chunk by chunk in the tables already read, or at the end.

The engine reads referenced tables first (`validation.Plan`): a single-field foreign key into a
table already read is looked up for each chunk in that table's `KeyIndex`; the others (into the
table itself, a cycle, or over several fields) wait until every table is read.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pyarrow as pa

from ..contract.findings import Finding
from ..reading.columns import arrow_strings, is_missing
from ..reading.tables import Table
from .check import Check
from .keys import KeyIndex, Lookup

__all__ = ["ForeignKeys", "check_foreign_keys"]


class ForeignKeys(Check):
    """Looks up each chunk's foreign keys (and hands the lookups to the constraint checks), builds
    the index of each column other tables refer to once its table is read, and checks the rest at
    the end."""

    def __init__(self) -> None:
        self.indexes: dict[tuple[str, str], KeyIndex] = {}
        self._matched: dict[str, list[dict[str, np.ndarray]]] = {}  # of the indexed columns, chunk by chunk

    def start(self, name: str) -> None:
        self._matched = {}

    def chunk(self, chunk: Table) -> list[Finding]:
        fk_findings, self.run.lookups = self._foreign_keys(chunk)
        for field in self.run.plan.indexed.get(chunk.name, ()):
            if field in chunk.parsed:
                self._matched.setdefault(field, []).append(chunk.parsed[field].matched)
        return fk_findings

    def read(self, table: Table) -> None:
        for field in self.run.plan.indexed.get(table.name, ()):  # keys other tables refer to: ready for their chunks
            if field in table.raw.columns and field not in table.absent_columns:
                self.indexes[(table.name, field)] = KeyIndex(arrow_strings(table.raw[field]), self.matched(field))

    def end(self, tables: dict[str, Table]) -> list[Finding]:
        for (name, _field), index in self.indexes.items():
            tables[name].referenced.update(index.referenced())
        return check_foreign_keys(tables, only=self.run.plan.late_fks)

    def matched(self, field: str) -> dict[str, np.ndarray]:
        """The pattern verdicts of an indexed column, for the whole table, by pattern."""
        parts = self._matched.get(field, [])
        patterns = set.intersection(*(set(p) for p in parts)) if parts else set()
        return {pattern: np.concatenate([p[pattern] for p in parts]) for pattern in patterns}

    def _foreign_keys(self, chunk: Table) -> tuple[list[Finding], dict[str, Lookup]]:
        """Foreign keys into tables already read, looked up for this chunk's rows; and the lookups
        by field, which the constraint checks reuse."""
        out: list[Finding] = []
        lookups: dict[str, Lookup] = {}
        for fk in self.run.plan.chunk_fks.get(chunk.name, []):
            field, ref_name, ref_field = fk["fields"][0], fk["resource"], fk["ref_fields"][0]
            index = self.indexes.get((ref_name, ref_field))
            if index is None or field in chunk.absent_columns:
                continue  # the referenced column is absent: reported as missing-column
            values = arrow_strings(chunk.raw[field])
            parsed = chunk.parsed.get(field)
            missing = parsed.missing if parsed is not None else is_missing(values, chunk.resource.missing_values).to_numpy(zero_copy_only=False)
            present = ~np.asarray(missing, dtype=bool)
            found, pos = index.lookup(values)
            lookups[field] = Lookup(index, found, pos)
            index.mark((chunk.name, field), pos, found & present)
            ref = self.run.tables[ref_name]
            for i in np.flatnonzero(present & ~found):
                value = chunk.raw[field].iat[int(i)]
                out.append(chunk.finding(int(i), field, "foreign-key", f"'{value}' has no match in {ref_name}.{ref_field} ({ref.file}); "
                                         "use an existing id or add the row there", value=value))
        return out, lookups


def check_foreign_keys(tables: dict[str, Table], only: set[tuple[str, int]] | None = None) -> list[Finding]:
    """Every foreign key with all its fields present resolves to a row of the referenced table.

    `only`: the (table, index of foreign key) to check here (the others were looked up chunk by chunk).
    """
    out: list[Finding] = []
    for table in tables.values():
        for n, fk in enumerate(table.resource.foreign_keys):
            if only is not None and (table.name, n) not in only:
                continue
            fields, ref_name, ref_fields = fk["fields"], fk["resource"], fk["ref_fields"]
            ref = tables.get(ref_name)
            if ref is None:
                out.append(Finding("error", "foreign-key", f"foreign key ({', '.join(fields)}) references resource '{ref_name}', which the package does not have; fix the schema", table.name, table.file, 1, ",".join(fields)))
                continue
            if any(f in table.absent_columns for f in fields) or any(f in ref.absent_columns for f in ref_fields):
                continue
            if len(fields) == 1:
                # Only the cells that hold a value are looked up, by binary search in the
                # referenced column (a self-reference over 10^7 ids: no hash set of them all).
                values = table.raw[fields[0]]
                strings = arrow_strings(values)
                present = ~np.asarray(is_missing(strings, table.resource.missing_values).to_numpy(zero_copy_only=False), dtype=bool)
                rows = np.flatnonzero(present)
                found, _ = KeyIndex(arrow_strings(ref.raw[ref_fields[0]])).lookup(strings.take(pa.array(rows)))
                dangling = np.zeros(len(values), dtype=bool)
                dangling[rows[~found]] = True
            else:
                keys = table.raw[fields]
                present = ~keys.isin(table.resource.missing_values).any(axis=1)
                target = set(map(tuple, ref.raw[ref_fields].itertuples(index=False, name=None)))
                values = pd.Series(list(keys.itertuples(index=False, name=None)), index=keys.index, dtype=object)
                dangling = (present & ~values.isin(target)).to_numpy(dtype=bool)
            for i in np.flatnonzero(dangling):
                v = values.iat[int(i)]
                value = v if isinstance(v, str) else ",".join(v)
                out.append(table.finding(int(i), ",".join(fields), "foreign-key",
                                         f"'{value}' has no match in {ref_name}.{','.join(ref_fields)} ({ref.file}); "
                                         f"use an existing id or add the row there", value=value))
    return out
