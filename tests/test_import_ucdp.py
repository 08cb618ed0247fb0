"""The UCDP GED importer: counts and spot values against the upstream files, layout drift, idempotence."""

from __future__ import annotations

import csv
import shutil
from pathlib import Path

import pytest

from conflictdata.versions.diff import diff_packages
from conflictdata.contract.errors import UnusableInputError
from conflictdata.importers.ucdp import import_ucdp_ged
from conflictdata.contract.package import open_package
from conflictdata.versions.history import validate
from pkgcopy import copy_package, read_rows

SHARED = Path(__file__).resolve().parents[1].parent / "shared/data"
V22, V20, V19 = (SHARED / f"ucdp-ged-ukraine-v{v}/conflict_data_ukr.csv" for v in ("22", "20", "19"))
ACTORS = SHARED / "ucdp-actors-v22/ucdp-actor-221.csv"
pytestmark = pytest.mark.skipif(not V22.exists(), reason="../shared/data is not present")


def _upstream(path: Path) -> dict[str, dict[str, str]]:
    with open(path, encoding="utf-8-sig", newline="") as fh:
        rows = list(csv.DictReader(fh))
    return {r["id"]: r for r in rows if r["id"]}  # the HXL tag row has no id


def _rows(pkg: Path, table: str, key: str) -> dict[str, dict[str, str]]:
    return {r[key]: r for r in read_rows(pkg / f"data/{table}.csv")[1]}


@pytest.fixture(scope="module")
def imported(tmp_path_factory: pytest.TempPathFactory) -> Path:
    pkg = copy_package(tmp_path_factory.mktemp("ucdp") / "pkg")
    import_ucdp_ged(V22, actors_file=ACTORS, package_path=pkg)
    return pkg


def _copy_upstream(src: Path, dst: Path) -> Path:
    dst.mkdir(parents=True, exist_ok=True)
    shutil.copy2(src.parent / "SOURCE.txt", dst / "SOURCE.txt")
    shutil.copy2(src, dst / src.name)
    return dst / src.name


def test_every_upstream_event_is_imported_once(imported: Path) -> None:
    upstream = _upstream(V22)
    assert len(upstream) == 2989
    events = _rows(imported, "events", "event_id")
    ucdp = {k for k in events if k.startswith("EVT-UCDP-")}
    assert ucdp == {f"EVT-UCDP-{i}" for i in upstream}
    claims = {k for k in _rows(imported, "casualty_claims", "claim_id") if k.startswith("CLM-UCDP-")}
    assert claims == {f"CLM-UCDP-{i}" for i in upstream}
    links = [r for r in read_rows(imported / "data/event_actors.csv")[1] if r["event_id"].startswith("EVT-UCDP-")]
    assert len(links) == 2 * 2989  # side a and side b of every event
    assert sum(int(r["best"]) for r in upstream.values()) == 7882  # as SOURCE.txt records


def test_a_named_event_has_upstream_values(imported: Path) -> None:
    up = _upstream(V22)["147997"]
    event = _rows(imported, "events", "event_id")["EVT-UCDP-147997"]
    claim = _rows(imported, "casualty_claims", "claim_id")["CLM-UCDP-147997"]
    link = _rows(imported, "event_sources", "event_id")["EVT-UCDP-147997"]
    assert (up["low"], up["best"], up["high"]) == ("5", "5", "5")
    assert (claim["value_low"], claim["value_best"], claim["value_high"], claim["qualifier"]) == ("5", "5", "5", "range")
    assert (claim["claimant_actor_id"], claim["method"], claim["subject_actor_id"], claim["event_id"]) == ("ACT-UCDP", "coded_estimate", "", "EVT-UCDP-147997")
    assert (event["date_start"], event["date_end"], event["date_precision"]) == ("2014-01-22", "2014-01-22", "day")
    assert (event["location"], event["latitude"], event["longitude"], event["geo_precision"]) == ("Kiev city", "50.45", "30.52333", "exact")
    assert (event["country_iso3"], event["event_type"]) == ("UKR", "armed_clash")
    assert link["cited_sources"] == up["source_article"]
    sides = {r["actor_id"] for r in read_rows(imported / "data/event_actors.csv")[1] if r["event_id"] == "EVT-UCDP-147997"}
    assert sides == {"ACT-UKR", "ACT-UCDP-5817"}  # Government of Ukraine is the curated ACT-UKR (ucdp_actor_id 61)


def test_actors_come_from_the_ucdp_actor_list_and_homonyms_stay_distinct(imported: Path) -> None:
    actors = _rows(imported, "actors", "actor_id")
    assert (actors["ACT-UCDP-5840"]["name"], actors["ACT-UCDP-6711"]["name"]) == ("DPR", "DPR")
    # The two DPRs differ upstream in where they came from (UCDP Actor Dataset 22.1: Splinter, Alliance).
    assert actors["ACT-UCDP-6711"]["description"] == (
        "UCDP actor 6711: Donetsk People's Republic. In the UCDP Actor Dataset: a splinter of United Armed Forces of "
        "Novorossiya (UCDP 5914); conflict 13306. Another UCDP actor of the same name: 5840.")
    assert actors["ACT-UCDP-5840"]["description"] == (
        "UCDP actor 5840: Donetsk People's Republic. In the UCDP Actor Dataset: entered the alliance that formed United "
        "Armed Forces of Novorossiya (UCDP 5914); conflict 13246. Another UCDP actor of the same name: 6711.")
    assert "a splinter of United Armed Forces of Novorossiya (UCDP 5914)" in actors["ACT-UCDP-6712"]["description"]
    assert "entered the alliance that formed" in actors["ACT-UCDP-5839"]["description"]
    assert actors["ACT-UCDP-5840"]["actor_type"] == "non_state_armed_group"
    assert actors["ACT-UKR"]["ucdp_actor_id"] == "61"


def test_the_dataset_with_the_import_validates_with_only_the_known_upstream_quirks(imported: Path) -> None:
    report = validate(imported)
    assert report.errors == []
    quirks = {(f.rule, f.value) for f in report.warnings}
    assert {r for r, _ in quirks} == {"actor-same-name", "claim-value-order"}
    assert ("actor-same-name", "DPR") in quirks and ("actor-same-name", "LPR") in quirks


def test_importing_twice_changes_nothing(imported: Path) -> None:
    before = {p.name: p.read_bytes() for p in (imported / "data").glob("*.csv")}
    result = import_ucdp_ged(V22, actors_file=ACTORS, package_path=imported)
    assert result.written == []
    assert all(c["added"] == c["changed"] == c["removed"] == 0 for c in result.counts.values())
    assert {p.name: p.read_bytes() for p in (imported / "data").glob("*.csv")} == before


def test_curated_rows_are_untouched(imported: Path, tmp_path: Path) -> None:
    from pkgcopy import IMPORTED

    base = copy_package(tmp_path / "base")  # the package as the import found it
    for table in ("sources", "actors", "events", "event_actors", "event_sources", "casualty_claims"):
        fresh = (base / f"data/{table}.csv").read_text(encoding="utf-8").splitlines()
        after = set((imported / f"data/{table}.csv").read_text(encoding="utf-8").splitlines())
        curated = [line for line in fresh if not line.split(",", 1)[0].startswith(IMPORTED)]
        assert set(curated) <= after, table


def test_an_upstream_correction_is_a_changed_claim(tmp_path: Path) -> None:
    pkg = copy_package(tmp_path / "pkg")
    import_ucdp_ged(V22, actors_file=ACTORS, package_path=pkg)
    old = copy_package(tmp_path / "before")
    shutil.rmtree(old / "data")
    shutil.copytree(pkg / "data", old / "data")
    corrected = _copy_upstream(V22, tmp_path / "upstream")
    text = corrected.read_text(encoding="utf-8")
    line = next(l for l in text.splitlines() if l.startswith("147997,"))
    assert line.endswith(",0,5,0,0,5,5,5,369,")
    # v22 orders the estimates best, high, low: best 5 → 6, high 5 → 7.
    corrected.write_text(text.replace(line, line[: -len(",0,5,0,0,5,5,5,369,")] + ",0,5,0,0,6,7,5,369,"), encoding="utf-8")
    result = import_ucdp_ged(corrected, actors_file=ACTORS, package_path=pkg)
    assert result.counts["casualty_claims"] == {"added": 0, "changed": 1, "removed": 0, "unchanged": 2988}
    d = diff_packages(open_package(old), open_package(pkg))
    [change] = d.tables["casualty_claims"].changed
    assert change.key == "CLM-UCDP-147997"
    assert change.fields == {"value_best": ("5", "6"), "value_high": ("5", "7"), "value_text": ("best 5 (low 5, high 5)", "best 6 (low 5, high 7)")}
    assert d.tables["casualty_claims"].added == [] and d.tables["casualty_claims"].removed == []


def test_every_claim_is_stated_on_the_date_the_22_1_codebook_gives(imported: Path) -> None:
    claims = [r for r in _rows(imported, "casualty_claims", "claim_id").values() if r["claim_id"].startswith("CLM-UCDP-")]
    assert len(claims) == 2989 and {r["statement_date"] for r in claims} == {"2022-04-27"}
    source = _rows(imported, "sources", "source_id")["SRC-UCDP-GED-UKR"]
    assert "statement_date is 2022-04-27" in source["notes"] and "Data extracted from UCDP systems on 2022-04-27" in source["notes"]
    assert source["published_date"] == "2023-03-29"  # the copy's date, said to be so, and no claim's


def test_a_release_without_a_known_codebook_date_needs_one(tmp_path: Path) -> None:
    pkg = copy_package(tmp_path / "pkg")
    with pytest.raises(UnusableInputError, match=r"SOURCE.txt: names no 'GED release X.Y'.*--stated YYYY-MM-DD, never the date of a copy"):
        import_ucdp_ged(V19, actors_file=ACTORS, package_path=pkg)


def test_a_missing_required_column_is_named(tmp_path: Path) -> None:
    path = _copy_upstream(V19, tmp_path / "upstream")
    rows = list(csv.reader(path.open(encoding="utf-8-sig", newline="")))
    drop = rows[0].index("best")
    with path.open("w", encoding="utf-8", newline="") as fh:
        csv.writer(fh).writerows([r[:drop] + r[drop + 1:] for r in rows])
    pkg = copy_package(tmp_path / "pkg")
    with pytest.raises(UnusableInputError, match=r"required column 'best' missing from the header"):
        import_ucdp_ged(path, package_path=pkg)
    from typer.testing import CliRunner

    from conflictdata.cli import app

    out = CliRunner().invoke(app, ["import", "ucdp-ged", str(path), "--package", str(pkg)])
    assert out.exit_code == 2
    assert "required column 'best' missing" in out.output


_EVENT_FIELDS = ("date_start", "date_end", "where_prec", "latitude", "longitude", "where_coordinates", "side_a_new_id",
                 "side_b_new_id", "side_a", "side_b", "type_of_violence", "country", "country_id", "iso3", "low", "best", "high")


def _same_upstream(a: dict[str, str], b: dict[str, str]) -> bool:
    def norm(field: str, v: str) -> object:
        if field.startswith("date"):
            return v[:10]
        if field in ("latitude", "longitude"):
            return float(v)
        if field in ("where_prec", "side_a_new_id", "side_b_new_id", "type_of_violence", "country_id", "low", "best", "high"):
            return int(float(v))
        return v
    return all(norm(f, a[f]) == norm(f, b[f]) for f in _EVENT_FIELDS)


def test_the_three_layouts_import_to_the_same_rows_for_the_events_they_share(tmp_path: Path) -> None:
    imports = {}
    for name, path in (("v22", V22), ("v20", V20), ("v19", V19)):
        pkg = copy_package(tmp_path / name)
        # Only 22.1's codebook is staged: the older releases' statement date is the test's own.
        import_ucdp_ged(path, actors_file=ACTORS, package_path=pkg, statement_date=None if name == "v22" else "2020-01-01")
        imports[name] = (pkg, _upstream(path))
    shared = set.intersection(*(set(up) for _, up in imports.values()))
    assert len(shared) == 907
    (p22, u22), (p20, u20), (p19, u19) = imports["v22"], imports["v20"], imports["v19"]
    # UCDP revises events between releases; where the upstream values agree, our rows must too.
    agreeing = sorted(i for i in shared if _same_upstream(u22[i], u20[i]) and _same_upstream(u22[i], u19[i]))
    assert len(agreeing) > 300
    for table, key, prefix in (("events", "event_id", "EVT-UCDP-"), ("casualty_claims", "claim_id", "CLM-UCDP-")):
        rows = [_rows(p, table, key) for p in (p22, p20, p19)]
        for i in agreeing:
            a, b, c = (dict(r[f"{prefix}{i}"]) for r in rows)
            for r in (a, b, c):
                r.pop("statement_date", None)  # each release has its own
            assert a == b == c, i
