"""Where releases are published and what is there: the releases URL and its `index.json`.

The releases URL is a folder (http(s)://, file:// or a local path) holding the archives
`conflictdata-X.Y.Z.zip`, their `.sha256` files and `index.json`, which `conflictdata release`
writes beside them:

    {"description": "...",
     "releases": [{"version": "0.1.0", "date": "2026-11-25", "archive": "conflictdata-0.1.0.zip",
                   "sha256": "9f63…", "bytes": 111496}]}

oldest first. The URL is `$CONFLICTDATA_RELEASES_URL`, else `conflictdata:releases` in the
descriptor of the dataset bundled with conflictdata; with neither, nothing can be fetched by
version and the message says how to set one.
"""

from __future__ import annotations

import json
import os
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..contract.errors import UnusableInputError
from .cache import _DESCRIPTOR, _VERSION, _check_version
from .transfer import NotFound, read_limited

__all__ = ["INDEX_NAME", "RELEASES_KEY", "RELEASES_URL_ENV", "IndexEntry", "ReleaseIndex", "parse_index", "index_bytes",
           "releases_url", "fetch_index", "archive_name"]

INDEX_NAME = "index.json"
RELEASES_KEY = "conflictdata:releases"
RELEASES_URL_ENV = "CONFLICTDATA_RELEASES_URL"

# An index lists a few entries a year; a megabyte leaves room for centuries and keeps a hostile
# server from filling memory.
_MAX_INDEX_BYTES = 1 << 20
_SHA_RE = re.compile(r"[0-9a-f]{64}")
_DATE_RE = re.compile(r"\d{4}-\d{2}-\d{2}")
_DESCRIPTION = ("The releases published in this folder, oldest first, written by `conflictdata release`: each "
                "archive's version, release date, file name, sha256 and size in bytes. "
                "`conflictdata download --list` reads it; `conflictdata.load(version=...)` fetches from it.")


def archive_name(version: str) -> str:
    """`conflictdata-X.Y.Z.zip`: the file name of release `version`'s archive."""
    return f"conflictdata-{_check_version(version)}.zip"


@dataclass(frozen=True, slots=True)
class IndexEntry:
    """One release listed in `index.json`."""

    version: str
    date: str | None
    archive: str
    sha256: str
    bytes: int

    def to_dict(self) -> dict[str, Any]:
        # This key order is the file's: a new release adds lines, it never reorders old ones.
        return {"version": self.version, "date": self.date, "archive": self.archive, "sha256": self.sha256, "bytes": self.bytes}


@dataclass(frozen=True, slots=True)
class ReleaseIndex:
    """What a releases URL offers: its index's URL and entries, and which of them are in the cache."""

    url: str
    releases: tuple[IndexEntry, ...]
    cached: frozenset[str] = frozenset()

    def get(self, version: str) -> IndexEntry | None:
        return next((e for e in self.releases if e.version == version), None)

    @property
    def versions(self) -> list[str]:
        return [e.version for e in self.releases]

    def to_dict(self) -> dict[str, Any]:
        return {"url": self.url, "releases": [{**e.to_dict(), "cached": e.version in self.cached} for e in self.releases]}


def _entry(item: Any, where: str) -> IndexEntry:
    if not isinstance(item, dict):
        raise ValueError(f"{where}: must be an object")
    version, date, archive = item.get("version"), item.get("date"), item.get("archive")
    sha256, size = item.get("sha256"), item.get("bytes")
    if not isinstance(version, str) or not re.fullmatch(_VERSION, version):
        raise ValueError(f"{where}: version {version!r} is not MAJOR.MINOR.PATCH")
    if date is not None and not (isinstance(date, str) and _DATE_RE.fullmatch(date)):
        raise ValueError(f"{where}: date {date!r} is not YYYY-MM-DD")
    if archive != archive_name(version):
        # Only the plain file name: an index cannot send a download anywhere but beside itself.
        raise ValueError(f"{where}: archive {archive!r} must be {archive_name(version)!r}")
    if not isinstance(sha256, str) or not _SHA_RE.fullmatch(sha256):
        raise ValueError(f"{where}: sha256 {sha256!r} is not 64 lowercase hexadecimal digits")
    if not isinstance(size, int) or isinstance(size, bool) or size < 0:
        raise ValueError(f"{where}: bytes {size!r} is not a size in bytes")
    return IndexEntry(version, date, archive, sha256, size)


def parse_index(data: bytes, where: str) -> list[IndexEntry]:
    """The entries of an `index.json`'s bytes; `UnusableInputError` naming `where` and the entry at fault."""
    try:
        doc = json.loads(data.decode("utf-8"))
    except (UnicodeDecodeError, ValueError) as exc:
        raise UnusableInputError(f"{where}: not a JSON release index ({exc})") from None
    items = doc.get("releases") if isinstance(doc, dict) else None
    if not isinstance(items, list):
        raise UnusableInputError(f'{where}: a release index must be an object with a "releases" list')
    entries: list[IndexEntry] = []
    for i, item in enumerate(items):
        try:
            entries.append(_entry(item, f"releases[{i}]"))
        except ValueError as exc:
            raise UnusableInputError(f"{where}: {exc}; fix the entry or write the index again with `conflictdata release`") from None
    seen = [e.version for e in entries]
    twice = sorted({v for v in seen if seen.count(v) > 1})
    if twice:
        raise UnusableInputError(f"{where}: version {', '.join(twice)} is listed more than once")
    return entries


def index_bytes(entries: list[IndexEntry]) -> bytes:
    """The text of `index.json` listing `entries` in the order given (the caller sorts them)."""
    doc = {"description": _DESCRIPTION, "releases": [e.to_dict() for e in entries]}
    return (json.dumps(doc, indent=2, ensure_ascii=False) + "\n").encode("utf-8")


def _how_to_set(descriptor: Path) -> str:
    return (f"set the environment variable {RELEASES_URL_ENV} to the URL of the folder holding {INDEX_NAME} and the "
            f"release archives (export {RELEASES_URL_ENV}=URL; http(s)://, file:// or a local folder), or add "
            f'"{RELEASES_KEY}": "URL" to {descriptor}')


def releases_url(descriptor: Path | None = None) -> str:
    """The releases URL: `$CONFLICTDATA_RELEASES_URL`, else `conflictdata:releases` in `descriptor`
    (default: that of the dataset bundled with conflictdata). `UnusableInputError` saying how to
    set one when neither is set."""
    override = os.environ.get(RELEASES_URL_ENV, "").strip()
    if override:
        return override.rstrip("/")
    if descriptor is None:
        from ..contract.discovery import bundled_root

        descriptor = bundled_root() / _DESCRIPTOR
    try:
        doc = json.loads(descriptor.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise UnusableInputError(f"{descriptor}: cannot read it for {RELEASES_KEY} ({exc}); or {_how_to_set(descriptor)}") from None
    value = doc.get(RELEASES_KEY) if isinstance(doc, dict) else None
    if value is None:
        raise UnusableInputError(f"no releases URL is set: {_how_to_set(descriptor)}")
    if not isinstance(value, str) or not value.strip():
        raise UnusableInputError(f'{descriptor}: "{RELEASES_KEY}" must be a URL string, not {value!r}; {_how_to_set(descriptor)}')
    return value.strip().rstrip("/")


def fetch_index(base: str) -> ReleaseIndex:
    """The `index.json` at the releases URL `base`; `NotFound` when there is none."""
    url = f"{base}/{INDEX_NAME}"
    try:
        data = read_limited(url, _MAX_INDEX_BYTES, "release index")
    except NotFound as exc:
        raise NotFound(f"{exc}; the releases URL must hold the {INDEX_NAME} that `conflictdata release` writes beside the archives") from None
    return ReleaseIndex(url, tuple(parse_index(data, url)))
