"""The General Staff equipment importer: categories as measures, drift, corrections that supersede.

Core behaviour runs on a fixture written here (records copied from the upstream file, commit
37655f8b); the checks against the real files skip cleanly when `../shared/data` is absent.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from conflictdata.importers.genstaff_equipment import CATEGORIES, import_genstaff_equipment, read_genstaff_equipment
from conflictdata.importers.merge import ImportConflict
from conflictdata.versions.history import validate
from pkgcopy import copy_package, edit_table, read_rows

UPSTREAM_DIR = Path(__file__).resolve().parents[1].parent / "shared/data/ukr-genstaff-russia-losses"
SOURCE_TXT = """Test fixture for tests/test_import_genstaff_equipment.py (records copied from the upstream files).
Repository: github.com/PetroIvaniuk/2022-Ukraine-Russia-War-Dataset
Paths:      data/russia_losses_equipment.json, data/russia_losses_equipment_correction.json
Commit:     37655f8bbdd6806d2f94416253116b02a750c97b (2026-08-08)
License:    MIT (repo LICENSE, Copyright (c) 2022 Petro Ivaniuk).
"""
# Around the merge of 'military auto' and 'fuel tank' into 'vehicles and fuel tanks' (2022-05-01),
# and around the first correction (2022-10-13: APC -25, field artillery +32, drone +20, naval ship +1).
RECORDS = [
    {"date": "2022-04-30", "day": 66, "aircraft": 189, "helicopter": 155, "tank": 1051, "APC": 2610, "field artillery": 488,
     "MRL": 151, "military auto": 1796, "fuel tank": 76, "drone": 190, "naval ship": 8, "anti-aircraft warfare": 84,
     "special equipment": 36, "mobile SRBM system": 4},
    {"date": "2022-05-01", "day": 67, "aircraft": 190, "helicopter": 155, "tank": 1062, "APC": 2631, "field artillery": 495,
     "MRL": 151, "drone": 200, "naval ship": 8, "anti-aircraft warfare": 84, "special equipment": 38,
     "vehicles and fuel tanks": 1875, "cruise missiles": 84, "greatest losses direction": "Izyum and Kurakhove"},
    {"date": "2022-10-12", "day": 231, "aircraft": 268, "helicopter": 241, "tank": 2471, "APC": 5181, "field artillery": 1507,
     "MRL": 347, "drone": 1129, "naval ship": 15, "anti-aircraft warfare": 178, "special equipment": 138,
     "vehicles and fuel tanks": 3826, "cruise missiles": 246},
    {"date": "2022-10-13", "day": 232, "aircraft": 268, "helicopter": 241, "tank": 2486, "APC": 5167, "field artillery": 1556,
     "MRL": 347, "drone": 1182, "naval ship": 16, "anti-aircraft warfare": 178, "special equipment": 139,
     "vehicles and fuel tanks": 3841, "cruise missiles": 246},
]
CORRECTIONS = [{"date": "2022-10-13", "day": 231, "aircraft": 0, "helicopter": 0, "tank": 0, "APC": -25, "field artillery": 32,
                "MRL": 0, "drone": 20, "naval ship": 1, "submarines": 0, "anti-aircraft warfare": 0, "special equipment": 0,
                "vehicles and fuel tanks": 0, "cruise missiles": 0, "personnel": 0}]


@pytest.fixture
def files(tmp_path: Path) -> tuple[Path, Path]:
    folder = tmp_path / "upstream"
    folder.mkdir()
    (folder / "SOURCE.txt").write_text(SOURCE_TXT, encoding="utf-8")
    (folder / "russia_losses_equipment.json").write_text(json.dumps(RECORDS, indent=4), encoding="utf-8")
    (folder / "russia_losses_equipment_correction.json").write_text(json.dumps(CORRECTIONS, indent=4), encoding="utf-8")
    return folder / "russia_losses_equipment.json", folder / "russia_losses_equipment_correction.json"


@pytest.fixture
def upstream() -> Path:
    if not (UPSTREAM_DIR / "russia_losses_equipment.json").is_file():
        pytest.skip("../shared/data is not present")
    return UPSTREAM_DIR


def claims(batch) -> dict[str, dict[str, str]]:
    return {r["claim_id"]: r for r in batch.rows["casualty_claims"]}


def test_one_claim_per_record_and_category_as_published(files: tuple[Path, Path]) -> None:
    batch = claims(read_genstaff_equipment(files[0]))
    row = batch["CLM-GSEQ-20221013-ARMOURED-VEHICLES"]
    assert {k: row[k] for k in ("claimant_actor_id", "subject_actor_id", "measure", "qualifier", "value_best", "value_text",
                                "count_basis", "period_start", "period_end", "statement_date", "method", "source_id")} == {
        "claimant_actor_id": "ACT-UKR-GENSTAFF", "subject_actor_id": "ACT-RUS-AF", "measure": "armoured_vehicles",
        "qualifier": "exact", "value_best": "5167", "value_text": "5167", "count_basis": "cumulative",
        "period_start": "2022-02-24", "period_end": "2022-10-13", "statement_date": "2022-10-13", "method": "official_tally",
        "source_id": "SRC-GSEQ-EQUIPMENT"}
    # Every figure of every record, and the place name of 'greatest losses direction' is not one.
    figures = sum(1 for r in RECORDS for k in r if k not in ("date", "day", "greatest losses direction"))
    assert len(batch) == figures == 13 + 12 + 12 + 12


def test_categories_merged_upstream_are_series_that_end_and_begin(files: tuple[Path, Path]) -> None:
    batch = claims(read_genstaff_equipment(files[0]))
    assert {k for k in batch if "VEHICLES" in k and "ARMOURED" not in k} == {
        "CLM-GSEQ-20220430-MILITARY-VEHICLES", "CLM-GSEQ-20220501-VEHICLES-AND-FUEL-TANKS",
        "CLM-GSEQ-20221012-VEHICLES-AND-FUEL-TANKS", "CLM-GSEQ-20221013-VEHICLES-AND-FUEL-TANKS"}
    assert "CLM-GSEQ-20220430-FUEL-TANKS" in batch and "CLM-GSEQ-20220501-FUEL-TANKS" not in batch
    assert batch["CLM-GSEQ-20220501-CRUISE-MISSILES"]["value_best"] == "84"


def test_a_corrected_day_supersedes_the_day_before_in_each_adjusted_category(files: tuple[Path, Path]) -> None:
    batch = read_genstaff_equipment(*files)
    rows = claims(batch)
    superseding = {k: r["supersedes_claim_id"] for k, r in rows.items() if r.get("supersedes_claim_id")}
    assert superseding == {
        "CLM-GSEQ-20221013-ARMOURED-VEHICLES": "CLM-GSEQ-20221012-ARMOURED-VEHICLES",
        "CLM-GSEQ-20221013-ARTILLERY-SYSTEMS": "CLM-GSEQ-20221012-ARTILLERY-SYSTEMS",
        "CLM-GSEQ-20221013-DRONES": "CLM-GSEQ-20221012-DRONES",
        "CLM-GSEQ-20221013-NAVAL-SHIPS": "CLM-GSEQ-20221012-NAVAL-SHIPS",
    }
    assert rows["CLM-GSEQ-20221013-ARMOURED-VEHICLES"]["notes"] == (
        "This total includes a retroactive adjustment of -25 to the earlier running total (corrections file, "
        "SRC-GSEQ-CORRECTIONS): it supersedes the figure of 2022-10-12 (5181, CLM-GSEQ-20221012-ARMOURED-VEHICLES).")
    assert rows["CLM-GSEQ-20221013-ARMOURED-VEHICLES"]["value_best"] == "5167"  # nothing recomputed
    assert [s["source_id"] for s in batch.rows["sources"]] == ["SRC-GSEQ-EQUIPMENT", "SRC-GSEQ-CORRECTIONS"]


def test_a_corrected_fall_is_no_warning_and_without_the_corrections_it_is_one(files: tuple[Path, Path], tmp_path: Path) -> None:
    pkg = _with_genstaff(tmp_path / "with")
    import_genstaff_equipment(*files, package_path=pkg)
    assert validate(pkg).errors == [] and [f.rule for f in validate(pkg).warnings] == []
    bare = _with_genstaff(tmp_path / "bare")
    import_genstaff_equipment(files[0], package_path=bare)
    [warning] = validate(bare).warnings
    assert (warning.rule, warning.value) == ("cumulative-decrease", "5167")
    assert "CLM-GSEQ-20221012-ARMOURED-VEHICLES" in warning.message


def _with_genstaff(dst: Path) -> Path:
    """The curated core plus the General Staff actor the personnel import creates."""
    pkg = copy_package(dst)
    edit_table(pkg, "sources", lambda h, rows: (h, rows + [{**{c: "" for c in h}, "source_id": "SRC-GENSTAFF-PERSONNEL",
                                                            "title": "t", "publisher": "p", "published_date": "2026-08-08",
                                                            "language": "en", "source_type": "dataset"}]))
    edit_table(pkg, "actors", lambda h, rows: (h, rows + [{**{c: "" for c in h}, "actor_id": "ACT-UKR-GENSTAFF", "name": "General Staff",
                                                           "actor_type": "armed_force", "source_id": "SRC-GENSTAFF-PERSONNEL"}]))
    return pkg


def test_importing_twice_changes_nothing_the_second_time(files: tuple[Path, Path], tmp_path: Path) -> None:
    pkg = _with_genstaff(tmp_path / "pkg")
    first = import_genstaff_equipment(*files, package_path=pkg)
    assert first.counts["casualty_claims"]["added"] == 49
    before = {p: p.read_bytes() for p in (pkg / "data").glob("*.csv")}
    second = import_genstaff_equipment(*files, package_path=pkg)
    assert second.written == [] and all(c["added"] == c["changed"] == c["removed"] == 0 for c in second.counts.values())
    assert {p: p.read_bytes() for p in (pkg / "data").glob("*.csv")} == before


def test_without_the_general_staff_actor_nothing_is_written(files: tuple[Path, Path], tmp_path: Path) -> None:
    pkg = copy_package(tmp_path / "pkg")
    before = {p: p.read_bytes() for p in (pkg / "data").glob("*.csv")}
    with pytest.raises(ImportConflict, match=r"ACT-UKR-GENSTAFF \(the claimant; run `conflictdata import genstaff`"):
        import_genstaff_equipment(*files, package_path=pkg)
    assert {p: p.read_bytes() for p in (pkg / "data").glob("*.csv")} == before


def test_an_unknown_category_is_named_not_guessed(files: tuple[Path, Path]) -> None:
    records = json.loads(files[0].read_text())
    records[-1]["laser weapons"] = 1
    files[0].write_text(json.dumps(records))
    batch = read_genstaff_equipment(files[0])
    assert batch.warnings == [f"{files[0]}: category laser weapons not imported: add each to CATEGORIES with a measure "
                              "(and the measure to casualty_claims.measure's enum)"]


# --- the real upstream files and the shipped dataset -----------------------------------------------

def test_every_upstream_figure_is_one_claim(upstream: Path) -> None:
    records = json.loads((upstream / "russia_losses_equipment.json").read_text())
    batch = claims(read_genstaff_equipment(upstream / "russia_losses_equipment.json"))
    assert len(batch) == sum(1 for r in records for k, v in r.items() if k in CATEGORIES and v is not None) == 20687
    [rec] = [r for r in records if r["date"] == "2023-02-05"]
    assert batch["CLM-GSEQ-20230205-TANKS"]["value_best"] == str(rec["tank"]) == "3220"


def test_the_corrections_supersede_and_the_personnel_ones_are_named(upstream: Path) -> None:
    batch = read_genstaff_equipment(upstream / "russia_losses_equipment.json", upstream / "russia_losses_equipment_correction.json")
    corrections = json.loads((upstream / "russia_losses_equipment_correction.json").read_text())
    adjusted = sum(1 for c in corrections for k, v in c.items() if k in CATEGORIES and v)
    assert sum(1 for r in batch.rows["casualty_claims"] if r.get("supersedes_claim_id")) == adjusted
    assert [w.split(": ", 2)[1:] for w in batch.warnings] == [
        ["2025-02-28", "the adjustment of 'personnel' (+1650) is not applied: the personnel claims are the genstaff import's, which applies it"],
        ["2025-04-22", "the adjustment of 'personnel' (+160) is not applied: the personnel claims are the genstaff import's, which applies it"]]


def test_the_shipped_dataset_holds_exactly_the_current_import(upstream: Path, tmp_path: Path) -> None:
    pkg = copy_package(tmp_path / "pkg", full=True)
    result = import_genstaff_equipment(upstream / "russia_losses_equipment.json", upstream / "russia_losses_equipment_correction.json",
                                       package_path=pkg)
    assert result.written == [] and result.counts["casualty_claims"]["unchanged"] == 20687


def test_the_two_falls_no_correction_explains_are_acknowledged() -> None:
    repo = Path(__file__).resolve().parents[1]
    header, rows = read_rows(repo / "data/acknowledgements.csv")
    assert header == ["rule", "table", "record_id", "column", "reason", "acknowledged_date"]
    assert [(r["rule"], r["record_id"], r["acknowledged_date"]) for r in rows if r["rule"] == "cumulative-decrease"] == [
        ("cumulative-decrease", "CLM-GSEQ-20230528-TANKS", "2026-11-30"),
        ("cumulative-decrease", "CLM-GSEQ-20260304-ARTILLERY-SYSTEMS", "2026-11-30")]


def test_the_command_imports_with_its_corrections(files: tuple[Path, Path], tmp_path: Path) -> None:
    from typer.testing import CliRunner

    from conflictdata.cli import app

    pkg = _with_genstaff(tmp_path / "pkg")
    out = CliRunner().invoke(app, ["import", "genstaff-equipment", str(files[0]), "--corrections", str(files[1]),
                                   "--package", str(pkg), "--format", "json"])
    assert out.exit_code == 0, out.output
    assert json.loads(out.stdout)["counts"]["casualty_claims"]["added"] == 49
    rows = {r["claim_id"]: r for r in read_rows(pkg / "data/casualty_claims.csv")[1]}
    assert rows["CLM-GSEQ-20221013-DRONES"]["supersedes_claim_id"] == "CLM-GSEQ-20221012-DRONES"
