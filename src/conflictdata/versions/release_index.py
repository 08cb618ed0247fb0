"""The `index.json` that `release` writes beside the archives, so that the folder, once published
as the releases URL, says what it offers (`conflictdata download --list`, `load(version=...)`).

It accumulates: the entries of the `index.json` already in the output folder, one for every
archive `conflictdata-X.Y.Z.zip` found there (its sha256 and size read from its bytes, which
win over an older entry), and the new release; oldest first, each entry's keys in one order, so a
new release adds lines to the file and changes none.
"""

from __future__ import annotations

import io
import json
import re
import zipfile
from pathlib import Path

from ..checking.integrity import sha256_bytes
from ..contract.errors import UnusableInputError
from ..contract.names import DESCRIPTOR
from ..distribution.index import INDEX_NAME, IndexEntry, archive_name, index_bytes, parse_index
from .semver import parse_version

__all__ = ["index_with"]

_ARCHIVE_RE = re.compile(r"conflictdata-(\d+\.\d+\.\d+)\.zip")


def _released_on(data: bytes, version: str) -> str | None:
    """The release date inside an archive: its descriptor's `created`, as `release` dates it."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as zf:
            descriptor = json.loads(zf.read(f"conflictdata-{version}/{DESCRIPTOR}"))
    except (KeyError, ValueError, zipfile.BadZipFile):
        return None
    created = descriptor.get("created") if isinstance(descriptor, dict) else None
    return created[:10] if isinstance(created, str) and re.match(r"\d{4}-\d{2}-\d{2}", created) else None


def index_with(out: Path, version: str, data: bytes, date: str, dates: dict[str, str] | None = None) -> bytes:
    """The text of `out/index.json` once release `version` (archive bytes `data`, dated `date`) is
    written there. `dates` (version -> date, from releases.json) dates an archive found in `out`
    whose own descriptor does not."""
    path = out / INDEX_NAME
    entries: dict[str, IndexEntry] = {}
    if path.is_file():
        entries = {e.version: e for e in parse_index(path.read_bytes(), str(path))}
    for found in sorted(out.glob("conflictdata-*.zip")):
        match = _ARCHIVE_RE.fullmatch(found.name)
        if match is None or match[1] == version:
            continue
        old = found.read_bytes()
        digest = sha256_bytes(old)
        listed = entries.get(match[1])
        on = listed.date if listed is not None and listed.sha256 == digest else None
        on = on or _released_on(old, match[1]) or (dates or {}).get(match[1])
        entries[match[1]] = IndexEntry(match[1], on, found.name, digest, len(old))
    entries[version] = IndexEntry(version, date, archive_name(version), sha256_bytes(data), len(data))
    try:
        ordered = sorted(entries.values(), key=lambda e: parse_version(e.version))
    except ValueError as exc:
        raise UnusableInputError(f"{path}: {exc}; remove that entry or archive") from None
    return index_bytes(ordered)
