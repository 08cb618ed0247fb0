"""`conflictdata export`: each format read back with the real tool, row for row; atomic writes."""

from __future__ import annotations

import csv
import hashlib
import json
import math
import sqlite3
from datetime import date
from pathlib import Path
from typing import Any, Mapping

import pandas as pd
import pytest

import conflictdata
from conflictdata.outputs import analysis
from conflictdata.outputs import export_files, export_sql
from conflictdata.contract.errors import InvalidDataError, UnusableInputError
from conflictdata.outputs.export import EXPORT_MARKER, FORMULA_START, export, neutralise
from conflictdata.contract.package import open_package
from conflictdata.contract.schema import field_specs
from pkgcopy import REPO, copy_package, edit_schema, edit_table, replace_once

duckdb = pytest.importorskip("duckdb", reason="duckdb is in the test extra: pip install '.[test]'")

# Rows added to the curated core: cells a spreadsheet would run, coordinates east and west.
FORMULA_TITLE = '=HYPERLINK("http://example.invalid","click")'
EVENTS = [
    {"event_id": "EVT-9001", "title": FORMULA_TITLE, "summary": "+1 strike reported near the station (test row).",
     "event_type": "shelling_or_missile", "date_start": "2024-08-10", "date_end": "2024-08-10", "date_precision": "day",
     "country_iso3": "UKR", "admin1_code": "", "location": "-Kyiv (test row)", "latitude": "50.45",
     "longitude": "30.52333", "geo_precision": "exact", "occurrence": "reported"},
    {"event_id": "EVT-9002", "title": "A test event west of Greenwich", "summary": "Test row with a negative longitude.",
     "event_type": "armed_clash", "date_start": "2024-09-01", "date_end": "2024-09-30", "date_precision": "month",
     "country_iso3": "PER", "admin1_code": "", "location": "", "latitude": "-12.5", "longitude": "-70.25",
     "geo_precision": "region", "occurrence": "disputed"},
]


def _add(rows: list[dict[str, str]]):
    return lambda header, old: (header, old + [{h: r.get(h, "") for h in header} for r in rows])


def _data_hashes(pkg: Path) -> dict[str, str]:
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted((pkg / "data").glob("*.csv"))}


@pytest.fixture(scope="module")
def pkg(tmp_path_factory: pytest.TempPathFactory) -> Path:
    pkg = copy_package(tmp_path_factory.mktemp("export") / "pkg")
    edit_table(pkg, "events", _add(EVENTS))
    edit_table(pkg, "event_actors", _add([
        {"event_id": "EVT-9001", "actor_id": "ACT-RUS-AF", "role": "initiator", "certainty": "alleged"},
        {"event_id": "EVT-9002", "actor_id": "ACT-UKR-AF", "role": "initiator", "certainty": "suspected"}]))
    edit_table(pkg, "event_sources", _add([
        {"event_id": "EVT-9001", "source_id": "SRC-0002", "locator": "@row 1"},
        {"event_id": "EVT-9002", "source_id": "SRC-0002", "locator": "row 2"}]))
    # A negative integer, in the copy only (no integer column of the real schema admits one).
    edit_schema(pkg, "actors", lambda s: next(f for f in s["fields"] if f["name"] == "ucdp_actor_id")["constraints"].pop("minimum"))
    replace_once(pkg / "data/actors.csv", "NATO,intergovernmental_org,,,Q7184,,", "NATO,intergovernmental_org,,,Q7184,-5,")
    return pkg


@pytest.fixture(scope="module")
def tables(pkg: Path) -> Mapping[str, pd.DataFrame]:
    return conflictdata.load(pkg)


@pytest.fixture(scope="module")
def specs(pkg: Path) -> dict[str, list[Any]]:
    return {name: field_specs(res.schema) for name, res in open_package(pkg).resources.items()}


def _py(v: Any, *, dates_as_text: bool) -> Any:
    """A cell of a loaded table as the plain Python value an export should hold."""
    if v is None or v is pd.NA or (isinstance(v, float) and math.isnan(v)):
        return None
    if isinstance(v, date):
        return v.isoformat() if dates_as_text else v
    if hasattr(v, "item"):  # numpy scalars
        return v.item()
    return v


def _source_rows(frame: pd.DataFrame, *, dates_as_text: bool, booleans_as_int: bool = False) -> list[tuple[Any, ...]]:
    rows = []
    for row in frame.astype(object).itertuples(index=False, name=None):
        cells = [_py(v, dates_as_text=dates_as_text) for v in row]
        rows.append(tuple(int(c) if booleans_as_int and isinstance(c, bool) else c for c in cells))
    return rows


# --- sqlite -----------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def sqlite_db(pkg: Path, tmp_path_factory: pytest.TempPathFactory) -> sqlite3.Connection:
    out = tmp_path_factory.mktemp("sqlite") / "conflictdata.sqlite"
    result = export("sqlite", out, pkg)
    assert result.out == out and result.views == list(analysis.VIEWS)
    return sqlite3.connect(out)


def test_sqlite_holds_every_row_of_every_table(sqlite_db: sqlite3.Connection, tables: Mapping[str, pd.DataFrame]) -> None:
    for name, frame in tables.items():
        cur = sqlite_db.execute(f'SELECT * FROM "{name}" ORDER BY rowid')
        assert [d[0] for d in cur.description] == list(frame.columns), name
        assert cur.fetchall() == _source_rows(frame, dates_as_text=True, booleans_as_int=True), name


def test_sqlite_column_types_and_not_null_come_from_the_schema(sqlite_db: sqlite3.Connection, specs: dict[str, list[Any]]) -> None:
    expected_type = {"integer": "INTEGER", "number": "REAL", "boolean": "INTEGER", "date": "TEXT", "string": "TEXT"}
    for name, fields in specs.items():
        info = {row[1]: row for row in sqlite_db.execute(f'PRAGMA table_info("{name}")')}
        assert list(info) == [f.name for f in fields]
        for f in fields:
            _, _, kind, notnull, _, _ = info[f.name]
            assert (kind, bool(notnull)) == (expected_type[f.type], f.required), (name, f.name)
    claims = {row[1]: row for row in sqlite_db.execute('PRAGMA table_info("casualty_claims")')}
    assert claims["value_low"][2] == "INTEGER" and claims["period_end"][2] == "TEXT" and claims["claim_id"][5] == 1
    assert {row[1]: row[5] for row in sqlite_db.execute('PRAGMA table_info("event_actors")') if row[5]} == {"event_id": 1, "actor_id": 2, "role": 3}


def test_sqlite_declares_every_foreign_key_with_an_index(sqlite_db: sqlite3.Connection, pkg: Path) -> None:
    for name, res in open_package(pkg).resources.items():
        declared = {(row[3], row[2], row[4]) for row in sqlite_db.execute(f'PRAGMA foreign_key_list("{name}")')}
        wanted = {(fk["fields"][0], fk["resource"], fk["ref_fields"][0]) for fk in res.foreign_keys}
        assert declared == wanted, name
        indexed = {sqlite_db.execute(f'PRAGMA index_info("{row[1]}")').fetchone()[2]
                   for row in sqlite_db.execute(f'PRAGMA index_list("{name}")')}
        assert {fk["fields"][0] for fk in res.foreign_keys} <= indexed, name
    assert ("parent_actor_id", "actors", "actor_id") in {
        (row[3], row[2], row[4]) for row in sqlite_db.execute('PRAGMA foreign_key_list("actors")')}  # a self-reference


def test_sqlite_foreign_keys_resolve_and_are_enforced(sqlite_db: sqlite3.Connection) -> None:
    sqlite_db.execute("PRAGMA foreign_keys=ON")
    assert sqlite_db.execute("PRAGMA foreign_key_check").fetchall() == []
    with pytest.raises(sqlite3.IntegrityError, match="FOREIGN KEY"):
        sqlite_db.execute("INSERT INTO event_actors VALUES ('EVT-0001', 'ACT-NOBODY', 'target', 'known')")
    with pytest.raises(sqlite3.IntegrityError, match="CHECK"):
        sqlite_db.execute("INSERT INTO event_actors VALUES ('EVT-0001', 'ACT-NATO', 'bystander', 'known')")
    sqlite_db.rollback()


def test_sqlite_joins_and_views_work(sqlite_db: sqlite3.Connection, tables: Mapping[str, pd.DataFrame]) -> None:
    joined = sqlite_db.execute(
        "SELECT c.claim_id, a.name, s.publisher FROM casualty_claims c JOIN actors a ON a.actor_id = c.claimant_actor_id "
        "JOIN sources s ON s.source_id = c.source_id WHERE c.claim_id = 'CLM-0001'").fetchall()
    assert joined == [("CLM-0001", "Mark Rutte", "Khaama Press")]
    view = sqlite_db.execute("SELECT event_id, actor_id, role, actor_name FROM events_with_actors").fetchall()
    frame = analysis.events_with_actors(tables)
    assert view == list(frame[["event_id", "actor_id", "role", "actor_name"]].astype(object).itertuples(index=False, name=None))


# --- duckdb -----------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def duck(pkg: Path, tmp_path_factory: pytest.TempPathFactory) -> Any:
    out = tmp_path_factory.mktemp("duckdb") / "conflictdata.duckdb"
    export("duckdb", out, pkg)
    con = duckdb.connect(str(out), read_only=True)
    yield con
    con.close()


def test_duckdb_holds_every_row_of_every_table(duck: Any, tables: Mapping[str, pd.DataFrame]) -> None:
    for name, frame in tables.items():
        cur = duck.execute(f'SELECT * FROM "{name}"')
        assert [d[0] for d in cur.description] == list(frame.columns), name
        assert cur.fetchall() == _source_rows(frame, dates_as_text=False), name


def test_duckdb_types_primary_keys_and_comments_come_from_the_schema(duck: Any, specs: dict[str, list[Any]]) -> None:
    expected_type = {"integer": "BIGINT", "number": "DOUBLE", "boolean": "BOOLEAN", "date": "DATE", "string": "VARCHAR"}
    for name, fields in specs.items():
        rows = duck.execute("SELECT column_name, data_type, is_nullable, comment FROM duckdb_columns() "
                            "WHERE table_name = ? ORDER BY column_index", [name]).fetchall()
        assert rows == [(f.name, expected_type[f.type], not f.required, f.description or None) for f in fields], name
    pk = duck.execute("SELECT constraint_column_names FROM duckdb_constraints() "
                      "WHERE table_name = 'event_actors' AND constraint_type = 'PRIMARY KEY'").fetchall()
    assert pk == [(["event_id", "actor_id", "role"],)]


def test_duckdb_views_return_what_the_analysis_helpers_return(duck: Any, tables: Mapping[str, pd.DataFrame]) -> None:
    for view in analysis.VIEWS:
        cur = duck.execute(f'SELECT * FROM "{view}"')
        want = getattr(analysis, view)(tables)
        assert [d[0] for d in cur.description] == list(want.columns), view
        assert cur.fetchall() == _source_rows(want, dates_as_text=False) != [], view
    rutte = duck.execute("SELECT claimant_name, on_behalf_of_name, subject_name, source_publisher FROM claims_named "
                         "WHERE claim_id = 'CLM-0001'").fetchall()
    assert rutte == [("Mark Rutte", "NATO", "Russian armed forces", "Khaama Press")]


# --- geojson ----------------------------------------------------------------------------------


def _check_geojson(doc: dict[str, Any]) -> None:
    """RFC 7946 as far as this export uses it: Points with [longitude, latitude] in range."""
    assert doc["type"] == "FeatureCollection" and isinstance(doc["features"], list)
    for f in doc["features"]:
        assert f["type"] == "Feature" and isinstance(f["properties"], dict)
        geometry = f["geometry"]
        assert geometry["type"] == "Point" and len(geometry["coordinates"]) == 2
        lon, lat = geometry["coordinates"]
        assert -180 <= lon <= 180 and -90 <= lat <= 90
        assert (lon, lat) == (f["properties"]["longitude"], f["properties"]["latitude"])


def test_geojson_has_the_events_with_coordinates_as_lon_lat_points(pkg: Path, tmp_path: Path, tables: Mapping[str, pd.DataFrame]) -> None:
    result = export("geojson", tmp_path / "events.geojson", pkg)
    doc = json.loads((tmp_path / "events.geojson").read_text(encoding="utf-8"))
    _check_geojson(doc)
    events = tables["events"]
    located = events[events["latitude"].notna() & events["longitude"].notna()]
    assert [f["id"] for f in doc["features"]] == located["event_id"].tolist() == ["EVT-9001", "EVT-9002"]
    assert result.rows == {"events": 2} and result.skipped == {"events without coordinates": len(events) - 2}
    west = doc["features"][1]
    assert west["geometry"]["coordinates"] == [-70.25, -12.5]
    assert west["properties"]["date_start"] == "2024-09-01" and west["properties"]["admin1_code"] is None
    assert list(west["properties"]) == list(events.columns)


def test_jsonl_holds_every_row_of_every_table(pkg: Path, tmp_path: Path, tables: Mapping[str, pd.DataFrame]) -> None:
    out = tmp_path / "jsonl"
    result = export("jsonl", out, pkg)
    manifest = json.loads((out / EXPORT_MARKER).read_text(encoding="utf-8"))
    assert manifest["format"] == "jsonl" and manifest["tables"]["events"] == {"path": "events.jsonl", "rows": len(tables["events"])}
    assert sorted(p.name for p in out.iterdir()) == sorted([EXPORT_MARKER] + [f"{n}.jsonl" for n in tables])
    for name, frame in tables.items():
        lines = (out / f"{name}.jsonl").read_text(encoding="utf-8").splitlines()
        records = [json.loads(line) for line in lines]
        assert all(list(r) == list(frame.columns) for r in records), name
        assert [tuple(r.values()) for r in records] == _source_rows(frame, dates_as_text=True), name
        assert result.rows[name] == len(records)
    assert (out / "retractions.jsonl").read_bytes() == b""


# --- csv-safe ---------------------------------------------------------------------------------


@pytest.mark.parametrize("start", FORMULA_START)
def test_a_text_starting_like_a_formula_is_prefixed_with_a_quote(start: str) -> None:
    assert neutralise(f"{start}1+2") == f"'{start}1+2"


@pytest.mark.parametrize("text", ["", "a=b", "Kyiv", "'quoted", "1-2"])
def test_other_text_is_left_alone(text: str) -> None:
    assert neutralise(text) == text


def _read_csv(path: Path) -> list[list[str]]:
    with open(path, encoding="utf-8-sig", newline="") as fh:
        return list(csv.reader(fh))


def test_csv_safe_neutralises_text_cells_only_and_leaves_the_package_exact(pkg: Path, tmp_path: Path, specs: dict[str, list[Any]]) -> None:
    before = _data_hashes(pkg)
    out = tmp_path / "sheets"
    result = export("csv-safe", out, pkg)
    assert _data_hashes(pkg) == before  # the package's CSV is never modified
    assert (out / "events.csv").read_bytes().startswith(b"\xef\xbb\xbf")  # a BOM, so Excel reads UTF-8
    events = {r[0]: r for r in _read_csv(out / "events.csv")[1:]}
    header = _read_csv(out / "events.csv")[0]
    row = dict(zip(header, events["EVT-9001"]))
    assert row["title"] == "'" + FORMULA_TITLE
    assert row["summary"].startswith("'+1 ") and row["location"] == "'-Kyiv (test row)"
    west = dict(zip(header, events["EVT-9002"]))
    assert (west["latitude"], west["longitude"]) == ("-12.5", "-70.25")  # numbers stay numbers
    actors = {r[0]: r for r in _read_csv(out / "actors.csv")[1:]}
    assert actors["ACT-NATO"][6] == "-5"  # a negative integer is not neutralised
    locators = {(r[0], r[1]): r[3] for r in _read_csv(out / "event_sources.csv")[1:]}
    assert locators[("EVT-9001", "SRC-0002")] == "'@row 1"
    # Everything else is the package's CSV, cell for cell.
    changed = 0
    for name, fields in specs.items():
        exported = _read_csv(out / f"{name}.csv")
        original = _read_csv(pkg / f"data/{name}.csv")
        assert exported[0] == original[0] == [f.name for f in fields]
        want = [[neutralise(c) if f.type == "string" else c for c, f in zip(r, fields)] for r in original[1:]]
        assert exported[1:] == want, name
        changed += sum(a != b for r1, r2 in zip(exported[1:], original[1:]) for a, b in zip(r1, r2))
    assert result.neutralised == changed == 4


# --- atomicity and refusals -------------------------------------------------------------------


def test_a_failed_export_leaves_the_previous_file_intact(pkg: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    out = tmp_path / "conflictdata.sqlite"
    export("sqlite", out, pkg)
    before = out.read_bytes()
    calls = []

    def fail_on_third_table(con: Any, name: str, columns: Any, convert: Any) -> int:
        calls.append(name)
        if len(calls) == 3:
            raise OSError("disk full (injected)")
        return real(con, name, columns, convert)

    real = export_sql._insert_rows
    monkeypatch.setattr(export_sql, "_insert_rows", fail_on_third_table)
    with pytest.raises(OSError, match="injected"):
        export("sqlite", out, pkg)
    assert out.read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["conflictdata.sqlite"]  # no temporary left behind
    assert sqlite3.connect(out).execute("SELECT count(*) FROM casualty_claims").fetchone() == (1,)


def test_a_failed_folder_export_leaves_the_previous_folder_intact(pkg: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    out = tmp_path / "jsonl"
    export("jsonl", out, pkg)
    before = {p.name: p.read_bytes() for p in out.iterdir()}
    real, calls = export_files._records, []

    def fail_midway(*args: Any) -> Any:
        calls.append(1)
        if len(calls) == 4:
            raise OSError("disk full (injected)")
        return real(*args)

    monkeypatch.setattr(export_files, "_records", fail_midway)
    with pytest.raises(OSError, match="injected"):
        export("jsonl", out, pkg)
    assert {p.name: p.read_bytes() for p in out.iterdir()} == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["jsonl"]


def test_invalid_data_is_refused_and_nothing_is_written(tmp_path: Path) -> None:
    pkg = copy_package(tmp_path / "pkg")
    replace_once(pkg / "data/stances.csv", ",does_not_deny,", ",does_not_denny,")
    with pytest.raises(InvalidDataError):
        export("sqlite", tmp_path / "out.sqlite", pkg)
    assert not (tmp_path / "out.sqlite").exists()


def test_a_folder_that_is_not_an_export_is_never_replaced(pkg: Path, tmp_path: Path) -> None:
    (tmp_path / "mine").mkdir()
    (tmp_path / "mine" / "notes.txt").write_text("keep me")
    with pytest.raises(UnusableInputError, match="not an empty folder or a previous export"):
        export("csv-safe", tmp_path / "mine", pkg)
    with pytest.raises(UnusableInputError, match="is a folder"):
        export("geojson", tmp_path / "mine", pkg)
    with pytest.raises(UnusableInputError, match="unknown export format"):
        export("xls", tmp_path / "x.xls", pkg)
    assert (tmp_path / "mine" / "notes.txt").read_text() == "keep me"


# --- the full dataset and the command ---------------------------------------------------------


def _csv_rows(path: Path) -> int:
    with open(path, encoding="utf-8", newline="") as fh:
        return sum(1 for _ in csv.reader(fh)) - 1


def test_full_dataset_exports_every_row(tmp_path: Path) -> None:
    out = tmp_path / "full.sqlite"
    result = export("sqlite", out, None)
    con = sqlite3.connect(out)
    for name, res in open_package(REPO).resources.items():
        assert result.rows[name] == _csv_rows(REPO / res.relpath) == con.execute(f'SELECT count(*) FROM "{name}"').fetchone()[0]
    con.execute("PRAGMA foreign_keys=ON")
    assert con.execute("PRAGMA foreign_key_check").fetchall() == []
    geo = export("geojson", tmp_path / "events.geojson", None)
    doc = json.loads((tmp_path / "events.geojson").read_text(encoding="utf-8"))
    _check_geojson(doc)
    located = con.execute("SELECT count(*) FROM events WHERE latitude IS NOT NULL AND longitude IS NOT NULL").fetchone()[0]
    assert len(doc["features"]) == geo.rows["events"] == located
    assert geo.skipped["events without coordinates"] == _csv_rows(REPO / "data/events.csv") - located
    kyiv = next(f for f in doc["features"] if f["id"] == "EVT-UCDP-147997")
    assert kyiv["geometry"]["coordinates"] == [30.52333, 50.45]


def test_the_command_prints_pure_json_on_stdout_and_its_summary_on_stderr(pkg: Path, tmp_path: Path) -> None:
    from typer.testing import CliRunner

    from conflictdata.cli import app

    runner = CliRunner()
    out = runner.invoke(app, ["export", str(pkg), "--to", "geojson", "--out", str(tmp_path / "e.geojson"), "--format", "json"])
    assert out.exit_code == 0, out.stderr
    assert json.loads(out.stdout)["rows"] == {"events": 2}
    text = runner.invoke(app, ["export", str(pkg), "--to", "jsonl", "--out", str(tmp_path / "j")])
    assert text.exit_code == 0 and text.stdout == ""
    assert "exported" in text.stderr and "as jsonl" in text.stderr
    refused = runner.invoke(app, ["export", str(pkg), "--to", "sqlite", "--out", str(tmp_path / "j")])
    assert refused.exit_code == 2 and "is a folder" in refused.stderr
