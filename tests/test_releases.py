"""Versions never reissued: the last release by tag, by releases.json, or by --against; `bump --write`;
`--against last-release`; a release never holds a date after its own `created`."""

from __future__ import annotations

import datetime as dt
import json
import re
import shutil
import subprocess
from pathlib import Path

import pytest
from typer.testing import CliRunner

from conflictdata.checking import rules
from conflictdata.cli import app
from conflictdata.contract.errors import InvalidDataError, UnusableInputError
from conflictdata.contract.package import open_package
from conflictdata.versions.release import ReleaseRefused, check_bump, release, write_bump
from conflictdata.versions.releases import RECORD, read_record, set_version_and_created
from conflictdata.versions.history import validate
from pkgcopy import copy_package, edit_table

REISSUE = "0.1.0 is already released with other data; set version to at least {}"


def _descriptor(pkg: Path, **values: str) -> None:
    path = pkg / "datapackage.json"
    d = json.loads(path.read_text())
    d.update(values)
    path.write_text(json.dumps(d, indent=2, ensure_ascii=False) + "\n")


def _git(repo: Path, *args: str) -> str:
    out = subprocess.run(["git", "-c", "user.email=t@t", "-c", "user.name=t", *args], cwd=repo, check=True, capture_output=True, text=True)
    return out.stdout.strip()


def _commit(repo: Path, message: str) -> str:
    _git(repo, "add", "-A")
    _git(repo, "commit", "-qm", message)
    return _git(repo, "rev-parse", "HEAD")


def _add_actor_link(pkg: Path) -> None:  # a new row: a minor change
    edit_table(pkg, "event_actors", lambda h, rows: (h, rows + [{"event_id": "EVT-0001", "actor_id": "ACT-RUS-AF", "role": "target", "certainty": "alleged"}]))


def _drop_stance(pkg: Path) -> None:  # an id vanished without a retraction
    edit_table(pkg, "stances", lambda h, rows: (h, [r for r in rows if r["stance_id"] != "STN-0002"]))


def _cli(*args: str):
    result = CliRunner().invoke(app, list(args))
    assert result.exception is None or isinstance(result.exception, SystemExit), repr(result.exception)
    return result


@pytest.fixture
def pkg(tmp_path: Path) -> Path:
    """The curated core as version 0.1.0 of 2026-11-25 (not yet in git)."""
    pkg = copy_package(tmp_path / "repo")
    _descriptor(pkg, version="0.1.0", created="2026-11-25T00:00:00Z")
    return pkg


@pytest.fixture
def repo(pkg: Path) -> Path:
    """`pkg` committed in a fresh git repository, without tags or record."""
    _git(pkg, "init", "-q")
    _commit(pkg, "data")
    return pkg


# --- the reissue check ---------------------------------------------------------------------------


def test_a_tagged_version_with_other_data_is_refused_by_bump_and_release(repo: Path, tmp_path: Path) -> None:
    _git(repo, "tag", "v0.1.0")
    _add_actor_link(repo)
    bumped = _cli("bump", str(repo))
    assert bumped.exit_code == 1
    assert bumped.stderr == f"conflictdata: error: {REISSUE.format('0.2.0')}\n"
    released = _cli("release", str(repo), "--out", str(tmp_path / "dist"))
    assert released.exit_code == 1
    assert released.stderr == f"conflictdata: error: {REISSUE.format('0.2.0')}\n"
    assert not (tmp_path / "dist").exists() and not (repo / "CHANGELOG.md").exists() and not (repo / RECORD).exists()
    # A removed id is a major change: the minimum follows the bump rules.
    _drop_stance(repo)
    assert _cli("bump", str(repo)).stderr == f"conflictdata: error: {REISSUE.format('1.0.0')}\n"


def test_a_tagged_version_with_the_same_data_is_a_rerelease(repo: Path, tmp_path: Path) -> None:
    _git(repo, "tag", "v0.1.0")
    report = check_bump(open_package(repo))
    assert (report.reissue, report.rerelease, report.ok, report.previous) == (False, True, True, None)
    assert _cli("bump", str(repo)).stderr == "no previous release found: 0.1.0 is released with these data\n"


def test_release_records_itself_and_a_copy_without_git_refuses_a_reissue(repo: Path, tmp_path: Path) -> None:
    head = _git(repo, "rev-parse", "HEAD")
    first = release(repo, out=tmp_path / "dist")
    [entry] = read_record(repo)
    assert entry == {"version": "0.1.0", "date": "2026-11-25", "created": "2026-11-25T00:00:00Z", "commit": head,
                     "data_sha256": first.data_sha256}
    assert re.fullmatch(r"[0-9a-f]{64}", entry["data_sha256"])
    _commit(repo, "Release 0.1.0")
    # No tag, no .git: the record alone knows 0.1.0 is released, and with which data.
    copy = tmp_path / "copy"
    shutil.copytree(repo, copy, ignore=shutil.ignore_patterns(".git"))
    assert _cli("bump", str(copy)).exit_code == 0
    # Its own data again: the same archive, its CHANGELOG entry kept (nothing here to diff with).
    assert release(copy, out=tmp_path / "again").archive.read_bytes() == first.archive.read_bytes()
    _add_actor_link(copy)
    bumped = _cli("bump", str(copy))
    assert bumped.exit_code == 1
    assert bumped.stderr.startswith(f"conflictdata: error: {REISSUE.format('0.1.1')}\nnote: at least a patch; the exact bump needs the data of 0.1.0")
    released = _cli("release", str(copy), "--out", str(tmp_path / "dist2"))
    assert released.exit_code == 1 and REISSUE.format("0.1.1") in released.stderr
    assert not (tmp_path / "dist2").exists()
    # A new release date under the same version is a reissue too.
    copy2 = tmp_path / "copy2"
    shutil.copytree(repo, copy2, ignore=shutil.ignore_patterns(".git"))
    _descriptor(copy2, created="2026-11-26T00:00:00Z")
    assert _cli("bump", str(copy2)).exit_code == 1


def test_the_record_finds_the_last_release_in_a_clone_without_tags(repo: Path, tmp_path: Path) -> None:
    release(repo, out=tmp_path / "dist")
    _commit(repo, "Release 0.1.0")
    _add_actor_link(repo)
    # The record's commit is read from git: the exact bump, not just "a later version".
    assert _cli("bump", str(repo)).stderr == f"conflictdata: error: {REISSUE.format('0.2.0')}\n"
    _descriptor(repo, version="0.2.0")
    report = check_bump(open_package(repo))
    assert (report.previous, report.required, report.minimum_version, report.ok) == (f"{RECORD} (commit {read_record(repo)[0]['commit'][:7]})", "minor", "0.2.0", True)


def test_a_release_archive_given_with_against_holds_the_version_too(pkg: Path, tmp_path: Path) -> None:
    first = release(pkg, out=tmp_path / "dist")
    _add_actor_link(pkg)
    with pytest.raises(ReleaseRefused, match=re.escape(REISSUE.format("0.2.0"))):
        release(pkg, against=first.archive, out=tmp_path / "dist")
    result = _cli("bump", str(pkg), "--against", str(first.archive), "--format", "json")
    data = json.loads(result.stdout)
    assert result.exit_code == 1 and (data["reissue"], data["message"]) == (True, REISSUE.format("0.2.0"))


def test_releasing_the_same_data_again_changes_nothing(repo: Path, tmp_path: Path) -> None:
    first = release(repo, out=tmp_path / "d1")
    _commit(repo, "Release 0.1.0")
    _git(repo, "tag", "v0.1.0")
    record, changelog = (repo / RECORD).read_bytes(), (repo / "CHANGELOG.md").read_bytes()
    second = release(repo, out=tmp_path / "d2")
    assert second.archive.read_bytes() == first.archive.read_bytes()
    assert ((repo / RECORD).read_bytes(), (repo / "CHANGELOG.md").read_bytes()) == (record, changelog)


# --- bump --write --------------------------------------------------------------------------------


def test_bump_write_sets_version_and_created_and_keeps_every_other_byte(repo: Path, tmp_path: Path) -> None:
    _git(repo, "tag", "v0.1.0")
    _add_actor_link(repo)
    before = (repo / "datapackage.json").read_text()
    written = write_bump(open_package(repo), check_bump(open_package(repo)), now="2026-12-01T10:11:12Z")
    assert (written["version"], written["created"]) == ("0.2.0", "2026-12-01T10:11:12Z")
    expected = before.replace('"version": "0.1.0"', '"version": "0.2.0"').replace('"created": "2026-11-25T00:00:00Z"', '"created": "2026-12-01T10:11:12Z"')
    assert (repo / "datapackage.json").read_text() == expected != before
    # A release is then two commands: it passes the version check and is dated by `created`.
    assert _cli("bump", str(repo)).exit_code == 0
    result = release(repo, out=tmp_path / "dist")
    assert result.archive.name == "conflictdata-0.2.0.zip"
    assert "## 0.2.0 — 2026-12-01\n\nChanges since 0.1.0 (a minor release)" in (repo / "CHANGELOG.md").read_text()


def test_bump_write_on_the_command_line(repo: Path) -> None:
    _git(repo, "tag", "v0.1.0")
    _add_actor_link(repo)
    before = (repo / "datapackage.json").read_text()
    result = _cli("bump", str(repo), "--write")
    assert result.exit_code == 0, result.stderr
    after = (repo / "datapackage.json").read_text()
    [created] = re.findall(r'"created": "(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ)"', after)
    assert dt.datetime.strptime(created, "%Y-%m-%dT%H:%M:%SZ")  # whole seconds, UTC
    assert after == before.replace('"0.1.0"', '"0.2.0"').replace("2026-11-25T00:00:00Z", created)
    assert result.stderr.startswith(f"set version 0.2.0 and created {created} in ")
    assert [p.name for p in repo.iterdir() if p.name.startswith(".datapackage")] == []  # nothing staged left behind


def test_bump_write_refuses_a_released_version_with_its_own_data(repo: Path) -> None:
    _git(repo, "tag", "v0.1.0")
    before = (repo / "datapackage.json").read_bytes()
    result = _cli("bump", str(repo), "--write")
    assert result.exit_code == 2 and "0.1.0 is released with these very data: nothing to bump" in result.stderr
    assert (repo / "datapackage.json").read_bytes() == before


def test_bump_write_never_writes_into_the_installed_bundle(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from conflictdata.contract import discovery

    installed = tmp_path / "site-packages/conflictdata"
    bundle = copy_package(installed / "_bundle")
    monkeypatch.setattr(discovery, "__file__", str(installed / "contract/discovery.py"))
    before = (bundle / "datapackage.json").read_bytes()
    result = _cli("bump", str(bundle), "--write")
    assert result.exit_code == 2
    assert "`conflictdata bump --write` never writes there" in result.stderr
    assert (bundle / "datapackage.json").read_bytes() == before


@pytest.mark.parametrize(("text", "expected"), [
    # `created` missing: added on its own line after `version`, with its indentation.
    ('{\n    "name": "x",\n    "version": "1.0.0",\n    "resources": []\n}\n',
     '{\n    "name": "x",\n    "version": "1.1.0",\n    "created": "2026-12-01T00:00:00Z",\n    "resources": []\n}\n'),
    # Nested "version" and "created" keys and a string mentioning them are left alone.
    ('{"sources": [{"version": "9", "created": "x"}], "title": "\\"version\\": \\"1.0.0\\"", "version": "1.0.0", "created": "old"}',
     '{"sources": [{"version": "9", "created": "x"}], "title": "\\"version\\": \\"1.0.0\\"", "version": "1.1.0", "created": "2026-12-01T00:00:00Z"}'),
    ('{"version": "1.0.0"}', '{"version": "1.1.0", "created": "2026-12-01T00:00:00Z"}'),
])
def test_set_version_and_created_keeps_the_rest_of_the_text(text: str, expected: str) -> None:
    assert set_version_and_created(text, "1.1.0", "2026-12-01T00:00:00Z") == expected
    assert json.loads(expected)  # still JSON


# --- --against last-release ----------------------------------------------------------------------


def test_against_last_release_by_tag(repo: Path) -> None:
    _git(repo, "tag", "v0.1.0")
    _drop_stance(repo)
    report = validate(repo, against="last-release")
    assert [(f.rule, f.table, f.value) for f in report.findings] == [("id-vanished", "stances", "STN-0002")]
    result = _cli("diff", "last-release", str(repo), "--format", "json")
    assert result.exit_code == 0 and json.loads(result.stdout)["tables"]["stances"]["removed"] == ["STN-0002"]


def test_against_last_release_by_the_record(repo: Path, tmp_path: Path) -> None:
    release(repo, out=tmp_path / "dist")
    _commit(repo, "Release 0.1.0")
    assert _git(repo, "tag", "--list") == ""
    _drop_stance(repo)
    result = _cli("validate", str(repo), "--against", "last-release", "--format", "json")
    assert result.exit_code == 1
    assert [(f["rule"], f["value"]) for f in json.loads(result.stdout)["findings"]] == [("id-vanished", "STN-0002")]
    # Without .git the record names the release but its data are not here: said so, exit 2.
    copy = tmp_path / "copy"
    shutil.copytree(repo, copy, ignore=shutil.ignore_patterns(".git"))
    with pytest.raises(UnusableInputError, match=r"--against last-release needs the data of 0\.1\.0 \(releases\.json \(commit [0-9a-f]{7}\)\), which are not in this copy"):
        validate(copy, against="last-release")
    assert _cli("validate", str(copy), "--against", "last-release").exit_code == 2


def test_against_last_release_without_any_release_compares_nothing(pkg: Path) -> None:
    report = validate(pkg, against="last-release")
    assert report.valid and report.findings == []
    assert report.notes[-1].startswith("--against last-release: no release yet")
    assert _cli("diff", "last-release", str(pkg)).exit_code == 2


# --- release dates -------------------------------------------------------------------------------


def test_release_refuses_a_date_after_its_own_created(pkg: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(rules.clock, "today", lambda: dt.date(2026, 12, 31))  # not in the future by the clock
    monkeypatch.chdir(pkg)
    stances = pkg / "data/stances.csv"
    stances.write_bytes(stances.read_bytes().replace(b",does_not_deny,2024-10-24,", b",does_not_deny,2026-11-26,"))
    assert validate(pkg).findings == []
    with pytest.raises(InvalidDataError) as caught:
        release(pkg, out=tmp_path / "dist")
    [f] = caught.value.report.findings
    assert (f.severity, f.rule, f.table, f.file, f.line, f.column, f.value) == (
        "error", "after-release-date", "stances", "data/stances.csv", 4, "stance_date", "2026-11-26")
    assert f.message.startswith("2026-11-26 is after the release's date 2026-11-25 ('created' in datapackage.json)")
    result = _cli("release", ".", "--out", str(tmp_path / "dist"))
    assert result.exit_code == 1 and "data/stances.csv:4: error [after-release-date] stance_date" in result.stderr
    assert not (tmp_path / "dist").exists()
