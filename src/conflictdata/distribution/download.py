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
The checks of the archive's entries are extract.py's; where releases live, cache.py's.

Only the standard library (and rich, for the progress bar) is used: no pandas on this path.
"""

from __future__ import annotations

import hashlib
import http.client
import json
import os
import re
import sys
import urllib.error
import urllib.request
from contextlib import contextmanager, nullcontext
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import IO, Any, Iterator
from urllib.parse import unquote, urlsplit, urlunsplit

from ..contract.errors import IntegrityError, UnusableInputError
from .cache import (_DESCRIPTOR, _SUMS, _VERSION, _check_version, _install, _intact, _read_record, _read_sums, _staging,
                    _sums_problems, _write_record, cache_root, release_dir)
from .extract import DEFAULT_MAX_ENTRY_BYTES, DEFAULT_MAX_RATIO, DEFAULT_MAX_TOTAL_BYTES, _unpack

__all__ = ["DownloadResult", "download", "RELEASES_URL_ENV"]

RELEASES_URL_ENV = "CONFLICTDATA_RELEASES_URL"

_MAX_CHECKSUM_FILE_BYTES = 4096
_CHUNK = 1 << 20
_TIMEOUT_SECONDS = 30

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
