"""Reading CSV files into rows of strings, keeping the line in the file where each record starts.

Line numbers are physical lines (a quoted cell may span several), because that is what a curator
opens in an editor. Problems of the file itself (encoding, quoting, ragged rows, header) become
findings; reading goes on wherever it safely can so that one run reports everything.
"""

from __future__ import annotations

import csv
import io
import sys
from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING, Any
from dataclasses import dataclass, field
from pathlib import Path

from ..contract.findings import Finding

if TYPE_CHECKING:
    from ..contract.dialect import Dialect

__all__ = ["RawTable", "read_csv", "BOM", "Chunk", "iter_chunks", "NotStreamable", "guess_header_row", "nul_finding", "utf8_finding"]

BOM = b"\xef\xbb\xbf"
# The records frictionless looks at to guess the header row (its detector's sample size).
SAMPLE_RECORDS = 100
# Below this size the careful reader is as fast as starting pyarrow's.
FAST_MIN_BYTES = 1 << 16


@dataclass(slots=True)
class RawTable:
    """A CSV file as strings: header, records padded/trimmed to the header, their start lines."""

    header: list[str]
    rows: list[list[str]]
    lines: list[int]
    findings: list[Finding] = field(default_factory=list)
    text: str = ""
    # Records that had fewer cells than the header: row index → cells present. The padded cells
    # are reported once, as missing-cell, not again by the checks of their columns.
    short: dict[int, int] = field(default_factory=dict)
    rownums: list[int] = field(default_factory=list)
    # The fast path (pyarrow) gives whole columns instead of `rows`.
    columns: dict[str, object] | None = None


def _decode(data: bytes, table: str, file: str, findings: list[Finding]) -> str:
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        findings.append(utf8_finding(table, file, data.count(b"\n", 0, exc.start) + 1, data[exc.start : exc.end].hex(" ")))
        return data.decode("utf-8", errors="replace")


def utf8_finding(table: str, file: str, line: int, bad: str) -> Finding:
    """The finding of a file's first invalid UTF-8 sequence (`bad`, as hex) on `line` (its LF count + 1)."""
    return Finding("error", "encoding", f"bytes {bad} are not valid UTF-8; re-save the file as UTF-8 (they were replaced by U+FFFD here)",
                   table, file, line, None, bad)


def nul_finding(table: str, file: str, line: int) -> Finding:
    """The finding of a file's first NUL byte, on `line` (its LF count + 1)."""
    return Finding("error", "encoding", "the file contains a NUL byte; remove it (is this a binary file?)", table, file, line, None, "\\x00")


def _read_fast(data: bytes, text: str, delimiter: str) -> tuple[list[str], dict[str, object], int] | None:
    """Read a well-formed file with pyarrow's C++ parser, or return None to use the careful path.

    Only files where every record is one line qualify (no CR, no blank line, no line break
    inside a quoted cell: the record count must equal the line count), so line numbers stay
    exact; anything unusual — ragged rows, bad quoting — is left to the careful reader, which
    reports it precisely.
    """
    if "\r" in text or "\n\n" in text or not text.endswith("\n") or len(data) < FAST_MIN_BYTES:
        return None
    first = text[: text.index("\n")]
    header = next(csv.reader([first], delimiter=delimiter))
    if len(set(header)) != len(header) or "" in header:
        return None
    table = _arrow_read(data, header, delimiter, has_header=True)
    if table is None or table.num_rows != text.count("\n") - 1 or table.column_names != header or not _quoting_is_plain(data, len(header), delimiter):
        return None
    return header, _as_columns(table, header), table.num_rows


def _arrow_read(data: bytes | bytearray, header: list[str], delimiter: str, *, has_header: bool) -> Any:
    """Every cell as a string, by pyarrow's multi-threaded parser (None: it refused the text).
    Without `has_header`, `data` is a chunk of records that `header` names."""
    import pyarrow as pa
    import pyarrow.csv as pacsv

    try:
        return pacsv.read_csv(
            pa.BufferReader(pa.py_buffer(data)),
            read_options=pacsv.ReadOptions(use_threads=True, block_size=1 << 22, column_names=None if has_header else header),
            parse_options=pacsv.ParseOptions(delimiter=delimiter, newlines_in_values=False, double_quote=True),
            convert_options=pacsv.ConvertOptions(column_types={h: pa.large_string() for h in header},
                                                 strings_can_be_null=False, quoted_strings_can_be_null=False),
        )
    except (pa.ArrowInvalid, ValueError):
        return None


def _as_columns(table: Any, header: list[str]) -> dict[str, object]:
    """An Arrow table's string columns as pandas Series (Arrow-backed: no copy)."""
    import pandas as pd
    import pyarrow as pa

    string = pd.StringDtype("pyarrow", na_value=float("nan"))
    return {h: table.column(i).to_pandas(types_mapper=lambda t: string if t in (pa.string(), pa.large_string()) else None) for i, h in enumerate(header)}


def _quoting_is_plain(data: bytes, width: int, delimiter: str) -> bool:
    """Whether every line holding a double quote is one well-quoted record of `width` cells.

    pyarrow accepts some broken quoting (an unclosed quote at the end of a line, text after a
    closing quote) that the strict csv module rejects; those lines go through the csv module here.
    """
    if b'"' not in data:
        return True
    import numpy as np

    arr = np.frombuffer(data, dtype=np.uint8)
    is_quote = arr == 34
    # Counted before they are listed: a file that quotes every cell has tens of millions.
    if int(np.count_nonzero(is_quote)) * 512 > len(data):
        # Many quoted cells (files that quote every text cell): one RE2 pass over the buffer
        # instead of the csv module on each line (issue 16: ten times faster on such files).
        return _plainly_quoted(data, delimiter)
    quotes = np.flatnonzero(is_quote)
    ends = np.flatnonzero(arr == 10)
    quoted = np.unique(np.searchsorted(ends, quotes))
    starts = np.concatenate(([0], ends[:-1] + 1))
    try:
        text = b"".join(data[starts[i] : ends[i] + 1] for i in quoted if i < len(ends)).decode("utf-8")
        records = list(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=True))
    except (csv.Error, UnicodeDecodeError):
        return False
    return len(records) == len(quoted) and all(len(r) == width for r in records)


def _plainly_quoted(data: bytes | bytearray, delimiter: str) -> bool:
    """Whether every line of `data` is cells that are either unquoted (not starting with a quote)
    or wholly quoted with inner quotes doubled, and nothing else: the records on which pyarrow and
    the strict csv module agree (pyarrow's column count is checked by pyarrow itself)."""
    import numpy as np
    import pyarrow as pa
    import pyarrow.compute as pc

    d = "\\x{%02x}" % ord(delimiter)
    cell = f'(?:"(?:[^"\\n]|"")*"|[^"{d}\\n][^{d}\\n]*|)'
    pattern = f"\\A(?:{cell}(?:{d}{cell})*\\n)*\\z"
    # The chunk as one binary value over its own buffer: no copy of 16 MiB under the GIL.
    offsets = pa.py_buffer(np.array([0, len(data)], dtype=np.int64))
    value = pa.Array.from_buffers(pa.large_binary(), 1, [None, offsets, pa.py_buffer(data)])
    return bool(pc.match_substring_regex(value, pattern)[0].as_py())


class NotStreamable(Exception):
    """The file is not plain enough to read in chunks (the careful reader must see it whole)."""


@dataclass(slots=True)
class Chunk:
    """A run of whole records of a large file: its columns, first line and bytes."""

    header: list[str]
    columns: dict[str, object]
    first_line: int
    data: bytes | bytearray


def iter_chunks(path: Path, *, delimiter: str = ",", chunk_bytes: int = 1 << 25, names: list[str] | None = None) -> Iterator[Chunk]:
    """Read a large CSV file in chunks of whole lines, with pyarrow, in bounded memory.

    The conditions are the fast reader's (one record per line: no CR, no blank line, no line
    break inside a cell, valid UTF-8, no NUL, no BOM), checked chunk by chunk. When a chunk breaks
    them this raises `NotStreamable`: the caller must start again with `read_csv` on the whole file.
    """
    with path.open("rb") as fh:
        head = fh.readline()
        if head.startswith(BOM) or not head.endswith(b"\n") or b"\r" in head or b"\x00" in head:
            raise NotStreamable("header")
        try:
            header = next(csv.reader([head[:-1].decode("utf-8")], delimiter=delimiter, strict=True))
        except (UnicodeDecodeError, csv.Error, StopIteration):
            raise NotStreamable("header") from None
        if len(set(header)) != len(header) or "" in header:
            raise NotStreamable("header")
        ahead = fh.read(1 << 20)
        fh.seek(len(head))
        if guess_header_row((head + ahead).decode("utf-8", errors="replace"), None, delimiter) != 1:
            raise NotStreamable("the header is not the first record")
        if names is not None and not set(names) <= set(header):
            from .delimiters import sniff_delimiter

            if sniff_delimiter(head[:-1].decode("utf-8"), names, delimiter) is not None:
                raise NotStreamable("another delimiter")
        line, rest = 2, b""
        while True:
            # Read straight into the chunk's own buffer, and cut it at its last line break: no
            # copies of 16 MiB under the GIL (the checks of the previous chunk run meanwhile).
            buf = bytearray(len(rest) + chunk_bytes)
            buf[: len(rest)] = rest
            got = fh.readinto(memoryview(buf)[len(rest):])
            if not got:
                if rest:
                    raise NotStreamable("no line break at the end of the file")
                return
            del buf[len(rest) + got :]
            cut = buf.rfind(b"\n") + 1
            if cut == 0:
                rest = bytes(buf)
                continue
            rest = bytes(buf[cut:])
            del buf[cut:]
            piece = buf
            if b"\r" in piece or b"\x00" in piece:
                raise NotStreamable("CR or NUL")
            # Line breaks counted by numpy, which leaves the GIL to the other thread. pyarrow
            # skips blank lines and splits a quoted line break: either way it finds fewer or more
            # records than lines, and the careful reader must see the file.
            import numpy as np

            n = int(np.count_nonzero(np.frombuffer(piece, dtype=np.uint8) == 10))
            table = _arrow_read(piece, header, delimiter, has_header=False)
            if table is None or table.num_rows != n or not _quoting_is_plain(piece, len(header), delimiter):
                raise NotStreamable("a record the careful reader must see (a blank line, a line break in a cell, broken quoting)")
            yield Chunk(header, _as_columns(table, header), line, piece)
            line += n


def guess_header_row(text: str, dialect: "Dialect | None", delimiter: str) -> int:
    """The header's record number as frictionless guesses it when the dialect sets neither
    `header` nor `headerRows` (its `Detector.detect_dialect`): among the first 100 records, the
    first (not a comment) whose width is within a tenth of their average width; else record 1."""
    if dialect is not None and not dialect.guess_header:
        return 1
    import itertools

    kwargs = dialect.python(delimiter) if dialect is not None else {"delimiter": delimiter}
    try:
        sample = list(itertools.islice(csv.reader(io.StringIO(text[: 1 << 20], newline=""), **kwargs), SAMPLE_RECORDS))
    except csv.Error:
        return 1
    if len(text) > 1 << 20 and len(sample) < SAMPLE_RECORDS:
        return 1  # records longer than the megabyte read: no header guess is sound here
    if not sample:
        return 1
    width = round(sum(len(r) for r in sample) / len(sample))
    drift = max(round(width * 0.1), 1)
    for number, cells in enumerate(sample, start=1):
        if _is_comment(dialect, number, cells):
            continue
        if width - drift <= len(cells) <= width + drift:
            return number
    return 1


def _is_comment(dialect: "Dialect | None", number: int, cells: list[str]) -> bool:
    if dialect is None:
        return False
    if dialect.comment_char and cells and cells[0].startswith(dialect.comment_char):
        return True
    return number in dialect.comment_rows


def _labels(lists: list[list[str]], join: str) -> list[str]:
    """Header labels from several header rows, joined as frictionless joins them (a cell that
    repeats the one above it, as merged cells do, is not joined twice)."""
    labels: list[str] = []
    previous: dict[int, str] = {}
    for cells in lists:
        for i, cell in enumerate(cells):
            if previous.get(i) == cell:
                continue
            previous[i] = cell
            if len(labels) <= i:
                labels.append(cell)
            else:
                labels[i] = join.join([labels[i], cell])
    return labels


def read_csv(path: Path, *, table: str, file: str, delimiter: str = ",",
             repair: Callable[[list[str], list[str]], tuple[list[str], str] | None] | None = None,
             dialect: "Dialect | None" = None, data: bytes | None = None, names: list[str] | None = None) -> RawTable:
    """Read `path` (or its bytes `data`, decompressed); `file` is the name findings use for it.
    `repair` (delimiters.py) is asked about each record with more cells than the header: which
    cell holds an unquoted delimiter. `dialect` (contract/dialect.py): quoting, header rows,
    comments; with `header: false` the columns are the schema's `names`, in order."""
    findings: list[Finding] = []
    data = path.read_bytes() if data is None else data
    if data.startswith(BOM):
        data = data[len(BOM) :]
    if b"\x00" in data:
        line = data.count(b"\n", 0, data.index(b"\x00")) + 1
        findings.append(nul_finding(table, file, line))
        data = data.replace(b"\x00", b"")
    text = _decode(data, table, file, findings)
    header_rows: tuple[int, ...] = (guess_header_row(text, dialect, delimiter),) if dialect is None or dialect.guess_header else dialect.header_rows or ()
    if dialect is not None and not dialect.header:
        header_rows = ()
    if not findings and (dialect is None or dialect.plain) and header_rows == (1,):
        fast = _read_fast(data, text, delimiter)
        if fast is not None:
            header, columns, n = fast
            lines = list(range(2, n + 2))
            return RawTable(header, [], lines, findings, text, {}, lines, columns)
    # The csv module refuses cells over 128 KiB (its default field_size_limit) as if the quoting
    # were broken; no cell can be longer than the file, so that is the limit that says nothing false.
    if len(text) > csv.field_size_limit():
        csv.field_size_limit(min(len(text), sys.maxsize))
    kwargs = dialect.python(delimiter) if dialect is not None else {"delimiter": delimiter}
    reader = csv.reader(io.StringIO(text, newline=""), strict=True, **kwargs)
    first_content = header_rows[-1] + 1 if header_rows else 1
    header_lists: list[list[str]] = []
    header: list[str] | None = None if header_rows else list(names or [])
    rows: list[list[str]] = []
    lines: list[int] = []
    short: dict[int, int] = {}
    rownums: list[int] = []
    recno = 0
    last = 0
    while True:
        start = last + 1
        try:
            record = next(reader)
        except StopIteration:
            break
        except csv.Error as exc:
            findings.append(
                Finding(
                    "error", "csv-syntax",
                    f"cannot parse the record that starts here ({exc}); check for an unbalanced "
                    'double quote: a quote inside a cell is written twice (""), and a cell '
                    "holding a comma, quote or line break is wrapped in double quotes",
                    table, file, start,
                )
            )
            break
        last = reader.line_num
        recno += 1
        if _is_comment(dialect, recno, record):
            continue
        if recno < first_content:
            if recno in header_rows:
                header_lists.append(record)
            if recno == header_rows[-1]:
                header = _labels(header_lists, dialect.header_join if dialect is not None else " ")
            continue
        if header is None:  # the file ended, or the header row was a comment
            header = _labels(header_lists, dialect.header_join if dialect is not None else " ")
        if not record or all(c == "" for c in record) and len(record) <= 1:
            if dialect is None or not dialect.skip_blank_rows:
                findings.append(Finding("error", "blank-row", "blank line between records; delete it (conflictdata fmt does)", table, file, start, row=recno))
            continue
        if dialect is not None and dialect.skip_blank_rows and all(c == "" for c in record):
            continue
        width = len(header)
        if len(record) > width:
            fixed = repair(record, header) if repair is not None else None
            if fixed is not None:
                # One finding where the mistake is, and the record read as meant: no cascade of
                # type errors in the cells after it.
                record, column = fixed
                what = "comma" if delimiter == "," else repr(delimiter)
                findings.append(Finding("error", "unquoted-delimiter", f"unquoted {what} in column {column}; quote the cell",
                                        table, file, start, column, record[header.index(column)][:200], row=recno))
            else:
                extra = record[width:]
                findings.append(
                    Finding("error", "extra-cell", f"the record has {len(record)} cells but the header has {width}; remove the extra cell(s) or quote a cell that contains a comma", table, file, start, None, ",".join(extra)[:200], row=recno)
                )
                record = record[:width]
        elif len(record) < width:
            findings.append(
                Finding("error", "missing-cell", f"the record has {len(record)} cells but the header has {width}; add the missing cell(s) (empty cells still need their commas)", table, file, start, header[len(record)], row=recno)
            )
            short[len(rows)] = len(record)
            record = record + [""] * (width - len(record))
        rows.append(record)
        lines.append(start)
        rownums.append(recno)
    if header is None and header_lists:
        header = _labels(header_lists, dialect.header_join if dialect is not None else " ")
    if header is None:
        findings.append(Finding("error", "header", "the file is empty; it must start with a header row naming the columns", table, file, 1))
        header = []
    return RawTable(header, rows, lines, findings, text, short, rownums)
