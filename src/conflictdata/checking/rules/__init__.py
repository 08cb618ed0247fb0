"""The rules of the data model (docs/data-model.md) that span several columns or tables, each a
named check, split by the table they judge.

- registry: `@rule` (what each rule judges and reads), `RULES`, and the check that runs a rule in
  the engine's loop (`checks()`).
- common: vectorised helpers the rules share (usable rows, columns as numpy arrays).
- events, claims, stances, sources (snapshots and quotes), actors, retractions: the rules on
  those tables; cells: the rules on every table's cells (finite numbers, no future dates).
- clock: today, as `future-date` sees it (tests replace `clock.today`).

Rules skip rows whose cells already failed a column check, so one mistake is reported once.
`RULES` lists them all (the docs and tests enumerate it).
"""

from __future__ import annotations

from .registry import RULES, SCOPES, checks, context_tables, kept_columns, links, rule, run_whole, table_with
from .cells import dates_after
from .clock import SLACK
from . import actors, events, claims, stances, sources, retractions  # noqa: F401  (they register their rules)
from .events import precision_range
from .sources import normalise_quote

__all__ = ["RULES", "SCOPES", "rule", "checks", "run_whole", "kept_columns", "links", "context_tables", "table_with",
           "normalise_quote", "precision_range", "dates_after", "SLACK"]
