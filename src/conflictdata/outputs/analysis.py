"""Analysis helpers: the joins and selections analysts rebuild on every project, done once.

Each function takes the tables `conflictdata.load()` returns (a mapping name → DataFrame) and
returns a new DataFrame; nothing is modified in place, and the dtypes of the columns taken from
the tables are kept (they come from `schema/`).

    >>> import conflictdata
    >>> from conflictdata import analysis
    >>> tables = conflictdata.load()
    >>> named = analysis.claims_named(tables)            # claims with who said it, about whom, where
    >>> latest = analysis.latest_claims(tables, date(2024, 10, 31))
    >>> per_actor = analysis.events_with_actors(tables)

Cumulative claims are never summed. A cumulative figure ("over 600,000 since the invasion") is
a running total: adding two of them counts the same losses twice, and so does adding figures of
different claimants or measures. The helpers that aggregate (`total_claimed`, `monthly_totals`)
refuse cumulative claims and mixed claimants or measures with a `ValueError`; the others select
and join, they never add.

The joins are declared once, in `VIEWS`; `conflictdata export --to duckdb` (and `--to sqlite`)
turns the same declarations into SQL views, so a view and its function return the same rows.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Mapping

import pandas as pd

__all__ = [
    "Join",
    "View",
    "VIEWS",
    "claims_named",
    "events_with_actors",
    "events_with_sources",
    "latest_claims",
    "compare_claims",
    "total_claimed",
    "monthly_totals",
    "SERIES_KEY",
]

Tables = Mapping[str, pd.DataFrame]

# What makes claims one series: the same claimant saying the same kind of figure about the same
# subject on the same basis (docs/data-model.md, the cumulative-decrease rule).
SERIES_KEY = ("claimant_actor_id", "subject_actor_id", "measure", "count_basis")


@dataclass(frozen=True, slots=True)
class Join:
    """A left join of `table` onto the rows built so far.

    `on` maps a column of the rows so far to a column of `table`; `take` maps columns of `table`
    to the names they get in the result.
    """

    table: str
    on: tuple[tuple[str, str], ...]
    take: tuple[tuple[str, str], ...]


@dataclass(frozen=True, slots=True)
class View:
    """Every column of `base` (in schema order), then the columns each join takes, sorted by `order_by`."""

    base: str
    joins: tuple[Join, ...]
    order_by: tuple[str, ...]
    description: str

    def columns(self, tables: Tables) -> list[str]:
        return list(tables[self.base].columns) + [out for j in self.joins for _, out in j.take]

    def frame(self, tables: Tables) -> pd.DataFrame:
        """The view computed with pandas."""
        out = tables[self.base].copy()
        for join in self.joins:
            right = tables[join.table]
            keys = [f"__key{i}" for i in range(len(join.on))]
            picked = pd.DataFrame({k: right[r] for k, (_, r) in zip(keys, join.on)})
            for col, name in join.take:
                picked[name] = right[col]
            out = out.merge(picked, how="left", left_on=[left for left, _ in join.on], right_on=keys).drop(columns=keys)
        return _sorted(out, list(self.order_by))

    def sql(self, tables: Tables) -> str:
        """The same view as one SELECT (DuckDB and SQLite dialects alike)."""

        def q(name: str) -> str:
            return '"' + name.replace('"', '""') + '"'

        expr = {c: f"b.{q(c)}" for c in tables[self.base].columns}
        joins = []
        for i, join in enumerate(self.joins, start=1):
            alias = f"j{i}"
            cond = " AND ".join(f"{alias}.{q(r)} = {expr[left]}" for left, r in join.on)
            joins.append(f"LEFT JOIN {q(join.table)} AS {alias} ON {cond}")
            for col, name in join.take:
                expr[name] = f"{alias}.{q(col)}"
        select = ",\n  ".join(e if e == f"b.{q(c)}" else f"{e} AS {q(c)}" for c, e in ((c, expr[c]) for c in self.columns(tables)))
        order = ", ".join(f"{expr[c]} NULLS LAST" for c in self.order_by)
        return f"SELECT\n  {select}\nFROM {q(self.base)} AS b\n" + "\n".join(joins) + f"\nORDER BY {order}"


def _as_text(col: pd.Series) -> pd.Series:
    return col.astype("string") if isinstance(col.dtype, pd.CategoricalDtype) else col


def _sorted(frame: pd.DataFrame, by: list[str]) -> pd.DataFrame:
    """Sorted as SQL's ORDER BY sorts: enum columns by their text (not the schema's enum order), missing last."""
    return frame.sort_values(by, kind="stable", na_position="last", key=_as_text).reset_index(drop=True)


VIEWS: dict[str, View] = {
    "claims_named": View(
        "casualty_claims",
        (
            Join("actors", (("claimant_actor_id", "actor_id"),), (("name", "claimant_name"),)),
            Join("actors", (("on_behalf_of_actor_id", "actor_id"),), (("name", "on_behalf_of_name"),)),
            Join("actors", (("subject_actor_id", "actor_id"),), (("name", "subject_name"),)),
            Join("sources", (("source_id", "source_id"),), (("title", "source_title"), ("publisher", "source_publisher"))),
        ),
        ("claim_id",),
        "Casualty claims with the names of the claimant, the body it speaks for and the subject, and the source's title and publisher.",
    ),
    "events_with_actors": View(
        "events",
        (
            Join("event_actors", (("event_id", "event_id"),), (("actor_id", "actor_id"), ("role", "role"), ("certainty", "certainty"))),
            Join("actors", (("actor_id", "actor_id"),), (("name", "actor_name"), ("actor_type", "actor_type"))),
        ),
        ("event_id", "actor_id", "role"),
        "One row per event and actor taking part in it (role, certainty, the actor's name and type).",
    ),
    "events_with_sources": View(
        "events",
        (
            Join("event_sources", (("event_id", "event_id"),), (("source_id", "source_id"), ("quote", "quote"), ("locator", "locator"))),
            Join("sources", (("source_id", "source_id"),), (("title", "source_title"), ("publisher", "source_publisher"),
                                                              ("reliability", "source_reliability"), ("published_date", "source_published_date"))),
        ),
        ("event_id", "source_id"),
        "One row per event and source reporting it (the quote that does, where in the source, the source's title, publisher and grade).",
    ),
}


def claims_named(tables: Tables) -> pd.DataFrame:
    """Every casualty claim with names instead of bare ids.

    The claim's own columns, then `claimant_name`, `on_behalf_of_name`, `subject_name` (from
    `actors`; missing where the claim has no such actor), `source_title` and `source_publisher`
    (from `sources`). One row per claim, sorted by `claim_id`. Nothing is summed.
    """
    return VIEWS["claims_named"].frame(tables)


def events_with_actors(tables: Tables) -> pd.DataFrame:
    """Every event once per actor taking part in it.

    The event's columns, then `actor_id`, `role`, `certainty` (from `event_actors`),
    `actor_name` and `actor_type` (from `actors`). An event without actors would appear once with
    those columns missing (the validator does not let one through). Sorted by event, actor, role.
    """
    return VIEWS["events_with_actors"].frame(tables)


def events_with_sources(tables: Tables) -> pd.DataFrame:
    """Every event once per source reporting it.

    The event's columns, then `source_id`, `quote`, `locator` (from `event_sources`),
    `source_title`, `source_publisher`, `source_reliability` and `source_published_date` (from
    `sources`). Sorted by event and source.
    """
    return VIEWS["events_with_sources"].frame(tables)


def _day(value: date | str | None, what: str) -> date | None:
    """A date given as a `date` or an ISO string ("2024-10-31"); anything else is refused clearly."""
    if value is None or (isinstance(value, date) and not isinstance(value, datetime)):
        return value
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, str):
        try:
            return date.fromisoformat(value)
        except ValueError:
            pass
    raise ValueError(f"{what}={value!r}: give a date, e.g. date(2024, 10, 31) or '2024-10-31'")


def latest_claims(tables: Tables, as_of: date | str, *, stated_by: date | str | None = None) -> pd.DataFrame:
    """The latest cumulative claim of each series as of a date, with names (the columns of `claims_named`).

    A series is one claimant's running total of one measure about one subject (`SERIES_KEY`:
    claimant_actor_id, subject_actor_id, measure, count_basis; a missing subject is a value of its
    own). Only `cumulative` claims count: a `period` claim (UCDP's per-event estimate, say) covers
    its own event or period, so the last one is no "latest" figure; sum those with
    `total_claimed` or `monthly_totals` instead. Of the cumulative claims whose `period_end` is on
    or before `as_of`, the one with the latest `period_end` is kept; ties go to the latest
    `statement_date`, then the greatest `claim_id` (so a correction stated later wins). With
    `stated_by`, only claims stated on or before that date count: what was known then, rather than
    what is now known about then. Dates may be given as ISO strings.

    The result is one row per series, sorted by the series key. It picks claims; it never adds
    them: a cumulative claim is already the running total.
    """
    as_of, stated_by = _day(as_of, "as_of"), _day(stated_by, "stated_by")
    named = claims_named(tables)
    keep = (named["period_end"] <= as_of) & (named["count_basis"].astype("string") == "cumulative")
    if stated_by is not None:
        keep &= named["statement_date"] <= stated_by
    chosen = named[keep.fillna(False).astype(bool)]
    chosen = chosen.sort_values([*SERIES_KEY, "period_end", "statement_date", "claim_id"], kind="stable", key=_as_text)
    latest = chosen.groupby(list(SERIES_KEY), dropna=False, observed=True, sort=False).tail(1)
    return _sorted(latest, list(SERIES_KEY))


def compare_claims(tables: Tables, subject: str, measure: str, as_of: date | str, *, reference: str | None = None) -> pd.DataFrame:
    """Every claimant's latest cumulative claim of `measure` about `subject` as of `as_of`, side by side.

    One row per claimant (the claim `latest_claims` picks for its series), with the columns of
    `claims_named` plus `figure` (value_best, else the lower bound value_low: a float) and `ratio`:
    `figure` divided by the reference claimant's figure (`reference`, an actor id; by default the
    claimant with the lowest figure, so the ratio says how many times that figure each claim is).
    Tanks on 2023-02-05: the General Staff's running total against Oryx's visually confirmed count.
    Sorted by figure, highest first. The figures are compared, never added.
    """
    latest = latest_claims(tables, as_of)
    pick = ((latest["subject_actor_id"].astype("string") == subject) & (latest["measure"].astype("string") == measure)
            & (latest["count_basis"].astype("string") == "cumulative"))
    out = latest[pick.fillna(False).astype(bool)].copy()
    out["figure"] = pd.to_numeric(out["value_best"]).astype("float64").fillna(pd.to_numeric(out["value_low"]).astype("float64"))
    out = out[out["figure"].notna()]
    if out.empty:
        return out.assign(ratio=pd.Series(dtype="float64"))
    if reference is None:
        base = float(out["figure"].min())
    else:
        ref = out.loc[out["claimant_actor_id"].astype("string") == reference, "figure"]
        if ref.empty:
            raise ValueError(f"compare_claims: {reference} made no cumulative {measure} claim about {subject} by {as_of}")
        base = float(ref.iloc[0])
    out["ratio"] = out["figure"] / base if base else float("nan")
    return out.sort_values(["figure", "claimant_actor_id"], ascending=[False, True], kind="stable").reset_index(drop=True)


def _refuse_cumulative(claims: pd.DataFrame, what: str) -> None:
    cumulative = claims["count_basis"].astype("string") == "cumulative"
    if cumulative.any():
        first = claims.loc[cumulative, "claim_id"].iloc[0]
        raise ValueError(
            f"{what}: {int(cumulative.sum())} cumulative claim(s) (first: {first}); a cumulative figure is a "
            "running total, and adding running totals counts the same losses again. Pick one claim per series "
            "(latest_claims) instead, or pass only count_basis == 'period' claims"
        )


def _refuse_mixed(claims: pd.DataFrame, what: str) -> None:
    series = claims[["claimant_actor_id", "measure"]].astype("string").fillna("").drop_duplicates()
    if len(series) > 1:
        pairs = ", ".join(f"{a}/{m}" for a, m in series.itertuples(index=False, name=None))
        raise ValueError(
            f"{what}: claims of more than one claimant or measure ({pairs}); their figures may count the same "
            "people, so they are not added up. Select one claimant and measure first (monthly_totals groups by them)"
        )


def total_claimed(claims: pd.DataFrame, column: str = "value_best") -> int:
    """The sum of `column` over `period` claims of one claimant and one measure.

    For figures that each cover a separate period or event (UCDP's per-event estimates, say).
    Raises `ValueError` for any cumulative claim (running totals are never summed) and for claims
    of several claimants or measures. Missing values are left out of the sum. The claimant's
    periods must not overlap for the sum to mean anything; that is not checked.
    """
    _refuse_cumulative(claims, "total_claimed")
    _refuse_mixed(claims, "total_claimed")
    return int(pd.to_numeric(claims[column]).sum())


def monthly_totals(claims: pd.DataFrame, column: str = "value_best", *, by: str = "period_end") -> pd.DataFrame:
    """`column` of `period` claims summed per claimant, measure and calendar month of `by`.

    Returns columns claimant_actor_id, measure, month (a `YYYY-MM` string), total and claims (how
    many claims the month holds, including those whose `column` is missing), sorted. Raises
    `ValueError` for any cumulative claim: a running total is never added to another.
    """
    _refuse_cumulative(claims, "monthly_totals")
    if len(claims) == 0:
        return pd.DataFrame({"claimant_actor_id": pd.Series(dtype="string"), "measure": pd.Series(dtype="string"),
                             "month": pd.Series(dtype="string"), "total": pd.Series(dtype="int64"),
                             "claims": pd.Series(dtype="int64")})
    frame = pd.DataFrame({
        "claimant_actor_id": claims["claimant_actor_id"].astype("string"),
        "measure": claims["measure"].astype("string"),
        "month": claims[by].map(lambda d: None if pd.isna(d) else f"{d.year:04d}-{d.month:02d}").astype("string"),
        "value": pd.to_numeric(claims[column]),
    })
    grouped = frame.groupby(["claimant_actor_id", "measure", "month"], dropna=False, sort=True)
    out = grouped.agg(total=("value", "sum"), claims=("value", "size")).reset_index()
    out["total"] = out["total"].astype("int64")
    out["claims"] = out["claims"].astype("int64")
    return out
