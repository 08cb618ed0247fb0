"""The `conflictdata` command: a thin skin over the library.

Each command parses options, calls one library function and renders what it returns. Heavy
imports happen inside the commands, so `conflictdata --help` starts without pandas.
Exit codes: 0 success, 1 invalid data (or files `fmt --check` would change), 2 unusable input.
"""

from __future__ import annotations

import sys
from enum import Enum
from pathlib import Path
from typing import Annotated, Optional

import typer

from .errors import UnusableInputError

__all__ = ["app", "main"]

app = typer.Typer(
    name="conflictdata",
    help="Validate, format and load the conflictdata dataset: attributed conflict claims with their sources.",
    add_completion=False,
    no_args_is_help=True,
    pretty_exceptions_enable=False,
)


class OutputFormat(str, Enum):
    text = "text"
    json = "json"
    github = "github"


def _fail(message: str, code: int = 2) -> typer.Exit:
    typer.echo(f"conflictdata: error: {message}", err=True)
    return typer.Exit(code)


def _version(value: bool) -> None:
    if value:
        from . import __version__

        typer.echo(f"conflictdata {__version__}")
        raise typer.Exit()


@app.callback()
def _root(
    version: Annotated[bool, typer.Option("--version", callback=_version, is_eager=True, help="Print the version and exit.")] = False,
) -> None:
    """conflictdata: a provenance-first dataset of conflict events, actors, casualty claims and stances.

    Every number is somebody's claim, every row cites a source, every quote is verbatim.
    Run a command with --help to learn more, e.g. `conflictdata validate --help`.
    """


PathArg = Annotated[
    Optional[Path],
    typer.Argument(help="A data package folder or its datapackage.json. Default: the dataset bundled with conflictdata.", show_default=False),
]


@app.command()
def validate(
    path: PathArg = None,
    format: Annotated[OutputFormat, typer.Option("--format", "-f", help="text: tables on stderr; json: findings on stdout; github: workflow annotations.")] = OutputFormat.text,
    strict: Annotated[bool, typer.Option("--strict", help="Treat warnings as errors (exit 1 if there are any).")] = False,
    max_findings: Annotated[Optional[int], typer.Option("--max-findings", min=0, help="Show at most N findings in text output (all are still counted).")] = None,
) -> None:
    """Check a data package against its schemas and the rules of the data model.

    Runs every check in one pass: types, required cells, enums, patterns, ranges, primary and
    foreign keys, the cross-field and cross-table rules (date order and precision, claim values
    and qualifiers, parent cycles, every event sourced...), quotes against archived snapshots and
    snapshot hashes. Each finding names the file, line and column to open and how to fix it.

    Exit code 0: valid (warnings allowed unless --strict); 1: invalid; 2: the package cannot be read.

    Examples:

      conflictdata validate                      # the bundled dataset

      conflictdata validate . --format github    # in CI, from a checkout

      conflictdata validate path/to/datapackage.json --format json | jq '.findings[]'
    """
    from .validation import validate as run

    try:
        report = run(path, strict=strict)
    except UnusableInputError as exc:
        raise _fail(str(exc)) from None
    from . import render

    if format is OutputFormat.json:
        render.render_json(report)
    elif format is OutputFormat.github:
        render.render_github(report)
    else:
        render.render_text(report, max_findings=max_findings)
    raise typer.Exit(0 if report.valid else 1)


@app.command()
def fmt(
    path: PathArg = None,
    check: Annotated[bool, typer.Option("--check", help="Change nothing; list the files that would change and exit 1 if any.")] = False,
) -> None:
    """Rewrite the CSV files in canonical form, so hand edits give small, clean diffs.

    Canonical: rows sorted by primary key, columns in schema order, UTF-8 without BOM, LF line
    endings, NFC text, trailing whitespace in cells trimmed, quotes only where needed. Running it
    twice changes nothing. Files that cannot be read safely (bad encoding, broken quoting, extra
    cells or columns) are left untouched and reported.

    Examples:

      conflictdata fmt .            # format a checkout

      conflictdata fmt . --check    # in CI: fail if a file is not canonical
    """
    from .fmt import format_package

    try:
        result = format_package(path, check=check)
    except UnusableInputError as exc:
        raise _fail(str(exc)) from None
    verb = "would reformat" if check else "reformatted"
    for f in result.changed:
        typer.echo(f"{verb} {f}", err=True)
    for f, reason in result.skipped.items():
        typer.echo(f"skipped {f}: {reason}", err=True)
    typer.echo(f"{len(result.changed)} file(s) {verb}, {len(result.unchanged)} already canonical, {len(result.skipped)} skipped", err=True)
    if result.skipped or (check and result.changed):
        raise typer.Exit(1)


def main() -> None:
    """Console-script entry point."""
    try:
        app()
    except KeyboardInterrupt:
        typer.echo("conflictdata: interrupted", err=True)
        sys.exit(130)
