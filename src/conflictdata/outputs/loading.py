"""Loading the validated tables as pandas DataFrames with the dtypes `schema.py` documents.

`load()` validates first and raises `InvalidDataError` (carrying the findings) rather than hand
out data that breaks the contract; warnings do not stop it.
"""

from __future__ import annotations

from pathlib import Path
from typing import Mapping

import pandas as pd

from ..checking.validated import Validated, validated
from ..contract.schema import pandas_dtype
from ..reading.tables import Table

__all__ = ["load", "load_table", "frames"]


def _to_load_dtypes(table: Table) -> pd.DataFrame:
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
    path: str | Path | None = None, *, tables: list[str] | None = None, version: str | None = None
) -> Mapping[str, pd.DataFrame]:
    """The package's tables (all, or those named in `tables`) as name → DataFrame.

    `path` is a package folder or its `datapackage.json`; `version` a release, read from the cache,
    where the first use downloads and verifies it from the releases URL (progress on stderr; see
    README, "Releases fetched by version"); not both; the bundled dataset by default.
    Dtypes: text `string`, enums `category` (categories = the schema's enum, in order), integers
    `int64` if required else `Int64`, numbers `float64`, booleans `boolean`, dates `date32[pyarrow]`.
    """
    if version is not None:
        if path is not None:
            raise ValueError("give either path or version, not both")
        from ..distribution.download import release_package

        path = release_package(version)
    return frames(validated(path), tables)


def load_table(name: str, path: str | Path | None = None, *, version: str | None = None) -> pd.DataFrame:
    """One table of the package, validated, as a DataFrame (see `load` for `version` and the dtypes)."""
    return load(path, tables=[name], version=version)[name]
