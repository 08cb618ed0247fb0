"""The verdicts of the descriptor's metadata check, remembered in the user cache.

The check (`contract.metadata.check_metadata`) is frictionless's metadata validation, and
importing frictionless costs more CPU than the check itself: a fifth of a second of every
`validate` of a 10^6-row package (issue 16). Its findings depend only on the descriptor (its
bytes, for the lines findings name, and the package as read, schemas and dialects included), the
name the report gives the file, frictionless's version and conflictdata's checking code. So they
are kept under that key in `<cache>/metadata/<key>.json`, and a package whose descriptor has not
changed since it was last validated on this machine is not checked again.

A cache that cannot be read or written is no error: the check then runs as without one.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

from ..contract.atomic import write_bytes_atomic
from ..contract.findings import Finding
from ..contract.package import Package
from .cache import cache_root
from .loadcache import _canonical_json, _code_fingerprint

__all__ = ["remembered", "remember", "verdict_key"]

# Bump when the layout of an entry changes: older entries then never match.
FORMAT = "conflictdata-metadata-1"


def verdict_key(package: Package) -> str | None:
    """The key of the check's inputs, or None where they cannot be read (no verdict is kept)."""
    if package.kind == "file":
        return None  # a bare data file has no descriptor: nothing is checked
    try:
        from importlib.metadata import version

        h = hashlib.sha256(f"{FORMAT}\0{version('frictionless')}\0{_code_fingerprint()}\0".encode())
        h.update(package.kind.encode() + b"\0" + package.display(package.descriptor_path).encode() + b"\0")
        h.update(Path(package.descriptor_path).read_bytes() + b"\0")
        h.update(_canonical_json(package.descriptor))
    except Exception:  # no frictionless metadata, an unreadable file...: check afresh
        return None
    return h.hexdigest()


def _entry(key: str) -> Path:
    return cache_root() / "metadata" / f"{key}.json"


def remembered(key: str | None) -> list[Finding] | None:
    """The findings kept under `key`, or None: not kept (or unreadable, which is the same)."""
    if key is None:
        return None
    try:
        kept = json.loads(_entry(key).read_bytes())
        if kept.get("format") != FORMAT:
            return None
        return [Finding(**f) for f in kept["findings"]]
    except Exception:
        return None


def remember(key: str | None, findings: list[Finding]) -> None:
    """Keep `findings` under `key`; a cache that cannot be written is skipped silently."""
    if key is None:
        return
    try:
        data = {"format": FORMAT, "findings": [f.to_dict() for f in findings]}
        _entry(key).parent.mkdir(parents=True, exist_ok=True)
        write_bytes_atomic(_entry(key), json.dumps(data, ensure_ascii=False).encode("utf-8"))
    except OSError:
        return

