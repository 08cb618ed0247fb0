"""Built Parquet files carry the contract's types to readers without conflictdata: pandas,
pyarrow, polars and DuckDB each read them with the types the README lists."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

import conflictdata
from conflictdata.versions.build import build
from conflictdata.contract.package import open_package
from conflictdata.contract.schema import FieldSpec, field_specs, pandas_dtype

# The README's table: Table Schema type → what each reader gives.
POLARS = {"string": "String", "integer": "Int64", "number": "Float64", "boolean": "Boolean", "date": "Date"}
DUCKDB = {"string": "VARCHAR", "integer": "BIGINT", "number": "DOUBLE", "boolean": "BOOLEAN", "date": "DATE"}


def _is_enum(spec: FieldSpec) -> bool:
    return spec.enum is not None and spec.type == "string"


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build(None, tmp_path_factory.mktemp("b") / "out").out


@pytest.fixture(scope="module")
def tables() -> dict[str, list[FieldSpec]]:
    return {name: field_specs(res.schema) for name, res in open_package(None).resources.items()}


def test_pandas_read_parquet_gives_the_dtypes_and_values_load_gives(built: Path, tables: dict[str, list[FieldSpec]]) -> None:
    loaded = conflictdata.load()
    for name, specs in tables.items():
        frame = pd.read_parquet(built / f"data/{name}.parquet")
        for spec in specs:
            want = pandas_dtype(spec, for_load=True)
            if _is_enum(spec) and frame.empty:
                # Parquet keeps a dictionary only with values: a table without rows has no categories.
                assert isinstance(frame[spec.name].dtype, pd.CategoricalDtype), (name, spec.name)
            else:
                assert frame[spec.name].dtype == want, (name, spec.name, frame[spec.name].dtype, want)
        key = open_package(None).resources[name].primary_key
        mine = loaded[name].sort_values(key).reset_index(drop=True)
        if not frame.empty:
            pd.testing.assert_frame_equal(frame.sort_values(key).reset_index(drop=True), mine)
    claims = pd.read_parquet(built / "data/casualty_claims.parquet")
    assert str(claims["value_low"].dtype) == "Int64" and str(claims["statement_date"].dtype) == "date32[day][pyarrow]"
    assert list(claims["measure"].cat.categories) == list(next(s for s in tables["casualty_claims"] if s.name == "measure").enum)


def test_pyarrow_reads_enums_as_dictionaries_of_the_whole_enum_in_schema_order(built: Path, tables: dict[str, list[FieldSpec]]) -> None:
    for name, specs in tables.items():
        table = pq.read_table(built / f"data/{name}.parquet")
        for spec in specs:
            field = table.schema.field(spec.name)
            assert field.metadata[b"description"] == spec.description.encode()
            assert field.nullable is not spec.required
            if not _is_enum(spec):
                continue
            assert field.type == pa.dictionary(pa.int32(), pa.string()), (name, spec.name)
            if table.num_rows:
                assert [c.dictionary.to_pylist() for c in table.column(spec.name).chunks] == [list(spec.enum)] * table.column(spec.name).num_chunks


def test_polars_reads_enums_as_categoricals_and_keeps_integers_and_dates(built: Path, tables: dict[str, list[FieldSpec]]) -> None:
    pl = pytest.importorskip("polars")
    for name, specs in tables.items():
        schema = pl.read_parquet(built / f"data/{name}.parquet").schema
        got = {k: str(v) for k, v in schema.items()}
        assert got == {s.name: "Categorical" if _is_enum(s) else POLARS[s.type] for s in specs}, name


def test_duckdb_read_parquet_gives_sql_types(built: Path, tables: dict[str, list[FieldSpec]]) -> None:
    duckdb = pytest.importorskip("duckdb")
    for name, specs in tables.items():
        rows = duckdb.sql(f"DESCRIBE SELECT * FROM read_parquet('{built / f'data/{name}.parquet'}')").fetchall()
        assert {r[0]: r[1] for r in rows} == {s.name: DUCKDB[s.type] for s in specs}, name
    value_low = duckdb.sql(f"SELECT max(value_low) FROM read_parquet('{built / 'data/casualty_claims.parquet'}')").fetchall()[0][0]
    assert isinstance(value_low, int)
