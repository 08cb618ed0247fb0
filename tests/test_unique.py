"""The `unique` constraint (checking/constraints.py): each repeat named with the row of the value's
first occurrence, in text, whole-number and decimal columns, with missing and mistyped cells
never counted as repeats; Arrow's answer checked against pandas'."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from conflictdata.checking.constraints import _repeated
from conflictdata.versions.history import validate


def _package(folder: Path, rows: list[str]) -> Path:
    fields = [{"name": "id", "type": "integer"},
              {"name": "code", "type": "string", "constraints": {"unique": True}},
              {"name": "n", "type": "integer", "constraints": {"unique": True}},
              {"name": "x", "type": "number", "constraints": {"unique": True}}]
    (folder / "t.csv").write_text("id,code,n,x\n" + "".join(r + "\n" for r in rows), encoding="utf-8")
    (folder / "datapackage.json").write_text(json.dumps({"resources": [
        {"name": "t", "path": "t.csv", "schema": {"fields": fields, "primaryKey": ["id"]}}]}), encoding="utf-8")
    return folder


def _unique(report) -> list[tuple]:
    return [(f.line, f.column, f.value, f.message.split(" on ")[1].split(";")[0]) for f in report.findings if f.rule == "unique"]


def test_repeats_name_the_first_occurrence_and_skip_missing_and_bad_cells(tmp_path: Path) -> None:
    rows = ["1,a,10,1.5", "2,,,", "3,b,x,2.5", "4,a,011,", "5,,x,1.50", "6,c,10,0.0", "7,b,11,-0.0"]
    report = validate(_package(tmp_path, rows))
    got = sorted(_unique(report))
    assert got == sorted([
        (5, "code", "a", "line 2"),
        (8, "code", "b", "line 4"),
        (7, "n", "10", "line 2"),     # the whole number 10, first written on line 2
        (8, "n", "11", "line 5"),     # 011 and 11 are the same number
        (6, "x", "1.50", "line 2"),   # 1.50 and 1.5 are the same number
        (8, "x", "-0.0", "line 7"),   # -0.0 is 0.0
    ])
    # The two 'x' cells in the integer column are type errors, not repeats of each other.
    assert [(f.line, f.column) for f in report.findings if f.rule == "type"] == [(4, "n"), (6, "n")]


@pytest.mark.parametrize("dtype", ["string[pyarrow]", "Int64", "chunked", "chunked-own-dictionaries"])
def test_arrow_repeats_agree_with_pandas(dtype: str, monkeypatch: pytest.MonkeyPatch) -> None:
    rng = np.random.default_rng(7)
    raw = rng.integers(0, 400, 2000)
    if dtype.startswith("chunked"):
        # A streamed table's column: Arrow chunks, values repeated across them (the one dictionary
        # dictionary_encode shares between chunks numbers them all).
        import pyarrow as pa
        import pyarrow.compute as pc

        if dtype == "chunked-own-dictionaries":
            # Were each chunk numbered on its own, ids would restart per chunk: _repeated must see
            # the dictionaries differ and number the column whole, not report false repeats.
            whole = pc.dictionary_encode

            def per_chunk(values, *args, **kwargs):
                if isinstance(values, pa.ChunkedArray):
                    return pa.chunked_array([whole(c) for c in values.chunks])
                return whole(values, *args, **kwargs)

            monkeypatch.setattr(pc, "dictionary_encode", per_chunk)

        text = raw.astype(str).tolist()
        col = pd.Series(pd.arrays.ArrowExtensionArray(pa.chunked_array([pa.array(text[i:i + 300], pa.large_string()) for i in range(0, 2000, 300)])))
        # Every row counted and none missing: any other selection (`take`) joins the chunks into
        # one, and writing a missing cell into the Series would too.
        counted = np.ones(2000, dtype=bool)
        assert pa.array(col).num_chunks == 7
    else:
        col = pd.Series(raw.astype(str) if dtype.startswith("string") else raw, dtype=dtype)
        col[rng.integers(0, 2000, 50)] = pd.NA
        counted = col.notna().to_numpy(dtype=bool) & (rng.random(2000) > 0.1)
    dup = col.duplicated(keep="first").to_numpy(dtype=bool)
    # pandas' own answer over the counted rows only
    sub = col[counted]
    expected = []
    for pos in np.flatnonzero(sub.duplicated(keep="first").to_numpy(dtype=bool)):
        i = int(np.flatnonzero(counted)[pos])
        j = int(np.flatnonzero(counted & (col == col.iat[i]).to_numpy(dtype=bool, na_value=False))[0])
        expected.append((i, j))
    assert dup.any() and len(expected) > 1000
    assert _repeated(col, counted) == expected
