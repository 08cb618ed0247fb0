"""The dataset ships inside the installed package, identical to the repository's files."""

from __future__ import annotations

from pathlib import Path

import pytest

from conflictdata.contract.discovery import bundled_root
from pkgcopy import REPO


def _files(root: Path) -> dict[str, bytes]:
    out = {"datapackage.json": (root / "datapackage.json").read_bytes()}
    for folder in ("schema", "data"):
        for p in sorted((root / folder).rglob("*")):
            if p.is_file():
                out[str(p.relative_to(root))] = p.read_bytes()
    return out


def test_bundled_dataset_is_the_repository_dataset() -> None:
    # Under `pip install .` (CI) the bundle is the installed copy; under an editable install it is
    # the checkout itself, and comparing it with itself would prove nothing.
    if bundled_root().resolve() == REPO.resolve():
        pytest.skip("editable install: the bundled dataset is this checkout itself; "
                    "test_installed_wheel_carries_the_dataset_inside_the_package checks a real wheel")
    assert _files(bundled_root()) == _files(REPO)


def test_installed_wheel_carries_the_dataset_inside_the_package(installed_wheel) -> None:
    import subprocess

    code = "from conflictdata.contract.discovery import bundled_root; print(bundled_root())"
    where = subprocess.run([str(installed_wheel.python), "-c", code], env=installed_wheel.env, capture_output=True,
                           text=True, timeout=60, check=True).stdout.strip()
    assert Path(where) == installed_wheel.package_dir / "_bundle"
    assert _files(Path(where)) == _files(REPO)
