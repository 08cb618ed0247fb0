"""Exceptions that cross the library boundary; the CLI turns each into a message and an exit code."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .findings import Report

__all__ = ["ConflictDataError", "UnusableInputError", "UnsafeInputError", "InvalidDataError", "IntegrityError"]


class ConflictDataError(Exception):
    """Base class of every error conflictdata raises on purpose."""


class UnusableInputError(ConflictDataError):
    """The input cannot be read at all (no such path, a descriptor that is not JSON...): exit 2."""


class UnsafeInputError(UnusableInputError):
    """A path that would leave the package (absolute, `..`, a symlink) or a URL to fetch: refused on
    purpose, whatever else the descriptor says (exit 2)."""


class InvalidDataError(ConflictDataError):
    """The data was read but breaks the contract; `report` carries every finding."""

    def __init__(self, report: Report) -> None:
        self.report = report
        first = report.errors[0] if report.errors else None
        where = f" first: {first.file}:{first.line} {first.rule}: {first.message}" if first else ""
        super().__init__(
            f"{report.package}: {len(report.errors)} error(s), {len(report.warnings)} warning(s);{where}"
        )


class IntegrityError(ConflictDataError):
    """A release failed verification (checksum mismatch) or its archive is unsafe to extract: exit 1."""
