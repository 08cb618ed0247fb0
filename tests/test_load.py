"""`conflictdata.load()`: validated tables with the dtypes the README documents."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pytest

import conflictdata
from pkgcopy import copy_package, edit_table, replace_once

DATE = pd.ArrowDtype(pa.date32())


def test_load_returns_every_table_of_the_bundled_dataset() -> None:
    tables = conflictdata.load()
    assert list(tables) == ["sources", "actors", "events", "event_actors", "event_sources", "casualty_claims", "stances", "retractions",
                            "countries", "acknowledgements", "actor_sources", "claim_breakdowns"]
    assert {name: len(df) for name, df in tables.items() if name != "countries"} == {
        # curated core (seed article + the Kursk topic, docs/sources/kursk-topic.md) + General Staff
        # personnel (2 sources with the README, 2 actors with Invaders, 1688 claims) + UCDP GED 22.1
        # Ukraine (2 sources, 9 actors, 2989 events with 2 sides, 1 source link and 1 claim each) +
        # General Staff equipment (2 sources, 20687 claims) + Oryx (6 versions, 1 actor, 149 claims,
        # 1819 models)
        "sources": 2 + 34 + 2 + 2 + 2 + 6, "actors": 11 + 22 + 2 + 9 + 1, "events": 3 + 6 + 2989, "event_actors": 5 + 14 + 2 * 2989,
        "event_sources": 3 + 12 + 2989, "casualty_claims": 1 + 35 + 1688 + 2989 + 20687 + 149, "stances": 3 + 15, "retractions": 0,
        # UCDP's 13 events with estimates out of order and its 2 homonym actors (docs/sources/ucdp-ged.md),
        # and the General Staff's 2 unexplained equipment falls (docs/sources/genstaff-equipment.md)
        "acknowledgements": 13 + 2 + 2,
        "actor_sources": 5, "claim_breakdowns": 1819,
    }


def test_load_returns_the_acknowledged_quirks_with_their_reasons() -> None:
    acks = conflictdata.load_table("acknowledgements")
    assert list(acks.columns) == ["rule", "table", "record_id", "column", "reason", "acknowledged_date"]
    assert acks["acknowledged_date"].dtype == DATE and acks["reason"].str.len().min() > 0
    claims = acks[acks["rule"] == "claim-value-order"]
    # Each acknowledged claim is one of UCDP's, and really has its estimates out of order.
    loaded = conflictdata.load_table("casualty_claims").set_index("claim_id").loc[list(claims["record_id"])]
    low, best, high = (loaded[c].astype("Float64") for c in ("value_low", "value_best", "value_high"))
    assert ((low > best) | (best > high) | (low > high)).fillna(False).all()
    assert set(claims["table"]) == {"casualty_claims"} and claims["column"].isna().all()


def test_load_dtypes_follow_the_schema() -> None:
    claims = conflictdata.load_table("casualty_claims")
    assert claims["claim_id"].dtype == pd.StringDtype()
    assert claims["value_low"].dtype == pd.Int64Dtype()  # optional integer: nullable
    assert claims["period_end"].dtype == DATE
    measure = claims["measure"].dtype
    assert isinstance(measure, pd.CategoricalDtype)
    # The schema's enum, in schema order: people first, then one value per equipment category.
    assert list(measure.categories)[:11] == [
        "killed", "wounded", "killed_or_wounded", "missing", "captured", "personnel_losses", "civilians_killed", "civilians_injured",
        "troops_deployed",
        "tanks", "armoured_vehicles",
    ]
    assert len(measure.categories) == 8 + 1 + 39
    events = conflictdata.load_table("events")
    assert events["latitude"].dtype == "float64"
    assert events["date_start"].dtype == DATE
    assert conflictdata.load_table("actors")["ucdp_actor_id"].dtype == pd.Int64Dtype()


def test_required_integer_columns_load_as_int64(tmp_path: Path) -> None:
    import json

    pkg = copy_package(tmp_path / "pkg")
    # Only the curated claim has a low bound; imported claims mostly give a best value instead.
    edit_table(pkg, "casualty_claims", lambda h, rows: (h, [r for r in rows if r["claim_id"] == "CLM-0001"]))
    schema_path = pkg / "schema/casualty_claims.json"
    schema = json.loads(schema_path.read_text())
    for field in schema["fields"]:
        if field["name"] == "value_low":
            field["constraints"]["required"] = True
    schema_path.write_text(json.dumps(schema))
    claims = conflictdata.load_table("casualty_claims", path=pkg)
    assert claims["value_low"].dtype == "int64"


def test_load_values_are_the_curated_claim() -> None:
    claim = conflictdata.load_table("casualty_claims").set_index("claim_id").loc["CLM-0001"]
    assert claim["value_low"] == 600000
    assert pd.isna(claim["value_best"]) and pd.isna(claim["value_high"])
    assert claim["qualifier"] == "more_than"
    assert claim["value_text"] == "over 600,000"
    assert claim["period_start"] == dt.date(2022, 2, 24)
    assert claim["statement_date"] == dt.date(2024, 10, 28)


def test_load_from_another_path_and_invalid_data_raises_with_findings(tmp_path: Path) -> None:
    pkg = copy_package(tmp_path / "pkg")
    assert len(conflictdata.load(path=pkg)["events"]) == 3
    replace_once(pkg / "data/events.csv", "EVT-0003,", "EVT-0002,")
    with pytest.raises(conflictdata.InvalidDataError) as caught:
        conflictdata.load(path=pkg)
    # The duplicated id also leaves EVT-0003's links dangling.
    assert [(f.table, f.line, f.column, f.rule) for f in caught.value.report.errors] == [
        ("event_actors", 5, "event_id", "foreign-key"),
        ("event_actors", 6, "event_id", "foreign-key"),
        ("event_sources", 4, "event_id", "foreign-key"),
        ("events", 4, "event_id", "primary-key"),
    ]


def test_load_table_rejects_an_unknown_name() -> None:
    with pytest.raises(ValueError, match="no table named battles; the package has: sources, actors, "):
        conflictdata.load_table("battles")


def test_load_export_report_and_build_validate_once_and_refuse_alike(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """One validated path (`checking.validated`): each command validates the package once (export
    used to open it twice, load to re-validate its frames), and all refuse invalid data with the
    same InvalidDataError."""
    from conflictdata.checking import validated as validated_mod
    from conflictdata.outputs.export import export
    from conflictdata.outputs.report import write_report
    from conflictdata.versions.build import build

    pkg = copy_package(tmp_path / "pkg")
    calls = []
    real = validated_mod.validate_package

    def counted(package, **kwargs):
        calls.append(package.root)
        return real(package, **kwargs)

    monkeypatch.setattr(validated_mod, "validate_package", counted)
    runs = {
        "load": lambda: conflictdata.load(pkg),
        "export": lambda: export("jsonl", tmp_path / "jsonl", pkg),
        "report": lambda: write_report(pkg, tmp_path / "report"),
        "build": lambda: build(pkg, tmp_path / "built"),
    }
    for name, run in runs.items():
        calls.clear()
        run()
        assert calls == [pkg], name
    replace_once(pkg / "data/stances.csv", ",confirms,", ",confirm,")
    for name, run in runs.items():
        with pytest.raises(conflictdata.InvalidDataError) as caught:
            run()
        assert [(f.file, f.line, f.column, f.rule) for f in caught.value.report.errors] == [(str(pkg / "data/stances.csv"), 2, "stance", "enum")], name
