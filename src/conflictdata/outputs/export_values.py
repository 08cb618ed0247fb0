"""What every export format shares: the validated tables read once, their cells as Python
values, and the marker file of a folder export. Internal to `export`."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Mapping

import pandas as pd

from ..checking.validated import validated
from ..contract.package import Package
from ..contract.schema import FieldSpec, field_specs
from .loading import frames

__all__ = ["ExportResult", "EXPORT_MARKER"]

# The file that marks a folder as a conflictdata export, so a later export may replace the folder.
EXPORT_MARKER = "export.json"


@dataclass(slots=True)
class ExportResult:
    """What an export wrote: where, how many rows per table, and what it left out or changed."""

    format: str
    out: Path
    version: str | None
    rows: dict[str, int] = field(default_factory=dict)
    views: list[str] = field(default_factory=list)
    skipped: dict[str, int] = field(default_factory=dict)  # reason → rows left out
    neutralised: int = 0  # csv-safe: text cells prefixed with '

    def to_dict(self) -> dict[str, Any]:
        return {"format": self.format, "out": str(self.out), "version": self.version, "rows": self.rows,
                "views": self.views, "skipped": self.skipped, "neutralised": self.neutralised}


def _q(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _literal(value: Any) -> str:
    if isinstance(value, str):
        return "'" + value.replace("'", "''") + "'"
    return repr(value)


def _values(col: pd.Series, spec: FieldSpec) -> list[Any]:
    """The column as Python values: None where missing; int, float, bool, datetime.date or str."""
    out = []
    for v in col.astype(object).tolist():
        if v is None or (not isinstance(v, str) and pd.isna(v)):
            out.append(None)
        elif spec.type == "integer":
            out.append(int(v))
        elif spec.type == "number":
            out.append(float(v))
        elif spec.type == "boolean":
            out.append(bool(v))
        elif spec.type == "date":
            out.append(v)
        else:
            out.append(str(v))
    return out


def _columns(frame: pd.DataFrame, specs: list[FieldSpec]) -> dict[str, list[Any]]:
    return {s.name: _values(frame[s.name], s) for s in specs}


def _json_value(v: Any) -> Any:
    return v.isoformat() if hasattr(v, "isoformat") else v


def _records(frame: pd.DataFrame, specs: list[FieldSpec]) -> list[dict[str, Any]]:
    cols = _columns(frame, specs)
    names = [s.name for s in specs]
    return [dict(zip(names, (_json_value(v) for v in row))) for row in zip(*(cols[n] for n in names))]


def _dumps(obj: Any) -> str:
    return json.dumps(obj, ensure_ascii=False, allow_nan=False, separators=(",", ":"))


class _Source:
    """The validated tables with their package, read once per export."""

    def __init__(self, path: str | Path | None) -> None:
        # validated() raises InvalidDataError: invalid data is never exported.
        valid = validated(path)
        self.package: Package = valid.package
        self.tables: Mapping[str, pd.DataFrame] = frames(valid)
        self.specs = {name: field_specs(res.schema) for name, res in self.package.resources.items()}


def _marker(src: _Source, fmt: str, files: dict[str, tuple[str, int]]) -> bytes:
    data = {"format": fmt, "package": src.package.name, "version": src.package.version,
            "tables": {name: {"path": rel, "rows": n} for name, (rel, n) in files.items()}}
    return (json.dumps(data, indent=2, ensure_ascii=False) + "\n").encode("utf-8")
