"""`conflictdata validate`: every check in one pass, the findings rendered as text, JSON, GitHub
annotations, SARIF or JUnit, with a progress bar on stderr for long runs."""

from __future__ import annotations

import sys
from enum import Enum
from pathlib import Path
from typing import Annotated, Optional

import typer

from .common import errors, fail, package
from .options import ValidateFormat, format_option

__all__ = ["validate"]


class _DelayedProgress:
    """Progress on stderr that appears only once the work has taken more than a second.

    On a terminal it is a bar redrawn in place; elsewhere (a CI log, a file) a bar cannot redraw and
    rich would leave only a blank line behind, so each stage gets one plain line instead.
    """

    DELAY = 1.0

    def __init__(self) -> None:
        import time

        from rich.console import Console

        self._start = time.monotonic()
        self._console = Console(file=sys.stderr, emoji=False)
        self._progress = None
        self._task = None
        self._stage: str | None = None

    def update(self, stage: str, done: int, total: int) -> None:
        import time

        if self._progress is None and self._stage is None:
            if time.monotonic() - self._start < self.DELAY or done >= total:
                return
        if not self._console.is_terminal:
            if stage != self._stage and done < total:
                self._stage = stage
                print(f"{stage} ({done * 100 // max(total, 1)} % of the bytes read)", file=sys.stderr, flush=True)
            return
        if self._progress is None:
            from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn

            self._progress = Progress(TextColumn("{task.description:<28}"), BarColumn(), TimeElapsedColumn(),
                                      console=self._console, transient=True)
            self._progress.start()
            self._task = self._progress.add_task(stage, total=total)
        self._progress.update(self._task, completed=done, description=stage)

    def close(self) -> None:
        if self._progress is not None:
            self._progress.stop()


class Engine(str, Enum):
    local = "local"
    spark = "spark"


def _spark_engine(master: Optional[str], format: ValidateFormat):
    """`validate`'s runner on Spark (--engine spark): the same signature as the local one."""
    from ..spark.session import missing_spark

    why = missing_spark()
    if why is not None:
        raise fail(f"--engine spark: {why}", format=format, title="validate")

    def run(path, *, strict, against, progress, select, ignore, schema=None):
        from ..spark.session import session, spark_failure
        from ..versions.history import validate as on_spark

        try:
            return on_spark(path, strict=strict, against=against, select=select, ignore=ignore, schema=schema, spark=session(master))
        except Exception as exc:  # a Java error arrives as a py4j traceback: say what failed instead
            if (why := spark_failure(exc)) is None:
                raise
            raise fail(why, format=format, title="validate") from None

    return run


def validate(
    path: Annotated[Optional[Path], typer.Argument(
        help="A data package folder, its datapackage.json, or one of its data files (only that table's findings are reported). "
             "Default: the nearest datapackage.json in this folder or above, else the dataset bundled with conflictdata.",
        show_default=False)] = None,
    format: Annotated[ValidateFormat, format_option("text: one finding per line; json: the report; github: workflow annotations; "
                                                    "sarif: SARIF 2.1.0 for code scanning; junit: JUnit XML. Findings go to stdout, "
                                                    "the summary and verdict to stderr.")] = ValidateFormat.text,
    strict: Annotated[bool, typer.Option("--strict", help="Treat warnings as errors (exit 1 if there are any).")] = False,
    max_findings: Annotated[Optional[int], typer.Option("--max-findings", min=0, help="Report at most N findings (all are still counted, and the verdict is the whole run's).")] = None,
    against: Annotated[Optional[str], typer.Option("--against", metavar="OLD", help="An older version (folder, release .zip, git ref, or last-release: the last release by tag or releases.json): fail if one of its ids vanished without a retraction or now names a different record.")] = None,
    select: Annotated[Optional[list[str]], typer.Option("--select", metavar="RULE,…", help="Report only the findings of these rules (comma-separated, repeatable), for this run.")] = None,
    ignore: Annotated[Optional[list[str]], typer.Option("--ignore", metavar="RULE,…", help="Leave out the findings of these rules, for this run (to keep a warning for good, acknowledge it in data/acknowledgements.csv).")] = None,
    show_acknowledged: Annotated[bool, typer.Option("--show-acknowledged", help="Also list the warnings data/acknowledgements.csv acknowledges (text format; they are always counted).")] = False,
    engine: Annotated[Engine, typer.Option("--engine", help="local: this process; spark: Apache Spark (pip install \"conflictdata[spark]\"), "
                                           "the same findings; PATH may then be a URI Spark reads (hdfs://, s3a://). See docs/spark.md.")] = Engine.local,
    master: Annotated[Optional[str], typer.Option("--master", metavar="URL", help="With --engine spark: the Spark master (default: the active session under spark-submit, else local[*]).")] = None,
    schema: Annotated[Optional[Path], typer.Option("--schema", metavar="SCHEMA.json", help="With PATH a data file: check it on its own against this Table Schema (JSON or YAML). "
                                                   "Without it, a file of no package is checked against a schema frictionless infers.")] = None,
) -> None:
    """Check a data package against its schemas and the rules of the data model.

    Runs every check in one pass: types, required cells, enums, patterns, ranges, primary and
    foreign keys, the cross-field and cross-table rules (date order and precision, claim values
    and qualifiers, parent cycles, every event sourced...), quotes against archived snapshots and
    snapshot hashes. Each finding names the file, line and column to open and how to fix it.

    Exit code 0: valid (warnings allowed unless --strict); 1: invalid; 2: the package cannot be read.

    Examples:

      conflictdata validate                      # the package here or above (else the bundled dataset)

      conflictdata validate data/events.csv      # one table, checked against the rest of its package

      conflictdata validate table.csv --schema schema.json   # a file of no package, against its Table Schema

      conflictdata validate datapackage.yaml     # YAML descriptors, and one resource's (table.resource.json)

      conflictdata validate . --format github    # in CI, from a checkout

      conflictdata validate . --format sarif > conflictdata.sarif   # for GitHub code scanning

      conflictdata validate . | grep -c warning   # findings on stdout, one per line

      conflictdata validate path/to/datapackage.json --format json | jq '.findings[]'

      conflictdata validate . --against v0.1.0      # ids never vanish between releases

      conflictdata validate . --against last-release   # the same, against the last release (tag or releases.json)

      conflictdata validate . --select foreign-key,primary-key

      conflictdata validate hdfs://namenode/pkg --engine spark --master yarn
    """
    if engine is Engine.spark:
        run = _spark_engine(master, format)
        from ..spark.session import uri_of

        path = uri_of(path) if uri_of(path) is not None else package(path)
    else:
        from ..versions.history import validate as run

        path = package(path)
    bar = _DelayedProgress()
    try:
        with errors(format, "validate"):
            options = {} if schema is None else {"schema": schema}
            report = run(path, strict=strict, against=against, progress=bar.update, select=select, ignore=ignore, **options)
    finally:
        bar.close()
    from ..outputs import render

    if format is ValidateFormat.text:
        render.render_text(report, max_findings=max_findings, show_acknowledged=show_acknowledged)
    else:
        renderer = {ValidateFormat.json: render.render_json, ValidateFormat.github: render.render_github,
                    ValidateFormat.sarif: render.render_sarif, ValidateFormat.junit: render.render_junit}[format]
        renderer(report, max_findings=max_findings)
    raise typer.Exit(0 if report.valid else 1)
