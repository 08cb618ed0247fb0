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

Every export reads the tables once, validated (`checking.validated`, as `load()` does), so invalid data is refused
(`InvalidDataError`) and nothing is written. Writes are atomic: a file is written beside its
target and renamed over it, a folder is built beside its target and swapped in, so an
interrupted export leaves the previous one as it was.
"""

from __future__ import annotations

import csv
import io
import json
import os
import shutil
import sqlite3
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Mapping

import pandas as pd

from ..contract.errors import ConflictDataError, UnusableInputError
from ..checking.validated import validated
from ..contract.package import Package
from ..contract.schema import FieldSpec, arrow_type, field_specs

__all__ = ["export", "ExportResult", "FORMATS", "EXPORT_MARKER", "FORMULA_START", "neutralise", "sqlite_ddl"]

FORMATS = ("sqlite", "duckdb", "geojson", "jsonl", "csv-safe")
# The file that marks a folder as a conflictdata export, so a later export may replace the folder.
EXPORT_MARKER = "export.json"
# OWASP, "CSV Injection": cells starting with these are run as formulas by spreadsheets.
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")

_FOLDER_FORMATS = ("jsonl", "csv-safe")
_SQLITE_TYPES = {"integer": "INTEGER", "number": "REAL", "boolean": "INTEGER", "date": "TEXT", "string": "TEXT"}


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
        from .loading import frames

        # validated() raises InvalidDataError: invalid data is never exported.
        valid = validated(path)
        self.package: Package = valid.package
        self.tables: Mapping[str, pd.DataFrame] = frames(valid)
        self.specs = {name: field_specs(res.schema) for name, res in self.package.resources.items()}


# --- atomic writing ---------------------------------------------------------------------------


def _fsync(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


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
    out.parent.mkdir(parents=True, exist_ok=True)
    tmpdir = Path(tempfile.mkdtemp(prefix=f".{out.name}.tmp-", dir=out.parent))
    try:
        tmp = tmpdir / out.name
        write(tmp)
        _fsync(tmp)
        os.chmod(tmp, 0o644)
        os.replace(tmp, out)
    finally:
        shutil.rmtree(tmpdir, ignore_errors=True)


def _write_folder(out: Path, write: Callable[[Path], None]) -> None:
    """Run `write(tmp)` on a folder beside `out`, then swap it in (a previous export there is replaced)."""
    from ..versions.build import replace_dir

    _check_out(out, folder=True)
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{out.name}.tmp-", dir=out.parent))
    os.chmod(tmp, 0o755)
    try:
        write(tmp)
        replace_dir(tmp, out, marker=EXPORT_MARKER)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise


def _marker(src: _Source, fmt: str, files: dict[str, tuple[str, int]]) -> bytes:
    data = {"format": fmt, "package": src.package.name, "version": src.package.version,
            "tables": {name: {"path": rel, "rows": n} for name, (rel, n) in files.items()}}
    return (json.dumps(data, indent=2, ensure_ascii=False) + "\n").encode("utf-8")


# --- sqlite -----------------------------------------------------------------------------------


def sqlite_ddl(name: str, schema: dict[str, Any], foreign_keys: list[dict[str, Any]]) -> list[str]:
    """CREATE TABLE and CREATE INDEX statements for one resource, derived from its Table Schema.

    `foreign_keys` are the resource's keys as `package.Resource.foreign_keys` gives them.
    """
    specs = field_specs(schema)
    pk = schema.get("primaryKey") or []
    pk = [pk] if isinstance(pk, str) else list(pk)
    lines = []
    for s in specs:
        col = f"{_q(s.name)} {_SQLITE_TYPES.get(s.type, 'TEXT')}"
        if s.required:
            col += " NOT NULL"
        if s.unique and pk != [s.name]:
            col += " UNIQUE"
        if s.type == "boolean":
            col += f" CHECK ({_q(s.name)} IN (0, 1))"
        elif s.enum is not None:
            col += f" CHECK ({_q(s.name)} IN ({', '.join(_literal(v) for v in s.enum)}))"
        comment = " ".join(s.description.split())
        lines.append((col, comment))
    constraints = []
    if pk:
        constraints.append(f"PRIMARY KEY ({', '.join(map(_q, pk))})")
    for fk in foreign_keys:
        constraints.append(f"FOREIGN KEY ({', '.join(map(_q, fk['fields']))}) "
                           f"REFERENCES {_q(fk['resource'])} ({', '.join(map(_q, fk['ref_fields']))})")
    body = []
    for i, (col, comment) in enumerate(lines):
        comma = "," if constraints or i < len(lines) - 1 else ""
        body.append(f"  {col}{comma}" + (f" -- {comment}" if comment else ""))
    body += [f"  {c}{',' if i < len(constraints) - 1 else ''}" for i, c in enumerate(constraints)]
    out = [f"CREATE TABLE {_q(name)} (\n" + "\n".join(body) + "\n)"]
    for fk in foreign_keys:
        index = f"idx_{name}__{'__'.join(fk['fields'])}"
        out.append(f"CREATE INDEX {_q(index)} ON {_q(name)} ({', '.join(map(_q, fk['fields']))})")
    return out


def _sqlite_cell(v: Any) -> Any:
    if isinstance(v, bool):
        return int(v)
    return v.isoformat() if hasattr(v, "isoformat") else v


def _insert_rows(con: Any, name: str, columns: dict[str, list[Any]], convert: Callable[[Any], Any]) -> int:
    """Insert one table's rows (through DB-API `executemany`); return how many."""
    names = list(columns)
    rows = [tuple(convert(v) for v in row) for row in zip(*columns.values())] if names else []
    if rows:
        marks = ", ".join("?" for _ in names)
        con.executemany(f"INSERT INTO {_q(name)} VALUES ({marks})", rows)
    return len(rows)


def _export_sqlite(src: _Source, out: Path, result: ExportResult) -> None:
    from .analysis import VIEWS

    def write(tmp: Path) -> None:
        con = sqlite3.connect(tmp, isolation_level=None)
        try:
            # Built in a private temporary file that is fsynced before it is renamed into place.
            con.execute("PRAGMA journal_mode=OFF")
            con.execute("PRAGMA synchronous=OFF")
            con.execute("BEGIN")
            for name, res in src.package.resources.items():
                for stmt in sqlite_ddl(name, res.schema, res.foreign_keys):
                    con.execute(stmt)
            for name in src.package.resources:
                result.rows[name] = _insert_rows(con, name, _columns(src.tables[name], src.specs[name]), _sqlite_cell)
            for view, spec in VIEWS.items():
                if {spec.base, *(j.table for j in spec.joins)} <= set(src.tables):
                    con.execute(f"CREATE VIEW {_q(view)} AS\n{spec.sql(src.tables)}")
                    result.views.append(view)
            con.execute("COMMIT")
            con.execute("PRAGMA foreign_keys=ON")
            broken = con.execute("PRAGMA foreign_key_check").fetchall()
            if broken:
                raise ConflictDataError(f"sqlite export: {len(broken)} foreign key(s) do not resolve, first: {broken[0]}")
        finally:
            con.close()

    _write_file(out, write)


# --- duckdb -----------------------------------------------------------------------------------


def _duckdb_type(spec: FieldSpec) -> str:
    import pyarrow as pa

    return {pa.int64(): "BIGINT", pa.float64(): "DOUBLE", pa.bool_(): "BOOLEAN", pa.date32(): "DATE"}.get(arrow_type(spec), "VARCHAR")


def _export_duckdb(src: _Source, out: Path, result: ExportResult) -> None:
    try:
        import duckdb
    except ImportError:
        raise UnusableInputError('the duckdb export needs the duckdb package: pip install "conflictdata[export]"') from None
    import pyarrow as pa

    from .analysis import VIEWS

    def write(tmp: Path) -> None:
        con = duckdb.connect(str(tmp))
        try:
            for name, res in src.package.resources.items():
                specs = src.specs[name]
                cols = [f"{_q(s.name)} {_duckdb_type(s)}{' NOT NULL' if s.required else ''}" for s in specs]
                if res.primary_key:
                    cols.append(f"PRIMARY KEY ({', '.join(map(_q, res.primary_key))})")
                con.execute(f"CREATE TABLE {_q(name)} ({', '.join(cols)})")
                if res.descriptor.get("description"):
                    con.execute(f"COMMENT ON TABLE {_q(name)} IS {_literal(res.descriptor['description'])}")
                for s in specs:
                    if s.description:
                        con.execute(f"COMMENT ON COLUMN {_q(name)}.{_q(s.name)} IS {_literal(s.description)}")
                columns = _columns(src.tables[name], specs)
                arrow = pa.table({s.name: pa.array(columns[s.name], type=arrow_type(s)) for s in specs})
                con.register("conflictdata_incoming", arrow)
                con.execute(f"INSERT INTO {_q(name)} SELECT * FROM conflictdata_incoming")
                con.unregister("conflictdata_incoming")
                result.rows[name] = arrow.num_rows
            for view, spec in VIEWS.items():
                if {spec.base, *(j.table for j in spec.joins)} <= set(src.tables):
                    con.execute(f"CREATE VIEW {_q(view)} AS\n{spec.sql(src.tables)}")
                    con.execute(f"COMMENT ON VIEW {_q(view)} IS {_literal(spec.description)}")
                    result.views.append(view)
            con.execute("CHECKPOINT")
        finally:
            con.close()

    _write_file(out, write)


# --- geojson ----------------------------------------------------------------------------------


def _export_geojson(src: _Source, out: Path, result: ExportResult) -> None:
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
    _write_file(out, lambda tmp: tmp.write_bytes(data))


# --- jsonl ------------------------------------------------------------------------------------


def _export_jsonl(src: _Source, out: Path, result: ExportResult) -> None:
    def write(tmp: Path) -> None:
        files = {}
        for name in src.package.resources:
            records = _records(src.tables[name], src.specs[name])
            (tmp / f"{name}.jsonl").write_text("".join(_dumps(r) + "\n" for r in records), encoding="utf-8")
            files[name] = (f"{name}.jsonl", len(records))
            result.rows[name] = len(records)
        (tmp / EXPORT_MARKER).write_bytes(_marker(src, "jsonl", files))

    _write_folder(out, write)


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


def _export_csv_safe(src: _Source, out: Path, result: ExportResult) -> None:
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

    _write_folder(out, write)


_WRITERS: dict[str, Callable[[_Source, Path, ExportResult], None]] = {
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
    _WRITERS[to](src, out, result)
    return result
