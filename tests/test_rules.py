"""Every check of `conflictdata validate`, each shown on a copy of the bundled data with one mistake.

Each test breaks one cell, line or file of a fresh copy of the repository's package and asserts the
*whole* report: the exact (severity, table, file, line, column, rule) of every finding, nothing more,
and the exit code of `conflictdata validate` on that copy. Lines are physical lines (header = 1).

Where one mistake legitimately yields two findings (an event ending before it starts also breaks its
date precision) the expected list says so and why. Tests marked xfail(strict=True) show validator
bugs: they state the behaviour the data model asks for, and will start passing when it is fixed.
"""

from __future__ import annotations

import csv
import datetime as dt
import json
import shutil
from collections.abc import Callable
from pathlib import Path

import pytest
from typer.testing import CliRunner, Result

import conflictdata
from conflictdata.checking import rules
from conflictdata.cli import app
from conflictdata.contract.errors import UnusableInputError
from conflictdata.contract.findings import Finding
from pkgcopy import E, W, key, replace_once

REPO = Path(__file__).resolve().parent.parent
# The clock every test here runs under (rules.clock.today is replaced, never waited for): the day the
# package was created, so `future-date` findings do not depend on when the tests run.
TODAY = "2026-11-25"

# A finding as (severity, table, file, line, column, rule): `pkgcopy.key` of a finding; the
# expected ones are written with pkgcopy's E and W.
Key = tuple[str, str, str, int | None, str | None, str]


def _order(k: Key) -> tuple:
    return (k[2], k[3] or 0, k[4] or "", k[5], k[0])


# --- building broken copies ---------------------------------------------------------------------


@pytest.fixture
def pkg(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A fresh copy of the package's curated core (datapackage.json, schema/, data/ without the
    imported rows), also the working directory, so that findings name files as `data/<table>.csv`."""
    from pkgcopy import copy_package

    import datetime as dt

    dst = copy_package(tmp_path / "pkg")
    monkeypatch.chdir(dst)
    monkeypatch.setattr(rules.clock, "today", lambda: dt.date.fromisoformat(TODAY))
    return dst


def rewrite_lines(path: Path, change: Callable[[int, list[str]], list[str]]) -> None:
    """Rewrite each line of a CSV whose cells hold no comma or quote (split on ',')."""
    lines = path.read_text(encoding="utf-8").splitlines()
    assert all('"' not in line for line in lines), f"{path} has quoted cells; edit it with replace_once"
    path.write_text("".join(",".join(change(n, line.split(","))) + "\n" for n, line in enumerate(lines, start=1)),
                    encoding="utf-8")


# --- looking at the result ----------------------------------------------------------------------
#
# One run of `conflictdata validate --format json` per expectation gives both the report's findings
# (the JSON is `Report.to_dict()` of the library's `validate()`) and the exit code, at half the cost
# of validating twice.


def cli(pkg: Path, *options: str) -> Result:
    result = CliRunner().invoke(app, ["validate", str(pkg), *options])
    # Exit 1 must mean "invalid data", never a crash.
    assert result.exception is None or isinstance(result.exception, SystemExit), repr(result.exception)
    return result


def keys(findings: list[Finding] | list[dict]) -> list[Key]:
    """Findings (or expected findings, `E`/`W`) by what identifies them, in one order."""
    return sorted(map(key, findings), key=_order)


def only(findings: list[Finding], rule: str) -> Finding:
    [finding] = [f for f in findings if f.rule == rule]
    return finding


def assert_report(pkg: Path, expected: list[dict], *, exit_code: int = 1) -> list[Finding]:
    """The report has exactly the `expected` findings, and `conflictdata validate` exits with `exit_code`."""
    result = cli(pkg, "--format", "json")
    findings = [Finding(**f) for f in json.loads(result.stdout)["findings"]]
    assert keys(findings) == keys(expected)
    assert result.exit_code == exit_code
    return findings


def assert_warnings_only(pkg: Path, expected: list[dict]) -> list[Finding]:
    """Warnings: valid (exit 0) unless --strict, which makes them count (exit 1)."""
    assert all(k["severity"] == "warning" for k in expected)
    findings = assert_report(pkg, expected, exit_code=0)
    assert cli(pkg, "--strict").exit_code == 1
    return findings


# --- the dataset as it is -----------------------------------------------------------------------


def test_bundled_dataset_has_no_errors_and_only_the_known_upstream_warnings_all_acknowledged() -> None:
    report = conflictdata.validate()
    assert report.errors == [] and report.warnings == [] and report.valid
    # UCDP's own inconsistencies, kept as published (docs/sources/ucdp-ged.md): 19 estimate pairs
    # out of order and two pairs of homonym actors; and the General Staff's two equipment falls no
    # correction explains: each acknowledged in data/acknowledgements.csv.
    assert report.warnings == []
    assert sorted((f.severity, f.rule, f.table) for f in report.acknowledged) == sorted(
        [("warning", "claim-value-order", "casualty_claims")] * 19 + [("warning", "actor-same-name", "actors")] * 2
        + [("warning", "cumulative-decrease", "casualty_claims")] * 2)
    assert sorted(f.value for f in report.acknowledged if f.rule == "cumulative-decrease") == ["37832", "3797"]
    assert CliRunner().invoke(app, ["validate", "--strict"]).exit_code == 0


def test_copy_of_the_package_has_no_findings(pkg: Path) -> None:
    assert_report(pkg, [], exit_code=0)
    assert cli(pkg, "--strict").exit_code == 0


def test_library_and_command_report_the_same_findings(pkg: Path) -> None:
    replace_once(pkg / "data/stances.csv", ",confirms,", ",confirm,")
    replace_once(pkg / "data/event_actors.csv", "EVT-0001,ACT-UKR-AF,initiator,known\n", "")
    expected = [E("stances", 2, "stance", "enum"), E("events", 2, "event_id", "event-has-actor")]
    assert keys(conflictdata.validate(pkg).findings) == keys(expected)
    assert_report(pkg, expected)


# --- one cell or line changed -------------------------------------------------------------------

QUOTE_EVT_0002 = ('"On Monday, the Secretary-General confirmed the deployment of North Korean to Russia, '
                  'revealing that these military units have been stationed in the Kursk region."')
QUOTE_CLM_0001 = ('"Rutte claimed that over 600,000 Russian troops have been killed or wounded in the war, '
                  'stating that without external support, Putin cannot continue his aggression in Ukraine."')
QUOTE_EVT_0003 = ('"Ukrainian forces launched a large-scale offensive in Kursk in August, and despite Russian '
                  'efforts to drive them out, they have managed to retain their positions in the region."')
ROW_ACT_PRK = "ACT-PRK,North Korea,state,PRK,,Q423,,The North Korean state (Pyongyang in the article).,SRC-0001\n"

CELL_EDITS = [
    pytest.param("actors", "ACT-NATO,NATO,intergovernmental_org,,,Q7184,,", "ACT-NATO,NATO,intergovernmental_org,,,Q7184,12x,",
                 [E("actors", 3, "ucdp_actor_id", "type")], id="type-integer"),
    # The row's value_low cannot be used, so claim-qualifier (more_than needs value_low) stays quiet.
    pytest.param("casualty_claims", "600000,,,more_than", "600000.5,,,more_than",
                 [E("casualty_claims", 2, "value_low", "type")], id="type-integer-with-decimals"),
    # Not a calendar day; the date rules skip the row instead of reporting the same mistake again.
    pytest.param("events", "2024-10-28,2024-10-28,day", "2024-02-30,2024-10-28,day",
                 [E("events", 3, "date_start", "type")], id="type-date-not-in-calendar"),
    # Not a number; event-coordinates does not also complain that longitude is empty.
    pytest.param("events", "Kursk,,,admin1,reported", "Kursk,abc,,admin1,reported",
                 [E("events", 2, "latitude", "type")], id="type-number"),
    # An empty required cell is `required`, not also min-length.
    pytest.param("actors", "ACT-NATO,NATO,", "ACT-NATO,,",
                 [E("actors", 3, "name", "required")], id="required"),
    pytest.param("actors", ",Q7184,", ",q7184,",
                 [E("actors", 3, "wikidata_qid", "pattern")], id="pattern"),
    pytest.param("events", "Kursk,,,admin1,reported", "Kursk,91,0,admin1,reported",
                 [E("events", 2, "latitude", "maximum")], id="maximum-latitude-91"),
    pytest.param("casualty_claims", "600000,,,more_than", "-1,,,more_than",
                 [E("casualty_claims", 2, "value_low", "minimum")], id="minimum"),
    # The row of ACT-PRK written twice: the second copy (line 5) is reported, naming line 4
    # (and, being a copy, it also shares its name with line 4: a warning).
    pytest.param("actors", ROW_ACT_PRK, ROW_ACT_PRK * 2,
                 [E("actors", 5, "actor_id", "primary-key"), W("actors", 5, "name", "actor-same-name")], id="primary-key-single"),
    pytest.param("event_actors", "EVT-0002,ACT-RUS,host,known", "EVT-0002,ACT-PRK-AF,deployed_force,suspected",
                 [E("event_actors", 4, "event_id,actor_id,role", "primary-key")], id="primary-key-composite"),
    pytest.param("stances", "STN-0003,ACT-PUTIN-VLADIMIR,", "STN-0003,ACT-PUTIN-VLADIMI,",
                 [E("stances", 4, "actor_id", "foreign-key")], id="foreign-key"),
    pytest.param("events", ",month,RUS,", ",month,XXX,",
                 [E("events", 2, "country_iso3", "foreign-key")], id="foreign-key-reference-table"),
    # ACT-NATO → ACT-RUTTE-MARK → ACT-NATO, reported once, on the first of the two rows.
    pytest.param("actors", "ACT-NATO,NATO,intergovernmental_org,,,", "ACT-NATO,NATO,intergovernmental_org,,ACT-RUTTE-MARK,",
                 [E("actors", 3, "parent_actor_id", "actor-parent-cycle")], id="actor-parent-cycle"),
    pytest.param("actors", "ACT-UKR,Ukraine,state,UKR,,", "ACT-UKR,Ukraine,state,UKR,ACT-UKR,",
                 [E("actors", 10, "parent_actor_id", "actor-parent-cycle")], id="actor-parent-cycle-self-parent"),
    # A reversed range is also not the one day that precision 'day' means: two findings, both true.
    pytest.param("events", "2024-10-28,2024-10-28,day", "2024-10-28,2024-10-27,day",
                 [E("events", 3, "date_end", "event-date-order"), E("events", 3, "date_precision", "event-date-precision")],
                 id="event-date-order"),
    pytest.param("events", "2024-08-01,2024-08-31,month", "2024-08-01,2024-08-30,month",
                 [E("events", 2, "date_precision", "event-date-precision")], id="event-date-precision-month-not-whole"),
    pytest.param("events", "Kursk,,,admin1,reported", "Kursk,51.7,,admin1,reported",
                 [E("events", 2, "longitude", "event-coordinates")], id="event-coordinates-latitude-without-longitude"),
    # Infinity is also above the maximum, so both checks report it.
    pytest.param("events", "Kursk,,,admin1,reported", "Kursk,51.7,inf,admin1,reported",
                 [E("events", 2, "longitude", "maximum"), E("events", 2, "longitude", "number-finite")],
                 id="number-finite-infinity"),
    pytest.param("event_sources", f"EVT-0003,SRC-0001,{QUOTE_EVT_0003},paragraph 3,\n", "",
                 [E("events", 4, "event_id", "event-has-source")], id="event-has-source"),
    pytest.param("event_actors", "EVT-0001,ACT-UKR-AF,initiator,known\n", "",
                 [E("events", 2, "event_id", "event-has-actor")], id="event-has-actor"),
    # Every qualifier needs some value, so a claim without any also breaks its qualifier.
    pytest.param("casualty_claims", "600000,,,more_than", ",,,more_than",
                 [E("casualty_claims", 2, "value_best", "claim-value-present"),
                  E("casualty_claims", 2, "qualifier", "claim-qualifier")], id="claim-value-present"),
    pytest.param("casualty_claims", "600000,,,more_than", "600000,500000,,more_than",
                 [E("casualty_claims", 2, "value_best", "claim-value-order")], id="claim-value-order"),
    pytest.param("casualty_claims", "600000,,,more_than", ",600000,,more_than",
                 [E("casualty_claims", 2, "qualifier", "claim-qualifier")], id="claim-qualifier-more-than-without-low"),
    pytest.param("casualty_claims", "2022-02-24,2024-10-28,2024-10-28,,,SRC-0001", "2024-10-29,2024-10-28,2024-10-28,,,SRC-0001",
                 [E("casualty_claims", 2, "period_start", "claim-period-order")], id="claim-period-order-start-after-end"),
    pytest.param("casualty_claims", "2022-02-24,2024-10-28,2024-10-28,,,SRC-0001", "2022-02-24,2024-10-28,2024-10-27,,,SRC-0001",
                 [E("casualty_claims", 2, "statement_date", "claim-period-order")], id="claim-period-order-end-after-statement"),
    pytest.param("casualty_claims", f",SRC-0001,{QUOTE_CLM_0001},", ",SRC-0001,,",
                 [E("casualty_claims", 2, "quote", "quote-required")], id="quote-required-claim"),
    pytest.param("stances", "Putin did not deny their presence on Thursday.,", ",",
                 [E("stances", 4, "quote", "quote-required")], id="quote-required-stance"),
    pytest.param("event_sources", f"EVT-0002,SRC-0001,{QUOTE_EVT_0002},", "EVT-0002,SRC-0001,,",
                 [E("event_sources", 3, "quote", "quote-required")], id="quote-required-event-source"),
    pytest.param("stances", "STN-0003,ACT-PUTIN-VLADIMIR,,EVT-0002,,", "STN-0003,ACT-PUTIN-VLADIMIR,,EVT-0002,CLM-0001,",
                 [E("stances", 4, "event_id", "stance-target")], id="stance-target-both-set"),
    pytest.param("stances", "STN-0003,ACT-PUTIN-VLADIMIR,,EVT-0002,,", "STN-0003,ACT-PUTIN-VLADIMIR,,,,",
                 [E("stances", 4, "event_id", "stance-target")], id="stance-target-both-empty"),
    # Two days after the clock (TODAY, 2026-11-25): past the day of slack for time zones.
    pytest.param("stances", ",does_not_deny,2024-10-24,", ",does_not_deny,2026-11-27,",
                 [E("stances", 4, "stance_date", "future-date")], id="future-date"),
    pytest.param("stances", "Putin did not deny their presence on Thursday.", "Putin did not deny their presence on Friday.",
                 [E("stances", 4, "quote", "quote-in-snapshot")], id="quote-in-snapshot"),
]


@pytest.mark.parametrize(("table", "old", "new", "expected"), CELL_EDITS)
def test_one_broken_cell_gives_exactly_its_finding(pkg: Path, table: str, old: str, new: str, expected: list[dict]) -> None:
    replace_once(pkg / f"data/{table}.csv", old, new)
    assert_report(pkg, expected)


def test_enum_suggests_the_nearest_allowed_value(pkg: Path) -> None:
    replace_once(pkg / "data/stances.csv", ",confirms,", ",confirm,")
    finding = only(assert_report(pkg, [E("stances", 2, "stance", "enum")]), "enum")
    assert finding.value == "confirm"
    assert "did you mean 'confirms'?" in finding.message


def test_min_length_is_reported_for_a_present_but_too_short_value(pkg: Path) -> None:
    # Every minLength of the bundled schemas is 1 on a required field, where an empty cell is
    # `required`; a longer limit in the copy's schema is the only way to see this check fire.
    replace_once(pkg / "schema/actors.json", '"minLength": 1', '"minLength": 5')
    assert_report(pkg, [E("actors", 3, "name", "min-length")])  # 'NATO'


def test_claim_from_a_source_without_snapshot_needs_no_quote(pkg: Path) -> None:
    replace_once(pkg / "data/casualty_claims.csv", f",SRC-0001,{QUOTE_CLM_0001},", ",SRC-0002,,")
    assert_report(pkg, [], exit_code=0)


def test_rows_citing_a_source_without_snapshot_need_no_quote_in_any_table(pkg: Path) -> None:
    # SRC-TEST has no snapshot: a news page the project holds no copy of (sorted last: canonical).
    with open(pkg / "data/sources.csv", "a", encoding="utf-8") as fh:
        fh.write("SRC-TEST,[test] page,Publisher,,https://example.org/a,2024-11-01,,en,news_report,C,,,,\n")
    replace_once(pkg / "data/casualty_claims.csv", f",SRC-0001,{QUOTE_CLM_0001},", ",SRC-TEST,,")
    replace_once(pkg / "data/stances.csv", ",SRC-0001,Putin did not deny their presence on Thursday.,", ",SRC-TEST,,")
    replace_once(pkg / "data/event_sources.csv", f"EVT-0002,SRC-0001,{QUOTE_EVT_0002},", "EVT-0002,SRC-TEST,,")
    assert_report(pkg, [], exit_code=0)


def test_quote_matches_its_snapshot_despite_whitespace_and_straight_quotes(pkg: Path) -> None:
    replace_once(pkg / "data/stances.csv", "Putin did not deny their presence", "Putin  did not deny their\u00a0presence")
    # as“fake news,” written with straight quotes (doubled inside a quoted CSV cell)
    replace_once(pkg / "data/stances.csv", 'as\u201cfake news,\u201d"', 'as""fake news,"""')
    assert_report(pkg, [], exit_code=0)


def test_a_date_within_the_day_of_time_zone_slack_is_not_in_the_future(pkg: Path) -> None:
    replace_once(pkg / "data/stances.csv", ",does_not_deny,2024-10-24,", ",does_not_deny,2026-11-26,")
    assert_report(pkg, [], exit_code=0)


def test_future_date_judges_by_the_clock_not_by_created(pkg: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import datetime as dt

    # Three days after `created` (2026-11-25), a stance dated yesterday is no error...
    monkeypatch.setattr(rules.clock, "today", lambda: dt.date(2026, 11, 28))
    replace_once(pkg / "data/stances.csv", ",does_not_deny,2024-10-24,", ",does_not_deny,2026-11-27,")
    assert_report(pkg, [], exit_code=0)
    # ...and one dated two days ahead of the clock is, whatever `created` says.
    replace_once(pkg / "data/stances.csv", ",does_not_deny,2026-11-27,", ",does_not_deny,2026-11-30,")
    [finding] = assert_report(pkg, [E("stances", 4, "stance_date", "future-date")])
    assert finding.message.startswith("2026-11-30 is after today (2026-11-28, UTC")


def test_the_clock_can_be_set_for_a_subprocess(monkeypatch: pytest.MonkeyPatch) -> None:
    import datetime as dt

    monkeypatch.setenv("CONFLICTDATA_TODAY", "2031-02-03")
    assert rules.clock.today() == dt.date(2031, 2, 3)
    monkeypatch.setenv("CONFLICTDATA_TODAY", "tomorrow")
    with pytest.raises(UnusableInputError, match="CONFLICTDATA_TODAY='tomorrow' is not a date"):
        rules.clock.today()


# --- snapshots ----------------------------------------------------------------------------------

HASH_SRC_0001 = "9f635a7d9a4da58d2ec5536d70e7336a0745a77155502bdcb08b0bd1b1fce4dc"


def test_changed_snapshot_fails_its_hash(pkg: Path) -> None:
    # An appended line changes the hash but no quote.
    with (pkg / "data/snapshots/SRC-0001.txt").open("ab") as f:
        f.write(b"One more line.\n")
    assert_report(pkg, [E("sources", 2, "snapshot_sha256", "snapshot-hash")])


def test_snapshot_without_its_hash(pkg: Path) -> None:
    replace_once(pkg / "data/sources.csv", f",{HASH_SRC_0001},", ",,")
    findings = assert_report(pkg, [E("sources", 2, "snapshot_sha256", "snapshot-hash-required")])
    assert HASH_SRC_0001 in only(findings, "snapshot-hash-required").message  # the hash to record


def test_hash_without_a_snapshot(pkg: Path) -> None:
    replace_once(pkg / "data/sources.csv", ",ODC-PDDL-1.0,,,", f",ODC-PDDL-1.0,,{HASH_SRC_0001},")
    assert_report(pkg, [E("sources", 3, "snapshot", "snapshot-hash-required")])


def test_snapshot_file_missing(pkg: Path) -> None:
    (pkg / "data/snapshots/SRC-0001.txt").unlink()
    assert_report(pkg, [E("sources", 2, "snapshot", "snapshot-missing")])


# --- cumulative series --------------------------------------------------------------------------

def add_second_rutte_claim(pkg: Path, value: str, supersedes: str = "") -> None:
    """Add CLM-0002 (line 3, in key order): CLM-0001's series (claimant, subject, measure, cumulative), four days later."""
    path = pkg / "data/casualty_claims.csv"
    with path.open(encoding="utf-8", newline="") as f:
        rows = list(csv.reader(f))
    header, first = rows[:2]
    row = dict(zip(header, first)) | {
        "claim_id": "CLM-0002", "value_low": "", "value_best": value, "value_high": "", "qualifier": "approximately",
        "value_text": f"about {value}", "period_end": "2024-11-01", "statement_date": "2024-11-01",
        "supersedes_claim_id": supersedes,
    }
    with path.open("w", encoding="utf-8", newline="") as f:
        csv.writer(f, lineterminator="\n").writerows([header, first, [row[c] for c in header], *rows[2:]])


def test_cumulative_figure_that_falls_is_a_warning(pkg: Path) -> None:
    add_second_rutte_claim(pkg, "500000")
    findings = assert_warnings_only(pkg, [W("casualty_claims", 3, "value_best", "cumulative-decrease")])
    finding = only(findings, "cumulative-decrease")
    assert "CLM-0001" in finding.message and "CLM-0002" in finding.message


def test_cumulative_figure_that_falls_is_accepted_when_it_supersedes_the_earlier_claim(pkg: Path) -> None:
    add_second_rutte_claim(pkg, "500000", supersedes="CLM-0001")
    assert_report(pkg, [], exit_code=0)


def test_cumulative_figure_that_rises_is_clean(pkg: Path) -> None:
    add_second_rutte_claim(pkg, "700000")
    assert_report(pkg, [], exit_code=0)


# --- the CSV files themselves -------------------------------------------------------------------


def test_crlf_line_endings_are_non_canonical(pkg: Path) -> None:
    path = pkg / "data/event_actors.csv"
    path.write_bytes(path.read_bytes().replace(b"\n", b"\r\n"))
    assert_warnings_only(pkg, [W("event_actors", 1, None, "non-canonical")])


def test_rows_out_of_key_order_are_non_canonical(pkg: Path) -> None:
    replace_once(pkg / "data/event_actors.csv",
                 "EVT-0002,ACT-PRK-AF,deployed_force,known\nEVT-0002,ACT-RUS,host,known\n",
                 "EVT-0002,ACT-RUS,host,known\nEVT-0002,ACT-PRK-AF,deployed_force,known\n")
    assert_warnings_only(pkg, [W("event_actors", 3, None, "non-canonical")])  # the first line fmt changes


def test_columns_out_of_schema_order(pkg: Path) -> None:
    rewrite_lines(pkg / "data/event_actors.csv", lambda n, c: [c[0], c[1], c[3], c[2]])
    # fmt would reorder them, so the file is not canonical either.
    assert_warnings_only(pkg, [W("event_actors", 1, None, "column-order"), W("event_actors", 1, None, "non-canonical")])


def test_missing_column(pkg: Path) -> None:
    rewrite_lines(pkg / "data/event_actors.csv", lambda n, c: c[:3])
    # Cells of an absent column are not also reported as required.
    assert_report(pkg, [E("event_actors", 1, "certainty", "missing-column")])


def test_extra_column(pkg: Path) -> None:
    rewrite_lines(pkg / "data/event_actors.csv", lambda n, c: c + ["note" if n == 1 else ""])
    assert_report(pkg, [E("event_actors", 1, "note", "extra-column")])


def test_duplicate_column(pkg: Path) -> None:
    rewrite_lines(pkg / "data/event_actors.csv", lambda n, c: c + [c[2]])  # `role` again, last
    assert_report(pkg, [E("event_actors", 1, "role", "duplicate-column")])


def test_extra_cell(pkg: Path) -> None:
    replace_once(pkg / "data/event_actors.csv", "EVT-0002,ACT-RUS,host,known\n", "EVT-0002,ACT-RUS,host,known,extra\n")
    assert_report(pkg, [E("event_actors", 4, None, "extra-cell")])


def test_missing_cell(pkg: Path) -> None:
    path = pkg / "data/event_sources.csv"
    data = path.read_bytes()
    assert data.endswith(b",paragraph 3,\n")
    path.write_bytes(data[: -len(b",paragraph 3,\n")] + b"\n")  # the last record loses its locator and cited_sources cells
    # fmt writes the padded (empty) cell back, so the line is not canonical either.
    assert_report(pkg, [E("event_sources", 4, "locator", "missing-cell"), W("event_sources", 4, None, "non-canonical")])


def test_blank_row(pkg: Path) -> None:
    replace_once(pkg / "data/event_actors.csv", "EVT-0002,ACT-RUS,host,known\n", "EVT-0002,ACT-RUS,host,known\n\n")
    # fmt deletes it, so the file is not canonical from that line on; and, as frictionless does,
    # a blank row in a table with a primary key is also a primary-key error (an empty key).
    assert_report(pkg, [E("event_actors", 5, None, "blank-row"), E("event_actors", 5, None, "primary-key"),
                        W("event_actors", 5, None, "non-canonical")])


def test_unbalanced_quote_is_a_csv_syntax_error_at_the_start_of_the_record(pkg: Path) -> None:
    replace_once(pkg / "data/stances.csv", ",SRC-0001,Putin did not deny", ',SRC-0001,"Putin did not deny')
    findings = assert_report(pkg, [E("stances", 4, None, "csv-syntax")])
    assert "unbalanced double quote" in only(findings, "csv-syntax").message
    result = cli(pkg)
    # The finding on stdout (one line, file:line first); the verdict on stderr.
    assert result.stdout.startswith("data/stances.csv:4: error [csv-syntax]")
    assert result.stderr.strip().splitlines()[-1].startswith("invalid: ")
    assert "Traceback" not in result.stderr + result.stdout


def test_invalid_utf8_byte(pkg: Path) -> None:
    replace_once(pkg / "data/actors.csv", b"ACT-UKR,Ukraine", b"ACT-UKR,Ukr\xffaine")
    findings = assert_report(pkg, [E("actors", 10, None, "encoding")])
    assert only(findings, "encoding").value == "ff"


def test_nul_byte(pkg: Path) -> None:
    replace_once(pkg / "data/actors.csv", b"ACT-UKR,Ukraine", b"ACT-UKR,Ukr\x00aine")
    assert_report(pkg, [E("actors", 10, None, "encoding")])


# --- found while writing these tests ---------------------------------------------------------


def test_number_finite_reports_nan(pkg: Path) -> None:
    replace_once(pkg / "data/events.csv", "Kursk,,,admin1,reported", "Kursk,NaN,NaN,admin1,reported")
    # NaN is a value that fails every comparison (frictionless reports the range constraints too).
    assert_report(pkg, [E("events", 2, col, rule) for col in ("latitude", "longitude") for rule in ("maximum", "minimum", "number-finite")])


def test_pattern_rejects_a_trailing_newline(pkg: Path) -> None:
    # A pattern must match the whole value: with '$' as the anchor, 'Q7184\n' passed ^Q[1-9][0-9]*$.
    replace_once(pkg / "data/actors.csv", ",Q7184,", ',"Q7184\n",')
    # fmt trims the newline, hence also the warning.
    assert_report(pkg, [E("actors", 3, "wikidata_qid", "pattern"), W("actors", 3, None, "non-canonical")])


def _retractions(pkg: Path, line: str) -> None:
    (pkg / "data/retractions.csv").write_text("table,record_id,retracted_date,reason,replaced_by_id\n" + line + "\n", encoding="utf-8")


def test_retracted_id_still_present(pkg: Path) -> None:
    _retractions(pkg, "stances,STN-0002,2026-11-20,duplicate,")
    assert_report(pkg, [E("retractions", 2, "record_id", "retraction-still-present")])


def test_retraction_names_an_id_of_another_table(pkg: Path) -> None:
    _retractions(pkg, "events,STN-0009,2026-11-20,wrong table,")
    assert_report(pkg, [E("retractions", 2, "record_id", "retraction-id-prefix")])


def test_retraction_replacement_must_exist(pkg: Path) -> None:
    _retractions(pkg, "stances,STN-0009,2026-11-20,merged,STN-0008")
    assert_report(pkg, [E("retractions", 2, "replaced_by_id", "retraction-replacement")])


def test_claim_without_subject_needs_an_event(pkg: Path) -> None:
    replace_once(pkg / "data/casualty_claims.csv", "ACT-RUTTE-MARK,ACT-NATO,ACT-RUS-AF,", "ACT-RUTTE-MARK,ACT-NATO,,")
    assert_report(pkg, [E("casualty_claims", 2, "subject_actor_id", "claim-subject")])


def test_claim_without_subject_is_fine_for_an_event_total(pkg: Path) -> None:
    replace_once(pkg / "data/casualty_claims.csv", "ACT-RUTTE-MARK,ACT-NATO,ACT-RUS-AF,", "ACT-RUTTE-MARK,ACT-NATO,,")
    replace_once(pkg / "data/casualty_claims.csv", ",2024-10-28,2024-10-28,,,SRC-0001,", ",2024-10-28,2024-10-28,,EVT-0002,SRC-0001,")
    assert_report(pkg, [], exit_code=0)


def test_range_precision_needs_several_days(pkg: Path) -> None:
    replace_once(pkg / "data/events.csv", "2024-10-28,2024-10-28,day,", "2024-10-28,2024-10-28,range,")
    assert_report(pkg, [E("events", 3, "date_precision", "event-date-precision")])


def test_range_precision_accepts_an_unaligned_span(pkg: Path) -> None:
    replace_once(pkg / "data/events.csv", "2024-08-01,2024-08-31,month,", "2024-08-03,2024-08-09,range,")
    assert_report(pkg, [], exit_code=0)


def test_two_actors_with_one_name_are_a_warning(pkg: Path) -> None:
    replace_once(pkg / "data/actors.csv", "ACT-RUS-AF,Russian armed forces,", "ACT-RUS-AF,Russia,")
    assert_warnings_only(pkg, [W("actors", 8, "name", "actor-same-name")])


def test_value_order_from_a_dataset_is_a_warning(pkg: Path) -> None:
    replace_once(pkg / "data/casualty_claims.csv", ",600000,,,more_than,", ",600000,,5,range,")
    assert_report(pkg, [E("casualty_claims", 2, "value_high", "claim-value-order")])
    replace_once(pkg / "data/casualty_claims.csv", ",SRC-0001,", ",SRC-0002,")  # SRC-0002 is a dataset
    assert_warnings_only(pkg, [W("casualty_claims", 2, "value_high", "claim-value-order")])


# --- every rule has a test ----------------------------------------------------------------------

# Each rule function registered in rules.RULES → each finding rule it emits → the test above that
# shows it: a test function's name, or the id of a CELL_EDITS case. The test below runs that case and
# fails unless the registered rule itself emitted that finding rule there.
COVERED = {
    "actor-parent-cycle": {"actor-parent-cycle": "actor-parent-cycle"},
    "event-date-order": {"event-date-order": "event-date-order"},
    "event-date-precision": {"event-date-precision": "test_range_precision_needs_several_days"},
    "event-coordinates": {"event-coordinates": "event-coordinates-latitude-without-longitude"},
    "number-finite": {"number-finite": "test_number_finite_reports_nan"},
    "event-has-source": {"event-has-source": "event-has-source"},
    "event-has-actor": {"event-has-actor": "event-has-actor"},
    "claim-values": {"claim-value-present": "claim-value-present", "claim-value-order": "claim-value-order",
                     "claim-qualifier": "claim-qualifier-more-than-without-low"},
    "claim-period-order": {"claim-period-order": "claim-period-order-start-after-end"},
    "quote-required": {"quote-required": "quote-required-claim"},
    "cumulative-decrease": {"cumulative-decrease": "test_cumulative_figure_that_falls_is_a_warning"},
    "stance-target": {"stance-target": "stance-target-both-set"},
    "future-date": {"future-date": "future-date"},
    "snapshot": {"snapshot-hash": "test_changed_snapshot_fails_its_hash", "snapshot-hash-required": "test_snapshot_without_its_hash",
                 "snapshot-missing": "test_snapshot_file_missing"},
    "quote-in-snapshot": {"quote-in-snapshot": "quote-in-snapshot"},
    "retraction": {"retraction-still-present": "test_retracted_id_still_present",
                   "retraction-id-prefix": "test_retraction_names_an_id_of_another_table",
                   "retraction-replacement": "test_retraction_replacement_must_exist"},
    "claim-subject": {"claim-subject": "test_claim_without_subject_needs_an_event"},
    "actor-same-name": {"actor-same-name": "test_two_actors_with_one_name_are_a_warning"},
}


def _run_listed_case(case: str, pkg: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Run the test `case` names (a test function here, or a CELL_EDITS id) on `pkg`."""
    import inspect

    cells = [p for p in CELL_EDITS if p.id == case]
    if cells:
        test_one_broken_cell_gives_exactly_its_finding(pkg, *cells[0].values)
        return
    fn = globals().get(case)
    assert case.startswith("test_") and callable(fn), f"{case!r} is neither a test in this file nor a CELL_EDITS id"
    given = {"pkg": pkg, "monkeypatch": monkeypatch}
    fn(**{name: given[name] for name in inspect.signature(fn).parameters})


@pytest.mark.parametrize("name", sorted(set(rules.RULES) | set(COVERED)))
def test_every_registered_rule_is_covered_here(name: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    assert name in rules.RULES, f"{name} is listed in COVERED but no rule of that name is registered"
    assert name in COVERED, f"rule {name} was added or renamed: add a test for it above and list it in COVERED"
    from pkgcopy import copy_package

    seen: set[tuple[str, str]] = set()

    def spy(rule_name: str, fn):  # the registered function, reporting what it emits
        def watched(*args):
            for finding in fn(*args):
                seen.add((rule_name, finding.rule))
                yield finding
        return watched

    for registered, fn in list(rules.RULES.items()):
        monkeypatch.setitem(rules.RULES, registered, spy(registered, fn))
    for emitted, case in COVERED[name].items():
        seen.clear()
        pkg = copy_package(tmp_path / emitted)
        monkeypatch.chdir(pkg)
        monkeypatch.setattr(rules.clock, "today", lambda: dt.date.fromisoformat(TODAY))
        _run_listed_case(case, pkg, monkeypatch)
        assert (name, emitted) in seen, f"{case} never makes rule {name} report {emitted}: list a test that does"
