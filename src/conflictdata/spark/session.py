"""A SparkSession for the command line (`--engine spark --master URL`)."""

from __future__ import annotations

from typing import Any

__all__ = ["session", "missing_spark"]


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
    from pyspark.sql import SparkSession

    active = SparkSession.getActiveSession()
    if active is not None and master is None:
        return active
    builder = SparkSession.builder.appName("conflictdata validate").master(master or "local[*]")
    return (builder.config("spark.ui.showConsoleProgress", "false")
            .config("spark.sql.shuffle.partitions", "8" if (master or "local").startswith("local") else "200")
            .getOrCreate())
