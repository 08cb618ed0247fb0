"""The driver's part of the data-model rules: the rules that judge a table once every table is read,
each handed views of the tables it reads — only the rows it can report, selected by Spark.

A view is a `Table` of some rows and columns of a resource, with their files, lines and row
numbers, gathered to the driver (`gather`). Which rows:

- a rule with a `link` (every event has a source, an actor): the rows of the judged table that no
  row of the linking table names (a left anti-join), and none of the linking table;
- a rule with a `where` (cumulative series): the rows with that value;
- `retraction`: the retractions, and of each table they name only the rows with a named id;
- the others (actors' cycles and names, snapshots): the columns they read, whole — those tables
  describe the sources and actors, not the events, and stay small;
- the acknowledgements: the table itself, and of the other tables only the key columns of the
  rows that findings of an acknowledged rule name.

So the driver holds findings, the small descriptive tables and the rows a rule reports; never a
whole events or claims table.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable

import numpy as np
import pandas as pd

from ._local import SCOPES, Finding, Package, Resource, RuleCheck, Run, Table, _finish, acknowledge

__all__ = ["Frame", "gather", "table_rules", "acknowledged", "kept"]


@dataclass
class Frame:
    """A resource as a Spark DataFrame of strings (`_f`, `_line`, `_row`, a column per field)."""

    resource: Resource
    df: Any
    cols: dict[str, str]   # field → column
    absent: set[str]
    file: str               # the first file (how a table is named in messages)
    files: list[str]        # every file, by `_f`


def gather(frame: Frame, columns: set[str] | None = None, select: Callable[[Any], Any] | None = None, empty: bool = False) -> Table:
    """Rows of `frame` (all, or those `select(df)` keeps) with `columns` (all if None) as a `Table`
    on the driver, in file and row order; the other columns are empty. A short record's padded
    cells are unusable, as the local reader marks them."""
    from pyspark.sql import functions as F

    res = frame.resource
    names = [n for n in res.field_names if n in frame.cols and (columns is None or n in columns)]
    df = frame.df if select is None else select(frame.df)
    df = df.select("_f", "_line", "_row", *[F.col(frame.cols[n]).alias(f"v{i}") for i, n in enumerate(names)])
    got = df.toArrow() if not empty else _no_rows(df)
    got = got.sort_by([("_f", "ascending"), ("_row", "ascending")])
    n = got.num_rows
    raw = pd.DataFrame({c: pd.Series([""] * n, dtype=str) for c in res.field_names})
    padded = {}
    for i, name in enumerate(names):
        cells = pd.Series(got.column(f"v{i}").to_pylist(), dtype=object)
        padded[name] = cells.isna().to_numpy()
        raw[name] = pd.Series(cells.fillna("").to_numpy(), dtype=str)
    raw.attrs["absent"] = set(frame.absent)
    lines = got.column("_line")
    lines = None if lines.null_count else lines.to_numpy().astype(np.int64)
    files = (got.column("_f").to_numpy().astype(np.int32), list(frame.files)) if len(frame.files) > 1 else None
    table = _finish(res, frame.file, raw, lines, [], rownums=got.column("_row").to_numpy().astype(np.int64), files=files)
    table.findings = []
    for name, mask in padded.items():
        if mask.any():
            table.unusable.loc[mask, name] = True
    return table


def _no_rows(df: Any) -> Any:
    """An empty Arrow table of `df`'s columns, without running a job."""
    import pyarrow as pa

    kinds = {"_f": pa.int32(), "_line": pa.int64(), "_row": pa.int64()}
    return pa.table({c: pa.array([], kinds.get(c, pa.string())) for c in df.columns})


def _where_in(df: Any, column: Any, values: set[str]) -> Any:
    """The rows whose `column` holds one of `values` (a broadcast join when they are many)."""
    from pyspark.sql import functions as F

    if len(values) <= 1000:
        return df.where(column.isin(*sorted(values)))
    wanted = df.sparkSession.createDataFrame([(v,) for v in sorted(values)], "_v string")
    return df.join(F.broadcast(wanted), column == F.col("_v"), "left_semi")


def _text(frame: Frame, name: str) -> Any:
    from pyspark.sql import functions as F

    return F.coalesce(F.col(frame.cols[name]), F.lit(""))


def table_rules(package: Package, frames: dict[str, Frame]) -> list[Finding]:
    """The findings of every rule that judges a whole table, each on its views."""
    # Each small table gathered once, with every column the rules that read it whole need.
    needed: dict[str, set[str]] = {}
    for scope in SCOPES.values():
        if not scope.rows and scope.link is None:
            for table, cols in scope.keeps.items():
                if scope.where is None or scope.where[0] != table:
                    needed.setdefault(table, set()).update(cols)
    cache: dict[str, Table] = {}

    def whole(name: str, columns: tuple[str, ...] | set[str]) -> Table:
        if name not in cache:
            cache[name] = gather(frames[name], needed.get(name, set()) | set(columns))
        return cache[name]

    out: list[Finding] = []
    for name, scope in SCOPES.items():
        if scope.rows or scope.table not in frames:
            continue
        if name == "retraction":
            tables = _retraction_views(frames, whole(scope.table, scope.columns))
        elif scope.link is not None:
            tables = _link_views(frames, scope.link)
        elif scope.where is not None:
            table, column, value = scope.where
            wanted = set(scope.keeps.get(table, ())) | {column}
            tables = {u: whole(u, cols) for u, cols in scope.uses.items() if u in frames}
            tables[table] = gather(frames[table], wanted, lambda df, f=frames[table]: df.where(_text(f, column) == value))
        else:
            tables = {u: whole(u, cols) for u, cols in scope.keeps.items() if u in frames}
        out += RuleCheck(name).connect(Run(package, None, tables=tables)).end(tables)
    return out


def _link_views(frames: dict[str, Frame], link: tuple[str, str, str, str]) -> dict[str, Table]:
    """The judged table's rows with a value no row of the linking table holds, and the linking
    table empty (the rule finds them unlinked, as it would among all rows)."""
    src, field, target, target_field = link
    t = frames[target]
    if target_field not in t.cols:
        return {}
    tables: dict[str, Table] = {}
    if src in frames and field in frames[src].cols:
        s = frames[src]
        linked = s.df.select(_text(s, field).alias("_k")).distinct()

        def unlinked(df: Any) -> Any:
            keyed = df.withColumn("_k", _text(t, target_field))
            return keyed.where("_k != ''").join(linked, "_k", "left_anti")

        tables[target] = gather(t, {target_field}, unlinked)
        tables[src] = gather(s, {field}, empty=True)
    else:
        tables[target] = gather(t, {target_field})
    return tables


def _retraction_views(frames: dict[str, Frame], retractions: Table) -> dict[str, Table]:
    """The retractions, and of each table they name the rows whose id they name."""
    named: dict[str, set[str]] = {}
    for table, rid, repl in zip(retractions.raw["table"], retractions.raw["record_id"], retractions.raw["replaced_by_id"]):
        named.setdefault(table, set()).update(v for v in (rid, repl) if v)
    tables = {"retractions": retractions}
    for name, ids in named.items():
        f = frames.get(name)
        pk = f.resource.primary_key if f is not None else []
        if f is None or len(pk) != 1 or pk[0] not in f.cols:
            continue
        tables[name] = gather(f, set(pk), lambda df, f=f, key=pk[0], ids=ids: _where_in(df, _text(f, key), ids))
    return tables


def acknowledged(package: Package, frames: dict[str, Frame], findings: list[Finding]) -> list[Finding]:
    """`acknowledge.apply_acknowledgements` on views: the acknowledgements table, and the key
    columns of the rows that findings of an acknowledged (rule, table) name."""
    from pyspark.sql import functions as F

    name = acknowledge.TABLE
    if name not in frames:
        return acknowledge.apply_acknowledgements(package, {}, findings)
    acks = gather(frames[name])
    targets = set(zip(acks.raw["rule"], acks.raw["table"])) if {"rule", "table"} <= set(acks.raw.columns) else set()
    rows: dict[str, set[int]] = {}
    for f in findings:
        if (f.rule, f.table) in targets and f.row is not None:
            rows.setdefault(f.table, set()).add(int(f.row))
    tables = {name: acks}
    for table, wanted in rows.items():
        f = frames.get(table)
        if f is None or table == name or not f.resource.primary_key:
            continue
        tables[table] = gather(f, set(f.resource.primary_key), lambda df, wanted=wanted: _where_in(df, F.col("_row").cast("string"), {str(r) for r in wanted}))
    return acknowledge.apply_acknowledgements(package, tables, findings)


def kept(frames: dict[str, Frame], keep: dict[str, set[str]]) -> dict[str, Table]:
    """The tables `keep` names, with those columns, whole on the driver (`--against`)."""
    return {name: gather(frames[name], columns) for name, columns in keep.items() if name in frames}
