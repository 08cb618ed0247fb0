"""Versions: building, comparing and releasing versions of a package.

- history: `validate` (every check, and with `against` an older version: `check_against`).
- build: the release artefacts (canonical CSV, Parquet copies, Pandera YAML, SHA256SUMS).
- diff: two versions compared by primary key, with the SemVer level each change needs.
- semver: version numbers and bump levels.
- release: `bump` and `release` (the checks a release must pass, then the tag).
- release_index: the `index.json` `release` writes beside the archives (what `download --list` reads).
- releases: the record of releases (releases.json, tags) and the data digest.
- refs: opening an older version from a folder, an archive or a git ref.
"""

from ..contract.lazy import lazy_exports

__all__ = ["validate", "check_against", "diff_packages", "write_package"]

__getattr__ = lazy_exports(__name__, {"validate": "history", "check_against": "history", "diff_packages": "diff", "write_package": "build"})
