"""Safe extraction of a release archive: every entry is checked before anything is written.

Refused: paths that leave the top folder (absolute, drive letters, '..', backslashes), links and
special files, duplicates (as macOS and Windows see names), names Windows cannot hold, entries
beside the single top folder, encrypted entries, and archives that expand past the size or
compression-ratio limits (zip bombs), counted on the bytes actually written as well as on the
declared sizes. `download()` and `refs` (a release named as a ref) extract through here.
"""

from __future__ import annotations

import hashlib
import os
import re
import stat
import unicodedata
import zipfile
import zlib
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

from ..contract.atomic import scratch_dir
from ..contract.errors import IntegrityError, UnusableInputError

__all__ = ["safe_extract", "DEFAULT_MAX_TOTAL_BYTES", "DEFAULT_MAX_ENTRY_BYTES", "DEFAULT_MAX_RATIO"]

_GIB = 1 << 30
_MIB = 1 << 20

# A release today is well under 10 MB; these leave room for years of growth while keeping a
# hostile archive from filling the disk.
DEFAULT_MAX_TOTAL_BYTES = 2 * _GIB
DEFAULT_MAX_ENTRY_BYTES = 1 * _GIB

# Deflate tops out near 1032:1 on constant input; real CSV compresses about 5-20:1 and Parquet
# barely at all, so 100:1 separates data from a zip bomb. Files under 1 MiB are exempt: they
# cannot do harm whatever their ratio.
DEFAULT_MAX_RATIO = 100
_RATIO_EXEMPT_BYTES = 1 * _MIB

# A release has a few dozen files; a cap on the count keeps a central directory of millions of
# tiny entries from exhausting inodes.
_MAX_ENTRIES = 10_000
_CHUNK = 1 * _MIB
_WINDOWS_RESERVED = re.compile(r"(?i)(con|prn|aux|nul|com[0-9]|lpt[0-9])(\..*)?")


@dataclass(slots=True)
class _Entry:
    info: zipfile.ZipInfo
    parts: tuple[str, ...]


def _unsafe(archive: str, entry: str, why: str) -> IntegrityError:
    return IntegrityError(f"{archive}: refused unsafe entry {entry!r}: {why}; nothing was installed")


def _check_entries(
    zf: zipfile.ZipFile, archive: str, *, max_total_bytes: int, max_entry_bytes: int, max_ratio: float
) -> tuple[str, list[_Entry]]:
    """Check every entry before anything is written; the top folder's name and the files to extract."""
    infos = zf.infolist()
    if not infos:
        raise IntegrityError(f"{archive}: the archive is empty")
    if len(infos) > _MAX_ENTRIES:
        raise IntegrityError(f"{archive}: {len(infos)} entries, more than the limit of {_MAX_ENTRIES}")
    top: str | None = None
    seen: dict[str, str] = {}
    kinds: dict[str, bool] = {}  # normalised path -> is a folder
    files: list[_Entry] = []
    total = 0
    for info in infos:
        raw = info.orig_filename
        if not raw:
            raise _unsafe(archive, raw, "the name is empty")
        if any(ord(c) < 32 or ord(c) == 127 for c in raw):
            raise _unsafe(archive, raw, "the name contains control characters")
        if "\\" in raw:
            raise _unsafe(archive, raw, "the name contains a backslash, which Windows reads as a folder separator")
        if raw.startswith("/"):
            raise _unsafe(archive, raw, "it is an absolute path")
        if re.match(r"[A-Za-z]:", raw):
            raise _unsafe(archive, raw, "it starts with a drive letter")
        is_dir = raw.endswith("/")
        parts = tuple(raw[:-1].split("/") if is_dir else raw.split("/"))
        if ".." in parts:
            raise _unsafe(archive, raw, "it contains '..', which would leave the extraction folder")
        if any(p in ("", ".") for p in parts):
            raise _unsafe(archive, raw, "it has an empty or '.' path component")
        if any(":" in p or p.endswith((" ", ".")) or _WINDOWS_RESERVED.fullmatch(p) for p in parts):
            raise _unsafe(archive, raw, "a path component is not a portable file name (':', a trailing dot or space, or a reserved Windows name)")
        if top is None:
            top = parts[0]
        if parts[0] != top or (len(parts) == 1 and not is_dir):
            raise _unsafe(archive, raw, f"it is outside the archive's single top folder {top + '/'!r}")
        mode = info.external_attr >> 16
        kind = stat.S_IFMT(mode)
        if kind == stat.S_IFLNK:
            raise _unsafe(archive, raw, "it is a symbolic link")
        if kind not in (0, stat.S_IFDIR if is_dir else stat.S_IFREG):
            raise _unsafe(archive, raw, f"it is not a regular {'folder' if is_dir else 'file'} (mode {mode:o})")
        if info.flag_bits & 0x1:
            raise _unsafe(archive, raw, "it is encrypted")
        # Case-folded and NFC-normalised, because macOS and Windows treat such names as one file.
        key = unicodedata.normalize("NFC", "/".join(parts)).casefold()
        if key in seen:
            raise _unsafe(archive, raw, f"it duplicates the entry {seen[key]!r}")
        seen[key] = raw
        kinds[key] = is_dir
        if is_dir:
            continue
        if info.file_size > max_entry_bytes:
            raise _unsafe(archive, raw, f"it declares {info.file_size} bytes, more than the per-file limit of {max_entry_bytes}")
        if info.file_size > _RATIO_EXEMPT_BYTES and info.file_size > max_ratio * max(info.compress_size, 1):
            ratio = info.file_size / max(info.compress_size, 1)
            raise _unsafe(archive, raw, f"it expands {ratio:.0f}:1, more than the limit of {max_ratio:g}:1 (a zip bomb?)")
        total += info.file_size
        if total > max_total_bytes:
            raise _unsafe(archive, raw, f"the entries up to it declare {total} bytes, more than the total limit of {max_total_bytes}")
        files.append(_Entry(info, parts))
    for key in kinds:
        segments = key.split("/")
        for i in range(1, len(segments)):
            parent = "/".join(segments[:i])
            if kinds.get(parent) is False:
                raise _unsafe(archive, seen[key], f"it sits inside {seen[parent]!r}, which is a file")
    assert top is not None
    return top, files


def _extract(
    zf: zipfile.ZipFile, entries: list[_Entry], dest: Path, archive: str, *, max_total_bytes: int, max_entry_bytes: int, max_ratio: float
) -> dict[str, str]:
    """Write the checked entries under `dest`; path under the top folder -> sha256 of what was written.

    Declared sizes can lie, so the bytes actually produced are counted against the same limits.
    """
    hashes: dict[str, str] = {}
    total = 0
    for entry in entries:
        info = entry.info
        target = dest.joinpath(*entry.parts)
        target.parent.mkdir(parents=True, exist_ok=True)
        digest = hashlib.sha256()
        written = 0
        try:
            with zf.open(info) as src, open(target, "xb") as out:
                while chunk := src.read(_CHUNK):
                    written += len(chunk)
                    total += len(chunk)
                    if written > info.file_size:
                        raise _unsafe(archive, info.orig_filename, f"it expands past its declared size of {info.file_size} bytes")
                    if written > max_entry_bytes:
                        raise _unsafe(archive, info.orig_filename, f"it expands past the per-file limit of {max_entry_bytes} bytes")
                    if total > max_total_bytes:
                        raise _unsafe(archive, info.orig_filename, f"the archive expands past the total limit of {max_total_bytes} bytes")
                    if written > _RATIO_EXEMPT_BYTES and written > max_ratio * max(info.compress_size, 1):
                        raise _unsafe(archive, info.orig_filename, f"it expands more than {max_ratio:g}:1 (a zip bomb?)")
                    digest.update(chunk)
                    out.write(chunk)
        except EOFError:
            raise IntegrityError(
                f"{archive}: cannot extract {info.orig_filename!r}: its data ends before its declared size; nothing was installed"
            ) from None
        except (zipfile.BadZipFile, NotImplementedError, RuntimeError, ValueError) as exc:
            raise IntegrityError(f"{archive}: cannot extract {info.orig_filename!r}: {exc}; nothing was installed") from None
        except zlib.error as exc:
            raise IntegrityError(f"{archive}: cannot extract {info.orig_filename!r}: corrupt data ({exc}); nothing was installed") from None
        if written != info.file_size:
            raise IntegrityError(
                f"{archive}: {info.orig_filename!r} holds {written} bytes but declares {info.file_size}; nothing was installed"
            )
        os.chmod(target, 0o644)
        hashes["/".join(entry.parts[1:])] = digest.hexdigest()
    return hashes


def _unpack(
    archive: Path,
    dest: Path,
    where: str,
    *,
    check_top: Callable[[str], None] | None = None,
    max_total_bytes: int,
    max_entry_bytes: int,
    max_ratio: float,
) -> tuple[str, dict[str, str]]:
    """Check, then extract `archive` under `dest`: the top folder's name and the written files' sha256."""
    try:
        zf = zipfile.ZipFile(archive)
    except zipfile.BadZipFile as exc:
        raise UnusableInputError(f"{where}: not a readable zip archive ({exc})") from None
    except FileNotFoundError:
        raise UnusableInputError(f"{where}: no such file") from None
    with zf:
        top, entries = _check_entries(zf, where, max_total_bytes=max_total_bytes, max_entry_bytes=max_entry_bytes, max_ratio=max_ratio)
        if check_top is not None:
            check_top(top)
        hashes = _extract(zf, entries, dest, where, max_total_bytes=max_total_bytes, max_entry_bytes=max_entry_bytes, max_ratio=max_ratio)
    (dest / top).mkdir(parents=True, exist_ok=True)
    return top, hashes


def safe_extract(
    archive: str | Path,
    dest: str | Path,
    *,
    max_total_bytes: int = DEFAULT_MAX_TOTAL_BYTES,
    max_entry_bytes: int = DEFAULT_MAX_ENTRY_BYTES,
    max_ratio: float = DEFAULT_MAX_RATIO,
) -> Path:
    """Extract a zip archive whose entries share one top folder into `dest`; return that folder.

    Every entry is checked before anything is written (no absolute paths, drive letters, '..',
    backslashes, links or special files, duplicates, entries beside the top folder; size and
    compression-ratio limits), and the bytes actually written are counted against the same limits.
    All or nothing: the files go to a scratch folder inside `dest`, renamed into place at the end.
    `IntegrityError` for an unsafe archive, `UnusableInputError` for one that cannot be read.
    SHA256SUMS is not checked here: `download()` does that.
    """
    archive, dest = Path(archive), Path(dest)
    dest.mkdir(parents=True, exist_ok=True)
    with scratch_dir(dest, ".extract-") as scratch:
        top, _ = _unpack(archive, scratch, str(archive), max_total_bytes=max_total_bytes, max_entry_bytes=max_entry_bytes, max_ratio=max_ratio)
        target = dest / top
        if target.exists():
            raise UnusableInputError(f"{target}: already exists; extract {archive} into an empty folder")
        os.rename(scratch / top, target)
        return target
