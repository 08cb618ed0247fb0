"""Downloading and verifying release archives into the cache (cache.py), which `load(version=...)`
reads from.

A release is `conflictdata-X.Y.Z.zip`, whose entries all sit under one top folder
`conflictdata-X.Y.Z/` holding the package and a `SHA256SUMS` file; its published checksum sits
beside it as `conflictdata-X.Y.Z.zip.sha256`. `download()` fetches the archive (http(s)://,
file:// or a local path) into a staging folder inside the cache, refuses it unless its sha256
equals the published (or given) checksum, checks every entry before extracting anything (no path
leaving the top folder, no links or special files, size and compression-ratio limits), extracts
while counting the bytes actually written, checks the files against `SHA256SUMS`, and only then
renames the folder into `<cache>/releases/X.Y.Z`. A failure at any step leaves the cache as it was.
The checks of the archive's entries are extract.py's; where releases live, cache.py's; getting the
bytes, transfer.py's; where releases are published (the releases URL, index.json), index.py's.

`release_package(version)` is what `load(version=...)` calls: the cached copy when it is there and
intact (no network at all), else `download(version)` from the releases URL.

Only the standard library (and rich, for the progress bar) is used: no pandas on this path.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import Any

from ..contract.errors import IntegrityError, UnusableInputError
from .cache import (_DESCRIPTOR, _SUMS, _VERSION, _check_version, _install, _intact, _read_record, _read_sums, _staging,
                    _sums_problems, _write_record, cache_root, release_dir)
from .extract import DEFAULT_MAX_ENTRY_BYTES, DEFAULT_MAX_RATIO, DEFAULT_MAX_TOTAL_BYTES, _unpack
from .index import INDEX_NAME, RELEASES_URL_ENV, ReleaseIndex, archive_name, fetch_index, releases_url
from .transfer import NotFound, _basename, _checksum_url, _fetch, read_limited

__all__ = ["DownloadResult", "download", "release_package", "available_releases", "RELEASES_URL_ENV"]

_MAX_CHECKSUM_FILE_BYTES = 4096

_ARCHIVE_RE = re.compile(rf"conflictdata-({_VERSION})\.zip")
_TOP_RE = re.compile(rf"conflictdata-({_VERSION})")
_SHA_RE = re.compile(r"[0-9a-fA-F]{64}")


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


def _published_checksum(url: str, name: str) -> str:
    """The sha256 published beside the archive at `<url>.sha256`."""
    sums_url = _checksum_url(url)
    try:
        data = read_limited(sums_url, _MAX_CHECKSUM_FILE_BYTES, "checksum file")
    except NotFound as exc:
        raise UnusableInputError(
            f"no published checksum for the archive: {exc}. conflictdata never installs unverified "
            "data; pass --sha256 HEX (sha256=...) with the checksum from a source you trust"
        ) from None
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


# --- verifying and installing ----------------------------------------------------------------


def _verify_sums(pkg: Path, hashes: dict[str, str], where: str) -> None:
    problems = _sums_problems(_read_sums(pkg, where), hashes)
    if problems:
        shown = "; ".join(problems[:5]) + (f"; and {len(problems) - 5} more" if len(problems) > 5 else "")
        raise IntegrityError(f"{where}: the files do not match {_SUMS}: {shown}; nothing was installed")


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


def _already_cached(version: str, expected: str, url: str) -> DownloadResult | None:
    path = release_dir(version)
    record = _read_record(path)
    if not record or record.get("sha256") != expected or not _intact(path):
        return None
    size = record.get("bytes")
    return DownloadResult(version, path, expected, size if isinstance(size, int) else 0, True, url)


def _release_url(base: str, version: str) -> tuple[str, str | None]:
    """The URL of release `version`'s archive at the releases URL `base`, and its sha256 as the
    folder's index.json lists it (None where there is no index: `<url>.sha256` then verifies it)."""
    try:
        index = fetch_index(base)
    except NotFound:
        return f"{base}/{archive_name(version)}", None
    entry = index.get(version)
    if entry is None:
        available = ", ".join(index.versions) or "none yet"
        raise NotFound(f"conflictdata {version} is not among the releases at {index.url}; available: {available}")
    return f"{base}/{entry.archive}", entry.sha256


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

    `url` is an http(s):// or file:// URL or a local path; without it the archive is the one the
    releases URL's `index.json` lists for `version` (`releases_url()`: `$CONFLICTDATA_RELEASES_URL`,
    else `conflictdata:releases` in the bundled descriptor), or `RELEASES/conflictdata-VERSION.zip`
    where that folder has no index. The archive's sha256 must equal `sha256`, else the one the
    index lists, else the checksum published at `<url>.sha256`; with none, nothing is installed.
    `IntegrityError` on a checksum mismatch or an unsafe archive, `UnusableInputError` when
    something cannot be fetched or read. A progress bar goes to stderr when `progress` is true.
    The limits bound the extracted size and the compression ratio.
    """
    if version is not None:
        version = _check_version(version)
    listed: str | None = None
    not_found_hint = ""
    if url is None:
        if version is None:
            raise UnusableInputError("name the VERSION to download, or pass --url with the archive's URL or path")
        try:
            base = releases_url()
        except UnusableInputError as exc:
            raise UnusableInputError(f"{exc}; or pass the archive's URL or path (--url URL, url=...)") from None
        url, listed = _release_url(base, version)
        if listed is None:
            not_found_hint = f" (and {base} has no {INDEX_NAME} listing its releases)"
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
    expected = expected or listed

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
        except NotFound as exc:
            raise NotFound(f"{exc}{not_found_hint}") from None
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


def release_package(version: str, *, progress: bool = True) -> Path:
    """The folder of release `version` in the cache, downloaded and verified first if it is not
    there (or no longer matches its SHA256SUMS). A copy in the cache is used without any network
    access. `UnusableInputError` saying how to set the releases URL when none is set."""
    path = release_dir(version)
    if (path / _DESCRIPTOR).is_file():
        if _intact(path):
            return path
        why = f"{path}: the cached copy no longer matches its {_SUMS} and fetching it again failed: "
    else:
        why = f"conflictdata {_check_version(version)} is not in the cache ({path}) and cannot be fetched: "
    try:
        releases_url()
    except UnusableInputError as exc:
        raise UnusableInputError(f"{why}{exc}; or fetch the archive by its URL or path first "
                                 f"(`conflictdata download {_check_version(version)} --url URL`)") from None
    try:
        return download(version, progress=progress).path
    except IntegrityError:
        raise
    except UnusableInputError as exc:
        raise type(exc)(f"{why}{exc}") from None


def available_releases() -> ReleaseIndex:
    """The releases the releases URL offers (its index.json), each marked whether it is in the cache."""
    index = fetch_index(releases_url())
    cached = frozenset(e.version for e in index.releases if (release_dir(e.version) / _DESCRIPTOR).is_file())
    return ReleaseIndex(index.url, index.releases, cached)
