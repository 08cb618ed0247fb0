"""Parquet resources: reading them into the same string view as CSV, so one set of checks applies.

Writing Parquet (with types derived from `schema/`) belongs to the build; reading here reports a
column whose stored type differs from the schema's, then checks the values themselves.
"""

from __future__ import annotations

from collections.abc import Iterator

import pandas as pd
import pyarrow as pa

from .findings import Finding
from .package import Resource
from .schema import arrow_type, field_specs

__all__ = ["read_parquet_strings", "iter_parquet_strings", "parquet_rows"]


def _as_text(col: pa.ChunkedArray) -> pd.Series:
    """A Parquet column as the strings a CSV file would hold, by Arrow kernels: booleans as
    true/false, floats in their shortest exact form (as Python writes them: 1.0, 1e-07, except
    that small numbers stay positional, 0.000025 not 2.5e-05), missing values as empty cells."""
    import pyarrow.compute as pc

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
        if col.type != want:
            findings.append(Finding("error", "parquet-type", f"column '{spec.name}' is stored as {col.type}, the schema says {spec.type} ({want}); rebuild the file", resource.name, file, None, spec.name, str(col.type)))
        data[spec.name] = _as_text(col)
    for extra in set(table.column_names) - set(resource.field_names):
        findings.append(Finding("error", "extra-column", f"column '{extra}' is not in the table's schema", resource.name, file, None, extra, extra))
    raw = pd.DataFrame(data)
    raw.attrs["absent"] = absent
    return raw, findings
