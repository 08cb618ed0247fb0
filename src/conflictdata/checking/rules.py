"""The rules of the data model (docs/data-model.md) that span several columns or tables, each a named check.

Every rule is a function registered with `@rule(name)`; it receives the package and its typed
tables and yields findings. Rules skip rows whose cells already failed a column check, so one
mistake is reported once. `RULES` lists them all (the docs and tests enumerate it).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
import unicodedata
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from ..contract.errors import UnusableInputError
from ..contract.findings import Finding
from ..contract.package import Package, safe_join
from ..reading.tables import Table, isin

__all__ = ["RULES", "SCOPES", "run_rows", "run_tables", "views_of", "kept_columns", "links", "context_tables",
           "normalise_quote", "today", "dates_after", "SLACK"]

Rule = Callable[[Package, dict[str, Table]], Iterator[Finding]]
RULES: dict[str, Rule] = {}


@dataclass(frozen=True, slots=True)
class Scope:
    """What a rule looks at, so that large tables can be checked chunk by chunk.

    `rows`: the tables whose rows the rule judges one by one ("*": every table) — it then runs on
    each chunk of them, seeing the other tables in `uses` whole. A rule without `rows` runs once,
    after every table was read, on the columns it `keeps` (table → columns).
    """

    rows: tuple[str, ...] = ()
    uses: tuple[str, ...] = ()
    keeps: dict[str, tuple[str, ...]] = field(default_factory=dict)
    # (table, column, value): the rule needs only the rows with that value, so only they are kept.
    where: tuple[str, str, str] | None = None
    # (table, field, target, target field): the rule asks which rows of `target` that field refers to.
    link: tuple[str, str, str, str] | None = None


SCOPES: dict[str, Scope] = {}


def rule(name: str, *, rows: tuple[str, ...] = (), uses: tuple[str, ...] = (),
         keeps: dict[str, tuple[str, ...]] | None = None, where: tuple[str, str, str] | None = None,
         link: tuple[str, str, str, str] | None = None) -> Callable[[Rule], Rule]:
    def register(fn: Rule) -> Rule:
        RULES[name] = fn
        SCOPES[name] = Scope(rows, uses, keeps or {}, where, link)
        return fn

    return register


def run_rows(package: Package, chunk: Table, context: dict[str, Table]) -> list[Finding]:
    """The row-by-row rules on one chunk (or the whole) of a table; `context`: tables read before."""
    out: list[Finding] = []
    for name, fn in RULES.items():
        scope = SCOPES[name]
        if "*" in scope.rows:
            out.extend(fn(package, {chunk.name: chunk}))
        elif chunk.name in scope.rows:
            out.extend(fn(package, {**{u: context[u] for u in scope.uses if u in context}, chunk.name: chunk}))
    return out


def run_tables(package: Package, tables: dict[str, Table], views: dict[str, Table] | None = None) -> list[Finding]:
    """The rules across rows and tables, once every table was read (perhaps only its `keeps`).
    A rule with `where` sees its table as `views[rule]`: only the rows it needs."""
    out: list[Finding] = []
    views = views or {}
    for name, fn in RULES.items():
        scope = SCOPES[name]
        if scope.rows:
            continue
        if scope.where is not None and name in views:
            out.extend(fn(package, {**tables, scope.where[0]: views[name]}))
        else:
            out.extend(fn(package, tables))
    return out


def views_of(chunk: Table) -> dict[str, Table]:
    """For each rule with `where` on this table: the chunk's rows it needs, with its columns."""
    from ..reading.tables import take

    out = {}
    for name, scope in SCOPES.items():
        if scope.where is None or scope.where[0] != chunk.name:
            continue
        _, column, value = scope.where
        cols = set(scope.keeps.get(chunk.name, ())) | {column}
        if column not in chunk.raw.columns:
            continue
        out[name] = take(chunk, np.flatnonzero((chunk.raw[column] == value).to_numpy(dtype=bool)), cols)
    return out


def kept_columns() -> dict[str, set[str]]:
    """Table → the columns the rules across rows need (rules with `where` keep theirs in views)."""
    out: dict[str, set[str]] = {}
    for scope in SCOPES.values():
        for table, cols in scope.keeps.items():
            if scope.where is None or scope.where[0] != table:
                out.setdefault(table, set()).update(cols)
    return out


def links() -> dict[str, tuple[str, str, str, str]]:
    return {name: scope.link for name, scope in SCOPES.items() if scope.link is not None}


def context_tables() -> set[str]:
    """Tables some row rule looks up: they are read before the others."""
    return {u for scope in SCOPES.values() for u in scope.uses}


def _cols(tables: dict[str, Table], name: str, *columns: str) -> Table | None:
    """The table if it exists and has all `columns`; rules quietly skip what is not there."""
    t = tables.get(name)
    if t is None or any(c not in t.frame.columns or c in t.absent_columns for c in columns):
        return None
    return t


def _usable(t: Table, *columns: str) -> np.ndarray:
    """Rows where every one of `columns` passed its type check."""
    # numpy, column by column: a DataFrame selection per chunk costs more than the check.
    return ~np.logical_or.reduce([t.unusable[c].to_numpy(dtype=bool) for c in columns])


def _rows(mask: pd.Series | np.ndarray) -> list[int]:
    return [int(i) for i in np.flatnonzero(np.asarray(mask, dtype=bool))]


# Dates are judged against the clock: a claim dated yesterday is no error three days after the
# package's `created`. One day of slack, as "today" east of UTC is already tomorrow there.
SLACK = dt.timedelta(days=1)


def today() -> dt.date:
    """Today in UTC, the clock `future-date` judges by. Tests replace this function (or set
    CONFLICTDATA_TODAY=YYYY-MM-DD for a subprocess) instead of waiting for a date to pass."""
    import os

    fixed = os.environ.get("CONFLICTDATA_TODAY")
    if fixed:
        try:
            return dt.date.fromisoformat(fixed)
        except ValueError:
            raise UnusableInputError(f"CONFLICTDATA_TODAY={fixed!r} is not a date YYYY-MM-DD; fix or unset it") from None
    return dt.datetime.now(dt.timezone.utc).date()


def dates_after(tables: dict[str, Table], limit: dt.date, rule_name: str, why: str) -> Iterator[Finding]:
    """Every date cell after `limit`, as a finding of `rule_name`: "<date> is after <why>"."""
    for t in tables.values():
        for spec in t.specs:
            if spec.type != "date" or spec.name in t.absent_columns:
                continue
            col = t.frame[spec.name]
            for i in _rows(_after(col, limit)):
                yield t.finding(i, spec.name, rule_name, f"{col.iat[i]} is after {why}; correct the date")


# --- actors -----------------------------------------------------------------------------------

@rule("actor-parent-cycle", keeps={"actors": ("actor_id", "parent_actor_id")})
def _parent_cycle(package: Package, tables: dict[str, Table]) -> Iterator[Finding]:
    t = _cols(tables, "actors", "actor_id", "parent_actor_id")
    if t is None:
        return
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


@rule("actor-same-name", keeps={"actors": ("actor_id", "name")})
def _same_name(package: Package, tables: dict[str, Table]) -> Iterator[Finding]:
    t = _cols(tables, "actors", "actor_id", "name")
    if t is None:
        return
    names = t.raw["name"].str.casefold()
    dup = names.duplicated(keep="first") & (names != "")
    for i in _rows(dup.to_numpy()):
        first = int(np.flatnonzero((names == names.iat[i]).to_numpy())[0])
        yield t.finding(i, "name", "actor-same-name",
                        f"{t.raw['actor_id'].iat[first]} (line {t.line(first)}) has the same name; if they are one actor, merge them "
                        "(and retract one id); if distinct (e.g. two UCDP ids), say how in description", severity="warning")


# --- events -----------------------------------------------------------------------------------

@rule("event-date-order", rows=("events",))
def _event_dates(package: Package, tables: dict[str, Table]) -> Iterator[Finding]:
    t = _cols(tables, "events", "date_start", "date_end")
    if t is None:
        return
    f = t.frame
    bad = (f["date_start"] > f["date_end"]).fillna(False).to_numpy(dtype=bool) & _usable(t, "date_start", "date_end")
    for i in _rows(bad):
        yield t.finding(i, "date_end", "event-date-order",
                        f"date_end {t.raw['date_end'].iat[i]} is before date_start {t.raw['date_start'].iat[i]}; swap or correct them")


def precision_range(day: dt.date, precision: str) -> tuple[dt.date, dt.date]:
    """The range a precision implies around `day`: the whole week, month, quarter or year."""
    if precision == "day":
        return day, day
    if precision == "week":
        start = day - dt.timedelta(days=day.weekday())
        return start, start + dt.timedelta(days=6)
    if precision == "month":
        start = day.replace(day=1)
    elif precision == "quarter":
        start = dt.date(day.year, 3 * ((day.month - 1) // 3) + 1, 1)
    else:
        start = dt.date(day.year, 1, 1)
    months = {"month": 1, "quarter": 3, "year": 12}[precision]
    m = start.month - 1 + months
    end = dt.date(start.year + m // 12, m % 12 + 1, 1) - dt.timedelta(days=1)
    return start, end


@rule("event-date-precision", rows=("events",))
def _event_precision(package: Package, tables: dict[str, Table]) -> Iterator[Finding]:
    t = _cols(tables, "events", "date_start", "date_end", "date_precision")
    if t is None:
        return
    f = t.frame
    start, start_ok = _days(f["date_start"])
    end, end_ok = _days(f["date_end"])
    ok = _usable(t, "date_start", "date_end", "date_precision") & start_ok & end_ok
    # Each row's precision as a number (one pass over the strings), then each precision's rows alone.
    precision = _codes(t.raw["date_precision"], _PRECISIONS)
    for code, name in enumerate(_PRECISIONS):
        rows = np.flatnonzero(ok & (precision == code))
        if not len(rows):
            continue
        s, e = start[rows], end[rows]
        if name == "range":
            wrong, lo, hi = ~(s < e), None, None
        else:
            lo, hi = _precision_range(name, s)
            wrong = ~((s == lo) & (e == hi))
        for j in np.flatnonzero(wrong):
            i = int(rows[j])
            span = f"{f['date_start'].iat[i]} … {f['date_end'].iat[i]}"
            if lo is None:
                message = f"precision 'range' is for a span of several days, but the row has {span}; use 'day' for a single day"
            else:
                message = (f"precision '{name}' means the range {lo[j]} … {hi[j]}, but the row has {span}; "
                           "fix the dates or choose the precision the range really has")
            yield t.finding(i, "date_precision", "event-date-precision", message)


_PRECISIONS = ("day", "week", "month", "quarter", "year", "range")


def _precision_range(name: str, start: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The first and last day a precision implies around each start day (numpy calendar units:
    months and years since 1970; 1970-01-01 was a Thursday, weekday 3)."""
    day = np.timedelta64(1, "D")
    if name == "day":
        return start, start
    if name == "week":
        monday = start - ((start.astype(np.int64) + 3) % 7)
        return monday, monday + 6 * day
    if name == "year":
        year = start.astype("datetime64[Y]")
        return year.astype("datetime64[D]"), (year + 1).astype("datetime64[D]") - day
    month = start.astype("datetime64[M]")
    if name == "quarter":
        month = month - (month.astype(np.int64) % 3)
        return month.astype("datetime64[D]"), (month + 3).astype("datetime64[D]") - day
    return month.astype("datetime64[D]"), (month + 1).astype("datetime64[D]") - day


def _blank(col: pd.Series) -> np.ndarray:
    """Cells written empty (raw text)."""
    from ..reading.columns import arrow_strings, is_missing

    return np.asarray(is_missing(arrow_strings(col), [""]).to_numpy(zero_copy_only=False), dtype=bool)


def _codes(col: pd.Series, names: tuple[str, ...]) -> np.ndarray:
    """For each cell, the position of its text in `names` (-1: none of them)."""
    import pyarrow as pa
    import pyarrow.compute as pc

    from ..reading.columns import arrow_strings

    idx = pc.index_in(arrow_strings(col), value_set=pa.array(names, pa.string()))
    return np.asarray(pc.fill_null(idx, -1).to_numpy(zero_copy_only=False), dtype=np.int64)


def _days(col: pd.Series) -> tuple[np.ndarray, np.ndarray]:
    """A date column as numpy days (missing as 1970-01-01) and where it is present."""
    import pyarrow as pa
    import pyarrow.compute as pc

    arr = pa.array(col)
    present = np.asarray(arr.is_valid().to_numpy(zero_copy_only=False), dtype=bool)
    days = np.asarray(pc.fill_null(arr.cast(pa.int32()), 0).to_numpy(zero_copy_only=False), dtype=np.int64).astype("datetime64[D]")
    return days, present


@rule("event-coordinates", rows=("events",))
def _coordinates(package: Package, tables: dict[str, Table]) -> Iterator[Finding]:
    t = _cols(tables, "events", "latitude", "longitude")
    if t is None:
        return
    lat, lon = t.frame["latitude"].isna(), t.frame["longitude"].isna()
    for i in _rows((lat != lon).to_numpy() & _usable(t, "latitude", "longitude")):
        missing = "latitude" if lat.iat[i] else "longitude"
        yield t.finding(i, missing, "event-coordinates", "latitude and longitude go together: fill in both or leave both empty")


@rule("number-finite", rows=("*",))
def _finite(package: Package, tables: dict[str, Table]) -> Iterator[Finding]:
    for t in tables.values():
        for spec in t.specs:
            if spec.type != "number" or spec.name in t.absent_columns:
                continue
            # Cells written as NaN/inf parse as numbers (as in frictionless); empty cells are NaN too,
            # so only cells that hold text are checked.
            written = ~t.raw[spec.name].isin(t.resource.missing_values).to_numpy() & _usable(t, spec.name)
            values = t.frame[spec.name].to_numpy(dtype=float, na_value=np.nan)
            for i in _rows(written & ~np.isfinite(values)):
                yield t.finding(i, spec.name, "number-finite", "NaN and infinity are not measurements; write a finite number or leave the cell empty")


def _linked(tables: dict[str, Table], link: str, rule_name: str, what: str) -> Iterator[Finding]:
    t = _cols(tables, "events", "event_id")
    if t is None or link not in tables or "event_id" in tables[link].absent_columns:
        return
    # Which events the links refer to: known from the foreign-key lookups, or found here.
    has = t.referenced.get((link, "event_id"))
    if has is None:
        links = _cols(tables, link, "event_id")
        if links is None:
            return
        has = isin(t.raw["event_id"], links.raw["event_id"])
    for i in _rows(~has & (t.raw["event_id"] != "").to_numpy()):
        yield t.finding(i, "event_id", rule_name, f"the event has no {what}; add a row for it to {tables[link].file}")


@rule("event-has-source", keeps={"events": ("event_id",)}, link=("event_sources", "event_id", "events", "event_id"))
def _has_source(package: Package, tables: dict[str, Table]) -> Iterator[Finding]:
    yield from _linked(tables, "event_sources", "event-has-source", "source")


@rule("event-has-actor", keeps={"events": ("event_id",)}, link=("event_actors", "event_id", "events", "event_id"))
def _has_actor(package: Package, tables: dict[str, Table]) -> Iterator[Finding]:
    yield from _linked(tables, "event_actors", "event-has-actor", "actor")


# --- casualty claims --------------------------------------------------------------------------

_BOUNDS = {
    "more_than": ("value_low",), "at_least": ("value_low",),
    "up_to": ("value_high",), "fewer_than": ("value_high",),
    "range": ("value_low", "value_high"),
    "exact": ("value_best",), "approximately": ("value_best",),
}
_VALUES = ("value_low", "value_best", "value_high")


@rule("claim-values", rows=("casualty_claims",), uses=("sources",), keeps={"sources": ("source_id", "source_type")})
def _claim_values(package: Package, tables: dict[str, Table]) -> Iterator[Finding]:
    t = _cols(tables, "casualty_claims", *_VALUES, "qualifier")
    if t is None:
        return
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


@rule("claim-subject", rows=("casualty_claims",))
def _claim_subject(package: Package, tables: dict[str, Table]) -> Iterator[Finding]:
    t = _cols(tables, "casualty_claims", "subject_actor_id", "event_id")
    if t is None:
        return
    for i in _rows(_blank(t.raw["subject_actor_id"]) & _blank(t.raw["event_id"])):
        yield t.finding(i, "subject_actor_id", "claim-subject",
                        "whose losses? set subject_actor_id, or — for a total over all parties to one event — set event_id")


@rule("claim-period-order", rows=("casualty_claims",))
def _claim_dates(package: Package, tables: dict[str, Table]) -> Iterator[Finding]:
    t = _cols(tables, "casualty_claims", "period_start", "period_end", "statement_date")
    if t is None:
        return
    f = t.frame
    ok = _usable(t, "period_start", "period_end", "statement_date")
    for i in _rows((f["period_start"] > f["period_end"]).fillna(False).to_numpy(dtype=bool) & ok):
        yield t.finding(i, "period_start", "claim-period-order", f"period_start {f['period_start'].iat[i]} is after period_end {f['period_end'].iat[i]}; correct one of them")
    for i in _rows((f["period_end"] > f["statement_date"]).fillna(False).to_numpy(dtype=bool) & ok):
        yield t.finding(i, "statement_date", "claim-period-order", f"statement_date {f['statement_date'].iat[i]} is before period_end {f['period_end'].iat[i]}: a claim cannot cover days after it was made")


def _source_types(tables: dict[str, Table]) -> dict[str, str]:
    s = _cols(tables, "sources", "source_id", "source_type")
    return dict(zip(s.raw["source_id"], s.raw["source_type"])) if s is not None else {}


def _with_snapshot(tables: dict[str, Table]) -> list[str]:
    s = _cols(tables, "sources", "source_id", "snapshot")
    return [sid for sid, snap in zip(s.raw["source_id"], s.raw["snapshot"]) if snap] if s is not None else []


_QUOTED = ("event_sources", "casualty_claims", "stances")


@rule("quote-required", rows=_QUOTED, uses=("sources",), keeps={"sources": ("source_id", "snapshot")})
def _quote_required(package: Package, tables: dict[str, Table]) -> Iterator[Finding]:
    # A quote can be checked only against an archived text, and only an archived text may be
    # quoted at length: so a row needs a quote exactly when its source has a snapshot.
    archived = _with_snapshot(tables)
    if not archived:
        return
    for name in _QUOTED:
        t = _cols(tables, name, "quote", "source_id")
        if t is None:
            continue
        # Sources with a snapshot, by Arrow's hash set: 10^6 claims a chunk.
        for i in _rows(_blank(t.raw["quote"]) & isin(t.raw["source_id"], archived)):
            src = t.raw["source_id"].iat[i]
            yield t.finding(i, "quote", "quote-required",
                            f"{src} has an archived snapshot: copy the passage that states this from it, verbatim (rows citing sources without a snapshot leave quote empty)")


_SERIES = ("claim_id", "claimant_actor_id", "subject_actor_id", "measure", "count_basis", "period_end",
           "value_best", "value_low", "supersedes_claim_id")


@rule("cumulative-decrease", keeps={"casualty_claims": _SERIES}, where=("casualty_claims", "count_basis", "cumulative"))
def _cumulative(package: Package, tables: dict[str, Table]) -> Iterator[Finding]:
    t = _cols(tables, "casualty_claims", *_SERIES)
    if t is None:
        return
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


# --- stances ----------------------------------------------------------------------------------

@rule("stance-target", rows=("stances",))
def _stance_target(package: Package, tables: dict[str, Table]) -> Iterator[Finding]:
    t = _cols(tables, "stances", "event_id", "claim_id")
    if t is None:
        return
    has_event, has_claim = t.raw["event_id"] != "", t.raw["claim_id"] != ""
    for i in _rows((has_event == has_claim).to_numpy()):
        both = "both are set" if has_event.iat[i] else "both are empty"
        yield t.finding(i, "event_id", "stance-target", f"a stance is about exactly one event or one claim, but {both}: set event_id or claim_id")


# --- dates ------------------------------------------------------------------------------------

@rule("future-date", rows=("*",))
def _future(package: Package, tables: dict[str, Table]) -> Iterator[Finding]:
    now = today()
    yield from dates_after(tables, now + SLACK, "future-date", f"today ({now}, UTC, with a day of slack for time zones)")


def _after(col: pd.Series, limit: dt.date) -> np.ndarray:
    """Days after `limit` (missing: not after), by an Arrow comparison on the date column."""
    import pyarrow as pa
    import pyarrow.compute as pc

    try:
        return np.asarray(pc.fill_null(pc.greater(pa.array(col), pa.scalar(limit, pa.date32())), False).to_numpy(zero_copy_only=False), dtype=bool)
    except (pa.ArrowException, TypeError):  # not Arrow dates (a frame built by hand): pandas compares
        return (col > limit).fillna(False).to_numpy(dtype=bool)


# --- sources, snapshots and quotes ------------------------------------------------------------

_QUOTES = str.maketrans({"\u201c": '"', "\u201d": '"', "\u201e": '"', "\u201f": '"', "\u00ab": '"', "\u00bb": '"',
                         "\u2018": "'", "\u2019": "'", "\u201a": "'", "\u201b": "'", "\u2032": "'", "\u2033": '"'})
_SPACE = re.compile(r"\s+")


def normalise_quote(text: str) -> str:
    """Whitespace runs and typographic quotes made uniform (nothing else) before quotes are compared."""
    return _SPACE.sub(" ", unicodedata.normalize("NFC", text).translate(_QUOTES)).strip()


def _snapshots(package: Package, tables: dict[str, Table], findings: list[Finding]) -> dict[str, str]:
    """Read every source's snapshot, checking its hash; returns source_id → normalised text."""
    s = _cols(tables, "sources", "source_id", "snapshot", "snapshot_sha256")
    if s is None:
        return {}
    texts: dict[str, str] = {}
    # A release ships a snapshot only where its license allows; the others are listed as withheld.
    withheld = set(package.descriptor.get("conflictdata:withheldSnapshots") or [])
    for i in range(len(s.raw)):
        sid, rel, sha = s.raw["source_id"].iat[i], s.raw["snapshot"].iat[i], s.raw["snapshot_sha256"].iat[i]
        if rel in withheld and not (package.root / rel).exists():
            continue
        if not rel:
            if sha:
                findings.append(s.finding(i, "snapshot", "snapshot-hash-required", "snapshot_sha256 is set but snapshot is empty; give the snapshot's path or clear the hash"))
            continue
        if s.unusable["snapshot"].iat[i]:
            continue
        try:
            path = safe_join(package.root, rel, what="snapshot", where=s.file)
            data = path.read_bytes()
        except (UnusableInputError, OSError) as exc:
            reason = str(exc) if isinstance(exc, UnusableInputError) else "no such file"
            findings.append(s.finding(i, "snapshot", "snapshot-missing", f"cannot read the snapshot ({reason}); archive the source text at that path"))
            continue
        actual = hashlib.sha256(data).hexdigest()
        if not sha:
            findings.append(s.finding(i, "snapshot_sha256", "snapshot-hash-required", f"a snapshot needs its sha256; set it to {actual} if the file is the archived text"))
        elif sha != actual and not s.unusable["snapshot_sha256"].iat[i]:
            findings.append(s.finding(i, "snapshot_sha256", "snapshot-hash",
                                      f"the snapshot's sha256 is {actual}, not the recorded value: the archived text changed. Restore it, or if the new text is right, record the new hash"))
        texts[sid] = normalise_quote(data.decode("utf-8", errors="replace"))
    return texts


@rule("snapshot", keeps={"sources": ("source_id", "snapshot", "snapshot_sha256")})
def _snapshot(package: Package, tables: dict[str, Table]) -> Iterator[Finding]:
    findings: list[Finding] = []
    _snapshots(package, tables, findings)
    yield from findings


# The last (package, sources table, texts): held, not keyed by id(), so no later object can match.
_TEXTS: list[tuple[Package, Table | None, dict[str, str]]] = []


def _snapshot_texts(package: Package, tables: dict[str, Table]) -> dict[str, str]:
    """The snapshots' texts, read once per validation (the quote rule runs on every chunk)."""
    s = tables.get("sources")
    if not (_TEXTS and _TEXTS[0][0] is package and _TEXTS[0][1] is s):
        _TEXTS[:] = [(package, s, _snapshots(package, tables, []))]
    return _TEXTS[0][2]


@rule("quote-in-snapshot", rows=_QUOTED, uses=("sources",), keeps={"sources": ("source_id", "snapshot", "snapshot_sha256")})
def _quotes(package: Package, tables: dict[str, Table]) -> Iterator[Finding]:
    texts = _snapshot_texts(package, tables)
    for name in _QUOTED:
        t = _cols(tables, name, "quote", "source_id")
        if t is None or not texts:
            continue
        candidates = (t.raw["quote"] != "") & t.raw["source_id"].isin(list(texts))
        for i in _rows(candidates.to_numpy()):
            quote, sid = t.raw["quote"].iat[i], t.raw["source_id"].iat[i]
            wanted = normalise_quote(quote)
            if wanted not in texts[sid]:
                from .passages import closest_passage, describe_difference

                # Only for the quotes not found: the comparison is the costly part.
                near = closest_passage(texts[sid], wanted)
                where = f"; {describe_difference(near, wanted)}" if near is not None else ""
                yield t.finding(i, "quote", "quote-in-snapshot",
                                f"the quote is not in the snapshot of {sid}; copy it verbatim from the source (only whitespace and typographic quotes may differ){where}")


# --- retractions ------------------------------------------------------------------------------

def _id_prefix(t: Table) -> str | None:
    pk = t.resource.primary_key
    if len(pk) != 1:
        return None
    spec = next((s for s in t.specs if s.name == pk[0]), None)
    m = re.match(r"^\^([A-Z]+)-", (spec.constraints.get("pattern") or "") if spec else "")
    return m[1] if m else None


@rule("retraction", keeps={"retractions": ("table", "record_id", "replaced_by_id")})
def _retractions(package: Package, tables: dict[str, Table]) -> Iterator[Finding]:
    r = _cols(tables, "retractions", "table", "record_id", "replaced_by_id")
    if r is None:
        return
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
