"""Getting bytes from a URL: http(s)://, file:// or a local path, streamed in chunks with a
progress bar on stderr, every failure a message naming the URL (`UnusableInputError`; `NotFound`
when the server or the file system says there is nothing there, so a caller can say what is).

Only the standard library (and rich, for the progress bar).
"""

from __future__ import annotations

import hashlib
import http.client
import os
import sys
import urllib.error
import urllib.request
from contextlib import contextmanager, nullcontext
from pathlib import Path, PurePosixPath
from typing import IO, Any, Iterator
from urllib.parse import unquote, urlsplit, urlunsplit

from ..contract.errors import IntegrityError, UnusableInputError

__all__ = ["NotFound", "read_limited"]

_CHUNK = 1 << 20
_TIMEOUT_SECONDS = 30
# 404 Not Found, 410 Gone: the server answered, and there is no such file.
_NOT_FOUND = (404, 410)


class NotFound(UnusableInputError):
    """The server (or the file system) answered that there is no file at the URL."""


def _locate(url: str) -> tuple[str, Path | None]:
    """('http', None) for http(s) URLs, ('file', path) for file:// URLs and local paths."""
    parts = urlsplit(url)
    scheme = parts.scheme.lower()
    if scheme in ("http", "https"):
        return "http", None
    if scheme == "file":
        if parts.netloc not in ("", "localhost"):
            raise UnusableInputError(f"{url}: a file:// URL must name a local file (file:///path/to/archive.zip)")
        return "file", Path(urllib.request.url2pathname(parts.path))
    # A Windows path such as C:\\releases\\x.zip parses as scheme 'c'.
    if scheme == "" or (len(scheme) == 1 and sys.platform == "win32"):
        return "file", Path(url).expanduser()
    raise UnusableInputError(f"{url}: unsupported URL scheme {scheme!r}; use http(s)://, file:// or a local path")


def _basename(url: str) -> str:
    kind, path = _locate(url)
    if path is not None:
        return path.name
    return unquote(PurePosixPath(urlsplit(url).path).name)


def _user_agent() -> str:
    from ..contract.names import VERSION as __version__

    return f"conflictdata/{__version__} (+python-urllib)"


def _urlopen(url: str) -> http.client.HTTPResponse:
    request = urllib.request.Request(url, headers={"User-Agent": _user_agent()})
    try:
        return urllib.request.urlopen(request, timeout=_TIMEOUT_SECONDS)
    except urllib.error.HTTPError as exc:
        exc.close()
        cls = NotFound if exc.code in _NOT_FOUND else UnusableInputError
        raise cls(f"{url}: HTTP error {exc.code} ({exc.reason})") from None
    except urllib.error.URLError as exc:
        raise UnusableInputError(f"{url}: cannot reach the server ({exc.reason})") from None
    except TimeoutError:
        raise UnusableInputError(f"{url}: no answer within {_TIMEOUT_SECONDS} s") from None
    except (OSError, http.client.HTTPException) as exc:
        raise UnusableInputError(f"{url}: the request failed ({exc})") from None


@contextmanager
def _open_stream(url: str) -> Iterator[tuple[IO[bytes], int | None]]:
    """The bytes at `url` as a stream, and their length when known."""
    kind, path = _locate(url)
    if path is None:
        with _urlopen(url) as response:
            length = response.headers.get("Content-Length", "")
            yield response, int(length) if length.isdigit() else None
        return
    try:
        fh = open(path, "rb")
    except FileNotFoundError:
        raise NotFound(f"{path}: no such file") from None
    except OSError as exc:
        raise UnusableInputError(f"{path}: cannot read it ({exc.strerror or exc})") from None
    with fh:
        yield fh, os.fstat(fh.fileno()).st_size


def _read_chunk(stream: IO[bytes], url: str) -> bytes:
    try:
        return stream.read(_CHUNK)
    except TimeoutError:
        raise UnusableInputError(f"{url}: the server stopped sending for {_TIMEOUT_SECONDS} s; try again") from None
    except (OSError, http.client.HTTPException) as exc:
        raise UnusableInputError(f"{url}: the download was interrupted ({exc}); try again") from None


def _checksum_url(url: str) -> str:
    """`<url>.sha256`, keeping a query string (a signed download link) after the path."""
    kind, _ = _locate(url)
    if kind == "file" and not url.lower().startswith("file:"):
        return f"{url}.sha256"
    parts = urlsplit(url)
    return urlunsplit(parts._replace(path=parts.path + ".sha256"))




def _progress(enabled: bool) -> Any:
    if not enabled:
        return nullcontext(None)
    from rich.console import Console
    from rich.progress import BarColumn, DownloadColumn, Progress, TextColumn, TimeRemainingColumn, TransferSpeedColumn

    return Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        DownloadColumn(),
        TransferSpeedColumn(),
        TimeRemainingColumn(),
        console=Console(stderr=True, emoji=False),
    )


def _fetch(url: str, dest: Path, *, label: str, progress: bool, limit: int) -> tuple[int, str]:
    """Stream `url` into `dest` while hashing it; (bytes, sha256 hex)."""
    digest = hashlib.sha256()
    size = 0
    with _open_stream(url) as (stream, total):
        if total is not None and total > limit:
            raise IntegrityError(f"{url}: the archive is {total} bytes, more than the limit of {limit} bytes")
        with open(dest, "xb") as out, _progress(progress) as bar:
            task = bar.add_task(label, total=total) if bar is not None else None
            while chunk := _read_chunk(stream, url):
                size += len(chunk)
                if size > limit:
                    raise IntegrityError(f"{url}: the archive is larger than the limit of {limit} bytes")
                digest.update(chunk)
                out.write(chunk)
                if bar is not None:
                    bar.update(task, advance=len(chunk))
    if total is not None and size != total:
        raise UnusableInputError(f"{url}: the download stopped after {size} of {total} bytes; try again")
    return size, digest.hexdigest()


def read_limited(url: str, limit: int, what: str) -> bytes:
    """The whole of a small file at `url` (a checksum, an index); refused past `limit` bytes."""
    with _open_stream(url) as (stream, _):
        try:
            data = stream.read(limit + 1)
        except (OSError, http.client.HTTPException) as exc:
            raise UnusableInputError(f"{url}: cannot read the {what} ({exc})") from None
    if len(data) > limit:
        raise UnusableInputError(f"{url}: more than {limit} bytes, too large for a {what}")
    return data
