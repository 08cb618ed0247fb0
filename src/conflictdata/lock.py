"""One writer at a time per package: the lock every command that rewrites data files holds.

`add`, `import`, `fmt` and `bump --write` read tables, compute new files and replace them. Two
of them at once would both read the old files, and the second rename would drop the first's
rows (or hand out the same id twice). Each holds this lock from its first read to its last
rename; a second writer waits, then reads what the first wrote.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

__all__ = ["LOCK_NAME", "package_lock"]

# Beside datapackage.json; .gitignore lists it. A lock file left behind is harmless: the OS lock
# (flock) goes with the process that held it, the file itself means nothing.
LOCK_NAME = ".conflictdata.lock"


@contextmanager
def package_lock(root: str | Path) -> Iterator[None]:
    """Hold the write lock of the package whose root folder is `root` (waiting for it if needed)."""
    from filelock import FileLock

    with FileLock(str(Path(root) / LOCK_NAME)):
        yield
