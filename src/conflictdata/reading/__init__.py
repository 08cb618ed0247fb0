"""Reading: a resource's files (CSV or Parquet) → a `Table` of text and typed columns, with file-level findings.

- tables: the `Table`, `read_table`, chunked reading (`iter_batches`), the `ReadAhead` thread and
  the release of memory between chunks.
- csvfile: the CSV reader (fast path, fallback, line numbers, chunks).
- delimiters: sniffing the delimiter of a file and judging stray ones.
- parquet: reading (and typing, for the build) Parquet copies.
- columns: text → typed Arrow columns (`parse`), and the per-column constraint checks on them
  (here, not in checking, because `Table` types its columns while it reads).
"""

from ..contract.lazy import lazy_exports

__all__ = ["Table", "read_table", "iter_batches", "ReadAhead"]

__getattr__ = lazy_exports(__name__, {"Table": "tables", "read_table": "tables", "iter_batches": "tables", "ReadAhead": "tables"})
