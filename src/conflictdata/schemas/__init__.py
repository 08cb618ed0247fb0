"""Public Pandera models of the conflictdata tables, generated from `schema/` (see `generate`).

    >>> from pandera.typing import DataFrame
    >>> from conflictdata.schemas import CasualtyClaims
    >>> CasualtyClaims.validate(conflictdata.load()["casualty_claims"])
    >>> def deaths(claims: DataFrame[CasualtyClaims]) -> int: ...

`conflictdata.schemas.polars` holds the same models for polars frames. They check each column
(dtype, nullability, enum, pattern, range, length, uniqueness and the primary key); foreign keys
and the rules across tables stay `conflictdata validate`'s.

- _pandas, polars: the generated models, a package per backend with one module per table and
  `MODELS` (table name → model) in its `__init__`; the pandas ones are re-exported here.
- generate: writes both from schema/ (`python -m conflictdata.schemas.generate`).
"""

from __future__ import annotations

from typing import Any

from . import _pandas
from ._pandas import *  # noqa: F403 (the generated models; their names are in _pandas.__all__)

__all__ = ["pandera_schema", *_pandas.__all__]


def pandera_schema(table: str, backend: str = "pandas") -> Any:
    """The Pandera `DataFrameSchema` of a table of the bundled dataset, for pandas or polars frames."""
    if backend == "pandas":
        models = _pandas.MODELS
    elif backend == "polars":
        from . import polars as _polars

        models = _polars.MODELS
    else:
        raise ValueError(f"backend must be 'pandas' or 'polars', not {backend!r}")
    if table not in models:
        raise KeyError(f"no table named {table!r}; the tables are: {', '.join(models)}")
    return models[table].to_schema()
