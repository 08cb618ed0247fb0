"""Exports of the validated tables for the tools analysts use (`conflictdata export`).

Formats (`FORMATS`):

- `sqlite`: one SQLite file, one table per resource; column types from the Table Schema types
  (integer → INTEGER, number → REAL, boolean → INTEGER 0/1, date → TEXT `YYYY-MM-DD`,
  string → TEXT), NOT NULL for required fields, CHECKs for enums and booleans, the schema's
  primary and foreign keys (self-references too) with an index on every foreign key, and the
  views of `analysis.VIEWS`. `PRAGMA foreign_key_check` is run before the file is handed out.
  `datasette FILE` browses it, with joins.
- `duckdb`: one DuckDB file with the tables (types from `schema.arrow_type`, primary keys, NOT
  NULL, table and column comments from the schema's descriptions) and the views of
  `analysis.VIEWS` (`claims_named`, `events_with_actors`, `events_with_sources`). Foreign keys are
  not declared there: DuckDB would then refuse later deletes of referenced rows in the analyst's
  copy; the SQLite export declares them. Needs the `export` extra (`pip install "conflictdata[export]"`).
- `geojson`: the events that have coordinates, as an RFC 7946 FeatureCollection of Points
  ([longitude, latitude]); properties are the event row (dates as ISO strings, missing as null).
  Events without coordinates are left out and counted in the result.
- `jsonl`: a folder with one `<table>.jsonl` per table, one JSON object per row (columns in
  schema order, missing as null, dates as ISO strings), and `export.json` listing the files.
- `csv-safe`: a folder of CSV files for spreadsheets (UTF-8 with a byte order mark so Excel reads
  the accents, CRLF line ends), where a text cell a spreadsheet would run as a formula (starting
  with `=`, `+`, `-`, `@`, tab or CR) is prefixed with `'` (OWASP's CSV injection advice). Only
  text cells are changed: `-5` in an integer column stays the number -5. The package's own CSV
  files are never touched and stay exact.

Every export reads the tables once, validated (`checking.validated`, as `load()` does), so
invalid data is refused (`InvalidDataError`) and nothing is written. Writes are atomic: a file
is written beside its target and renamed over it, a folder is built beside its target and
swapped in, so an interrupted export leaves the previous one as it was.

The formats live in `export_sql` (sqlite, duckdb) and `export_files` (geojson, jsonl,
csv-safe), on the shared ground of `export_values`; each returns the function that writes its
file or folder, and this module runs it atomically.
"""

from __future__ import annotations

from pathlib import Path
from typing import Callable

from ..contract.atomic import write_dir_atomic, write_file_atomic
from ..contract.errors import UnusableInputError
from .export_files import FORMULA_START, _export_csv_safe, _export_geojson, _export_jsonl, neutralise
from .export_sql import _export_duckdb, _export_sqlite, sqlite_ddl
from .export_values import EXPORT_MARKER, ExportResult, _Source

__all__ = ["export", "ExportResult", "FORMATS", "EXPORT_MARKER", "FORMULA_START", "neutralise", "sqlite_ddl"]

FORMATS = ("sqlite", "duckdb", "geojson", "jsonl", "csv-safe")

_FOLDER_FORMATS = ("jsonl", "csv-safe")


# --- atomic writing ---------------------------------------------------------------------------


def _check_out(out: Path, *, folder: bool) -> None:
    """Refuse an `out` the export must not replace (checked before the work, and again by replace_dir)."""
    if not folder and out.is_dir():
        raise UnusableInputError(f"{out}: is a folder; this format writes one file, give a file name to --out")
    if folder and out.exists() and (not out.is_dir() or (any(out.iterdir()) and not (out / EXPORT_MARKER).is_file())):
        # A mistyped --out never deletes someone's files.
        raise UnusableInputError(f"{out}: exists and is not an empty folder or a previous export (no {EXPORT_MARKER}); "
                                 "choose another --out or remove it")


def _write_file(out: Path, write: Callable[[Path], None]) -> None:
    """Run `write(tmp)` on a path beside `out`, then rename the finished file over `out`."""
    _check_out(out, folder=False)
    write_file_atomic(out, write)


def _write_folder(out: Path, write: Callable[[Path], None]) -> None:
    """Run `write(tmp)` on a folder beside `out`, then swap it in (a previous export there is replaced)."""
    _check_out(out, folder=True)
    write_dir_atomic(out, write, marker=EXPORT_MARKER)


_WRITERS: dict[str, Callable[[_Source, ExportResult], Callable[[Path], None]]] = {
    "sqlite": _export_sqlite,
    "duckdb": _export_duckdb,
    "geojson": _export_geojson,
    "jsonl": _export_jsonl,
    "csv-safe": _export_csv_safe,
}


def export(to: str, out: str | Path, path: str | Path | None = None) -> ExportResult:
    """Export the validated package at `path` (the bundled dataset by default) as `to` into `out`.

    `to` is one of `FORMATS`. `out` is a file for sqlite, duckdb and geojson, a folder for jsonl
    and csv-safe (a folder that exists must be empty or a previous export). Raises
    `InvalidDataError` for invalid data (nothing is written), `UnusableInputError` for an unknown
    format, an unreadable package or an `out` that cannot be used.
    """
    if to not in _WRITERS:
        raise UnusableInputError(f"unknown export format {to!r}; choose one of: {', '.join(FORMATS)}")
    out = Path(out)
    _check_out(out, folder=to in _FOLDER_FORMATS)
    src = _Source(path)
    result = ExportResult(format=to, out=out, version=src.package.version)
    write = _WRITERS[to](src, result)
    (_write_folder if to in _FOLDER_FORMATS else _write_file)(out, write)
    return result
