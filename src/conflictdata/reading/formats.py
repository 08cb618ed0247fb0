"""Which reader a resource takes: the fast path's own (CSV/TSV plain or gz/zip-compressed, JSON
Lines, Parquet, inline rows), or frictionless's (every other format), and the bytes of a
compressed file.

frictionless reads Excel, ODS, JSON tables, zipped multipart resources and the dialect keys the
reader does not follow; such a resource is *handed over*: frictionless reads and validates it,
its findings stand in for the fast path's (checking/delegated.py), and the report says which
resources went that way and why (`handed_over`).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import Any

from ..contract.dialect import Dialect, dialect_of
from ..contract.package import Resource

__all__ = ["Source", "source_of", "handed_over", "read_bytes", "read_jsonl", "json_text", "COMPRESSIONS"]

COMPRESSIONS = {"gz": "gz", "gzip": "gz", "zip": "zip"}
_CSV = {"csv", "tsv"}
_JSONL = {"jsonl", "ndjson"}


@dataclass(frozen=True, slots=True)
class Source:
    """How a resource's data are read: `kind` is "csv", "jsonl", "parquet", "inline" or
    "frictionless" (handed over, `why` says why); `compression` "gz", "zip" or None."""

    kind: str
    format: str
    compression: str | None
    dialect: Dialect
    why: str | None = None

    @property
    def plain(self) -> bool:
        """Whether the streaming and fast readers may read the file as it is on disk."""
        return self.kind == "csv" and self.compression is None and self.dialect.plain


def _suffixes(relpath: str) -> tuple[str, str | None]:
    """(format, compression) from a path's extensions: `table.csv.gz` → ("csv", "gz")."""
    parts = [s.lstrip(".").lower() for s in PurePosixPath(relpath).suffixes]
    if parts and parts[-1] in COMPRESSIONS:
        return (parts[-2] if len(parts) > 1 else ""), COMPRESSIONS[parts[-1]]
    return (parts[-1] if parts else ""), None


def source_of(resource: Resource) -> Source:
    """The reader of `resource`, from its `format`, `compression`, `dialect` and path."""
    d = resource.descriptor
    ext, by_ext = _suffixes(resource.relpaths[0]) if resource.relpaths else ("inline", None)
    declared = d.get("compression")
    compression = COMPRESSIONS.get(str(declared).lower()) if declared else by_ext
    # `Resource.format`, not the descriptor's: a Parquet copy checked beside its CSV (checking/files.py) carries the CSV's descriptor.
    fmt = str(resource.format or ext or "csv").lower()
    if fmt in COMPRESSIONS:  # `format` names the compression in some packages ("format": "zip")
        fmt, compression = ext if ext not in COMPRESSIONS else "csv", compression or COMPRESSIONS[fmt]
    dialect = dialect_of(d, fmt)

    def handed(why: str) -> Source:
        return Source("frictionless", fmt, compression, dialect, why)

    if resource.inline is not None:
        return Source("inline", "inline", None, dialect)
    if declared and compression is None:
        return handed(f"compression {declared!r}")
    if compression is not None and (len(resource.paths) > 1 or d.get("innerpath")):
        return handed("compressed " + ("multipart data" if len(resource.paths) > 1 else "archive with an innerpath"))
    if fmt == "parquet" and compression is None:
        return Source("parquet", fmt, None, dialect)
    if fmt in _JSONL:
        return Source("jsonl", fmt, compression, dialect) if len(resource.paths) == 1 else handed(f"multipart {fmt}")
    if fmt in _CSV or fmt == "":
        if dialect.unsupported:
            return handed("dialect " + ", ".join(dialect.unsupported))
        return Source("csv", "tsv" if fmt == "tsv" else "csv", compression, dialect)
    return handed(f"format {fmt}")


def handed_over(resource: Resource) -> str | None:
    """Why frictionless reads and validates `resource` instead of the fast path (None: it does not)."""
    source = source_of(resource)
    return source.why if source.kind == "frictionless" else None


def read_bytes(path: Path, compression: str | None) -> bytes:
    """The file's bytes, decompressed (a zip archive: its first member, as frictionless reads it)."""
    if compression == "gz":
        import gzip

        with gzip.open(path, "rb") as fh:
            return fh.read()
    if compression == "zip":
        import zipfile

        with zipfile.ZipFile(path) as archive:
            names = archive.namelist()
            if not names:
                raise OSError(f"{path.name}: the zip archive is empty")
            return archive.read(names[0])
    return path.read_bytes()


def json_text(value: Any) -> str:
    """A JSON value (inline data, JSON Lines) as the text the fast path parses."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (dict, list)):
        import json

        return json.dumps(value, ensure_ascii=False)
    return str(value)


def read_jsonl(resource: Resource, file: str, compression: str | None) -> tuple[list[str], list[list[str]], list[int], list[int], list]:
    """A JSON Lines file as frictionless reads it: objects keyed by the schema's field names (the
    first line is row 2), or arrays whose first is the header. Returns (header, rows, lines,
    row numbers, findings); a line that is not JSON ends the reading with a `file` finding."""
    import json

    from ..contract.findings import Finding
    text = read_bytes(resource.path, compression).decode("utf-8", errors="replace")
    header: list[str] = resource.field_names
    rows: list[list[str]] = []
    lines: list[int] = []
    rownums: list[int] = []
    keyed: bool | None = None
    for number, line in enumerate(text.splitlines(), start=1):
        try:
            item = json.loads(line)
        except ValueError as exc:
            return header, rows, lines, rownums, [Finding("error", "file", f"line {number} is not a JSON value ({exc.msg}); "
                                                          "each line of a JSON Lines file is one object or array", resource.name, file, number)]
        if keyed is None:
            keyed = isinstance(item, dict)
            if not keyed:
                header = [json_text(v) for v in item] if isinstance(item, list) else []
                continue
        if keyed != isinstance(item, dict) or not isinstance(item, (dict, list)):
            return header, rows, lines, rownums, [Finding("error", "file", f"line {number} is not a JSON {'object' if keyed else 'array'} like the first line; "
                                                          "make every line the same kind", resource.name, file, number)]
        cells = [json_text(item.get(n)) for n in header] if keyed else [json_text(v) for v in item]
        rows.append((cells + [""] * (len(header) - len(cells)))[: len(header)] if not keyed else cells)
        lines.append(number)
        rownums.append(number + 1 if keyed else number)
    return header, rows, lines, rownums, []
