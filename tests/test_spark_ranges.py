"""The Spark engine's byte ranges (conflictdata.spark.ranges) read a file into exactly the records,
lines, row numbers and reader findings of the one-task read, whatever the range size: a quoted
cell that spans lines or whole ranges, CRLF, multibyte characters, blank rows, invalid UTF-8 and
NUL bytes, a missing last newline, syntax errors, several files, dialects.

The tasks' functions run here in this process (pass 1 through a stand-in for `sparkContext`), so
every range size from one byte up is tried without a JVM; tests/test_spark.py runs the engine with
ranges on Spark.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pyarrow as pa
import pytest

from conflictdata.contract.package import open_package
from conflictdata.reading.tables import _delimiter
from conflictdata.spark import chain, read
from conflictdata.spark.tasks import Checks

# Lines: 1 header (CRLF) | 2-4 a quoted cell over three lines (LF, CRLF inside) | 5 | 6 blank | 7
# multibyte | 8 missing cell | 9 extra cell | 10 a quote inside an unquoted cell | 11 blank (CRLF) |
# 12-13 a quoted cell longer than most ranges | 14 | 15 invalid UTF-8 | 16 a NUL | 17 no newline.
A = ("id,name,note\r\n"
     "1,Ann,\"a note\nover\r\nthree lines\"\r\n"
     "2,Bé,plain\n"
     "\n"
     "3,漢字😀,\"x\"\"y\"\n"
     "4,Dee\n"
     "5,Eve,a,b\n"
     "6,F\"g,h\n"
     "\r\n"
     "7,\"" + "long cell, " * 12 + "\nend\",z\n"
     "8,Gil,\"q\"\n").encode() + b"9,bad\xff\xfebytes,x\n10,n\x00ul,y\n11,last,no newline"
# A closing quote followed by text: the reader stops there (line 2), as the local one does.
B = b"id,name,note\n12,Ho,\"open\nquote\"x,never closed\n13,after,error\n"
# A BOM, and a quoted cell still open at the end of the file.
C = b"\xef\xbb\xbfid,name,note\r\n14,Ida,\"\r\n\"\r\n15,Jo,\"unterminated\nto the end\n"
SCHEMA = {"fields": [{"name": "id", "type": "integer"}, {"name": "name"}, {"name": "note"}]}


class _Here:
    """Stands in for a SparkSession: pass 1's tasks run in this process."""

    class sparkContext:  # noqa: N801
        @staticmethod
        def parallelize(items, n):
            class Mapped:
                def __init__(self, f):
                    self.f = f

                def collect(self):
                    return [self.f(i) for i in items]

            class Items:
                def map(self, f):
                    return Mapped(f)

            return Items()


def _records(batches) -> tuple[list[tuple], list[dict]]:
    rows, metas = [], []
    for b in batches:
        d = b.to_pydict()
        for kind, f, line, row, cells, meta in zip(d["kind"], d["_f"], d["_line"], d["_row"], d["cells"], d["meta"]):
            if kind == "meta":
                metas.append(json.loads(meta))
            else:
                rows.append((f, line, row, tuple(cells)))
    return rows, metas


def _package(root: Path, files: dict[str, bytes], dialect: dict | None = None, schema: dict = SCHEMA) -> Path:
    (root / "data").mkdir(parents=True)
    for name, data in files.items():
        (root / "data" / name).write_bytes(data)
    res = {"name": "t", "path": [f"data/{n}" for n in files], "schema": schema}
    if dialect:
        res["dialect"] = dialect
    (root / "datapackage.json").write_text(json.dumps({"name": "ranges", "resources": [res]}), encoding="utf-8")
    return root


def read_both(root: Path, step: int, checks=None) -> tuple[tuple, tuple, list[str], int]:
    """(rows, per-file (findings, last, rows, absent, checks' findings)) read whole and read in
    ranges of `step` bytes; the notes, and the number of runs read. `checks`: tasks.Checks."""
    res = open_package(root).resources["t"]
    delimiter = _delimiter(res)
    job = read.Job({"t": res}, {}, {"t": delimiter}, checks)
    whole_rows, whole_metas, files = [], [], []
    for i, p in enumerate(res.paths):
        rows, metas = _records(read._file_batches("t", i, str(p), Path(p).read_bytes(), job, np, pa))
        whole_rows += rows
        whole_metas.append(("t", i, metas[0]))
        files.append({"table": "t", "index": i, "file": str(p), "uri": str(p), "size": Path(p).stat().st_size, "res": res,
                      "delimiter": delimiter, "hashed": False})
    units, file_metas, notes = chain.split(_Here, files, step)
    job.units = units
    rows, metas = _records(read.parse_units([pa.record_batch({"u": list(range(len(units)))})], job)) if units else ([], [])
    ranged_metas = [("t", units[m["unit"]].index, m) for m in metas] + [m for m in whole_metas if m[:2] not in file_metas]
    merged = chain.merge_runs(_Here, job, ranged_metas, file_metas)
    ranged_rows = rows + [r for r in whole_rows if ("t", r[0]) not in file_metas]

    def summary(metas: list[tuple]) -> tuple:
        return tuple((sorted(map(tuple, m["findings"]), key=repr), m["last"], m["rows"], m["absent"], sorted(map(tuple, m["checks"]), key=repr))
                     for _, _, m in metas)

    return (sorted(whole_rows), summary(whole_metas)), (sorted(ranged_rows), summary(merged)), notes, len(units)


@pytest.fixture(scope="module")
def edge(tmp_path_factory) -> Path:
    return _package(tmp_path_factory.mktemp("ranges") / "pkg", {"a.csv": A, "b.csv": B, "c.csv": C})


def test_every_range_size_reads_what_one_task_reads(edge):
    # Every boundary position is met by the small sizes (ranges of 1 to 12 bytes cut everywhere).
    for step in [*range(1, 13), *range(13, len(A) + 2, 17)]:
        whole, ranged, notes, runs = read_both(edge, step)
        assert ranged == whole, step
        assert notes == [] and runs > (0 if step > len(A) else 2), step


def test_findings_after_range_boundaries_keep_their_file_line_and_row(edge):
    whole, ranged, _, runs = read_both(edge, 16)
    assert runs > 8
    findings = [(Path(f[4]).name, f[5], f[8], f[1]) for per_file in ranged[1] for f in per_file[0]]
    assert sorted(findings) == [
        ("a.csv", 6, 4, "blank-row"), ("a.csv", 8, 6, "missing-cell"), ("a.csv", 9, 7, "extra-cell"), ("a.csv", 11, 9, "blank-row"),
        ("a.csv", 15, None, "encoding"), ("a.csv", 16, None, "encoding"),
        ("b.csv", 2, None, "csv-syntax"), ("c.csv", 4, None, "csv-syntax")]
    lines = {row[3][0]: (row[1], row[2]) for row in ranged[0]}
    assert lines["7"] == (12, 10) and lines["8"] == (14, 11) and lines["11"] == (17, 14) and lines["14"] == (2, 2)


@pytest.mark.parametrize("dialect, data", [
    ({"delimiter": "\t"}, b'id\tname\tnote\n1\t"a\tb\nc"\tx\n2\t\tz\n\n3\ty\n'),
    ({"quoteChar": "'"}, b"id,name,note\n1,'it''s\nhere',x\n2,\"plain\",y\n3,'a,b',z\n"),
    ({"skipInitialSpace": True}, b'id, name, note\n1, "a\nb", x\n2, y, "z\n"\n'),
    ({"header": True, "skipBlankRows": True}, b"id,name,note\n1,a,b\n\n\n2,\"c\n\nd\",e\n"),
])
def test_dialects_the_reader_follows_read_in_ranges(tmp_path, dialect, data):
    root = _package(tmp_path / "pkg", {"a.csv": data * 3}, dialect)
    for step in range(1, len(data) * 3 // 2, 2):
        whole, ranged, notes, runs = read_both(root, step)
        assert ranged == whole and notes == [] and runs > 1, step


def test_an_unquoted_delimiter_is_repaired_in_a_run_as_in_the_file(tmp_path):
    schema = {"fields": [{"name": "id", "type": "integer"}, {"name": "name"}, {"name": "born", "type": "date"}]}
    data = b"id,name,born\n" + b"".join(b"%d,Name %d,2001-01-01\n" % (i, i) for i in range(20)) + b"21,Smith, John,1990-05-01\n"
    root = _package(tmp_path / "pkg", {"a.csv": data}, schema=schema)
    whole, ranged, _, runs = read_both(root, 40)
    assert ranged == whole and runs > 5
    assert [(f[1], f[5], f[8], f[6]) for f in ranged[1][0][0]] == [("unquoted-delimiter", 22, 22, "name")]


def test_a_file_in_another_delimiter_is_read_in_ranges_with_it(tmp_path):
    data = b'id;name;note\n1;"a;\nb";c\n2;d;"e,f"\n3;x\n'
    root = _package(tmp_path / "pkg", {"a.csv": data})
    for step in range(1, len(data) // 2):
        whole, ranged, notes, runs = read_both(root, step)
        assert ranged == whole and notes == [] and runs > 1, step
    assert sorted((f[1], f[5]) for f in ranged[1][0][0]) == [("missing-cell", 5), ("wrong-delimiter", 1)]


@pytest.mark.parametrize("dialect, data, why", [
    ({"escapeChar": "\\"}, b"id,name,note\n1,a\\,b,c\n", "escape character"),
    ({"headerRows": [2]}, b"x,y,z\nid,name,note\n1,a,b\n", "header rows"),
    ({"commentChar": "#"}, b"id,name,note\n# no\n1,a,b\n", "comments"),
    (None, b"title\nid,name,note\n1,a,b\n2,c,d\n3,e,f\n", "the header is not its first record"),
])
def test_files_the_ranges_cannot_follow_are_read_whole(tmp_path, dialect, data, why):
    root = _package(tmp_path / "pkg", {"a.csv": data}, dialect)
    whole, ranged, notes, runs = read_both(root, 4)
    assert ranged == whole and runs == 0
    assert len(notes) == 1 and notes[0].startswith("t: ") and "read whole in one task" in notes[0] and why in notes[0]


def _canonical(root: Path) -> Checks:
    import datetime as dt

    return Checks(open_package(root), dt.date(2026, 11, 30), rules=False, canonical=True, copies=False)


KEYED = {"fields": [{"name": "id", "type": "integer"}, {"name": "name"}, {"name": "note"}], "primaryKey": ["id"]}
ROWS = b"id,name,note\n" + b"".join(b'%d,Name %d,"a, b"\n' % (i, i) for i in range(1, 31))


@pytest.mark.parametrize("change, line", [
    (lambda d: d, None),                                                      # canonical
    (lambda d: d.replace(b"\n", b"\r\n"), 1),                                # CRLF
    (lambda d: d.replace(b"id,name,note", b'"id",name,note'), 1),             # the header quoted
    (lambda d: d.replace(b"Name 23,", b"Name 23 ,"), 24),                     # a cell not trimmed, far from the start
    (lambda d: d.replace(b"Name 17,", b'"Name 17",'), 18),                    # needless quotes
    (lambda d: d.replace(b'25,Name 25,"a, b"\n', b"") + b'25,Name 25,"a, b"\n', 26),  # a row moved to the end: id 26 is first out of place
    (lambda d: d.replace(b'3,Name 3,"a, b"\n', b"") + b'3,Name 3,"a, b"\n', 4),       # ... from the first runs on
    (lambda d: d + b"31,x,y,extra\n", None),                                   # a blocking finding: no verdict
])
def test_the_canonical_form_of_a_file_in_ranges_is_judged_as_whole(tmp_path, change, line):
    root = _package(tmp_path / "pkg", {"a.csv": change(ROWS)}, schema=KEYED)
    for step in (16, 61, 200):
        whole, ranged, _, runs = read_both(root, step, _canonical(root))
        assert ranged == whole and runs > 2, step
        assert [(f[1], f[5]) for f in whole[1][0][4]] == ([("non-canonical", line)] if line else []), step
