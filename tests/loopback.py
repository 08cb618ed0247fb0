"""A loopback HTTP server for tests that download releases (http.server in a thread on
127.0.0.1, port 0), and a cache folder under tmp_path with no releases URL or proxy set.

Test modules import the fixtures by name (`from loopback import cache, server`).
"""

from __future__ import annotations

import functools
import hashlib
import threading
from dataclasses import dataclass, field
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Callable, Iterator

import pytest

VERSION = "1.2.3"


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


@dataclass
class Server:
    root: Path
    url: str
    requests: list[str] = field(default_factory=list)
    stop: Callable[[], None] = lambda: None

    def publish(self, archive: bytes, version: str = VERSION, *, checksum: str | None = None, with_checksum: bool = True) -> str:
        """Put `conflictdata-VERSION.zip` (and its .sha256) on the server; return its URL."""
        name = f"conflictdata-{version}.zip"
        (self.root / name).write_bytes(archive)
        if with_checksum:
            (self.root / f"{name}.sha256").write_text(f"{checksum or sha256(archive)}  {name}\n")
        return f"{self.url}/{name}"


@pytest.fixture
def cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    root = tmp_path / "cache"
    monkeypatch.setenv("CONFLICTDATA_CACHE", str(root))
    monkeypatch.delenv("CONFLICTDATA_RELEASES_URL", raising=False)
    for var in ("http_proxy", "https_proxy", "HTTP_PROXY", "HTTPS_PROXY", "all_proxy", "ALL_PROXY"):
        monkeypatch.delenv(var, raising=False)
    return root


@pytest.fixture
def server(tmp_path: Path) -> Iterator[Server]:
    root = tmp_path / "srv"
    root.mkdir()
    srv = Server(root, "")

    class Handler(SimpleHTTPRequestHandler):
        def log_message(self, format: str, *args: object) -> None:
            srv.requests.append(self.path)

    httpd = ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(Handler, directory=str(root)))
    srv.url = f"http://127.0.0.1:{httpd.server_port}"
    thread = threading.Thread(target=httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    stopped = False

    def stop() -> None:
        """Shut the server down: from then on nothing answers at its URL."""
        nonlocal stopped
        if not stopped:
            stopped = True
            httpd.shutdown()
            httpd.server_close()
            thread.join()

    srv.stop = stop
    yield srv
    stop()
