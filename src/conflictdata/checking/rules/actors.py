"""Rules on actors: no cycle of parents, no two actors with one name."""

from __future__ import annotations

from collections.abc import Iterator

import numpy as np

from ...contract.findings import Finding
from ...contract.package import Package
from ...reading.tables import Table
from .common import _rows
from .registry import rule


@rule("actor-parent-cycle", table="actors", columns=("actor_id", "parent_actor_id"))
def _parent_cycle(t: Table, package: Package, tables: dict[str, Table]) -> Iterator[Finding]:
    parent = {a: p for a, p in zip(t.raw["actor_id"], t.raw["parent_actor_id"]) if p}
    row_of = {a: i for i, a in reversed(list(enumerate(t.raw["actor_id"])))}
    reported: set[str] = set()
    for start in parent:
        path, node = [], start
        while node in parent and node not in path:
            path.append(node)
            node = parent[node]
        if node in path:
            cycle = path[path.index(node):]
            if reported.intersection(cycle):
                continue
            reported.update(cycle)
            first = min(cycle, key=lambda a: row_of.get(a, 0))
            ring = " → ".join(cycle[cycle.index(first):] + cycle[: cycle.index(first)] + [first])
            yield t.finding(row_of[first], "parent_actor_id", "actor-parent-cycle",
                            f"parent_actor_id forms a cycle ({ring}); an actor cannot be its own ancestor: clear one of these parents")


@rule("actor-same-name", table="actors", columns=("actor_id", "name"))
def _same_name(t: Table, package: Package, tables: dict[str, Table]) -> Iterator[Finding]:
    names = t.raw["name"].str.casefold()
    dup = names.duplicated(keep="first") & (names != "")
    for i in _rows(dup.to_numpy()):
        first = int(np.flatnonzero((names == names.iat[i]).to_numpy())[0])
        yield t.finding(i, "name", "actor-same-name",
                        f"{t.raw['actor_id'].iat[first]} (line {t.line(first)}) has the same name; if they are one actor, merge them "
                        "(and retract one id); if distinct (e.g. two UCDP ids), say how in description", severity="warning")
