"""Reading a package's resources into typed tables that remember where each row came from.

A `Table` keeps three views of one resource: the raw strings as written (for messages and the
canonical form), the typed frame (for checks and `load()`), and the line in the file where each
row starts (for findings). Problems met while reading become findings on the table.
A large resource is read in pieces instead, each a `Table` (stream.py), ahead of its checks
(readahead.py).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from .csvfile import BOM, read_csv
from .formats import json_text as _cell
from ..contract.findings import Finding, Severity
from ..contract.package import Package, Resource
from .columns import Parsed, parse
from ..contract.schema import FieldSpec, field_specs

__all__ = ["Table", "read_table", "take", "subset", "shift_row", "TYPE_HINTS", "isin"]


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
    # Why frictionless read and validated the whole resource (formats.py), or None.
    handed_over: str | None = None
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
    # A resource of several files: each row's file (an index into `file_names`); `file` is the first.
    row_files: np.ndarray | None = None
    file_names: list[str] = field(default_factory=list)

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
        file = self.file_names[int(self.row_files[i])] if i is not None and self.row_files is not None else self.file
        return Finding(severity, rule, message, self.name, file, line, column,
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
    # copy=False: one block per column, not 33 copied into a block per dtype. Nothing writes to
    # these frames (the table's `unusable` is a copy of `bad`), so sharing the parsed columns is safe
    # under pandas 2 as under pandas 3's copy-on-write.
    frame = pd.DataFrame({n: p.typed for n, p in parsed.items()}, index=raw.index, copy=False)
    bad = pd.DataFrame({n: p.bad for n, p in parsed.items()}, index=raw.index, copy=False)
    return frame, bad, parsed


def read_table(package: Package, resource: Resource) -> Table:
    """Read one resource (CSV or Parquet) into a `Table`; never raises on bad content."""
    file = package.display(resource.path) if resource.paths else resource.relpath
    if resource.inline is not None:
        header, rows = _inline_rows(resource.inline, resource.field_names)
        raw, findings = _match_header(header, rows, resource, file)
        return _finish(resource, file, raw, None, findings)
    from .formats import source_of

    source = source_of(resource)
    if source.kind == "frictionless":
        from .handover import read_handed_over

        raw, rownums = read_handed_over(package, resource)
        table = _finish(resource, file, raw, None, [], rownums=rownums)
        table.handed_over = source.why
        return table
    if source.kind == "jsonl":
        from .formats import read_jsonl

        try:
            header, rows, lines, rownums, findings = read_jsonl(resource, file, source.compression)
        except _READ_ERRORS as exc:
            return _empty(resource, file, [_unreadable(resource, file, exc)])
        raw, header_findings = _match_header(header, rows, resource, file)
        return _finish(resource, file, raw, lines, findings + header_findings, rownums=rownums)
    if source.kind == "parquet":
        from .parquet import read_parquet_strings

        raw, findings = read_parquet_strings(resource, file)
        lines = None
    else:
        delimiter = _delimiter(resource)
        try:
            parts = [_read_csv_part(package, resource, p, delimiter) for p in resource.paths]
        except _READ_ERRORS as exc:
            return _empty(resource, file, [_unreadable(resource, file, exc)])
        first = parts[0]
        rows = [r for p in parts for r in p.rows]
        lines = np.concatenate([np.asarray(p.lines, dtype=np.int64) for p in parts]) if parts else np.array([], dtype=np.int64)
        # Multipart resources number their rows as one stream (frictionless does the same).
        offsets = np.cumsum([0] + [(p.rownums[-1] - 1) if p.rownums else 0 for p in parts[:-1]])
        findings = [shift_row(f, int(off)) for p, off in zip(parts, offsets) for f in p.findings]
        rownums = np.concatenate([np.asarray(p.rownums, dtype=np.int64) + off for p, off in zip(parts, offsets)]) if parts else np.array([], dtype=np.int64)
        columns = first.columns if len(parts) == 1 else None
        raw, header_findings = _match_header(first.header, rows, resource, file, columns=columns)
        findings += header_findings
        files = None
        if len(parts) > 1:
            files = (np.repeat(np.arange(len(parts), dtype=np.int32), [len(p.rows) for p in parts]), [package.display(p) for p in resource.paths])
        table = _finish(resource, file, raw, lines, findings, rownums=rownums, files=files)
        table.text = first.text
        start = 0
        for part in parts:
            for row, present in part.short.items():
                for name in part.header[present:]:
                    if name in table.unusable.columns:
                        table.unusable.loc[start + row, name] = True
            start += len(part.rows)
        return table
    return _finish(resource, file, raw, lines, findings)


def _unreadable(resource: Resource, file: str, exc: BaseException) -> Finding:
    why = getattr(exc, "strerror", None) or exc
    return Finding("error", "file", f"cannot read the file ({why}); check the resource path (and its compression) in the descriptor",
                   resource.name, file, None)


def _read_errors() -> tuple[type[BaseException], ...]:
    import zipfile
    import zlib

    return (OSError, EOFError, zipfile.BadZipFile, zlib.error)


_READ_ERRORS = _read_errors()
def shift_row(f: Finding, offset: int) -> Finding:
    """A file's finding with its row number in the resource's stream of rows (after the files before it)."""
    from dataclasses import replace

    return replace(f, row=f.row + offset) if offset and f.row is not None else f


def _read_csv_part(package: Package, resource: Resource, path: Path, delimiter: str, dialect: Any = None) -> Any:
    """One file of a CSV resource, read so that a wrong delimiter is one finding, not a cascade:
    a record with an unquoted delimiter in a cell is read as meant (delimiters.py), and a file
    separated by another delimiter than its dialect's is read with that one. `dialect`: instead
    of the resource's (the Spark engine's ranges fix the header row)."""
    from .delimiters import delimiter_name, sniff_delimiter, stray_delimiter_judge
    from ..contract.schema import field_specs

    file = package.display(path)

    def judge(header: list[str]) -> Any:
        return stray_delimiter_judge(header, field_specs(resource.schema), resource.missing_values, delimiter)

    from dataclasses import replace

    from .formats import read_bytes, source_of

    source = source_of(resource)
    if dialect is not None:
        source = replace(source, dialect=dialect)
    names = resource.field_names
    data = read_bytes(path, source.compression)
    head = data[: data.find(b"\n") + 1 or len(data)].removeprefix(BOM).decode("utf-8", errors="replace").rstrip("\r\n")
    other = sniff_delimiter(head, names, delimiter) if source.dialect.header and source.dialect.header_rows in (None, (1,)) else None
    if other is None:
        return read_csv(path, table=resource.name, file=file, delimiter=delimiter, repair=_Lazy(judge), dialect=source.dialect,
                        data=data, names=names)
    import json

    part = read_csv(path, table=resource.name, file=file, delimiter=other, dialect=source.dialect, data=data, names=names)
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


def take(table: Table, rows: np.ndarray, columns: set[str]) -> Table:
    """Some rows of the table (positions `rows`), with only `columns`; lines and row numbers follow."""
    keep = [c for c in table.raw.columns if c in columns]

    def pick(frame: pd.DataFrame) -> pd.DataFrame:
        return frame[keep].iloc[rows].reset_index(drop=True)

    out = Table(table.name, table.resource, table.file, pick(table.raw), pick(table.frame),
                np.asarray(table.lines)[rows] if table.lines is not None else None, table.specs, [], pick(table.unusable), set(table.absent_columns))
    out.rownums = np.asarray(table.rownums)[rows] if table.rownums is not None else np.asarray(rows) + 2
    if table.row_files is not None:
        out.row_files, out.file_names = np.asarray(table.row_files)[rows], table.file_names
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
    out.row_files, out.file_names = table.row_files, table.file_names
    return out


def _delimiter(resource: Resource) -> str:
    from .formats import source_of

    source = source_of(resource)
    return source.dialect.delimiter or ("\t" if source.format == "tsv" else ",")


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
        raw = pd.DataFrame(data, copy=False)
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
            rownums: np.ndarray | None = None, done: dict[str, Parsed] | None = None,
            files: tuple[np.ndarray, list[str]] | None = None) -> Table:
    from ..contract.schema import delegated_fields

    specs = field_specs(resource.schema)
    delegated = set(delegated_fields(resource))
    frame, bad, parsed = _typed(raw, specs, resource.missing_values, delegated, done)
    absent = set(raw.attrs.get("absent", set()))
    table = Table(resource.name, resource, file, raw, frame, lines, specs, findings, bad.copy(), absent, parsed=parsed)
    table.delegated = delegated
    table.rownums = rownums  # before the type findings below, which carry row numbers (and files)
    if files is not None:
        table.row_files, table.file_names = files
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
