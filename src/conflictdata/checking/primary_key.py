"""The primary key: each appears once. A streamed table proves it chunk by chunk when its keys
come in strict order (the usual case); otherwise its key columns are checked whole.
"""

from __future__ import annotations

import numpy as np
import pyarrow as pa

from ..contract.findings import Finding
from ..reading.columns import arrow_strings, is_missing
from ..reading.readahead import iter_batches
from ..reading.stream import concat
from ..reading.tables import Table, subset
from .check import Check
from .keys import KeyOrder, first_at

__all__ = ["PrimaryKey", "check_primary_key"]


class PrimaryKey(Check):
    """Follows the key order of a streamed table's chunks; checks the keys once every table is read."""

    def __init__(self) -> None:
        self._order = KeyOrder()
        self._streamed = False

    def start(self, name: str) -> None:
        self._order, self._streamed = KeyOrder(), False

    def chunk(self, chunk: Table) -> tuple:
        if not chunk.streamed:  # the whole table in one piece: checked the general way
            return ()
        self._streamed = True
        pk = chunk.resource.primary_key
        if pk and not any(c in chunk.absent_columns for c in pk):
            self._order.add([arrow_strings(chunk.raw[c]) for c in pk], [pa.array(chunk.frame[c]) for c in pk])
        return ()

    def read(self, table: Table) -> None:
        pk = [c for c in table.resource.primary_key]
        if not (pk and self._streamed):
            return
        order = self._order
        table.keys_unique = order.unique
        table.keys_ordered = order.ordered
        if not (order.unique and order.ordered) and not set(pk) <= set(table.raw.columns):
            # The chunks cannot prove it, and the key was not kept: read the key columns whole
            # and check them the general way.
            table.key_table = concat([subset(c, set(pk)) for c in iter_batches(self.run.package, table.resource)], set(pk))

    def end(self, tables: dict[str, Table]) -> list[Finding]:
        return [f for table in tables.values() if table.keys_unique is not True
                for f in check_primary_key(table.key_table if table.key_table is not None else table)]


def check_primary_key(table: Table) -> list[Finding]:
    """Each primary key appears once; later duplicates are reported with the line of the first."""
    pk = table.resource.primary_key
    if not pk or any(c in table.absent_columns for c in pk):
        return []
    # A blank row has an empty key: frictionless reports it as a primary-key error too, and so
    # do we (row numbers agree with its report).
    blank = [Finding("error", "primary-key", f"the blank row has no primary key ({', '.join(pk)}); delete the row",
                     table.name, f.file, f.line, None, None, row=f.row) for f in table.findings if f.rule == "blank-row"]
    from ..reading.columns import in_order
    from .keys import repeats

    if not blank and in_order([arrow_strings(table.raw[c]) for c in pk], strict=True):
        return []  # sorted with no two keys equal: no duplicate (the usual case; no hashing 10^6 keys)

    columns = [arrow_strings(table.raw[c]) for c in pk]
    complete = np.ones(len(table.raw), dtype=bool)
    for col in columns:
        complete &= ~np.asarray(is_missing(col, table.resource.missing_values).to_numpy(zero_copy_only=False), dtype=bool)
    out = []
    for i, j in repeats(columns, complete):
        first = first_at(table.line(j), table.rownum(j))
        value = ",".join(str(table.raw[c].iat[i]) for c in pk)
        out.append(table.finding(int(i), ",".join(pk), "primary-key",
                                 f"primary key ({', '.join(pk)}) = ({value}) already used on {first}; "
                                 "give this row a new id, or merge the two rows", value=value))
    return blank + out
