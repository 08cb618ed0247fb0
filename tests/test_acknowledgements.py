"""Acknowledged findings (data/acknowledgements.csv), --select and --ignore.

Each test works on a copy of the curated core (whose acknowledgements table is then empty: the
shipped rows all name imported records), plants one warning or error, writes the acknowledgements
it needs, and asserts the whole report: every finding, which are acknowledged, and the exit code.
"""

from __future__ import annotations

import ast
import json
import re
from pathlib import Path

import pytest
from typer.testing import CliRunner, Result

from conflictdata.cli import app
from conflictdata.versions.diff import diff_packages
from conflictdata.contract.package import open_package
from conflictdata.contract.rulebook import KNOWN_RULES
from conflictdata.versions.history import validate
from pkgcopy import REPO, copy_package, replace_once

HEADER = "rule,table,record_id,column,reason,acknowledged_date\n"
REASON = "kept as the source published it"
# (severity, file, line, column, rule, acknowledged)
Key = tuple[str, str, int | None, str | None, str, bool]


@pytest.fixture
def pkg(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    dst = copy_package(tmp_path / "pkg")
    monkeypatch.chdir(dst)
    assert (dst / "data/acknowledgements.csv").read_text(encoding="utf-8") == HEADER
    return dst


def acknowledge(pkg: Path, *rows: str) -> None:
    """Write the acknowledgements table: each row given as `rule,table,record_id,column`."""
    text = HEADER + "".join(f"{row},{REASON},2026-11-30\n" for row in rows)
    (pkg / "data/acknowledgements.csv").write_text(text, encoding="utf-8")


def claim_value_order_warning(pkg: Path) -> None:
    """CLM-0001's bounds out of order, with a dataset as its source: a warning (line 2, value_high)."""
    replace_once(pkg / "data/casualty_claims.csv", ",600000,,,more_than,", ",600000,,5,range,")
    replace_once(pkg / "data/casualty_claims.csv", ",SRC-0001,", ",SRC-0002,")


def cli(pkg: Path, *options: str) -> Result:
    result = CliRunner().invoke(app, ["validate", str(pkg), *options])
    assert result.exception is None or isinstance(result.exception, SystemExit), repr(result.exception)
    return result


def report_of(pkg: Path, *options: str, exit_code: int) -> list[Key]:
    result = cli(pkg, "--format", "json", *options)
    assert result.exit_code == exit_code, result.output
    data = json.loads(result.stdout)
    return sorted(((f["severity"], f["file"], f["line"], f["column"], f["rule"], f.get("acknowledged", False)) for f in data["findings"]),
                  key=_order)


def _order(k: Key) -> tuple:
    return tuple("" if v is None else v for v in k)


def ordered(keys: list[Key]) -> list[Key]:
    return sorted(keys, key=_order)


W_CLAIM = ("warning", "data/casualty_claims.csv", 2, "value_high", "claim-value-order")


def test_an_acknowledged_warning_does_not_fail_strict_and_is_counted(pkg: Path) -> None:
    claim_value_order_warning(pkg)
    assert report_of(pkg, "--strict", exit_code=1) == [(*W_CLAIM, False)]
    acknowledge(pkg, "claim-value-order,casualty_claims,CLM-0001,")
    assert report_of(pkg, "--strict", exit_code=0) == [(*W_CLAIM, True)]
    report = validate(pkg, strict=True)
    assert report.warnings == [] and len(report.acknowledged) == 1 and report.valid
    assert report.to_dict()["acknowledged"] == 1 and report.to_dict()["warnings"] == 0
    text = cli(pkg, "--strict")
    assert "0 errors, 0 warnings, 1 acknowledged" in text.output and "[claim-value-order]" not in text.output
    shown = cli(pkg, "--show-acknowledged")
    assert "data/casualty_claims.csv:2: acknowledged warning [claim-value-order] value_high" in shown.output
    github = cli(pkg, "--format", "github", "--strict")
    assert github.exit_code == 0 and "::" not in github.stdout


def test_an_acknowledgement_of_another_column_leaves_the_warning_and_is_stale(pkg: Path) -> None:
    claim_value_order_warning(pkg)
    acknowledge(pkg, "claim-value-order,casualty_claims,CLM-0001,value_best")
    assert report_of(pkg, "--strict", exit_code=1) == ordered([
        (*W_CLAIM, False),
        ("warning", "data/acknowledgements.csv", 2, "record_id", "acknowledgement-stale", False)])
    acknowledge(pkg, "claim-value-order,casualty_claims,CLM-0001,value_high")
    assert report_of(pkg, "--strict", exit_code=0) == [(*W_CLAIM, True)]


def test_an_error_cannot_be_acknowledged(pkg: Path) -> None:
    # The same bounds out of order in a curated claim (a news report as source) are an error.
    replace_once(pkg / "data/casualty_claims.csv", ",600000,,,more_than,", ",600000,,5,range,")
    acknowledge(pkg, "claim-value-order,casualty_claims,CLM-0001,")
    assert report_of(pkg, exit_code=1) == ordered([
        ("error", "data/casualty_claims.csv", 2, "value_high", "claim-value-order", False),
        ("warning", "data/acknowledgements.csv", 2, "rule", "acknowledgement-of-error", False)])
    [finding] = [f for f in validate(pkg).findings if f.rule == "acknowledgement-of-error"]
    assert "errors cannot be acknowledged" in finding.message and "data/casualty_claims.csv:2" in finding.message


def test_a_stale_acknowledgement_is_a_warning_at_its_line(pkg: Path) -> None:
    acknowledge(pkg, "actor-same-name,actors,ACT-NATO,", "claim-value-order,casualty_claims,CLM-0001,")
    assert report_of(pkg, exit_code=0) == [
        ("warning", "data/acknowledgements.csv", 2, "record_id", "acknowledgement-stale", False),
        ("warning", "data/acknowledgements.csv", 3, "record_id", "acknowledgement-stale", False)]
    [finding, _] = validate(pkg).findings
    assert finding.value == "ACT-NATO" and "no finding of actor-same-name on actors ACT-NATO" in finding.message
    assert "delete this row" in finding.message
    assert cli(pkg, "--strict").exit_code == 1


def test_a_file_level_finding_is_acknowledged_by_rule_and_table(pkg: Path) -> None:
    # A cell quoted without need: `conflictdata fmt` would change the file (no record concerned).
    replace_once(pkg / "data/stances.csv", ",does_not_deny,", ',"does_not_deny",')
    noncanonical = ("warning", "data/stances.csv", 4, None, "non-canonical")
    assert report_of(pkg, exit_code=0) == [(*noncanonical, False)]
    acknowledge(pkg, "non-canonical,stances,STN-0003,")  # a record-level acknowledgement does not match it
    assert report_of(pkg, exit_code=0) == ordered([
        (*noncanonical, False), ("warning", "data/acknowledgements.csv", 2, "record_id", "acknowledgement-stale", False)])
    acknowledge(pkg, "non-canonical,stances,,")
    assert report_of(pkg, "--strict", exit_code=0) == [(*noncanonical, True)]


def test_the_acknowledgements_table_is_validated(pkg: Path) -> None:
    (pkg / "data/acknowledgements.csv").write_text(HEADER + "".join([  # in canonical order
        f"Claim Value Order,casualty_claims,CLM-0001,,{REASON},2026-11-30\n",  # not a rule's form
        f"actor-same-name,actors,ACT-NATO,,{REASON},2026-11-30\n",
        f"actor-same-name,actors,ACT-NATO,,{REASON},2026-11-30\n",   # the same again
        f"claim-value-ordr,casualty_claims,CLM-0001,,{REASON},2026-11-30\n",  # no such rule
        "cumulative-decrease,casualty_claims,CLM-0001,,,2026-11-30\n",  # no reason
        f"cumulative-decrease,claims,CLM-0001,,{REASON},\n",  # no such table, no date
    ]), encoding="utf-8")
    acks = "data/acknowledgements.csv"
    assert report_of(pkg, exit_code=1) == ordered([
        ("error", acks, 2, "rule", "pattern", False),
        ("warning", acks, 3, "record_id", "acknowledgement-stale", False),
        ("error", acks, 4, "rule,table,record_id,column", "acknowledgement-duplicate", False),
        ("error", acks, 5, "rule", "acknowledgement-rule", False),
        ("error", acks, 6, "reason", "required", False),
        ("warning", acks, 6, "record_id", "acknowledgement-stale", False),
        ("error", acks, 7, "table", "enum", False),
        ("error", acks, 7, "acknowledged_date", "required", False),
    ])
    findings = {(f.line, f.rule): f for f in validate(pkg).findings}
    assert "the same acknowledgement as on line 3" in findings[(4, "acknowledgement-duplicate")].message
    assert "did you mean 'claim-value-order'?" in findings[(5, "acknowledgement-rule")].message


def test_an_acknowledgement_names_a_record_of_a_composite_key_even_when_read_in_chunks(
        pkg: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from conflictdata.reading import tables as tables_mod

    # An error, so the acknowledgement is reported as one of an error: proof that it matched.
    replace_once(pkg / "data/event_actors.csv", "EVT-0002,ACT-PRK-AF,deployed_force,known", "EVT-0002,ACT-PRK-AF,deployed_force,knwon")
    acknowledge(pkg, "enum,event_actors,\"EVT-0002,ACT-PRK-AF,deployed_force\",")
    expected = ordered([("error", "data/event_actors.csv", 3, "certainty", "enum", False),
                        ("warning", "data/acknowledgements.csv", 2, "rule", "acknowledgement-of-error", False)])
    assert report_of(pkg, exit_code=1) == expected
    monkeypatch.setattr(tables_mod, "STREAM_MIN_BYTES", 1)
    monkeypatch.setattr(tables_mod, "CHUNK_BYTES", 64)
    assert sorted(((f.severity, f.file, f.line, f.column, f.rule, f.acknowledged) for f in validate(pkg).findings), key=_order) == expected


def test_select_and_ignore_keep_the_findings_of_some_rules(pkg: Path) -> None:
    claim_value_order_warning(pkg)
    acknowledge(pkg, "actor-same-name,actors,ACT-NATO,")
    stale = ("warning", "data/acknowledgements.csv", 2, "record_id", "acknowledgement-stale", False)
    assert report_of(pkg, exit_code=0) == ordered([(*W_CLAIM, False), stale])
    assert report_of(pkg, "--select", "claim-value-order", exit_code=0) == [(*W_CLAIM, False)]
    assert report_of(pkg, "--select", "enum,acknowledgement-stale", exit_code=0) == [stale]
    assert report_of(pkg, "--ignore", "acknowledgement-stale", "--strict", exit_code=1) == [(*W_CLAIM, False)]
    assert report_of(pkg, "--ignore", "acknowledgement-stale", "--ignore", "claim-value-order", "--strict", exit_code=0) == []
    assert [f.rule for f in validate(pkg, select={"claim-value-order", "enum"}).findings] == ["claim-value-order"]
    assert [f.rule for f in validate(pkg, select="claim-value-order,enum").findings] == ["claim-value-order"]


def test_an_unknown_rule_name_exits_2_with_the_known_rules(pkg: Path) -> None:
    result = cli(pkg, "--select", "claim-value-ordr")
    assert result.exit_code == 2
    assert "--select: no rule named 'claim-value-ordr' (did you mean 'claim-value-order'?)" in result.output
    listed = result.output[result.output.index("the rules are: "):]
    assert all(rule in listed for rule in KNOWN_RULES)
    assert cli(pkg, "--ignore", "enum,nosuch").exit_code == 2


def test_fmt_orders_the_table_by_its_unique_key_and_diff_follows_its_rows(pkg: Path, tmp_path: Path) -> None:
    old = copy_package(tmp_path / "old")
    claim_value_order_warning(pkg)
    claim_value_order_warning(old)
    (pkg / "data/acknowledgements.csv").write_text(HEADER + "".join([
        f"non-canonical,stances,,,{REASON},2026-11-30\n",
        f"claim-value-order,casualty_claims,CLM-0001,,{REASON},2026-11-30\n",
    ]), encoding="utf-8")
    assert CliRunner().invoke(app, ["fmt", str(pkg)]).exit_code == 0
    lines = (pkg / "data/acknowledgements.csv").read_text(encoding="utf-8").splitlines()
    assert [line.split(",")[0] for line in lines[1:]] == ["claim-value-order", "non-canonical"]
    d = diff_packages(open_package(old), open_package(pkg))
    assert d.tables["acknowledgements"].added == ["claim-value-order|casualty_claims|CLM-0001|", "non-canonical|stances||"]
    assert d.required_bump == "minor"


# --- the shipped dataset ------------------------------------------------------------------------

def test_the_shipped_dataset_passes_strict_with_its_warnings_acknowledged(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(REPO)
    result = CliRunner().invoke(app, ["validate", ".", "--strict", "--format", "github"])
    assert result.exit_code == 0
    assert result.stdout == "" and "0 errors, 0 warnings, 23 acknowledged" in result.stderr


# --- every rule name is known -------------------------------------------------------------------

def _emitted_rules() -> set[str]:
    """The rule names passed to `Finding(...)` and `Table.finding(...)` anywhere in the package,
    and those of the generated column checks."""
    names: set[str] = set()
    for path in (REPO / "src/conflictdata").rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not isinstance(node, ast.Call):
                continue
            fn = node.func.attr if isinstance(node.func, ast.Attribute) else getattr(node.func, "id", "")
            args = [a.value for a in node.args if isinstance(a, ast.Constant) and isinstance(a.value, str)]
            if fn == "Finding" and len(args) >= 2:
                names.add(args[1])
            elif fn == "finding":
                names.update(a for a in args if re.fullmatch(r"[a-z0-9]+(-[a-z0-9]+)+|[a-z]+", a) and a not in ("rule", "name", "quote", "snapshot", "qualifier"))
            elif fn == "ColumnRule" and args:  # schema.column_rules: the generated column checks
                names.add(args[0])
            elif fn == "add" and len(node.args) >= 2 and isinstance(node.args[1], ast.Constant) and isinstance(node.args[1].value, str):
                names.add(node.args[1].value)
    return names


def test_every_rule_emitted_in_the_source_is_known() -> None:
    emitted = _emitted_rules()
    assert {"type", "enum", "claim-value-order", "acknowledgement-stale"} <= emitted  # the scan sees them
    assert emitted - set(KNOWN_RULES) == set(), "a rule was added: list it in rulebook.RULEBOOK (rulebook.py)"
    assert len(set(KNOWN_RULES)) == len(KNOWN_RULES)
