"""Distribution: getting a released version of the dataset onto this machine.

- download: fetch a release archive, verify it (its published sha256, then `SHA256SUMS`) and
  install it in the cache (`download`); a release by version, from the cache or else fetched
  (`release_package`, which `load(version=...)` uses); what the releases URL offers (`available_releases`).
- index: the releases URL (`$CONFLICTDATA_RELEASES_URL`, else `conflictdata:releases` in the
  descriptor) and the `index.json` beside its archives (`releases_url`, `fetch_index`, `parse_index`).
- transfer: bytes from an http(s)://, file:// URL or a local path, streamed, with a progress bar.
- cache: the user cache folder, where a release lives in it (`release_dir`, `cached_release`),
  whether a cached copy is intact, and staging a release so a failure leaves the cache as it was.
- extract: safe extraction of an archive (`safe_extract`): paths, links, duplicates and zip-bomb
  limits checked before and while anything is written.
- loadcache: the tables `load()` read, kept as typed Parquet in the cache, and the contents that
  passed validation, so that a second `load()` neither parses CSV nor validates again.
"""

from ..contract.lazy import lazy_exports

__all__ = ["cached_release", "safe_extract", "release_package", "available_releases", "releases_url"]

__getattr__ = lazy_exports(__name__, {"cached_release": "cache", "safe_extract": "extract", "release_package": "download",
                                      "available_releases": "download", "releases_url": "index"})
