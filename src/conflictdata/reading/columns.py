"""Column checks with Arrow compute kernels: parsing cells into their type, and the constraints.

This is the fast path of validation (issue 5): every check here runs over a whole column in C++
(RE2 regexes, hash sets, comparisons), never cell by cell in Python, and so keeps up with a
million rows per second. It reaches the verdicts `schema.parse_column` and the Pandera schema
define; where Arrow cannot say the same thing (an integer beyond int64, a date format other than
the default, a pattern RE2 does not understand, non-ASCII text under a pattern whose classes are
Unicode-aware in Python), that column goes the slow, exact way.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from ..contract.schema import DEFAULT_FALSE, DEFAULT_TRUE, FieldSpec, parse_column

__all__ = ["Parsed", "arrow_strings", "parse", "constraint_failures", "is_missing", "in_order", "any_ends_with_ascii_space", "matches_pattern", "to_bools"]

_INT = r"^[+-]?[0-9]+$"
_NUM = r"^[+-]?([0-9]+(\.[0-9]*)?|\.[0-9]+)([eE][+-]?[0-9]+)?$|^([+-]?(inf|INF|Inf|infinity|Infinity)|NaN|nan)$"
_DATE = r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$"


@dataclass(slots=True)
class Parsed:
    """One column parsed: pandas view for rules and `load()`, Arrow view for the checks."""

    typed: pd.Series
    bad: np.ndarray  # present but not of the type
    missing: np.ndarray  # a missing value (empty, or one of missingValues)
    values: pa.Array | pa.ChunkedArray | None  # typed values, null where missing or bad; None: slow path
    strings: pa.Array | pa.ChunkedArray  # the cells as written
    # Pattern verdicts worked out by `constraint_failures`, by pattern (kept for `keys.KeyIndex`).
    matched: dict[str, np.ndarray] = field(default_factory=dict)


def arrow_strings(col: pd.Series) -> pa.Array | pa.ChunkedArray:
    """The cells of a raw (all-string) column as Arrow strings, zero-copy when Arrow-backed."""
    if isinstance(col.dtype, pd.StringDtype) or isinstance(col.dtype, pd.ArrowDtype):
        arr = pa.array(col)
    else:
        arr = pa.array(col.to_numpy(dtype=object), type=pa.string(), from_pandas=True)
    return arr


def is_missing(s: pa.Array | pa.ChunkedArray, missing_values: list[str]) -> pa.Array | pa.ChunkedArray:
    """Cells holding one of `missing_values` (equality tests: far cheaper than a hash set for a few)."""
    if not missing_values:
        return pc.is_null(s)
    if len(missing_values) > 8:
        return pc.is_in(s, value_set=pa.array(missing_values, s.type))
    out = None
    for v in missing_values:
        hit = pc.equal(pc.binary_length(s), 0) if v == "" else pc.equal(s, pa.scalar(v, s.type))
        out = hit if out is None else pc.or_(out, hit)
    return out


def to_bools(mask: pa.Array | pa.ChunkedArray) -> np.ndarray:
    """A boolean Arrow mask (nulls = False) as a numpy bool array."""
    return np.asarray(pc.fill_null(mask, False).to_numpy(zero_copy_only=False), dtype=bool)


def _null_unless(ok: Any, arr: Any) -> Any:
    """`arr` with nulls where `ok` is false. For a string array without nulls, `ok`'s bits become
    its validity bitmap (no copy of the strings, unlike if_else)."""
    if isinstance(arr, pa.ChunkedArray) and (pa.types.is_string(arr.type) or pa.types.is_large_string(arr.type)):
        # Kernels return boolean results in one piece: cut it to the strings' chunks.
        flat = ok.combine_chunks() if isinstance(ok, pa.ChunkedArray) else ok
        pieces, start = [], 0
        for chunk in arr.chunks:
            part = flat.slice(start, len(chunk))
            if part.offset:
                part = pc.invert(pc.invert(part))  # a fresh bitmap starting at bit 0
            pieces.append(_null_unless(part, chunk))
            start += len(chunk)
        return pa.chunked_array(pieces, type=arr.type)
    if (isinstance(arr, pa.Array) and isinstance(ok, pa.Array) and arr.null_count == 0 and ok.null_count == 0
            and arr.offset == 0 and ok.offset == 0 and (pa.types.is_string(arr.type) or pa.types.is_large_string(arr.type))):
        _, offsets, data = arr.buffers()
        return pa.Array.from_buffers(arr.type, len(arr), [ok.buffers()[1], offsets, data])
    return pc.if_else(ok, arr, pa.scalar(None, arr.type))


# The ASCII characters Python's str.rstrip() removes (str.isspace): trailing whitespace.
_ASCII_SPACE = np.zeros(256, dtype=bool)
_ASCII_SPACE[[ord(c) for c in map(chr, range(128)) if c.isspace()]] = True


def any_ends_with_ascii_space(strings: pa.Array | pa.ChunkedArray) -> bool:
    """Whether some cell ends with an ASCII whitespace character. One look at each cell's last
    byte, through the offsets (a UTF-8 continuation byte is never ASCII, so no false hit)."""
    for arr in strings.chunks if isinstance(strings, pa.ChunkedArray) else [strings]:
        if not len(arr):
            continue
        if arr.null_count:
            arr = pc.fill_null(arr, "")
        _, offsets_buf, data_buf = arr.buffers()
        if data_buf is None:
            continue  # every cell empty
        width = np.int64 if pa.types.is_large_string(arr.type) else np.int32
        offsets = np.frombuffer(offsets_buf, dtype=width)[arr.offset : arr.offset + len(arr) + 1]
        ends = offsets[1:][offsets[1:] > offsets[:-1]]
        if len(ends) and _ASCII_SPACE[np.frombuffer(data_buf, dtype=np.uint8)[ends - 1]].any():
            return True
    return False


def _date_shaped(s: Any, present: Any) -> tuple[Any, Any]:
    """Present cells written YYYY-MM-DD, and (when all of them are valid days) the days, else None.
    Ten characters and Arrow's strict date parsing say the same as the regex, far faster: the
    regex runs only when some cell fails that."""
    ten = pc.equal(pc.binary_length(s), 10)
    try:
        days = pc.cast(_null_unless(pc.and_(present, ten), s), pa.date32())
        if pc.all(pc.or_(ten, pc.invert(present))).as_py():
            return present, days
    except pa.ArrowInvalid:
        pass
    return pc.and_(pc.match_substring_regex(s, _DATE), present), None


def parse(raw: pd.Series, spec: FieldSpec, missing_values: list[str]) -> Parsed:
    """Parse strings into the field's type; the same result as `schema.parse_column`, faster."""
    s = arrow_strings(raw)
    missing_a = is_missing(s, missing_values)
    present = pc.invert(missing_a)
    missing = to_bools(missing_a)
    kind = spec.type
    fmt = spec.raw.get("format", "default") or "default"
    index = raw.index
    values: Any = None
    try:
        if kind == "integer":
            try:
                # Cells of ASCII digits only are integers (if int64 takes them): no regex needed.
                # (Not Arrow's parsing alone: it also takes hexadecimal, 0x10.)
                if not pc.all(pc.or_(pc.ascii_is_decimal(s), pc.invert(present))).as_py():
                    raise pa.ArrowInvalid("not digits only")
                values = pc.cast(_null_unless(present, s), pa.int64())
                ok = present
            except pa.ArrowInvalid:
                # The regex only where the cell is not digits alone (a column with a few bad cells
                # costs a few regex matches, not one per cell).
                if not pc.all(pc.string_is_ascii(s)).as_py():
                    raise  # Unicode digits: RE2's \d is ASCII only, Python's int() takes them (the exact path)
                decimal = pc.ascii_is_decimal(s)
                signed = pc.fill_null(pc.match_substring_regex(_null_unless(pc.invert(decimal), s), _INT), False)
                ok = pc.and_(pc.or_(decimal, signed), present)
                digits = pc.replace_substring_regex(_null_unless(ok, s), r"^\+", "")
                values = pc.cast(digits, pa.int64())  # raises beyond int64: the exact path decides
            okn = to_bools(ok)
            typed = pd.Series(pd.arrays.IntegerArray(np.asarray(pc.fill_null(values, 0).to_numpy(zero_copy_only=False), dtype="int64"), ~okn), index=index)
        elif kind == "number":
            try:
                # Arrow's parser takes the same finite numbers as the Table Schema's regex (its
                # spellings of NaN and infinity differ: such columns take the regex), one cast
                # instead of a regex match per cell; any cell it refuses sends the column to the regex.
                values = pc.cast(_null_unless(present, s), pa.float64())
                if pc.any(pc.invert(pc.is_finite(values))).as_py():
                    raise pa.ArrowInvalid("NaN or infinity")
                ok = present
            except pa.ArrowInvalid:
                if not pc.all(pc.string_is_ascii(s)).as_py():
                    raise  # as for integers: Unicode digits are the exact path's
                ok = pc.and_(pc.match_substring_regex(s, _NUM), present)
                values = pc.cast(_null_unless(ok, s), pa.float64())
            okn = to_bools(ok)
            typed = pd.Series(np.asarray(pc.fill_null(values, np.nan).to_numpy(zero_copy_only=False), dtype="float64"), index=index)
        elif kind == "boolean":
            trues = pc.is_in(s, value_set=pa.array([str(v) for v in spec.raw.get("trueValues", DEFAULT_TRUE)], pa.string()))
            falses = pc.is_in(s, value_set=pa.array([str(v) for v in spec.raw.get("falseValues", DEFAULT_FALSE)], pa.string()))
            ok = pc.and_(pc.or_(trues, falses), present)
            values = _null_unless(ok, trues)
            okn = to_bools(ok)
            typed = pd.Series(pd.arrays.BooleanArray(to_bools(trues), ~okn), index=index)
        elif kind == "date" and fmt == "default":
            shaped, days = _date_shaped(s, present)
            cand = _null_unless(shaped, s)
            try:
                if days is None:
                    days = pc.cast(cand, pa.date32())  # strict: raises on any impossible day
                ok = shaped
            except pa.ArrowInvalid:
                # strptime rolls 2024-02-30 over to 03-01: a date is valid only if its day is as written.
                stamps = pc.strptime(cand, format="%Y-%m-%d", unit="s", error_is_null=True)
                days = pc.cast(stamps, pa.date32())
                ok = pc.and_(shaped, pc.equal(pc.day(stamps), pc.cast(pc.utf8_slice_codeunits(cand, 8, 10), pa.int64())))
            # Year 0 is no calendar year (Python's dates, and frictionless, start at 1).
            ok = pc.and_(ok, pc.invert(pc.starts_with(cand, "0000")))
            values = _null_unless(ok, days)
            okn = to_bools(ok)
            typed = pd.Series(pd.arrays.ArrowExtensionArray(values if isinstance(values, pa.ChunkedArray) else pa.chunked_array([values])), index=index)
        elif kind in ("integer", "number", "boolean", "date"):
            raise pa.ArrowInvalid("not on the fast path")
        else:
            values = _null_unless(present, s)
            okn = ~missing
            typed = pd.Series(pd.StringDtype().__from_arrow__(values if isinstance(values, pa.ChunkedArray) else pa.chunked_array([values])), index=index)
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
        typed, bad_s = parse_column(raw, spec, pd.Series(missing, index=index))
        return Parsed(typed, bad_s.to_numpy(dtype=bool), missing, None, s)
    return Parsed(typed, ~missing & ~okn, missing, values, s)


def in_order(columns: list[Any], *, strict: bool) -> bool:
    """Whether rows are sorted by `columns` (lexicographically; strictly: no two rows equal).
    Nulls make the answer False (the caller then sorts or hashes, which knows what to do)."""
    if not columns or len(columns[0]) < 2:
        return True
    later: Any = None
    same: Any = None
    for col in columns:
        if col.null_count:
            return False
        a, b = col.slice(1), col.slice(0, len(col) - 1)
        gt, eq = pc.greater(a, b), pc.equal(a, b)
        later = gt if later is None else pc.or_(later, pc.and_(same, gt))
        same = eq if same is None else pc.and_(same, eq)
    ok = later if strict else pc.or_(later, same)
    return bool(pc.all(ok).as_py())


# --- constraints ------------------------------------------------------------------------------

def _typed_limit(spec: FieldSpec, v: Any) -> Any:
    """A constraint value as the field's type (constraints may be written as strings: "1000")."""
    try:
        if spec.type == "number":
            return pa.scalar(float(v), pa.float64())
        if spec.type == "integer":
            return pa.scalar(int(v), pa.int64())
        if spec.type == "date":
            return pa.scalar(pd.Timestamp(v).date(), pa.date32())
        if spec.type == "boolean":
            return pa.scalar(v if isinstance(v, bool) else str(v) in DEFAULT_TRUE, pa.bool_())
        return pa.scalar(str(v), pa.string())
    except (TypeError, ValueError, OverflowError, pa.ArrowException):
        raise _Slow from None


class _Slow(Exception):
    """A constraint Arrow cannot evaluate exactly: the caller uses Pandera for the column."""


_UNICODE_CLASSES = re.compile(r"\\[dDwWsSbB]|\(\?i|\[\[:")


def _per_distinct(strings: Any, judge: Callable[[Any], np.ndarray], ignore: list[str] | None = None) -> np.ndarray:
    """`judge(strings)`, cell by cell; for a column of few distinct values (codes, enumerations,
    an optional column mostly empty) by judging each value once, which hashing finds faster than
    a regex or set test runs over every cell. A sample says whether values are few. Null cells
    and cells in `ignore` (missing values: the caller does not judge them) may say either."""
    n = len(strings)
    if n >= _DISTINCT_MIN_ROWS and (pa.types.is_string(strings.type) or pa.types.is_large_string(strings.type)):
        if len(pc.unique(strings.slice(0, 1024))) <= _DISTINCT_MAX:
            values = pc.unique(strings)
            if len(values) <= n // 16:
                ok = judge(values) | to_bools(values.is_null())
                if ignore:
                    ok |= to_bools(pc.is_in(values, value_set=pa.array(ignore, values.type)))
                if ok.all():
                    return np.ones(n, dtype=bool)
                return ~to_bools(pc.is_in(strings, value_set=values.filter(pa.array(~ok))))
    return judge(strings)


_DISTINCT_MIN_ROWS = 4096
_DISTINCT_MAX = 64


def matches_pattern(strings: Any, pattern: str, ignore: list[str] | None = None) -> np.ndarray:
    """Full-match of `pattern` as Python's `re` would decide it (cells in `ignore`: either)."""
    return _per_distinct(strings, lambda values: _matches(values, pattern), ignore)


def _matches(strings: Any, pattern: str) -> np.ndarray:
    anchored = f"^(?:{pattern})$"
    try:
        ok = to_bools(pc.match_substring_regex(strings, anchored))
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
        ok = None  # RE2 does not speak this dialect (look-arounds, back-references…)
    # RE2 classes are ASCII, Python's are Unicode: recheck the non-ASCII cells with `re`.
    unsure = ~to_bools(pc.string_is_ascii(strings)) if _UNICODE_CLASSES.search(pattern) or ok is None else None
    if ok is None:
        ok = np.ones(len(strings), dtype=bool)
        unsure = np.ones(len(strings), dtype=bool)
    if unsure is not None and unsure.any():
        rx = re.compile(f"(?:{pattern})\\Z")
        cells = strings.to_numpy(zero_copy_only=False) if hasattr(strings, "to_numpy") else np.asarray(strings)
        for i in np.flatnonzero(unsure):
            ok[i] = rx.match(cells[i]) is not None
    return ok


def constraint_failures(spec: FieldSpec, parsed: Parsed, usable: np.ndarray, lookup: Any = None,
                        missing: list[str] | None = None) -> list[tuple[str, Any, np.ndarray]]:
    """For each constraint of the field (but unique and required): (rule, limit, failing rows).
    `lookup` (a `keys.Lookup`): the column was looked up among another table's keys already, and
    the pattern verdicts of the keys found are reused. `missing`: the missing values (cells not
    judged, whatever they hold).

    Only present cells of the right type (`usable` and not missing) are judged; a cell written
    NaN is a value that fails enum, minimum and maximum (as in frictionless). Raises `_Slow` when
    a constraint must be judged by Pandera instead.
    """
    c = spec.constraints
    judged = usable & ~parsed.missing
    if not judged.any():
        # No cell to judge (an empty table, a column left empty): nothing can fail, and Pandera,
        # whose import alone costs a third of a second, is not needed.
        return []
    if parsed.values is None:
        raise _Slow
    out: list[tuple[str, Any, np.ndarray]] = []
    values = parsed.values
    if spec.enum is not None:
        try:
            allowed = pa.array([_typed_limit(spec, v).as_py() for v in spec.enum]).cast(values.type)
        except (pa.ArrowException, TypeError):
            raise _Slow from None
        if pa.types.is_floating(values.type):
            values, allowed = pc.add(values, 0.0), pc.add(allowed, 0.0)  # -0.0 + 0.0 = 0.0: -0 is 0, as in Python
        out.append(("enum", list(spec.enum), judged & ~_per_distinct(values, lambda v: to_bools(pc.is_in(v, value_set=allowed)), missing)))
        values = parsed.values
    if "pattern" in c:
        if spec.type != "string":
            raise _Slow
        pattern = str(c["pattern"])
        ok = matches_pattern(parsed.strings, pattern, missing) if lookup is None else lookup.pattern_ok(parsed.strings, pattern, judged)
        parsed.matched[pattern] = ok
        out.append(("pattern", c["pattern"], judged & ~ok))
    for key, op in (("minimum", pc.greater_equal), ("maximum", pc.less_equal)):
        if key in c:
            limit = _typed_limit(spec, c[key])
            if limit.type != values.type:
                raise _Slow
            out.append((key, c[key], judged & ~to_bools(op(values, limit))))
    for key, rule, op in (("minLength", "min-length", np.greater_equal), ("maxLength", "max-length", np.less_equal)):
        if key in c:
            if spec.type != "string" or not isinstance(c[key], int):
                raise _Slow
            lengths = np.asarray(pc.fill_null(pc.utf8_length(parsed.strings), 0).to_numpy(zero_copy_only=False))
            out.append((rule, c[key], judged & ~op(lengths, c[key])))
    return [(rule, limit, rows) for rule, limit, rows in out if rows.any()]
