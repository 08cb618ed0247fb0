"""The canonical form of the CSV files, and the findings where a file is not in it (the writer,
`conflictdata fmt`, is `curation.fmt`).

Canonical: UTF-8 without BOM, LF line endings, the header in schema order, rows sorted by primary
key, text NFC-normalised with trailing whitespace trimmed, and minimal quoting (a cell is quoted
only when it holds a comma, a double quote or a line break). Formatting twice changes nothing,
so hand edits produce small, clean diffs.
"""

from __future__ import annotations

import csv
import io
import unicodedata

import numpy as np
import pandas as pd

from ..contract.findings import Finding
from ..reading.tables import Table
from .check import Check

__all__ = ["Canonical", "canonical_order", "canonical_bytes", "canonical_findings", "blocking"]

# File-level problems that make a rewrite lose data: fmt leaves such files alone.
_BLOCKING = {"encoding", "csv-syntax", "extra-cell", "unquoted-delimiter", "wrong-delimiter", "duplicate-column", "extra-column", "missing-column", "header", "file"}


def _clean(cell: str) -> str:
    return unicodedata.normalize("NFC", cell).rstrip()


def canonical_order(table: Table) -> pd.Index:
    """Row order of the canonical form: by primary key (else the first unique key), typed where it
    parsed (numbers as numbers), stable."""
    pk = [c for c in table.resource.row_key if c in table.raw.columns]
    if not pk or not len(table.raw):
        return table.raw.index
    import pyarrow as pa

    from ..reading.columns import in_order

    # Already in order (the usual case for a canonical file): no need to sort 10^6 keys.
    try:
        if in_order([pa.array(table.frame[c]) for c in pk], strict=False) and _already_clean(table):
            return table.raw.index
    except (pa.ArrowException, TypeError):
        pass
    order = pd.DataFrame({**{f"t{i}": table.frame[c] for i, c in enumerate(pk)},
                          **{f"r{i}": clean_frame(table.raw[[c]])[c] for i, c in enumerate(pk)}})
    try:
        order = order.sort_values(list(order.columns), kind="stable", na_position="last")
    except TypeError:
        order = order.sort_values([f"r{i}" for i in range(len(pk))], kind="stable")
    return order.index


def clean_frame(raw: pd.DataFrame) -> pd.DataFrame:
    """Cells NFC-normalised with trailing whitespace trimmed, as the canonical form has them."""
    if not len(raw):
        return raw
    return pd.DataFrame({c: raw[c].str.normalize("NFC").str.rstrip() for c in raw.columns}, index=raw.index)


def _already_clean(table: Table) -> bool:
    """Whether no cell needs NFC or trimming: then cleaning 10^6 cells one by one is skipped.

    Asked several times per table, so the answer is kept on it. Arrow kernels decide for the
    ASCII cells (always NFC; trailing whitespace by RE2); Python looks only at the others.
    """
    if table.clean is None:
        table.clean = _scan_clean(table)
    return table.clean


def _scan_clean(table: Table) -> bool:
    import numpy as np
    import pyarrow.compute as pc

    from ..reading.columns import any_ends_with_ascii_space, arrow_strings

    # All ASCII (one pass over the chunk's bytes; O(1) for a str): no cell needs NFC, and no
    # cell ends with non-ASCII whitespace, so only the last byte of each cell matters.
    ascii_only = table.data.isascii() if table.data is not None else bool(table.text) and table.text.isascii()
    for name in table.raw.columns:
        parsed = table.parsed.get(name)
        strings = parsed.strings if parsed is not None else arrow_strings(table.raw[name])
        if any_ends_with_ascii_space(strings):
            return False
        if ascii_only:
            continue
        ascii_ = pc.string_is_ascii(strings)
        if not pc.all(ascii_).as_py():
            cells = table.raw[name]
            for i in np.flatnonzero(~np.asarray(ascii_.to_numpy(zero_copy_only=False), dtype=bool)):
                if _clean(cells.iat[int(i)]) != cells.iat[int(i)]:
                    return False
    return True


def canonical_bytes(table: Table) -> bytes:
    """The canonical CSV bytes of a table read from disk."""
    raw = table.raw if _already_clean(table) else clean_frame(table.raw)
    raw = raw.loc[canonical_order(table)]
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n", quoting=csv.QUOTE_MINIMAL)
    writer.writerow(table.resource.field_names)
    writer.writerows(raw[table.resource.field_names].itertuples(index=False, name=None))
    return buf.getvalue().encode("utf-8")


def blocking(table: Table) -> str | None:
    """Why the table cannot be rewritten in canonical form (its first finding that forbids it, as
    `file:line: rule: message`), or None."""
    for f in table.findings:
        if f.rule in _BLOCKING:
            return f"{f.file}:{f.line}: {f.rule}: {f.message}"
    return None


def _first_difference(old: bytes, new: bytes) -> int:
    a, b = old.split(b"\n"), new.split(b"\n")
    for n, (x, y) in enumerate(zip(a, b), start=1):
        if x != y:
            return n
    return min(len(a), len(b))


_NEEDS_QUOTES = r'[,"\n\r]'


def _plainly_canonical(t: Table, current: bytes) -> bool:
    """A proof, without re-rendering 10^6 rows, that the file is already canonical.

    Holds for a file of one record per line (the fast reader's condition): LF only, no BOM,
    the header in schema order, clean cells, keys in order, and exactly as many double quotes
    as minimal quoting needs (every cell with a comma, quote or line break quoted, its quotes
    doubled, nothing else quoted). Anything else is compared the long way.
    """
    if t.text == "" or current.startswith(b"\xef\xbb\xbf") or b"\r" in current or not current.endswith(b"\n"):
        return False
    if current.count(b"\n") != len(t.raw) + 1 or current[: current.index(b"\n")].decode("utf-8", "replace") != ",".join(t.resource.field_names):
        return False
    if not _already_clean(t):
        return False
    order = canonical_order(t)
    if not (order == t.raw.index).all():
        return False
    if any(f.rule in ("missing-cell", "extra-cell", "unquoted-delimiter", "blank-row", "column-order") for f in t.findings):
        return False
    return _plain_quoting(t, current, t.resource.field_names)


def chunk_findings(t: Table) -> None:
    """Check one chunk of a large file (`Table.data`) for the canonical form, but for row order
    (compared across chunks by `canonical_findings`); sets `t.noncanonical_line`."""
    if t.data is None or t.resource.format != "csv" or blocking(t) or any(f.rule == "column-order" for f in t.findings):
        return
    data = t.data
    names = t.resource.field_names
    if _already_clean(t) and _plain_quoting(t, data, names):
        return
    raw = t.raw if _already_clean(t) else clean_frame(t.raw)
    buf = io.StringIO()
    csv.writer(buf, lineterminator="\n", quoting=csv.QUOTE_MINIMAL).writerows(raw[names].itertuples(index=False, name=None))
    wanted = buf.getvalue().encode("utf-8")
    if wanted != data:
        t.noncanonical_line = int(t.lines[0]) - 1 + _first_difference(data, wanted)


def _plain_quoting(t: Table, current: bytes, names: list[str]) -> bool:
    """Exactly as many double quotes and commas in `current` as the cells need with minimal quoting."""
    import numpy as np

    file_quotes = int(np.count_nonzero(np.frombuffer(current, dtype=np.uint8) == 34)) if b'"' in current else 0  # outside the GIL
    if file_quotes == 0:
        # No quote in the file: no cell was quoted, so none holds a quote, and none holds a comma
        # or line break (the reader would have seen an extra cell or record).
        return True
    import pyarrow.compute as pc

    from ..reading.columns import arrow_strings

    quotes, commas = 0, current.count(b"\n") * (len(names) - 1)
    for c in names:
        col = t.parsed[c].strings if c in t.parsed else arrow_strings(t.raw[c])
        needs = pc.sum(pc.match_substring_regex(col, _NEEDS_QUOTES)).as_py() or 0
        quotes += 2 * needs + 2 * (pc.sum(pc.count_substring(col, '"')).as_py() or 0)
        commas += pc.sum(pc.count_substring(col, ",")).as_py() or 0
    return quotes == file_quotes and commas == current.count(b",")


def _partial_findings(t: Table) -> list[Finding]:
    """The canonical form of a large file checked chunk by chunk: the chunks' verdict and the row order."""
    lines = [t.noncanonical_line] if t.noncanonical_line is not None else []
    keys = t.key_table if t.key_table is not None else t
    if not t.keys_ordered and all(c in keys.raw.columns for c in t.resource.primary_key):
        order = canonical_order(keys).to_numpy()
        wrong = np.flatnonzero(order != np.arange(len(order)))
        if len(wrong):
            lines.append(int(keys.lines[wrong[0]]))
    if not lines:
        return []
    return [Finding("warning", "non-canonical", _NON_CANONICAL, t.name, t.file, min(lines))]


_NON_CANONICAL = "the file is not in canonical form (sorted by primary key, UTF-8 without BOM, LF, NFC, trimmed cells); run `conflictdata fmt`"


def canonical_findings(tables: dict[str, Table]) -> list[Finding]:
    """A warning for each CSV file that `conflictdata fmt` would change."""
    out = []
    for t in tables.values():
        if t.resource.format != "csv" or len(t.resource.paths) != 1 or blocking(t):
            continue
        if t.partial:
            out += _partial_findings(t)
            continue
        try:
            current = t.resource.path.read_bytes()
        except OSError:
            continue
        if _plainly_canonical(t, current):
            continue
        wanted = canonical_bytes(t)
        if current != wanted:
            line = 1 if current.startswith(b"\xef\xbb\xbf") or b"\r\n" in current else _first_difference(current, wanted)
            out.append(Finding("warning", "non-canonical", _NON_CANONICAL, t.name, t.file, line))
    return out


class Canonical(Check):
    """The canonical form: each chunk in the reading thread (the column checks stay in the checking
    thread, so that the two threads balance), then each file, row order included, at the end."""

    stage = "data-model rules"

    def prepare(self, chunk: Table) -> None:
        chunk_findings(chunk)

    def end(self, tables: dict[str, Table]) -> list[Finding]:
        return canonical_findings(tables)
