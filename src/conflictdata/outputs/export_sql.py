"""The SQL database exports: SQLite (with the schema's keys and checks) and DuckDB.

Each returns the function that writes the database file; `export` runs it atomically.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path
from typing import Any, Callable

from ..contract.errors import ConflictDataError, UnusableInputError
from ..contract.schema import FieldSpec, arrow_type, field_specs
from .export_values import ExportResult, _columns, _literal, _q, _Source

__all__ = ["sqlite_ddl"]

_SQLITE_TYPES = {"integer": "INTEGER", "number": "REAL", "boolean": "INTEGER", "date": "TEXT", "string": "TEXT"}


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


def _export_sqlite(src: _Source, result: ExportResult) -> Callable[[Path], None]:
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

    return write


# --- duckdb -----------------------------------------------------------------------------------


def _duckdb_type(spec: FieldSpec) -> str:
    import pyarrow as pa

    return {pa.int64(): "BIGINT", pa.float64(): "DOUBLE", pa.bool_(): "BOOLEAN", pa.date32(): "DATE"}.get(arrow_type(spec), "VARCHAR")


def _export_duckdb(src: _Source, result: ExportResult) -> Callable[[Path], None]:
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

    return write
