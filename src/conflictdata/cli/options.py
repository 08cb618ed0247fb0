"""The options and arguments several commands share, defined once (as sqlite-utils' shared
decorators are): the package PATH, `--format` and its choices, `--out`, `--against`, `--dry-run`.

An alias is the whole parameter (`path: PathArg = None`); a factory (`format_option(help)`) where
the choices are shared but each command says in its own words where its output goes.
"""

from __future__ import annotations

from enum import Enum
from pathlib import Path
from typing import Annotated, Any, Optional

import typer

__all__ = ["OutputFormat", "ValidateFormat", "ResultFormat", "DiffFormat", "ExportFormat", "format_option", "out_option",
           "PathArg", "AgainstOpt", "AnnotatedFormat", "DryRunOpt", "ImportPathArg", "PackageOpt"]


class OutputFormat(str, Enum):
    text = "text"
    json = "json"
    github = "github"


class ValidateFormat(str, Enum):
    text = "text"
    json = "json"
    github = "github"
    sarif = "sarif"
    junit = "junit"


class ResultFormat(str, Enum):
    text = "text"
    json = "json"


class DiffFormat(str, Enum):
    text = "text"
    json = "json"
    markdown = "markdown"


class ExportFormat(str, Enum):
    sqlite = "sqlite"
    duckdb = "duckdb"
    geojson = "geojson"
    jsonl = "jsonl"
    csv_safe = "csv-safe"


def format_option(help: str) -> Any:
    """`--format`/`-f`, its choices those of the parameter's type."""
    return typer.Option("--format", "-f", help=help)


def out_option(help: str, metavar: str = "DIR") -> Any:
    """`--out`/`-o`: where a command writes."""
    return typer.Option("--out", "-o", metavar=metavar, help=help)


PathArg = Annotated[
    Optional[Path],
    typer.Argument(help="A data package folder or its datapackage.json. Default: the nearest datapackage.json in this folder "
                        "or above, else the dataset bundled with conflictdata.", show_default=False),
]
AgainstOpt = Annotated[Optional[str], typer.Option("--against", metavar="OLD", help="The last release (folder, .zip or git ref). Default: the newest of the tags vX.Y.Z and releases.json (as last-release).")]
# Text for people, JSON for programs, or annotations for a GitHub workflow.
AnnotatedFormat = Annotated[OutputFormat, format_option("text on stderr, json on stdout, or github: workflow annotations.")]
DryRunOpt = Annotated[bool, typer.Option("--dry-run", help="Report what would change; write nothing.")]
ImportPathArg = Annotated[Optional[Path], typer.Argument(
    help="The package to import into (a folder with datapackage.json). Default: the nearest datapackage.json in this folder or above.",
    show_default=False)]
# The old spelling of PATH, hidden; kept for one release so scripts keep working, then dropped.
PackageOpt = Annotated[Optional[Path], typer.Option("--package", "-p", hidden=True, help="Old spelling of PATH.")]
