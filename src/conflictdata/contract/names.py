"""Names every layer shares: the descriptor files, the custom keys of a descriptor, the software version.

They live here, at the bottom, so that reading and checking need not import the build (which
writes the Parquet copies and the Pandera YAML these names point to).
"""

from __future__ import annotations

from importlib import metadata as _metadata

__all__ = ["DESCRIPTOR", "PARQUET_DESCRIPTOR", "PANDERA_DIR", "PARQUET_KEY", "WITHHELD_KEY", "VERSION", "MEASURE_KIND"]

DESCRIPTOR = "datapackage.json"
PARQUET_KEY = "conflictdata:parquet"
# The same package with the Parquet copies as its resources, for Frictionless tools and catalogues;
# the main descriptor stays CSV so that `load()` and `diff` see each table once.
PARQUET_DESCRIPTOR = "datapackage.parquet.json"
PANDERA_DIR = "schema/pandera"
WITHHELD_KEY = "conflictdata:withheldSnapshots"
# The property of casualty_claims' `measure` field that maps each value to "people" or
# "equipment" (schema/casualty_claims.json): the report charts the two kinds apart.
MEASURE_KIND = "measureKind"

try:
    VERSION = _metadata.version("conflictdata")
except _metadata.PackageNotFoundError:  # running from a source tree that is not installed
    VERSION = "0+unknown"
