"""Semantic versions of the dataset, following the Data Package "version" recipe.

MAJOR: a column removed, renamed or retyped, a constraint tightened, an id vanished.
MINOR: new rows, columns or tables, retractions, a constraint loosened.
PATCH: corrections of existing values and of metadata.
"""

from __future__ import annotations

import re

__all__ = ["parse_version", "bump_version", "LEVELS", "max_level"]

LEVELS = ("patch", "minor", "major")
_SEMVER = re.compile(r"^(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)$")


def parse_version(text: str) -> tuple[int, int, int]:
    m = _SEMVER.match(text or "")
    if not m:
        raise ValueError(f"{text!r} is not a version MAJOR.MINOR.PATCH (e.g. 1.4.0)")
    return int(m[1]), int(m[2]), int(m[3])


def bump_version(version: str, level: str | None) -> str:
    """The smallest version after `version` that a change of `level` requires (itself for None)."""
    major, minor, patch = parse_version(version)
    if level == "major":
        return f"{major + 1}.0.0"
    if level == "minor":
        return f"{major}.{minor + 1}.0"
    if level == "patch":
        return f"{major}.{minor}.{patch + 1}"
    return version


def max_level(levels: list[str | None]) -> str | None:
    present = [lv for lv in levels if lv]
    return max(present, key=LEVELS.index) if present else None
