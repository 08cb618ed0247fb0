"""`conflictdata download`: fetch a release archive, verify it and cache it for `load(version=...)`."""

from __future__ import annotations

from typing import Annotated, Optional

import typer

from .common import echo_json, errors
from .options import ResultFormat, format_option

__all__ = ["download"]


def download(
    version: Annotated[Optional[str], typer.Argument(help="The release to fetch, e.g. 1.2.0. Optional with --url (read from the archive).", show_default=False)] = None,
    url: Annotated[Optional[str], typer.Option("--url", help="The archive: an http(s):// or file:// URL or a local path. Default: $CONFLICTDATA_RELEASES_URL/conflictdata-VERSION.zip.", show_default=False)] = None,
    sha256: Annotated[Optional[str], typer.Option("--sha256", metavar="HEX", help="The archive's expected sha256. Default: the checksum published at URL.sha256.", show_default=False)] = None,
    format: Annotated[ResultFormat, format_option("text: a message on stderr; json: the result on stdout.")] = ResultFormat.text,
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
    from ..distribution.download import download as fetch

    with errors(format, "download"):
        result = fetch(version, url=url, sha256=sha256, progress=True)
    if format is ResultFormat.json:
        echo_json(result.to_dict())
    elif result.cached:
        typer.echo(f"conflictdata {result.version} is already in the cache: {result.path}", err=True)
    else:
        typer.echo(f"downloaded conflictdata {result.version} ({result.bytes} bytes, sha256 {result.sha256} verified) into {result.path}", err=True)
