"""Names every layer shares: the descriptor files, the custom keys of a descriptor, the software version.

They live here, at the bottom, so that reading and checking need not import the build (which
writes the Parquet copies and the Pandera YAML these names point to).
"""

from __future__ import annotations

from importlib import metadata as _metadata

__all__ = ["DESCRIPTOR", "PARQUET_DESCRIPTOR", "PANDERA_DIR", "PARQUET_KEY", "WITHHELD_KEY", "VERSION", "PEOPLE_MEASURES"]

DESCRIPTOR = "datapackage.json"
PARQUET_KEY = "conflictdata:parquet"
# The same package with the Parquet copies as its resources, for Frictionless tools and catalogues;
# the main descriptor stays CSV so that `load()` and `diff` see each table once.
PARQUET_DESCRIPTOR = "datapackage.parquet.json"
PANDERA_DIR = "schema/pandera"
WITHHELD_KEY = "conflictdata:withheldSnapshots"
# The values of casualty_claims.measure that count people; every other value counts equipment
# (one per category, schema/casualty_claims.json). The report charts the two kinds apart.
PEOPLE_MEASURES = frozenset({"killed", "wounded", "killed_or_wounded", "missing", "captured", "personnel_losses",
                             "civilians_killed", "civilians_injured", "troops_deployed"})

try:
    VERSION = _metadata.version("conflictdata")
except _metadata.PackageNotFoundError:  # running from a source tree that is not installed
    VERSION = "0+unknown"
