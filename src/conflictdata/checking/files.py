"""File-level checks: each file against the `bytes` and `hash` its descriptor records, and a
resource's Parquet copy against its CSV (the canonical form of the CSV files is `canonical`).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..contract.findings import Finding
from ..contract.package import Package
from ..reading.tables import Table
from .check import Check

__all__ = ["FileIntegrity", "ParquetCopy", "check_file_integrity", "check_copy_integrity", "check_parquet_copy"]


class FileIntegrity(Check):
    def end(self, tables: dict[str, Table]) -> list[Finding]:
        return [f for table in tables.values() for f in check_file_integrity(self.run.package, table)]


class ParquetCopy(Check):
    def end(self, tables: dict[str, Table]) -> list[Finding]:
        return [f for table in tables.values() for f in check_parquet_copy(self.run.package, table)]


def _integrity(package: Package, table: Table, spec: dict, file: str) -> list[Finding]:
    """`bytes` and `hash` of a file described in the descriptor, checked against the file."""
    from .integrity import sha256_file

    out: list[Finding] = []
    want_hash, want_bytes = spec.get("hash"), spec.get("bytes")
    if want_hash is None and want_bytes is None:
        return out
    path = package.root / spec["path"]
    if not path.is_file():
        return out  # reported by the reader
    size = path.stat().st_size
    if want_bytes is not None and size != want_bytes:
        out.append(Finding("error", "resource-bytes", f"the file has {size} bytes, the descriptor says {want_bytes}: it changed after the build; rebuild, or restore the file", table.name, file, None, None, str(size)))
    if isinstance(want_hash, str):
        algo, _, digest = want_hash.rpartition(":")
        if (algo or "md5") == "sha256":
            actual = sha256_file(path)
            if actual != digest:
                out.append(Finding("error", "resource-hash", f"the file's sha256 is {actual}, the descriptor says {digest}: it changed after the build; rebuild, or restore the file", table.name, file, None, None, actual))
    return out


def check_file_integrity(package: Package, table: Table) -> list[Finding]:
    res = table.resource.descriptor
    out = _integrity(package, table, {"path": table.resource.relpath, **res}, table.file) if len(table.resource.paths) == 1 else []
    return out + check_copy_integrity(package, table)


def check_copy_integrity(package: Package, table: Table) -> list[Finding]:
    """`bytes` and `hash` of the resource's Parquet copy against the descriptor."""
    from ..contract.names import PARQUET_KEY

    alt = table.resource.descriptor.get(PARQUET_KEY)
    if isinstance(alt, dict) and isinstance(alt.get("path"), str):
        return _integrity(package, table, alt, package.display(package.root / alt["path"]))
    return []


def check_parquet_copy(package: Package, table: Table, rows: tuple[int, int] | None = None) -> list[Finding]:
    """A resource's Parquet copy is valid for its schema and holds exactly the CSV's rows and values.

    `rows` = (first, count): `table` is a run of the CSV's rows (a file read in byte ranges, in its
    order, which is then primary-key order), compared with the copy's rows first … first + count - 1
    only; the number of rows is then the caller's to compare (spark/chain.py)."""
    from dataclasses import replace

    from ..contract.names import PARQUET_KEY
    from ..contract.package import safe_join
    from ..reading.tables import _finish, read_table

    alt = table.resource.descriptor.get(PARQUET_KEY)
    if not isinstance(alt, dict) or not isinstance(alt.get("path"), str):
        return []
    try:
        path = safe_join(package.root, alt["path"], what="parquet path", where=f"resource {table.name!r}")
    except Exception as exc:  # UnusableInputError: report it as a finding of this table
        return [Finding("error", "parquet", str(exc), table.name, table.file)]
    if not path.is_file():
        return [Finding("error", "parquet", f"the Parquet copy {alt['path']} is missing; rebuild with `conflictdata build`", table.name, package.display(path))]
    resource = replace(table.resource, paths=[path], relpaths=[alt["path"]], format="parquet")
    if rows is None:
        copy = read_table(package, resource)
    else:
        from ..reading.parquet import read_parquet_slice

        file = package.display(path)
        raw, findings = read_parquet_slice(resource, file, *rows)
        copy = _finish(resource, file, raw, None, findings, rownums=np.arange(rows[0] + 2, rows[0] + 2 + len(raw), dtype=np.int64))
    out = [f for f in copy.findings]
    if out:
        return out
    from .canonical import canonical_order

    mine = (table.frame.loc[canonical_order(table)] if rows is None else table.frame).reset_index(drop=True)
    theirs = copy.frame.reset_index(drop=True)
    if len(mine) != len(theirs):
        if rows is not None:
            return []  # the copy ends within this run: the caller reports the counts
        return [Finding("error", "parquet-mismatch", f"the Parquet copy has {len(theirs)} rows, the CSV {len(mine)}; rebuild with `conflictdata build`", table.name, copy.file)]
    first = 0 if rows is None else rows[0]
    for col in mine.columns:
        a, b = mine[col].astype(object), theirs[col].astype(object)
        same = (a.isna() & b.isna()) | (a == b).fillna(False).astype(bool)
        for i in np.flatnonzero(~same.to_numpy(dtype=bool))[:20]:
            out.append(Finding("error", "parquet-mismatch", f"row {first + i + 1} (in primary-key order) differs from the CSV: {a.iat[i]!r} in CSV, {b.iat[i]!r} in Parquet; rebuild with `conflictdata build`",
                               table.name, copy.file, None, col, None if pd.isna(b.iat[i]) else str(b.iat[i])))
    return out
