"""The names of every rule a finding can carry: what `--select`, `--ignore` and the
`acknowledgements` table may name.

The data-model rules register themselves in `rules.RULES` (by check, some checks emitting several
rule names); the file, column, key and release checks live elsewhere. This list gathers them all;
tests/test_acknowledgements.py fails when a rule is emitted somewhere in the source and missing
here.
"""

from __future__ import annotations

import difflib

__all__ = ["KNOWN_RULES", "unknown_rules", "closest_rule"]

KNOWN_RULES: tuple[str, ...] = (
    # reading a file
    "file", "encoding", "csv-syntax", "header", "missing-column", "extra-column", "duplicate-column",
    "column-order", "extra-cell", "missing-cell", "blank-row", "non-canonical", "parquet", "parquet-type",
    # columns, from the Table Schema
    "type", "required", "unique", "enum", "pattern", "minimum", "maximum", "min-length", "max-length",
    "frictionless",
    # keys
    "primary-key", "foreign-key",
    # the data model (rules.py)
    "actor-parent-cycle", "actor-same-name", "event-date-order", "event-date-precision", "event-coordinates",
    "event-has-source", "event-has-actor", "number-finite", "claim-value-present", "claim-value-order",
    "claim-qualifier", "claim-subject", "claim-period-order", "claim-quote-required", "cumulative-decrease",
    "stance-target", "future-date", "snapshot-hash", "snapshot-hash-required", "snapshot-missing",
    "quote-in-snapshot", "retraction-still-present", "retraction-id-prefix", "retraction-replacement",
    # built packages
    "resource-bytes", "resource-hash", "parquet-mismatch",
    # with --against OLD
    "id-vanished", "id-reused", "retraction-removed",
    # the acknowledgements table (acknowledge.py)
    "acknowledgement-rule", "acknowledgement-duplicate", "acknowledgement-of-error", "acknowledgement-stale",
)


def unknown_rules(names: set[str] | frozenset[str]) -> list[str]:
    return sorted(set(names) - set(KNOWN_RULES))


def closest_rule(name: str) -> str | None:
    close = difflib.get_close_matches(name, KNOWN_RULES, n=1, cutoff=0.6)
    return close[0] if close else None
