"""The `conflictdata` command: a thin skin over the library.

Each command parses options, calls one library function and renders what it returns. Heavy
imports happen inside the commands, so `conflictdata --help` starts without pandas.
Exit codes: 0 success; 1 invalid data, a refused release, a tampered or unsafe archive, or files
`fmt --check` would change; 2 unusable input (no such path, unreadable descriptor, network).
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


class _DelayedProgress:
    """A progress bar on stderr that appears only once the work has taken more than a second."""

    DELAY = 1.0

    def __init__(self) -> None:
        import time

        self._start = time.monotonic()
        self._progress = None
        self._task = None

    def update(self, stage: str, done: int, total: int) -> None:
        import time

        if self._progress is None:
            if time.monotonic() - self._start < self.DELAY or done >= total:
                return
            from rich.console import Console
            from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn

            self._progress = Progress(TextColumn("{task.description:<28}"), BarColumn(), TimeElapsedColumn(),
                                      console=Console(file=sys.stderr, emoji=False), transient=True)
            self._progress.start()
            self._task = self._progress.add_task(stage, total=total)
        self._progress.update(self._task, completed=done, description=stage)

    def close(self) -> None:
        if self._progress is not None:
            self._progress.stop()


PathArg = Annotated[
    Optional[Path],
    typer.Argument(help="A data package folder or its datapackage.json. Default: the dataset bundled with conflictdata.", show_default=False),
]


@app.command()
def validate(
    path: PathArg = None,
    format: Annotated[OutputFormat, typer.Option("--format", "-f", help="text: tables on stderr; json: findings on stdout; github: workflow annotations.")] = OutputFormat.text,
    strict: Annotated[bool, typer.Option("--strict", help="Treat warnings as errors (exit 1 if there are any).")] = False,
    max_findings: Annotated[Optional[int], typer.Option("--max-findings", min=0, help="Report at most N findings (all are still counted, and the verdict is the whole run's).")] = None,
    against: Annotated[Optional[str], typer.Option("--against", metavar="OLD", help="An older version (folder, release .zip or git ref): fail if one of its ids vanished without a retraction or now names a different record.")] = None,
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

      conflictdata validate . --against v0.1.0      # ids never vanish between releases
    """
    from .validation import validate as run

    bar = _DelayedProgress()
    try:
        report = run(path, strict=strict, against=against, progress=bar.update)
    except UnusableInputError as exc:
        raise _fail(str(exc)) from None
    finally:
        bar.close()
    from . import render

    if format is OutputFormat.json:
        render.render_json(report, max_findings=max_findings)
    elif format is OutputFormat.github:
        render.render_github(report, max_findings=max_findings)
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


class DownloadFormat(str, Enum):
    text = "text"
    json = "json"


@app.command()
def download(
    version: Annotated[Optional[str], typer.Argument(help="The release to fetch, e.g. 1.2.0. Optional with --url (read from the archive).", show_default=False)] = None,
    url: Annotated[Optional[str], typer.Option("--url", help="The archive: an http(s):// or file:// URL or a local path. Default: $CONFLICTDATA_RELEASES_URL/conflictdata-VERSION.zip.", show_default=False)] = None,
    sha256: Annotated[Optional[str], typer.Option("--sha256", metavar="HEX", help="The archive's expected sha256. Default: the checksum published at URL.sha256.", show_default=False)] = None,
    format: Annotated[DownloadFormat, typer.Option("--format", "-f", help="text: a message on stderr; json: the result on stdout.")] = DownloadFormat.text,
) -> None:
    """Fetch a release archive, verify it and cache it for `conflictdata.load(version=...)`.

    The archive's sha256 must match the checksum published beside it (URL.sha256) or given with
    --sha256; nothing unverified is installed. Extraction refuses paths leaving the release
    folder, links, oversized or over-compressed files, and files that do not match the release's
    SHA256SUMS. The release lands in $CONFLICTDATA_CACHE/releases/VERSION (default: the user cache
    folder, e.g. ~/.cache/conflictdata); a failed download leaves the cache as it was.

    Exit code 0: installed or already cached; 1: checksum mismatch or unsafe archive; 2: the
    archive or its checksum cannot be fetched.

    Examples:

      conflictdata download 1.2.0     # from $CONFLICTDATA_RELEASES_URL

      conflictdata download --url https://example.org/releases/conflictdata-1.2.0.zip

      conflictdata download --url dist/conflictdata-1.2.0.zip --sha256 9f63...e4dc --format json
    """
    from .download import download as fetch
    from .errors import ConflictDataError, IntegrityError

    try:
        result = fetch(version, url=url, sha256=sha256, progress=True)
    except IntegrityError as exc:
        raise _fail(str(exc), 1) from None
    except ConflictDataError as exc:
        raise _fail(str(exc)) from None
    if format is DownloadFormat.json:
        import json

        typer.echo(json.dumps(result.to_dict(), indent=2))
    elif result.cached:
        typer.echo(f"conflictdata {result.version} is already in the cache: {result.path}", err=True)
    else:
        typer.echo(f"downloaded conflictdata {result.version} ({result.bytes} bytes, sha256 {result.sha256} verified) into {result.path}", err=True)


class DiffFormat(str, Enum):
    text = "text"
    json = "json"
    markdown = "markdown"


def _invalid(exc: Exception) -> typer.Exit:
    """Render an InvalidDataError's findings on stderr and exit 1."""
    from . import render

    render.render_text(exc.report, max_findings=50)
    return typer.Exit(1)


@app.command()
def build(
    path: PathArg = None,
    out: Annotated[Path, typer.Option("--out", "-o", help="Folder to write; replaced only when the new build is complete.")] = Path("build"),
    format: Annotated[OutputFormat, typer.Option("--format", "-f", help="text: a summary on stderr; json: the files and their sha256 on stdout.")] = OutputFormat.text,
) -> None:
    """Build the complete data package: every table as canonical CSV and Parquet, checksummed.

    Validates first and writes nothing from invalid data. The output has datapackage.json (with
    each file's bytes and sha256), schema/, data/*.csv, data/*.parquet and SHA256SUMS. Building
    twice from the same data gives byte-identical files.

    Examples:

      conflictdata build . --out build/

      cd build && sha256sum -c SHA256SUMS
    """
    from .build import build as run
    from .errors import InvalidDataError

    try:
        result = run(path, out)
    except UnusableInputError as exc:
        raise _fail(str(exc)) from None
    except InvalidDataError as exc:
        typer.echo("conflictdata: error: the data is invalid; nothing was built", err=True)
        raise _invalid(exc) from None
    if format is OutputFormat.json:
        import json

        typer.echo(json.dumps(result.to_dict(), indent=2))
    else:
        typer.echo(f"built {result.out} (version {result.version}): {len(result.files)} files, SHA256SUMS written", err=True)
        for w in result.withheld_snapshots:
            typer.echo(f"  withheld (license does not allow redistribution): {w}", err=True)


@app.command()
def diff(
    old: Annotated[str, typer.Argument(help="The older version: a folder, datapackage.json, release .zip, or git ref (e.g. v0.1.0, HEAD~3).")],
    new: Annotated[Optional[str], typer.Argument(help="The newer version, same forms. Default: the bundled dataset.", show_default=False)] = None,
    format: Annotated[DiffFormat, typer.Option("--format", "-f", help="text on stderr; json or markdown on stdout.")] = DiffFormat.text,
) -> None:
    """Compare two versions by primary key: rows added, retracted, removed and changed, and schema changes.

    Each change is shown with its fields' before and after, and the smallest SemVer bump it
    requires (MAJOR: a column removed/retyped, a constraint tightened, an id vanished; MINOR: new
    rows, columns, tables, retractions; PATCH: corrected values and metadata).

    Examples:

      conflictdata diff v0.1.0 .                       # a release tag against the checkout

      conflictdata diff dist/conflictdata-0.1.0.zip dist/conflictdata-0.2.0.zip --format markdown
    """
    from . import render_diff
    from .diff import diff_packages
    from .refs import opened

    try:
        with opened(old) as a, opened(new) as b:
            result = diff_packages(a, b, labels=(old, new or "bundled dataset"))
    except UnusableInputError as exc:
        raise _fail(str(exc)) from None
    if format is DiffFormat.json:
        import json

        typer.echo(json.dumps(result.to_dict(), indent=2, ensure_ascii=False))
    elif format is DiffFormat.markdown:
        typer.echo(render_diff.markdown(result))
    else:
        render_diff.text(result)


@app.command()
def bump(
    path: PathArg = None,
    against: Annotated[Optional[str], typer.Option("--against", metavar="OLD", help="The last release (folder, .zip or git ref). Default: the newest git tag vX.Y.Z.")] = None,
    format: Annotated[OutputFormat, typer.Option("--format", "-f", help="text on stderr, or json on stdout.")] = OutputFormat.text,
) -> None:
    """Report the smallest version bump the changes since the last release require.

    Exits 1 when the package's version understates them (the release would be refused).

    Example:

      conflictdata bump . --against v0.1.0
    """
    from .package import open_package
    from .release import ReleaseRefused, check_bump

    try:
        result = check_bump(open_package(path), against=against)
    except (UnusableInputError, ReleaseRefused) as exc:
        raise _fail(str(exc)) from None
    if format is OutputFormat.json:
        import json

        typer.echo(json.dumps(result.to_dict(), indent=2))
    elif result.previous is None:
        typer.echo(f"no previous release found: {result.current_version} will be the first", err=True)
    else:
        need = result.required or "no"
        verdict = "ok" if result.ok else f"too low: set version to at least {result.minimum_version}"
        typer.echo(f"since {result.previous_version} ({result.previous}): {need} bump required, minimum {result.minimum_version}; "
                   f"version is {result.current_version}: {verdict}", err=True)
    raise typer.Exit(0 if result.ok else 1)


@app.command()
def release(
    path: PathArg = None,
    against: Annotated[Optional[str], typer.Option("--against", metavar="OLD", help="The last release (folder, .zip or git ref). Default: the newest git tag vX.Y.Z.")] = None,
    out: Annotated[Path, typer.Option("--out", "-o", help="Folder for the archive and its .sha256.")] = Path("dist"),
    format: Annotated[OutputFormat, typer.Option("--format", "-f", help="text on stderr, or json on stdout.")] = OutputFormat.text,
) -> None:
    """Write the release archive dist/conflictdata-X.Y.Z.zip and its published checksum.

    Refuses invalid data, ids that vanished without a retraction, and a version that understates
    the changes since the last release. Adds the release's entry (generated from the diff) to
    CHANGELOG.md. The archive holds the built package (CSV, Parquet, datapackage.json), README,
    LICENSE, CHANGELOG, CITATION.cff and SHA256SUMS; releasing the same data twice gives the
    same bytes.

    Example:

      conflictdata release . && git tag v$(jq -r .version datapackage.json)
    """
    from .errors import InvalidDataError
    from .release import ReleaseRefused, release as run

    try:
        result = run(path, against=against, out=out)
    except (UnusableInputError, ReleaseRefused) as exc:
        raise _fail(str(exc), 1 if isinstance(exc, ReleaseRefused) else 2) from None
    except InvalidDataError as exc:
        typer.echo("conflictdata: error: refusing to release invalid data", err=True)
        raise _invalid(exc) from None
    if format is OutputFormat.json:
        import json

        typer.echo(json.dumps(result.to_dict(), indent=2))
    else:
        typer.echo(f"released {result.archive} (sha256 {result.sha256})", err=True)


import_app = typer.Typer(help="Import openly licensed upstream datasets into the package, with their provenance.", no_args_is_help=True)
app.add_typer(import_app, name="import")

PackageOpt = Annotated[Path, typer.Option("--package", "-p", help="The package to import into (a folder with datapackage.json).")]


def _render_import(result, format: OutputFormat, dry_run: bool = False) -> None:
    if format is OutputFormat.json:
        import json

        typer.echo(json.dumps(result.to_dict(), indent=2))
        return
    for table, c in result.counts.items():
        typer.echo(f"{table}: {c['added']} added, {c['changed']} changed, {c['removed']} removed, {c['unchanged']} unchanged", err=True)
    for w in result.warnings:
        typer.echo(f"warning: {w}", err=True)
    for r in result.retracted[:20]:
        typer.echo(f"retracted (gone upstream): {r}", err=True)
    verb = "would write" if dry_run else "wrote"
    typer.echo(f"{verb} {', '.join(result.written)}" if result.written else "nothing changed", err=True)


def _run_import(fn, format: OutputFormat, dry_run: bool = False) -> None:
    from .importers.merge import ImportConflict

    try:
        result = fn()
    except (UnusableInputError, ImportConflict) as exc:
        raise _fail(str(exc), 1 if isinstance(exc, ImportConflict) else 2) from None
    _render_import(result, format, dry_run)


@import_app.command("genstaff")
def import_genstaff_command(
    file: Annotated[Path, typer.Argument(help="russia_losses_personnel.json of the 2022-Ukraine-Russia-War-Dataset (SOURCE.txt beside it).")],
    package: PackageOpt = Path("."),
    dry_run: Annotated[bool, typer.Option("--dry-run", help="Report what would change; write nothing.")] = False,
    format: Annotated[OutputFormat, typer.Option("--format", "-f", help="text on stderr, or json on stdout.")] = OutputFormat.text,
) -> None:
    """Import the General Staff of the Armed Forces of Ukraine's daily loss claims into casualty_claims.

    Each day's cumulative 'personnel' figure becomes one claim (and each POW figure another),
    with its qualifier as published. Ids come from the dates, so re-running changes nothing and an
    upstream correction shows up as a changed claim.

    Example:

      conflictdata import genstaff ../shared/data/ukr-genstaff-russia-losses/russia_losses_personnel.json
    """
    from .importers.genstaff import import_genstaff

    _run_import(lambda: import_genstaff(file, package_path=package, dry_run=dry_run), format, dry_run)


@import_app.command("genstaff-equipment")
def import_genstaff_equipment_command(
    file: Annotated[Path, typer.Argument(help="russia_losses_equipment.json of the 2022-Ukraine-Russia-War-Dataset (SOURCE.txt beside it).")],
    corrections: Annotated[Optional[Path], typer.Option("--corrections", help="russia_losses_equipment_correction.json: its adjustments make the day's claims supersede the day before's.")] = None,
    package: PackageOpt = Path("."),
    dry_run: Annotated[bool, typer.Option("--dry-run", help="Report what would change; write nothing.")] = False,
    format: Annotated[OutputFormat, typer.Option("--format", "-f", help="text on stderr, or json on stdout.")] = OutputFormat.text,
) -> None:
    """Import the General Staff's daily cumulative equipment-loss claims (one claim per day and category).

    Needs the General Staff actor the personnel import creates (`import genstaff` first). With
    --corrections, a day whose figures include a retroactive adjustment supersedes the day before.

    Example:

      conflictdata import genstaff-equipment ../shared/data/ukr-genstaff-russia-losses/russia_losses_equipment.json --corrections ../shared/data/ukr-genstaff-russia-losses/russia_losses_equipment_correction.json
    """
    from .importers.genstaff_equipment import import_genstaff_equipment

    _run_import(lambda: import_genstaff_equipment(file, corrections, package_path=package, dry_run=dry_run), format, dry_run)


@import_app.command("oryx")
def import_oryx_command(
    files: Annotated[list[Path], typer.Argument(help="Versions of russia_losses_equipment_oryx.json (SOURCE.txt beside them or in the folder above lists each version's date, commit and sha256).")],
    package: PackageOpt = Path("."),
    dry_run: Annotated[bool, typer.Option("--dry-run", help="Report what would change; write nothing.")] = False,
    format: Annotated[OutputFormat, typer.Option("--format", "-f", help="text on stderr, or json on stdout.")] = OutputFormat.text,
) -> None:
    """Import Oryx's documented equipment losses: per version and category a claim (the sum over models), the models in claim_breakdowns.

    Example:

      conflictdata import oryx ../shared/data/ukr-genstaff-russia-losses/oryx-history/*.json
    """
    from .importers.oryx import import_oryx

    _run_import(lambda: import_oryx(files, package_path=package, dry_run=dry_run), format, dry_run)


@import_app.command("ucdp-ged")
def import_ucdp_command(
    file: Annotated[Path, typer.Argument(help="A UCDP GED country extract (CSV; 22.1, 20.x or 19.x layout; SOURCE.txt beside it).")],
    actors: Annotated[Optional[Path], typer.Option("--actors", help="The UCDP Actor dataset CSV, for actor names and types.")] = None,
    stated: Annotated[Optional[str], typer.Option("--stated", help="The claims' statement date (YYYY-MM-DD) for a GED release the importer does not know: the date its codebook gives.")] = None,
    package: PackageOpt = Path("."),
    dry_run: Annotated[bool, typer.Option("--dry-run", help="Report what would change; write nothing.")] = False,
    format: Annotated[OutputFormat, typer.Option("--format", "-f", help="text on stderr, or json on stdout.")] = OutputFormat.text,
) -> None:
    """Import a UCDP GED extract: events, their sides as actors, sources, and UCDP's fatality estimates as claims.

    Columns are read by name, so older layouts work; a missing required column is named. Ids come
    from UCDP's ids (EVT-UCDP-<id>, CLM-UCDP-<id>, ACT-UCDP-<ActorId>); curated rows are never
    overwritten, and an event gone upstream is retracted, not deleted.

    Example:

      conflictdata import ucdp-ged ../shared/data/ucdp-ged-ukraine-v22/conflict_data_ukr.csv --actors ../shared/data/ucdp-actors-v22/ucdp-actor-221.csv
    """
    from .importers.ucdp import import_ucdp_ged

    _run_import(lambda: import_ucdp_ged(file, actors_file=actors, package_path=package, dry_run=dry_run, statement_date=stated), format, dry_run)


class ExportFormat(str, Enum):
    sqlite = "sqlite"
    duckdb = "duckdb"
    geojson = "geojson"
    jsonl = "jsonl"
    csv_safe = "csv-safe"


class ResultFormat(str, Enum):
    text = "text"
    json = "json"


@app.command()
def export(
    path: PathArg = None,
    to: Annotated[ExportFormat, typer.Option("--to", "-t", help="sqlite, duckdb, geojson (files); jsonl, csv-safe (folders).")] = ...,
    out: Annotated[Path, typer.Option("--out", "-o", help="The file (sqlite, duckdb, geojson) or folder (jsonl, csv-safe) to write; replaced only when the new export is complete.")] = ...,
    format: Annotated[ResultFormat, typer.Option("--format", "-f", help="text: a summary on stderr; json: the result on stdout.")] = ResultFormat.text,
) -> None:
    """Export the validated tables for other tools: SQLite, DuckDB, GeoJSON, JSON Lines, spreadsheet-safe CSV.

    sqlite: one table per resource with the schema's types, primary and foreign keys, indexes on
    the foreign keys, and the views claims_named, events_with_actors and events_with_sources
    (`datasette FILE` browses it).

    duckdb: typed tables with primary keys and the same views (needs the duckdb package:
    pip install "conflictdata\\[export]", or pip install duckdb).

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
    from .errors import InvalidDataError
    from .export import export as run

    try:
        result = run(to.value, out, path)
    except UnusableInputError as exc:
        raise _fail(str(exc)) from None
    except InvalidDataError as exc:
        typer.echo("conflictdata: error: the data is invalid; nothing was exported", err=True)
        raise _invalid(exc) from None
    if format is ResultFormat.json:
        import json

        typer.echo(json.dumps(result.to_dict(), indent=2))
        return
    rows = sum(result.rows.values())
    typer.echo(f"exported {rows} rows of {len(result.rows)} table(s) as {result.format} to {result.out}", err=True)
    if result.views:
        typer.echo(f"  views: {', '.join(result.views)}", err=True)
    for reason, n in result.skipped.items():
        typer.echo(f"  left out: {n} {reason}", err=True)
    if result.neutralised:
        typer.echo(f"  {result.neutralised} text cell(s) that start like a formula prefixed with '", err=True)


@app.command()
def report(
    path: PathArg = None,
    out: Annotated[Path, typer.Option("--out", "-o", help="Folder for index.html (created if needed).")] = Path("report"),
    format: Annotated[ResultFormat, typer.Option("--format", "-f", help="text: a message on stderr; json: the result on stdout.")] = ResultFormat.text,
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
    from .errors import InvalidDataError
    from .report import write_report

    try:
        result = write_report(path, out)
    except UnusableInputError as exc:
        raise _fail(str(exc)) from None
    except InvalidDataError as exc:
        typer.echo("conflictdata: error: the data is invalid; no report was written", err=True)
        raise _invalid(exc) from None
    if format is ResultFormat.json:
        import json

        typer.echo(json.dumps(result.to_dict(), indent=2))
    else:
        typer.echo(f"wrote {result.path} ({result.bytes} bytes, sha256 {result.sha256})", err=True)


def main() -> None:
    """Console-script entry point: the last line of defence against tracebacks for people."""
    from .errors import ConflictDataError, IntegrityError

    try:
        app()
    except KeyboardInterrupt:
        typer.echo("conflictdata: interrupted", err=True)
        sys.exit(130)
    except IntegrityError as exc:  # a tampered or unsafe archive met by any command
        typer.echo(f"conflictdata: error: {exc}", err=True)
        sys.exit(1)
    except ConflictDataError as exc:
        typer.echo(f"conflictdata: error: {exc}", err=True)
        sys.exit(2)
