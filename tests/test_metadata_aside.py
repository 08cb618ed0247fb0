"""The descriptor's metadata check run in a child process beside validation
(contract/metadata_aside.py): the same findings as in-process, frictionless never imported by
the validating process, and the in-process check whenever a child cannot do it."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from conflictdata.contract import metadata_aside
from conflictdata.contract.metadata import check_metadata
from conflictdata.contract.package import open_package

DESCRIPTOR = """{
  "name": "towns",
  "created": "yesterday",
  "contributors": [{"title": "B", "email": "not-an-email"}],
  "resources": [{"name": "towns", "path": "towns.csv", "schema": {"fields": [{"name": "id", "type": "integer"}]}}]
}
"""
EXPECTED = [("datapackage.json", 3, "created", "yesterday"), ("datapackage.json", 4, "contributors[0].email", "not-an-email")]


@pytest.fixture
def pkg(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    (tmp_path / "towns.csv").write_text("id\n1\n", encoding="utf-8")
    (tmp_path / "datapackage.json").write_text(DESCRIPTOR, encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    return tmp_path


@pytest.fixture(autouse=True)
def _no_kept_verdicts(monkeypatch: pytest.MonkeyPatch) -> None:
    # Each test starts with no verdict kept, so that its child (or its failure) is the one tested.
    monkeypatch.setattr(metadata_aside, "_VERDICTS", {})


def _rows(findings) -> list[tuple]:
    return [(f.file, f.line, f.column, f.value) for f in findings]


def test_the_child_gives_the_in_process_findings(pkg: Path) -> None:
    package = open_package(pkg)
    aside = metadata_aside.check_metadata_aside(package)()
    assert _rows(aside) == EXPECTED
    assert aside == check_metadata(package)


def test_validating_does_not_import_frictionless_in_this_process(pkg: Path) -> None:
    code = ("import sys; from conflictdata.versions.history import validate; r = validate('.'); "
            "print(sorted(f.column for f in r.findings if f.rule == 'descriptor'), 'frictionless' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], cwd=pkg, capture_output=True, text=True, check=True).stdout.split(None, 2)
    assert out == ["['contributors[0].email',", "'created']", "False\n"]


def test_a_child_that_cannot_start_or_fails_leaves_the_check_to_this_process(pkg: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    package = open_package(pkg)
    monkeypatch.setattr(metadata_aside.sys, "executable", str(pkg / "no-such-python"))
    assert _rows(metadata_aside.check_metadata_aside(package)()) == EXPECTED
    monkeypatch.setattr(metadata_aside, "_CHILD", "import sys; sys.exit(3)")
    monkeypatch.setattr(metadata_aside.sys, "executable", sys.executable)
    assert _rows(metadata_aside.check_metadata_aside(package)()) == EXPECTED


def test_a_yaml_date_json_cannot_carry_is_checked_in_this_process(pkg: Path) -> None:
    (pkg / "datapackage.json").unlink()
    (pkg / "datapackage.yaml").write_text(
        "name: towns\ncreated: 2024-01-31\nresources:\n  - name: towns\n    path: towns.csv\n"
        "    schema:\n      fields:\n        - name: id\n          type: integer\n", encoding="utf-8")
    package = open_package(pkg / "datapackage.yaml")
    found = metadata_aside.check_metadata_aside(package)()
    assert _rows(found) == [("datapackage.yaml", 2, "created", '"2024-01-31"')]
    assert found == check_metadata(package)


def test_an_exception_in_the_child_is_a_warning_naming_it(pkg: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(metadata_aside, "_CHILD", metadata_aside._CHILD.replace(
        "from conflictdata.contract.metadata import check_job", "def check_job(job): raise RuntimeError('profile unreadable')"))
    [warning] = metadata_aside.check_metadata_aside(open_package(pkg))()
    assert (warning.severity, warning.rule, warning.file, warning.line) == ("warning", "descriptor", "datapackage.json", None)
    assert warning.message == ("the descriptor's metadata could not be checked against its profile (RuntimeError: profile "
                               "unreadable); check it with `frictionless validate`")


def test_the_same_descriptor_again_takes_the_verdict_kept_and_shows_its_own_file_name(pkg: Path, tmp_path_factory: pytest.TempPathFactory,
                                                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    assert _rows(metadata_aside.check_metadata_aside(open_package(pkg))()) == EXPECTED
    assert len(metadata_aside._VERDICTS) == 1
    # A copy elsewhere, named from another directory: no child may start, and the findings name this copy.
    other = tmp_path_factory.mktemp("copy")
    (other / "towns.csv").write_text("id\n1\n", encoding="utf-8")
    (other / "datapackage.json").write_text(DESCRIPTOR, encoding="utf-8")
    monkeypatch.chdir(other.parent)

    def no_child(*args, **kwargs):
        raise AssertionError("a child was started for a descriptor already checked")

    real_popen = metadata_aside.subprocess.Popen
    monkeypatch.setattr(metadata_aside.subprocess, "Popen", no_child)
    copy = open_package(other)
    again = metadata_aside.check_metadata_aside(copy)()
    assert _rows(again) == [(f"{other.name}/datapackage.json", line, column, value) for _, line, column, value in EXPECTED]
    assert again == check_metadata(copy)
    # A byte changed (the lines move) is another descriptor: a child checks it, and its verdict is kept too.
    monkeypatch.setattr(metadata_aside.subprocess, "Popen", real_popen)
    (other / "datapackage.json").write_text("\n" + DESCRIPTOR, encoding="utf-8")
    moved = metadata_aside.check_metadata_aside(open_package(other))()
    assert [(line, column) for _, line, column, _ in _rows(moved)] == [(4, "created"), (5, "contributors[0].email")]
    assert len(metadata_aside._VERDICTS) == 2


def test_a_failed_check_is_not_kept(pkg: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(metadata_aside, "_CHILD", metadata_aside._CHILD.replace(
        "from conflictdata.contract.metadata import check_job", "def check_job(job): raise RuntimeError('profile unreadable')"))
    [warning] = metadata_aside.check_metadata_aside(open_package(pkg))()
    assert warning.severity == "warning" and metadata_aside._VERDICTS == {}
