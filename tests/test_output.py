"""Output that fits pipelines and people: findings on stdout in every format, SARIF and JUnit for CI,
help and errors that read as words, one finding for one stray delimiter, and quotes shown beside
the snapshot's closest passage."""

from __future__ import annotations

import json
import re
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from pathlib import Path

import pytest
import typer
from typer.testing import CliRunner

from conflictdata.cli import app
from conflictdata.contract.findings import Finding, Report
from conflictdata.outputs.render import junit, sarif
from conflictdata.contract.rulebook import RULEBOOK, describe
from conflictdata.versions.history import validate
from pkgcopy import REPO, copy_package, replace_once

SARIF_SCHEMA = Path(__file__).resolve().parent / "sarif/sarif-schema-2.1.0.json"
runner = CliRunner()


@pytest.fixture
def pkg(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The curated core, also the working directory, so findings name files as `data/<table>.csv`."""
    dst = copy_package(tmp_path / "pkg")
    monkeypatch.chdir(dst)
    return dst


def invoke(*args: str):
    result = runner.invoke(app, list(args))
    assert result.exception is None or isinstance(result.exception, SystemExit), repr(result.exception)
    return result


def where(findings) -> list[tuple]:
    return [(f.severity, f.file, f.line, f.column, f.rule) for f in findings]


@pytest.fixture
def broken(pkg: Path) -> Path:
    """One error (a negative count) and one warning (CRLF line endings) in the curated core."""
    replace_once(pkg / "data/casualty_claims.csv", ",600000,", ",-5,")
    path = pkg / "data/actors.csv"
    path.write_bytes(path.read_bytes().replace(b"\n", b"\r\n"))
    return pkg


# --- findings on stdout, the rest on stderr ------------------------------------------------------


def test_text_findings_are_lines_on_stdout_and_the_summary_and_verdict_on_stderr(broken: Path) -> None:
    out = invoke("validate", ".")
    assert out.exit_code == 1
    first, second = out.stdout.splitlines()
    assert first.startswith("data/actors.csv:1: warning [non-canonical]: ")
    assert second == "data/casualty_claims.csv:2: error [minimum] value_low: '-5' is below the minimum 0 (value: -5)"
    # `| grep -c warning` and `| grep -c error` count findings; nothing else is on stdout.
    assert [line for line in out.stdout.splitlines() if "warning" in line] == [first]
    assert "valid" not in out.stdout and "rows" not in out.stdout
    assert "casualty_claims" in out.stderr and "rows" in out.stderr
    assert out.stderr.strip().splitlines()[-1] == "invalid: datapackage.json (12 tables, 280 rows; 1 error, 1 warning)"


def test_a_finding_whose_value_spans_lines_is_still_one_line() -> None:
    from conflictdata.outputs.render import text_line

    f = Finding("error", "type", "not a valid integer", "events", "data/events.csv", 3, "latitude", "4\n5")
    assert text_line(f) == "data/events.csv:3: error [type] latitude: not a valid integer (value: 4\\n5)"


def test_max_findings_cuts_stdout_and_says_so_on_stderr(broken: Path) -> None:
    out = invoke("validate", ".", "--max-findings", "1")
    assert len(out.stdout.splitlines()) == 1
    assert "… and 1 more (raise --max-findings)" in out.stderr


# --- SARIF ---------------------------------------------------------------------------------------


def test_sarif_validates_against_the_sarif_2_1_0_schema_and_has_one_result_per_finding(broken: Path) -> None:
    import jsonschema

    out = invoke("validate", ".", "--format", "sarif")
    assert out.exit_code == 1
    log = json.loads(out.stdout)
    jsonschema.Draft4Validator(json.loads(SARIF_SCHEMA.read_text(encoding="utf-8"))).validate(log)
    [run] = log["runs"]
    results = [(r["ruleId"], r["level"], r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"],
                r["locations"][0]["physicalLocation"]["region"]["startLine"]) for r in run["results"]]
    assert results == [("non-canonical", "warning", "data/actors.csv", 1), ("minimum", "error", "data/casualty_claims.csv", 2)]
    minimum = run["results"][1]
    assert minimum["message"]["text"].startswith("casualty_claims.value_low: '-5' is below the minimum 0")
    assert minimum["locations"][0]["physicalLocation"]["artifactLocation"]["uriBaseId"] == "%SRCROOT%"
    assert run["originalUriBaseIds"]["%SRCROOT%"]["uri"] == broken.resolve().as_uri() + "/"
    rules = {r["id"]: r for r in run["tool"]["driver"]["rules"]}
    assert set(rules) == {"non-canonical", "minimum"}
    assert rules["minimum"]["shortDescription"]["text"] == describe("minimum").summary
    assert describe("minimum").fix in rules["minimum"]["help"]["text"]
    assert [run["tool"]["driver"]["rules"][r["ruleIndex"]]["id"] for r in run["results"]] == ["non-canonical", "minimum"]
    assert out.stderr.strip().splitlines()[-1].startswith("invalid: ")


def test_sarif_paths_are_relative_to_the_repository_holding_the_package(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import subprocess

    repo = tmp_path / "repo"
    pkg = copy_package(repo / "datasets" / "mine")
    subprocess.run(["git", "init", "-q", str(repo)], check=True)
    replace_once(pkg / "data/casualty_claims.csv", ",600000,", ",-5,")
    monkeypatch.chdir(tmp_path)
    log = sarif(validate(pkg))
    [result] = log["runs"][0]["results"]
    assert result["locations"][0]["physicalLocation"]["artifactLocation"] == {"uri": "datasets/mine/data/casualty_claims.csv", "uriBaseId": "%SRCROOT%"}
    assert log["runs"][0]["originalUriBaseIds"]["%SRCROOT%"]["uri"] == repo.resolve().as_uri() + "/"


@dataclass(frozen=True, slots=True)
class _Acknowledged(Finding):
    acknowledged: bool = True


def _report(*findings: Finding, strict: bool = False) -> Report:
    return Report(package=str(REPO / "datapackage.json"), findings=list(findings), rows={"actors": 11, "events": 3}, strict=strict, root=str(REPO))


WARNING = Finding("warning", "actor-same-name", "same name", "actors", "data/actors.csv", 17, "name", "DPR")
ERROR = Finding("error", "enum", "not allowed", "events", "data/events.csv", 3, "event_type", "shelling")


def test_an_acknowledged_finding_is_a_suppressed_sarif_result() -> None:
    import jsonschema

    acknowledged = _Acknowledged(*[getattr(WARNING, f) for f in ("severity", "rule", "message", "table", "file", "line", "column", "value")])
    log = sarif(_report(acknowledged, ERROR))
    jsonschema.Draft4Validator(json.loads(SARIF_SCHEMA.read_text(encoding="utf-8"))).validate(log)
    first, second = log["runs"][0]["results"]
    assert first["suppressions"] == [{"kind": "external", "justification": "acknowledged in the package's acknowledgements table"}]
    assert "suppressions" not in second


def test_a_finding_about_no_file_points_at_the_descriptor() -> None:
    vanished = Finding("error", "id-vanished", "EVT-0009 is missing here", "events")
    [result] = sarif(_report(vanished))["runs"][0]["results"]
    assert result["locations"] == [{"physicalLocation": {"artifactLocation": {"uri": "datapackage.json", "uriBaseId": "%SRCROOT%"}}}]


# --- JUnit ---------------------------------------------------------------------------------------


def _cases(xml: str) -> dict[str, list[tuple[str, bool]]]:
    root = ET.fromstring(xml)
    return {s.get("name"): [(c.get("name"), c.find("failure") is not None) for c in s] for s in root}


def test_junit_has_a_suite_per_table_and_fails_on_errors_only() -> None:
    xml = junit(_report(WARNING, ERROR))
    assert _cases(xml) == {
        "actors": [("[actor-same-name] data/actors.csv:17 name", False)],
        "events": [("[enum] data/events.csv:3 event_type", True)],
    }
    root = ET.fromstring(xml)
    assert (root.get("tests"), root.get("failures")) == ("2", "1")
    failure = root.find("testsuite[@name='events']/testcase/failure")
    assert failure.get("type") == "enum" and failure.text == "data/events.csv:3: error [enum] event_type: not allowed (value: shelling)"
    assert ET.fromstring(junit(_report(Finding("error", "id-vanished", "gone", "events")))).find("testsuite[@name='events']/testcase").get("name").startswith("[id-vanished] ")


def test_junit_fails_on_warnings_under_strict_but_never_on_acknowledged_ones() -> None:
    assert _cases(junit(_report(WARNING, strict=True)))["actors"] == [("[actor-same-name] data/actors.csv:17 name", True)]
    acknowledged = _Acknowledged(*[getattr(WARNING, f) for f in ("severity", "rule", "message", "table", "file", "line", "column", "value")])
    assert _cases(junit(_report(acknowledged, strict=True)))["actors"] == [("[actor-same-name] data/actors.csv:17 name", False)]
    assert _cases(junit(_report(strict=True))) == {"actors": [("valid", False)], "events": [("valid", False)]}


def test_junit_from_the_command_is_well_formed_xml(broken: Path) -> None:
    out = invoke("validate", ".", "--format", "junit")
    assert out.exit_code == 1
    cases = _cases(out.stdout)
    assert cases["casualty_claims"] == [("[minimum] data/casualty_claims.csv:2 value_low", True)]
    assert cases["actors"] == [("[non-canonical] data/actors.csv:1", False)]
    assert cases["events"] == [("valid", False)]


# --- the rule catalogue --------------------------------------------------------------------------


def _readme_rules() -> set[str]:
    text = (REPO / "README.md").read_text(encoding="utf-8")
    section = text[text.index("Rules, by name:"):]
    section = section[: section.index("\n\n", section.index("- with `--against"))]
    return set(re.findall(r"`([a-z0-9-]+)`", section)) - {"conflictdata"}


def test_the_rule_catalogue_describes_exactly_the_rules_the_readme_lists() -> None:
    assert _readme_rules() == set(RULEBOOK)
    for info in RULEBOOK.values():
        assert info.summary.endswith(".") and info.fix.endswith(".") and info.group


def test_every_rule_a_data_model_check_emits_is_in_the_catalogue() -> None:
    source = "".join(p.read_text(encoding="utf-8") for p in sorted((REPO / "src/conflictdata/checking/rules").glob("*.py")))
    emitted = set(re.findall(r'\.finding\([^"]*"[a-z_]+", "([a-z-]+)"', source))
    assert emitted and emitted <= set(RULEBOOK), emitted - set(RULEBOOK)


# --- help, metavars, choice errors ---------------------------------------------------------------


def _commands() -> list[list[str]]:
    group = typer.main.get_command(app)
    out: list[list[str]] = []

    def walk(cmd, path: list[str]) -> None:
        for name, sub in getattr(cmd, "commands", {}).items():
            out.append(path + [name])
            walk(sub, path + [name])

    walk(group, [])
    return out


@pytest.mark.parametrize("command", _commands(), ids=" ".join)
def test_every_command_has_h_and_help_whose_arguments_read_as_words(command: list[str]) -> None:
    short = invoke(*command, "-h")
    assert short.exit_code == 0, short.output
    assert short.stdout == invoke(*command, "--help").stdout
    usage = short.stdout.splitlines()[0]
    assert usage.startswith(f"Usage: conflictdata {' '.join(command)} ")
    assert "{" not in usage
    assert not re.search(r"<(bool|int|str|path|text|float|int range)>", short.stdout), short.stdout
    assert "INTEGER" not in short.stdout and "TEXT" not in short.stdout


def test_arguments_and_options_are_named_in_capitals() -> None:
    assert invoke("diff", "-h").stdout.splitlines()[0] == "Usage: conflictdata diff [OPTIONS] OLD [NEW]"
    help_text = invoke("validate", "-h").stdout
    assert "--max-findings N " in help_text and "--against OLD " in help_text
    assert "-f, --format text|json|github|sarif|junit" in help_text


def test_a_wrong_choice_names_the_choices_and_exits_2() -> None:
    out = invoke("validate", ".", "--format", "xml")
    assert out.exit_code == 2
    assert "'xml' is not a format; choose text, json, github, sarif, junit" in out.stderr
    assert "Traceback" not in out.output
    assert "'xml' is not a format; choose text, json, github" in invoke("bump", ".", "-f", "xml").stderr


# --- --format github from every command that accepts it -----------------------------------------


def test_build_with_format_github_prints_a_notice(pkg: Path, tmp_path: Path) -> None:
    out = invoke("build", ".", "--out", str(tmp_path / "build"), "--format", "github")
    assert out.exit_code == 0, out.output
    assert out.stdout.startswith(f"::notice title=build::built {tmp_path / 'build'} (version ")


def test_build_of_invalid_data_with_format_github_annotates_the_findings(broken: Path, tmp_path: Path) -> None:
    out = invoke("build", ".", "--out", str(tmp_path / "build"), "--format", "github")
    assert out.exit_code == 1
    assert "::error file=data/casualty_claims.csv,line=2,title=minimum value_low::'-5' is below the minimum 0" in out.stdout


def test_bump_and_release_with_format_github_print_annotations(pkg: Path, tmp_path: Path) -> None:
    bump = invoke("bump", ".", "--format", "github")
    assert re.match(r"::(notice|error) title=bump::", bump.stdout), bump.output
    refused = invoke("release", ".", "--against", str(tmp_path / "nowhere"), "--format", "github", "--out", str(tmp_path / "dist"))
    assert refused.exit_code in (1, 2)
    assert refused.stdout.startswith("::error title=release::"), refused.output


def test_an_import_with_format_github_prints_its_counts_as_notices(tmp_path: Path) -> None:
    from test_import_genstaff import curated_copy, write_fixture

    pkg = curated_copy(tmp_path / "pkg")
    upstream = write_fixture(tmp_path / "upstream")
    out = invoke("import", "genstaff", str(upstream), "--package", str(pkg), "--dry-run", "--format", "github")
    assert out.exit_code == 0, out.output
    lines = out.stdout.splitlines()
    assert "::notice title=import::casualty_claims: 8 added, 0 changed, 0 removed, 0 unchanged" in lines
    assert lines[-1].startswith("::notice title=import::would write ")
    assert all(line.startswith("::") for line in lines)


def test_import_with_format_github_prints_annotations(pkg: Path, tmp_path: Path) -> None:
    bad = tmp_path / "russia_losses_personnel.json"
    bad.write_text("not json", encoding="utf-8")
    out = invoke("import", "genstaff", str(bad), "--dry-run", "--format", "github")
    assert out.exit_code in (1, 2)
    assert out.stdout.startswith("::error title=import::"), out.output


# --- one stray delimiter, one finding ------------------------------------------------------------


def test_an_unquoted_comma_in_a_curated_summary_is_one_finding_at_its_line(pkg: Path) -> None:
    # EVT-0001's summary, as curated, with a comma typed in and not quoted.
    replace_once(pkg / "data/events.csv", "large-scale offensive in Kursk in August 2024.", "large-scale offensive in Kursk, in August 2024.")
    [f] = validate(pkg).findings
    assert (f.severity, f.file, f.line, f.column, f.rule) == ("error", "data/events.csv", 2, "summary", "unquoted-delimiter")
    assert f.message == "unquoted comma in column summary; quote the cell"
    assert f.value.startswith("Ukrainian forces launched a large-scale offensive in Kursk, in August 2024.")


def test_a_stray_comma_in_a_title_is_told_from_one_in_the_summary_after_it(pkg: Path) -> None:
    replace_once(pkg / "data/events.csv", "EVT-0001,Ukrainian offensive into Kursk,", "EVT-0001,Ukrainian offensive, into Kursk,")
    assert where(validate(pkg).findings) == [("error", "data/events.csv", 2, "title", "unquoted-delimiter")]


def test_a_cell_appended_after_the_last_column_stays_an_extra_cell(pkg: Path) -> None:
    replace_once(pkg / "data/event_actors.csv", "EVT-0002,ACT-RUS,host,known\n", "EVT-0002,ACT-RUS,host,known,extra\n")
    assert where(validate(pkg).findings) == [("error", "data/event_actors.csv", 4, None, "extra-cell")]


def test_a_semicolon_separated_file_is_said_once_at_its_header(pkg: Path) -> None:
    path = pkg / "data/event_actors.csv"
    path.write_bytes(path.read_bytes().replace(b",", b";"))
    [f] = validate(pkg).findings
    assert (f.file, f.line, f.column, f.rule) == ("data/event_actors.csv", 1, None, "wrong-delimiter")
    assert f.message.startswith("looks ;-separated: save as CSV with commas, or set the dialect")


def test_a_tab_separated_file_is_said_once_too(pkg: Path) -> None:
    path = pkg / "data/stances.csv"
    text = path.read_text(encoding="utf-8")
    assert '"' not in text.splitlines()[0]
    import csv
    import io

    rows = list(csv.reader(io.StringIO(text)))
    buf = io.StringIO()
    csv.writer(buf, delimiter="\t", lineterminator="\n").writerows(rows)
    path.write_text(buf.getvalue(), encoding="utf-8")
    assert [(f.line, f.rule, f.message[:20]) for f in validate(pkg).findings] == [(1, "wrong-delimiter", "looks tab-separated:")]


def test_a_large_file_with_another_delimiter_is_not_streamed(tmp_path: Path) -> None:
    from conflictdata.reading.csvfile import NotStreamable, iter_chunks

    path = tmp_path / "t.csv"
    path.write_text("a;b;c\n" + "1;2;3\n" * 10, encoding="utf-8")
    with pytest.raises(NotStreamable):
        list(iter_chunks(path, names=["a", "b", "c"]))
    assert len(list(iter_chunks(path, names=["a;b;c"]))) == 1


# --- quote-in-snapshot shows the closest passage -------------------------------------------------


def test_a_quote_one_word_off_shows_the_snapshot_passage_and_where_they_part(pkg: Path) -> None:
    replace_once(pkg / "data/casualty_claims.csv", "over 600,000 Russian troops have been killed", "over 600,000 Russian soldiers have been killed")
    [f] = validate(pkg).findings
    assert (f.file, f.line, f.column, f.rule) == ("data/casualty_claims.csv", 2, "quote", "quote-in-snapshot")
    assert ('closest passage: "Rutte claimed that over 600,000 Russian troops have been killed or wounded in the war, '
            'stating that without external support, Putin cannot continue his aggression in Ukraine."') in f.message
    assert "they first differ at character 41 of the quote" in f.message
    assert 'the quote has "…med that over 600,000 Russian soldiers have been killed or w…"' in f.message
    assert 'the snapshot "…med that over 600,000 Russian troops have been killed or wou…"' in f.message
