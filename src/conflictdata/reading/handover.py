"""A resource handed to frictionless (formats.py says which): its rows as frictionless reads them,
as text, so that the fast path's tables can look keys up in it. Its findings are frictionless's
own (checking/delegated.py); nothing here judges a cell.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from ..contract.package import Package, Resource

__all__ = ["frictionless_resource", "read_handed_over", "as_text"]


def frictionless_resource(package: Package, resource: Resource) -> Any:
    """The resource as a frictionless `Resource`, inside its package where frictionless can build
    the package (so that its foreign keys are checked), else alone."""
    from frictionless import Package as FPackage
    from frictionless import Resource as FResource

    try:
        fpackage = FPackage(package.descriptor, basepath=str(package.root))
        return fpackage.get_resource(resource.name)
    except Exception:  # frictionless' own errors: a package it refuses is still read resource by resource
        descriptor = dict(resource.descriptor)
        descriptor["schema"] = resource.schema
        return FResource(descriptor, basepath=str(package.root))


def as_text(value: Any) -> str:
    """A value frictionless read (typed by its schema) as the text the fast path parses back."""
    import datetime as dt

    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (dt.date, dt.time)):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value)) if abs(value) < 2**53 else repr(value)
    return str(value)


def read_handed_over(package: Package, resource: Resource) -> tuple[pd.DataFrame, np.ndarray]:
    """The resource's rows (one text column per schema field) and their frictionless row numbers.
    Nothing when frictionless cannot read it: its validation says why."""
    names = resource.field_names
    columns: dict[str, list[str]] = {n: [] for n in names}
    rownums: list[int] = []
    try:
        fres = frictionless_resource(package, resource)
        fres.schema.foreign_keys = []  # only the rows here; frictionless checks the keys when it validates
        with fres:
            for row in fres.row_stream:
                typed = row.to_dict()
                for n in names:
                    value = typed.get(n)
                    if value is None and n in row.field_names:
                        i = row.field_names.index(n)
                        value = row.cells[i] if i < len(row.cells) else None
                    columns[n].append(as_text(value))
                rownums.append(row.row_number)
    except Exception:  # frictionless reports what stopped it in its own validation of the resource
        pass
    n = len(rownums)
    raw = pd.DataFrame({k: pd.Series(v[:n], dtype=str) for k, v in columns.items()})
    raw.attrs["absent"] = set()
    return raw, np.asarray(rownums, dtype=np.int64)
