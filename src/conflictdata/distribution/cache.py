"""The cache of downloaded releases: where it is (the user cache folder, or `$CONFLICTDATA_CACHE`),
where a release lives in it (`<cache>/releases/X.Y.Z`), whether a cached copy still matches its
own `SHA256SUMS`, and how a verified release is staged and moved in (`_staging`, `_install`) so
that a failure at any step leaves the cache as it was.
"""

from __future__ import annotations

import json
import os
import re
import sys
from contextlib import ExitStack, contextmanager
from pathlib import Path
from typing import Any, Iterator

from ..checking.integrity import SUMS_NAME, parse_sha256sums, sha256_file
from ..contract.atomic import scratch_dir, swap_dir, write_bytes_atomic
from ..contract.errors import IntegrityError, UnusableInputError

__all__ = ["cache_root", "release_dir", "cached_release", "CACHE_ENV"]

CACHE_ENV = "CONFLICTDATA_CACHE"

_SUMS = SUMS_NAME
_DESCRIPTOR = "datapackage.json"
# Written into the release folder (after SHA256SUMS was checked) so that a later download of the
# same version can skip the network when the archive checksum is unchanged and the files verify.
_RECORD = ".conflictdata-download.json"

_VERSION = r"\d+\.\d+\.\d+(?:-[0-9A-Za-z-]+(?:\.[0-9A-Za-z-]+)*)?(?:\+[0-9A-Za-z-]+(?:\.[0-9A-Za-z-]+)*)?"
_VERSION_RE = re.compile(_VERSION)


def cache_root() -> Path:
    """The conflictdata cache folder: `$CONFLICTDATA_CACHE`, else the user cache folder + `conflictdata`."""
    override = os.environ.get(CACHE_ENV)
    if override:
        return Path(override).expanduser().absolute()
    home = Path.home()
    if sys.platform == "win32":
        base = Path(os.environ.get("LOCALAPPDATA") or home / "AppData" / "Local")
    elif sys.platform == "darwin":
        base = home / "Library" / "Caches"
    else:
        xdg = os.environ.get("XDG_CACHE_HOME", "")
        # The XDG spec says relative values are invalid and must be ignored.
        base = Path(xdg) if xdg and Path(xdg).is_absolute() else home / ".cache"
    return (base / "conflictdata").absolute()


def _check_version(version: str) -> str:
    if not isinstance(version, str) or not _VERSION_RE.fullmatch(version.strip().removeprefix("v")):
        raise UnusableInputError(f"{version!r} is not a release version; give one like 1.2.0 (MAJOR.MINOR.PATCH)")
    return version.strip().removeprefix("v")


def release_dir(version: str) -> Path:
    """Where release `version` lives once downloaded: the folder holding its datapackage.json."""
    return cache_root() / "releases" / _check_version(version)


def cached_release(version: str) -> Path:
    """The cached copy of release `version`; `UnusableInputError` if it has not been downloaded."""
    path = release_dir(version)
    if not (path / _DESCRIPTOR).is_file():
        raise UnusableInputError(
            f"conflictdata {_check_version(version)} is not in the cache ({path}); "
            f"run `conflictdata download {_check_version(version)}` first"
        )
    return path


def _read_sums(pkg: Path, where: str) -> dict[str, str]:
    try:
        return parse_sha256sums((pkg / _SUMS).read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise IntegrityError(f"{where}: no {_SUMS} file in the release; it cannot be verified") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise IntegrityError(f"{where}: cannot read {_SUMS} ({exc})") from None
    except ValueError as exc:
        raise IntegrityError(f"{where}: {_SUMS} {exc}") from None


def _sums_problems(sums: dict[str, str], hashes: dict[str, str]) -> list[str]:
    problems = [f"{rel}: listed in {_SUMS} but missing" for rel in sums if rel not in hashes]
    problems += [
        f"{rel}: sha256 {hashes[rel]}, {_SUMS} says {sums[rel]}" for rel in sums if rel in hashes and hashes[rel] != sums[rel]
    ]
    problems += [f"{rel}: not listed in {_SUMS}" for rel in hashes if rel not in sums and rel != _SUMS]
    return problems


def _tree_hashes(root: Path) -> dict[str, str] | None:
    """Relative path -> sha256 of every file under `root` (the download record excluded);
    None if anything there is not a plain file or folder."""
    hashes: dict[str, str] = {}
    for dirpath, dirnames, filenames in os.walk(root):
        base = Path(dirpath)
        for name in dirnames:
            if (base / name).is_symlink():
                return None
        for name in filenames:
            path = base / name
            if path.is_symlink() or not path.is_file():
                return None
            rel = path.relative_to(root).as_posix()
            if rel != _RECORD:
                hashes[rel] = sha256_file(path)
    return hashes


def _intact(pkg: Path) -> bool:
    """Whether a cached release still matches its own SHA256SUMS."""
    hashes = _tree_hashes(pkg)
    if hashes is None:
        return False
    try:
        return not _sums_problems(_read_sums(pkg, str(pkg)), hashes)
    except IntegrityError:
        return False


@contextmanager
def _staging(root: Path) -> Iterator[Path]:
    """A scratch folder inside the cache (same file system, so the final rename is atomic).

    It is always removed; on failure, so are the cache folders this call created.
    """
    created: list[Path] = []
    for folder in reversed([root, *root.parents]):
        if not folder.exists():
            created.append(folder)
    with ExitStack() as stack:
        try:
            root.mkdir(parents=True, exist_ok=True)
            scratch = stack.enter_context(scratch_dir(root, ".staging-"))
        except OSError as exc:
            _remove_empty(created)
            raise UnusableInputError(f"{root}: cannot write to the cache folder ({exc.strerror or exc}); set {CACHE_ENV} to a writable folder") from None
        try:
            yield scratch
        except BaseException:
            stack.close()  # the scratch folder first: the folders created for it are then empty
            _remove_empty(created)
            raise


def _remove_empty(folders: list[Path]) -> None:
    for folder in reversed(folders):
        try:
            folder.rmdir()
        except OSError:
            return


def _read_record(pkg: Path) -> dict[str, Any] | None:
    try:
        record = json.loads((pkg / _RECORD).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return record if isinstance(record, dict) else None


def _write_record(pkg: Path, *, sha256: str, size: int, name: str) -> None:
    record = {"archive": name, "sha256": sha256, "bytes": size}
    write_bytes_atomic(pkg / _RECORD, (json.dumps(record, indent=2) + "\n").encode("utf-8"))


def _install(staged: Path, dest: Path, scratch: Path, hashes: dict[str, str], version: str) -> bool:
    """Move the verified `staged` folder to `dest`; True if an identical copy was already there."""
    dest.parent.mkdir(parents=True, exist_ok=True)
    try:
        os.rename(staged, dest)
        return False
    except OSError:
        if not dest.exists():
            raise
    if _tree_hashes(dest) == hashes:
        return True
    if _intact(dest):
        raise IntegrityError(
            f"{dest}: the cache already holds a different conflictdata {version} that verifies against its own "
            f"{_SUMS}; a version is never republished with other data, so one of the two is not genuine. "
            f"Remove {dest} to replace it"
        )
    # The cached copy is damaged (edited or partly deleted): swap it for the verified one.
    swap_dir(staged, dest, scratch / "damaged")
    return False
