"""A large resource read piece by piece: the chunks of a CSV file, the batches of a Parquet file,
each a `Table` of its own, and the columns the checks across rows keep of them (`concat`).

Which resources stream is decided here (`_streamed_as`); the thread that reads the pieces ahead
of the checks is readahead.py's.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from ..contract.findings import Finding
from ..contract.package import Package, Resource
from ..contract.schema import field_specs
from .columns import Parsed
from .tables import Table, _delimiter, _finish, _match_header, _parse_field, read_table

__all__ = ["concat", "Run", "STREAM_MIN_BYTES", "CHUNK_BYTES", "STREAM_MIN_ROWS", "PARQUET_BATCH_ROWS"]


# A CSV file at least this large (a Parquet file of this many rows) is read and checked in chunks,
# keeping only key columns.
STREAM_MIN_BYTES = 1 << 24
CHUNK_BYTES = 1 << 24
STREAM_MIN_ROWS = 1 << 18
PARQUET_BATCH_ROWS = 1 << 17


def _streamed_as(resource: Resource, stream: bool) -> str | None:
    """How the resource is read in pieces ("csv" chunks, "parquet" batches), or None: whole."""
    from ..contract.names import PARQUET_KEY
    from ..contract.schema import delegated_fields

    # A resource with fields left to frictionless is read whole (its rows are matched to lines).
    stream = stream and not delegated_fields(resource)
    if stream and resource.format == "parquet" and resource.descriptor.get("compression") is None and resource.inline is None and len(resource.paths) == 1 and resource.path.is_file():
        from .parquet import parquet_rows

        return "parquet" if parquet_rows(resource) >= STREAM_MIN_ROWS else None
    # A Parquet copy is compared with the whole CSV table, so such a resource is read whole.
    from .formats import source_of

    # Only a plain CSV file streams: compressed, handed-over or unusual dialects are read whole.
    if (stream and PARQUET_KEY not in resource.descriptor and resource.inline is None and source_of(resource).plain and len(resource.paths) == 1
            and resource.path.is_file() and resource.path.stat().st_size >= STREAM_MIN_BYTES):
        return "csv"
    return None


def _batches(package: Package, resource: Resource, kind: str | None, prepare: Callable[[Table], None] | None) -> Iterator[Table]:
    """The pieces of `iter_batches`, read in the calling thread."""
    if kind is None:
        yield read_table(package, resource)
    elif kind == "parquet":
        yield from _parquet_batches(package, resource, prepare)
    else:
        yield from _csv_chunks(package, resource, prepare)


def _csv_chunks(package: Package, resource: Resource, prepare: Callable[[Table], None] | None,
                waiting: Callable[[], bool] | None = None) -> Iterator[Table | _Typing]:
    """The chunks of a large CSV file as tables. With `waiting` (is the checking thread idle?),
    a chunk's columns are typed one by one only while the checks are busy; a chunk they wait
    for is handed over part-typed (`_Typing`) and the checking thread types the rest. So the
    work of wide tables, whose typing is slower than their checks, is shared as it comes."""
    from .csvfile import iter_chunks

    file = package.display(resource.path)
    delimiter = _delimiter(resource)
    first = True
    for chunk in iter_chunks(resource.path, delimiter=delimiter, chunk_bytes=CHUNK_BYTES, names=resource.field_names):
        n = len(next(iter(chunk.columns.values()))) if chunk.columns else 0
        raw, findings = _match_header(chunk.header, [], resource, file, columns=chunk.columns)
        lines = Run(chunk.first_line, n)  # one record per line: row numbers are the lines
        typing = _Typing(resource, file, raw, lines, findings if first else [], chunk.data, prepare)
        first = False
        if waiting is not None and not typing.type_columns(until=waiting):
            yield typing
            continue
        yield typing.table()


@dataclass(slots=True)
class _Typing:
    """A chunk read, on its way to a `Table`: its columns typed so far (`done`)."""

    resource: Resource
    file: str
    raw: pd.DataFrame
    lines: Run
    findings: list[Finding]
    data: bytes | bytearray
    prepare: Callable[[Table], None] | None
    done: dict[str, Parsed] = field(default_factory=dict)

    def type_columns(self, until: Callable[[], bool]) -> bool:
        """Type columns in turn until `until()` says stop; whether all are typed."""
        from ..contract.schema import delegated_fields

        delegated = set(delegated_fields(self.resource))
        for spec in field_specs(self.resource.schema):
            if spec.name in self.done:
                continue
            if until():
                return False
            self.done[spec.name] = _parse_field(self.raw, spec, self.resource.missing_values, delegated)
        return True

    def table(self) -> Table:
        """The chunk as a table: the columns left typed, and `prepare` done."""
        table = _finish(self.resource, self.file, self.raw, self.lines, self.findings, rownums=self.lines, done=self.done)
        table.data = self.data
        table.streamed = True
        if self.prepare is not None:
            self.prepare(table)
        return table


def _parquet_batches(package: Package, resource: Resource, prepare: Callable[[Table], None] | None) -> Iterator[Table]:
    from .csvfile import NotStreamable
    from .parquet import iter_parquet_strings

    file = package.display(resource.path)
    start = 0
    try:
        for raw, findings in iter_parquet_strings(resource, file, PARQUET_BATCH_ROWS):
            # Rows numbered as frictionless numbers them: the first is 2.
            table = _finish(resource, file, raw, None, findings, rownums=Run(start + 2, len(raw)))
            table.streamed = True
            if prepare is not None:
                prepare(table)
            start += len(raw)
            yield table
    except ValueError:
        raise NotStreamable("a damaged Parquet file") from None


class Run:
    """The numbers start, start + 1, … (n of them) without storing them: the lines of a file with
    one record per line. Indexes like the numpy array it stands for."""

    __slots__ = ("start", "n")

    def __init__(self, start: int, n: int) -> None:
        self.start, self.n = int(start), int(n)

    def __len__(self) -> int:
        return self.n

    def __getitem__(self, i: Any) -> Any:
        if isinstance(i, (int, np.integer)):
            j = int(i) + (self.n if i < 0 else 0)
            if not 0 <= j < self.n:
                raise IndexError(i)
            return self.start + j
        return np.asarray(self)[i]

    def __array__(self, dtype: Any = None, copy: Any = None) -> np.ndarray:
        return np.arange(self.start, self.start + self.n, dtype=dtype or np.int64)


def _joined(parts: list[Any]) -> Any:
    """Line or row numbers of consecutive chunks as one sequence (a Run while they are runs)."""
    if all(isinstance(p, Run) for p in parts) and all(a.start + a.n == b.start for a, b in zip(parts, parts[1:])):
        return Run(parts[0].start, sum(p.n for p in parts))
    return np.concatenate([np.asarray(p) for p in parts])


def concat(parts: list[Table], columns: set[str]) -> Table:
    """One table of all rows of `parts` (chunks of one resource) but only `columns`: what the
    checks across rows and tables need, in a fraction of the memory."""
    head = parts[0]
    keep = [c for c in head.raw.columns if c in columns]

    def stack(frames: list[pd.DataFrame]) -> pd.DataFrame:
        return pd.concat(frames, ignore_index=True) if len(frames) > 1 else frames[0].reset_index(drop=True)

    raw = stack([p.raw[keep] for p in parts])
    frame = stack([p.frame[keep] for p in parts])
    unusable = stack([p.unusable[keep] for p in parts])
    lines = _joined([p.lines for p in parts]) if head.lines is not None else None
    table = Table(head.name, head.resource, head.file, raw, frame, lines,
                  head.specs, [f for p in parts for f in p.findings], unusable, set(head.absent_columns))
    table.rownums = _joined([p.rownums for p in parts])
    table.partial = True
    if all(p.clean for p in parts):
        table.clean = True  # every chunk was scanned whole: the kept columns are clean too
    lines = [p.noncanonical_line for p in parts if p.noncanonical_line is not None]
    table.noncanonical_line = min(lines) if lines else None
    return table
