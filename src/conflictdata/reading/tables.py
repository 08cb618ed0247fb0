"""Reading a package's resources into typed tables that remember where each row came from.

A `Table` keeps three views of one resource: the raw strings as written (for messages and the
canonical form), the typed frame (for checks and `load()`), and the line in the file where each
row starts (for findings). Problems met while reading become findings on the table.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from .csvfile import BOM, read_csv
from ..contract.findings import Finding, Severity
from ..contract.package import Package, Resource
from .columns import Parsed, parse
from ..contract.schema import FieldSpec, field_specs

__all__ = ["Table", "read_table", "iter_batches", "ReadAhead", "concat", "TYPE_HINTS", "isin", "STREAM_MIN_BYTES"]


def isin(values: pd.Series, allowed: Any) -> np.ndarray:
    """`values.isin(allowed)` for string columns, through Arrow's hash kernel (pandas' is far
    slower on large pyarrow-backed string columns)."""
    import pyarrow as pa
    import pyarrow.compute as pc

    from .columns import arrow_strings

    left = arrow_strings(values)
    right = arrow_strings(allowed) if isinstance(allowed, pd.Series) else pa.array([str(v) for v in allowed], type=pa.string())
    if isinstance(right, pa.ChunkedArray):
        right = right.combine_chunks() if right.num_chunks != 1 else right.chunk(0)
    if right.type != left.type:
        right = right.cast(left.type)
    return np.asarray(pc.fill_null(pc.is_in(left, value_set=right, skip_nulls=True), False).to_numpy(zero_copy_only=False), dtype=bool)

TYPE_HINTS = {
    "integer": "a whole number written with digits only (no separators, no decimals)",
    "number": "a number with '.' as decimal separator",
    "boolean": "true or false",
    "date": "a real calendar day written YYYY-MM-DD",
    "string": "text",
}


@dataclass(slots=True)
class Table:
    """One resource read from disk."""

    name: str
    resource: Resource
    file: str
    raw: pd.DataFrame
    frame: pd.DataFrame
    lines: np.ndarray | None
    specs: list[FieldSpec]
    findings: list[Finding] = field(default_factory=list)
    # Cells that could not be checked further: their type was wrong, or the column is absent.
    unusable: pd.DataFrame | None = None
    absent_columns: set[str] = field(default_factory=set)
    text: str = ""
    rownums: np.ndarray | None = None
    # Each column's Arrow view, for the column checks (columns.py).
    parsed: dict[str, Parsed] = field(default_factory=dict)
    # Whether every cell is already NFC and trimmed (checking/canonical.py asks; None: not yet known).
    clean: bool | None = None
    # Fields the fast path reads as text and leaves to frictionless (delegated.py).
    delegated: set[str] = field(default_factory=set)
    # A chunk of a large file: its bytes. `partial`: only some columns were kept (`concat`).
    data: bytes | None = None
    streamed: bool = False
    partial: bool = False
    # The first line `conflictdata fmt` would change, as found chunk by chunk (row order aside).
    noncanonical_line: int | None = None
    # Of a partial table: whether its chunks proved the primary keys unique and in canonical order
    # (None: not known, check the keys); if not, the key columns read whole.
    keys_unique: bool | None = None
    keys_ordered: bool | None = None
    key_table: "Table | None" = None
    # Rows other tables refer to, by (table, field) of the foreign key (set by validation).
    referenced: dict[tuple[str, str], np.ndarray] = field(default_factory=dict)

    def line(self, i: int) -> int | None:
        return int(self.lines[i]) if self.lines is not None else None

    def rownum(self, i: int) -> int:
        return int(self.rownums[i]) if self.rownums is not None else i + 2

    def finding(self, i: int | None, column: str | None, rule: str, message: str,
                severity: Severity = "error", value: Any = None) -> Finding:
        """A finding about row position `i` (None: the whole file) of this table."""
        if value is None and i is not None and column in self.raw.columns:
            value = self.raw[column].iat[i]
        line = self.line(i) if i is not None else 1
        return Finding(severity, rule, message, self.name, self.file, line, column,
                       None if value is None else str(value), row=self.rownum(i) if i is not None else None)


def _parse_field(raw: pd.DataFrame, spec: FieldSpec, missing_values: list[str], delegated: set[str]) -> Parsed:
    from dataclasses import replace

    # A field left to frictionless (delegated.py) is read as text here.
    return parse(raw[spec.name], replace(spec, type="string") if spec.name in delegated else spec, missing_values)


def _typed(raw: pd.DataFrame, specs: list[FieldSpec], missing_values: list[str],
           delegated: set[str] = frozenset(), done: dict[str, Parsed] | None = None) -> tuple[pd.DataFrame, pd.DataFrame, dict[str, Parsed]]:
    """The columns typed (those in `done` already were)."""
    done = done or {}
    parsed = {spec.name: done.get(spec.name) or _parse_field(raw, spec, missing_values, delegated) for spec in specs}
    frame = pd.DataFrame({n: p.typed for n, p in parsed.items()}, index=raw.index)
    bad = pd.DataFrame({n: p.bad for n, p in parsed.items()}, index=raw.index)
    return frame, bad, parsed


def read_table(package: Package, resource: Resource) -> Table:
    """Read one resource (CSV or Parquet) into a `Table`; never raises on bad content."""
    file = package.display(resource.path) if resource.paths else resource.relpath
    if resource.inline is not None:
        header, rows = _inline_rows(resource.inline, resource.field_names)
        raw, findings = _match_header(header, rows, resource, file)
        return _finish(resource, file, raw, None, findings)
    if resource.format == "parquet":
        from .parquet import read_parquet_strings

        raw, findings = read_parquet_strings(resource, file)
        lines = None
    else:
        delimiter = _delimiter(resource)
        try:
            parts = [_read_csv_part(package, resource, p, delimiter) for p in resource.paths]
        except OSError as exc:
            f = Finding("error", "file", f"cannot read the file ({exc.strerror or exc}); check the resource path in datapackage.json", resource.name, file, None)
            return _empty(resource, file, [f])
        first = parts[0]
        findings = [f for p in parts for f in p.findings]
        rows = [r for p in parts for r in p.rows]
        lines = np.concatenate([np.asarray(p.lines, dtype=np.int64) for p in parts]) if parts else np.array([], dtype=np.int64)
        # Multipart resources number their rows as one stream (frictionless does the same).
        offsets = np.cumsum([0] + [(p.rownums[-1] - 1) if p.rownums else 0 for p in parts[:-1]])
        rownums = np.concatenate([np.asarray(p.rownums, dtype=np.int64) + off for p, off in zip(parts, offsets)]) if parts else np.array([], dtype=np.int64)
        columns = first.columns if len(parts) == 1 else None
        raw, header_findings = _match_header(first.header, rows, resource, file, columns=columns)
        findings += header_findings
        table = _finish(resource, file, raw, lines, findings, rownums=rownums)
        table.text = first.text
        if len(parts) == 1:
            for row, present in first.short.items():
                for name in first.header[present:]:
                    if name in table.unusable.columns:
                        table.unusable.loc[row, name] = True
        return table
    return _finish(resource, file, raw, lines, findings)


def _read_csv_part(package: Package, resource: Resource, path: Path, delimiter: str) -> Any:
    """One file of a CSV resource, read so that a wrong delimiter is one finding, not a cascade:
    a record with an unquoted delimiter in a cell is read as meant (delimiters.py), and a file
    separated by another delimiter than its dialect's is read with that one."""
    from .delimiters import delimiter_name, sniff_delimiter, stray_delimiter_judge
    from ..contract.schema import field_specs

    file = package.display(path)

    def judge(header: list[str]) -> Any:
        return stray_delimiter_judge(header, field_specs(resource.schema), resource.missing_values, delimiter)

    names = resource.field_names
    with path.open("rb") as fh:
        head = fh.readline().removeprefix(BOM).decode("utf-8", errors="replace").rstrip("\r\n")
    other = sniff_delimiter(head, names, delimiter)
    if other is None:
        return read_csv(path, table=resource.name, file=file, delimiter=delimiter, repair=_Lazy(judge))
    import json

    part = read_csv(path, table=resource.name, file=file, delimiter=other)
    own = "save as CSV with commas" if delimiter == "," else f"save it {delimiter_name(delimiter)}-separated"
    part.findings.insert(0, Finding("error", "wrong-delimiter",
                                    f"looks {delimiter_name(other)}-separated: {own}, or set the dialect "
                                    f"(\"dialect\": {{\"delimiter\": {json.dumps(other)}}} on resource {resource.name} in datapackage.json)",
                                    resource.name, file, 1))
    return part


class _Lazy:
    """The stray-delimiter judge of a file, built only when a record first needs it (most never do)."""

    def __init__(self, make: Callable[[list[str]], Any]) -> None:
        self._make = make
        self._judge: Any = None

    def __call__(self, record: list[str], header: list[str]) -> Any:
        if self._judge is None:
            self._judge = self._make(header)
        return self._judge(record)


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


# A CSV file at least this large (a Parquet file of this many rows) is read and checked in chunks,
# keeping only key columns.
STREAM_MIN_BYTES = 1 << 24
CHUNK_BYTES = 1 << 24
STREAM_MIN_ROWS = 1 << 18
PARQUET_BATCH_ROWS = 1 << 17


def iter_batches(package: Package, resource: Resource, *, stream: bool = True) -> Iterator[Table]:
    """The resource as one `Table`, or — a large plain CSV file with `stream` — a `Table` per
    chunk of whole lines (`Table.data` holds the chunk's bytes). A file that turns out not to be
    plain midway raises `NotStreamable`: start again with `stream=False`.

    Chunks are read and parsed in a background thread, while the caller checks the previous
    chunk (the work is mostly Arrow's, which runs outside the GIL). A validation reads all its
    tables this way through one `ReadAhead`.
    """
    kind = _streamed_as(resource, stream)
    if kind is None:
        yield read_table(package, resource)
        return
    # Reading and parsing the next chunk overlaps with checking this one (on the other core).
    yield from _prefetched(_batches(package, resource, kind, None))


def _streamed_as(resource: Resource, stream: bool) -> str | None:
    """How the resource is read in pieces ("csv" chunks, "parquet" batches), or None: whole."""
    from ..contract.names import PARQUET_KEY
    from ..contract.schema import delegated_fields

    # A resource with fields left to frictionless is read whole (its rows are matched to lines).
    stream = stream and not delegated_fields(resource)
    if stream and resource.format == "parquet" and resource.inline is None and len(resource.paths) == 1 and resource.path.is_file():
        from .parquet import parquet_rows

        return "parquet" if parquet_rows(resource) >= STREAM_MIN_ROWS else None
    # A Parquet copy is compared with the whole CSV table, so such a resource is read whole.
    if (stream and PARQUET_KEY not in resource.descriptor and resource.inline is None and resource.format in ("csv", "tsv") and len(resource.paths) == 1
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


class ReadAhead:
    """The resources of a validation, read one after another by one background thread, in the
    order they are checked: while the caller finishes one table (its last chunk, its keys), the
    next is already being read, so neither core waits at the seams between tables.

    `batches(name)` gives what `iter_batches(stream=True)` would; each table's reading error
    (`NotStreamable`…) is raised when its turn comes. At most two pieces are in memory ahead.
    """

    _END = object()

    def __init__(self, package: Package, names: list[str], prepare: Callable[[Table], None] | None) -> None:
        import threading

        waiting = threading.Event()  # set while the checking thread waits for the next piece

        def tables() -> Iterator[tuple[str, Any, BaseException | None]]:
            from .csvfile import NotStreamable

            for name in names:
                resource = package.resources[name]
                kind = _streamed_as(resource, True)
                pieces = _csv_chunks(package, resource, prepare, waiting.is_set) if kind == "csv" else _batches(package, resource, kind, prepare)
                while True:
                    try:
                        table = next(pieces)
                    except StopIteration:
                        yield name, self._END, None
                        break
                    except Exception as exc:  # this table's: raised in its turn, not the current one's
                        yield name, None, exc
                        if not isinstance(exc, NotStreamable):
                            return
                        break
                    yield name, table, None

        self._items = _prefetched(tables(), waiting)

    def batches(self, name: str) -> Iterator[Table]:
        for got, item, exc in self._items:
            if got != name:
                continue  # what is left of a table whose checks stopped early (read whole)
            if exc is not None:
                raise exc
            if item is self._END:
                return
            yield item.table() if isinstance(item, _Typing) else item

    def close(self) -> None:
        self._items.close()


# Freed memory the allocators may keep for reuse before it is handed back (`_release_memory`).
RELEASE_SLACK = 128 << 20
_RELEASED_AT: list[int] = [0]


def _release_memory() -> None:
    """Hand memory freed by the last chunks back to the system, once the process has grown by
    `RELEASE_SLACK` since it last did. Allocators keep freed pages for reuse (Arrow's mimalloc;
    glibc's per-thread arenas, one per reading thread), and over a stream of 10^7 rows that
    cache, not live data, would set the peak (3.2 GB for 1 GB live). Handing back after every
    chunk instead costs a page fault for every page the next chunk touches: a fifth of the time."""
    rss = _resident_bytes()
    if rss is not None and rss < _RELEASED_AT[0] + RELEASE_SLACK:
        return
    import pyarrow as pa

    pa.default_memory_pool().release_unused()
    trim = _malloc_trim()
    if trim is not None:
        trim(0)
    _RELEASED_AT[0] = _resident_bytes() or 0


def _resident_bytes() -> int | None:
    """The process's resident memory now (None where /proc is not: then memory is always released)."""
    import os

    try:
        with open("/proc/self/statm", "rb") as fh:
            return int(fh.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")
    except (OSError, ValueError, IndexError, AttributeError):
        return None


_TRIM: list[Any] = []


def _malloc_trim() -> Any:
    if not _TRIM:
        try:
            import ctypes
            import ctypes.util

            _TRIM.append(ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6").malloc_trim)
        except (OSError, AttributeError):  # not glibc (macOS, musl…): nothing to trim
            _TRIM.append(None)
    return _TRIM[0]


def _prefetched(chunks: Iterator[Any], waiting: Any = None) -> Iterator[Any]:
    """`chunks`, with the next one read in a background thread while the caller checks this one
    (reading is mostly pyarrow's C++ and releases the GIL). At most two chunks are in memory.
    `waiting` (a threading.Event) is set while the caller waits for a chunk."""
    import queue
    import threading

    box: queue.Queue = queue.Queue(maxsize=1)
    stop = threading.Event()
    done = object()

    def put(item: Any) -> bool:
        while not stop.is_set():  # the consumer may stop listening at any time
            try:
                box.put(item, timeout=0.1)
                return True
            except queue.Full:
                continue
        return False

    def produce() -> None:
        try:
            for chunk in chunks:
                if not put((chunk, None)):
                    return
            put((done, None))
        except BaseException as exc:  # handed to the consumer, raised there (NotStreamable…)
            put((done, exc))

    worker = threading.Thread(target=produce, name="conflictdata-read", daemon=True)
    worker.start()
    try:
        while True:
            try:
                item, exc = box.get_nowait()
            except queue.Empty:
                if waiting is not None:
                    waiting.set()
                item, exc = box.get()
                if waiting is not None:
                    waiting.clear()
            if exc is not None:
                raise exc
            if item is done:
                return
            yield item
            del item
            _release_memory()
    finally:
        stop.set()
        worker.join()


def take(table: Table, rows: np.ndarray, columns: set[str]) -> Table:
    """Some rows of the table (positions `rows`), with only `columns`; lines and row numbers follow."""
    keep = [c for c in table.raw.columns if c in columns]

    def pick(frame: pd.DataFrame) -> pd.DataFrame:
        return frame[keep].iloc[rows].reset_index(drop=True)

    out = Table(table.name, table.resource, table.file, pick(table.raw), pick(table.frame),
                np.asarray(table.lines)[rows] if table.lines is not None else None, table.specs, [], pick(table.unusable), set(table.absent_columns))
    out.rownums = np.asarray(table.rownums)[rows] if table.rownums is not None else np.asarray(rows) + 2
    return out


def subset(table: Table, columns: set[str]) -> Table:
    """The table with only `columns` (its findings, lines and row numbers all kept)."""
    keep = [c for c in table.raw.columns if c in columns]

    def own(frame: pd.DataFrame) -> pd.DataFrame:
        # Columns copied out: a selection could keep the whole chunk's block alive behind it.
        return pd.DataFrame({c: frame[c].copy() for c in keep}, index=pd.RangeIndex(len(frame)))

    out = Table(table.name, table.resource, table.file, own(table.raw), own(table.frame), table.lines, table.specs,
                table.findings, own(table.unusable), set(table.absent_columns))
    out.rownums, out.noncanonical_line, out.clean = table.rownums, table.noncanonical_line, table.clean
    return out


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


def _delimiter(resource: Resource) -> str:
    dialect = resource.descriptor.get("dialect") or {}
    return dialect.get("delimiter", "\t" if resource.format == "tsv" else ",") if isinstance(dialect, dict) else ","


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (dict, list)):
        import json

        return json.dumps(value, ensure_ascii=False)
    return str(value)


def _inline_rows(data: list[Any], names: list[str]) -> tuple[list[str], list[list[str]]]:
    """Inline `data`: a list of objects, or a list of arrays whose first is the header."""
    if data and all(isinstance(r, dict) for r in data):
        return names, [[_cell(r.get(n)) for n in names] for r in data]
    if data and isinstance(data[0], list):
        header = [_cell(h) for h in data[0]]
        return header, [[_cell(v) for v in r] + [""] * (len(header) - len(r)) for r in data[1:] if isinstance(r, list)]
    return names, []


def _empty(resource: Resource, file: str, findings: list[Finding]) -> Table:
    raw = pd.DataFrame({n: pd.Series([], dtype=str) for n in resource.field_names})
    return _finish(resource, file, raw, np.array([], dtype=np.int64), findings)


def _match_header(header: list[str], rows: list[list[str]], resource: Resource, file: str,
                  columns: dict[str, Any] | None = None) -> tuple[pd.DataFrame, list[Finding]]:
    """Map the file's columns to the schema's by name; report missing, extra and reordered ones."""
    findings: list[Finding] = []
    names = resource.field_names
    seen: set[str] = set()
    for h in header:
        if h in seen:
            findings.append(Finding("error", "duplicate-column", f"the header names column '{h}' twice; rename or delete one of them", resource.name, file, 1, h, h))
        seen.add(h)
    for h in header:
        if h not in names:
            hint = _near(h, names)
            findings.append(Finding("error", "extra-column", f"column '{h}' is not in the table's schema{hint}; rename it, or add the field to the schema first", resource.name, file, 1, h, h))
    present = [n for n in names if n in seen]
    for n in names:
        if n not in seen:
            findings.append(Finding("error", "missing-column", f"the header has no column '{n}'; add it (with empty cells if the field is optional)", resource.name, file, 1, n))
    first_seen = list(dict.fromkeys(h for h in header if h in names))
    if first_seen != present:
        findings.append(Finding("warning", "column-order", f"columns are not in schema order ({', '.join(names)}); `conflictdata fmt` reorders them", resource.name, file, 1))
    index = {h: i for i, h in reversed(list(enumerate(header)))}
    width = len(header)
    data = {}
    if columns is not None:
        n = len(next(iter(columns.values()))) if columns else 0
        for name in names:
            data[name] = columns[name] if name in columns else pd.Series([""] * n, dtype=str)
        raw = pd.DataFrame(data)
        raw.attrs["absent"] = {n for n in names if n not in seen}
        return raw, findings
    matrix = np.array(rows, dtype=object).reshape(len(rows), width) if rows else None
    for n in names:
        if n in index and matrix is not None:
            data[n] = pd.Series(matrix[:, index[n]], dtype=str)
        else:
            data[n] = pd.Series([""] * len(rows), dtype=str)
    raw = pd.DataFrame(data)
    raw.attrs["absent"] = {n for n in names if n not in seen}
    return raw, findings


def _near(value: str, options: list[str]) -> str:
    import difflib

    close = difflib.get_close_matches(value, options, n=1, cutoff=0.75)
    return f" (did you mean '{close[0]}'?)" if close else ""


def _finish(resource: Resource, file: str, raw: pd.DataFrame, lines: np.ndarray | None, findings: list[Finding],
            rownums: np.ndarray | None = None, done: dict[str, Parsed] | None = None) -> Table:
    from ..contract.schema import delegated_fields

    specs = field_specs(resource.schema)
    delegated = set(delegated_fields(resource))
    frame, bad, parsed = _typed(raw, specs, resource.missing_values, delegated, done)
    absent = set(raw.attrs.get("absent", set()))
    table = Table(resource.name, resource, file, raw, frame, lines, specs, findings, bad.copy(), absent, parsed=parsed)
    table.delegated = delegated
    table.rownums = rownums  # before the type findings below, which carry row numbers
    for name in absent:
        table.unusable[name] = True
    for spec in specs:
        if spec.name in absent:
            continue
        for i in np.flatnonzero(bad[spec.name].to_numpy()):
            fmt = spec.raw.get("format")
            hint = TYPE_HINTS.get(spec.type, spec.type) + (f" in format {fmt!r}" if fmt and fmt != "default" else "")
            table.findings.append(table.finding(int(i), spec.name, "type", f"not a valid {spec.type}: write {hint}"))
    return table
