"""conflictdata: a provenance-first dataset of attributed conflict claims, and its tooling.

    >>> import conflictdata
    >>> tables = conflictdata.load()          # validated tables of the bundled dataset
    >>> claims = conflictdata.load_table("casualty_claims")
    >>> con = conflictdata.connect()           # the tables as DuckDB views
    >>> report = conflictdata.validate()      # every finding, as data
    >>> conflictdata.pandera_schema("events")  # its Pandera schema (models: conflictdata.schemas)

Heavy libraries (pandas, pandera, pyarrow) are imported only when one of these is called.

Layout: one subpackage per concept, in layers; a module imports only from its own layer or the
layers below it (tests/test_layout.py checks this, and that no imports form a circle):

    contract      names, schema, package, findings, errors, rulebook, atomic (+ conflictdata.schemas)
    reading       csvfile, delimiters, tables, stream, readahead, memory, parquet, columns
    checking      validation (the engine), keys, integrity, canonical, rules, delegated, acknowledge, passages
    spark         the same checks on Apache Spark (`validate --engine spark`; the `spark` extra)
    distribution  download (fetch, verify), cache, extract (safe extraction), index (releases URL), transfer
    versions      history (validate, check_against), build, diff, semver, release, release_index, releases, refs
    outputs       loading, export, report, analysis, render, render_diff
    curation      fmt, curate, lock; and conflictdata.importers
    cli           the command, a thin skin over all of the above
"""

from __future__ import annotations

import warnings
from typing import TYPE_CHECKING, Any

from .contract.errors import ConflictDataError, IntegrityError, InvalidDataError, UnusableInputError

# With the `spark` extra installed, importing pandera imports pyspark.pandas (pandera registers its
# pandas-on-Spark types), which warns that it does not support pandas 3. conflictdata never uses
# pyspark.pandas (its Spark engine is Spark SQL), so that warning would only be noise on stderr.
warnings.filterwarnings("ignore", message="PySpark does not yet fully support pandas", category=FutureWarning)

if TYPE_CHECKING:
    from .contract.findings import Finding, Report
    from .outputs.loading import connect, load, load_table
    from .schemas import pandera_schema
    from .versions.history import validate

from .contract.names import VERSION as __version__

__all__ = [
    "__version__",
    "load",
    "load_table",
    "connect",
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
    "load": ("outputs.loading", "load"),
    "load_table": ("outputs.loading", "load_table"),
    "connect": ("outputs.loading", "connect"),
    "validate": ("versions.history", "validate"),
    "pandera_schema": ("schemas", "pandera_schema"),
    "Finding": ("contract.findings", "Finding"),
    "Report": ("contract.findings", "Report"),
}


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        from importlib import import_module

        module, attr = _LAZY[name]
        return getattr(import_module(f".{module}", __name__), attr)
    raise AttributeError(f"module 'conflictdata' has no attribute {name!r}")
