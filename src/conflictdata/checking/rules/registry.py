"""The registry of the data-model rules, and the check that runs each of them.

A rule is a function registered with `@rule(name, ...)`, which declares what it judges: the
table(s) whose rows it judges chunk by chunk (`rows`; "*": every table) or the one table it
judges once every table is read (`table`), the `columns` it reads there, and the other tables it
looks up (`uses`: table → columns). The registry hands the rule that table only when it has those
columns (rules quietly skip what is not there), and from the same declaration the engine knows
which tables to read first and which columns to keep of a streamed table.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field

import numpy as np

from ...contract.findings import Finding
from ...contract.package import Package
from ...reading.stream import concat
from ...reading.tables import Table, take
from ..check import Check

__all__ = ["RULES", "SCOPES", "Scope", "rule", "checks", "kept_columns", "links", "context_tables", "table_with"]

# (the judged table, or chunk of it; the package; the tables: read so far, or all at the end)
Rule = Callable[[Table, Package, dict[str, Table]], Iterator[Finding]]
RULES: dict[str, Rule] = {}


@dataclass(frozen=True, slots=True)
class Scope:
    """What a rule looks at, so that large tables can be checked chunk by chunk.

    `rows`: the tables whose rows the rule judges one by one ("*": every table) — it then runs on
    each chunk of them, seeing the other tables in `uses` whole. A rule without `rows` judges
    `table` once, after every table was read, on the columns it `keeps` (table → columns).
    """

    rows: tuple[str, ...] = ()
    table: str | None = None
    columns: tuple[str, ...] = ()
    uses: dict[str, tuple[str, ...]] = field(default_factory=dict)
    # (table, column, value): the rule needs only the rows with that value, so only they are kept.
    where: tuple[str, str, str] | None = None
    # (table, field, target, target field): the rule asks which rows of `target` that field refers to.
    link: tuple[str, str, str, str] | None = None

    @property
    def keeps(self) -> dict[str, tuple[str, ...]]:
        """Table → the columns the rule needs of a table once it was read."""
        return {**self.uses, self.table: self.columns} if self.table else dict(self.uses)


SCOPES: dict[str, Scope] = {}


def rule(name: str, *, rows: tuple[str, ...] = (), table: str | None = None, columns: tuple[str, ...] = (),
         uses: dict[str, tuple[str, ...]] | None = None, where: tuple[str, str, str] | None = None,
         link: tuple[str, str, str, str] | None = None) -> Callable[[Rule], Rule]:
    assert bool(rows) != bool(table), f"rule {name}: give `rows` or `table`"

    def register(fn: Rule) -> Rule:
        RULES[name] = fn
        SCOPES[name] = Scope(rows, table, columns, uses or {}, where, link)
        return fn

    return register


def table_with(tables: dict[str, Table], name: str, *columns: str) -> Table | None:
    """The table if it exists and has all `columns`, else None."""
    t = tables.get(name)
    if t is None or any(c not in t.frame.columns or c in t.absent_columns for c in columns):
        return None
    return t


class RuleCheck(Check):
    """One registered rule in the engine's loop: on each chunk of the tables it judges row by row,
    or once at the end; a rule with `where` keeps, chunk by chunk, only the rows it needs."""

    stage = "data-model rules"

    def __init__(self, name: str) -> None:
        self.name, self.fn, self.scope = name, RULES[name], SCOPES[name]
        self._parts: list[Table] = []
        self._whole = False
        self._view: Table | None = None

    def start(self, name: str) -> None:
        if self.scope.where is not None and name == self.scope.where[0]:
            self._parts, self._view = [], None

    def chunk(self, chunk: Table) -> Iterable[Finding]:
        scope = self.scope
        if "*" in scope.rows:
            return self._judge(chunk, {chunk.name: chunk})
        if chunk.name in scope.rows:
            context = self.run.tables
            return self._judge(chunk, {**{u: context[u] for u in scope.uses if u in context}, chunk.name: chunk})
        if scope.where is not None and scope.where[0] == chunk.name:
            # The chunk's rows the rule needs, with its columns.
            _, column, value = scope.where
            if column in chunk.raw.columns:
                cols = set(scope.keeps.get(chunk.name, ())) | {column}
                self._parts.append(take(chunk, np.flatnonzero((chunk.raw[column] == value).to_numpy(dtype=bool)), cols))
                self._whole = not chunk.streamed
        return ()

    def read(self, table: Table) -> None:
        if self._parts and table.name == self.scope.where[0]:
            self._view = self._parts[0] if self._whole else concat(self._parts, set(self._parts[0].raw.columns))
            self._parts = []

    def end(self, tables: dict[str, Table]) -> Iterable[Finding]:
        scope = self.scope
        if scope.rows:
            return ()
        if self._view is not None:
            tables = {**tables, scope.where[0]: self._view}
        return self._judge(tables.get(scope.table), tables)

    def _judge(self, t: Table | None, tables: dict[str, Table]) -> Iterable[Finding]:
        if t is None or any(c not in t.frame.columns or c in t.absent_columns for c in self.scope.columns):
            return ()
        return list(self.fn(t, self.run.package, tables))


def run_whole(package: Package, tables: dict[str, Table]) -> list[Finding]:
    """Every rule's findings on tables already read whole (the Spark engine gathers them to the
    driver): the engine's stages, one chunk per table."""
    from ..check import Run

    run = Run(package, plan=None, tables=dict(tables))
    active = [c.connect(run) for c in checks()]
    out: list[Finding] = []
    for name, table in tables.items():
        for c in active:
            c.start(name)
        for c in active:
            out += c.chunk(table)
        for c in active:
            c.read(table)
    for c in active:
        out += c.end(tables)
    return out


def checks() -> list[Check]:
    """A fresh check for every rule, in the order they were registered."""
    return [RuleCheck(name) for name in RULES]


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
