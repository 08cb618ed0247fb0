"""Copies of the repository's data package for tests that break or reformat one file."""

from __future__ import annotations

import shutil
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent


def copy_package(dst: Path) -> Path:
    """Copy datapackage.json, schema/ and data/ into `dst`; return `dst`."""
    dst.mkdir(parents=True, exist_ok=True)
    shutil.copy2(REPO / "datapackage.json", dst / "datapackage.json")
    shutil.copytree(REPO / "schema", dst / "schema")
    shutil.copytree(REPO / "data", dst / "data")
    return dst


def replace_once(path: Path, old: str, new: str) -> None:
    """Replace `old`, which must occur exactly once in the file, by `new` (bytes kept otherwise)."""
    text = path.read_bytes().decode("utf-8")
    assert text.count(old) == 1, f"{old!r} occurs {text.count(old)} times in {path}"
    path.write_bytes(text.replace(old, new).encode("utf-8"))
