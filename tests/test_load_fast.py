"""`load()` from the load cache (distribution/loadcache.py), `tables=`, `validate=`, `backend=` and
`connect()`. Each test has a cache of its own (CONFLICTDATA_CACHE under tmp_path) and works on the
curated core (pkgcopy.copy_package), where validation is quick."""

from __future__ import annotations

import datetime as dt
import json
import sys
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pytest

import conflictdata
from conflictdata.checking import validated as validated_mod
from conflictdata.checking.validated import validated
from conflictdata.outputs.loading import frames
from conflictdata.reading import tables as tables_mod
from pkgcopy import copy_package, replace_once

TABLES = ["sources", "actors", "events", "event_actors", "event_sources", "casualty_claims", "stances", "retractions",
          "countries", "acknowledgements", "actor_sources", "claim_breakdowns"]


@pytest.fixture
def pkg(tmp_path: Path) -> Path:
    return copy_package(tmp_path / "pkg")


@pytest.fixture
def cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("CONFLICTDATA_CACHE", str(tmp_path / "cache"))
    return tmp_path / "cache"


@pytest.fixture
def validations(monkeypatch: pytest.MonkeyPatch) -> list[list[str]]:
    """The tables of each validation run, in the order they ran."""
    calls: list[list[str]] = []
    real = validated_mod.validate_package

    def counted(package, **kwargs):
        calls.append(list(package.resources))
        return real(package, **kwargs)

    monkeypatch.setattr(validated_mod, "validate_package", counted)
    return calls


@pytest.fixture
def reads(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The tables read from their files (CSV) outside validation."""
    names: list[str] = []
    real = tables_mod.read_table

    def counted(package, resource):
        names.append(resource.name)
        return real(package, resource)

    monkeypatch.setattr(tables_mod, "read_table", counted)
    return names


def entries(cache: Path) -> dict[str, dict]:
    (folder,) = (cache / "load").iterdir()
    return {p.stem: json.loads(p.read_text()) for p in sorted(folder.glob("*.json")) if p.name != "validated.json"}


def events_parquet(cache: Path) -> Path:
    (folder,) = (cache / "load").iterdir()
    return folder / "events.parquet"


def assert_frames_equal(got: dict[str, pd.DataFrame], want: dict[str, pd.DataFrame]) -> None:
    assert list(got) == list(want)
    for name in want:
        pd.testing.assert_frame_equal(got[name], want[name], check_exact=True, obj=name)


def test_first_load_validates_and_fills_the_cache_the_second_reads_it_without_validating(pkg, cache, validations, reads) -> None:
    first = conflictdata.load(pkg)
    assert validations == [TABLES] and reads == []
    assert sorted(entries(cache)) == sorted(TABLES)
    second = conflictdata.load(pkg)
    assert validations == [TABLES] and reads == []  # neither validated nor read from CSV again
    # The frames from Parquet are those the CSV gives (empty tables keep their enum categories).
    assert_frames_equal(second, frames(validated(pkg)))
    assert_frames_equal(first, second)
    assert list(second["retractions"]["table"].dtype.categories) == ["sources", "actors", "events", "casualty_claims", "stances"]


def test_an_edited_table_is_a_stale_entry_read_and_validated_again(pkg, cache, validations) -> None:
    conflictdata.load(pkg)
    before = entries(cache)["events"]
    original = (pkg / "data/events.csv").read_bytes()
    replace_once(pkg / "data/events.csv", "EVT-0003,", "EVT-0002,")
    with pytest.raises(conflictdata.InvalidDataError) as caught:
        conflictdata.load(pkg)
    assert [(f.table, f.line, f.column, f.rule) for f in caught.value.report.errors] == [
        ("event_actors", 5, "event_id", "foreign-key"),
        ("event_actors", 6, "event_id", "foreign-key"),
        ("event_sources", 4, "event_id", "foreign-key"),
        ("events", 4, "event_id", "primary-key"),
    ]
    (pkg / "data/events.csv").write_bytes(original)
    assert len(validations) == 2
    conflictdata.load(pkg)
    # Back to the content that validated: recognised, not validated a third time.
    assert len(validations) == 2 and entries(cache)["events"] == before


def test_an_edited_value_is_served_new_after_validation(pkg, cache, validations) -> None:
    conflictdata.load(pkg)
    old = conflictdata.load(pkg)["casualty_claims"].set_index("claim_id").loc["CLM-0001", "value_low"]
    replace_once(pkg / "data/casualty_claims.csv", ",600000,", ",600001,")
    new = conflictdata.load(pkg)["casualty_claims"].set_index("claim_id").loc["CLM-0001", "value_low"]
    assert (old, new, len(validations)) == (600000, 600001, 2)
    assert conflictdata.load(pkg, validate=False)["casualty_claims"].set_index("claim_id").loc["CLM-0001", "value_low"] == 600001


def test_a_changed_snapshot_voids_the_validation_record(pkg, cache) -> None:
    conflictdata.load(pkg)
    snapshot = next((pkg / "data/snapshots").glob("*.txt"))
    snapshot.write_bytes(snapshot.read_bytes() + b"\nedited\n")
    with pytest.raises(conflictdata.InvalidDataError) as caught:
        conflictdata.load(pkg)
    assert [(f.table, f.column, f.rule) for f in caught.value.report.errors] == [("sources", "snapshot_sha256", "snapshot-hash")]


def test_a_corrupt_entry_is_detected_and_rewritten_not_served(pkg, cache, validations, reads) -> None:
    want = conflictdata.load(pkg)
    path = events_parquet(cache)
    data = bytearray(path.read_bytes())
    # A byte of the data pages (the header and footer stay intact, so the file still parses).
    data[len(data) // 3] ^= 0xFF
    path.write_bytes(bytes(data))
    got = conflictdata.load(pkg)
    assert_frames_equal(got, want)
    assert reads == ["events"] and len(validations) == 1  # read again from CSV; the content had validated
    assert path.read_bytes() != bytes(data)
    (path.parent / "events.json").write_text("{not json")
    assert_frames_equal(conflictdata.load(pkg), want)
    assert reads == ["events", "events"] and entries(cache)["events"]["source"]


def test_an_unwritable_cache_folder_falls_back_to_the_csv(pkg, tmp_path, monkeypatch, validations) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("")
    monkeypatch.setenv("CONFLICTDATA_CACHE", str(blocker / "cache"))  # under a file: cannot be made
    first = conflictdata.load(pkg)
    second = conflictdata.load(pkg)
    assert_frames_equal(first, second)
    assert len(validations) == 2 and not (blocker / "cache").exists()


def test_tables_reads_only_those_asked_and_validates_their_closure(pkg, cache, validations, reads) -> None:
    got = conflictdata.load(pkg, tables=["casualty_claims"])
    assert list(got) == ["casualty_claims"]
    # Its foreign keys (sources, actors, events), the events' own (countries), and the tables the
    # data-model rules on events look into (event_actors, event_sources: every event has both).
    assert validations == [["sources", "actors", "events", "event_actors", "event_sources", "casualty_claims", "countries"]]
    assert sorted(entries(cache)) == ["casualty_claims"]
    # countries was in that closure, and is unchanged: not validated again.
    assert conflictdata.load(pkg, tables=["countries"]).keys() == {"countries"}
    assert len(validations) == 1 and reads == ["countries"]
    conflictdata.load(pkg, tables=["stances"])
    assert validations[1] == ["sources", "actors", "events", "event_actors", "event_sources", "casualty_claims", "stances", "countries"]
    # The whole package validated covers any of its tables.
    conflictdata.load(pkg)
    assert len(validations) == 3
    conflictdata.load(pkg, tables=["retractions", "actors"])
    assert len(validations) == 3


def test_validate_false_reads_only_the_tables_asked_and_checks_nothing(pkg, cache, validations, reads) -> None:
    replace_once(pkg / "data/stances.csv", ",confirms,", ",confirm,")  # invalid: not in the enum
    got = conflictdata.load(pkg, tables=["events", "stances"], validate=False)
    assert list(got) == ["events", "stances"] and validations == [] and reads == ["events", "stances"]
    assert got["stances"]["stance"].isna().sum() == 1  # the value outside the enum: no category
    with pytest.raises(conflictdata.InvalidDataError):
        conflictdata.load(pkg, tables=["stances"])
    with pytest.raises(conflictdata.InvalidDataError):
        conflictdata.load_table("stances", pkg)
    one = conflictdata.load_table("stances", pkg, validate=False, backend="arrow")
    assert isinstance(one, pa.Table) and one.num_rows == len(got["stances"]) and one.column("stance").null_count == 1


def test_an_unknown_table_name_is_a_value_error_listing_the_tables(pkg, cache) -> None:
    with pytest.raises(ValueError) as caught:
        conflictdata.load(pkg, tables=["events", "battles"])
    assert str(caught.value) == f"no table named battles; the package has: {', '.join(TABLES)}"
    with pytest.raises(ValueError, match="no table named battles"):
        conflictdata.load_table("battles", pkg)


def test_polars_backend_gives_the_contract_types(pkg, cache) -> None:
    pl = pytest.importorskip("polars")
    pandas_claims = conflictdata.load(pkg, tables=["casualty_claims"])["casualty_claims"]
    claims = conflictdata.load(pkg, tables=["casualty_claims"], backend="polars")["casualty_claims"]
    assert isinstance(claims, pl.DataFrame)
    schema = dict(claims.schema)
    assert schema["claim_id"] == pl.String
    assert schema["value_low"] == pl.Int64
    assert schema["period_start"] == pl.Date
    assert schema["measure"] == pl.Enum(list(pandas_claims["measure"].dtype.categories))
    assert list(schema) == list(pandas_claims.columns)
    row = claims.filter(pl.col("claim_id") == "CLM-0001").row(0, named=True)
    assert (row["value_low"], row["value_best"], row["measure"], row["period_start"]) == (600000, None, "killed_or_wounded", dt.date(2022, 2, 24))
    events = conflictdata.load(pkg, tables=["events"], backend="polars")["events"]
    assert events.schema["latitude"] == pl.Float64 and events.height == 3


def test_polars_backend_without_polars_says_what_to_install(pkg, cache, monkeypatch) -> None:
    monkeypatch.setitem(sys.modules, "polars", None)
    with pytest.raises(ImportError, match=r"pip install conflictdata\[polars\]"):
        conflictdata.load(pkg, backend="polars")
    with pytest.raises(ValueError, match="unknown backend 'spark'; give one of: pandas, polars, arrow"):
        conflictdata.load(pkg, backend="spark")


def test_arrow_backend_is_typed_like_the_built_parquet(pkg, cache) -> None:
    claims = conflictdata.load(pkg, tables=["casualty_claims"], backend="arrow")["casualty_claims"]
    assert claims.schema.field("measure").type == pa.dictionary(pa.int32(), pa.string())
    assert claims.schema.field("value_low").type == pa.int64()
    assert claims.schema.field("statement_date").type == pa.date32()


def test_connect_gives_duckdb_views_typed_like_the_parquet(pkg, cache) -> None:
    pytest.importorskip("duckdb")
    con = conflictdata.connect(pkg)
    assert sorted(r[0] for r in con.execute("SELECT view_name FROM duckdb_views() WHERE NOT internal").fetchall()) == sorted(TABLES)
    types = {name: kind for name, kind, *_ in con.execute("DESCRIBE casualty_claims").fetchall()}
    assert (types["claim_id"], types["value_low"], types["period_start"]) == ("VARCHAR", "BIGINT", "DATE")
    assert types["measure"].startswith("ENUM('killed', 'wounded', 'killed_or_wounded', ")
    assert con.execute("SELECT value_low, measure, period_start FROM casualty_claims WHERE claim_id = 'CLM-0001'").fetchall() == [
        (600000, "killed_or_wounded", dt.date(2022, 2, 24))]
    # A join across views: each curated event's number of actors.
    assert con.execute("SELECT e.event_id, count(*) FROM events e JOIN event_actors a USING (event_id) GROUP BY 1 ORDER BY 1").fetchall() == [
        ("EVT-0001", 1), ("EVT-0002", 2), ("EVT-0003", 2)]
    only = conflictdata.connect(pkg, tables=["countries"], validate=False)
    assert only.execute("SELECT view_name FROM duckdb_views() WHERE NOT internal").fetchall() == [("countries",)]


def test_connect_without_duckdb_says_what_to_install(pkg, cache, monkeypatch) -> None:
    monkeypatch.setitem(sys.modules, "duckdb", None)
    with pytest.raises(ImportError, match=r"pip install conflictdata\[duckdb\]"):
        conflictdata.connect(pkg)


def test_an_installed_wheel_loads_its_bundle_through_the_cache(installed_wheel, tmp_path) -> None:
    import subprocess

    code = ("import conflictdata\n"
            "first = conflictdata.load(); second = conflictdata.load()\n"
            "print(len(second['casualty_claims']), second['casualty_claims']['measure'].dtype, "
            "all(first[n].equals(second[n]) for n in first))")
    env = {**installed_wheel.env, "CONFLICTDATA_CACHE": str(tmp_path / "cache")}
    out = subprocess.run([str(installed_wheel.python), "-c", code], env=env, capture_output=True, text=True, timeout=300, check=True)
    assert out.stdout.split() == ["25549", "category", "True"]
    assert sorted(entries(tmp_path / "cache")) == sorted(TABLES)
    (folder,) = (tmp_path / "cache" / "load").iterdir()
    assert json.loads((folder / "events.json").read_text())["package"] == str(installed_wheel.package_dir / "_bundle")


def test_a_write_interrupted_between_the_parquet_and_its_record_serves_nothing_wrong(pkg, cache, monkeypatch, reads) -> None:
    from conflictdata.distribution import loadcache

    conflictdata.load(pkg, tables=["casualty_claims"])
    replace_once(pkg / "data/casualty_claims.csv", ",600000,", ",600001,")
    real = loadcache.write_bytes_atomic

    def dies_at_the_record(path, data):
        if path.suffix == ".json":
            raise OSError(28, "No space left on device")
        real(path, data)

    monkeypatch.setattr(loadcache, "write_bytes_atomic", dies_at_the_record)
    value = lambda: conflictdata.load(pkg, tables=["casualty_claims"], validate=False)["casualty_claims"].set_index("claim_id").loc["CLM-0001", "value_low"]  # noqa: E731
    assert value() == 600001  # the new Parquet is in place, its record still the old one
    monkeypatch.setattr(loadcache, "write_bytes_atomic", real)
    assert value() == 600001 and reads == ["casualty_claims", "casualty_claims"]  # the mismatch seen: read from CSV again
    assert value() == 600001 and reads == ["casualty_claims", "casualty_claims"]  # now whole: from the cache
    (folder,) = (cache / "load").iterdir()
    assert sorted(p.name for p in folder.iterdir()) == ["casualty_claims.json", "casualty_claims.parquet", "validated.json"]
