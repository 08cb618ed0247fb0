"""Versions of the dataset: `build` (the checksummed package), `diff` (two versions by primary
key), `bump` (the version the changes need) and `release` (the archive and its records)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Optional

import typer

from .common import echo_json, errors, package, say
from .options import AgainstOpt, AnnotatedFormat, DiffFormat, OutputFormat, PathArg, format_option, out_option

__all__ = ["build", "diff", "bump", "release"]


def build(
    path: PathArg = None,
    out: Annotated[Path, out_option("Folder to write; replaced only when the new build is complete.")] = Path("build"),
    format: Annotated[OutputFormat, format_option("text: a summary on stderr; json: the files and their sha256 on stdout; github: workflow annotations.")] = OutputFormat.text,
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
    from ..versions.build import build as run

    path = package(path)
    with errors(format, "build", invalid="the data is invalid; nothing was built"):
        result = run(path, out)
    if format is OutputFormat.json:
        echo_json(result.to_dict())
    else:
        say(format, "notice", f"built {result.out} (version {result.version}): {len(result.files)} files, SHA256SUMS written", title="build")
        for w in result.withheld_snapshots:
            say(format, "notice", f"  withheld (license does not allow redistribution): {w}", title="build", file=w)


def diff(
    old: Annotated[str, typer.Argument(help="The older version: a folder, datapackage.json, release .zip, git ref (e.g. v0.1.0, HEAD~3), or last-release (the last release by tag or releases.json).")],
    new: Annotated[Optional[str], typer.Argument(help="The newer version, same forms. Default: the nearest datapackage.json in this "
                                                      "folder or above, else the dataset bundled with conflictdata.", show_default=False)] = None,
    format: Annotated[DiffFormat, format_option("text on stderr; json or markdown on stdout.")] = DiffFormat.text,
) -> None:
    """Compare two versions by primary key: rows added, retracted, removed and changed, and schema changes.

    Each change is shown with its fields' before and after, and the smallest SemVer bump it
    requires (MAJOR: a column removed/retyped, a constraint tightened, an id vanished; MINOR: new
    rows, columns, tables, retractions; PATCH: corrected values and metadata).

    Examples:

      conflictdata diff v0.1.0 .                       # a release tag against the checkout

      conflictdata diff dist/conflictdata-0.1.0.zip dist/conflictdata-0.2.0.zip --format markdown
    """
    from ..contract.errors import UnusableInputError
    from ..outputs import render_diff
    from ..versions.diff import diff_packages
    from ..versions.refs import git_toplevel, opened
    from ..versions.releases import LAST_RELEASE, resolve_against

    label = new
    if new is None:
        import os

        new = str(package(None))
        label = os.path.relpath(new)
    with errors(format, "diff"):
        with opened(new) as b:
            spec = resolve_against(old, b) if old == LAST_RELEASE else old
            if spec is None:
                raise UnusableInputError(f"{LAST_RELEASE}: no release yet (no tag vX.Y.Z, no releases.json entry in {b.root}); nothing to compare with")
            with opened(spec, repo=git_toplevel(b.root) if b.root.exists() else None) as a:
                result = diff_packages(a, b, labels=(old if spec == old else f"{old} ({spec})", label))
    if format is DiffFormat.json:
        echo_json(result.to_dict(), ensure_ascii=False)
    elif format is DiffFormat.markdown:
        typer.echo(render_diff.markdown(result))
    else:
        render_diff.text(result)


def bump(
    path: PathArg = None,
    against: AgainstOpt = None,
    write: Annotated[bool, typer.Option("--write", help="Set version (the smallest the changes need) and created (now, UTC) in datapackage.json.")] = False,
    format: AnnotatedFormat = OutputFormat.text,
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
    from contextlib import nullcontext

    from ..contract.package import open_package
    from ..curation.lock import package_lock
    from ..versions.release import check_bump, write_bump

    path = package(path, writes="bump --write" if write else None)
    # A refusal here is a version that cannot be read or a --write that has nothing to do (the
    # data are released as they are): a request to change, exit 2; the verdict itself is exit 1.
    with errors(format, "bump", codes={"ReleaseRefused": 2}):
        # --write holds the package's write lock from reading the data to replacing the
        # descriptor, like add, import and fmt.
        with package_lock(path) if write else nullcontext():
            pkg = open_package(path)
            result = check_bump(pkg, against=against)
            written = write_bump(pkg, result) if write else None
    if format is OutputFormat.json:
        data = result.to_dict()
        if write:
            data["written"] = written
        echo_json(data)
    elif written is not None:
        say(format, "notice", written["summary"], title="bump")
    elif result.reissue:
        say(format, "error", result.message, title="bump")
    elif result.previous is None:
        state = "is released with these data" if result.rerelease else "will be the first"
        say(format, "notice", f"no previous release found: {result.current_version} {state}", title="bump")
    else:
        need = result.required or ("an unknown (see the note)" if result.diff is None else "no")
        verdict = "ok" if result.ok else f"too low: set version to at least {result.minimum_version}"
        again = " (released with these data)" if result.rerelease else ""
        say(format, "notice" if result.ok or written is not None else "error",
            f"since {result.previous_version} ({result.previous}): {need} bump required, minimum {result.minimum_version}; "
            f"version is {result.current_version}{again}: {verdict}", title="bump")
    if result.note and format is not OutputFormat.json:
        say(format, "notice", f"note: {result.note}", title="bump")
    raise typer.Exit(0 if result.ok or written is not None else 1)


def release(
    path: PathArg = None,
    against: AgainstOpt = None,
    out: Annotated[Path, out_option("Folder for the archive, its .sha256 and index.json.")] = Path("dist"),
    format: AnnotatedFormat = OutputFormat.text,
) -> None:
    """Write the release archive dist/conflictdata-X.Y.Z.zip, its published checksum and dist/index.json.

    Refuses invalid data, a date after the release's own `created`, ids that vanished without a
    retraction, a version already released with other data, and a version that understates the
    changes since the last release. Adds the release's entry (generated from the diff) to
    CHANGELOG.md and records it in releases.json (version, date, commit, digest of the data).
    The archive holds the built package (CSV, Parquet, datapackage.json), README, LICENSE,
    CHANGELOG, CITATION.cff and SHA256SUMS; releasing the same data twice gives the same bytes.
    dist/index.json lists every release in dist/ (and those it listed before): published as the
    releases URL, it is what `download --list` and `load(version=...)` read.

    Example:

      conflictdata bump . --write && git commit -am "Version X.Y.Z" && conflictdata release .
    """
    from ..versions.release import release as run

    path = package(path, writes="release")
    with errors(format, "release", invalid="refusing to release invalid data"):
        result = run(path, against=against, out=out)
    if format is OutputFormat.json:
        echo_json(result.to_dict())
    else:
        say(format, "notice", f"released {result.archive} (sha256 {result.sha256})", title="release")
