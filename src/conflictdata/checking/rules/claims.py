"""Rules on casualty claims: figures and their qualifier, whose losses, periods, and cumulative series."""

from __future__ import annotations

from collections.abc import Iterator

import numpy as np
import pandas as pd

from ...contract.findings import Finding
from ...contract.package import Package
from ...reading.tables import Table, isin
from .common import _blank, _codes, _rows, _usable
from .registry import rule, table_with


_BOUNDS = {
    "more_than": ("value_low",), "at_least": ("value_low",),
    "up_to": ("value_high",), "fewer_than": ("value_high",),
    "range": ("value_low", "value_high"),
    "exact": ("value_best",), "approximately": ("value_best",),
}
_VALUES = ("value_low", "value_best", "value_high")


@rule("claim-values", rows=("casualty_claims",), columns=(*_VALUES, "qualifier"), uses={"sources": ("source_id", "source_type")})
def _claim_values(t: Table, package: Package, tables: dict[str, Table]) -> Iterator[Finding]:
    f = t.frame
    ok = _usable(t, *_VALUES)
    empty = {c: f[c].isna().to_numpy(dtype=bool) for c in _VALUES}
    for i in _rows(ok & np.logical_and.reduce([empty[c] for c in _VALUES])):
        yield t.finding(i, "value_best", "claim-value-present", "the claim has no figure: fill value_best, or value_low/value_high for a bound")
    # Figures imported from a dataset are kept exactly as published: an upstream inconsistency
    # (UCDP GED has events with low > high) is a warning there, an error in curated claims.
    types = _source_types(tables)
    from_dataset = isin(t.raw["source_id"], [s for s, kind in types.items() if kind == "dataset"]) if "source_id" in t.raw.columns else np.zeros(len(t.raw), bool)
    for lo, hi in (("value_low", "value_best"), ("value_best", "value_high"), ("value_low", "value_high")):
        bad = (f[lo] > f[hi]).fillna(False).to_numpy(dtype=bool) & ok
        for i in _rows(bad):
            if from_dataset[i]:
                yield t.finding(i, hi, "claim-value-order", f"{lo} {f[lo].iat[i]} is greater than {hi} {f[hi].iat[i]} as published upstream; kept as is — report it upstream", severity="warning")
            else:
                yield t.finding(i, hi, "claim-value-order", f"{lo} {f[lo].iat[i]} is greater than {hi} {f[hi].iat[i]}; low ≤ best ≤ high")
    ok &= _usable(t, "qualifier")
    qualifier = _codes(t.raw["qualifier"], tuple(_BOUNDS))
    for code, (q, need) in enumerate(_BOUNDS.items()):
        lacking = np.logical_or.reduce([empty[c] for c in need]) & (qualifier == code) & ok
        for i in _rows(lacking):
            missing = [c for c in need if pd.isna(f[c].iat[i])]
            yield t.finding(i, "qualifier", "claim-qualifier",
                            f"qualifier '{q}' needs {' and '.join(need)}, but {', '.join(missing)} is empty; fill it or change the qualifier")


@rule("claim-subject", rows=("casualty_claims",), columns=("subject_actor_id", "event_id"))
def _claim_subject(t: Table, package: Package, tables: dict[str, Table]) -> Iterator[Finding]:
    for i in _rows(_blank(t.raw["subject_actor_id"]) & _blank(t.raw["event_id"])):
        yield t.finding(i, "subject_actor_id", "claim-subject",
                        "whose losses? set subject_actor_id, or — for a total over all parties to one event — set event_id")


@rule("claim-period-order", rows=("casualty_claims",), columns=("period_start", "period_end", "statement_date"))
def _claim_dates(t: Table, package: Package, tables: dict[str, Table]) -> Iterator[Finding]:
    f = t.frame
    ok = _usable(t, "period_start", "period_end", "statement_date")
    for i in _rows((f["period_start"] > f["period_end"]).fillna(False).to_numpy(dtype=bool) & ok):
        yield t.finding(i, "period_start", "claim-period-order", f"period_start {f['period_start'].iat[i]} is after period_end {f['period_end'].iat[i]}; correct one of them")
    for i in _rows((f["period_end"] > f["statement_date"]).fillna(False).to_numpy(dtype=bool) & ok):
        yield t.finding(i, "statement_date", "claim-period-order", f"statement_date {f['statement_date'].iat[i]} is before period_end {f['period_end'].iat[i]}: a claim cannot cover days after it was made")


def _source_types(tables: dict[str, Table]) -> dict[str, str]:
    s = table_with(tables, "sources", "source_id", "source_type")
    return dict(zip(s.raw["source_id"], s.raw["source_type"])) if s is not None else {}


_SERIES = ("claim_id", "claimant_actor_id", "subject_actor_id", "measure", "count_basis", "period_end",
           "value_best", "value_low", "supersedes_claim_id")


@rule("cumulative-decrease", table="casualty_claims", columns=_SERIES, where=("casualty_claims", "count_basis", "cumulative"))
def _cumulative(t: Table, package: Package, tables: dict[str, Table]) -> Iterator[Finding]:
    f = t.frame
    keys = [f[c].astype("string") for c in ("claimant_actor_id", "subject_actor_id", "measure")]
    figure = pd.to_numeric(f["value_best"]).astype("float64").fillna(pd.to_numeric(f["value_low"]).astype("float64")).to_numpy()
    keep = ((t.raw["count_basis"] == "cumulative").to_numpy() & f["period_end"].notna().to_numpy(dtype=bool)
            & ~np.isnan(figure) & np.logical_and.reduce([k.notna().to_numpy(dtype=bool) for k in keys]))
    rows = np.flatnonzero(keep)
    if len(rows) < 2:
        return
    # One vectorised pass instead of a Python loop per series: tens of thousands of daily claims.
    group = pd.MultiIndex.from_arrays([k.to_numpy()[rows] for k in keys]).factorize()[0]
    ends = pd.to_datetime(pd.Series(f["period_end"].to_numpy()[rows]).astype("string")).to_numpy()
    order = np.lexsort((rows, ends, group))
    pos, grp, fig = rows[order], group[order], figure[rows][order]
    same = np.r_[False, grp[1:] == grp[:-1]]
    falls = np.flatnonzero(same & np.r_[False, fig[1:] < fig[:-1]])
    if not len(falls):
        return
    ids = f["claim_id"].astype("string").to_numpy()
    supersedes = f["supersedes_claim_id"].astype("string")
    rank = {cid: (g, i) for i, (cid, g) in enumerate(zip(ids[pos], grp))}
    for j in falls:
        row, prev = int(pos[j]), int(pos[j - 1])
        # A correction that names any earlier claim of the series is the claimant's own fix.
        target = supersedes.iat[row]
        at = rank.get(target) if not pd.isna(target) else None
        if at is not None and at[0] == grp[j] and at[1] < j:
            continue
        cur_fig, prev_fig = _figure(fig[j]), _figure(fig[j - 1])
        yield t.finding(row, "value_best", "cumulative-decrease",
                        f"cumulative figure falls from {prev_fig} ({ids[prev]}, {f['period_end'].iat[prev]}) to {cur_fig} ({ids[row]}, {f['period_end'].iat[row]}); "
                        f"if the claimant corrected itself, set supersedes_claim_id to {ids[prev]}", severity="warning")


def _figure(v: float) -> int | float:
    return int(v) if float(v).is_integer() else v
