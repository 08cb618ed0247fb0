"""The validated tables for other tools and for people: `export` (SQLite, DuckDB, GeoJSON, JSON
Lines, spreadsheet-safe CSV) and `report` (one self-contained HTML page)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from .common import echo_json, errors, package
from .options import ExportFormat, PathArg, ResultFormat, format_option, out_option

__all__ = ["export", "report"]


def export(
    path: PathArg = None,
    to: Annotated[ExportFormat, typer.Option("--to", "-t", help="sqlite, duckdb, geojson (files); jsonl, csv-safe (folders).")] = ...,
    out: Annotated[Path, out_option("The file (sqlite, duckdb, geojson) or folder (jsonl, csv-safe) to write; replaced only when the new export is complete.", "PATH")] = ...,
    format: Annotated[ResultFormat, format_option("text: a summary on stderr; json: the result on stdout.")] = ResultFormat.text,
) -> None:
    """Export the validated tables for other tools: SQLite, DuckDB, GeoJSON, JSON Lines, spreadsheet-safe CSV.

    sqlite: one table per resource with the schema's types, primary and foreign keys, indexes on
    the foreign keys, and the views claims_named, events_with_actors and events_with_sources
    (`datasette FILE` browses it).

    duckdb: typed tables with primary keys and the same views (needs the duckdb package:
    pip install "conflictdata[export]", or pip install duckdb).

    geojson: the events that have coordinates, as Points in (longitude, latitude) order.

    jsonl: a folder with one TABLE.jsonl per table, one JSON object per row.

    csv-safe: a folder of CSV files for spreadsheets, where text cells starting with = + - @ tab
    or CR are prefixed with ' so they are not run as formulas; the package's own CSV stays exact.

    Refuses invalid data. Writes are atomic: an interrupted export leaves the previous one intact.

    Examples:

      conflictdata export --to sqlite --out conflictdata.sqlite && datasette conflictdata.sqlite

      conflictdata export . --to duckdb --out conflictdata.duckdb

      conflictdata export --to geojson --out events.geojson --format json

      conflictdata export --to csv-safe --out spreadsheet/
    """
    from ..outputs.export import export as run

    path = package(path)
    with errors(format, "export", invalid="the data is invalid; nothing was exported"):
        result = run(to.value, out, path)
    if format is ResultFormat.json:
        echo_json(result.to_dict())
        return
    rows = sum(result.rows.values())
    typer.echo(f"exported {rows} rows of {len(result.rows)} table(s) as {result.format} to {result.out}", err=True)
    if result.views:
        typer.echo(f"  views: {', '.join(result.views)}", err=True)
    for reason, n in result.skipped.items():
        typer.echo(f"  left out: {n} {reason}", err=True)
    if result.neutralised:
        typer.echo(f"  {result.neutralised} text cell(s) that start like a formula prefixed with '", err=True)


def report(
    path: PathArg = None,
    out: Annotated[Path, out_option("Folder for index.html (created if needed).")] = Path("report"),
    format: Annotated[ResultFormat, format_option("text: a message on stderr; json: the result on stdout.")] = ResultFormat.text,
) -> None:
    """Write a self-contained HTML report of the dataset: OUT/index.html.

    One file, no network needed to view it: the data dictionary generated from schema/, rows per
    table, a timeline of events, casualty claims over time by claimant and measure, the sources
    with their reliability grades, and the validation summary. The same data gives the same bytes.
    Refuses invalid data.

    Examples:

      conflictdata report --out report/ && xdg-open report/index.html

      conflictdata report . --out public/ --format json
    """
    from ..outputs.report import write_report

    path = package(path)
    with errors(format, "report", invalid="the data is invalid; no report was written"):
        result = write_report(path, out)
    if format is ResultFormat.json:
        echo_json(result.to_dict())
    else:
        typer.echo(f"wrote {result.path} ({result.bytes} bytes, sha256 {result.sha256})", err=True)
