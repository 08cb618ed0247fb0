"""A wrong delimiter, said once: a stray unquoted comma in a cell, or a file separated by `;` or tab.

Both would otherwise show as a cascade of findings that point away from the mistake (every later
cell of the record "of the wrong type", every column "missing"). Here the reader's rare records
that have more cells than the header are judged against the table's schema, to find the cell
whose delimiter was meant as text; and a header that names no column of the schema is tried with
the other usual delimiters. Nothing here runs on a well-formed file.
"""

from __future__ import annotations

import csv
import datetime as dt
import re
from collections.abc import Callable
from typing import Any

from ..contract.schema import DEFAULT_FALSE, DEFAULT_TRUE, FieldSpec, _DATE_RE, _INT_RE, _NUM_RE

__all__ = ["stray_delimiter_judge", "sniff_delimiter", "delimiter_name", "Repair"]

# (the record with the stray delimiter's cells joined again, the column of that cell), or None.
Repair = Callable[[list[str]], "tuple[list[str], str] | None"]

_OTHERS = (",", ";", "\t", "|")


def delimiter_name(delimiter: str) -> str:
    return {",": "comma", "\t": "tab", ";": ";", "|": "|"}.get(delimiter, repr(delimiter))


def sniff_delimiter(header_line: str, names: list[str], delimiter: str) -> str | None:
    """The delimiter that makes `header_line` name the schema's columns, when `delimiter` does
    not (None: the header is not better read with another delimiter)."""
    def matched(sep: str) -> int:
        try:
            cells = next(csv.reader([header_line], delimiter=sep))
        except (csv.Error, StopIteration):
            return 0
        return len(set(cells) & set(names))

    own = matched(delimiter)
    if own * 2 > len(names):
        return None
    best = max((sep for sep in _OTHERS if sep != delimiter), key=matched)
    return best if matched(best) * 2 > len(names) and matched(best) > own else None


def _checks(spec: FieldSpec, missing_values: list[str]) -> Callable[[str], int]:
    """How many of the field's checks (type, enum, pattern, lengths, range, required) a cell
    passes: the more a split of the record passes, the likelier it is what the curator meant."""
    c = spec.constraints
    enum = {str(v) for v in spec.enum} if spec.enum is not None else None
    pattern = re.compile(f"(?:{c['pattern']})\\Z") if isinstance(c.get("pattern"), str) else None
    true = set(spec.raw.get("trueValues") or DEFAULT_TRUE)
    false = set(spec.raw.get("falseValues") or DEFAULT_FALSE)
    shape = {"integer": re.compile(_INT_RE), "number": re.compile(_NUM_RE), "date": re.compile(_DATE_RE)}.get(spec.type)

    def typed(cell: str) -> Any:
        if spec.type == "boolean":
            return cell in true or cell in false or None
        if shape is not None and not shape.match(cell):
            return None
        try:
            if spec.type == "date":
                return dt.date.fromisoformat(cell)
            return float(cell) if spec.type in ("integer", "number") else cell
        except ValueError:
            return None

    def score(cell: str) -> int:
        if cell in missing_values:
            return 0 if spec.required else 1
        value = typed(cell)
        if value is None:
            return 0
        n = 1
        n += enum is None or cell in enum
        n += pattern is None or pattern.match(cell) is not None
        n += "minLength" not in c or len(cell) >= c["minLength"]
        n += "maxLength" not in c or len(cell) <= c["maxLength"]
        if isinstance(value, float):
            n += "minimum" not in c or not isinstance(c["minimum"], (int, float)) or value >= c["minimum"]
            n += "maximum" not in c or not isinstance(c["maximum"], (int, float)) or value <= c["maximum"]
        return n

    return score


def stray_delimiter_judge(header: list[str], specs: list[FieldSpec], missing_values: list[str], delimiter: str) -> Repair:
    """A function that finds, in a record with more cells than `header`, the cell holding the
    unquoted delimiter(s): each run of adjacent cells is joined back with the delimiter in turn,
    and the split whose cells pass the most checks of their fields wins. It returns None (an
    extra cell, not a stray delimiter) when no join does better than dropping the extra cells."""
    by_name = {s.name: s for s in specs}
    scorers = [_checks(by_name[h], missing_values) if h in by_name else (lambda cell: 0) for h in header]
    free = [h in by_name and by_name[h].type == "string" and by_name[h].enum is None and "pattern" not in by_name[h].constraints for h in header]
    width = len(header)

    def total(cells: list[str]) -> int:
        return sum(score(cell) for score, cell in zip(scorers, cells))

    def repair(record: list[str]) -> tuple[list[str], str] | None:
        extra = len(record) - width
        if extra <= 0 or not any(record[width:]):
            return None  # trailing empty cells: a stray comma at the end of the line, not in a cell
        best: tuple[tuple[int, bool, bool], int] | None = None
        for i in range(width):
            cells = record[:i] + [delimiter.join(record[i : i + extra + 1])] + record[i + extra + 1 :]
            # Ties go to prose: a delimiter followed by a space, in a free-text column.
            rank = (total(cells), record[i + 1][:1].isspace(), free[i])
            if best is None or rank > best[0]:
                best = (rank, i)
        assert best is not None
        (points, spaced, _), i = best
        dropped = total(record[:width])
        if points < dropped or (points == dropped and not spaced):
            return None
        return record[:i] + [delimiter.join(record[i : i + extra + 1])] + record[i + extra + 1 :], header[i]

    return repair
