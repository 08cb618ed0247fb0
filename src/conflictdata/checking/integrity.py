"""Checksums: sha256 of files, `sha256:` hashes in descriptors, and SHA256SUMS files.

SHA256SUMS uses the format of coreutils' `sha256sum` (`<hex>  <path>`), so anyone can check a
release with `sha256sum -c SHA256SUMS` without installing conflictdata.
"""

from __future__ import annotations

import hashlib
import re
from pathlib import Path

__all__ = ["sha256_file", "sha256_bytes", "sha256sums_text", "parse_sha256sums", "SUMS_NAME"]

SUMS_NAME = "SHA256SUMS"
_CHUNK = 1 << 20
# `<hex>  <path>` (text mode) or `<hex> *<path>` (binary mode), as sha256sum writes them.
_LINE = re.compile(r"([0-9a-fA-F]{64}) [ *](.+)")


def sha256_bytes(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def sha256_file(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        while chunk := fh.read(_CHUNK):
            h.update(chunk)
    return h.hexdigest()


def sha256sums_text(root: Path) -> str:
    """SHA256SUMS for every file under `root` (except SHA256SUMS itself), sorted by path."""
    lines = []
    for p in sorted(root.rglob("*"), key=lambda p: p.relative_to(root).as_posix()):
        rel = p.relative_to(root).as_posix()
        if p.is_file() and rel != SUMS_NAME:
            lines.append(f"{sha256_file(p)}  {rel}\n")
    return "".join(lines)


def parse_sha256sums(text: str) -> dict[str, str]:
    """path → hex from a SHA256SUMS text; raises ValueError naming a malformed line."""
    out: dict[str, str] = {}
    for n, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        m = _LINE.fullmatch(line)
        if not m:
            raise ValueError(f"line {n} is not '<64 hex digits>  <path>': {line[:80]!r}")
        name = m[2].removeprefix("./")
        if name in out:
            raise ValueError(f"line {n} lists {name!r} a second time")
        out[name] = m[1].lower()
    return out
