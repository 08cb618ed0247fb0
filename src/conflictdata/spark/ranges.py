"""Reading a large CSV file in byte ranges, one task per range, with the local reader's findings.

A file of at least `range_bytes` (the Spark setting `spark.conflictdata.rangeBytes`, default
128 MiB; 0 turns ranges off) is cut into byte ranges, so that no task holds a whole file. A record
starts only at the start of a line, but a line starts a record only if the line before it did not
end inside a quoted cell, which depends on everything before it. So:

- Pass 1 (`survey`, one task per range): the range's lines, from the first line start at or after
  its first byte to the first at or after its last, are parsed by the csv module with the local
  reader's options twice: once assuming the first line starts a record, once assuming it continues
  a quoted cell (the quote character put before it). Each answer says how the range ends (at a
  record boundary, inside a quoted cell, or at a syntax error), where its first record starts, and
  how many records start in it. The task also counts its lines and finds its first NUL byte and
  invalid UTF-8 sequence; the first range's task reads the header.
- The driver (`plan`) chains the answers from the file's start: that fixes each range's true state,
  and so the byte offset, line and record number of its first record.
- Pass 2 (read.py) parses each run of records, from one range's first record to the next range's,
  with the local reader (`tables._read_csv_part`), the header record put before it, and shifts its
  lines and row numbers. Records, lines, rows and reader findings (csv-syntax, blank-row,
  extra-cell, unquoted-delimiter, missing-cell) are therefore the local engine's; the `encoding`
  findings, which the local reader makes once per file, are made here from pass 1.

Files that break what this relies on are read whole (read.py's one-file task), as before: a dialect
with an escape character, no quote character, comments or header rows other than the first; a
header row the local reader would guess elsewhere; a file the tasks cannot open themselves (local
paths are read with `open`, other URIs with `pyarrow.fs`, `s3a://` as `s3://`). A header in
another delimiter (`wrong-delimiter`) makes the ranges be parsed again with that one (chain.py).
"""

from __future__ import annotations

import csv
import io
import re
import sys
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

__all__ = ["SETTING", "DEFAULT_RANGE_BYTES", "range_bytes", "Cut", "Unit", "survey", "open_uri", "read_span"]

SETTING = "spark.conflictdata.rangeBytes"
DEFAULT_RANGE_BYTES = 128 << 20
BOM = b"\xef\xbb\xbf"
# What the first range's task reads to judge the header as the local reader does
# (`csvfile.guess_header_row` looks at the first 2^20 characters, at most 4 bytes each).
HEAD_BYTES = (4 << 20) + 4
_STEP = 1 << 20


def range_bytes(spark: Any) -> int:
    """The range size the session sets (`spark.conflictdata.rangeBytes`: bytes, or with k/m/g)."""
    text = str(spark.conf.get(SETTING, str(DEFAULT_RANGE_BYTES)) or "0").strip().lower()
    scale = {"k": 1 << 10, "m": 1 << 20, "g": 1 << 30}.get(text[-1:], 1)
    return int(float(text[:-1] if scale > 1 else text) * scale)


@dataclass
class Cut:
    """One range of one file for pass 1 (pickled to the executors)."""

    key: int          # the file's number in the plan
    k: int            # the range's number in the file
    uri: str
    start: int
    end: int
    size: int
    delimiter: str
    dialect: Any      # contract.dialect.Dialect
    names: list[str] = field(default_factory=list)
    hashed: bool = False  # the whole file's sha256 is wanted (computed by range 0's task)


@dataclass
class Unit:
    """A run of whole records of a ranged file for pass 2: bytes [start, end), the first record's
    line and record number, and the header record's bytes to put before it (None: the file's start)."""

    table: str
    index: int
    file: str
    uri: str
    start: int
    end: int
    line: int
    rec: int
    head: bytes | None
    head_lines: int
    # For the canonical form: the LF bytes before the run, and the bytes before its first data
    # record in what its task parses (the header put before it, or the file's BOM and header).
    lf: int = 0
    skip: int = 0


def open_uri(uri: str) -> Any:
    """A binary file object with `seek` and `read` for `uri`, opened where the task runs."""
    from urllib.parse import urlparse
    from urllib.request import url2pathname

    parsed = urlparse(uri)
    if parsed.scheme in ("", "file"):
        return open(url2pathname(parsed.path) if parsed.scheme else uri, "rb")
    import pyarrow.fs as pafs

    fs, path = pafs.FileSystem.from_uri("s3://" + uri[len("s3a://"):] if parsed.scheme == "s3a" else uri)
    return fs.open_input_file(path)


def read_span(uri: str, start: int, end: int) -> bytes:
    with open_uri(uri) as fh:
        fh.seek(start)
        return fh.read(end - start)


def _next_start(buf: bytes | bytearray, i: int, eof: bool) -> int | None:
    """The first line start at or after `i` (i ≥ 1) in `buf`, as io.StringIO(newline="") splits
    lines (after LF, CRLF or a lone CR); `len(buf)` at the end of the file; None: read more."""
    j = i - 1
    n = buf.find(b"\n", j)
    r = buf.find(b"\r", j, n if n >= 0 else len(buf))  # only a CR before the LF matters: no scan to the end
    if n < 0 and r < 0:
        return len(buf) if eof else None
    t = n if r < 0 or 0 <= n < r else r
    if buf[t] == 10:
        return t + 1
    if t + 1 < len(buf):
        return t + 2 if buf[t + 1] == 10 else t + 1
    return t + 1 if eof else None


def _line_offset(buf: bytes, n: int) -> int:
    """The byte offset of line `n` (0-based) of `buf`, which starts at a line start."""
    at = 0
    for _ in range(n):
        nxt = _next_start(buf, at + 1, True) if at < len(buf) else None
        if nxt is None:
            return len(buf)
        at = nxt
    return at


def _lines(seg: bytes) -> tuple[int, int, int]:
    """(lines as the csv module counts them, LF bytes, line breaks) of a run of whole lines."""
    nl = seg.count(b"\n")
    terms = nl + seg.count(b"\r") - seg.count(b"\r\n")
    return terms + (1 if seg and seg[-1:] not in (b"\n", b"\r") else 0), nl, terms


_LINE = re.compile(r"[^\r\n]*(?:\r\n?|\n)|[^\r\n]+")


def _split_lines(text: str, prefix: str, pos: int = 0) -> Iterator[str]:
    """The lines of `text` from `pos` (a line start) as io.StringIO(newline="") gives them (ending
    at LF, CRLF or CR), one at a time (a StringIO would hold the text again, four bytes a
    character), `prefix` before the first."""
    for m in _LINE.finditer(text, pos):
        yield prefix + m.group() if prefix else m.group()
        prefix = ""


def _follow(text: str, seg: bytes, kwargs: dict[str, Any], inside: bool, n_lines: int) -> dict[str, Any]:
    """Parse `text` (the range's lines) as the local reader would from a record boundary
    (`inside` False) or from inside a quoted cell: how it ends ("B" boundary, "Q" inside quotes,
    "E" error), the records that start in it, and the first one's line and byte offset."""
    quote = kwargs.get("quotechar") or '"'
    if quote not in text:
        # No quote: every line is one record, or all of it is inside the open quoted cell.
        if inside:
            return {"end": "Q", "starts": 0, "first": None, "first_at": None, "first_lf": 0, "cap": None}
        return {"end": "B", "starts": n_lines, "first": 0 if n_lines else None, "first_at": 0 if n_lines else None, "first_lf": 0, "cap": None}
    pos = skipped = 0
    if inside:
        # Inside a quoted cell nothing but a quote changes the state: the lines before the one
        # holding the first quote are cell text, counted but not parsed (nor held as one field).
        at = text.find(quote)
        pos = max(text.rfind("\n", 0, at), text.rfind("\r", 0, at)) + 1
        skipped = text.count("\n", 0, pos) + text.count("\r", 0, pos) - text.count("\r\n", 0, pos)
    reader = csv.reader(_split_lines(text, quote if inside else "", pos), strict=True, **kwargs)
    starts, first, j = 0, None, 0
    end, cap = "B", None
    while True:
        before = reader.line_num + skipped
        here = not (inside and j == 0)
        try:
            next(reader)
        except StopIteration:
            break
        except csv.Error as exc:
            starts += here
            if here and first is None:
                first = before
            end = "Q" if str(exc) == "unexpected end of data" else "E"
            cap = reader.line_num + skipped if end == "E" else None
            break
        j += 1
        starts += here
        if here and first is None:
            first = before
    first_at = _line_offset(seg, first) if first is not None else None
    if first_at is not None and first_at >= len(seg):
        first, first_at = None, None
    return {"end": end, "starts": starts, "first": first, "first_at": first_at, "first_lf": seg.count(b"\n", 0, first_at) if first_at else 0,
            "cap": _line_offset(seg, cap) if cap is not None else None}


def survey(cut: Cut) -> dict[str, Any]:
    """Pass 1 for one range (runs in a task); see the module's docstring."""
    try:
        return _survey(cut)
    except (OSError, ImportError, ValueError, NotImplementedError) as exc:
        return {"key": cut.key, "k": cut.k, "fallback": f"its ranges cannot be read where the tasks run ({type(exc).__name__}: {exc})"}


def _survey(cut: Cut) -> dict[str, Any]:
    if csv.field_size_limit() < sys.maxsize:
        csv.field_size_limit(sys.maxsize)  # as the local reader: no cell is too long
    with open_uri(cut.uri) as fh:
        lo = max(cut.start - 1, 0)
        fh.seek(lo)
        buf = bytearray(fh.read(cut.end - lo))
        eof = lo + len(buf) >= cut.size
        start = 0 if cut.start == 0 else None
        stop = None
        while True:
            # The lines of the range: from the first line start at or after its first byte to the
            # first at or after its end (reading on to the end of a line that crosses it).
            if start is None:
                start = _next_start(buf, 1, eof)
            if start is not None and stop is None:
                stop = len(buf) if cut.end >= cut.size else _next_start(buf, cut.end - lo, eof)
            if start is not None and stop is not None:
                break
            more = fh.read(_STEP)
            buf += more
            eof = not more or lo + len(buf) >= cut.size
        out: dict[str, Any] = {"key": cut.key, "k": cut.k}
        if cut.k == 0:
            out.update(_head(fh, cut))
            if cut.hashed:
                out["sha256"] = _sha256(fh)
    start = min(start, stop)
    seg = bytes(buf[start:stop])
    del buf
    n_lines, nl, terms = _lines(seg)
    out.update({"L0": lo + start, "L1": lo + stop, "lines": terms, "nl": nl, "crlf": b"\r\n" in seg})
    body = seg[len(BOM):] if cut.start == 0 and seg.startswith(BOM) else seg
    if (nul := body.find(b"\x00")) >= 0:
        out["nul"] = body.count(b"\n", 0, nul)
        body = body.replace(b"\x00", b"")
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError as exc:
        out["bad"] = (body.count(b"\n", 0, exc.start), body[exc.start : exc.end].hex(" "))
        text = body.decode("utf-8", errors="replace")
    del body
    kwargs = cut.dialect.python(cut.delimiter)
    out["B"] = _follow(text, seg, kwargs, False, n_lines)
    out["Q"] = _follow(text, seg, kwargs, True, n_lines) if cut.start > 0 else out["B"]
    return out


def _head(fh: Any, cut: Cut) -> dict[str, Any]:
    """The header as the local reader reads it (the file's first range): why the file must be read
    whole instead, or the header record's bytes and lines."""
    from ._local import guess_header_row, sniff_delimiter

    fh.seek(0)
    pre = fh.read(min(cut.size, HEAD_BYTES))
    whole = len(pre) >= cut.size
    bom = pre.startswith(BOM)
    pre = pre.removeprefix(BOM)
    text = pre.replace(b"\x00", b"").decode("utf-8", errors="replace")
    if not whole and len(text) <= 1 << 20:
        return {"fallback": "its first 4 MiB hold fewer than 2^20 characters"}
    if not whole and b"\n" not in pre:
        return {"fallback": "its first line is longer than 4 MiB"}
    # As `tables._read_csv_part`: a header in another delimiter is read (and the file) with that one.
    first = pre[: pre.find(b"\n") + 1 or len(pre)].decode("utf-8", errors="replace").rstrip("\r\n")
    delimiter = sniff_delimiter(first, cut.names, cut.delimiter) or cut.delimiter
    if guess_header_row(text, cut.dialect, delimiter) != 1:
        return {"fallback": "the header is not its first record"}
    reader = csv.reader(io.StringIO(text, newline=""), strict=True, **cut.dialect.python(delimiter))
    try:
        next(reader)
    except (csv.Error, StopIteration):
        return {"fallback": "its header record cannot be read"}
    lines = reader.line_num
    end = _line_offset(pre, lines)
    if not whole and end >= len(pre):
        return {"fallback": "its header record is longer than 4 MiB"}
    return {"head": pre[:end], "head_lines": lines, "bom": bom, "delimiter": delimiter}


def _sha256(fh: Any) -> str:
    import hashlib

    digest = hashlib.sha256()
    fh.seek(0)
    while block := fh.read(_STEP):
        digest.update(block)
    return digest.hexdigest()
