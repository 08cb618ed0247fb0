"""The one check protocol: what the engine (`validation`) calls, and when.

frictionless-py's shape (a check connected to the run, then `validate_start`, `validate_row`,
`validate_end`), with a batch of rows where frictionless has one row, so that every check stays
vectorised over a chunk. The engine reads the tables one after another (perhaps in chunks, with
a read-ahead thread) and, for each check in its order:

- `start(name)`: table `name` is about to be read (again, if streaming it failed midway);
- `chunk(chunk)`: the findings of one chunk of rows (a table read whole is one chunk);
- `read(table)`: the table is read (whole, or its chunks joined with only the kept columns);
- `end(tables)`: the findings once every table is read.

`prepare(chunk)`, where a check defines it, runs in the reading thread on each chunk, for work
that needs nothing but the chunk. A check's state lives on its instance: the engine makes new
ones for every validation.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Callable

from ..contract.findings import Finding
from ..contract.package import Package
from ..reading.tables import Table

if TYPE_CHECKING:
    from .keys import Lookup

__all__ = ["Check", "Run"]


@dataclass(slots=True)
class Run:
    """What the checks of one validation share: the package, the engine's plan (`validation.Plan`:
    reading order, foreign keys looked up chunk by chunk, columns kept), the tables read so far, and
    the current chunk's foreign-key lookups by field (`ForeignKeys` sets them, `Constraints` reuses
    them)."""

    package: Package
    plan: Any
    tables: dict[str, Table] = field(default_factory=dict)
    lookups: dict[str, Lookup] = field(default_factory=dict)


class Check:
    """A check; override the stages it needs (each default does nothing)."""

    prepare: Callable[[Table], None] | None = None
    stage = "keys"  # what the progress bar says while `end` runs
    run: Run

    def connect(self, run: Run) -> Check:
        self.run = run
        return self

    def start(self, name: str) -> None:
        pass

    def chunk(self, chunk: Table) -> Iterable[Finding]:
        return ()

    def read(self, table: Table) -> None:
        pass

    def end(self, tables: dict[str, Table]) -> Iterable[Finding]:
        return ()
