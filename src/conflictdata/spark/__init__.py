"""`conflictdata validate --engine spark`: the local engine's checks as Spark jobs, the same findings.

Modules:

- `engine`: `validate(package, spark)` — which resources Spark reads, the checks run, the
  findings collected into the local engine's `Report` (`run`: also tables gathered for `--against`).
- `read`: the executors' side of reading: each CSV file parsed by conflictdata's own reader in one
  task, or each run of records of a large file in its own task, records numbered by the line they
  start on (quoted line breaks included); one-file Parquet resources by the local engine's string view.
- `ranges`: large CSV files cut into byte ranges, one task per range (no task holds a whole file):
  pass 1, which parses each range from both quote states; the ranges read by the tasks themselves.
- `chain`: the driver's side of the ranges: pass 1 as one job, its answers chained from each file's
  start into runs of records, the runs' findings merged per file (the canonical form among them).
- `tasks`: what a task checks of its file besides reading it — the data-model rules that judge
  rows one by one, the canonical form, the Parquet copy — by the local engine's code.
- `views`: the rules that judge a whole table, on the driver, each on views of only the rows it
  can report (selected by Spark); the acknowledgements on the key columns of the rows named.
- `checks`: the Table Schema's checks generated as Spark SQL: types, required, enum, pattern,
  ranges, lengths (one pass), unique and primary keys (windows), foreign keys (anti-joins).
- `locate`: local folders and URIs (`hdfs://`, `s3a://`) as data-file URIs for Spark.
- `session`: a SparkSession for the CLI, and why Spark cannot run here.
- `_local`: every import from the rest of conflictdata, in one place.

Needs the extra: `pip install "conflictdata[spark]"` (PySpark 4, Java 17). See docs/spark.md.
"""

from __future__ import annotations

from typing import Any

__all__ = ["validate"]


def validate(package: Any, spark: Any, *, strict: bool = False, select: Any = None, ignore: Any = None) -> Any:
    """Validate `package` (folder, descriptor, URI or `Package`) on the SparkSession `spark`;
    returns the `Report` the local engine would (see `engine.validate`)."""
    from .engine import validate as run

    return run(package, spark, strict=strict, select=select, ignore=ignore)
