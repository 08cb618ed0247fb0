"""Commands that write several files (import, release) change all of them or none."""

from __future__ import annotations

from pathlib import Path

import pytest

from conflictdata.contract import atomic
from pkgcopy import copy_package, fail_on_second_stage

SHARED = Path(__file__).resolve().parents[1].parent / "shared/data"
GED = SHARED / "ucdp-ged-ukraine-v22/conflict_data_ukr.csv"


def _tree(root: Path) -> dict[str, bytes]:
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


def test_write_many_atomic_changes_nothing_when_staging_fails(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    a, b = tmp_path / "a.txt", tmp_path / "b.txt"
    a.write_text("old a")
    b.write_text("old b")
    fail_on_second_stage(monkeypatch)
    with pytest.raises(OSError):
        atomic.write_many_atomic({a: b"new a", b: b"new b"})
    assert _tree(tmp_path) == {"a.txt": b"old a", "b.txt": b"old b"}  # no temporary file left either


@pytest.mark.skipif(not GED.exists(), reason="../shared/data is not present")
def test_an_import_failing_midway_leaves_every_table_as_it_was(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from conflictdata.importers.ucdp import import_ucdp_ged

    pkg = copy_package(tmp_path / "pkg")
    before = _tree(pkg)
    fail_on_second_stage(monkeypatch)
    with pytest.raises(OSError):
        import_ucdp_ged(GED, package_path=pkg)
    assert _tree(pkg) == before


def test_a_release_failing_midway_leaves_no_archive_without_its_checksum(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from conflictdata.versions.release import release

    pkg = copy_package(tmp_path / "pkg")
    first = release(pkg, out=tmp_path / "dist")
    before_dist, before_pkg = _tree(tmp_path / "dist"), _tree(pkg)
    (pkg / "data/event_actors.csv").write_text(
        (pkg / "data/event_actors.csv").read_text() + "EVT-0003,ACT-PRK-AF,supporter,alleged\n")
    import json

    from conflictdata.versions.semver import bump_version

    d = json.loads((pkg / "datapackage.json").read_text())
    d["version"] = bump_version(d["version"], "minor")
    (pkg / "datapackage.json").write_text(json.dumps(d))
    before_pkg = _tree(pkg)
    fail_on_second_stage(monkeypatch)
    with pytest.raises(OSError):
        release(pkg, against=first.archive, out=tmp_path / "dist")
    assert _tree(tmp_path / "dist") == before_dist
    assert _tree(pkg) == before_pkg  # CHANGELOG.md untouched too
