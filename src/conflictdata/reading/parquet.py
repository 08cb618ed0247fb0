"""Parquet resources: the typed Arrow table the build writes, and reading Parquet back into the
same string view as CSV, so one set of checks applies.

Built files carry their own types for readers without conflictdata: enums are dictionary columns
whose dictionary is the schema's enum in schema order, pyarrow's `pandas` metadata makes a plain
`pd.read_parquet` give the dtypes `load()` gives (`Int64`, `category`, `date32[pyarrow]`), and the
Table Schema and package version sit in the file's key-value metadata. Reading reports a column
whose stored type differs from the schema's (a dictionary column counts as its value type), then
checks the values themselves.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pandas as pd
import pyarrow as pa

from ..contract.findings import Finding
from ..contract.package import Resource
from ..contract.schema import FieldSpec, arrow_type, field_specs, pandas_dtype, parquet_schema, parquet_type

__all__ = ["typed_table", "read_parquet_strings", "read_parquet_slice", "iter_parquet_strings", "parquet_rows", "SCHEMA_KEY", "TABLE_KEY", "VERSION_KEY"]

TABLE_KEY = "conflictdata:table"
SCHEMA_KEY = "conflictdata:schema"
VERSION_KEY = "conflictdata:version"


def _column(values: pd.Series, spec: FieldSpec) -> pa.Array:
    kind = parquet_type(spec)
    if pa.types.is_dictionary(kind):
        # Codes against the whole enum (not the values present), so every release has one dictionary;
        # a value outside it (only in data not validated: `load(validate=False)`) is missing.
        codes = pd.Index(list(spec.enum)).get_indexer(values)
        indices = pa.array(codes, type=kind.index_type, mask=codes < 0)
        return pa.DictionaryArray.from_arrays(indices, pa.array(list(spec.enum), type=kind.value_type))
    return pa.array(values, type=kind, from_pandas=True)


def _pandas_metadata(specs: list[FieldSpec]) -> bytes:
    """pyarrow's `pandas` schema metadata for a frame with `load()`'s dtypes: it is what makes
    `read_parquet` restore nullable integers, categories and dates."""
    empty = pd.DataFrame({s.name: pd.Series([], dtype=pandas_dtype(s, for_load=True)) for s in specs})
    return pa.Table.from_pandas(empty, preserve_index=False).schema.metadata[b"pandas"]


def typed_table(frame: pd.DataFrame, schema: dict[str, Any], *, name: str, version: str | None) -> pa.Table:
    """The rows of `frame` (typed columns as `tables.Table.frame` holds them) as the Arrow table a
    build writes."""
    specs = field_specs(schema)
    metadata = {
        b"pandas": _pandas_metadata(specs),
        TABLE_KEY.encode(): name.encode(),
        SCHEMA_KEY.encode(): json.dumps(schema, ensure_ascii=False, separators=(",", ":")).encode("utf-8"),
    }
    if version is not None:
        metadata[VERSION_KEY.encode()] = version.encode()
    return pa.Table.from_arrays([_column(frame[s.name], s) for s in specs], schema=parquet_schema(schema).with_metadata(metadata))


def _as_text(col: pa.ChunkedArray) -> pd.Series:
    """A Parquet column as the strings a CSV file would hold, by Arrow kernels: booleans as
    true/false, floats in their shortest exact form (as Python writes them: 1.0, 1e-07, except
    that small numbers stay positional, 0.000025 not 2.5e-05), missing values as empty cells."""
    import pyarrow.compute as pc

    if pa.types.is_dictionary(col.type):
        col = col.cast(col.type.value_type)
    if pa.types.is_boolean(col.type):
        text = pc.if_else(col, "true", "false")
    else:
        text = col.cast(pa.string())
        if pa.types.is_floating(col.type):
            integral = pc.match_substring_regex(text, r"^-?[0-9]+$")
            text = pc.if_else(integral, pc.binary_join_element_wise(text, ".0", ""), text)
            text = pc.replace_substring_regex(text, r"e([+-])([0-9])$", r"e\1" "0" r"\2")
    text = pc.fill_null(text, "")
    return text.to_pandas(types_mapper=lambda t: pd.StringDtype("pyarrow", na_value=float("nan")) if t in (pa.string(), pa.large_string()) else None)


def read_parquet_strings(resource: Resource, file: str) -> tuple[pd.DataFrame, list[Finding]]:
    import pyarrow.parquet as pq

    try:
        table = pq.read_table(resource.path)
    except Exception as exc:  # pyarrow raises several types for a damaged file
        return _unreadable(resource, file, exc)
    return _strings(table, resource, file)


def read_parquet_slice(resource: Resource, file: str, start: int, count: int) -> tuple[pd.DataFrame, list[Finding]]:
    """Rows `start` … `start + count - 1` of the Parquet file as the string view, reading only the
    row groups that hold them (a run of a CSV file read in byte ranges is compared with its part
    of the Parquet copy: spark/chain.py)."""
    import pyarrow.parquet as pq

    try:
        pf = pq.ParquetFile(resource.path)
        groups, first, pos = [], 0, 0
        for g in range(pf.metadata.num_row_groups):
            n = pf.metadata.row_group(g).num_rows
            if pos + n > start and pos < start + count:
                first = pos if not groups else first
                groups.append(g)
            pos += n
        table = pf.read_row_groups(groups).slice(start - first, count) if groups else pf.schema_arrow.empty_table()
    except Exception as exc:  # pyarrow raises several types for a damaged file
        return _unreadable(resource, file, exc)
    return _strings(table, resource, file)


def _unreadable(resource: Resource, file: str, exc: Exception) -> tuple[pd.DataFrame, list[Finding]]:
    finding = Finding("error", "parquet", f"cannot read the Parquet file ({exc}); rebuild it with `conflictdata build`", resource.name, file)
    return pd.DataFrame({n: pd.Series([], dtype=str) for n in resource.field_names}), [finding]


def parquet_rows(resource: Resource) -> int:
    """Rows in the resource's Parquet file, from its footer (0 if it cannot be read)."""
    import pyarrow.parquet as pq

    try:
        return pq.ParquetFile(resource.path).metadata.num_rows
    except Exception:  # reported when the file is read
        return 0


def iter_parquet_strings(resource: Resource, file: str, batch_rows: int) -> Iterator[tuple[pd.DataFrame, list[Finding]]]:
    """The Parquet file in batches of rows, each as the string view (findings on the columns come
    with the first batch). A damaged file raises `ValueError`: read it whole to report it."""
    import pyarrow.parquet as pq

    try:
        batches = pq.ParquetFile(resource.path).iter_batches(batch_size=batch_rows)
        first = True
        for batch in batches:
            raw, findings = _strings(pa.Table.from_batches([batch]), resource, file)
            yield raw, findings if first else []
            first = False
    except Exception as exc:  # pyarrow raises several types for a damaged file
        raise ValueError(str(exc)) from exc


def _strings(table: pa.Table, resource: Resource, file: str) -> tuple[pd.DataFrame, list[Finding]]:
    findings: list[Finding] = []
    data = {}
    absent = set()
    for spec in field_specs(resource.schema):
        if spec.name not in table.column_names:
            findings.append(Finding("error", "missing-column", f"the Parquet file has no column '{spec.name}'; rebuild it", resource.name, file, None, spec.name))
            data[spec.name] = pd.Series([""] * table.num_rows, dtype=str)
            absent.add(spec.name)
            continue
        col = table.column(spec.name)
        want = arrow_type(spec)
        stored = col.type.value_type if pa.types.is_dictionary(col.type) else col.type
        if stored != want:
            findings.append(Finding("error", "parquet-type", f"column '{spec.name}' is stored as {col.type}, the schema says {spec.type} ({want}); rebuild the file", resource.name, file, None, spec.name, str(col.type)))
        data[spec.name] = _as_text(col)
    for extra in set(table.column_names) - set(resource.field_names):
        findings.append(Finding("error", "extra-column", f"column '{extra}' is not in the table's schema", resource.name, file, None, extra, extra))
    raw = pd.DataFrame(data)
    raw.attrs["absent"] = absent
    return raw, findings
