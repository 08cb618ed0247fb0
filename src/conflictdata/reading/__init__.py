"""Reading: a resource's files (CSV or Parquet) → a `Table` of text and typed columns, with file-level findings.

- tables: the `Table` and `read_table` (a resource read whole: header matched to the schema,
  columns typed, type findings), and tables cut down (`take`, `subset`).
- stream: a large resource read piece by piece (CSV chunks, Parquet batches), each a `Table`,
  and the pieces joined on the columns the checks keep (`concat`).
- readahead: the background thread that reads the next piece while this one is checked
  (`iter_batches`, `ReadAhead`).
- memory: handing memory freed between chunks back to the system.
- csvfile: the CSV reader (fast path, fallback, line numbers, chunks, the dialect's quoting,
  header rows and comments, frictionless' header-row guess).
- formats: which reader a resource takes (CSV/TSV plain or gz/zip, JSON Lines, Parquet, inline,
  or frictionless for every other format), and compressed files' bytes.
- handover: a resource frictionless reads (Excel, ODS, JSON…): its rows as text, for the keys.
- delimiters: sniffing the delimiter of a file and judging stray ones.
- parquet: reading (and typing, for the build) Parquet copies.
- columns: text → typed Arrow columns (`parse`), and the per-column constraint checks on them
  (here, not in checking, because `Table` types its columns while it reads).
"""

from ..contract.lazy import lazy_exports

__all__ = ["Table", "read_table", "iter_batches", "ReadAhead"]

__getattr__ = lazy_exports(__name__, {"Table": "tables", "read_table": "tables", "iter_batches": "readahead", "ReadAhead": "readahead"})
