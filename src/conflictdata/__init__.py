"""conflictdata: a provenance-first dataset of attributed conflict claims, and its tooling.

    >>> import conflictdata
    >>> tables = conflictdata.load()          # validated tables of the bundled dataset
    >>> claims = conflictdata.load_table("casualty_claims")
    >>> report = conflictdata.validate()      # every finding, as data
    >>> conflictdata.pandera_schema("events")  # its Pandera schema (models: conflictdata.schemas)

Heavy libraries (pandas, pandera, pyarrow) are imported only when one of these is called.
"""

from __future__ import annotations

from importlib import metadata as _metadata
from typing import TYPE_CHECKING, Any

from .errors import ConflictDataError, IntegrityError, InvalidDataError, UnusableInputError

if TYPE_CHECKING:
    from .findings import Finding, Report
    from .loading import load, load_table
    from .schemas import pandera_schema
    from .validation import validate

try:
    __version__ = _metadata.version("conflictdata")
except _metadata.PackageNotFoundError:  # running from a source tree that is not installed
    __version__ = "0+unknown"

__all__ = [
    "__version__",
    "load",
    "load_table",
    "validate",
    "pandera_schema",
    "Finding",
    "Report",
    "ConflictDataError",
    "InvalidDataError",
    "UnusableInputError",
    "IntegrityError",
]

_LAZY = {
    "load": ("loading", "load"),
    "load_table": ("loading", "load_table"),
    "validate": ("validation", "validate"),
    "pandera_schema": ("schemas", "pandera_schema"),
    "Finding": ("findings", "Finding"),
    "Report": ("findings", "Report"),
}


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        from importlib import import_module

        module, attr = _LAZY[name]
        return getattr(import_module(f".{module}", __name__), attr)
    raise AttributeError(f"module 'conflictdata' has no attribute {name!r}")
