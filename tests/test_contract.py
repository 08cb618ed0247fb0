"""The contract in schema/: complete descriptions, generated Pandera schemas, and frictionless' verdict."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

from conflictdata.contract.package import open_package
from conflictdata.contract.schema import arrow_schema, pandera_schema
from pkgcopy import REPO, copy_package, replace_once

TABLES = ["sources", "actors", "events", "event_actors", "event_sources", "casualty_claims", "stances", "actor_sources", "claim_breakdowns"]


def test_one_schema_per_table_of_the_data_model() -> None:
    assert sorted(p.stem for p in (REPO / "schema").glob("*.json")) == sorted([*TABLES, "retractions", "countries", "acknowledgements"])


def test_acknowledgements_name_any_table_of_the_package_and_have_no_primary_key() -> None:
    schema = json.loads((REPO / "schema/acknowledgements.json").read_text())
    [table] = [f for f in schema["fields"] if f["name"] == "table"]
    assert table["constraints"]["enum"] == [r["name"] for r in json.loads((REPO / "datapackage.json").read_text())["resources"]]
    # record_id and column may be empty (a file-level finding, all columns), which a primary key
    # forbids; the four identify a row all the same (sorted and diffed by them).
    assert "primaryKey" not in schema and schema["uniqueKeys"] == [["rule", "table", "record_id", "column"]]
    assert [f["name"] for f in schema["fields"] if not f.get("description")] == []


@pytest.mark.parametrize("name", [*TABLES, "retractions", "countries"])
def test_every_field_has_a_description_and_the_key_is_declared(name: str) -> None:
    schema = json.loads((REPO / "schema" / f"{name}.json").read_text())
    assert schema["$schema"] == "https://datapackage.org/profiles/2.0/tableschema.json"
    assert [f["name"] for f in schema["fields"] if not f.get("description")] == []
    assert schema["primaryKey"]
    for fk in schema.get("foreignKeys", []):
        names = {f["name"] for f in schema["fields"]}
        assert set(fk["fields"]) <= names


def test_pandera_schema_is_generated_with_keys_dates_and_enums() -> None:
    package = open_package(REPO)
    schema, rules = pandera_schema(package.resources["events"].schema, name="events", for_load=True)
    assert str(schema.columns["date_start"].dtype) == "date32[day][pyarrow]"
    assert schema.columns["event_id"].nullable is False
    assert schema.columns["latitude"].nullable is True
    assert [c.rule for c in rules["latitude"]] == ["minimum", "maximum"]
    assert [c.rule for c in rules["event_id"]] == ["pattern"]
    assert isinstance(schema.columns["occurrence"].dtype.type, pd.CategoricalDtype)


def test_parquet_types_are_derived_from_the_schema() -> None:
    package = open_package(REPO)
    schema = arrow_schema(package.resources["casualty_claims"].schema)
    assert str(schema.field("value_low").type) == "int64"
    assert str(schema.field("period_end").type) == "date32[day]"
    assert schema.field("claim_id").nullable is False
    assert schema.field("value_low").nullable is True


def test_descriptor_is_a_data_package_v2_with_licenses_sources_contributors() -> None:
    descriptor = json.loads((REPO / "datapackage.json").read_text())
    assert descriptor["$schema"] == "https://datapackage.org/profiles/2.0/datapackage.json"
    assert descriptor["name"] == "conflictdata"
    assert [lic["name"] for lic in descriptor["licenses"]] == ["CC-BY-4.0"]
    assert descriptor["sources"] and descriptor["contributors"] and descriptor["title"]
    assert all(not r["path"].startswith(("/", "..")) for r in descriptor["resources"])


def _frictionless(path: Path) -> subprocess.CompletedProcess[str]:
    exe = shutil.which("frictionless") or str(Path(sys.executable).with_name("frictionless"))
    return subprocess.run([exe, "validate", "--json", str(path)], capture_output=True, text=True, timeout=300)


def test_frictionless_accepts_the_bundled_package() -> None:
    out = _frictionless(REPO / "datapackage.json")
    assert out.returncode == 0, out.stdout[-2000:]
    assert json.loads(out.stdout)["valid"] is True


def test_frictionless_and_conflictdata_agree_on_a_dangling_foreign_key(tmp_path: Path) -> None:
    from conflictdata.versions.history import validate

    pkg = copy_package(tmp_path / "pkg")
    replace_once(pkg / "data/event_actors.csv", "EVT-0001,ACT-UKR-AF", "EVT-0001,ACT-UKR-NAVY")
    report = json.loads(_frictionless(pkg / "datapackage.json").stdout)
    theirs = [(t["name"], e["rowNumber"], e["type"]) for t in report["tasks"] for e in t["errors"]]
    assert theirs == [("event_actors", 2, "foreign-key")]
    ours = [(f.table, f.line, f.rule, f.value) for f in validate(pkg).findings]
    assert ours == [("event_actors", 2, "foreign-key", "ACT-UKR-NAVY")]


def test_every_measure_is_said_to_count_people_or_equipment() -> None:
    # The report charts the two kinds apart from this map: a new enum value without a kind would
    # silently drop out of the casualty charts.
    from conflictdata.contract.names import MEASURE_KIND

    schema = json.loads((REPO / "schema/casualty_claims.json").read_text())
    measure = next(f for f in schema["fields"] if f["name"] == "measure")
    assert list(measure[MEASURE_KIND]) == measure["constraints"]["enum"]
    assert set(measure[MEASURE_KIND].values()) == {"people", "equipment"}
    assert sorted(m for m, k in measure[MEASURE_KIND].items() if k == "people") == [
        "captured", "civilians_injured", "civilians_killed", "killed", "killed_or_wounded", "missing",
        "personnel_losses", "troops_deployed", "wounded"]
