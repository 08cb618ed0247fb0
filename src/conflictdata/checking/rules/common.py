"""Vectorised helpers the rules share: which rows are usable, and columns as numpy arrays."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd

from ...reading.tables import Table


def _usable(t: Table, *columns: str) -> np.ndarray:
    """Rows where every one of `columns` passed its type check."""
    # numpy, column by column: a DataFrame selection per chunk costs more than the check.
    return ~np.logical_or.reduce([t.unusable[c].to_numpy(dtype=bool) for c in columns])


def _rows(mask: pd.Series | np.ndarray) -> list[int]:
    return [int(i) for i in np.flatnonzero(np.asarray(mask, dtype=bool))]


def _blank(col: pd.Series) -> np.ndarray:
    """Cells written empty (raw text)."""
    from ...reading.columns import arrow_strings, is_missing

    return np.asarray(is_missing(arrow_strings(col), [""]).to_numpy(zero_copy_only=False), dtype=bool)


def _codes(col: pd.Series, names: tuple[str, ...]) -> np.ndarray:
    """For each cell, the position of its text in `names` (-1: none of them)."""
    import pyarrow as pa
    import pyarrow.compute as pc

    from ...reading.columns import arrow_strings

    idx = pc.index_in(arrow_strings(col), value_set=pa.array(names, pa.string()))
    return np.asarray(pc.fill_null(idx, -1).to_numpy(zero_copy_only=False), dtype=np.int64)


def _days(col: pd.Series) -> tuple[np.ndarray, np.ndarray]:
    """A date column as numpy days (missing as 1970-01-01) and where it is present."""
    import pyarrow as pa
    import pyarrow.compute as pc

    arr = pa.array(col)
    present = np.asarray(arr.is_valid().to_numpy(zero_copy_only=False), dtype=bool)
    days = np.asarray(pc.fill_null(arr.cast(pa.int32()), 0).to_numpy(zero_copy_only=False), dtype=np.int64).astype("datetime64[D]")
    return days, present


def _after(col: pd.Series, limit: dt.date) -> np.ndarray:
    """Days after `limit` (missing: not after), by an Arrow comparison on the date column."""
    import pyarrow as pa
    import pyarrow.compute as pc

    try:
        return np.asarray(pc.fill_null(pc.greater(pa.array(col), pa.scalar(limit, pa.date32())), False).to_numpy(zero_copy_only=False), dtype=bool)
    except (pa.ArrowException, TypeError):  # not Arrow dates (a frame built by hand): pandas compares
        return (col > limit).fillna(False).to_numpy(dtype=bool)
