"""The dataset ships inside the installed package, identical to the repository's files."""

from __future__ import annotations

from pathlib import Path

import pytest

import conflictdata
from conflictdata.package import bundled_root
from pkgcopy import REPO


def _files(root: Path) -> dict[str, bytes]:
    out = {"datapackage.json": (root / "datapackage.json").read_bytes()}
    for folder in ("schema", "data"):
        for p in sorted((root / folder).rglob("*")):
            if p.is_file():
                out[str(p.relative_to(root))] = p.read_bytes()
    return out


def test_bundled_dataset_is_the_repository_dataset() -> None:
    assert _files(bundled_root()) == _files(REPO)


def test_installed_wheel_carries_the_dataset_inside_the_package() -> None:
    package_dir = Path(conflictdata.__file__).resolve().parent
    if package_dir.parent.parent == REPO:
        pytest.skip("editable install: the bundle is the checkout itself")
    assert bundled_root() == package_dir / "_bundle"
