"""Issue 15's corrections to shipped rows, checked row by row (the importers' own tests cover the rest)."""

from __future__ import annotations

import json
from pathlib import Path

from pkgcopy import REPO, read_rows


def _rows(table: str, key: str) -> dict[str, dict[str, str]]:
    return {r[key]: r for r in read_rows(REPO / f"data/{table}.csv")[1]}


def test_evt_0003_spans_the_months_the_article_allows_not_its_publication_day() -> None:
    row = _rows("events", "event_id")["EVT-0003"]
    assert (row["date_start"], row["date_end"], row["date_precision"]) == ("2024-08-01", "2024-10-29", "range")
    assert "dates none of that fighting" in row["summary"]


def test_the_state_actors_cite_the_sources_of_their_codes() -> None:
    header, rows = read_rows(REPO / "data/actor_sources.csv")
    assert header == ["actor_id", "source_id", "facts"]
    assert [(r["actor_id"], r["source_id"]) for r in rows] == [
        ("ACT-PRK", "SRC-0002"), ("ACT-RUS", "SRC-0002"), ("ACT-RUS", "SRC-UCDP-ACTORS"), ("ACT-UKR", "SRC-0002"),
        ("ACT-UKR", "SRC-UCDP-ACTORS")]
    actors = _rows("actors", "actor_id")
    for r in rows:  # each fact named is the actor's own value
        actor = actors[r["actor_id"]]
        for column in ("country_iso3", "wikidata_qid", "ucdp_actor_id"):
            if column in r["facts"]:
                assert f"{column} {actor[column]}" in r["facts"], r


def test_actor_sources_is_declared_in_the_package_with_its_keys() -> None:
    schema = json.loads((REPO / "schema/actor_sources.json").read_text())
    assert schema["primaryKey"] == ["actor_id", "source_id"]
    assert [fk["reference"]["resource"] for fk in schema["foreignKeys"]] == ["actors", "sources"]
    resources = [r["name"] for r in json.loads((REPO / "datapackage.json").read_text())["resources"]]
    assert "actor_sources" in resources and "claim_breakdowns" in resources
