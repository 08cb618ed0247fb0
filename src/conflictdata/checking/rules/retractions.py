"""Rules on retractions: a retracted id is gone for good, and its replacement exists."""

from __future__ import annotations

import re
from collections.abc import Iterator

from ...contract.findings import Finding
from ...contract.package import Package
from ...reading.tables import Table
from .registry import rule


def _id_prefix(t: Table) -> str | None:
    pk = t.resource.primary_key
    if len(pk) != 1:
        return None
    spec = next((s for s in t.specs if s.name == pk[0]), None)
    m = re.match(r"^\^([A-Z]+)-", (spec.constraints.get("pattern") or "") if spec else "")
    return m[1] if m else None


@rule("retraction", table="retractions", columns=("table", "record_id", "replaced_by_id"))
def _retractions(r: Table, package: Package, tables: dict[str, Table]) -> Iterator[Finding]:
    for i in range(len(r.raw)):
        name, rid, repl = r.raw["table"].iat[i], r.raw["record_id"].iat[i], r.raw["replaced_by_id"].iat[i]
        t = tables.get(name)
        if t is None or r.unusable[["table", "record_id"]].iloc[i].any():
            continue
        key = t.resource.primary_key[0] if t.resource.primary_key else None
        if key is None or key not in t.raw.columns:
            continue  # a table without a single-field id has no record ids to retract
        prefix = _id_prefix(t)
        if prefix and not rid.startswith(prefix + "-"):
            yield r.finding(i, "record_id", "retraction-id-prefix", f"{rid} cannot be an id of {name}, whose ids start with {prefix}-; fix the table or the id")
        ids = set(t.raw[key])
        if rid in ids:
            yield r.finding(i, "record_id", "retraction-still-present",
                            f"{rid} is retracted but still in {t.file}; delete that row (the retraction keeps its id from ever being reused)")
        if repl and repl not in ids:
            yield r.finding(i, "replaced_by_id", "retraction-replacement", f"{repl} is not in {t.file}; name an existing {name} record, or leave replaced_by_id empty")
        if repl and repl == rid:
            yield r.finding(i, "replaced_by_id", "retraction-replacement", f"{rid} cannot replace itself")
