"""The load cache: each table `load()` read, as typed Parquet, and the contents that passed validation.

`load()` parses CSV once per content: afterwards it reads the table from
`<cache>/load/<id of the package folder>/<table>.parquet` (typed by the Parquet writer the build
uses, rows in the file's order). Beside each file, `<table>.json` records the key of the inputs it
was made from (`source_key`: the resource's files, its schema and descriptor entry, and the code
that reads them) and the sha256 of the Parquet bytes. An entry is served only when both still
match: one made from other inputs (stale) or whose bytes changed (corrupt) counts as a miss, and
`load()` reads the CSV and writes the entry anew. `validated.json` records the sets of tables that
passed validation together: the source key of each, the descriptor, and the hashes of the other
files their checks read (snapshots). Such a set holds every table its checks look into
(`checking.validated.closure`), so while all of it is unchanged, any of its tables is valid.

Every write is atomic (`contract.atomic`); a cache folder that cannot be written is no error:
`load()` then reads the CSV each time, as without a cache. One folder per package bounds the
cache: an edited table replaces its entry rather than adding one.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..checking.integrity import sha256_bytes, sha256_file
from ..contract.atomic import write_bytes_atomic
from ..contract.names import VERSION
from ..contract.package import Package, Resource
from .cache import cache_root

if TYPE_CHECKING:
    import pyarrow as pa

__all__ = ["LoadCache", "source_key"]

# Bump when the layout of an entry changes: older entries then never match.
FORMAT = "conflictdata-load-1"
_VALIDATED = "validated.json"
# Validated sets remembered per package, the most recent kept.
_KEEP_VALIDATED = 16
# The code whose behaviour a cached table or verdict depends on: how files are read and typed,
# and what is checked. Hashing its source (a few hundred kB) makes an edited checkout or a new
# release miss, not serve what older code made.
_CODE = ("contract", "reading", "checking")


@lru_cache(maxsize=1)
def _code_fingerprint() -> str:
    here = Path(__file__).resolve().parent.parent
    h = hashlib.sha256(f"{FORMAT}\0{VERSION}\0".encode())
    for sub in _CODE:
        for path in sorted((here / sub).rglob("*.py")):
            h.update(path.relative_to(here).as_posix().encode() + b"\0")
            h.update(path.read_bytes())
    return h.hexdigest()


def _canonical_json(data: Any) -> bytes:
    return json.dumps(data, sort_keys=True, ensure_ascii=False, separators=(",", ":"), default=str).encode("utf-8")


def source_key(resource: Resource) -> str:
    """The key of what a table is read from: its files' bytes, schema and descriptor entry, the code."""
    h = hashlib.sha256(_code_fingerprint().encode())
    h.update(_canonical_json({"name": resource.name, "schema": resource.schema, "resource": resource.descriptor}))
    for path in resource.paths:
        h.update(b"\0" + sha256_file(path).encode())
    return h.hexdigest()


class LoadCache:
    """The load cache of one package. Reads never raise (a problem is a miss); writes return
    whether they happened."""

    def __init__(self, package: Package) -> None:
        self.package = package
        try:
            root = cache_root()
        except (OSError, RuntimeError):  # no home folder to put a cache in
            self.folder: Path | None = None
        else:
            self.folder = root / "load" / sha256_bytes(str(package.root.resolve()).encode())[:16]

    # Tables

    def get(self, name: str, key: str) -> pa.Table | None:
        """The cached table if its entry was made from inputs with `key` and its bytes are intact."""
        import pyarrow as pa
        import pyarrow.parquet as pq

        if self.folder is None:
            return None
        try:
            record = json.loads((self.folder / f"{name}.json").read_bytes())
            if record.get("format") != FORMAT or record.get("source") != key:
                return None  # stale: made from other data, schema or code
            data = (self.folder / f"{name}.parquet").read_bytes()
            if sha256_bytes(data) != record.get("sha256"):
                return None  # corrupt: the file is not the one written
            # ParquetFile, not read_table: the latter imports pyarrow.dataset (a tenth of the read).
            return pq.ParquetFile(pa.BufferReader(data)).read()
        except Exception:  # unreadable, not JSON, not Parquet: a miss, rewritten by the caller
            return None

    def put(self, name: str, key: str, table: pa.Table) -> bool:
        """Store `table` as the entry of `name` made from inputs with `key`."""
        import pyarrow as pa
        import pyarrow.parquet as pq

        if self.folder is None:
            return False
        sink = pa.BufferOutputStream()
        # snappy: of snappy, lz4, zstd and none, the fastest to read back (the point of the cache).
        pq.write_table(table, sink, compression="snappy")
        data = sink.getvalue().to_pybytes()
        record = {"format": FORMAT, "table": name, "package": str(self.package.root.resolve()), "source": key, "sha256": sha256_bytes(data)}
        try:
            self.folder.mkdir(parents=True, exist_ok=True)
            # The Parquet first, its record last: a reader meeting the record finds its file, and a
            # record left by a race with another writer is caught by the sha256.
            write_bytes_atomic(self.folder / f"{name}.parquet", data)
            write_bytes_atomic(self.folder / f"{name}.json", _canonical_json(record))
        except OSError:
            return False
        return True

    # Validation verdicts

    def _verdicts(self) -> list[dict[str, Any]]:
        if self.folder is None:
            return []
        try:
            data = json.loads((self.folder / _VALIDATED).read_bytes())
        except Exception:
            return []
        sets = data.get("sets") if isinstance(data, dict) and data.get("format") == FORMAT else None
        return [v for v in sets if isinstance(v, dict)] if isinstance(sets, list) else []

    def is_validated(self, names: list[str], key_of: Callable[[str], str]) -> bool:
        """Whether a recorded valid set holds these tables and is unchanged: each of its tables
        (`key_of(name)`, its current source key), the descriptor, the other files it read."""
        descriptor = sha256_bytes(_canonical_json(self.package.descriptor))
        for verdict in reversed(self._verdicts()):
            tables, files = verdict.get("tables"), verdict.get("files")
            if verdict.get("descriptor") != descriptor or not isinstance(tables, dict) or not isinstance(files, dict):
                continue
            if not set(names) <= set(tables) or not set(tables) <= set(self.package.resources):
                continue
            if all(key_of(n) == k for n, k in tables.items()) and all(_sha256_or_none(Path(p)) == h for p, h in files.items()):
                return True
        return False

    def record_validated(self, keys: dict[str, str], files: list[Path]) -> bool:
        """Record that the tables with these source keys validated together, having read `files` too."""
        if self.folder is None:
            return False
        verdict = {"descriptor": sha256_bytes(_canonical_json(self.package.descriptor)), "tables": dict(sorted(keys.items())),
                   "files": {str(p.resolve()): _sha256_or_none(p) for p in files}}
        kept = [v for v in self._verdicts() if v != verdict][-(_KEEP_VALIDATED - 1):] + [verdict]
        try:
            self.folder.mkdir(parents=True, exist_ok=True)
            write_bytes_atomic(self.folder / _VALIDATED, _canonical_json({"format": FORMAT, "sets": kept}))
        except OSError:
            return False
        return True


def _sha256_or_none(path: Path) -> str | None:
    try:
        return sha256_file(path)
    except OSError:
        return None
