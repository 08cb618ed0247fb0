"""Comparing two versions of a package (`conflictdata diff`, `bump`, `validate --against`).

Rows are matched by primary key: per table, rows added, retracted (removed with a record in
`retractions`), removed without one, and changed (with each field's before and after). Schema
changes are listed separately. Each kind of change has the SemVer level it requires (semver.py);
the diff's `required_bump` is the largest of them.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

import pandas as pd

from ..checking.canonical import clean_frame
from ..contract.package import Package
from .semver import max_level
from ..reading.tables import Table

__all__ = ["diff_packages", "PackageDiff", "TableDiff", "RowChange", "SchemaChange", "id_tables", "retracted_ids"]

_IGNORED_META = {"version", "created", "resources"}


@dataclass(slots=True)
class RowChange:
    key: str
    line: int | None
    fields: dict[str, tuple[str, str]]


@dataclass(slots=True)
class TableDiff:
    name: str
    added: list[str] = field(default_factory=list)
    retracted: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    changed: list[RowChange] = field(default_factory=list)
    is_id_table: bool = False

    @property
    def empty(self) -> bool:
        return not (self.added or self.retracted or self.removed or self.changed)

    @property
    def bump(self) -> str | None:
        levels = []
        if self.removed:
            # A vanished id breaks users' references; a removed link row is a correction.
            levels.append("major" if self.is_id_table else "patch")
        if self.added or self.retracted:
            levels.append("minor")
        if self.changed:
            levels.append("patch")
        return max_level(levels)


@dataclass(frozen=True, slots=True)
class SchemaChange:
    table: str | None
    column: str | None
    kind: str
    detail: str
    bump: str


@dataclass(slots=True)
class PackageDiff:
    old: str
    new: str
    old_version: str | None
    new_version: str | None
    tables: dict[str, TableDiff] = field(default_factory=dict)
    schema: list[SchemaChange] = field(default_factory=list)

    @property
    def required_bump(self) -> str | None:
        return max_level([t.bump for t in self.tables.values()] + [c.bump for c in self.schema])

    @property
    def empty(self) -> bool:
        return not self.schema and all(t.empty for t in self.tables.values())

    def counts(self) -> dict[str, dict[str, int]]:
        return {n: {"added": len(t.added), "retracted": len(t.retracted), "removed": len(t.removed), "changed": len(t.changed)}
                for n, t in self.tables.items() if not t.empty}

    def to_dict(self) -> dict[str, Any]:
        return {
            "old": self.old, "new": self.new, "old_version": self.old_version, "new_version": self.new_version,
            "required_bump": self.required_bump,
            "schema_changes": [asdict(c) for c in self.schema],
            "tables": {n: {"added": t.added, "retracted": t.retracted, "removed": t.removed,
                           "changed": [{"key": c.key, "line": c.line, "fields": {k: {"old": a, "new": b} for k, (a, b) in c.fields.items()}} for c in t.changed],
                           "bump": t.bump}
                       for n, t in self.tables.items() if not t.empty},
        }


def id_tables(package: Package) -> list[str]:
    """Tables whose ids must never vanish: those a retraction may name (one source: schema/retractions.json)."""
    res = package.resources.get("retractions")
    if res is None:
        return []
    for f in res.fields:
        if f["name"] == "table":
            return list((f.get("constraints") or {}).get("enum") or [])
    return []


def _keyed(t: Table) -> tuple[pd.DataFrame, dict[str, int | None]]:
    raw = clean_frame(t.raw)
    pk = t.resource.row_key
    keys = raw[pk].agg("|".join, axis=1) if len(raw) else pd.Series([], dtype=str)
    lines = {k: t.line(i) for i, k in enumerate(keys)}
    return raw.set_axis(keys, axis=0), lines


def retracted_ids(tables: dict[str, Table]) -> dict[str, set[str]]:
    out: dict[str, set[str]] = {}
    r = tables.get("retractions")
    if r is not None and {"table", "record_id"} <= set(r.raw.columns):
        for table, rid in zip(r.raw["table"], r.raw["record_id"]):
            out.setdefault(table, set()).add(rid)
    return out


def _diff_table(name: str, old: Table, new: Table, retracted: set[str], is_id: bool) -> TableDiff:
    d = TableDiff(name, is_id_table=is_id)
    o, _ = _keyed(old)
    n, new_lines = _keyed(new)
    o = o[~o.index.duplicated()]
    n = n[~n.index.duplicated()]
    d.added = sorted(set(n.index) - set(o.index))
    gone = sorted(set(o.index) - set(n.index))
    d.retracted = [k for k in gone if k in retracted]
    d.removed = [k for k in gone if k not in retracted]
    common = sorted(set(o.index) & set(n.index))
    cols = [c for c in new.resource.field_names if c in old.resource.field_names]
    if common and cols:
        a, b = o.loc[common, cols], n.loc[common, cols]
        ne = a.ne(b)
        for key in ne.index[ne.any(axis=1)]:
            changed = [c for c in cols if ne.at[key, c]]
            d.changed.append(RowChange(key, new_lines.get(key), {c: (a.at[key, c], b.at[key, c]) for c in changed}))
    return d


_TIGHTER = {"minimum": 1, "minLength": 1, "maximum": -1, "maxLength": -1}


def _field_changes(table: str, old: dict[str, Any], new: dict[str, Any]) -> list[SchemaChange]:
    out = []
    name = new["name"]
    if (old.get("type") or "string") != (new.get("type") or "string") or old.get("format") != new.get("format"):
        out.append(SchemaChange(table, name, "column-retyped", f"{old.get('type')} → {new.get('type')}", "major"))
    oc, nc = old.get("constraints") or {}, new.get("constraints") or {}
    for key in ("required", "unique"):
        if bool(oc.get(key)) != bool(nc.get(key)):
            tight = bool(nc.get(key))
            out.append(SchemaChange(table, name, "constraint-tightened" if tight else "constraint-loosened", f"{key}: {bool(oc.get(key))} → {tight}", "major" if tight else "minor"))
    if oc.get("enum") != nc.get("enum"):
        before, after = set(oc.get("enum") or []), set(nc.get("enum") or [])
        if "enum" not in oc:
            out.append(SchemaChange(table, name, "constraint-tightened", "enum added", "major"))
        elif "enum" not in nc:
            out.append(SchemaChange(table, name, "constraint-loosened", "enum removed", "minor"))
        else:
            if before - after:
                out.append(SchemaChange(table, name, "constraint-tightened", f"enum values removed: {', '.join(sorted(map(str, before - after)))}", "major"))
            if after - before:
                out.append(SchemaChange(table, name, "constraint-loosened", f"enum values added: {', '.join(sorted(map(str, after - before)))}", "minor"))
    if oc.get("pattern") != nc.get("pattern"):
        if "pattern" not in nc:
            out.append(SchemaChange(table, name, "constraint-loosened", "pattern removed", "minor"))
        else:
            # Whether one regular expression admits less than another cannot be decided in general.
            out.append(SchemaChange(table, name, "constraint-tightened", f"pattern {oc.get('pattern')!r} → {nc['pattern']!r}", "major"))
    for key, sign in _TIGHTER.items():
        a, b = oc.get(key), nc.get(key)
        if a == b:
            continue
        if b is None:
            out.append(SchemaChange(table, name, "constraint-loosened", f"{key} {a} removed", "minor"))
        elif a is None or (b > a if sign > 0 else b < a):
            out.append(SchemaChange(table, name, "constraint-tightened", f"{key}: {a} → {b}", "major"))
        else:
            out.append(SchemaChange(table, name, "constraint-loosened", f"{key}: {a} → {b}", "minor"))
    if old.get("description") != new.get("description"):
        out.append(SchemaChange(table, name, "description-changed", "column description edited", "patch"))
    # Any other property (a crosswalk such as acledEventType, measureKind, a title...) describes
    # the column without changing what validates: a patch, but named, so the CHANGELOG says so.
    for key in sorted((set(old) | set(new)) - _JUDGED_FIELD_KEYS):
        if old.get(key) != new.get(key):
            what = "added" if key not in old else "removed" if key not in new else "edited"
            out.append(SchemaChange(table, name, "property-changed", f"property {key} {what}", "patch"))
    return out


_JUDGED_FIELD_KEYS = {"name", "type", "format", "constraints", "description"}


def _schema_changes(old: Package, new: Package) -> list[SchemaChange]:
    out: list[SchemaChange] = []
    for name in old.resources:
        if name not in new.resources:
            out.append(SchemaChange(name, None, "table-removed", f"table {name} removed", "major"))
    for name, res in new.resources.items():
        if name not in old.resources:
            out.append(SchemaChange(name, None, "table-added", f"table {name} added", "minor"))
            continue
        before = {f["name"]: f for f in old.resources[name].fields}
        after = {f["name"]: f for f in res.fields}
        for col in before:
            if col not in after:
                out.append(SchemaChange(name, col, "column-removed", f"column {col} removed (or renamed)", "major"))
        for col, f in after.items():
            if col not in before:
                out.append(SchemaChange(name, col, "column-added", f"column {col} added", "minor"))
            else:
                out.extend(_field_changes(name, before[col], f))
        if old.resources[name].primary_key != res.primary_key:
            out.append(SchemaChange(name, None, "key-changed", f"primary key {old.resources[name].primary_key} → {res.primary_key}", "major"))
        ofk, nfk = old.resources[name].foreign_keys, res.foreign_keys
        if any(fk not in ofk for fk in nfk):
            out.append(SchemaChange(name, None, "constraint-tightened", "foreign key added", "major"))
        if any(fk not in nfk for fk in ofk):
            out.append(SchemaChange(name, None, "constraint-loosened", "foreign key removed", "minor"))
    meta_old = {k: v for k, v in old.descriptor.items() if k not in _IGNORED_META}
    meta_new = {k: v for k, v in new.descriptor.items() if k not in _IGNORED_META}
    for key in sorted(set(meta_old) | set(meta_new)):
        if meta_old.get(key) != meta_new.get(key) and not key.startswith("conflictdata:"):
            out.append(SchemaChange(None, None, "metadata-changed", f"package {key} changed", "patch"))
    return out


def diff_packages(old: Package, new: Package, *, labels: tuple[str | None, str | None] = (None, None)) -> PackageDiff:
    """Every difference between two packages, by primary key, with the SemVer level each requires.

    `labels` name the two sides in reports (e.g. the git ref a temporary copy came from).
    """
    from ..checking.validation import read_tables

    old_tables, new_tables = read_tables(old), read_tables(new)
    retracted = retracted_ids(new_tables)
    ids = set(id_tables(new)) | set(id_tables(old))
    d = PackageDiff(labels[0] or old.display(old.descriptor_path), labels[1] or new.display(new.descriptor_path), old.version, new.version,
                    schema=_schema_changes(old, new))
    for name, table in new_tables.items():
        if name in old_tables:
            d.tables[name] = _diff_table(name, old_tables[name], table, retracted.get(name, set()), name in ids)
        else:
            d.tables[name] = TableDiff(name, added=sorted(_keyed(table)[0].index), is_id_table=name in ids)
    return d
