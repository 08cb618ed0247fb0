"""Loading the validated tables as pandas (or polars, or Arrow) frames with the dtypes `schema.py`
documents, and as DuckDB views (`connect`).

`load()` validates first and raises `InvalidDataError` (carrying the findings) rather than hand
out data that breaks the contract; warnings do not stop it. It validates a content once: the
load cache (`distribution.loadcache`) keeps each table as typed Parquet and remembers what
validated, so a second `load()` of unchanged files reads Parquet and checks nothing again.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal, Mapping

from ..contract.package import Package, open_package

if TYPE_CHECKING:
    import duckdb
    import pandas as pd
    import pyarrow as pa

    from ..checking.validated import Validated
    from ..reading.tables import Table

__all__ = ["load", "load_table", "connect", "frames", "BACKENDS"]

Backend = Literal["pandas", "polars", "arrow"]
BACKENDS = ("pandas", "polars", "arrow")


def _to_load_dtypes(table: Table) -> pd.DataFrame:
    import pandas as pd

    from ..contract.schema import pandas_dtype

    # Validation has already checked every constraint: this only sets the dtypes `load()` promises.
    return pd.DataFrame({spec.name: table.frame[spec.name].astype(pandas_dtype(spec, for_load=True)) for spec in table.specs})


def frames(valid: Validated, names: list[str] | None = None) -> dict[str, pd.DataFrame]:
    """The validated tables (all, or those named) as `load()` gives them; KeyError for an unknown name."""
    names = list(valid.tables) if names is None else names
    unknown = [n for n in names if n not in valid.tables]
    if unknown:
        raise KeyError(f"no table named {', '.join(unknown)}; the package has: {', '.join(valid.tables)}")
    return {name: _to_load_dtypes(valid.tables[name]) for name in names}


def load(
    path: str | Path | None = None, *, tables: list[str] | None = None, version: str | None = None,
    validate: bool = True, backend: Backend = "pandas",
) -> Mapping[str, Any]:
    """The package's tables (all, or those named in `tables`) as name → DataFrame.

    `path` is a package folder or its `datapackage.json`; `version` a release, read from the cache,
    where the first use downloads and verifies it from the releases URL (progress on stderr; see
    README, "Releases fetched by version"); not both; the bundled dataset by default.
    `tables`: only these are read (and, with `validate`, the tables their checks look into:
    those their foreign keys reference, and the data-model rules use); ValueError for a name the
    package lacks. `validate=False` skips validation, for data that has just been validated; on
    data that breaks its schema, a cell that does not parse comes back missing (and a required
    column holding one, nullable).
    `backend`: "pandas" (DataFrames), "polars" (polars DataFrames; `pip install conflictdata[polars]`)
    or "arrow" (pyarrow Tables, typed like the built Parquet).

    pandas dtypes: text `string`, enums `category` (categories = the schema's enum, in order),
    integers `int64` if required else `Int64`, numbers `float64`, booleans `boolean`, dates
    `date32[pyarrow]`. polars: `String`, `Enum` (the schema's enum, in order), `Int64`, `Float64`,
    `Boolean`, `Date`.

    Validated once: the first `load()` of a content validates it and keeps each table as typed
    Parquet in the cache (`$CONFLICTDATA_CACHE`, else the user cache folder), recording that this
    exact content (files, schemas, descriptor, archived snapshots, conflictdata's code) validated.
    Later loads of the same content read that Parquet and do not validate again; a changed file
    or damaged entry is noticed by its sha256 and read and validated anew. A cache folder that
    cannot be written only makes every load read the CSV.
    """
    if version is not None:
        if path is not None:
            raise ValueError("give either path or version, not both")
        from ..distribution.download import release_package

        path = release_package(version)
    convert = _converter(backend)
    return {name: convert(arrow) for name, arrow in _typed_tables(path, tables, validate).items()}


def load_table(name: str, path: str | Path | None = None, *, version: str | None = None, validate: bool = True,
               backend: Backend = "pandas") -> Any:
    """One table of the package, validated, as a DataFrame (a polars DataFrame, an Arrow Table by
    `backend`); see `load` for `version`, `validate`, `backend` and the dtypes."""
    return load(path, tables=[name], version=version, validate=validate, backend=backend)[name]


def connect(
    path: str | Path | None = None, *, tables: list[str] | None = None, version: str | None = None, validate: bool = True,
) -> duckdb.DuckDBPyConnection:
    """An in-memory DuckDB connection with the package's tables (all, or those named) as views,
    typed as the built Parquet is: integers `BIGINT`, numbers `DOUBLE`, dates `DATE`, text
    `VARCHAR`, and enums as DuckDB `ENUM`s of the schema's values, in schema order (where DuckDB's
    `read_parquet` gives VARCHAR). Arguments as for `load`.
    Needs duckdb: `pip install conflictdata[duckdb]`."""
    try:
        import duckdb
    except ImportError:
        raise ImportError("conflictdata.connect() needs duckdb: pip install conflictdata[duckdb]") from None
    con = duckdb.connect()
    for name, arrow in load(path, tables=tables, version=version, validate=validate, backend="arrow").items():
        # A view over the Arrow table itself (no copy; the view keeps it alive). DuckDB reads a
        # dictionary column as VARCHAR: the cast makes it the schema's ENUM.
        columns = [f"CAST({_sql_name(s.name)} AS ENUM({', '.join(_sql_text(v) for v in s.enum)})) AS {_sql_name(s.name)}"
                   if s.enum is not None and s.type == "string" else _sql_name(s.name) for s in _specs(arrow)]
        con.from_arrow(arrow).project(", ".join(columns)).create_view(name)
    return con


def _sql_name(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _sql_text(value: Any) -> str:
    return "'" + str(value).replace("'", "''") + "'"


def _converter(backend: str) -> Any:
    if backend == "pandas":
        return _to_pandas
    if backend == "polars":
        try:
            import polars  # noqa: F401
        except ImportError:
            raise ImportError("load(backend='polars') needs polars: pip install conflictdata[polars]") from None
        return _to_polars
    if backend == "arrow":
        return lambda arrow: arrow
    raise ValueError(f"unknown backend {backend!r}; give one of: {', '.join(BACKENDS)}")


def _specs(arrow: pa.Table) -> list[Any]:
    import json

    from ..contract.schema import field_specs
    from ..reading.parquet import SCHEMA_KEY

    return field_specs(json.loads(arrow.schema.metadata[SCHEMA_KEY.encode()]))


def _to_pandas(arrow: pa.Table) -> pd.DataFrame:
    import pandas as pd

    from ..contract.schema import pandas_dtype

    # The file's pandas metadata gives load()'s dtypes; an empty dictionary column comes back
    # with no categories (and unordered categories compare equal in any order), hence the check.
    frame = arrow.to_pandas()
    for spec in _specs(arrow):
        want = pandas_dtype(spec, for_load=True)
        have = frame[spec.name].dtype
        if have != want or (isinstance(want, pd.CategoricalDtype) and list(have.categories) != list(want.categories)):
            frame[spec.name] = frame[spec.name].astype(want)
    return frame


def _to_polars(arrow: pa.Table) -> Any:
    import polars as pl

    frame = pl.from_arrow(arrow)
    enums = [pl.col(s.name).cast(pl.Enum([str(v) for v in s.enum])) for s in _specs(arrow) if s.enum is not None and s.type == "string"]
    return frame.with_columns(enums) if enums else frame


def _typed_tables(path: str | Path | Package | None, names: list[str] | None, validate: bool) -> dict[str, pa.Table]:
    """The tables asked for, typed: from the load cache where it holds this content, else read (and
    validated, unless `validate` is False) and written to it."""
    from ..distribution.loadcache import LoadCache, source_key

    package = path if isinstance(path, Package) else open_package(path)
    if names is None:
        names = list(package.resources)
    unknown = [n for n in names if n not in package.resources]
    if unknown:
        raise ValueError(f"no table named {', '.join(map(str, unknown))}; the package has: {', '.join(package.resources)}")
    cache = LoadCache(package)
    keys: dict[str, str] = {}

    def key_of(name: str) -> str:
        if name not in keys:
            keys[name] = source_key(package.resources[name])
        return keys[name]

    out = {name: cache.get(name, key_of(name)) for name in names}
    if validate and not cache.is_validated(names, key_of):
        from ..checking.validated import files_read, validated

        valid = validated(package, tables=names)
        # A file changed while it was validated: its content is not the one hashed, so what was
        # validated is returned, and neither an entry nor the verdict is recorded.
        unchanged = all(source_key(package.resources[n]) == key_of(n) for n in valid.tables)
        for name in names:
            if out[name] is None or not unchanged:
                out[name] = _arrow(valid.tables[name], package)
                if unchanged:
                    cache.put(name, key_of(name), out[name])
        if unchanged:
            cache.record_validated({n: key_of(n) for n in valid.tables}, files_read(valid.package, valid.tables))
    for name, arrow in out.items():
        if arrow is None:
            from ..reading.tables import read_table

            out[name] = _arrow(read_table(package, package.resources[name]), package)
            cache.put(name, key_of(name), out[name])
    return out


def _arrow(table: Table, package: Package) -> pa.Table:
    from ..reading.parquet import typed_table

    schema = table.resource.schema
    arrow = typed_table(table.frame, schema, name=table.name, version=package.version)
    if any(f.null_count and not arrow.schema.field(i).nullable for i, f in enumerate(arrow.columns)):
        # Only data not validated (validate=False) gets here: a required column has a cell that does
        # not parse, left missing. The table comes back with its columns nullable.
        fields = [{**f, "constraints": {k: v for k, v in (f.get("constraints") or {}).items() if k != "required"}} for f in schema["fields"]]
        relaxed = {k: v for k, v in schema.items() if k != "primaryKey"} | {"fields": fields}
        arrow = typed_table(table.frame, relaxed, name=table.name, version=package.version)
    return arrow
