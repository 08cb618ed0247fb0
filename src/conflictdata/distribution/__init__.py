"""Distribution: getting a released version of the dataset onto this machine.

- download: fetch a release archive, verify it (SHA256SUMS), extract it safely (`safe_extract`)
  into the cache, and find cached releases (`cached_release`).
"""

from ..contract.lazy import lazy_exports

__all__ = ["cached_release", "safe_extract"]

__getattr__ = lazy_exports(__name__, {"cached_release": "download", "safe_extract": "download"})
