"""Checking: every finding on an opened package, collected into one `Report`.

- validation: the engine; plans the reading order, reads each table (streamed when large) and
  calls the checks below at each stage. It only orchestrates.
- validated: the one validated path: `validated(path)` gives the package, report and tables, or
  raises `InvalidDataError` (load, export, report, build and release start there).
- check: the one check protocol (`Check`: start / chunk / read / end, frictionless-py's shape).
- foreign_keys: foreign keys, looked up chunk by chunk in the tables already read.
- constraints: each column's constraints (Arrow, Pandera where Arrow cannot judge), and `unique`.
- primary_key: primary keys (proved chunk by chunk when in order); keys: the key indexes they use.
- files: file hashes and sizes against the descriptor, Parquet copies against their CSV;
  integrity: sha256 of files and SHA256SUMS.
- canonical: the canonical form of the CSV files and its findings (the writer is `curation.fmt`).
- rules: the data model's cross-field and cross-table rules (conflictdata's own package), one
  module per table they judge, and the registry that hands each rule what it reads.
- delegated: the frictionless fallback for fields the fast path does not parse.
- acknowledge: the acknowledgements table, and `--select`/`--ignore`.
- passages: matching a quoted passage against its archived source text.

`validate` (with `--against`) is `versions.history`, because it needs the versions.
"""

from ..contract.lazy import lazy_exports

__all__ = ["validate_package", "read_tables"]

__getattr__ = lazy_exports(__name__, {"validate_package": "validation", "read_tables": "validation"})
