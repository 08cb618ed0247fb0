"""`conflictdata download`: fetch a release archive, verify it and cache it for `load(version=...)`;
`--list`: what the releases URL offers."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated, Optional

import typer

from .common import echo_json, errors, fail
from .options import ResultFormat, format_option

if TYPE_CHECKING:
    from ..distribution.index import ReleaseIndex

__all__ = ["download"]


def download(
    version: Annotated[Optional[str], typer.Argument(help="The release to fetch, e.g. 1.2.0. Optional with --url (read from the archive).", show_default=False)] = None,
    url: Annotated[Optional[str], typer.Option("--url", help="The archive: an http(s):// or file:// URL or a local path. Default: the one the releases URL's index.json lists for VERSION.", show_default=False)] = None,
    sha256: Annotated[Optional[str], typer.Option("--sha256", metavar="HEX", help="The archive's expected sha256. Default: the one index.json lists, else the checksum published at URL.sha256.", show_default=False)] = None,
    list_: Annotated[bool, typer.Option("--list", help="List the releases the releases URL offers (its index.json): a table on stdout.")] = False,
    format: Annotated[ResultFormat, format_option("text: a message on stderr (--list: a table on stdout); json: the result on stdout.")] = ResultFormat.text,
) -> None:
    """Fetch a release archive, verify it and cache it for `conflictdata.load(version=...)`.

    The archive's sha256 must match the checksum published beside it (URL.sha256) or given with
    --sha256; nothing unverified is installed. Extraction refuses paths leaving the release
    folder, links, oversized or over-compressed files, and files that do not match the release's
    SHA256SUMS. The release lands in $CONFLICTDATA_CACHE/releases/VERSION (default: the user cache
    folder, e.g. ~/.cache/conflictdata); a failed download leaves the cache as it was.

    The releases URL (the folder holding index.json and the archives) is $CONFLICTDATA_RELEASES_URL,
    else "conflictdata:releases" in the datapackage.json bundled with conflictdata.

    Exit code 0: installed or already cached; 1: checksum mismatch or unsafe archive; 2: the
    archive or its checksum cannot be fetched, or no releases URL is set.

    Examples:

      conflictdata download --list    # what the releases URL offers

      conflictdata download 1.2.0     # from the releases URL

      conflictdata download --url https://example.org/releases/conflictdata-1.2.0.zip

      conflictdata download --url dist/conflictdata-1.2.0.zip --sha256 9f63...e4dc --format json
    """
    from ..distribution.download import available_releases, download as fetch

    if list_:
        if version is not None or url is not None or sha256 is not None:
            raise fail("--list takes no VERSION, --url or --sha256", format=format)
        with errors(format, "download"):
            offered = available_releases()
        if format is ResultFormat.json:
            echo_json(offered.to_dict())
        else:
            _print_table(offered)
        return
    with errors(format, "download"):
        result = fetch(version, url=url, sha256=sha256, progress=True)
    if format is ResultFormat.json:
        echo_json(result.to_dict())
    elif result.cached:
        typer.echo(f"conflictdata {result.version} is already in the cache: {result.path}", err=True)
    else:
        typer.echo(f"downloaded conflictdata {result.version} ({result.bytes} bytes, sha256 {result.sha256} verified) into {result.path}", err=True)


def _print_table(offered: "ReleaseIndex") -> None:
    rows = [("VERSION", "DATE", "BYTES", "SHA256", "CACHED")]
    rows += [(e.version, e.date or "-", str(e.bytes), e.sha256, "yes" if e.version in offered.cached else "no") for e in offered.releases]
    widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]))]
    for r in rows:
        typer.echo("  ".join(cell.ljust(w) for cell, w in zip(r, widths)).rstrip())
    typer.echo(f"{len(offered.releases)} release(s) at {offered.url}", err=True)
