"""The Oryx importer: per version and category a claim summing its models, layout drift, revisions.

Core behaviour runs on two small versions written here (records copied from the upstream
versions of 2022-09-23 and 2022-09-24); the checks against every real version skip cleanly
when `../shared/data` is absent.
"""

from __future__ import annotations

import hashlib
import json
from collections import Counter
from pathlib import Path

import pytest

from conflictdata.contract.errors import UnusableInputError
from conflictdata.importers.oryx import CATEGORIES, import_oryx, read_oryx
from pkgcopy import copy_package, read_rows

HISTORY = Path(__file__).resolve().parents[1].parent / "shared/data/ukr-genstaff-russia-losses/oryx-history"
# The first version's layout: `equipment`, no `equipment_ua`; a model listed twice, as upstream.
OLD = [
    {"equipment": "Tanks", "model": "T-62M", "manufacturer": "the Soviet Union", "losses_total": 5},
    {"equipment": "Tanks", "model": "T-64A", "manufacturer": "the Soviet Union", "losses_total": 3},
    {"equipment": "Armoured Fighting Vehicles", "model": "BMD-2", "manufacturer": "the Soviet Union", "losses_total": 606},
    {"equipment": "Command Posts And Communications Stations", "model": "MP-2IM signals vehicle", "manufacturer": "Russia", "losses_total": 1},
    {"equipment": "Command Posts And Communications Stations", "model": "MP-2IM signals vehicle", "manufacturer": "Russia", "losses_total": 1},
]
NEW = [
    {"equipment_oryx": "Tanks", "model": "T-62M", "manufacturer": "the Soviet Union", "losses_total": 6, "equipment_ua": "Tanks"},
    {"equipment_oryx": "Tanks", "model": "T-64A", "manufacturer": "the Soviet Union", "losses_total": 3, "equipment_ua": "Tanks"},
    {"equipment_oryx": "Armoured Fighting Vehicles", "model": "BMD-2", "manufacturer": "the Soviet Union", "losses_total": 605,
     "equipment_ua": "Armoured Personnel Carriers"},
    {"equipment_oryx": "Reconnaissance Unmanned Aerial Vehicles", "model": "Orlan-10", "manufacturer": "Russia", "losses_total": 2,
     "equipment_ua": "Unmanned Aerial Vehicles"},
]


def _write(folder: Path, name: str, records: list) -> tuple[Path, str]:
    path = folder / name
    path.write_text(json.dumps(records, indent=4), encoding="utf-8")
    return path, hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.fixture
def versions(tmp_path: Path) -> list[Path]:
    folder = tmp_path / "upstream"
    (folder / "oryx-history").mkdir(parents=True)
    old, old_sha = _write(folder / "oryx-history", "russia_losses_equipment_oryx.2022-09-23.json", OLD)
    new, new_sha = _write(folder / "oryx-history", "russia_losses_equipment_oryx.2022-09-24.json", NEW)
    (folder / "SOURCE.txt").write_text(
        "Test fixture for tests/test_import_oryx.py.\n"
        "Repository: github.com/PetroIvaniuk/2022-Ukraine-Russia-War-Dataset\n"
        "Commit:     37655f8bbdd6806d2f94416253116b02a750c97b (2026-08-08)\n"
        "License:    MIT (repo LICENSE, Copyright (c) 2022 Petro Ivaniuk).\n"
        f"  2022-09-23  acb70f55cdcac951a09002f0a54688163dc8c95d  {old_sha}  {old.stat().st_size}\n"
        f"  2022-09-24  8483a4b0e94da8b31fa6a2c4510e8416e0d45823  {new_sha}  {new.stat().st_size}\n", encoding="utf-8")
    return [new, old]  # any order


def claims(batch) -> dict[str, dict[str, str]]:
    return {r["claim_id"]: r for r in batch.rows["casualty_claims"]}


def test_each_category_of_each_version_is_one_claim_summing_its_models(versions: list[Path]) -> None:
    batch = read_oryx(versions)
    assert sorted(claims(batch)) == [
        "CLM-ORYX-20220923-ARMOURED-FIGHTING-VEHICLES", "CLM-ORYX-20220923-COMMAND-POSTS-AND-COMMUNICATIONS-STATIONS",
        "CLM-ORYX-20220923-TANKS", "CLM-ORYX-20220924-ARMOURED-FIGHTING-VEHICLES",
        "CLM-ORYX-20220924-RECONNAISSANCE-UNMANNED-AERIAL-VEHICLES", "CLM-ORYX-20220924-TANKS"]
    tanks = claims(batch)["CLM-ORYX-20220924-TANKS"]
    assert {k: tanks[k] for k in ("claimant_actor_id", "subject_actor_id", "measure", "qualifier", "value_low", "value_text",
                                  "count_basis", "period_end", "statement_date", "method", "source_id")} == {
        "claimant_actor_id": "ACT-ORYX", "subject_actor_id": "ACT-RUS-AF", "measure": "tanks", "qualifier": "at_least",
        "value_low": "9", "value_text": "9 (sum over 2 listed models)", "count_basis": "cumulative", "period_end": "2022-09-24",
        "statement_date": "2022-09-24", "method": "visually_confirmed", "source_id": "SRC-ORYX-20220924"}
    assert [s["source_id"] for s in batch.rows["sources"]] == ["SRC-ORYX-20220923", "SRC-ORYX-20220924"]


def test_the_first_layout_reads_like_the_later_and_duplicates_stay_two_parts(versions: list[Path]) -> None:
    parts = [p for p in read_oryx(versions).rows["claim_breakdowns"]
             if p["claim_id"] == "CLM-ORYX-20220923-COMMAND-POSTS-AND-COMMUNICATIONS-STATIONS"]
    assert parts == [
        {"claim_id": "CLM-ORYX-20220923-COMMAND-POSTS-AND-COMMUNICATIONS-STATIONS", "entry": "4", "model": "MP-2IM signals vehicle",
         "manufacturer": "Russia", "value": "1"},
        {"claim_id": "CLM-ORYX-20220923-COMMAND-POSTS-AND-COMMUNICATIONS-STATIONS", "entry": "5", "model": "MP-2IM signals vehicle",
         "manufacturer": "Russia", "value": "1"}]
    assert claims(read_oryx(versions))["CLM-ORYX-20220923-COMMAND-POSTS-AND-COMMUNICATIONS-STATIONS"]["value_low"] == "2"


def test_a_category_revised_down_supersedes_the_earlier_claim(versions: list[Path]) -> None:
    rows = claims(read_oryx(versions))
    afv = rows["CLM-ORYX-20220924-ARMOURED-FIGHTING-VEHICLES"]
    assert afv["supersedes_claim_id"] == "CLM-ORYX-20220923-ARMOURED-FIGHTING-VEHICLES"
    assert afv["notes"] == ("Oryx revised this category down from 606 (CLM-ORYX-20220923-ARMOURED-FIGHTING-VEHICLES): "
                            "the later list supersedes the earlier.")
    assert not rows["CLM-ORYX-20220924-TANKS"].get("supersedes_claim_id")  # a rise is no revision


def test_importing_twice_changes_nothing_and_validates_without_warnings(versions: list[Path], tmp_path: Path) -> None:
    from conflictdata.versions.history import validate

    pkg = copy_package(tmp_path / "pkg")
    first = import_oryx(versions, pkg)
    assert first.counts["claim_breakdowns"]["added"] == 9 and first.counts["casualty_claims"]["added"] == 6
    before = {p: p.read_bytes() for p in (pkg / "data").glob("*.csv")}
    second = import_oryx(list(reversed(versions)), pkg)
    assert second.written == []
    assert {p: p.read_bytes() for p in (pkg / "data").glob("*.csv")} == before
    report = validate(pkg)
    assert report.errors == [] and report.warnings == []


def test_a_file_that_is_no_listed_version_is_refused(versions: list[Path]) -> None:
    versions[0].write_text("[]\n")
    with pytest.raises(UnusableInputError, match=r"sha256 [0-9a-f]{64} is none of the 2 versions .*SOURCE.txt lists"):
        read_oryx(versions)


def test_an_unknown_category_is_named(versions: list[Path], tmp_path: Path) -> None:
    folder = versions[0].parent
    records = NEW + [{"equipment_oryx": "Laser Weapons", "model": "X", "manufacturer": "Russia", "losses_total": 1}]
    path, sha = _write(folder, "russia_losses_equipment_oryx.2022-09-24.json", records)
    txt = folder.parent / "SOURCE.txt"
    txt.write_text(txt.read_text() + f"  2022-09-25  99f13fc967a693750eb22d09feb00005efddd437  {sha}  1\n")
    with pytest.raises(UnusableInputError, match=r"record 5: Oryx category 'Laser Weapons' has no measure"):
        read_oryx([path])


# --- every real version -----------------------------------------------------------------------------

@pytest.fixture(scope="module")
def real():
    if not HISTORY.is_dir():
        pytest.skip("../shared/data is not present")
    files = sorted(HISTORY.glob("*.json"))
    return files, read_oryx(files)


def test_six_versions_and_every_sum_equals_the_raw_files(real) -> None:
    files, batch = real
    assert [s["published_date"] for s in batch.rows["sources"]] == [
        "2022-09-23", "2022-09-24", "2022-09-26", "2022-10-10", "2022-11-27", "2023-02-05"]
    rows = claims(batch)
    for file in files:
        stamp = file.name.split(".")[1].replace("-", "")
        raw: Counter = Counter()
        for rec in json.loads(file.read_text()):
            raw[CATEGORIES[rec.get("equipment_oryx", rec.get("equipment"))]] += rec["losses_total"]
        ours = {r["measure"]: int(r["value_low"]) for r in rows.values() if r["claim_id"].startswith(f"CLM-ORYX-{stamp}-")}
        assert ours == dict(raw), file.name
    assert rows["CLM-ORYX-20230205-TANKS"]["value_low"] == "1673"
    assert len(batch.rows["claim_breakdowns"]) == 286 + 286 + 288 + 298 + 323 + 338


def test_the_split_of_unmanned_aerial_vehicles_is_two_new_series(real) -> None:
    rows = claims(real[1])
    assert "CLM-ORYX-20221010-UNMANNED-AERIAL-VEHICLES" in rows and "CLM-ORYX-20221127-UNMANNED-AERIAL-VEHICLES" not in rows
    assert rows["CLM-ORYX-20221127-RECONNAISSANCE-UNMANNED-AERIAL-VEHICLES"]["value_low"] == "146"


def test_the_shipped_dataset_holds_exactly_the_current_import(real, tmp_path: Path) -> None:
    pkg = copy_package(tmp_path / "pkg", full=True)
    result = import_oryx(real[0] + [HISTORY.parent / "russia_losses_equipment_oryx.json"], pkg)
    assert result.written == [] and result.counts["casualty_claims"]["unchanged"] == 149
    shipped = read_rows(Path(__file__).resolve().parents[1] / "data/claim_breakdowns.csv")[1]
    assert len(shipped) == 1819


def test_the_command_imports_and_a_bad_file_exits_2_naming_it(versions: list[Path], tmp_path: Path) -> None:
    from typer.testing import CliRunner

    from conflictdata.cli import app

    pkg = copy_package(tmp_path / "pkg")
    out = CliRunner().invoke(app, ["import", "oryx", *map(str, versions), "--package", str(pkg), "--format", "json"])
    assert out.exit_code == 0, out.output
    assert json.loads(out.stdout)["counts"]["casualty_claims"]["added"] == 6
    versions[0].write_text("[]\n")
    out = CliRunner().invoke(app, ["import", "oryx", str(versions[0]), "--package", str(pkg)])
    assert out.exit_code == 2 and f"{versions[0]}: sha256" in out.output
