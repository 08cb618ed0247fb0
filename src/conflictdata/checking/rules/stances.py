"""Rules on stances: each is about exactly one event or one claim."""

from __future__ import annotations

from collections.abc import Iterator

from ...contract.findings import Finding
from ...contract.package import Package
from ...reading.tables import Table
from .common import _rows
from .registry import rule


@rule("stance-target", rows=("stances",), columns=("event_id", "claim_id"))
def _stance_target(t: Table, package: Package, tables: dict[str, Table]) -> Iterator[Finding]:
    has_event, has_claim = t.raw["event_id"] != "", t.raw["claim_id"] != ""
    for i in _rows((has_event == has_claim).to_numpy()):
        both = "both are set" if has_event.iat[i] else "both are empty"
        yield t.finding(i, "event_id", "stance-target", f"a stance is about exactly one event or one claim, but {both}: set event_id or claim_id")
