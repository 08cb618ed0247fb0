"""A SparkSession for the command line (`--engine spark --master URL`)."""

from __future__ import annotations

from typing import Any

__all__ = ["session", "missing_spark", "spark_failure"]


def missing_spark() -> str | None:
    """Why the Spark engine cannot run here (None: it can)."""
    import importlib.util
    import shutil
    import os

    if importlib.util.find_spec("pyspark") is None:
        return 'PySpark is not installed; pip install "conflictdata[spark]"'
    if not os.environ.get("JAVA_HOME") and shutil.which("java") is None:
        return "no Java found (set JAVA_HOME, or put java on PATH); Spark needs Java 17 or later"
    return None


def session(master: str | None = None) -> Any:
    """The active SparkSession (under spark-submit), else a new one on `master` (default local[*])."""
    import os

    from pyspark.sql import SparkSession

    active = SparkSession.getActiveSession()
    if active is not None and master is None:
        return active
    builder = SparkSession.builder.appName("conflictdata validate").master(master or "local[*]")
    if (master or "local").startswith("local") and not os.environ.get("SPARK_DRIVER_MEMORY"):
        # In local mode the tasks run in the driver's JVM, which also caches the records and runs
        # the key checks' aggregations: Spark's default 1 GiB heap is too small for 10^6 rows
        # (10^7 rows ran in 3 GiB, not in 2: docs/spark.md). Half the machine's memory (at least
        # 3 GiB), unless SPARK_DRIVER_MEMORY says.
        builder = builder.config("spark.driver.memory", f"{_half_memory_gib()}g")
    spark = (builder.config("spark.ui.showConsoleProgress", "false")
             .config("spark.sql.shuffle.partitions", "8" if (master or "local").startswith("local") else "200")
             .getOrCreate())
    spark.sparkContext.setLogLevel("ERROR")  # findings on stdout, the verdict on stderr: not Spark's chatter
    return spark


def spark_failure(exc: BaseException) -> str | None:
    """What to tell a user when Spark itself failed (a Java error through py4j, a lost executor),
    or None for an exception that is not Spark's. The Java stack trace is Spark's log's business;
    the command line says what failed and what to change."""
    module = type(exc).__module__ or ""
    if not module.startswith(("py4j", "pyspark")):
        return None
    text = str(exc)
    if "AGGREGATE_OUT_OF_MEMORY" in text:
        return ("Spark ran out of memory in an aggregation of the checks (AGGREGATE_OUT_OF_MEMORY); give the JVM more heap "
                "(local mode: SPARK_DRIVER_MEMORY=4g; a cluster: --conf spark.executor.memory=4g), see docs/spark.md")
    if "OutOfMemoryError" in text or "Java heap space" in text:
        return ("Spark ran out of memory (java.lang.OutOfMemoryError): a task holds a file smaller than one byte range, or one "
                "range of a larger file; give the JVM more heap (local mode: SPARK_DRIVER_MEMORY=8g; a cluster: --conf "
                "spark.executor.memory=8g), or make the ranges smaller (--conf spark.conflictdata.rangeBytes=32m; see docs/spark.md)")
    first = next((line.strip() for line in text.splitlines() if line.strip()), type(exc).__name__)
    return f"Spark failed ({type(exc).__name__}): {first[:300]}; Spark's own log has the details"


def uri_of(path: Any) -> str | None:
    """The URI a command-line PATH spells (`hdfs://nn/pkg`; a Path folds `//` to `/`), or None
    for a local path."""
    import re

    if path is None:
        return None
    text = str(path)
    m = re.match(r"^([a-zA-Z][a-zA-Z0-9+.-]+):/+(.*)$", text)
    if m is None or m.group(1).lower() == "file" or len(m.group(1)) == 1:
        return None
    return f"{m.group(1)}://{m.group(2)}"


def _half_memory_gib() -> int:
    import os

    try:
        total = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")
    except (ValueError, OSError, AttributeError):
        return 3
    return max(3, int(total / 2**30 / 2))
