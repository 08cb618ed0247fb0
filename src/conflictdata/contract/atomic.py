"""Atomic writes: a file, a set of files, or a folder is written beside its target, synced, then
renamed over it.

An interrupted command therefore leaves either the old content or the new one, never half of one.

- one file: `write_bytes_atomic` (bytes), `write_file_atomic` (a writer that makes the file
  itself: SQLite, DuckDB, Arrow);
- a set of files together: `write_many_atomic`, or `stage` each then `replace_staged`;
- a folder: `write_dir_atomic` (build the folder beside its target, then `replace_dir`), with
  `scratch_dir` (a temporary folder on the target's file system, always removed) and `swap_dir`
  (move the old folder aside and the new one in) for callers that install folders their own way.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TypeVar

from .errors import UnusableInputError
from .names import DESCRIPTOR

__all__ = ["write_bytes_atomic", "write_many_atomic", "stage", "replace_staged", "write_file_atomic",
           "write_dir_atomic", "replace_dir", "swap_dir", "scratch_dir"]

T = TypeVar("T")


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


def _fsync(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


@contextmanager
def scratch_dir(parent: Path, prefix: str, *, mode: int | None = None) -> Iterator[Path]:
    """A new, empty folder inside `parent`, removed at the end with whatever is left in it.
    Inside the target's parent so that renaming out of it is atomic (one file system)."""
    tmp = Path(tempfile.mkdtemp(prefix=prefix, dir=parent))
    try:
        if mode is not None:
            os.chmod(tmp, mode)  # mkdtemp makes it private
        yield tmp
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def write_file_atomic(path: Path, write: Callable[[Path], None], *, mode: int = 0o644) -> None:
    """Run `write(tmp)` on a fresh path beside `path` (in a scratch folder, so a writer that
    must create its file itself can), sync the file, and rename it over `path`."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with scratch_dir(path.parent, f".{path.name}.tmp-") as folder:
        tmp = folder / path.name
        write(tmp)
        _fsync(tmp)
        os.chmod(tmp, mode)
        os.replace(tmp, path)


def write_dir_atomic(out: Path, write: Callable[[Path], T], *, marker: str = DESCRIPTOR) -> T:
    """Run `write(tmp)` on a new folder beside `out`, then swap it in (`replace_dir`: a previous
    output there is replaced); return what `write` returned. A failure leaves `out` as it was
    and no temporary folder."""
    out.parent.mkdir(parents=True, exist_ok=True)
    with scratch_dir(out.parent, f".{out.name}.tmp-", mode=0o755) as tmp:  # an output is meant to be shared
        result = write(tmp)
        replace_dir(tmp, out, marker=marker)
    return result


def replace_dir(tmp: Path, out: Path, *, marker: str = DESCRIPTOR) -> None:
    """Swap the finished folder `tmp` into `out`, removing a previous build there.

    Refuses to replace a non-empty folder that is not a previous output (no `marker` file in it),
    so a mistyped --out never deletes someone's files.
    """
    if out.exists():
        if not out.is_dir() or (any(out.iterdir()) and not (out / marker).is_file()):
            raise UnusableInputError(f"{out}: exists and is not a conflictdata build; choose another --out or remove it")
        old = out.with_name(f".{out.name}.old-{os.getpid()}")
        swap_dir(tmp, out, old)
        shutil.rmtree(old, ignore_errors=True)
    else:
        os.replace(tmp, out)


def swap_dir(new: Path, out: Path, aside: Path) -> None:
    """Put the folder `new` in the place of the folder `out`, which is moved to `aside` (the
    caller removes it). `out` is briefly absent between the two renames, but never half there."""
    os.replace(out, aside)
    os.replace(new, out)
