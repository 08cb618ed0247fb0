"""keys.KeyIndex: lookups agree with a Python set on every path (hash, binary search, sorted
needles with and without the one-comparison proof), and hits land on the right rows."""

from __future__ import annotations

import random

import numpy as np
import pyarrow as pa
import pytest

from conflictdata.checking import keys
from conflictdata.checking.keys import KeyIndex


def _expected(haystack: list[str], needles: list[str | None]) -> list[bool]:
    present = set(haystack)
    return [n is not None and n in present for n in needles]


def _check(index: KeyIndex, haystack: list[str], needles: list[str | None], chunked: bool = False) -> None:
    arr = pa.array(needles, pa.string())
    if chunked and len(needles) > 2:
        arr = pa.chunked_array([arr.slice(0, len(needles) // 2), arr.slice(len(needles) // 2)])
    found, pos = index.lookup(arr)
    assert found.tolist() == _expected(haystack, needles)
    # A hit's position is the first of its equals in sorted order.
    ordered = sorted(haystack)
    for f, p, n in zip(found, pos, needles):
        if f:
            assert ordered[p] == n and (p == 0 or ordered[p - 1] != n)


@pytest.fixture(params=["hash", "search"])
def small(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> None:
    # The binary search is for tables over 65,536 keys: lower the bar so small tests reach it.
    monkeypatch.setattr(keys, "SMALL", 1 << 16 if request.param == "hash" else 0)


@pytest.mark.parametrize("seed", range(6))
@pytest.mark.parametrize("chunked", [False, True])
@pytest.mark.parametrize("repeats", [False, True])
def test_lookup_agrees_with_a_set(seed: int, chunked: bool, repeats: bool, small: None) -> None:
    rng = random.Random(seed)
    haystack = [f"K-{rng.randrange(60):03d}" for _ in range(40)]  # gaps, and perhaps repeats
    if not repeats:
        haystack = list(dict.fromkeys(haystack))
    index = KeyIndex(pa.array(haystack))
    pool = [f"K-{i:03d}" for i in range(-5, 70)] + ["", "A", "Z"]
    shuffled = [rng.choice(pool) for _ in range(50)]
    _check(index, haystack, shuffled, chunked)
    _check(index, haystack, sorted(shuffled), chunked)  # the sorted-needles path
    _check(index, haystack, sorted(set(haystack)), chunked)  # every key, once: the one-comparison proof
    _check(index, haystack, sorted(set(haystack))[3:9], chunked)  # a stretch of keys
    _check(index, haystack, sorted(haystack), chunked)  # every key, with its repeats
    _check(index, haystack, [h for h in sorted(set(haystack)) for _ in range(3)], chunked)
    _check(index, haystack, [None, *sorted(shuffled)], chunked)  # a missing cell: never a hit
    _check(index, haystack, ["K-000"], chunked)
    _check(index, haystack, ["Z1", "Z2"], chunked)  # beyond every key
    _check(index, haystack, ["A1", "A2"], chunked)  # before every key
    _check(index, haystack, [], chunked)


@pytest.fixture
def tiny_blocks(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(keys, "_BLOCK", 2)


@pytest.mark.parametrize("seed", range(4))
def test_lookup_in_tiny_blocks_agrees_with_a_set(seed: int, tiny_blocks: None, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(keys, "SMALL", 0)
    rng = random.Random(seed)
    haystack = sorted({f"K-{rng.randrange(60):03d}" for _ in range(40)})
    index = KeyIndex(pa.array(haystack))
    # Every key but a few, and a few strangers: some blocks are proven, others searched.
    needles = sorted([h for h in haystack if rng.random() > 0.1] + [f"K-{rng.randrange(60):03d}x" for _ in range(3)])
    _check(index, haystack, needles)
    _check(index, haystack, [n for n in needles for _ in range(2)], chunked=True)


def test_stretch_with_one_key_missing_is_searched(small: None) -> None:
    haystack = ["A", "B", "C", "D", "E"]
    index = KeyIndex(pa.chunked_array([pa.array(haystack[:2]), pa.array(haystack[2:])]))
    # As many distinct needles as keys between the first and the last, but one is not a key.
    found, pos = index.lookup(pa.array(["B", "BB", "D"]))
    assert found.tolist() == [True, False, True]
    assert [int(p) for p, f in zip(pos, found) if f] == [1, 3]


def test_hits_mark_the_referenced_rows_in_file_order(small: None) -> None:
    haystack = ["C", "A", "B", "A", "D"]  # not sorted, with a repeat
    index = KeyIndex(pa.array(haystack))
    found, pos = index.lookup(pa.array(["A", "A", "C", "X"]))
    index.mark(("links", "id"), pos, found)
    assert np.flatnonzero(index.referenced()[("links", "id")]).tolist() == [0, 1, 3]
