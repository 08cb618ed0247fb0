"""Checking: every finding on an opened package, collected into one `Report`.

- validation: the engine; reads each table (streamed when large) and runs the checks below in order.
- validated: the one validated path: `validated(path)` gives the package, report and tables, or
  raises `InvalidDataError` (load, export, report, build and release start there).
- keys: primary, unique and foreign keys.
- integrity: file hashes (`hash`/`bytes` of the descriptor, SHA256SUMS).
- canonical: the canonical form of the CSV files and its findings (the writer is `curation.fmt`).
- rules: the data model's cross-field and cross-table rules (conflictdata's own package).
- delegated: the frictionless fallback for fields the fast path does not parse.
- acknowledge: the acknowledgements table, and `--select`/`--ignore`.
- passages: matching a quoted passage against its archived source text.

`validate` (with `--against`) is `versions.history`, because it needs the versions.
"""

from ..contract.lazy import lazy_exports

__all__ = ["validate_package", "read_tables"]

__getattr__ = lazy_exports(__name__, {"validate_package": "validation", "read_tables": "validation"})
