"""Rules on events: date order and precision, coordinates, and a source and an actor for each."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

import numpy as np

from ...contract.findings import Finding
from ...contract.package import Package
from ...reading.tables import Table, isin
from .common import _codes, _days, _rows, _usable
from .registry import rule, table_with


@rule("event-date-order", rows=("events",), columns=("date_start", "date_end"))
def _event_dates(t: Table, package: Package, tables: dict[str, Table]) -> Iterator[Finding]:
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


@rule("event-date-precision", rows=("events",), columns=("date_start", "date_end", "date_precision"))
def _event_precision(t: Table, package: Package, tables: dict[str, Table]) -> Iterator[Finding]:
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


@rule("event-coordinates", rows=("events",), columns=("latitude", "longitude"))
def _coordinates(t: Table, package: Package, tables: dict[str, Table]) -> Iterator[Finding]:
    lat, lon = t.frame["latitude"].isna(), t.frame["longitude"].isna()
    for i in _rows((lat != lon).to_numpy() & _usable(t, "latitude", "longitude")):
        missing = "latitude" if lat.iat[i] else "longitude"
        yield t.finding(i, missing, "event-coordinates", "latitude and longitude go together: fill in both or leave both empty")


def _linked(t: Table, tables: dict[str, Table], link: str, rule_name: str, what: str) -> Iterator[Finding]:
    if link not in tables or "event_id" in tables[link].absent_columns:
        return
    # Which events the links refer to: known from the foreign-key lookups, or found here.
    has = t.referenced.get((link, "event_id"))
    if has is None:
        links = table_with(tables, link, "event_id")
        if links is None:
            return
        has = isin(t.raw["event_id"], links.raw["event_id"])
    for i in _rows(~has & (t.raw["event_id"] != "").to_numpy()):
        yield t.finding(i, "event_id", rule_name, f"the event has no {what}; add a row for it to {tables[link].file}")


@rule("event-has-source", table="events", columns=("event_id",), link=("event_sources", "event_id", "events", "event_id"))
def _has_source(t: Table, package: Package, tables: dict[str, Table]) -> Iterator[Finding]:
    yield from _linked(t, tables, "event_sources", "event-has-source", "source")


@rule("event-has-actor", table="events", columns=("event_id",), link=("event_actors", "event_id", "events", "event_id"))
def _has_actor(t: Table, package: Package, tables: dict[str, Table]) -> Iterator[Finding]:
    yield from _linked(t, tables, "event_actors", "event-has-actor", "actor")
