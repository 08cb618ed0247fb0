"""The `conflictdata` command: the root group, its commands in the order `--help` lists them, and
`main`, the console script.

Each command module parses options, calls one library function and renders what it returns;
heavy imports happen inside the commands, so `conflictdata --help` starts without pandas.
"""

from __future__ import annotations

import sys
from typing import Annotated

import typer

from . import curate, download, imports, outputs, validate, versions
from .common import exit_code
from .params import CONTEXT, Typer

__all__ = ["app", "main"]

app = Typer(
    name="conflictdata",
    help="Validate, format and load the conflictdata dataset: attributed conflict claims with their sources.",
    add_completion=False,
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    # Plain help and errors: no boxes that wrap an error message mid-sentence in a CI log.
    rich_markup_mode=None,
    context_settings=CONTEXT,
)


def _version(value: bool) -> None:
    if value:
        from ..contract.names import VERSION as __version__

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


for _command in (validate.validate, curate.fmt, download.download, versions.build, versions.diff, versions.bump,
                 versions.release, outputs.export, outputs.report):
    app.command()(_command)
app.add_typer(imports.import_app, name="import")
app.add_typer(curate.add_app, name="add")


def main() -> None:
    """Console-script entry point: the last line of defence against tracebacks for people."""
    from ..contract.errors import ConflictDataError

    try:
        app()
    except KeyboardInterrupt:
        typer.echo("conflictdata: interrupted", err=True)
        sys.exit(130)
    except ConflictDataError as exc:  # e.g. a tampered or unsafe archive met by any command: exit 1
        typer.echo(f"conflictdata: error: {exc}", err=True)
        sys.exit(exit_code(exc))
