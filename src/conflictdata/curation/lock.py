"""One writer at a time per package: the lock every command that rewrites data files holds.

`add`, `import`, `fmt` and `bump --write` read tables, compute new files and replace them. Two
of them at once would both read the old files, and the second rename would drop the first's
rows (or hand out the same id twice). Each holds this lock from its first read to its last
rename; a second writer waits, then reads what the first wrote.
"""

from __future__ import annotations

import hashlib
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

__all__ = ["lock_path", "package_lock"]


def lock_path(root: str | Path) -> Path:
    """The lock file of the package at `root`: in the temporary folder, named after the package's
    resolved path, so that locking never writes into the package (which may be read-only, and
    whose files `validate` and release checks account for). The package's datapackage.json names
    the same package as its folder, so both give the same lock."""
    folder = Path(root).resolve()
    if folder.is_file():
        folder = folder.parent
    key = hashlib.sha256(str(folder).encode("utf-8")).hexdigest()[:16]
    return Path(tempfile.gettempdir()) / f"conflictdata-{key}.lock"


@contextmanager
def package_lock(root: str | Path) -> Iterator[None]:
    """Hold the write lock of the package whose root folder is `root` (waiting for it if needed)."""
    from filelock import FileLock

    # The OS lock (flock) goes with the process holding it; a lock file left behind means nothing.
    with FileLock(str(lock_path(root))):
        yield
