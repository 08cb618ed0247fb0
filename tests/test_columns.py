"""The Arrow column checks (columns.py) reach the verdicts of the exact definitions in schema.py
(`parse_column`) and Python's `re`, cell for cell, including the corners where Arrow alone would
not: hexadecimal integers, rolled-over days, year 0, -0 in an enum, RE2-less patterns, Unicode digits."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from conflictdata.reading.columns import constraint_failures, in_order, parse
from conflictdata.contract.schema import field_specs, parse_column

CELLS = {
    "integer": ["0", "7", "-5", "+5", "007", "0x10", "1e3", "1.0", " 5", "5 ", "", "NA", "٣", "99999999999999999999",
                "9223372036854775807", "-9223372036854775808", "9223372036854775808", "abc"],
    "number": ["0", "-0", "1.5", ".5", "5.", "1e5", "1E-3", "+2", "inf", "-Infinity", "NaN", "nan", "NAN", "INFINITY",
               "1,5", "", "NA", "0x1p3", " 1", "1_0", "abc"],
    "date": ["2024-02-29", "2023-02-29", "2024-02-30", "2024-13-01", "0000-01-01", "0001-01-01", "9999-12-31",
             "2024-1-01", "2024/01/01", "20240101", "", "NA", "2024-01-01T00:00", " 2024-01-01"],
    "boolean": ["true", "false", "True", "FALSE", "1", "0", "yes", "", "NA"],
    "string": ["", "NA", "x", " padded ", "é"],
}


def spec_of(kind: str, **extra) -> object:
    return field_specs({"fields": [{"name": "c", "type": kind, **extra}]})[0]


@pytest.mark.parametrize("kind", sorted(CELLS))
@pytest.mark.parametrize("arrow_backed", [True, False], ids=["arrow", "object"])
def test_arrow_parsing_agrees_with_the_definition(kind: str, arrow_backed: bool) -> None:
    dtype = pd.StringDtype("pyarrow", na_value=np.nan) if arrow_backed else object
    raw = pd.Series(CELLS[kind], dtype=dtype)
    spec = spec_of(kind)
    missing = raw.isin(["", "NA"])
    typed, bad = parse_column(raw, spec, missing)
    got = parse(raw, spec, ["", "NA"])
    assert got.bad.tolist() == bad.tolist()
    assert got.missing.tolist() == missing.tolist()
    assert str(got.typed.dtype) == str(typed.dtype)
    assert got.typed.astype(object).where(got.typed.notna(), None).tolist() == typed.astype(object).where(typed.notna(), None).tolist()


@pytest.mark.parametrize("kind", ["integer", "number"])
def test_each_cell_among_valid_ones_is_judged_as_the_definition_judges_it(kind: str) -> None:
    # A column whose other cells are all valid takes Arrow's cast alone (no regex): each corner
    # case must still be judged as the definition does.
    spec = spec_of(kind)
    for cell in CELLS[kind]:
        raw = pd.Series(["1", cell, "2"], dtype=pd.StringDtype("pyarrow", na_value=np.nan))
        missing = raw.isin(["", "NA"])
        _, bad = parse_column(raw, spec, missing)
        assert parse(raw, spec, ["", "NA"]).bad.tolist() == bad.tolist(), cell


def test_the_corners_arrow_alone_gets_wrong() -> None:
    ints = parse(pd.Series(["0x10", "16", "99999999999999999999"]), spec_of("integer"), [""])
    assert ints.bad.tolist() == [True, False, True]
    dates = parse(pd.Series(["2024-02-30", "0000-01-01", "2024-02-29"]), spec_of("date"), [""])
    assert dates.bad.tolist() == [True, True, False]


def judged(kind: str, cells: list[str], **constraints) -> list[tuple[str, list[int]]]:
    spec = spec_of(kind, constraints=constraints)
    parsed = parse(pd.Series(cells, dtype=object), spec, [""])
    usable = ~parsed.bad
    return [(rule, np.flatnonzero(rows).tolist()) for rule, _, rows in constraint_failures(spec, parsed, usable)]


def test_minus_zero_is_zero_in_an_enum_and_nan_is_in_no_enum() -> None:
    assert judged("number", ["-0", "0", "1", "NaN", ""], enum=["0", "1"]) == [("enum", [3])]


def test_a_pattern_re2_cannot_compile_is_judged_by_python() -> None:
    # Look-ahead: RE2 refuses it; Python decides.
    assert judged("string", ["ab", "ac", "", "a"], pattern="a(?=b)b") == [("pattern", [1, 3])]


def test_unicode_digits_match_backslash_d_as_in_python() -> None:
    assert judged("string", ["12", "١٢", "1a"], pattern=r"\d+") == [("pattern", [2])]


def test_limits_lengths_and_typed_minimum() -> None:
    assert judged("integer", ["5", "10", "11", "x"], minimum="5", maximum=10) == [("maximum", [2])]
    assert judged("date", ["2024-01-01", "2023-12-31"], minimum="2024-01-01") == [("minimum", [1])]
    assert judged("string", ["ab", "abcd", "é"], minLength=2, maxLength=3) == [("min-length", [2]), ("max-length", [1])]


def test_in_order_is_lexicographic_and_strict_on_request() -> None:
    import pyarrow as pa

    a, b = pa.array(["A", "A", "B"]), pa.array(["x", "y", "a"])
    assert in_order([a, b], strict=True)
    assert not in_order([a, pa.array(["x", "x", "a"])], strict=True)
    assert in_order([a, pa.array(["x", "x", "a"])], strict=False)
    assert not in_order([pa.array(["B", "A"])], strict=False)
    assert not in_order([pa.array(["A", None])], strict=False)  # nulls: let the caller sort


TRAILING = ["", "x", "x ", "x\t", "x\x1f", "x\x0b", "a b", " lead", "é", "é ", "x\xa0", "x\u2003", "日本", "x\n"]


@pytest.mark.parametrize("cell", TRAILING)
@pytest.mark.parametrize("shape", ["array", "sliced", "chunked", "large", "nulls"])
def test_trailing_ascii_space_is_seen_in_the_last_byte(cell: str, shape: str) -> None:
    import pyarrow as pa

    from conflictdata.reading.columns import any_ends_with_ascii_space

    cells = ["abc", cell, "def"]
    arr = pa.array(["zz "] + cells, pa.large_string() if shape == "large" else pa.string()).slice(1)  # an offset
    if shape == "array":
        arr = pa.array(cells)
    elif shape == "chunked":
        arr = pa.chunked_array([pa.array(cells[:1]), pa.array([], pa.string()), pa.array(cells[1:])])
    elif shape == "nulls":
        arr = pa.array([None, *cells, None])
    # Python's own verdict: a last character that is ASCII and whitespace (str.rstrip would cut it).
    assert any_ends_with_ascii_space(arr) == (cell[-1:].isascii() and cell[-1:].isspace())


@pytest.mark.parametrize("pattern", [r"^[A-Z]{3}$", r"^\w{3}$", r"^(?=U)[A-Z]+$", r"^(US|UKR)$"])
def test_a_column_of_few_values_is_judged_value_by_value_with_the_same_verdict(pattern: str, monkeypatch: pytest.MonkeyPatch) -> None:
    import re

    import pyarrow as pa

    from conflictdata.reading import columns

    cells = ["UKR", "RUS", "", "ukr", "ÜKR", "US", "日本語"] * 1000
    seen: list[int] = []
    judge = columns._matches
    monkeypatch.setattr(columns, "_matches", lambda values, p: seen.append(len(values)) or judge(values, p))
    got = columns.matches_pattern(pa.chunked_array([pa.array(cells[:3000], pa.large_string()), pa.array(cells[3000:], pa.large_string())]), pattern)
    assert seen == [7]  # each distinct value once
    rx = re.compile(f"(?:{pattern})\\Z")
    assert got.tolist() == [rx.match(c) is not None for c in cells]


def test_an_enum_of_few_values_is_judged_value_by_value_with_the_same_verdict() -> None:
    spec = spec_of("string", constraints={"enum": ["day", "month"]})
    cells = ["day", "month", "week", "", "Day"] * 2000
    parsed = parse(pd.Series(cells, dtype=pd.StringDtype("pyarrow", na_value=float("nan"))), spec, [""])
    usable = np.ones(len(cells), dtype=bool)
    (rule, _, rows), = constraint_failures(spec, parsed, usable)
    assert rule == "enum" and np.flatnonzero(rows).tolist() == [i for i, c in enumerate(cells) if c in ("week", "Day")]
