"""Which package a command acts on: PATH, else the nearest datapackage.json here or above, else the
bundled dataset (said on stderr); and commands that write never write into the installed bundle."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

import conflictdata
from conflictdata.contract.errors import UnusableInputError
from conflictdata.contract.discovery import discover, find_package, writable_package
from pkgcopy import RUN, copy_package, listing, replace_once

BUNDLED_NOTE = f"no datapackage.json here or above: using the dataset bundled with conflictdata {conflictdata.__version__}"


def run(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-c", RUN, *args], capture_output=True, text=True, cwd=cwd, timeout=120)


@pytest.fixture
def pkg(tmp_path: Path) -> Path:
    return copy_package(tmp_path / "pkg")


@pytest.fixture
def empty(tmp_path: Path) -> Path:
    folder = tmp_path / "empty"
    folder.mkdir()
    assert find_package(folder) is None, "a datapackage.json above the temporary folder"
    return folder


def plant_event_and_claim_errors(pkg: Path) -> None:
    """One error in events (a country no row of countries has) and one in casualty_claims."""
    replace_once(pkg / "data/events.csv", ",month,RUS,RU-KRS,Kursk,", ",month,RXS,RU-KRS,Kursk,")
    replace_once(pkg / "data/casualty_claims.csv", ",600000,", ",-5,")


def test_find_package_walks_up_from_a_sub_folder(pkg: Path) -> None:
    sub = pkg / "docs" / "notes"
    sub.mkdir(parents=True)
    assert find_package(sub) == pkg
    assert find_package(pkg / "data" / "events.csv") == pkg
    assert discover(None, start=sub).how == "found" and discover(None, start=sub).note is None


def test_a_command_run_in_a_sub_folder_acts_on_the_package_above(pkg: Path) -> None:
    plant_event_and_claim_errors(pkg)
    sub = pkg / "docs" / "notes"
    sub.mkdir(parents=True)
    out = run("validate", "--format", "json", cwd=sub)
    assert out.returncode == 1, out.stderr
    assert "bundled" not in out.stderr
    report = json.loads(out.stdout)
    assert Path(report["package"]).resolve() == (pkg / "datapackage.json").resolve()
    assert sorted((f["rule"], f["table"], f["line"], f["column"]) for f in report["findings"]) == [
        ("foreign-key", "events", 2, "country_iso3"), ("minimum", "casualty_claims", 2, "value_low")]


def test_fmt_in_a_sub_folder_formats_the_package_above(pkg: Path) -> None:
    stances = pkg / "data/stances.csv"
    canonical = stances.read_bytes()
    stances.write_bytes(b"\xef\xbb\xbf" + canonical)
    sub = pkg / "data"
    out = run("fmt", cwd=sub)
    assert out.returncode == 0, out.stderr
    assert stances.read_bytes() == canonical


def test_diff_without_new_compares_against_the_package_above(pkg: Path, tmp_path: Path) -> None:
    old = copy_package(tmp_path / "old")
    replace_once(pkg / "data/casualty_claims.csv", ",600000,", ",600001,")
    out = run("diff", str(old), "--format", "json", cwd=pkg / "schema")
    assert out.returncode == 0, out.stderr
    result = json.loads(out.stdout)
    assert result["new"] == ".."
    [change] = result["tables"]["casualty_claims"]["changed"]
    assert (change["key"], change["fields"]["value_low"]) == ("CLM-0001", {"old": "600000", "new": "600001"})


def test_without_a_package_the_bundled_dataset_is_used_and_said(empty: Path) -> None:
    out = run("fmt", "--check", cwd=empty)
    assert out.returncode == 0, out.stderr
    assert out.stderr.splitlines()[0] == BUNDLED_NOTE
    assert list(empty.iterdir()) == []


def test_the_python_api_means_the_bundled_dataset_wherever_it_runs(pkg: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    plant_event_and_claim_errors(pkg)
    monkeypatch.chdir(pkg)
    assert conflictdata.validate().errors == []


def test_validate_one_file_reports_only_that_tables_findings_checked_against_the_package(pkg: Path) -> None:
    plant_event_and_claim_errors(pkg)
    out = run("validate", "data/events.csv", "--format", "json", cwd=pkg)
    assert out.returncode == 1, out.stderr
    report = json.loads(out.stdout)
    # The foreign key into countries is judged, so the other tables were read; the planted
    # casualty_claims error is not reported.
    assert [(f["rule"], f["table"], f["file"], f["line"], f["column"], f["value"]) for f in report["findings"]] == [
        ("foreign-key", "events", "data/events.csv", 2, "country_iso3", "RXS")]
    assert list(report["rows"]) == ["events"]


def test_validate_one_file_from_elsewhere_finds_its_package(pkg: Path, tmp_path: Path) -> None:
    replace_once(pkg / "data/casualty_claims.csv", ",600000,", ",-5,")
    out = run("validate", str(pkg / "data/events.csv"), "--format", "json", cwd=tmp_path)
    assert out.returncode == 0, out.stderr
    assert json.loads(out.stdout)["findings"] == []


def test_a_csv_of_no_package_is_checked_against_an_inferred_schema_and_says_so(empty: Path) -> None:
    (empty / "loose.csv").write_text("a,b\n1,2\n3\n", encoding="utf-8")
    out = run("validate", "loose.csv", "--format", "json", cwd=empty)
    assert out.returncode == 1, out.stderr
    report = json.loads(out.stdout)
    assert [(f["rule"], f["table"], f["file"], f["line"], f["column"]) for f in report["findings"]] == [
        ("missing-cell", "loose", "loose.csv", 3, "b")]
    assert report["notes"] == ["loose: a file of no package: its schema inferred with frictionless"]


def test_a_csv_inside_a_package_but_not_one_of_its_resources_is_checked_on_its_own(pkg: Path) -> None:
    (pkg / "data/notes.csv").write_text("a,b\n1,2\n", encoding="utf-8")
    out = run("validate", "data/notes.csv", "--format", "json", cwd=pkg)
    assert out.returncode == 0, out.stderr
    report = json.loads(out.stdout)
    assert (report["package"], report["rows"], report["findings"]) == ("data/notes.csv", {"notes": 1}, [])


@pytest.mark.parametrize("args", [["fmt"], ["release"], ["import", "genstaff", "losses.json"]])
def test_writing_commands_without_a_package_exit_2_saying_what_to_pass(empty: Path, args: list[str]) -> None:
    command = " ".join(args[:2]) if args[0] == "import" else args[0]
    out = run(*args, cwd=empty)
    assert out.returncode == 2
    assert out.stderr.strip() == (
        f"conflictdata: error: no datapackage.json here or above, and `conflictdata {command}` never writes into the "
        f"dataset bundled with conflictdata; pass your package's folder (conflictdata {command} PATH) or run it from inside that folder")
    assert list(empty.iterdir()) == []


def test_writable_package_refuses_no_package_and_accepts_the_one_above(pkg: Path, empty: Path) -> None:
    with pytest.raises(UnusableInputError, match=r"`conflictdata bump` never writes into the dataset bundled"):
        writable_package(None, command="bump", start=empty)
    assert writable_package(None, command="bump", start=pkg / "schema") == pkg
    assert writable_package(pkg, command="bump") == pkg


def test_import_takes_the_package_as_positional_path(pkg: Path, tmp_path: Path) -> None:
    from test_import_genstaff import write_fixture

    upstream = write_fixture(tmp_path / "upstream")
    before = (pkg / "data/casualty_claims.csv").read_bytes()
    out = run("import", "genstaff", str(upstream), str(pkg), "--dry-run", "--format", "json", cwd=tmp_path)
    assert out.returncode == 0, out.stderr
    assert json.loads(out.stdout)["counts"]["casualty_claims"]["added"] > 0
    assert (pkg / "data/casualty_claims.csv").read_bytes() == before
    help_text = run("import", "genstaff", "--help", cwd=tmp_path).stdout
    assert "[path]" in help_text.lower() and "--package" not in help_text


def test_import_refuses_path_and_a_different_package_option(pkg: Path, tmp_path: Path) -> None:
    out = run("import", "genstaff", "x.json", str(pkg), "--package", str(tmp_path), cwd=tmp_path)
    assert out.returncode == 2
    assert f"two packages given ({pkg} and --package {tmp_path}); give only PATH" in out.stderr


# Through a real, non-editable install: the bundle lives in site-packages/conflictdata/_bundle.

@pytest.mark.parametrize("args", [["release"], ["fmt"]])
def test_an_installed_wheel_never_writes_into_its_bundle(installed_wheel, empty: Path, args: list[str]) -> None:
    bundle = installed_wheel.package_dir / "_bundle"
    before = listing(bundle)
    out = installed_wheel.run(*args, cwd=empty)
    assert out.returncode == 2, out.stderr
    assert f"`conflictdata {args[0]}` never writes into the dataset bundled with conflictdata" in out.stderr
    assert f"pass your package's folder (conflictdata {args[0]} PATH)" in out.stderr
    named = installed_wheel.run(*args, str(bundle), cwd=empty)
    assert named.returncode == 2, named.stderr
    assert f"{bundle}: this is the dataset bundled inside the installed conflictdata" in named.stderr
    inside = installed_wheel.run(*args, cwd=bundle / "data")
    assert inside.returncode == 2, inside.stderr
    assert "this is the dataset bundled inside the installed conflictdata" in inside.stderr
    assert listing(bundle) == before
    assert list(empty.iterdir()) == []


def test_an_installed_wheel_reads_its_bundle_where_there_is_no_package(installed_wheel, empty: Path) -> None:
    out = installed_wheel.run("fmt", "--check", cwd=empty)
    assert out.returncode == 0, out.stderr
    assert out.stderr.splitlines()[0] == f"no datapackage.json here or above: using the dataset bundled with conflictdata {conflictdata.__version__}"


def test_the_library_writers_refuse_the_installed_bundle_too(installed_wheel, empty: Path) -> None:
    bundle = installed_wheel.package_dir / "_bundle"
    before = listing(bundle)
    code = ("from conflictdata.contract.errors import UnusableInputError\n"
            "from conflictdata.curation.fmt import format_package\nfrom conflictdata.versions.release import release\n"
            "for call in (lambda: format_package(), lambda: release()):\n"
            "    try:\n        call()\n    except UnusableInputError as exc:\n        print(exc)\n")
    out = subprocess.run([str(installed_wheel.python), "-c", code], cwd=empty, env=installed_wheel.env,
                         capture_output=True, text=True, timeout=300)
    assert out.returncode == 0, out.stderr
    assert out.stdout.splitlines() == [
        f"{bundle}: this is the dataset bundled inside the installed conflictdata ({installed_wheel.package_dir}); "
        f"`conflictdata {c}` never writes there: copy it (or clone the dataset's repository) and pass that folder"
        for c in ("fmt", "release")]
    assert listing(bundle) == before
    assert list(empty.iterdir()) == []
