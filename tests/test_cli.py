"""The `conflictdata` command: output formats, exit codes, and clean failures on unusable input."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from pkgcopy import copy_package, replace_once

CLI = [sys.executable, "-m", "conflictdata.cli"]


def run(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    code = "import sys; from conflictdata.cli import main; sys.argv[0] = 'conflictdata'; main()"
    return subprocess.run([sys.executable, "-c", code, *args], capture_output=True, text=True, cwd=cwd, timeout=120)


@pytest.fixture
def pkg(tmp_path: Path) -> Path:
    return copy_package(tmp_path / "pkg")


def test_help_lists_commands_without_importing_pandas() -> None:
    code = (
        "import sys; from conflictdata.cli import app\n"
        "try:\n    app(['--help'])\nexcept SystemExit:\n    pass\n"
        "print('PANDAS' if 'pandas' in sys.modules else 'LIGHT', file=sys.stderr)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert "validate" in out.stdout and "fmt" in out.stdout
    assert out.stderr.strip().endswith("LIGHT")


def test_version_prints_the_package_version() -> None:
    import conflictdata

    out = run("--version")
    assert out.returncode == 0
    assert out.stdout.strip() == f"conflictdata {conflictdata.__version__}"


def test_bundled_dataset_validates_with_a_summary_table(tmp_path: Path) -> None:
    # No datapackage.json in the folder or above: the bundled dataset, and a line saying so.
    import conflictdata

    out = run("validate", cwd=tmp_path)
    assert out.returncode == 0, out.stderr
    assert out.stdout == ""
    assert out.stderr.splitlines()[0] == f"no datapackage.json here or above: using the dataset bundled with conflictdata {conflictdata.__version__}"
    assert "casualty_claims" in out.stderr and "rows" in out.stderr
    assert out.stderr.strip().splitlines()[-1].startswith("valid: ")


def test_json_output_is_pure_json_on_stdout(pkg: Path) -> None:
    replace_once(pkg / "data/stances.csv", ",does_not_deny,", ",does_not_denny,")
    out = run("validate", str(pkg), "--format", "json")
    assert out.returncode == 1
    report = json.loads(out.stdout)
    assert report["valid"] is False and report["errors"] == 1
    [finding] = report["findings"]
    assert finding["rule"] == "enum"
    assert finding["table"] == "stances"
    assert finding["file"].endswith("data/stances.csv")
    assert finding["line"] == 4
    assert finding["column"] == "stance"
    assert finding["value"] == "does_not_denny"
    assert "did you mean 'does_not_deny'?" in finding["message"]


def test_github_format_emits_workflow_annotations(pkg: Path) -> None:
    replace_once(pkg / "data/events.csv", "2024-08-31", "2024-07-31")
    out = run("validate", str(pkg), "--format", "github")
    assert out.returncode == 1
    lines = out.stdout.splitlines()
    assert all(line.startswith("::error file=") for line in lines)
    assert "events.csv,line=2,title=event-date-order date_end::" in lines[0]
    assert "date_end 2024-07-31 is before date_start 2024-08-01" in lines[0]
    assert out.stderr.splitlines()[-1].startswith("invalid: ")  # the verdict is for people: stderr


def test_text_output_names_file_line_column_and_rule(pkg: Path) -> None:
    replace_once(pkg / "data/casualty_claims.csv", ",600000,", ",-5,")
    out = run("validate", str(pkg))
    assert out.returncode == 1
    # The finding alone on stdout, one line; the summary table and the verdict on stderr.
    [line] = out.stdout.splitlines()
    assert line.endswith("casualty_claims.csv:2: error [minimum] value_low: '-5' is below the minimum 0 (value: -5)")
    assert "casualty_claims.csv" not in out.stderr and "rows" in out.stderr
    assert out.stderr.strip().splitlines()[-1].startswith("invalid: ")
    assert "Traceback" not in out.stderr


def test_warnings_pass_unless_strict(pkg: Path) -> None:
    path = pkg / "data/actors.csv"
    path.write_bytes(path.read_bytes().replace(b"\n", b"\r\n"))
    assert run("validate", str(pkg)).returncode == 0
    strict = run("validate", str(pkg), "--strict", "--format", "json")
    assert strict.returncode == 1
    [finding] = json.loads(strict.stdout)["findings"]
    assert (finding["severity"], finding["rule"], finding["table"]) == ("warning", "non-canonical", "actors")


def test_missing_path_exits_2_with_a_message(tmp_path: Path) -> None:
    out = run("validate", str(tmp_path / "nowhere"))
    assert out.returncode == 2
    assert out.stderr.strip() == f"conflictdata: error: {tmp_path / 'nowhere'}: no such file or folder"


def test_descriptor_that_is_not_json_exits_2_naming_line_and_column(pkg: Path) -> None:
    (pkg / "datapackage.json").write_text('{\n  "name": "conflictdata",\n  "resources": [,]\n}\n')
    out = run("validate", str(pkg))
    assert out.returncode == 2
    assert "datapackage.json:3:17: the package descriptor is not valid JSON" in out.stderr
    assert "Traceback" not in out.stderr


@pytest.mark.parametrize(
    ("bad_path", "reason"),
    [("/etc/passwd", "is absolute"), ("../outside.csv", "contains '..'"), ("https://example.org/x.csv", "is a URL")],
)
def test_resource_paths_outside_the_package_exit_2(pkg: Path, bad_path: str, reason: str) -> None:
    descriptor = json.loads((pkg / "datapackage.json").read_text())
    descriptor["resources"][0]["path"] = bad_path
    (pkg / "datapackage.json").write_text(json.dumps(descriptor))
    out = run("validate", str(pkg))
    assert out.returncode == 2
    assert f"resource 'sources': path {bad_path!r} {reason}" in out.stderr


def test_unbalanced_quote_is_reported_at_the_record_where_it_opens(pkg: Path) -> None:
    replace_once(pkg / "data/events.csv", ",Kursk,", ',"Kursk,')
    out = run("validate", str(pkg), "--format", "json")
    assert out.returncode == 1
    findings = [(f["rule"], f["file"].rsplit("/", 1)[-1], f["line"]) for f in json.loads(out.stdout)["findings"]]
    assert ("csv-syntax", "events.csv", 2) in findings
    assert "Traceback" not in out.stderr


def test_bad_utf8_is_reported_with_its_line(pkg: Path) -> None:
    path = pkg / "data/actors.csv"
    path.write_bytes(path.read_bytes().replace("Mark Rutte".encode(), b"Mark R\xfctte"))
    out = run("validate", str(pkg), "--format", "json")
    assert out.returncode == 1
    findings = json.loads(out.stdout)["findings"]
    assert [(f["rule"], f["table"], f["line"], f["value"]) for f in findings] == [("encoding", "actors", 9, "fc")]


def test_fmt_check_lists_files_it_would_change_and_exits_1(pkg: Path) -> None:
    path = pkg / "data/stances.csv"
    path.write_bytes(b"\xef\xbb\xbf" + path.read_bytes())
    before = path.read_bytes()
    out = run("fmt", str(pkg), "--check")
    assert out.returncode == 1
    assert "would reformat" in out.stderr and "stances.csv" in out.stderr
    assert path.read_bytes() == before
    assert run("fmt", str(pkg)).returncode == 0
    assert run("fmt", str(pkg), "--check").returncode == 0


def test_max_findings_caps_the_list_but_not_the_count(pkg: Path) -> None:
    replace_once(pkg / "data/stances.csv", ",does_not_deny,", ",does_not_denny,")
    replace_once(pkg / "data/casualty_claims.csv", ",600000,", ",-5,")
    out = run("validate", str(pkg), "--format", "json", "--max-findings", "1")
    report = json.loads(out.stdout)
    assert out.returncode == 1
    assert report["errors"] == 2 and len(report["findings"]) == 1 and report["findings_truncated"] is True


def test_line_numbers_are_never_turned_into_emoji() -> None:
    # rich reads ':100:' as an emoji code unless told not to.
    from conflictdata.contract.findings import Finding, Report
    from conflictdata.outputs.render import render_text
    import io

    report = Report(package="p", findings=[Finding("error", "type", "bad", "events", "data/events.csv", 100, "title")])
    out = io.StringIO()
    render_text(report, out)
    assert "data/events.csv:100: error [type] title: bad" in out.getvalue()


def test_progress_off_a_terminal_is_one_plain_line_per_stage(monkeypatch: pytest.MonkeyPatch,
                                                              capsys: pytest.CaptureFixture[str]) -> None:
    # A CI log cannot redraw a bar: rich left a lone blank line there. Each stage is one line instead.
    from conflictdata.cli.validate import _DelayedProgress

    monkeypatch.setattr(_DelayedProgress, "DELAY", 0.0)
    bar = _DelayedProgress()
    for stage, done in [("checking events", 0), ("checking events", 50), ("checking claims", 60), ("done", 100)]:
        bar.update(stage, done, 100)
    bar.close()
    assert capsys.readouterr().err.splitlines() == ["checking events (0 % of the bytes read)",
                                                    "checking claims (60 % of the bytes read)"]
