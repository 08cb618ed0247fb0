"""Parquet resources are validated with the same checks as CSV, plus their stored types."""

from __future__ import annotations

import json
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

from conflictdata.contract.package import open_package
from conflictdata.contract.schema import arrow_schema
from conflictdata.checking.validation import read_tables
from conflictdata.versions.history import validate
from pkgcopy import copy_package


def _to_parquet(pkg: Path, name: str, table: pa.Table) -> None:
    pq.write_table(table, pkg / f"data/{name}.parquet")
    descriptor = json.loads((pkg / "datapackage.json").read_text())
    for res in descriptor["resources"]:
        if res["name"] == name:
            res.update(path=f"data/{name}.parquet", format="parquet", mediatype="application/vnd.apache.parquet")
            del res["encoding"]
    (pkg / "datapackage.json").write_text(json.dumps(descriptor))


def _typed_table(pkg: Path, name: str) -> pa.Table:
    package = open_package(pkg)
    frame = read_tables(package)[name].frame
    return pa.Table.from_pandas(frame, schema=arrow_schema(package.resources[name].schema), preserve_index=False)


def test_a_parquet_copy_of_valid_data_is_valid(tmp_path: Path) -> None:
    pkg = copy_package(tmp_path / "pkg")
    table = _typed_table(pkg, "casualty_claims")
    _to_parquet(pkg, "casualty_claims", table)
    report = validate(pkg)
    assert report.findings == []
    assert report.rows["casualty_claims"] == table.num_rows == 1


def test_parquet_with_a_wrong_column_type_and_a_bad_value(tmp_path: Path) -> None:
    pkg = copy_package(tmp_path / "pkg")
    table = _typed_table(pkg, "casualty_claims")
    i = table.schema.get_field_index("value_low")
    # CLM-0001 (the first row) gets -1; every other row keeps its value, as a string.
    values = ["-1"] + [None if v is None else str(v) for v in table.column(i).to_pylist()[1:]]
    table = table.set_column(i, "value_low", pa.array(values, type=pa.string()))
    _to_parquet(pkg, "casualty_claims", table)
    findings = [(f.rule, f.table, f.line, f.column, f.value) for f in validate(pkg).findings]
    assert findings == [
        ("minimum", "casualty_claims", None, "value_low", "-1"),
        ("parquet-type", "casualty_claims", None, "value_low", "string"),
    ]


def test_a_truncated_parquet_file_is_a_finding_not_a_crash(tmp_path: Path) -> None:
    pkg = copy_package(tmp_path / "pkg")
    _to_parquet(pkg, "stances", _typed_table(pkg, "stances"))
    path = pkg / "data/stances.parquet"
    path.write_bytes(path.read_bytes()[:100])
    findings = [(f.rule, f.table) for f in validate(pkg).findings if f.table == "stances"]
    assert findings == [("parquet", "stances")]


def _built_table(pkg: Path, name: str) -> pa.Table:
    from conflictdata.reading.parquet import typed_table

    package = open_package(pkg)
    return typed_table(read_tables(package)[name].frame, package.resources[name].schema, name=name, version=package.version)


def test_enum_dictionary_columns_as_the_build_writes_them_are_valid(tmp_path: Path) -> None:
    pkg = copy_package(tmp_path / "pkg")
    table = _built_table(pkg, "casualty_claims")
    assert pa.types.is_dictionary(table.schema.field("measure").type)
    _to_parquet(pkg, "casualty_claims", table)
    assert validate(pkg).findings == []


def test_a_value_outside_the_enum_in_a_dictionary_column_is_an_enum_finding(tmp_path: Path) -> None:
    pkg = copy_package(tmp_path / "pkg")
    table = _built_table(pkg, "casualty_claims")
    i = table.schema.get_field_index("measure")
    values = ["kiled"] + table.column(i).to_pylist()[1:]
    table = table.set_column(i, table.schema.field(i), pa.array(values).dictionary_encode())
    _to_parquet(pkg, "casualty_claims", table)
    findings = [(f.rule, f.column, f.value) for f in validate(pkg).findings]
    assert findings == [("enum", "measure", "kiled")]


def test_a_dictionary_column_of_the_wrong_value_type_is_a_parquet_type_finding(tmp_path: Path) -> None:
    pkg = copy_package(tmp_path / "pkg")
    table = _typed_table(pkg, "stances")
    i = table.schema.get_field_index("stance_date")
    table = table.set_column(i, "stance_date", pa.array([None if v is None else str(v) for v in table.column(i).to_pylist()]).dictionary_encode())
    _to_parquet(pkg, "stances", table)
    findings = [(f.rule, f.column, f.value) for f in validate(pkg).findings]
    assert findings == [("parquet-type", "stance_date", "dictionary<values=string, indices=int32, ordered=0>")]


def test_built_parquet_read_in_batches_gives_the_findings_of_a_whole_read(tmp_path: Path, monkeypatch) -> None:
    import conflictdata.reading.stream as stream

    pkg = copy_package(tmp_path / "pkg", full=True)
    table = _built_table(pkg, "casualty_claims")
    i = table.schema.get_field_index("measure")
    values = table.column(i).to_pylist()
    values[-1] = "kiled"  # in the last batch, whose dictionary differs from the first's
    table = table.set_column(i, table.schema.field(i), pa.array(values).dictionary_encode())
    _to_parquet(pkg, "casualty_claims", table)
    whole = [(f.rule, f.column, f.value, f.row) for f in validate(pkg).findings if f.table == "casualty_claims"]
    monkeypatch.setattr(stream, "STREAM_MIN_ROWS", 1)
    monkeypatch.setattr(stream, "PARQUET_BATCH_ROWS", 1000)
    batches = [(f.rule, f.column, f.value, f.row) for f in validate(pkg).findings if f.table == "casualty_claims"]
    assert ("enum", "measure", "kiled", len(values) + 1) in whole  # rows numbered as frictionless does: the first is 2
    assert sorted(batches, key=str) == sorted(whole, key=str)
