"""Properties that hold for every input, checked with hypothesis on generated tables and packages.

- CSV → Parquet (the build's writer) → CSV (the validator's Parquet reader) loses nothing, for any
  table the project's schemas admit: unicode text, empty (missing) cells, extreme int64, dates at
  the schema's bounds (1900-01-01) and at 9999-12-31.
- `diff(A, A)` is empty, and the diff of A and B accounts for every row of both.
- `validate` never raises anything but UnusableInputError, whatever bytes a CSV cell holds.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import shutil
import tempfile
import unicodedata
from dataclasses import replace
from pathlib import Path

import pytest
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

from pkgcopy import REPO, copy_package, read_rows, write_rows

# No shrinking: each example reads files, so shrinking takes minutes; the failing example is printed whole.
SETTINGS = settings(max_examples=25, deadline=None, phases=[Phase.explicit, Phase.reuse, Phase.generate], suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
INT64 = (-(2**63), 2**63 - 1)

# --- values the schema admits ---------------------------------------------------------------------


def _text() -> st.SearchStrategy[str]:
    # Any character but controls and surrogates, stored as the canonical form keeps it (NFC, trimmed).
    chars = st.characters(blacklist_categories=("Cc", "Cs"))
    return st.text(chars, max_size=12).map(lambda s: unicodedata.normalize("NFC", s).strip())


def value_strategy(f: dict) -> st.SearchStrategy[str]:
    c = f.get("constraints") or {}
    t = f.get("type", "string")
    if "enum" in c:
        v = st.sampled_from([str(x) for x in c["enum"]])
    elif t == "integer":
        v = st.integers(max(INT64[0], c.get("minimum", INT64[0])), min(INT64[1], c.get("maximum", INT64[1]))).map(str)
    elif t == "number":
        v = st.floats(c.get("minimum", -1e300), c.get("maximum", 1e300), allow_nan=False, allow_infinity=False).map(repr)
    elif t == "boolean":
        v = st.sampled_from(["true", "false"])
    elif t == "date":
        lo = dt.date.fromisoformat(c.get("minimum", "1900-01-01"))
        v = st.one_of(st.just(lo), st.just(dt.date(9999, 12, 31)), st.dates(lo, dt.date(9999, 12, 31))).map(dt.date.isoformat)
    elif "pattern" in c:
        # Controls are text no source holds (the reader reports NUL as an encoding error).
        v = st.from_regex(c["pattern"], fullmatch=True).filter(
            lambda s: s == s.strip() and not any(unicodedata.category(ch) in ("Cc", "Cs") for ch in s))
    else:
        v = _text().filter(lambda s: len(s) >= c.get("minLength", 0))
    if c.get("required"):
        return v.filter(bool)
    return st.one_of(st.just(""), v)


def schema_of(table: str) -> dict:
    return json.loads((REPO / f"schema/{table}.json").read_text(encoding="utf-8"))


def rows_strategy(schema: dict) -> st.SearchStrategy[list[list[str]]]:
    fields = schema["fields"]
    pk = schema["primaryKey"]
    pk = [pk] if isinstance(pk, str) else pk
    idx = [i for i, f in enumerate(fields) if f["name"] in pk]
    row = st.tuples(*[value_strategy(f).filter(bool) if f["name"] in pk else value_strategy(f) for f in fields]).map(list)
    return st.lists(row, min_size=1, max_size=6, unique_by=lambda r: tuple(r[i] for i in idx))


def one_table_package(root: Path, table: str, schema: dict, rows: list[list[str]]):
    from conflictdata.contract.package import open_package

    (root / "data").mkdir(parents=True)
    buf = io.StringIO()
    csv.writer(buf, lineterminator="\n").writerows([[f["name"] for f in schema["fields"]], *rows])
    (root / "data" / f"{table}.csv").write_bytes(buf.getvalue().encode("utf-8"))
    descriptor = {"name": "roundtrip", "resources": [{"name": table, "path": f"data/{table}.csv", "format": "csv", "schema": schema}]}
    (root / "datapackage.json").write_text(json.dumps(descriptor), encoding="utf-8")
    return open_package(root)


@pytest.mark.parametrize("table", ["casualty_claims", "events", "sources", "actors", "stances"])
@SETTINGS
@given(data=st.data())
def test_csv_parquet_csv_round_trip_is_lossless(table: str, data) -> None:
    from conflictdata.versions.build import _parquet_bytes
    from conflictdata.checking.canonical import canonical_order
    from conflictdata.reading.parquet import read_parquet_strings
    from conflictdata.reading.tables import read_table

    schema = schema_of(table)
    rows = data.draw(rows_strategy(schema))
    with tempfile.TemporaryDirectory() as tmp:
        package = one_table_package(Path(tmp), table, schema, rows)
        t = read_table(package, package.resources[table])
        assert [f for f in t.findings if f.severity == "error"] == [], "the generator made an invalid row"
        path = Path(tmp) / "data" / f"{table}.parquet"
        path.write_bytes(_parquet_bytes(t))
        back, findings = read_parquet_strings(replace(t.resource, paths=[path], relpaths=[path.name], format="parquet"), path.name)
    assert findings == []
    want = t.raw.loc[canonical_order(t)].reset_index(drop=True)
    for f in schema["fields"]:
        a, b = list(want[f["name"]]), list(back[f["name"]])
        if f.get("type") == "number":
            assert [float(x) if x else None for x in a] == [float(x) if x else None for x in b], f["name"]
        else:
            assert a == b, f["name"]


# --- diff ------------------------------------------------------------------------------------------

CORE: Path | None = None


def core() -> Path:
    global CORE
    if CORE is None:
        CORE = copy_package(Path(tempfile.mkdtemp(prefix="conflictdata-core-")) / "pkg")
    return CORE


@st.composite
def package_edits(draw):
    """Edits of actors.csv: rows dropped (some retracted), cells changed, rows added."""
    header, rows = read_rows(core() / "data/actors.csv")
    keep = draw(st.lists(st.booleans(), min_size=len(rows), max_size=len(rows)))
    retract = draw(st.lists(st.booleans(), min_size=len(rows), max_size=len(rows)))
    change = draw(st.lists(st.booleans(), min_size=len(rows), max_size=len(rows)))
    new_ids = draw(st.lists(st.from_regex(r"ACT-NEW[A-Z0-9]{1,4}", fullmatch=True), max_size=4, unique=True))
    return keep, retract, change, new_ids


def make_b(root: Path, edits) -> tuple[set[str], set[str]]:
    keep, retract, change, new_ids = edits
    shutil.copytree(core(), root)
    header, rows = read_rows(root / "data/actors.csv")
    out, retracted = [], []
    for r, k, rt, ch in zip(rows, keep, retract, change):
        if not k:
            if rt:
                retracted.append(r["actor_id"])
            continue
        out.append({**r, "description": r["description"] + " (edited)"} if ch else r)
    for i in new_ids:
        out.append({**rows[0], "actor_id": i})
    write_rows(root / "data/actors.csv", header, out)
    rh, _ = read_rows(root / "data/retractions.csv")
    write_rows(root / "data/retractions.csv", rh, [{"table": "actors", "record_id": a, "retracted_date": "2026-01-01",
                                                   "reason": "test", "replaced_by_id": ""} for a in retracted])
    return {r["actor_id"] for r in rows}, {r["actor_id"] for r in out}


@SETTINGS
@given(edits=package_edits())
def test_diff_of_a_package_with_itself_is_empty(edits) -> None:
    from conflictdata.versions.diff import diff_packages
    from conflictdata.contract.package import open_package

    with tempfile.TemporaryDirectory() as tmp:
        make_b(Path(tmp) / "a", edits)
        a = open_package(Path(tmp) / "a")
        d = diff_packages(a, a)
    assert d.empty and d.to_dict()["tables"] == {} and d.required_bump is None


@SETTINGS
@given(edits=package_edits())
def test_diff_accounts_for_every_row_of_both(edits) -> None:
    from conflictdata.versions.diff import diff_packages
    from conflictdata.contract.package import open_package

    with tempfile.TemporaryDirectory() as tmp:
        old_ids, new_ids = make_b(Path(tmp) / "b", edits)
        d = diff_packages(open_package(core()), open_package(Path(tmp) / "b"))
    t = d.tables["actors"]
    changed = {c.key for c in t.changed}
    unchanged = (old_ids & new_ids) - changed
    added, removed, retracted = set(t.added), set(t.removed), set(t.retracted)
    # Every row of A is removed, retracted, changed or unchanged; every row of B added, changed or
    # unchanged; no row counted twice.
    assert len(added) + len(t.changed) + len(unchanged) == len(new_ids)
    assert len(removed) + len(retracted) + len(t.changed) + len(unchanged) == len(old_ids)
    assert added | changed | unchanged == new_ids
    assert removed | retracted | changed | unchanged == old_ids
    assert not (removed & retracted) and not (added & old_ids)
    # And nothing else moved: every other table is identical.
    assert all(tab.empty for name, tab in d.tables.items() if name not in ("actors", "retractions"))


# --- validate never crashes ----------------------------------------------------------------------


@SETTINGS
@given(cell=st.binary(max_size=64), table=st.sampled_from(["stances", "events", "casualty_claims"]))
def test_validate_never_crashes_on_arbitrary_bytes_in_a_cell(cell: bytes, table: str) -> None:
    from conflictdata import validate
    from conflictdata.contract.errors import UnusableInputError

    with tempfile.TemporaryDirectory() as tmp:
        pkg = Path(tmp) / "pkg"
        shutil.copytree(core(), pkg)
        p = pkg / f"data/{table}.csv"
        lines = p.read_bytes().split(b"\n")
        # The second cell of the first record: an id, a title or a claimant, as the table has it.
        first, rest = lines[1].split(b",", 1)
        second = rest.split(b",", 1)[1] if b"," in rest else b""
        lines[1] = first + b"," + cell + b"," + second
        p.write_bytes(b"\n".join(lines))
        try:
            report = validate(pkg)
        except UnusableInputError:
            return
    for f in report.findings:
        assert f.file and f.rule and f.message
