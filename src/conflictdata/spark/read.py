"""Reading files on Spark's executors, one file per task, with the local engine's reader.

Spark's `binaryFile` source hands each file to one task whole; the task parses it with
conflictdata's own CSV reader (`csvfile.read_csv`, through `tables._read_csv_part`), which counts
physical lines while it parses. A record's line is therefore the line it starts on even when a
quoted cell before it spans several lines, and every file-level finding (encoding, csv-syntax,
wrong-delimiter, unquoted-delimiter, extra-cell, missing-cell, blank-row, header) is exactly the
local engine's. The unit of parallelism is the file: a resource of many files (`"path": [...]`)
is read by many tasks at once. A file of at least one byte range (`spark.conflictdata.rangeBytes`,
128 MiB) is read in runs of whole records instead, each by its own task (`parse_units`; ranges.py
says how the runs are found), with the same records, lines, rows and findings.

A one-file Parquet resource is read the same way, through the local engine's string view of its
columns (`parquet.read_parquet_strings`): rows numbered from 2, no lines.

All files of the resources are read by one job into one DataFrame (`RECORD`): per file one
`meta` record (JSON: its findings, the columns its header lacks, its last row number, its size and
sha256, and the findings of the checks the task ran on the file — tasks.py), and per data record a
`row` record: the resource, the file's index in it, the record's
line and row number, and its cells in schema order (None where the record was short: such a cell
was reported once, as missing-cell, and is not checked again).
"""

from __future__ import annotations

import hashlib
import io
from collections.abc import Iterator
from dataclasses import replace
from typing import Any

from ._local import PARQUET_KEY, shift_row

__all__ = ["Job", "parse_batches", "parse_units", "finding_tuple", "FINDING_FIELDS", "RECORD"]

RECORD = "kind string, table string, _f int, _line long, _row long, cells array<string>, meta string"

# What the reader finds in a run of records (the rest are the file's, found once).
_RECORD_RULES = {"csv-syntax", "blank-row", "extra-cell", "missing-cell", "unquoted-delimiter"}

FINDING_FIELDS = ("severity", "rule", "message", "table", "file", "line", "column", "value", "row")


class Job:
    """What a task needs to read the files of one resource (pickled to the executors)."""

    def __init__(self, resources: dict[str, Any], files: dict[str, tuple[str, int, str]], delimiters: dict[str, str],
                 checks: Any = None, units: list[Any] | None = None) -> None:
        self.resources = resources
        # normalised path → (resource, index in the resource's paths, the name findings use)
        self.files = files
        self.delimiters = delimiters
        self.checks = checks  # tasks.Checks: what else each task checks of its file (None: nothing)
        # The runs of records of the files read in ranges (ranges.Unit), and what their tasks check
        # (not the canonical form and the Parquet copy, which need the whole file).
        self.units = units or []
        self.unit_checks = None if checks is None else replace(checks, canonical=False, copies=False)


class _Bytes:
    """A file's bytes where the reader expects a path (it only reads it)."""

    def __init__(self, data: bytes) -> None:
        self.data = data

    def read_bytes(self) -> bytes:
        return self.data

    def open(self, mode: str = "rb") -> io.BytesIO:
        return io.BytesIO(self.data)


class _Names:
    """Stands in for the package where the reader asks only for a file's display name."""

    def __init__(self, file: str) -> None:
        self.file = file

    def display(self, path: Any) -> str:
        return self.file


def finding_tuple(f: Any) -> tuple:
    return tuple(getattr(f, k) for k in FINDING_FIELDS)


def normalise(uri: str) -> str:
    """One spelling of a file's URI (`file:/x`, `file:///x` and `/x` are the same file)."""
    if uri.startswith("file://"):
        uri = uri[len("file://"):]
    elif uri.startswith("file:"):
        uri = uri[len("file:"):]
    return uri


def parse_batches(batches: Iterator[Any], job: Job) -> Iterator[Any]:
    """`mapInArrow` over Spark's `binaryFile` rows: each file's records as Arrow batches of
    `RECORD` (columns cross to the JVM as Arrow, not row by row)."""
    import numpy as np
    import pyarrow as pa

    for batch in batches:
        paths, contents = batch.column("path").to_pylist(), batch.column("content")
        for i, uri in enumerate(paths):
            name, index, file = job.files[normalise(uri)]
            yield from _file_batches(name, index, file, contents[i].as_py(), job, np, pa)


def parse_units(batches: Iterator[Any], job: Job) -> Iterator[Any]:
    """`mapInArrow` over the numbers of `job.units` (ranges.py): each run of records of a large
    file read here, from its own bytes, with the header record put before it; its records and
    findings numbered by their place in the whole file."""
    import numpy as np
    import pyarrow as pa

    from .ranges import read_span

    for batch in batches:
        for u in batch.column("u").to_pylist():
            unit = job.units[u]
            data = read_span(unit.uri, unit.start, unit.end)
            yield from _file_batches(unit.table, unit.index, unit.file, data if unit.head is None else unit.head + data, job, np, pa, u)


def _file_batches(name: str, index: int, file: str, content: bytes, job: Job, np: Any, pa: Any, u: int | None = None) -> Iterator[Any]:
    import json

    res = job.resources[name]
    unit = job.units[u] if u is not None else None
    raw, lines, rownums, findings, short, text = _parse(res, file, content, job.delimiters[name], np, unit)
    checks = job.checks
    if unit is not None:
        # A run of records of a ranged file: lines and rows shifted to their place in the file; the
        # file-level findings (encoding, the header's) come once, from the plan and the first run.
        dl, dr = unit.line - unit.head_lines - 1 if unit.head is not None else 0, unit.rec - 2 if unit.head is not None else 0
        lines, rownums = np.asarray(lines, dtype=np.int64) + dl, np.asarray(rownums, dtype=np.int64) + dr
        findings = [shift_row(replace(f, line=f.line + dl if f.line is not None else None), dr) for f in findings
                    if f.rule != "encoding" and (unit.head is None or f.rule in _RECORD_RULES)]
        checks = job.unit_checks
    meta = {"findings": [finding_tuple(f) for f in findings], "absent": sorted(raw.attrs.get("absent", set())),
            "last": int(rownums[-1] if len(rownums) else 1), "bytes": len(content),
            "sha256": hashlib.sha256(content).hexdigest() if unit is None else None, "rows": len(raw), "checks": [], "unit": u}
    if checks is not None:
        from ._local import _finish
        from .tasks import canonical_applies, check_table, run_canonical

        table = _finish(res, file, raw, lines, list(findings), rownums=np.asarray(rownums, dtype=np.int64))
        table.text = text
        for i, missing in short.items():
            table.unusable.loc[i, [n for n in missing if n in table.unusable.columns]] = True
        meta["checks"] = [finding_tuple(f) for f in check_table(checks, table, content if unit is None else None)]
        if unit is not None and canonical_applies(job.checks, res):
            meta["canonical"] = run_canonical(table, content, unit)
        if unit is not None and job.checks is not None and job.checks.copies and PARQUET_KEY in res.descriptor:
            # The run against its rows of the Parquet copy, assuming every record before it is a
            # data row in key order; the driver keeps the verdict only if so (chain.copy_findings).
            from ._local import check_parquet_copy

            before = unit.rec - 2 if unit.head is not None else 0  # the first run starts at the file's start
            meta["copy"] = [finding_tuple(f) for f in check_parquet_copy(job.checks.package, table, rows=(before, len(table.frame)))]
    yield _batch(pa, ["meta"], name, [index], [None], [None], pa.array([None], pa.list_(pa.string())), [json.dumps(meta)])
    n, width = len(raw), len(raw.columns)
    if not n:
        return
    # The cells as Arrow strings, column after column (zero-copy from the fast reader's columns:
    # no Python string per cell), taken row by row into each batch's lists.
    import pyarrow.compute as pc

    from ._local import arrow_strings

    cols = []
    for col in raw.columns:
        arr = arrow_strings(raw[col])
        arr = arr.combine_chunks() if isinstance(arr, pa.ChunkedArray) else arr
        cols.append(arr.cast(pa.large_string()))
    flat = pa.concat_arrays(cols)
    if short:
        # The padded cells of a short record: reported as missing-cell, not checked again.
        padded = np.zeros(n * width, dtype=bool)
        for i, missing in short.items():
            for j, h in enumerate(raw.columns):
                if h in missing:
                    padded[j * n + i] = True
        flat = pc.if_else(pa.array(padded), pa.scalar(None, pa.large_string()), flat)
    step = 1 << 16
    for lo in range(0, n, step):
        hi = min(n, lo + step)
        take = (np.arange(width, dtype=np.int64) * n + np.arange(lo, hi, dtype=np.int64)[:, None]).ravel()
        lists = pa.ListArray.from_arrays(pa.array(np.arange(0, (hi - lo) * width + 1, width, dtype=np.int32)), flat.take(take).cast(pa.string()))
        yield _batch(pa, ["row"] * (hi - lo), name, [index] * (hi - lo), None if lines is None else np.asarray(lines[lo:hi], dtype=np.int64),
                     np.asarray(rownums[lo:hi], dtype=np.int64), lists, [None] * (hi - lo))


def _parse(res: Any, file: str, content: bytes, delimiter: str, np: Any, unit: Any = None) -> tuple:
    """(raw strings, lines or None, row numbers, reader findings, row → its padded fields, text)
    of one file, as the local engine reads it: CSV by its reader, Parquet by its string view. A
    run of records of a ranged file (`unit`) is read with the header on its first line, as the
    plan found it (the local reader would guess it again from the run)."""
    from ._local import _match_header, _read_csv_part

    if res.format == "parquet":
        import pyarrow as pa
        from dataclasses import replace

        from ._local import read_parquet_strings

        raw, findings = read_parquet_strings(replace(res, paths=[pa.BufferReader(content)]), file)
        return raw, None, np.arange(len(raw), dtype=np.int64) + 2, findings, {}, ""
    dialect = None
    if unit is not None:
        from dataclasses import replace

        from ._local import source_of

        dialect = replace(source_of(res).dialect, header_rows=(1,))
    part = _read_csv_part(_Names(file), res, _Bytes(content), delimiter, dialect)
    raw, header_findings = _match_header(part.header, part.rows, res, file, columns=part.columns)
    short = {i: set(part.header[present:]) for i, present in part.short.items()}
    return raw, part.lines, part.rownums, part.findings + header_findings, short, part.text


def _batch(pa: Any, kind: list, table: str, f: list, line: Any, row: Any, cells: Any, meta: list) -> Any:
    n = len(kind)
    return pa.RecordBatch.from_arrays(
        [pa.array(kind, pa.string()), pa.array([table] * n, pa.string()), pa.array(f, pa.int32()), pa.array(line, pa.int64()) if line is not None else pa.nulls(n, pa.int64()),
         pa.array(row, pa.int64()), cells, pa.array(meta, pa.string())],
        names=["kind", "table", "_f", "_line", "_row", "cells", "meta"])


def first_above(job: Job, item: tuple[int, list[str]]) -> int | None:
    """The line of the first record of run `u` whose key sorts after `bound` (the smallest key of
    the runs after it), for a file not in canonical order (a second read of the run)."""
    import numpy as np
    import pandas as pd

    from .ranges import read_span
    from .tasks import keys_table

    u, bound = item
    unit = job.units[u]
    res = job.resources[unit.table]
    data = read_span(unit.uri, unit.start, unit.end)
    raw, lines, *_ = _parse(res, unit.file, data if unit.head is None else unit.head + data, job.delimiters[unit.table], np, unit)
    keys = [c for c in res.row_key if c in raw.columns]
    table = keys_table(res, {c: pd.concat([raw[c].astype(object), pd.Series([b], dtype=object)], ignore_index=True) for c, b in zip(keys, bound)})
    from ._local import fmt

    order = fmt.canonical_order(table).to_numpy()
    after = order[int(np.flatnonzero(order == len(raw))[0]) + 1 :]
    shift = unit.line - unit.head_lines - 1 if unit.head is not None else 0
    return int(lines[int(after.min())]) + shift if len(after) else None
