"""Distribution: getting a released version of the dataset onto this machine.

- download: fetch a release archive, verify it (its published sha256, then `SHA256SUMS`) and
  install it in the cache (`download`).
- cache: the user cache folder, where a release lives in it (`release_dir`, `cached_release`),
  whether a cached copy is intact, and staging a release so a failure leaves the cache as it was.
- extract: safe extraction of an archive (`safe_extract`): paths, links, duplicates and zip-bomb
  limits checked before and while anything is written.
- loadcache: the tables `load()` read, kept as typed Parquet in the cache, and the contents that
  passed validation, so that a second `load()` neither parses CSV nor validates again.
"""

from ..contract.lazy import lazy_exports

__all__ = ["cached_release", "safe_extract"]

__getattr__ = lazy_exports(__name__, {"cached_release": "cache", "safe_extract": "extract"})
