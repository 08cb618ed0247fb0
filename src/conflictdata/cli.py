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

from .cliparams import CONTEXT as _CONTEXT, Typer as _Typer
from .errors import UnusableInputError

__all__ = ["app", "main"]

app = _Typer(
    name="conflictdata",
    help="Validate, format and load the conflictdata dataset: attributed conflict claims with their sources.",
    add_completion=False,
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    # Plain help and errors: no boxes that wrap an error message mid-sentence in a CI log.
    rich_markup_mode=None,
    context_settings=_CONTEXT,
)


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


def _fail(message: str, code: int = 2, format: Enum | None = None, title: str | None = None) -> typer.Exit:
    """Say why on stderr (and as an `::error` annotation with `--format github`); the exit to raise."""
    typer.echo(f"conflictdata: error: {message}", err=True)
    if format is not None and format.value == "github":
        _say(format, "error", message, title=title)
    return typer.Exit(code)


def _say(format: Enum, level: str, message: str, *, title: str | None = None, file: str | None = None) -> None:
    """A result for people: a line on stderr, or with `--format github` an annotation
    (`::error`/`::warning`/`::notice`) on stdout, where a workflow shows it."""
    if format.value == "github":
        from .render import annotation

        typer.echo(annotation(level, message, file=file, title=title))
    else:
        typer.echo(message if level == "notice" else f"conflictdata: {level}: {message}", err=True)


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
    typer.Argument(help="A data package folder or its datapackage.json. Default: the nearest datapackage.json in this folder "
                        "or above, else the dataset bundled with conflictdata.", show_default=False),
]


def _package(path: Optional[Path], *, writes: Optional[str] = None) -> Path:
    """The package a command acts on: PATH; else the nearest datapackage.json here or above (as git
    finds .git); else the bundled dataset, said on stderr. `writes` names a command that will
    change the package: it is refused the bundled dataset (exit 2)."""
    from .package import discover, writable_package

    try:
        if writes is not None:
            return writable_package(path, command=writes)
        found = discover(path)
    except UnusableInputError as exc:
        raise _fail(str(exc)) from None
    if found.note:
        typer.echo(found.note, err=True)
    return found.path


class Engine(str, Enum):
    local = "local"
    spark = "spark"


def _spark_engine(master: Optional[str], against: Optional[str], format: ValidateFormat):
    """`validate`'s runner on Spark (--engine spark): the same signature as the local one."""
    from .spark.session import missing_spark

    why = missing_spark() or ("--against needs --engine local" if against is not None else None)
    if why is not None:
        raise _fail(f"--engine spark: {why}", format=format, title="validate")

    def run(path, *, strict, against, progress, select, ignore):
        from .spark import validate as on_spark
        from .spark.session import session

        return on_spark(path, session(master), strict=strict, select=select, ignore=ignore)

    return run


@app.command()
def validate(
    path: Annotated[Optional[Path], typer.Argument(
        help="A data package folder, its datapackage.json, or one of its data files (only that table's findings are reported). "
             "Default: the nearest datapackage.json in this folder or above, else the dataset bundled with conflictdata.",
        show_default=False)] = None,
    format: Annotated[ValidateFormat, typer.Option("--format", "-f", help="text: one finding per line; json: the report; github: workflow annotations; "
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

      conflictdata validate . --format github    # in CI, from a checkout

      conflictdata validate . --format sarif > conflictdata.sarif   # for GitHub code scanning

      conflictdata validate . | grep -c warning   # findings on stdout, one per line

      conflictdata validate path/to/datapackage.json --format json | jq '.findings[]'

      conflictdata validate . --against v0.1.0      # ids never vanish between releases

      conflictdata validate . --against last-release   # the same, against the last release (tag or releases.json)

      conflictdata validate . --select foreign-key,primary-key

      conflictdata validate hdfs://namenode/pkg --engine spark --master yarn
    """
    from .validation import validate as run

    if engine is Engine.spark:
        run = _spark_engine(master, against, format)
        from .spark.session import uri_of

        path = uri_of(path) if uri_of(path) is not None else _package(path)
    else:
        path = _package(path)
    bar = _DelayedProgress()
    try:
        report = run(path, strict=strict, against=against, progress=bar.update, select=select, ignore=ignore)
    except UnusableInputError as exc:
        raise _fail(str(exc), format=format, title="validate") from None
    finally:
        bar.close()
    from . import render

    if format is ValidateFormat.text:
        render.render_text(report, max_findings=max_findings, show_acknowledged=show_acknowledged)
    else:
        renderer = {ValidateFormat.json: render.render_json, ValidateFormat.github: render.render_github,
                    ValidateFormat.sarif: render.render_sarif, ValidateFormat.junit: render.render_junit}[format]
        renderer(report, max_findings=max_findings)
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

    path = _package(path, writes=None if check else "fmt")
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


def _invalid(exc: Exception, format: Enum | None = None) -> typer.Exit:
    """Render an InvalidDataError's findings (on stderr; annotations on stdout with `--format
    github`, where stdout holds no other result) and exit 1."""
    from . import render

    if format is not None and format.value == "github":
        render.render_github(exc.report, max_findings=50)
    else:
        render.render_text(exc.report, sys.stderr, max_findings=50)
    return typer.Exit(1)


@app.command()
def build(
    path: PathArg = None,
    out: Annotated[Path, typer.Option("--out", "-o", metavar="DIR", help="Folder to write; replaced only when the new build is complete.")] = Path("build"),
    format: Annotated[OutputFormat, typer.Option("--format", "-f", help="text: a summary on stderr; json: the files and their sha256 on stdout; github: workflow annotations.")] = OutputFormat.text,
) -> None:
    """Build the complete data package: every table as canonical CSV and Parquet, checksummed.

    Validates first and writes nothing from invalid data. The output has datapackage.json (with
    each file's bytes and sha256), datapackage.parquet.json (the Parquet files as the resources),
    schema/ (with the Pandera schemas in schema/pandera/), data/*.csv, data/*.parquet (typed:
    enums as categoricals, nullable integers, dates) and SHA256SUMS. Building twice from the same
    data gives byte-identical files.

    Examples:

      conflictdata build . --out build/

      cd build && sha256sum -c SHA256SUMS
    """
    from .build import build as run
    from .errors import InvalidDataError

    path = _package(path)
    try:
        result = run(path, out)
    except UnusableInputError as exc:
        raise _fail(str(exc), format=format, title="build") from None
    except InvalidDataError as exc:
        typer.echo("conflictdata: error: the data is invalid; nothing was built", err=True)
        raise _invalid(exc, format) from None
    if format is OutputFormat.json:
        import json

        typer.echo(json.dumps(result.to_dict(), indent=2))
    else:
        _say(format, "notice", f"built {result.out} (version {result.version}): {len(result.files)} files, SHA256SUMS written", title="build")
        for w in result.withheld_snapshots:
            _say(format, "notice", f"  withheld (license does not allow redistribution): {w}", title="build", file=w)


@app.command()
def diff(
    old: Annotated[str, typer.Argument(help="The older version: a folder, datapackage.json, release .zip, git ref (e.g. v0.1.0, HEAD~3), or last-release (the last release by tag or releases.json).")],
    new: Annotated[Optional[str], typer.Argument(help="The newer version, same forms. Default: the nearest datapackage.json in this "
                                                      "folder or above, else the dataset bundled with conflictdata.", show_default=False)] = None,
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
    from .refs import git_toplevel, opened
    from .releases import LAST_RELEASE, resolve_against

    label = new
    if new is None:
        import os

        new = str(_package(None))
        label = os.path.relpath(new)
    try:
        with opened(new) as b:
            spec = resolve_against(old, b) if old == LAST_RELEASE else old
            if spec is None:
                raise UnusableInputError(f"{LAST_RELEASE}: no release yet (no tag vX.Y.Z, no releases.json entry in {b.root}); nothing to compare with")
            with opened(spec, repo=git_toplevel(b.root) if b.root.exists() else None) as a:
                result = diff_packages(a, b, labels=(old if spec == old else f"{old} ({spec})", label))
    except UnusableInputError as exc:
        raise _fail(str(exc)) from None
    if format is DiffFormat.json:
        import json

        typer.echo(json.dumps(result.to_dict(), indent=2, ensure_ascii=False))
    elif format is DiffFormat.markdown:
        typer.echo(render_diff.markdown(result))
    else:
        render_diff.text(result)


AgainstOpt = Annotated[Optional[str], typer.Option("--against", metavar="OLD", help="The last release (folder, .zip or git ref). Default: the newest of the tags vX.Y.Z and releases.json (as last-release).")]


@app.command()
def bump(
    path: PathArg = None,
    against: AgainstOpt = None,
    write: Annotated[bool, typer.Option("--write", help="Set version (the smallest the changes need) and created (now, UTC) in datapackage.json.")] = False,
    format: Annotated[OutputFormat, typer.Option("--format", "-f", help="text on stderr, json on stdout, or github: workflow annotations.")] = OutputFormat.text,
) -> None:
    """Report the smallest version bump the changes since the last release require.

    Exits 1 when the package's version understates them, or is already released with other data
    (the release would be refused). With --write, sets version and created in datapackage.json
    instead (nothing else in the file changes), so that a release is `bump --write`, commit,
    `release`.

    Examples:

      conflictdata bump . --against v0.1.0

      conflictdata bump . --write
    """
    from .package import open_package
    from .release import ReleaseRefused, check_bump, write_bump

    path = _package(path, writes="bump --write" if write else None)
    from contextlib import nullcontext

    from .lock import package_lock

    try:
        # --write holds the package's write lock from reading the data to replacing the
        # descriptor, like add, import and fmt.
        with package_lock(path) if write else nullcontext():
            package = open_package(path)
            result = check_bump(package, against=against)
            written = write_bump(package, result) if write else None
    except (UnusableInputError, ReleaseRefused) as exc:
        raise _fail(str(exc), format=format, title="bump") from None
    if format is OutputFormat.json:
        import json

        data = result.to_dict()
        if write:
            data["written"] = written
        typer.echo(json.dumps(data, indent=2))
    elif written is not None:
        _say(format, "notice", written["summary"], title="bump")
    elif result.reissue:
        _say(format, "error", result.message, title="bump")
    elif result.previous is None:
        state = "is released with these data" if result.rerelease else "will be the first"
        _say(format, "notice", f"no previous release found: {result.current_version} {state}", title="bump")
    else:
        need = result.required or ("an unknown (see the note)" if result.diff is None else "no")
        verdict = "ok" if result.ok else f"too low: set version to at least {result.minimum_version}"
        again = " (released with these data)" if result.rerelease else ""
        _say(format, "notice" if result.ok or written is not None else "error",
             f"since {result.previous_version} ({result.previous}): {need} bump required, minimum {result.minimum_version}; "
             f"version is {result.current_version}{again}: {verdict}", title="bump")
    if result.note and format is not OutputFormat.json:
        _say(format, "notice", f"note: {result.note}", title="bump")
    raise typer.Exit(0 if result.ok or written is not None else 1)


@app.command()
def release(
    path: PathArg = None,
    against: AgainstOpt = None,
    out: Annotated[Path, typer.Option("--out", "-o", metavar="DIR", help="Folder for the archive and its .sha256.")] = Path("dist"),
    format: Annotated[OutputFormat, typer.Option("--format", "-f", help="text on stderr, json on stdout, or github: workflow annotations.")] = OutputFormat.text,
) -> None:
    """Write the release archive dist/conflictdata-X.Y.Z.zip and its published checksum.

    Refuses invalid data, a date after the release's own `created`, ids that vanished without a
    retraction, a version already released with other data, and a version that understates the
    changes since the last release. Adds the release's entry (generated from the diff) to
    CHANGELOG.md and records it in releases.json (version, date, commit, digest of the data).
    The archive holds the built package (CSV, Parquet, datapackage.json), README, LICENSE,
    CHANGELOG, CITATION.cff and SHA256SUMS; releasing the same data twice gives the same bytes.

    Example:

      conflictdata bump . --write && git commit -am "Version X.Y.Z" && conflictdata release .
    """
    from .errors import InvalidDataError
    from .release import ReleaseRefused, release as run

    path = _package(path, writes="release")
    try:
        result = run(path, against=against, out=out)
    except (UnusableInputError, ReleaseRefused) as exc:
        raise _fail(str(exc), 1 if isinstance(exc, ReleaseRefused) else 2, format=format, title="release") from None
    except InvalidDataError as exc:
        typer.echo("conflictdata: error: refusing to release invalid data", err=True)
        raise _invalid(exc, format) from None
    if format is OutputFormat.json:
        import json

        typer.echo(json.dumps(result.to_dict(), indent=2))
    else:
        _say(format, "notice", f"released {result.archive} (sha256 {result.sha256})", title="release")


import_app = _Typer(help="Import openly licensed upstream datasets into the package, with their provenance.", no_args_is_help=True,
                    rich_markup_mode=None, context_settings=_CONTEXT)
app.add_typer(import_app, name="import")

ImportPathArg = Annotated[Optional[Path], typer.Argument(
    help="The package to import into (a folder with datapackage.json). Default: the nearest datapackage.json in this folder or above.",
    show_default=False)]
# The old spelling of PATH, hidden; kept for one release so scripts keep working, then dropped.
PackageOpt = Annotated[Optional[Path], typer.Option("--package", "-p", hidden=True, help="Old spelling of PATH.")]


def _import_target(path: Optional[Path], package: Optional[Path], command: str, dry_run: bool) -> Path:
    if path is not None and package is not None and path != package:
        raise _fail(f"two packages given ({path} and --package {package}); give only PATH")
    return _package(path or package, writes=None if dry_run else command)


def _render_import(result, format: OutputFormat, dry_run: bool = False) -> None:
    if format is OutputFormat.json:
        import json

        typer.echo(json.dumps(result.to_dict(), indent=2))
        return
    for table, c in result.counts.items():
        _say(format, "notice", f"{table}: {c['added']} added, {c['changed']} changed, {c['removed']} removed, {c['unchanged']} unchanged", title="import")
    for w in result.warnings:
        _say(format, "warning", w, title="import")
    for r in result.retracted[:20]:
        _say(format, "notice", f"retracted (gone upstream): {r}", title="import")
    verb = "would write" if dry_run else "wrote"
    _say(format, "notice", f"{verb} {', '.join(result.written)}" if result.written else "nothing changed", title="import")


def _run_import(fn, format: OutputFormat, dry_run: bool = False) -> None:
    from .importers.merge import ImportConflict

    try:
        result = fn()
    except (UnusableInputError, ImportConflict) as exc:
        raise _fail(str(exc), 1 if isinstance(exc, ImportConflict) else 2, format=format, title="import") from None
    _render_import(result, format, dry_run)


@import_app.command("genstaff")
def import_genstaff_command(
    file: Annotated[Path, typer.Argument(help="russia_losses_personnel.json of the 2022-Ukraine-Russia-War-Dataset (SOURCE.txt beside it).")],
    path: ImportPathArg = None,
    package: PackageOpt = None,
    dry_run: Annotated[bool, typer.Option("--dry-run", help="Report what would change; write nothing.")] = False,
    format: Annotated[OutputFormat, typer.Option("--format", "-f", help="text on stderr, json on stdout, or github: workflow annotations.")] = OutputFormat.text,
) -> None:
    """Import the General Staff of the Armed Forces of Ukraine's daily loss claims into casualty_claims.

    Each day's cumulative 'personnel' figure becomes one claim (and each POW figure another),
    with its qualifier as published. Ids come from the dates, so re-running changes nothing and an
    upstream correction shows up as a changed claim.

    Example:

      conflictdata import genstaff ../shared/data/ukr-genstaff-russia-losses/russia_losses_personnel.json
    """
    from .importers.genstaff import import_genstaff

    package = _import_target(path, package, "import genstaff", dry_run)
    _run_import(lambda: import_genstaff(file, package_path=package, dry_run=dry_run), format, dry_run)


@import_app.command("ucdp-ged")
def import_ucdp_command(
    file: Annotated[Path, typer.Argument(help="A UCDP GED country extract (CSV; 22.1, 20.x or 19.x layout; SOURCE.txt beside it).")],
    path: ImportPathArg = None,
    actors: Annotated[Optional[Path], typer.Option("--actors", metavar="FILE", help="The UCDP Actor dataset CSV, for actor names and types.")] = None,
    package: PackageOpt = None,
    dry_run: Annotated[bool, typer.Option("--dry-run", help="Report what would change; write nothing.")] = False,
    format: Annotated[OutputFormat, typer.Option("--format", "-f", help="text on stderr, json on stdout, or github: workflow annotations.")] = OutputFormat.text,
) -> None:
    """Import a UCDP GED extract: events, their sides as actors, sources, and UCDP's fatality estimates as claims.

    Columns are read by name, so older layouts work; a missing required column is named. Ids come
    from UCDP's ids (EVT-UCDP-<id>, CLM-UCDP-<id>, ACT-UCDP-<ActorId>); curated rows are never
    overwritten, and an event gone upstream is retracted, not deleted.

    Example:

      conflictdata import ucdp-ged ../shared/data/ucdp-ged-ukraine-v22/conflict_data_ukr.csv --actors ../shared/data/ucdp-actors-v22/ucdp-actor-221.csv
    """
    from .importers.ucdp import import_ucdp_ged

    package = _import_target(path, package, "import ucdp-ged", dry_run)
    _run_import(lambda: import_ucdp_ged(file, actors_file=actors, package_path=package, dry_run=dry_run), format, dry_run)


# --- add: curating without hand-editing CSV ------------------------------------------------------

add_app = _Typer(help="Add one record (with the next free id) to a package: validated first, written canonically and atomically.",
                 no_args_is_help=True, rich_markup_mode=None, context_settings=_CONTEXT)
app.add_typer(add_app, name="add")

# Columns `add` sets itself, not by option: a source's snapshot and hash come from --snapshot FILE.
_ADD_SKIP = {"sources": {"snapshot", "snapshot_sha256"}}
_ADD_EXTRA = {
    "sources": {"snapshot": (Optional[Path], typer.Option("--snapshot", metavar="FILE", help="A text of the source the project may keep: archived as data/snapshots/<id>.txt with its sha256."))},
    "events": {
        "source": (list[str], typer.Option("--source", metavar="SRC-…", help="A source reporting the event (repeatable): written to event_sources.")),
        "locator": (list[str], typer.Option("--locator", help="Where in the n-th --source the event is reported (repeatable, in --source order).")),
        "source_quote": (list[str], typer.Option("--source-quote", help="The n-th --source's passage, verbatim; only for sources with a snapshot.")),
        "actor": (list[str], typer.Option("--actor", metavar="ACT-…:ROLE[:CERTAINTY]", help="An actor taking part (repeatable): written to event_actors; certainty defaults to known.")),
    },
}


def _schema_fields(table: str) -> list[dict]:
    """The table's columns from the bundled schema/ (the options are generated from it)."""
    import json

    from .package import bundled_root

    try:
        return json.loads((bundled_root() / "schema" / f"{table}.json").read_text(encoding="utf-8"))["fields"]
    except (UnusableInputError, OSError, ValueError, KeyError):
        return []


def _add_metavar(field: dict) -> str:
    """A word for the option's value, from the field's type and enum (what the curator types)."""
    enum = (field.get("constraints") or {}).get("enum")
    if enum and len("|".join(enum)) <= 40:
        return "|".join(enum)
    return {"date": "YYYY-MM-DD", "integer": "N", "number": "NUMBER", "boolean": "true|false"}.get(field.get("type"), "VALUE")


def _add_command(kind: str, table: str):
    import inspect

    fields = [f for f in _schema_fields(table) if f["name"] not in _ADD_SKIP.get(table, set())]
    params = [inspect.Parameter("path", inspect.Parameter.POSITIONAL_OR_KEYWORD, default=None, annotation=Annotated[
        Optional[Path], typer.Argument(help="The package folder (or its datapackage.json). Default: the nearest datapackage.json "
                                            "in this folder or above (never the dataset bundled with conflictdata).", show_default=False)])]
    for f in fields:
        first = (f.get("description") or "").split("; ")[0]
        params.append(inspect.Parameter(f["name"], inspect.Parameter.KEYWORD_ONLY, default=None, annotation=Annotated[
            Optional[str], typer.Option(f"--{f['name'].replace('_', '-')}", metavar=_add_metavar(f), help=first, show_default=False)]))
    for name, (kind_, option) in _ADD_EXTRA.get(table, {}).items():
        params.append(inspect.Parameter(name, inspect.Parameter.KEYWORD_ONLY, default=None, annotation=Annotated[kind_, option]))
    params.append(inspect.Parameter("format", inspect.Parameter.KEYWORD_ONLY, default=ResultFormat.text, annotation=Annotated[
        ResultFormat, typer.Option("--format", "-f", help="text on stderr, or json on stdout.")]))
    columns = [f["name"] for f in fields]

    def command(**kw) -> None:
        from .curate import AddRefused, add_record

        values = {c: kw[c] for c in columns if kw.get(c) is not None}
        kw["path"] = _package(kw["path"], writes=f"add {kind}")
        try:
            links = _event_links(kw) if table == "events" else {}
            result = add_record(kind, values, kw["path"], snapshot=kw.get("snapshot"), **links)
        except AddRefused as exc:
            raise _fail(str(exc), 1) from None
        except UnusableInputError as exc:
            raise _fail(str(exc)) from None
        if kw["format"] is ResultFormat.json:
            import json

            typer.echo(json.dumps(result.to_dict(), indent=2))
        else:
            typer.echo(result.record_id)
            typer.echo(f"added {result.record_id}; wrote {', '.join(result.written)}", err=True)

    command.__signature__ = inspect.Signature(params)  # typer reads the options from it
    command.__name__ = f"add_{kind}"
    command.__doc__ = (f"Add one {kind} to {table}: one option per column of schema/{table}.json; the id defaults to the next free one."
                       + ("\n\nExample:\n\n  conflictdata add event . --title ... --source SRC-0003 --locator 'paragraph 2' --actor ACT-PRK-AF:deployed_force"
                          if table == "events" else ""))
    return command


def _event_links(kw: dict) -> dict:
    from .curate import AddRefused

    sources, locators, quotes = kw.get("source") or [], kw.get("locator") or [], kw.get("source_quote") or []
    if len(locators) > len(sources) or len(quotes) > len(sources):
        raise AddRefused("give one --source per --locator / --source-quote (they pair up in order)")
    actors = []
    for a in kw.get("actor") or []:
        parts = a.split(":")
        if len(parts) not in (2, 3) or not all(parts):
            raise AddRefused(f"--actor {a!r}: write ACT-…:ROLE or ACT-…:ROLE:CERTAINTY, e.g. ACT-PRK-AF:deployed_force")
        actors.append((parts[0], parts[1], parts[2] if len(parts) == 3 else "known"))
    pad = lambda xs: xs + [""] * (len(sources) - len(xs))  # noqa: E731
    return {"sources": list(zip(sources, pad(list(locators)), pad(list(quotes)))), "actors": actors}


def _register_add_commands() -> None:
    from .curate import KINDS

    for kind, table in KINDS.items():
        add_app.command(kind)(_add_command(kind, table))


class ExportFormat(str, Enum):
    sqlite = "sqlite"
    duckdb = "duckdb"
    geojson = "geojson"
    jsonl = "jsonl"
    csv_safe = "csv-safe"


class ResultFormat(str, Enum):
    text = "text"
    json = "json"


_register_add_commands()


@app.command()
def export(
    path: PathArg = None,
    to: Annotated[ExportFormat, typer.Option("--to", "-t", help="sqlite, duckdb, geojson (files); jsonl, csv-safe (folders).")] = ...,
    out: Annotated[Path, typer.Option("--out", "-o", metavar="PATH", help="The file (sqlite, duckdb, geojson) or folder (jsonl, csv-safe) to write; replaced only when the new export is complete.")] = ...,
    format: Annotated[ResultFormat, typer.Option("--format", "-f", help="text: a summary on stderr; json: the result on stdout.")] = ResultFormat.text,
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
    from .errors import InvalidDataError
    from .export import export as run

    path = _package(path)
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
    out: Annotated[Path, typer.Option("--out", "-o", metavar="DIR", help="Folder for index.html (created if needed).")] = Path("report"),
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

    path = _package(path)
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
