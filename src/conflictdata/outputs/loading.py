"""Loading the validated tables as pandas DataFrames with the dtypes `schema.py` documents.

`load()` validates first and raises `InvalidDataError` (carrying the findings) rather than hand
out data that breaks the contract; warnings do not stop it.
"""

from __future__ import annotations

from pathlib import Path
from typing import Mapping

import pandas as pd

from ..contract.errors import InvalidDataError
from ..contract.package import open_package
from ..contract.schema import pandera_schema, pandas_dtype
from ..reading.tables import Table
from ..checking.validation import validate_package

__all__ = ["load", "load_table"]


def _to_load_dtypes(table: Table) -> pd.DataFrame:
    out = {}
    for spec in table.specs:
        col = table.frame[spec.name]
        dtype = pandas_dtype(spec, for_load=True)
        out[spec.name] = col.astype(dtype)
    frame = pd.DataFrame(out)
    schema, _ = pandera_schema(table.resource.schema, name=table.name, for_load=True)
    return schema.validate(frame)


def load(
    path: str | Path | None = None, *, tables: list[str] | None = None, version: str | None = None
) -> Mapping[str, pd.DataFrame]:
    """The package's tables (all, or those named in `tables`) as name → DataFrame.

    `path` is a package folder or its `datapackage.json`; `version` a release downloaded with
    `conflictdata download VERSION` (not both); the bundled dataset by default.
    Dtypes: text `string`, enums `category` (categories = the schema's enum, in order), integers
    `int64` if required else `Int64`, numbers `float64`, booleans `boolean`, dates `date32[pyarrow]`.
    """
    if version is not None:
        if path is not None:
            raise ValueError("give either path or version, not both")
        from ..distribution.cache import cached_release

        path = cached_release(version)
    package = open_package(path)
    report, read = validate_package(package)
    if not report.valid:
        raise InvalidDataError(report)
    names = list(read) if tables is None else tables
    unknown = [n for n in names if n not in read]
    if unknown:
        raise KeyError(f"no table named {', '.join(unknown)}; the package has: {', '.join(read)}")
    return {name: _to_load_dtypes(read[name]) for name in names}


def load_table(name: str, path: str | Path | None = None, *, version: str | None = None) -> pd.DataFrame:
    """One table of the package, validated, as a DataFrame (see `load` for `version` and the dtypes)."""
    return load(path, tables=[name], version=version)[name]
