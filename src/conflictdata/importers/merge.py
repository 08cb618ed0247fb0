"""Merging an import into a package: idempotent, deterministic, and never over curated rows.

An importer owns the rows whose id starts with one of its prefixes (for link tables: whose
`event_id` does). Applying a batch replaces exactly those rows; a batch row whose key belongs to a
row the importer does not own is refused, so curated rows are never overwritten. An owned id that
the new batch no longer has is recorded in `retractions` (ids never silently vanish). Running the
same import twice changes nothing; every file is written in canonical form, atomically.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..contract.atomic import write_many_atomic
from ..contract.errors import ConflictDataError, UnusableInputError
from ..contract.discovery import writable_package
from ..contract.package import Package, open_package

__all__ = ["ImportBatch", "ImportResult", "apply_import", "ImportConflict"]

# Table → column whose value decides ownership.
OWNER_COLUMN = {
    "sources": "source_id", "actors": "actor_id", "events": "event_id", "event_actors": "event_id",
    "event_sources": "event_id", "casualty_claims": "claim_id", "stances": "stance_id", "claim_breakdowns": "claim_id",
}
RETRACTABLE = {"sources": "source_id", "actors": "actor_id", "events": "event_id", "casualty_claims": "claim_id", "stances": "stance_id"}


class ImportConflict(ConflictDataError):
    """An import would overwrite a curated row (or refers to a row that does not exist)."""


@dataclass(slots=True)
class ImportBatch:
    """What an importer produced: rows per table (cells as canonical strings) and what it owns."""

    name: str
    prefixes: dict[str, tuple[str, ...]]
    rows: dict[str, list[dict[str, str]]]
    retracted_date: str
    warnings: list[str] = field(default_factory=list)


@dataclass(slots=True)
class ImportResult:
    """Per table: rows added, changed, removed (retracted) and unchanged by the import."""

    importer: str
    package: str
    counts: dict[str, dict[str, int]] = field(default_factory=dict)
    retracted: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    written: list[str] = field(default_factory=list)

    @property
    def changed(self) -> bool:
        return bool(self.written)

    def to_dict(self) -> dict[str, Any]:
        return {"importer": self.importer, "package": self.package, "counts": self.counts, "retracted": self.retracted,
                "warnings": self.warnings, "written": self.written}


def _read(path: Path) -> tuple[list[str], list[dict[str, str]]]:
    with open(path, encoding="utf-8", newline="") as fh:
        reader = csv.DictReader(fh)
        return list(reader.fieldnames or []), list(reader)


def _render(header: list[str], rows: list[dict[str, str]], pk: list[str], numeric: frozenset[str] = frozenset()) -> bytes:
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n")
    writer.writerow(header)

    # The canonical order (fmt's): numbers in the key sort as numbers, so entry 10 follows entry 9.
    def key(r: dict[str, str]) -> list:
        return [(0, float(r[k]), "") if k in numeric and r.get(k, "") else (1, 0.0, r.get(k, "")) for k in pk]

    for row in sorted(rows, key=key):
        writer.writerow([row.get(h, "") for h in header])
    return buf.getvalue().encode("utf-8")


def apply_import(batch: ImportBatch, path: str | Path | None = ".", *, dry_run: bool = False) -> ImportResult:
    """Write `batch` into the package at `path` (default: the current folder)."""
    if dry_run:
        return _apply(batch, open_package(path), dry_run=True)
    writable_package(open_package(path).root, command=f"import {batch.name}")
    from ..curation.lock import package_lock

    # Held from the read to the last rename, so a concurrent `add` or `fmt` is not overwritten.
    with package_lock(open_package(path).root):
        return _apply(batch, open_package(path), dry_run=False)


def _apply(batch: ImportBatch, package: Package, *, dry_run: bool) -> ImportResult:
    result = ImportResult(batch.name, package.display(package.descriptor_path), warnings=list(batch.warnings))
    outputs: dict[Path, bytes] = {}
    new_retractions: list[dict[str, str]] = []
    for table, rows in batch.rows.items():
        res = package.resources.get(table)
        if res is None:
            raise UnusableInputError(f"{package.descriptor_path}: the package has no table {table!r}; the importer needs it")
        header, existing = _read(res.path)
        missing = [c for c in res.field_names if c not in header]
        if missing:
            raise UnusableInputError(f"{res.path}: no column(s) {', '.join(missing)}; run `conflictdata validate` and fix the header first")
        owner = OWNER_COLUMN[table]
        prefixes = batch.prefixes.get(table, ())
        owns = lambda r: r.get(owner, "").startswith(prefixes) if prefixes else False  # noqa: E731
        pk = res.primary_key
        key = lambda r: tuple(r.get(k, "") for k in pk)  # noqa: E731
        kept = [r for r in existing if not owns(r)]
        old = {key(r): r for r in existing if owns(r)}
        kept_keys = {key(r) for r in kept}
        new: dict[tuple, dict[str, str]] = {}
        for r in rows:
            k = key(r)
            if k in kept_keys:
                raise ImportConflict(f"{res.path}: the import would overwrite the curated row {'|'.join(k)}; "
                                     f"curated rows are never replaced by an import: rename one of them")
            if not owns(r):
                raise ImportConflict(f"{batch.name}: row {'|'.join(k)} of {table} is outside the importer's id prefixes {prefixes}")
            if k in new:
                raise ImportConflict(f"{batch.name}: the import produced {'|'.join(k)} twice in {table}")
            new[k] = {h: r.get(h, "") for h in header}
        counts = {"added": 0, "changed": 0, "removed": 0, "unchanged": 0}
        for k, r in new.items():
            if k not in old:
                counts["added"] += 1
            elif {h: old[k].get(h, "") for h in header} != r:
                counts["changed"] += 1
            else:
                counts["unchanged"] += 1
        gone = [k for k in old if k not in new]
        counts["removed"] = len(gone)
        if table in RETRACTABLE:
            for k in gone:
                new_retractions.append({"table": table, "record_id": k[0], "retracted_date": batch.retracted_date,
                                        "reason": f"no longer in the upstream data ({batch.name} import)", "replaced_by_id": ""})
                result.retracted.append(f"{table} {k[0]}")
        result.counts[table] = counts
        numeric = frozenset(f["name"] for f in res.fields if f.get("type") in ("integer", "number"))
        data = _render(header, kept + list(new.values()), pk, numeric)
        if data != res.path.read_bytes():
            outputs[res.path] = data
    if new_retractions:
        res = package.resources.get("retractions")
        if res is None:
            raise UnusableInputError(f"{package.descriptor_path}: ids would vanish but the package has no retractions table")
        header, existing = _read(res.path)
        have = {(r["table"], r["record_id"]) for r in existing}
        rows = existing + [r for r in new_retractions if (r["table"], r["record_id"]) not in have]
        outputs[res.path] = _render(header, rows, res.primary_key)
    result.written = sorted(package.display(p) for p in outputs)
    if not dry_run:
        # One import is one change: every table is staged before any is replaced.
        write_many_atomic(outputs)
    return result
