"""The General Staff importer: what it reads, what it refuses, and how it merges into a package.

Core behaviour runs on a small fixture written here (records copied from the upstream file), so it
needs nothing outside the repository; the checks against the real upstream file skip cleanly when
`../shared/data` is absent.
"""

from __future__ import annotations

import copy
import hashlib
import json
import shutil
from pathlib import Path

import pytest

from conflictdata.versions.diff import diff_packages
from conflictdata.contract.errors import UnusableInputError
from conflictdata.importers import apply_import
from conflictdata.importers.genstaff import PREFIXES, import_genstaff, read_genstaff
from conflictdata.importers.merge import ImportConflict
from conflictdata.contract.package import open_package
from conflictdata.versions.history import validate
from pkgcopy import copy_package, edit_table, read_rows

UPSTREAM_DIR = Path(__file__).resolve().parents[1].parent / "shared/data/ukr-genstaff-russia-losses"
UPSTREAM = UPSTREAM_DIR / "russia_losses_personnel.json"
OWNED_TABLES = {"sources": "source_id", "actors": "actor_id", "casualty_claims": "claim_id"}

# Five records as they stand in the upstream file (commit 37655f8b), one of them with 'more'.
RECORDS = [
    {"date": "2022-03-06", "day": 11, "personnel": 11000, "personnel*": "about", "POW": 232},
    {"date": "2022-03-07", "day": 12, "personnel": 11000, "personnel*": "more", "POW": 259},
    {"date": "2022-04-27", "day": 63, "personnel": 22400, "personnel*": "about", "POW": 496},
    {"date": "2022-04-28", "day": 64, "personnel": 22800, "personnel*": "about"},
    {"date": "2024-10-28", "day": 978, "personnel": 690720, "personnel*": "about"},
]
SOURCE_TXT = """Test fixture for tests/test_import_genstaff.py (records copied from the upstream file).
Repository: github.com/PetroIvaniuk/2022-Ukraine-Russia-War-Dataset
Paths:      data/russia_losses_personnel.json, data/russia_losses_equipment.json, data/russia_losses_equipment_correction.json
Commit:     37655f8bbdd6806d2f94416253116b02a750c97b (2026-08-08)
License:    MIT (repo LICENSE, Copyright (c) 2022 Petro Ivaniuk).
"""


def write_fixture(folder: Path, records: list | object = RECORDS, *, text: str | None = None) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "russia_losses_personnel.json"
    path.write_text(text if text is not None else json.dumps(records, indent=4), encoding="utf-8")
    (folder / "SOURCE.txt").write_text(SOURCE_TXT, encoding="utf-8")
    return path


def owns(table: str, row: dict[str, str]) -> bool:
    return row[OWNED_TABLES[table]].startswith(PREFIXES[table])


def curated_copy(dst: Path) -> Path:
    """The repository package without any row the importer owns: the state before a first import."""
    pkg = copy_package(dst)
    for table in OWNED_TABLES:
        edit_table(pkg, table, lambda h, rows, t=table: (h, [r for r in rows if not owns(t, r)]))
    return pkg


def claims(batch) -> dict[str, dict[str, str]]:
    return {r["claim_id"]: r for r in batch.rows["casualty_claims"]}


def claim_rows(pkg: Path) -> dict[str, dict[str, str]]:
    return {r["claim_id"]: r for r in read_rows(pkg / "data/casualty_claims.csv")[1]}


@pytest.fixture
def fixture_file(tmp_path: Path) -> Path:
    return write_fixture(tmp_path / "upstream")


@pytest.fixture
def upstream() -> Path:
    if not UPSTREAM.is_file():
        pytest.skip(f"upstream file not present: {UPSTREAM}")
    return UPSTREAM


# --- reading --------------------------------------------------------------------------------

def test_one_personnel_claim_per_record_and_one_pow_claim_per_pow_figure(fixture_file: Path) -> None:
    batch = read_genstaff(fixture_file)
    assert sorted(claims(batch)) == [
        "CLM-GENSTAFF-20220306-PERSONNEL", "CLM-GENSTAFF-20220306-POW",
        "CLM-GENSTAFF-20220307-PERSONNEL", "CLM-GENSTAFF-20220307-POW",
        "CLM-GENSTAFF-20220427-PERSONNEL", "CLM-GENSTAFF-20220427-POW",
        "CLM-GENSTAFF-20220428-PERSONNEL", "CLM-GENSTAFF-20241028-PERSONNEL",
    ]
    # The POW figures bring their claimant, Invaders, and the README that names it.
    assert [r["source_id"] for r in batch.rows["sources"]] == ["SRC-GENSTAFF-PERSONNEL", "SRC-GENSTAFF-README"]
    assert [r["actor_id"] for r in batch.rows["actors"]] == ["ACT-UKR-GENSTAFF", "ACT-INVADERS"]
    assert batch.warnings == []


def test_about_is_approximately_with_a_best_value(fixture_file: Path) -> None:
    row = claims(read_genstaff(fixture_file))["CLM-GENSTAFF-20241028-PERSONNEL"]
    assert row == {
        "claim_id": "CLM-GENSTAFF-20241028-PERSONNEL", "claimant_actor_id": "ACT-UKR-GENSTAFF",
        "subject_actor_id": "ACT-RUS-AF", "measure": "personnel_losses", "qualifier": "approximately",
        "value_best": "690720", "value_text": "about 690720", "count_basis": "cumulative",
        "period_start": "2022-02-24", "period_end": "2024-10-28", "statement_date": "2024-10-28",
        "method": "official_tally", "source_id": "SRC-GENSTAFF-PERSONNEL", "quote": "",
    }


def test_more_is_more_than_with_a_low_bound(fixture_file: Path) -> None:
    row = claims(read_genstaff(fixture_file))["CLM-GENSTAFF-20220307-PERSONNEL"]
    assert (row["qualifier"], row.get("value_low"), row.get("value_best"), row["value_text"]) == ("more_than", "11000", None, "more 11000")


def test_a_pow_figure_is_an_exact_captured_claim(fixture_file: Path) -> None:
    row = claims(read_genstaff(fixture_file))["CLM-GENSTAFF-20220427-POW"]
    assert (row["measure"], row["qualifier"], row["value_best"], row["value_text"]) == ("captured", "exact", "496", "496")
    assert (row["subject_actor_id"], row["period_end"], row["statement_date"]) == ("ACT-RUS-AF", "2022-04-27", "2022-04-27")


def test_the_source_row_comes_from_source_txt_and_the_file(fixture_file: Path) -> None:
    src, _readme = read_genstaff(fixture_file).rows["sources"]
    digest = hashlib.sha256(fixture_file.read_bytes()).hexdigest()
    assert (src["url"], src["published_date"], src["license"], src["source_type"], src["language"], src["publisher"]) == (
        "https://github.com/PetroIvaniuk/2022-Ukraine-Russia-War-Dataset", "2026-08-08", "MIT", "dataset", "en", "Petro Ivaniuk")
    assert "2022-Ukraine-Russia-War-Dataset" in src["title"] and "data/russia_losses_personnel.json" in src["title"]
    for fact in ("37655f8bbdd6806d2f94416253116b02a750c97b", digest, "not verified counts", "value_text is composed"):
        assert fact in src["notes"]


def test_the_retraction_date_is_the_source_date_not_today(fixture_file: Path) -> None:
    assert read_genstaff(fixture_file).retracted_date == "2026-08-08"


def test_an_integral_float_is_read_as_the_integer(tmp_path: Path) -> None:
    records = copy.deepcopy(RECORDS)
    records[4]["personnel"] = 690720.0
    records[0]["POW"] = 232.0
    batch = claims(read_genstaff(write_fixture(tmp_path, records)))
    assert batch["CLM-GENSTAFF-20241028-PERSONNEL"]["value_text"] == "about 690720"
    assert batch["CLM-GENSTAFF-20241028-PERSONNEL"]["value_best"] == "690720"
    assert batch["CLM-GENSTAFF-20220306-POW"]["value_best"] == "232"


def test_the_same_input_in_any_order_gives_the_same_rows(fixture_file: Path, tmp_path: Path) -> None:
    shuffled = [dict(reversed(list(r.items()))) for r in reversed(RECORDS)]
    other = read_genstaff(write_fixture(tmp_path / "shuffled", shuffled))
    first = read_genstaff(fixture_file)
    assert first.rows["casualty_claims"] == other.rows["casualty_claims"]
    assert first.rows["actors"] == other.rows["actors"]
    assert read_genstaff(fixture_file) == first


# --- refusing what cannot be read -----------------------------------------------------------

@pytest.mark.parametrize(("records", "text", "message"), [
    (None, "[{\"date\": ", "not JSON"),
    ({"date": "2022-03-06"}, None, "expected a JSON list of daily records, got a dict"),
    ([], None, "the list of records is empty"),
    (RECORDS[:1] + ["x"], None, "record 1: expected a JSON object, got str"),
    (RECORDS[:1] + [{"personnel": 1, "personnel*": "about"}], None, "record 1: no 'date'"),
    (RECORDS[:1] + [{"date": "2022-02-30", "personnel": 1, "personnel*": "about"}], None, "record 1: date '2022-02-30' is not a calendar date"),
    (RECORDS[:1] + [{"date": "2022-03-07", "personnel*": "about"}], None, "record 1 (2022-03-07): no 'personnel' figure"),
    (RECORDS[:1] + [{"date": "2022-03-07", "personnel": 11000.5, "personnel*": "about"}], None, "record 1 (2022-03-07): 'personnel' is 11000.5, not a whole number"),
    (RECORDS[:1] + [{"date": "2022-03-07", "personnel": "11000", "personnel*": "about"}], None, "record 1 (2022-03-07): 'personnel' is '11000', not a number"),
    (RECORDS[:1] + [{"date": "2022-03-07", "personnel": -1, "personnel*": "about"}], None, "'personnel' is -1, a negative count"),
    (RECORDS[:1] + [{"date": "2022-03-07", "personnel": 11000, "personnel*": "over"}], None, "unknown qualifier 'personnel*' = 'over' (known: 'about', 'more')"),
    (RECORDS[:1] + [{"date": "2022-03-07", "personnel": 11000}], None, "record 1 (2022-03-07): no 'personnel*' qualifier"),
    (RECORDS[:1] + [{"date": "2022-03-07", "personnel": 11000, "personnel*": "about", "POW": 2.5}], None, "'POW' is 2.5, not a whole number"),
    (RECORDS[:1] + RECORDS[:1], None, "record 1 (2022-03-06): the date occurs again (first in record 0)"),
])
def test_a_malformed_file_fails_naming_the_file_and_the_problem(tmp_path: Path, records, text: str | None, message: str) -> None:
    path = write_fixture(tmp_path, records, text=text)
    with pytest.raises(UnusableInputError) as exc:
        read_genstaff(path)
    assert str(path) in str(exc.value) and message in str(exc.value)


def test_without_source_txt_the_caller_must_say_where_it_is(fixture_file: Path, tmp_path: Path) -> None:
    moved = tmp_path / "elsewhere.txt"
    (fixture_file.parent / "SOURCE.txt").rename(moved)
    with pytest.raises(UnusableInputError, match="no SOURCE.txt beside it; pass source_txt="):
        read_genstaff(fixture_file)
    assert read_genstaff(fixture_file, source_txt=moved).rows["sources"][0]["published_date"] == "2026-08-08"


@pytest.mark.parametrize(("line", "message"), [
    ("Commit:", "no Commit line"),
    ("License:", "no License line"),
    ("Repository:", "no Repository line"),
])
def test_a_source_txt_without_a_needed_line_is_refused(fixture_file: Path, line: str, message: str) -> None:
    txt = fixture_file.parent / "SOURCE.txt"
    txt.write_text("".join(x for x in SOURCE_TXT.splitlines(keepends=True) if not x.startswith(line)), encoding="utf-8")
    with pytest.raises(UnusableInputError, match=message):
        read_genstaff(fixture_file)


def test_a_file_that_is_not_the_one_source_txt_describes_is_refused(fixture_file: Path) -> None:
    txt = fixture_file.parent / "SOURCE.txt"
    txt.write_text(SOURCE_TXT + f"  russia_losses_personnel.json  1 bytes  sha256={'0' * 64}\n", encoding="utf-8")
    with pytest.raises(UnusableInputError, match="differs from 0{64} recorded in"):
        read_genstaff(fixture_file)


# --- merging into a package -----------------------------------------------------------------

def test_importing_twice_changes_nothing_the_second_time(fixture_file: Path, tmp_path: Path) -> None:
    pkg = curated_copy(tmp_path / "pkg")
    first = import_genstaff(fixture_file, pkg)
    assert first.counts["casualty_claims"] == {"added": 8, "changed": 0, "removed": 0, "unchanged": 0}
    before = {p: p.read_bytes() for p in (pkg / "data").glob("*.csv")}
    second = import_genstaff(fixture_file, pkg)
    assert second.written == [] and not second.changed and second.retracted == []
    assert second.counts == {"sources": {"added": 0, "changed": 0, "removed": 0, "unchanged": 2},
                             "actors": {"added": 0, "changed": 0, "removed": 0, "unchanged": 2},
                             "casualty_claims": {"added": 0, "changed": 0, "removed": 0, "unchanged": 8}}
    assert {p: p.read_bytes() for p in (pkg / "data").glob("*.csv")} == before


def test_a_dry_run_writes_nothing(fixture_file: Path, tmp_path: Path) -> None:
    pkg = curated_copy(tmp_path / "pkg")
    before = {p: p.read_bytes() for p in (pkg / "data").glob("*.csv")}
    result = import_genstaff(fixture_file, pkg, dry_run=True)
    assert result.counts["casualty_claims"]["added"] == 8 and result.written
    assert {p: p.read_bytes() for p in (pkg / "data").glob("*.csv")} == before


def test_an_upstream_correction_is_one_changed_claim_in_the_import_and_the_diff(fixture_file: Path, tmp_path: Path) -> None:
    old = curated_copy(tmp_path / "old")
    import_genstaff(fixture_file, old)
    new = Path(shutil.copytree(old, tmp_path / "new"))
    corrected = copy.deepcopy(RECORDS)
    corrected[3]["personnel"] = 22900
    result = import_genstaff(write_fixture(tmp_path / "corrected", corrected), new)
    assert result.counts["casualty_claims"] == {"added": 0, "changed": 1, "removed": 0, "unchanged": 7}
    assert all(c["added"] == 0 and c["removed"] == 0 for c in result.counts.values()) and result.retracted == []
    d = diff_packages(open_package(old), open_package(new))
    claims_diff = d.tables["casualty_claims"]
    assert [c.key for c in claims_diff.changed] == ["CLM-GENSTAFF-20220428-PERSONNEL"]
    assert claims_diff.changed[0].fields == {"value_best": ("22800", "22900"), "value_text": ("about 22800", "about 22900")}
    assert not (claims_diff.added or claims_diff.removed or claims_diff.retracted)
    # The corrected file has another sha256, which the source row's notes record.
    assert [c.key for c in d.tables["sources"].changed] == ["SRC-GENSTAFF-PERSONNEL"]


def test_a_record_gone_upstream_is_retracted_on_the_source_date(fixture_file: Path, tmp_path: Path) -> None:
    pkg = curated_copy(tmp_path / "pkg")
    import_genstaff(fixture_file, pkg)
    result = import_genstaff(write_fixture(tmp_path / "shorter", RECORDS[:4]), pkg)
    assert result.retracted == ["casualty_claims CLM-GENSTAFF-20241028-PERSONNEL"]
    [row] = read_rows(pkg / "data/retractions.csv")[1]
    assert (row["record_id"], row["retracted_date"]) == ("CLM-GENSTAFF-20241028-PERSONNEL", "2026-08-08")
    assert validate(pkg).errors == []


def test_rows_the_importer_does_not_own_are_byte_identical_after_an_import(fixture_file: Path, tmp_path: Path) -> None:
    pkg = curated_copy(tmp_path / "pkg")
    before = {t: (pkg / f"data/{t}.csv").read_bytes().decode("utf-8").splitlines() for t in OWNED_TABLES}
    import_genstaff(fixture_file, pkg)
    for table, lines in before.items():
        after = (pkg / f"data/{table}.csv").read_bytes().decode("utf-8").splitlines()
        prefixes = PREFIXES[table]
        assert [x for x in after if not x.startswith(prefixes)] == lines, table
        assert len(after) > len(lines), table


def test_a_batch_row_colliding_with_a_curated_row_is_refused_and_nothing_is_written(fixture_file: Path, tmp_path: Path) -> None:
    pkg = curated_copy(tmp_path / "pkg")
    before = {p: p.read_bytes() for p in (pkg / "data").glob("*.csv")}
    batch = read_genstaff(fixture_file)
    curated = dict(batch.rows["casualty_claims"][0], claim_id="CLM-0001")
    batch.rows["casualty_claims"].append(curated)
    with pytest.raises(ImportConflict, match="would overwrite the curated row CLM-0001"):
        apply_import(batch, pkg)
    assert {p: p.read_bytes() for p in (pkg / "data").glob("*.csv")} == before


@pytest.mark.parametrize("actor", ["ACT-RUS-AF", "ACT-UKR-AF"])
def test_a_missing_curated_actor_is_named_and_never_created(fixture_file: Path, tmp_path: Path, actor: str) -> None:
    pkg = curated_copy(tmp_path / "pkg")
    edit_table(pkg, "actors", lambda h, rows: (h, [r for r in rows if r["actor_id"] != actor]))
    before = {p: p.read_bytes() for p in (pkg / "data").glob("*.csv")}
    with pytest.raises(ImportConflict, match=f"actor\\(s\\) {actor} .* missing"):
        import_genstaff(fixture_file, pkg)
    assert {p: p.read_bytes() for p in (pkg / "data").glob("*.csv")} == before


def test_the_fixture_import_validates(fixture_file: Path, tmp_path: Path) -> None:
    pkg = curated_copy(tmp_path / "pkg")
    import_genstaff(fixture_file, pkg)
    report = validate(pkg)
    assert report.errors == [] and [f.rule for f in report.warnings] == []


# --- the real upstream file and the shipped dataset ----------------------------------------

def test_row_counts_match_the_upstream_file(upstream: Path) -> None:
    records = json.loads(upstream.read_text(encoding="utf-8"))
    batch = claims(read_genstaff(upstream))
    personnel = [k for k in batch if k.endswith("-PERSONNEL")]
    pow_ = [k for k in batch if k.endswith("-POW")]
    assert len(personnel) == len(records) == 1626
    assert len(pow_) == sum(1 for r in records if r.get("POW") is not None) == 62
    assert sum(1 for k in personnel if batch[k]["qualifier"] == "more_than") == sum(1 for r in records if r["personnel*"] == "more") == 6


def test_the_figure_for_2024_10_28_is_the_upstream_one(upstream: Path) -> None:
    [record] = [r for r in json.loads(upstream.read_text(encoding="utf-8")) if r["date"] == "2024-10-28"]
    row = claims(read_genstaff(upstream))["CLM-GENSTAFF-20241028-PERSONNEL"]
    assert row["value_best"] == str(record["personnel"]) and row["value_text"] == f"{record['personnel*']} {record['personnel']}"
    # Verified by hand in the upstream file (line 5923 at commit 37655f8b).
    assert (row["value_best"], row["value_text"], row["qualifier"]) == ("690720", "about 690720", "approximately")
    assert (row["period_start"], row["period_end"], row["statement_date"]) == ("2022-02-24", "2024-10-28", "2024-10-28")


def test_hand_checked_spot_values(upstream: Path) -> None:
    batch = claims(read_genstaff(upstream))
    assert batch["CLM-GENSTAFF-20220307-PERSONNEL"]["value_low"] == "11000"
    assert batch["CLM-GENSTAFF-20220307-PERSONNEL"]["value_text"] == "more 11000"
    assert batch["CLM-GENSTAFF-20220307-POW"]["value_best"] == "259"
    assert batch["CLM-GENSTAFF-20220427-POW"]["value_best"] == "496"
    assert "CLM-GENSTAFF-20220428-POW" not in batch
    assert batch["CLM-GENSTAFF-20260808-PERSONNEL"]["value_text"] == "about 1456610"


def test_the_upstream_day_counter_starts_on_2022_02_24(upstream: Path) -> None:
    assert read_genstaff(upstream).warnings == []


def test_the_shipped_dataset_holds_exactly_the_current_import(upstream: Path, tmp_path: Path) -> None:
    pkg = copy_package(tmp_path / "pkg", full=True)
    result = import_genstaff(upstream, pkg)
    assert result.written == [] and result.retracted == []
    assert all(c["added"] == c["changed"] == c["removed"] == 0 for c in result.counts.values())
    assert result.counts["casualty_claims"]["unchanged"] == 1688


def test_the_repository_dataset_with_the_import_validates() -> None:
    repo = Path(__file__).resolve().parents[1]
    shipped = claim_rows(repo)
    assert len([k for k in shipped if k.startswith("CLM-GENSTAFF-")]) == 1688
    report = validate(repo)
    assert report.errors == []
    assert [f for f in report.warnings if f.rule == "cumulative-decrease" and f.value and "GENSTAFF-" in f.message] == []


# --- the POW figures' claimant (issue 15: corrections) -----------------------------------------

def test_a_pow_figure_is_claimed_by_invaders_as_the_readme_says_with_method_unknown(fixture_file: Path) -> None:
    batch = read_genstaff(fixture_file)
    row = claims(batch)["CLM-GENSTAFF-20220427-POW"]
    assert (row["claimant_actor_id"], row["method"], row["source_id"]) == ("ACT-INVADERS", "unknown", "SRC-GENSTAFF-PERSONNEL")
    assert "not a General Staff tally" in row["notes"] and "invaders-rf.com" in row["notes"]
    [actor] = [a for a in batch.rows["actors"] if a["actor_id"] == "ACT-INVADERS"]
    assert (actor["name"], actor["source_id"]) == ("Invaders", "SRC-GENSTAFF-README")
    [readme] = [s for s in batch.rows["sources"] if s["source_id"] == "SRC-GENSTAFF-README"]
    # Word for word what the README says, nothing more.
    assert "'[Invaders](https://invaders-rf.com/) - Russians Prisoner of War (POW). The project is not active since May of 2022.'" in readme["notes"]
    assert "'Prisoner of War (POW) - has not been tracked since 2022-04-28'" in readme["notes"]


def test_the_personnel_claims_stay_the_general_staffs(fixture_file: Path) -> None:
    row = claims(read_genstaff(fixture_file))["CLM-GENSTAFF-20220427-PERSONNEL"]
    assert (row["claimant_actor_id"], row["method"]) == ("ACT-UKR-GENSTAFF", "official_tally")


def test_a_readme_that_no_longer_names_invaders_is_refused(fixture_file: Path) -> None:
    (fixture_file.parent / "README.upstream.md").write_text("### Data Sources\n2. Somebody else - POW\n", encoding="utf-8")
    with pytest.raises(UnusableInputError, match=r"README.upstream.md: no longer reads '\[Invaders\]"):
        read_genstaff(fixture_file)


def test_the_62_pow_claims_are_invaders_and_say_their_first_four_values_are_0(upstream: Path) -> None:
    records = json.loads(upstream.read_text(encoding="utf-8"))
    assert [r["POW"] for r in records[:5]] == [0, 0, 0, 0, 200]  # checked in the upstream file
    pows = {k: r for k, r in claims(read_genstaff(upstream)).items() if k.endswith("-POW")}
    assert len(pows) == 62
    assert {(r["claimant_actor_id"], r["method"], r["qualifier"]) for r in pows.values()} == {("ACT-INVADERS", "unknown", "exact")}
    assert [pows[k]["value_best"] for k in sorted(pows)[:5]] == ["0", "0", "0", "0", "200"]
    assert all("first 4 value(s) (2022-02-25 to 2022-02-28) are 0" in r["notes"] for r in pows.values())


def test_the_shipped_pow_claims_are_the_corrected_rows() -> None:
    shipped = claim_rows(Path(__file__).resolve().parents[1])
    pows = {k: r for k, r in shipped.items() if k.startswith("CLM-GENSTAFF-") and k.endswith("-POW")}
    assert len(pows) == 62
    assert {(r["claimant_actor_id"], r["method"]) for r in pows.values()} == {("ACT-INVADERS", "unknown")}
    assert pows["CLM-GENSTAFF-20220225-POW"]["value_best"] == "0"
    assert "are 0 in the compiled file" in pows["CLM-GENSTAFF-20220228-POW"]["notes"]


def test_a_personnel_figure_with_a_retroactive_adjustment_supersedes_the_day_before(fixture_file: Path) -> None:
    (fixture_file.parent / "russia_losses_equipment_correction.json").write_text(json.dumps(
        [{"date": "2022-04-28", "day": 64, "tank": 0, "personnel": 160}]), encoding="utf-8")
    rows = claims(read_genstaff(fixture_file))
    assert rows["CLM-GENSTAFF-20220428-PERSONNEL"]["supersedes_claim_id"] == "CLM-GENSTAFF-20220427-PERSONNEL"
    assert rows["CLM-GENSTAFF-20220428-PERSONNEL"]["notes"] == (
        "This total includes a retroactive adjustment of +160 to the earlier running total (corrections file "
        "data/russia_losses_equipment_correction.json): it supersedes the figure of 2022-04-27 (22400, CLM-GENSTAFF-20220427-PERSONNEL).")
    assert rows["CLM-GENSTAFF-20220428-PERSONNEL"]["value_best"] == "22800"
    assert [k for k, r in rows.items() if r.get("supersedes_claim_id")] == ["CLM-GENSTAFF-20220428-PERSONNEL"]


def test_the_upstream_personnel_corrections_supersede_on_their_two_dates(upstream: Path) -> None:
    rows = claims(read_genstaff(upstream))
    assert {k: r["supersedes_claim_id"] for k, r in rows.items() if r.get("supersedes_claim_id")} == {
        "CLM-GENSTAFF-20250228-PERSONNEL": "CLM-GENSTAFF-20250227-PERSONNEL",
        "CLM-GENSTAFF-20250422-PERSONNEL": "CLM-GENSTAFF-20250421-PERSONNEL"}
