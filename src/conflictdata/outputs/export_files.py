"""The file exports: GeoJSON events, JSON Lines tables and spreadsheet-safe CSV.

Each returns the function that writes the file (geojson) or fills the folder (jsonl,
csv-safe); `export` runs it atomically.
"""

from __future__ import annotations

import csv
import io
from pathlib import Path
from typing import Any, Callable

from ..contract.schema import FieldSpec
from .export_values import EXPORT_MARKER, ExportResult, _columns, _dumps, _marker, _records, _Source

__all__ = ["FORMULA_START", "neutralise"]

# OWASP, "CSV Injection": cells starting with these are run as formulas by spreadsheets.
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


# --- geojson ----------------------------------------------------------------------------------


def _export_geojson(src: _Source, result: ExportResult) -> Callable[[Path], None]:
    events = src.tables["events"]
    records = _records(events, src.specs["events"])
    features = []
    for row in records:
        lon, lat = row.get("longitude"), row.get("latitude")
        if lon is None or lat is None:
            continue
        features.append({"type": "Feature", "id": row["event_id"],
                         "geometry": {"type": "Point", "coordinates": [lon, lat]}, "properties": row})
    result.rows["events"] = len(features)
    skipped = len(records) - len(features)
    if skipped:
        result.skipped["events without coordinates"] = skipped
    # One feature per line: still one JSON document, but diffable and greppable.
    text = '{"type":"FeatureCollection","features":[\n' + ",\n".join(_dumps(f) for f in features) + "\n]}\n"
    data = text.encode("utf-8")
    return lambda tmp: tmp.write_bytes(data)


# --- jsonl ------------------------------------------------------------------------------------


def _export_jsonl(src: _Source, result: ExportResult) -> Callable[[Path], None]:
    def write(tmp: Path) -> None:
        files = {}
        for name in src.package.resources:
            records = _records(src.tables[name], src.specs[name])
            (tmp / f"{name}.jsonl").write_text("".join(_dumps(r) + "\n" for r in records), encoding="utf-8")
            files[name] = (f"{name}.jsonl", len(records))
            result.rows[name] = len(records)
        (tmp / EXPORT_MARKER).write_bytes(_marker(src, "jsonl", files))

    return write


# --- csv-safe ---------------------------------------------------------------------------------


def neutralise(text: str) -> str:
    """`text` made inert for a spreadsheet: prefixed with `'` when it starts like a formula."""
    return "'" + text if text.startswith(FORMULA_START) else text


def _csv_cell(v: Any, spec: FieldSpec) -> tuple[str, bool]:
    """The cell's text and whether it was neutralised (only text cells ever are)."""
    if v is None:
        return "", False
    if spec.type == "boolean":
        return ("true" if v else "false"), False
    if spec.type in ("integer", "number", "date"):
        return (v.isoformat() if spec.type == "date" else repr(v)), False
    safe = neutralise(v)
    return safe, safe != v


def _export_csv_safe(src: _Source, result: ExportResult) -> Callable[[Path], None]:
    def write(tmp: Path) -> None:
        files = {}
        for name in src.package.resources:
            specs = src.specs[name]
            columns = _columns(src.tables[name], specs)
            buf = io.StringIO()
            writer = csv.writer(buf, lineterminator="\r\n")
            writer.writerow([s.name for s in specs])
            n = 0
            for row in zip(*(columns[s.name] for s in specs)):
                cells = [_csv_cell(v, s) for v, s in zip(row, specs)]
                result.neutralised += sum(changed for _, changed in cells)
                writer.writerow([text for text, _ in cells])
                n += 1
            (tmp / f"{name}.csv").write_bytes(buf.getvalue().encode("utf-8-sig"))
            files[name] = (f"{name}.csv", n)
            result.rows[name] = n
        (tmp / EXPORT_MARKER).write_bytes(_marker(src, "csv-safe", files))

    return write
