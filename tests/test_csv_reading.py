"""The fast CSV path (pyarrow) and the careful one (csv module) read the same strings and lines."""

from __future__ import annotations

from pathlib import Path

import pytest

from conflictdata.reading import csvfile
from conflictdata.reading.csvfile import read_csv

ROWS = [
    ["EVT-1", 'quote "inside", comma', "Kyïv", ""],
    ["EVT-2", "plain", "  leading space", "x"],
    ["EVT-3", "", "", ""],
]


def _write(path: Path, n: int) -> None:
    import csv

    with open(path, "w", encoding="utf-8", newline="") as fh:
        w = csv.writer(fh, lineterminator="\n")
        w.writerow(["id", "a", "b", "c"])
        for i in range(n):
            r = ROWS[i % 3]
            w.writerow([f"{r[0]}-{i}", *r[1:]])


def _as_rows(t: csvfile.RawTable) -> list[list[str]]:
    if t.columns is None:
        return t.rows
    return [list(r) for r in zip(*(t.columns[h].tolist() for h in t.header))]


def test_fast_and_careful_paths_agree(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "t.csv"
    _write(path, 5000)
    fast = read_csv(path, table="t", file="t.csv")
    assert fast.columns is not None  # the file is large enough for pyarrow
    monkeypatch.setattr(csvfile, "FAST_MIN_BYTES", 1 << 62)
    careful = read_csv(path, table="t", file="t.csv")
    assert careful.columns is None
    assert _as_rows(fast) == careful.rows
    assert list(fast.lines) == list(careful.lines) and list(fast.rownums) == list(careful.rownums)
    assert fast.findings == careful.findings == []


def test_a_line_break_inside_a_cell_takes_the_careful_path(tmp_path: Path) -> None:
    path = tmp_path / "t.csv"
    _write(path, 5000)
    path.write_bytes(path.read_bytes().replace(b"plain", b'"two\nlines"', 1))
    t = read_csv(path, table="t", file="t.csv")
    assert t.columns is None
    assert t.rows[1][1] == "two\nlines"
    assert t.lines[2] == 5  # the record after the two-line cell starts one line later


def test_a_ragged_row_takes_the_careful_path_and_is_reported(tmp_path: Path) -> None:
    path = tmp_path / "t.csv"
    _write(path, 5000)
    path.write_bytes(path.read_bytes().replace(b"EVT-2-4,plain", b"EVT-2-4,plain,extra", 1))
    t = read_csv(path, table="t", file="t.csv")
    assert [(f.rule, f.line) for f in t.findings] == [("extra-cell", 6)]


def test_a_type_error_after_a_blank_line_has_the_row_number_frictionless_gives(tmp_path: Path) -> None:
    from conflictdata.versions.history import validate
    from pkgcopy import copy_package

    pkg = copy_package(tmp_path / "pkg")
    events = pkg / "data/events.csv"
    header, first, *rest = events.read_text(encoding="utf-8").split("\n")
    cells = first.split(",")
    bad = ",".join(cells[:10] + ["north"] + cells[11:])  # latitude
    events.write_text("\n".join([header, first, "", bad, *rest]), encoding="utf-8")
    found = {(f.rule, f.line, f.row, f.column) for f in validate(pkg / "datapackage.json").findings if f.table == "events"}
    # Header = row 1, the first record row 2, the blank line row 3 (frictionless counts it), then row 4.
    assert ("blank-row", 3, 3, None) in found
    assert ("type", 4, 4, "latitude") in found
