"""Rewriting the CSV files of a package into canonical form (`conflictdata fmt`).

What canonical means, and the findings where a file is not in it, is `checking.canonical`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from ..checking.canonical import blocking, canonical_bytes
from ..contract.atomic import write_many_atomic
from ..contract.discovery import writable_package
from ..contract.package import Package, open_package

__all__ = ["format_package", "FormatResult"]


@dataclass(slots=True)
class FormatResult:
    """What `format_package` did (or, with check=True, would do)."""

    changed: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    skipped: dict[str, str] = field(default_factory=dict)

    def to_dict(self) -> dict[str, object]:
        return {"changed": self.changed, "unchanged": self.unchanged, "skipped": self.skipped}



def format_package(path: str | Path | None = None, *, check: bool = False) -> FormatResult:
    """Rewrite every CSV resource of the package in canonical form (only report, with `check`)."""
    package = open_package(path)
    if check:
        return _format(package, check=True)
    writable_package(package.root, command="fmt")
    from .lock import package_lock

    # Held from the read to the last rename, so a concurrent `add` or import is not overwritten.
    with package_lock(package.root):
        return _format(open_package(path), check=False)


def _format(package: Package, *, check: bool) -> FormatResult:
    from ..checking.validation import read_tables

    result = FormatResult()
    rewrites = {}
    for t in read_tables(package).values():
        if t.resource.format != "csv" or len(t.resource.paths) != 1:
            continue
        reason = blocking(t)
        if reason:
            result.skipped[t.file] = reason
            continue
        wanted = canonical_bytes(t)
        if t.resource.path.read_bytes() == wanted:
            result.unchanged.append(t.file)
            continue
        result.changed.append(t.file)
        rewrites[t.resource.path] = wanted
    if not check:
        # One fmt run is one change: every file is staged before any is replaced.
        write_many_atomic(rewrites)
    return result
