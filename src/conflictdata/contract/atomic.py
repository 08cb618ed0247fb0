"""Atomic file writes: write beside the target, fsync, then rename over it.

An interrupted command therefore leaves either the old file or the new one, never half of one.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

__all__ = ["write_bytes_atomic", "write_many_atomic", "stage", "replace_staged"]


def write_bytes_atomic(path: Path, data: bytes) -> None:
    """Replace `path` with `data`: the old content or the new one, never half of either."""
    write_many_atomic({Path(path): data})


def stage(path: Path, data: bytes) -> Path:
    """Write `data` to a new temporary file beside `path` (synced, with its mode); return its path."""
    return _stage(path, data)


def _stage(path: Path, data: bytes) -> Path:
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        if path.exists():
            os.chmod(tmp, path.stat().st_mode & 0o777)
    except BaseException:
        os.unlink(tmp)
        raise
    return Path(tmp)


def write_many_atomic(files: dict[Path, bytes]) -> None:
    """Write several files as one change: all are staged (written and synced) beside their
    targets first, then renamed into place one after the other. A failure while staging leaves
    every target as it was; only a crash in the short rename phase can mix old and new files.
    """
    staged: list[tuple[Path, Path]] = []
    try:
        for path, data in files.items():
            staged.append((_stage(Path(path), data), Path(path)))
    except BaseException:
        for tmp, _ in staged:
            tmp.unlink(missing_ok=True)
        raise
    replace_staged(staged)


def replace_staged(staged: list[tuple[Path, Path]]) -> None:
    """Rename staged files (temporary, target) into place, in order; leftovers removed on failure."""
    n = 0
    try:
        for n, (tmp, path) in enumerate(staged):
            os.replace(tmp, path)
    except BaseException:
        for tmp, _ in staged[n:]:
            tmp.unlink(missing_ok=True)
        raise
