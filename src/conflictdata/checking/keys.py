"""Keys checked chunk by chunk: foreign keys looked up in a table already read, and the order of
primary keys, so that a large file need not be held whole (issue 5).

`KeyIndex` holds one table's key column sorted (it usually is already: canonical files are sorted
by primary key) and answers "which of these values are keys?" by binary search, without building
a hash set per chunk; needles that come in order (a link table sorted by event) are mostly proven
present by one comparison with the keys they span. It also remembers which rows were referenced,
for the rules that ask whether every event has a source. A `Lookup` passes what it learnt on to
the constraint checks: a cell equal to a key matches a pattern exactly when that key does.

`KeyOrder` proves, chunk by chunk, that a file's primary keys are strictly increasing (so unique)
and in canonical order; when it cannot, the caller reads the key columns whole and checks them
the general way.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from ..reading.columns import in_order, matches_pattern, to_bools

__all__ = ["KeyIndex", "Lookup", "KeyOrder", "repeats", "first_at"]

# Up to this many keys, lookups hash (index_in) instead of binary search.
SMALL = 1 << 16
# Sorted needles are proven present in blocks of this many distinct values (keys._lookup_sorted).
_BLOCK = 1024


def _int64(values: Any) -> np.ndarray:
    return np.asarray(values.to_numpy(zero_copy_only=False), dtype=np.int64)


def _is_text(values: Any) -> bool:
    return pa.types.is_string(values.type) or pa.types.is_large_string(values.type)


class KeyIndex:
    """The values of one column of a completed table, for membership tests (`lookup`)."""

    def __init__(self, values: Any, matched: dict[str, np.ndarray] | None = None) -> None:
        """`matched`: pattern verdicts of the values, in their order, known already (the
        column's own constraint checks worked them out): a missing cell's verdict is not used."""
        # Chunked arrays are searched as they are: no copy of 10^7 keys.
        self.n = len(values)
        if in_order([values], strict=False):
            self.sorted, self.order = values, None
        else:
            idx = pc.sort_indices(values)
            self.sorted, self.order = values.take(idx), idx.to_numpy()
        self._hits: dict[tuple[str, str], np.ndarray] = {}
        self._patterns: dict[str, np.ndarray] = {
            pattern: ok if self.order is None else ok[self.order] for pattern, ok in (matched or {}).items() if len(ok) == self.n}

    def lookup(self, needles: Any) -> tuple[np.ndarray, np.ndarray]:
        """For each needle: whether it is a value of the column, and its position in sorted order."""
        if needles.type != self.sorted.type:
            needles = needles.cast(self.sorted.type)
        if self.n == 0:
            return np.zeros(len(needles), dtype=bool), np.zeros(len(needles), dtype=np.int64)
        if self.n <= SMALL:
            # A small table: its hash set is cheap to build for every chunk, and faster than searching.
            idx = pc.index_in(needles, value_set=self.sorted)
            found = np.asarray(idx.is_valid().to_numpy(zero_copy_only=False), dtype=bool)
            return found, np.asarray(pc.fill_null(idx, 0).to_numpy(zero_copy_only=False), dtype=np.int64)
        if len(needles) > 1 and in_order([needles], strict=False):
            return self._lookup_sorted(needles)
        return self._search(self.sorted, needles)

    def _search(self, keys: Any, needles: Any) -> tuple[np.ndarray, np.ndarray]:
        """Binary search of `needles` in `keys`."""
        n = len(keys)
        pos = _int64(pc.fill_null(pc.search_sorted(keys, needles, side="left"), n))  # a null needle: no hit
        inside = pos < n
        pos = np.where(inside, pos, 0)
        equal = to_bools(pc.equal(keys.take(pa.array(pos)), needles)) if n else np.zeros(len(pos), dtype=bool)
        return inside & equal, pos

    def _lookup_sorted(self, needles: Any) -> tuple[np.ndarray, np.ndarray]:
        """Needles in order (a canonical file is sorted by its key, which a foreign key often
        leads): each distinct value is looked up once. They go in blocks; when a block's values
        are exactly the keys between its first and its last (the usual case: a link table refers
        to every event in turn), one comparison proves it without searching. Only the other
        blocks are searched, so a few dangling references cost a few blocks, not the chunk."""
        new_run = np.ones(len(needles), dtype=bool)
        new_run[1:] = to_bools(pc.not_equal(needles.slice(1), needles.slice(0, len(needles) - 1)))
        distinct = needles.filter(pa.array(new_run)) if not new_run.all() else needles
        if isinstance(distinct, pa.ChunkedArray):
            distinct = distinct.combine_chunks()
        k = len(distinct)
        # Every match lies in the stretch of keys from the first needle to the last: one piece,
        # searched instead of the chunks of 10^6 keys.
        lo0 = int(_int64(pc.search_sorted(self.sorted, distinct.slice(0, 1), side="left"))[0])
        hi1 = int(_int64(pc.search_sorted(self.sorted, distinct.slice(k - 1, 1), side="right"))[0])
        stretch = self.sorted.slice(lo0, hi1 - lo0)
        if isinstance(stretch, pa.ChunkedArray):
            stretch = stretch.combine_chunks()
        run = np.cumsum(new_run) - 1
        if hi1 - lo0 == k and pc.all(pc.equal(stretch, distinct)).as_py():
            return np.ones(len(needles), dtype=bool), lo0 + run  # most often: one comparison
        starts = np.arange(0, k, _BLOCK, dtype=np.int64)
        sizes = np.minimum(starts + _BLOCK, k) - starts
        lo = _int64(pc.search_sorted(stretch, distinct.take(pa.array(starts)), side="left"))
        hi = _int64(pc.search_sorted(stretch, distinct.take(pa.array(starts + sizes - 1)), side="right"))
        exact = np.repeat(hi - lo == sizes, sizes)
        found, pos = np.zeros(k, dtype=bool), np.zeros(k, dtype=np.int64)
        if exact.any():
            guess = np.where(exact, np.repeat(lo - starts, sizes) + np.arange(k, dtype=np.int64), 0)
            same = to_bools(pc.equal(stretch.take(pa.array(guess)), distinct)) & exact
            found = np.repeat(np.logical_and.reduceat(same, starts), sizes)  # a block holds all or is searched
            pos = np.where(found, guess, 0)
        rest = np.flatnonzero(~found)
        if len(rest):
            found[rest], pos[rest] = self._search(stretch, distinct.take(pa.array(rest)))
        return found[run], lo0 + pos[run]

    def pattern_ok(self, pattern: str) -> np.ndarray:
        """Whether each key, in sorted order, matches `pattern` (judged once per pattern)."""
        ok = self._patterns.get(pattern)
        if ok is None:
            ok = self._patterns[pattern] = matches_pattern(self.sorted, pattern)
        return ok

    def mark(self, referrer: tuple[str, str], pos: np.ndarray, found: np.ndarray) -> None:
        """Remember that `referrer` (table, field) refers to the values at sorted positions `pos[found]`."""
        hits = self._hits.get(referrer)
        if hits is None:
            hits = self._hits[referrer] = np.zeros(self.n, dtype=bool)
        hits[pos[found]] = True

    def referenced(self) -> dict[tuple[str, str], np.ndarray]:
        """For each referrer, the rows of the table (in file order) whose value it refers to."""
        if not self._hits:
            return {}
        # A lookup lands on the first of equal values: spread each hit over its run of equals.
        s = self.sorted
        new_run = np.ones(self.n, dtype=bool)
        if self.n > 1:
            new_run[1:] = ~np.asarray(pc.fill_null(pc.equal(s.slice(1), s.slice(0, self.n - 1)), False).to_numpy(zero_copy_only=False), dtype=bool)
        run = (np.cumsum(new_run, dtype=np.int64) - 1).astype(np.int32 if self.n < 2**31 else np.int64)
        out = {}
        for referrer, hits in self._hits.items():
            hit_run = np.zeros(int(run[-1]) + 1 if self.n else 0, dtype=bool)
            hit_run[run[hits]] = True
            in_sorted = hit_run[run]
            if self.order is None:
                out[referrer] = in_sorted
            else:
                rows = np.zeros(self.n, dtype=bool)
                rows[self.order] = in_sorted
                out[referrer] = rows
        return out


@dataclass(slots=True)
class Lookup:
    """One chunk's column looked up in a `KeyIndex`: what the lookup says about its cells.

    A cell found among the keys has the value of a key, so whatever the keys were judged holds
    for it too: a pattern is matched once per key, not once per reference (a link table names
    each event twice or more; see `columns.constraint_failures`)."""

    index: KeyIndex
    found: np.ndarray
    pos: np.ndarray

    def pattern_ok(self, strings: Any, pattern: str, judged: np.ndarray) -> np.ndarray:
        """Whether each cell matches `pattern`, for the `judged` rows (others say True)."""
        ok = np.ones(len(self.found), dtype=bool)
        ok[self.found] = self.index.pattern_ok(pattern)[self.pos[self.found]]
        rest = np.flatnonzero(judged & ~self.found)
        if len(rest):
            ok[rest] = matches_pattern(strings.take(pa.array(rest)), pattern)
        return ok


class KeyOrder:
    """Whether the chunks of one file, taken in turn, have strictly increasing primary keys (raw
    strings: then no key repeats) and keys in canonical order (typed values, as `fmt` sorts)."""

    def __init__(self) -> None:
        self.unique = True
        self.ordered = True
        self._last_raw: tuple | None = None
        self._last_typed: tuple | None = None

    def add(self, raw: list[Any], typed: list[Any]) -> None:
        if not raw or not len(raw[0]):
            return
        if self.unique:
            self.unique = in_order(raw, strict=True) and self._after(self._last_raw, raw, strict=True)
        if self.ordered and self.unique and all(_is_text(c) and not c.null_count for c in typed):
            pass  # typed text with no missing cell is the raw text: strictly increasing, so in order
        elif self.ordered:
            try:
                self.ordered = in_order(typed, strict=False) and self._after(self._last_typed, typed, strict=False)
            except (pa.ArrowException, TypeError):
                self.ordered = False
        # Indexed in place: combining a chunk's pieces to read one value copied the whole column.
        self._last_raw = tuple(c[len(c) - 1].as_py() for c in raw)
        self._last_typed = tuple(c[len(c) - 1].as_py() for c in typed)

    @staticmethod
    def _after(last: tuple | None, columns: list[Any], *, strict: bool) -> bool:
        if last is None:
            return True
        first = tuple(c[0].as_py() for c in columns)
        if any(v is None for v in first + last):
            return False
        try:
            return first > last if strict else first >= last
        except TypeError:
            return False


def repeats(columns: list[Any], rows: np.ndarray) -> list[tuple[int, int]]:
    """Among the rows marked in `rows`, each that repeats the values of an earlier one, as
    (row, first row with those values), in row order. By a stable sort (none if already sorted)
    and a look at neighbours: no hash table of Python objects for 10^7 keys."""
    keep = np.flatnonzero(rows)
    if len(keep) < 2:
        return []
    if len(keep) != len(rows):
        columns = [c.take(pa.array(keep)) for c in columns]
    if in_order(columns, strict=False):
        order = None
        cols = columns
    else:
        names = [f"k{n}" for n in range(len(columns))]
        idx = pc.sort_indices(pa.table(dict(zip(names, columns))), sort_keys=[(n, "ascending") for n in names])  # stable
        order = np.asarray(idx.to_numpy(zero_copy_only=False))
        cols = [c.take(idx) for c in columns]
    n = len(cols[0])
    same = np.ones(n - 1, dtype=bool)
    for c in cols:
        same &= np.asarray(pc.fill_null(pc.equal(c.slice(1), c.slice(0, n - 1)), False).to_numpy(zero_copy_only=False), dtype=bool)
    if not same.any():
        return []
    # For each sorted position, where its run of equal values starts (the first occurrence).
    starts = np.where(np.concatenate(([True], ~same)), np.arange(n), 0)
    run_start = np.maximum.accumulate(starts)
    later = np.flatnonzero(np.concatenate(([False], same)))
    to_row = keep if order is None else keep[order]
    return sorted((int(to_row[p]), int(to_row[run_start[p]])) for p in later)


def first_at(line: int | None, row: int) -> str:
    """Where a repeated key's first occurrence is, in a message: its line, or — in a format
    without lines (Parquet) — its row."""
    return f"line {line}" if line is not None else f"row {row}"
