"""Downloading, verifying and caching release archives; `load(version=...)` reads from this cache.

A release is `conflictdata-X.Y.Z.zip`, whose entries all sit under one top folder
`conflictdata-X.Y.Z/` holding the package and a `SHA256SUMS` file; its published checksum sits
beside it as `conflictdata-X.Y.Z.zip.sha256`. `download()` fetches the archive (http(s)://,
file:// or a local path) into a staging folder inside the cache, refuses it unless its sha256
equals the published (or given) checksum, checks every entry before extracting anything (no path
leaving the top folder, no links or special files, size and compression-ratio limits), extracts
while counting the bytes actually written, checks the files against `SHA256SUMS`, and only then
renames the folder into `<cache>/releases/X.Y.Z`. A failure at any step leaves the cache as it was.

Only the standard library (and rich, for the progress bar) is used: no pandas on this path.
"""

from __future__ import annotations

import hashlib
import http.client
import json
import os
import re
import shutil
import stat
import sys
import tempfile
import unicodedata
import urllib.error
import urllib.request
import zipfile
import zlib
from contextlib import contextmanager, nullcontext
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import IO, Any, Callable, Iterator
from urllib.parse import unquote, urlsplit, urlunsplit

from ..contract.errors import IntegrityError, UnusableInputError
from ..checking.integrity import SUMS_NAME, parse_sha256sums, sha256_file

__all__ = [
    "DownloadResult",
    "cache_root",
    "release_dir",
    "cached_release",
    "download",
    "safe_extract",
    "CACHE_ENV",
    "RELEASES_URL_ENV",
    "DEFAULT_MAX_TOTAL_BYTES",
    "DEFAULT_MAX_ENTRY_BYTES",
    "DEFAULT_MAX_RATIO",
]

CACHE_ENV = "CONFLICTDATA_CACHE"
RELEASES_URL_ENV = "CONFLICTDATA_RELEASES_URL"

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
_MAX_CHECKSUM_FILE_BYTES = 4096
_CHUNK = 1 * _MIB
_TIMEOUT_SECONDS = 30

_SUMS = SUMS_NAME
_DESCRIPTOR = "datapackage.json"
# Written into the release folder (after SHA256SUMS was checked) so that a later download of the
# same version can skip the network when the archive checksum is unchanged and the files verify.
_RECORD = ".conflictdata-download.json"

_VERSION = r"\d+\.\d+\.\d+(?:-[0-9A-Za-z-]+(?:\.[0-9A-Za-z-]+)*)?(?:\+[0-9A-Za-z-]+(?:\.[0-9A-Za-z-]+)*)?"
_VERSION_RE = re.compile(_VERSION)
_ARCHIVE_RE = re.compile(rf"conflictdata-({_VERSION})\.zip")
_TOP_RE = re.compile(rf"conflictdata-({_VERSION})")
_SHA_RE = re.compile(r"[0-9a-fA-F]{64}")
_WINDOWS_RESERVED = re.compile(r"(?i)(con|prn|aux|nul|com[0-9]|lpt[0-9])(\..*)?")


@dataclass(frozen=True, slots=True)
class DownloadResult:
    """What `download()` installed (or found already installed) in the cache."""

    version: str
    path: Path
    sha256: str
    bytes: int
    cached: bool
    url: str

    def to_dict(self) -> dict[str, Any]:
        return {
            "version": self.version,
            "path": str(self.path),
            "sha256": self.sha256,
            "bytes": self.bytes,
            "cached": self.cached,
            "url": self.url,
        }


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


def _archive_name(version: str) -> str:
    return f"conflictdata-{_check_version(version)}.zip"


# --- fetching --------------------------------------------------------------------------------


def _locate(url: str) -> tuple[str, Path | None]:
    """('http', None) for http(s) URLs, ('file', path) for file:// URLs and local paths."""
    parts = urlsplit(url)
    scheme = parts.scheme.lower()
    if scheme in ("http", "https"):
        return "http", None
    if scheme == "file":
        if parts.netloc not in ("", "localhost"):
            raise UnusableInputError(f"{url}: a file:// URL must name a local file (file:///path/to/archive.zip)")
        return "file", Path(urllib.request.url2pathname(parts.path))
    # A Windows path such as C:\\releases\\x.zip parses as scheme 'c'.
    if scheme == "" or (len(scheme) == 1 and sys.platform == "win32"):
        return "file", Path(url).expanduser()
    raise UnusableInputError(f"{url}: unsupported URL scheme {scheme!r}; use http(s)://, file:// or a local path")


def _basename(url: str) -> str:
    kind, path = _locate(url)
    if path is not None:
        return path.name
    return unquote(PurePosixPath(urlsplit(url).path).name)


def _user_agent() -> str:
    from ..contract.names import VERSION as __version__

    return f"conflictdata/{__version__} (+python-urllib)"


def _urlopen(url: str) -> http.client.HTTPResponse:
    request = urllib.request.Request(url, headers={"User-Agent": _user_agent()})
    try:
        return urllib.request.urlopen(request, timeout=_TIMEOUT_SECONDS)
    except urllib.error.HTTPError as exc:
        exc.close()
        raise UnusableInputError(f"{url}: HTTP error {exc.code} ({exc.reason})") from None
    except urllib.error.URLError as exc:
        raise UnusableInputError(f"{url}: cannot reach the server ({exc.reason})") from None
    except TimeoutError:
        raise UnusableInputError(f"{url}: no answer within {_TIMEOUT_SECONDS} s") from None
    except (OSError, http.client.HTTPException) as exc:
        raise UnusableInputError(f"{url}: the request failed ({exc})") from None


@contextmanager
def _open_stream(url: str) -> Iterator[tuple[IO[bytes], int | None]]:
    """The bytes at `url` as a stream, and their length when known."""
    kind, path = _locate(url)
    if path is None:
        with _urlopen(url) as response:
            length = response.headers.get("Content-Length", "")
            yield response, int(length) if length.isdigit() else None
        return
    try:
        fh = open(path, "rb")
    except FileNotFoundError:
        raise UnusableInputError(f"{path}: no such file") from None
    except OSError as exc:
        raise UnusableInputError(f"{path}: cannot read it ({exc.strerror or exc})") from None
    with fh:
        yield fh, os.fstat(fh.fileno()).st_size


def _read_chunk(stream: IO[bytes], url: str) -> bytes:
    try:
        return stream.read(_CHUNK)
    except TimeoutError:
        raise UnusableInputError(f"{url}: the server stopped sending for {_TIMEOUT_SECONDS} s; try again") from None
    except (OSError, http.client.HTTPException) as exc:
        raise UnusableInputError(f"{url}: the download was interrupted ({exc}); try again") from None


def _checksum_url(url: str) -> str:
    """`<url>.sha256`, keeping a query string (a signed download link) after the path."""
    kind, _ = _locate(url)
    if kind == "file" and not url.lower().startswith("file:"):
        return f"{url}.sha256"
    parts = urlsplit(url)
    return urlunsplit(parts._replace(path=parts.path + ".sha256"))


def _published_checksum(url: str, name: str) -> str:
    """The sha256 published beside the archive at `<url>.sha256`."""
    sums_url = _checksum_url(url)
    try:
        with _open_stream(sums_url) as (stream, _):
            data = stream.read(_MAX_CHECKSUM_FILE_BYTES + 1)
    except UnusableInputError as exc:
        raise UnusableInputError(
            f"no published checksum for the archive: {exc}. conflictdata never installs unverified "
            "data; pass --sha256 HEX (sha256=...) with the checksum from a source you trust"
        ) from None
    except (OSError, http.client.HTTPException) as exc:
        raise UnusableInputError(f"{sums_url}: cannot read the checksum ({exc})") from None
    if len(data) > _MAX_CHECKSUM_FILE_BYTES:
        raise UnusableInputError(f"{sums_url}: too large for a checksum file")
    text = data.decode("utf-8", "replace").strip()
    first = text.splitlines()[0].strip() if text else ""
    match = re.fullmatch(r"([0-9a-fA-F]{64})(?:\s+\*?(.+))?", first)
    if not match:
        raise UnusableInputError(
            f"{sums_url}: not a sha256 checksum file (expected one line '<64 hex digits>  {name}')"
        )
    named = (match[2] or "").strip()
    if named and PurePosixPath(named).name != name:
        raise UnusableInputError(f"{sums_url}: the checksum is for {named!r}, not for {name!r}")
    return match[1].lower()


def _progress(enabled: bool) -> Any:
    if not enabled:
        return nullcontext(None)
    from rich.console import Console
    from rich.progress import BarColumn, DownloadColumn, Progress, TextColumn, TimeRemainingColumn, TransferSpeedColumn

    return Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        DownloadColumn(),
        TransferSpeedColumn(),
        TimeRemainingColumn(),
        console=Console(stderr=True, emoji=False),
    )


def _fetch(url: str, dest: Path, *, label: str, progress: bool, limit: int) -> tuple[int, str]:
    """Stream `url` into `dest` while hashing it; (bytes, sha256 hex)."""
    digest = hashlib.sha256()
    size = 0
    with _open_stream(url) as (stream, total):
        if total is not None and total > limit:
            raise IntegrityError(f"{url}: the archive is {total} bytes, more than the limit of {limit} bytes")
        with open(dest, "xb") as out, _progress(progress) as bar:
            task = bar.add_task(label, total=total) if bar is not None else None
            while chunk := _read_chunk(stream, url):
                size += len(chunk)
                if size > limit:
                    raise IntegrityError(f"{url}: the archive is larger than the limit of {limit} bytes")
                digest.update(chunk)
                out.write(chunk)
                if bar is not None:
                    bar.update(task, advance=len(chunk))
    if total is not None and size != total:
        raise UnusableInputError(f"{url}: the download stopped after {size} of {total} bytes; try again")
    return size, digest.hexdigest()


# --- checking and extracting the archive -----------------------------------------------------


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
    scratch = Path(tempfile.mkdtemp(prefix=".extract-", dir=dest))
    try:
        top, _ = _unpack(archive, scratch, str(archive), max_total_bytes=max_total_bytes, max_entry_bytes=max_entry_bytes, max_ratio=max_ratio)
        target = dest / top
        if target.exists():
            raise UnusableInputError(f"{target}: already exists; extract {archive} into an empty folder")
        os.rename(scratch / top, target)
        return target
    finally:
        shutil.rmtree(scratch, ignore_errors=True)


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


def _verify_sums(pkg: Path, hashes: dict[str, str], where: str) -> None:
    problems = _sums_problems(_read_sums(pkg, where), hashes)
    if problems:
        shown = "; ".join(problems[:5]) + (f"; and {len(problems) - 5} more" if len(problems) > 5 else "")
        raise IntegrityError(f"{where}: the files do not match {_SUMS}: {shown}; nothing was installed")


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


def _check_descriptor_version(pkg: Path, version: str, where: str) -> None:
    try:
        descriptor = json.loads((pkg / _DESCRIPTOR).read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise IntegrityError(f"{where}: the release has no {_DESCRIPTOR}") from None
    except (OSError, ValueError) as exc:
        raise IntegrityError(f"{where}: cannot read its {_DESCRIPTOR} ({exc})") from None
    declared = descriptor.get("version") if isinstance(descriptor, dict) else None
    if declared != version:
        raise IntegrityError(
            f"{where}: the archive is release {version} but its {_DESCRIPTOR} says version {declared!r}; nothing was installed"
        )


# --- the cache ---------------------------------------------------------------------------------


@contextmanager
def _staging(root: Path) -> Iterator[Path]:
    """A scratch folder inside the cache (same file system, so the final rename is atomic).

    It is always removed; on failure, so are the cache folders this call created.
    """
    created: list[Path] = []
    for folder in reversed([root, *root.parents]):
        if not folder.exists():
            created.append(folder)
    try:
        root.mkdir(parents=True, exist_ok=True)
        scratch = Path(tempfile.mkdtemp(prefix=".staging-", dir=root))
    except OSError as exc:
        _remove_empty(created)
        raise UnusableInputError(f"{root}: cannot write to the cache folder ({exc.strerror or exc}); set {CACHE_ENV} to a writable folder") from None
    try:
        yield scratch
    except BaseException:
        shutil.rmtree(scratch, ignore_errors=True)
        _remove_empty(created)
        raise
    shutil.rmtree(scratch, ignore_errors=True)


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
    from ..contract.atomic import write_bytes_atomic

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
    # The cached copy is damaged (edited or partly deleted): swap it for the verified one. The
    # folder is briefly absent between the two renames, but never half there.
    old = scratch / "damaged"
    os.rename(dest, old)
    os.rename(staged, dest)
    return False


def _already_cached(version: str, expected: str, url: str) -> DownloadResult | None:
    path = release_dir(version)
    record = _read_record(path)
    if not record or record.get("sha256") != expected or not _intact(path):
        return None
    size = record.get("bytes")
    return DownloadResult(version, path, expected, size if isinstance(size, int) else 0, True, url)


def download(
    version: str | None = None,
    *,
    url: str | None = None,
    sha256: str | None = None,
    progress: bool = True,
    max_total_bytes: int = DEFAULT_MAX_TOTAL_BYTES,
    max_entry_bytes: int = DEFAULT_MAX_ENTRY_BYTES,
    max_ratio: float = DEFAULT_MAX_RATIO,
) -> DownloadResult:
    """Fetch, verify and cache a release archive; return where its package now lives.

    `url` is an http(s):// or file:// URL or a local path; without it the archive is looked up
    as `$CONFLICTDATA_RELEASES_URL/conflictdata-VERSION.zip`. The archive's sha256 must equal
    `sha256`, or else the checksum published at `<url>.sha256`; with neither, nothing is
    installed. `IntegrityError` on a checksum mismatch or an unsafe archive,
    `UnusableInputError` when something cannot be fetched or read. A progress bar goes to stderr
    when `progress` is true. The limits bound the extracted size and the compression ratio.
    """
    if version is not None:
        version = _check_version(version)
    if url is None:
        if version is None:
            raise UnusableInputError("name the VERSION to download, or pass --url with the archive's URL or path")
        base = os.environ.get(RELEASES_URL_ENV, "").strip()
        if not base:
            raise UnusableInputError(
                f"no release location is configured: pass --url URL (http(s)://, file:// or a local path of "
                f"{_archive_name(version)}), or set {RELEASES_URL_ENV} to the folder that holds the releases"
            )
        url = f"{base.rstrip('/')}/{_archive_name(version)}"
    name = _basename(url)
    match = _ARCHIVE_RE.fullmatch(name)
    if match and version is not None and match[1] != version:
        raise UnusableInputError(f"{url}: the archive is named for version {match[1]}, not {version}")
    version = version or (match[1] if match else None)

    expected: str | None = None
    if sha256 is not None:
        if not _SHA_RE.fullmatch(sha256.strip()):
            raise UnusableInputError(f"sha256 {sha256!r}: expected 64 hexadecimal digits")
        expected = sha256.strip().lower()

    if version is not None and _read_record(release_dir(version)) is not None:
        # A copy downloaded before spares the network only if the checksum it was verified
        # against is still the one published, and its files still match its SHA256SUMS.
        expected = expected or _published_checksum(url, name)
        hit = _already_cached(version, expected, url)
        if hit is not None:
            return hit

    root = cache_root()
    with _staging(root) as scratch:
        archive = scratch / "archive.zip"
        try:
            size, actual = _fetch(url, archive, label=name or "release", progress=progress, limit=max_total_bytes)
        except OSError as exc:
            raise UnusableInputError(f"{root}: cannot write the download ({exc.strerror or exc})") from None
        # Fetched after the archive, so that a wrong URL is reported as the archive's, not its checksum's.
        expected = expected or _published_checksum(url, name)
        if actual != expected:
            raise IntegrityError(
                f"{url}: sha256 mismatch: expected {expected}, got {actual}; the archive was altered or damaged, "
                "nothing was installed"
            )

        def check_top(top: str) -> None:
            found = _TOP_RE.fullmatch(top)
            if not found or (version is not None and found[1] != version):
                expected_top = f"conflictdata-{version}/" if version is not None else "conflictdata-X.Y.Z/"
                raise IntegrityError(f"{url}: the archive's top folder is {top + '/'!r}, expected {expected_top}; nothing was installed")

        try:
            top, hashes = _unpack(
                archive, scratch / "extract", url, check_top=check_top,
                max_total_bytes=max_total_bytes, max_entry_bytes=max_entry_bytes, max_ratio=max_ratio,
            )
        except OSError as exc:
            raise UnusableInputError(f"{root}: cannot extract into the cache ({exc.strerror or exc})") from None
        top_version = _TOP_RE.fullmatch(top)
        assert top_version is not None  # check_top refused any other name
        version = top_version[1]
        staged = scratch / "extract" / top
        _verify_sums(staged, hashes, url)
        _check_descriptor_version(staged, version, url)
        archive.unlink()
        _write_record(staged, sha256=actual, size=size, name=name)
        dest = release_dir(version)
        try:
            cached = _install(staged, dest, scratch, hashes, version)
            if cached and (_read_record(dest) or {}).get("sha256") != actual:
                _write_record(dest, sha256=actual, size=size, name=name)
        except OSError as exc:
            raise UnusableInputError(f"{dest}: cannot move the release into the cache ({exc.strerror or exc})") from None
    return DownloadResult(version, dest, actual, size, cached, url)
