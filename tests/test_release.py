"""`conflictdata release`: reproducible archives, version checks against the last release, CHANGELOG."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from conflictdata.contract.errors import InvalidDataError
from conflictdata.versions.release import ReleaseRefused, release
from conflictdata.versions.history import validate
from pkgcopy import REPO, copy_package, edit_table

# A release is dated from datapackage.json's `created`.
CREATED = "2026-11-25"  # the day the `pkg` fixture pins as its `created`

TOP_FILES = ["CHANGELOG.md", "CITATION.cff", "LICENSE", "README.md", "SHA256SUMS", "datapackage.json", "datapackage.parquet.json"]


def _set_version(pkg: Path, version: str) -> None:
    path = pkg / "datapackage.json"
    d = json.loads(path.read_text())
    d["version"] = version
    path.write_text(json.dumps(d, indent=2) + "\n")


def _add_actor_link(pkg: Path) -> None:
    edit_table(pkg, "event_actors", lambda h, rows: (h, rows + [{"event_id": "EVT-0001", "actor_id": "ACT-RUS-AF", "role": "target", "certainty": "alleged"}]))


def _set_created(pkg: Path, created: str) -> None:
    path = pkg / "datapackage.json"
    d = json.loads(path.read_text())
    d["created"] = created
    path.write_text(json.dumps(d, indent=2) + "\n")


@pytest.fixture
def pkg(tmp_path: Path) -> Path:
    """The curated core as version 0.1.0 of 2026-11-25, whatever the repository's version is now."""
    pkg = copy_package(tmp_path / "pkg")
    _set_version(pkg, "0.1.0")
    _set_created(pkg, "2026-11-25T00:00:00Z")
    return pkg


def test_two_releases_of_the_same_data_are_byte_identical(pkg: Path, tmp_path: Path) -> None:
    first = release(pkg, out=tmp_path / "d1")
    second = release(pkg, out=tmp_path / "d2")
    assert first.archive.name == "conflictdata-0.1.0.zip"
    assert first.archive.read_bytes() == second.archive.read_bytes()
    assert (tmp_path / "d1/conflictdata-0.1.0.zip.sha256").read_text() == f"{first.sha256}  conflictdata-0.1.0.zip\n"


def test_the_archive_holds_the_package_and_its_papers_under_one_folder(pkg: Path, tmp_path: Path) -> None:
    result = release(pkg, out=tmp_path / "dist")
    with zipfile.ZipFile(result.archive) as zf:
        names = zf.namelist()
        infos = zf.infolist()
    assert all(n.startswith("conflictdata-0.1.0/") for n in names)
    rel = [n.split("/", 1)[1] for n in names]
    assert [r for r in rel if "/" not in r] == TOP_FILES
    assert {r for r in rel if r.startswith("data/")} >= {"data/events.csv", "data/events.parquet", "data/casualty_claims.parquet"}
    assert {"schema/events.json", "schema/pandera/events.yaml"} <= set(rel)
    assert {i.date_time for i in infos} == {(1980, 1, 1, 0, 0, 0)}
    assert "data/snapshots/SRC-0001.txt" not in rel  # no license to redistribute it


def test_the_extracted_archive_validates_with_both_tools(pkg: Path, tmp_path: Path) -> None:
    result = release(pkg, out=tmp_path / "dist")
    with zipfile.ZipFile(result.archive) as zf:
        zf.extractall(tmp_path / "x")
    root = tmp_path / "x/conflictdata-0.1.0"
    assert validate(root).findings == []
    exe = shutil.which("frictionless") or str(Path(sys.executable).with_name("frictionless"))
    out = subprocess.run([exe, "validate", "--json", str(root / "datapackage.json")], capture_output=True, text=True, timeout=300)
    assert json.loads(out.stdout)["valid"] is True, out.stdout[-2000:]
    sums = subprocess.run(["sha256sum", "--quiet", "-c", "SHA256SUMS"], cwd=root, capture_output=True, text=True)
    assert sums.returncode == 0, sums.stdout + sums.stderr
    citation = (root / "CITATION.cff").read_text()
    assert "version: 0.1.0\n" in citation and f"date-released: {CREATED}\n" in citation and "license: CC-BY-4.0\n" in citation


def test_a_release_that_understates_its_version_is_refused(pkg: Path, tmp_path: Path) -> None:
    first = release(pkg, out=tmp_path / "dist")
    index = (tmp_path / "dist/index.json").read_bytes()
    _add_actor_link(pkg)
    _set_version(pkg, "0.1.1")
    with pytest.raises(ReleaseRefused, match=r"version 0.1.1 understates the changes since 0.1.0 .*need a minor release, at least 0.2.0"):
        release(pkg, against=first.archive, out=tmp_path / "dist")
    assert sorted(p.name for p in (tmp_path / "dist").iterdir()) == ["conflictdata-0.1.0.zip", "conflictdata-0.1.0.zip.sha256", "index.json"]
    assert (tmp_path / "dist/index.json").read_bytes() == index  # a refused release lists nothing
    _set_version(pkg, "0.2.0")
    second = release(pkg, against=first.archive, out=tmp_path / "dist")
    assert second.bump.required == "minor" and second.bump.minimum_version == "0.2.0"
    changelog = (pkg / "CHANGELOG.md").read_text()
    assert changelog.index(f"## 0.2.0 — {CREATED}") < changelog.index(f"## 0.1.0 — {CREATED}")
    assert "Changes since 0.1.0 (a minor release):\n\n- `event_actors`: 1 added\n" in changelog


def test_a_release_with_a_vanished_id_is_refused(pkg: Path, tmp_path: Path) -> None:
    first = release(pkg, out=tmp_path / "dist")
    edit_table(pkg, "stances", lambda h, rows: (h, [r for r in rows if r["stance_id"] != "STN-0003"]))
    _set_version(pkg, "1.0.0")
    with pytest.raises(InvalidDataError) as caught:
        release(pkg, against=first.archive, out=tmp_path / "dist")
    assert [(f.rule, f.value) for f in caught.value.report.findings] == [("id-vanished", "STN-0003")]


def test_bump_cli_reports_the_required_bump(pkg: Path, tmp_path: Path) -> None:
    from typer.testing import CliRunner

    from conflictdata.cli import app

    first = release(pkg, out=tmp_path / "dist")
    _add_actor_link(pkg)
    runner = CliRunner()
    low = runner.invoke(app, ["bump", str(pkg), "--against", str(first.archive), "--format", "json"])
    assert low.exit_code == 1
    assert {k: json.loads(low.stdout)[k] for k in ("previous_version", "current_version", "required_bump", "minimum_version", "ok")} == {
        "previous_version": "0.1.0", "current_version": "0.1.0", "required_bump": "minor", "minimum_version": "0.2.0", "ok": False,
    }
    _set_version(pkg, "0.2.0")
    assert runner.invoke(app, ["bump", str(pkg), "--against", str(first.archive)]).exit_code == 0


def test_release_lists_itself_and_every_archive_of_its_folder_in_index_json(pkg: Path, tmp_path: Path) -> None:
    dist = tmp_path / "dist"
    first = release(pkg, out=dist)
    first_entry = {"version": "0.1.0", "date": CREATED, "archive": "conflictdata-0.1.0.zip", "sha256": first.sha256,
                   "bytes": first.archive.stat().st_size}
    assert json.loads((dist / "index.json").read_text())["releases"] == [first_entry]
    # An index that lists an archive published before (no longer in dist/) and not 0.1.0, whose archive is here.
    older = {"version": "0.0.9", "date": "2026-01-02", "archive": "conflictdata-0.0.9.zip", "sha256": "a" * 64, "bytes": 10}
    (dist / "index.json").write_text(json.dumps({"releases": [older]}))
    _add_actor_link(pkg)
    _set_version(pkg, "0.2.0")

    second = release(pkg, against=first.archive, out=dist)

    text = (dist / "index.json").read_text()
    entries = json.loads(text)["releases"]
    assert entries == [older, first_entry, {"version": "0.2.0", "date": CREATED, "archive": "conflictdata-0.2.0.zip",
                                            "sha256": second.sha256, "bytes": second.archive.stat().st_size}]
    assert [list(e) for e in entries] == [["version", "date", "archive", "sha256", "bytes"]] * 3
    assert text.endswith("}\n") and text.startswith('{\n  "description": ')
    assert release(pkg, against=first.archive, out=dist).sha256 == second.sha256
    assert (dist / "index.json").read_text() == text  # releasing again rewrites the same bytes
