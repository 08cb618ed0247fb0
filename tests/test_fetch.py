"""Releases fetched by version: `load(version=...)` and `conflictdata download VERSION / --list`
against a releases URL, served from a loopback HTTP server.

The served folder is what `conflictdata release` wrote for two releases of a copy of the curated
core (0.1.0, then 0.2.0 with one more event_actors row): the archives, their .sha256 files and
index.json. The cache is a folder under tmp_path; no releases URL is set unless a test sets one.
"""

from __future__ import annotations

import json
import shutil
import socket
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

import conflictdata
from conflictdata.contract.errors import IntegrityError, UnusableInputError
from conflictdata.distribution import available_releases, releases_url
from conflictdata.distribution.cache import release_dir
from conflictdata.versions.release import release
from loopback import Server, cache, server, sha256  # noqa: F401 (cache, server: fixtures)
from pkgcopy import REPO, RUN, copy_package, edit_table, listing

ENV = "CONFLICTDATA_RELEASES_URL"
ADDED = {"event_id": "EVT-0001", "actor_id": "ACT-RUS-AF", "role": "target", "certainty": "alleged"}


def _set(pkg: Path, **values: str) -> None:
    path = pkg / "datapackage.json"
    descriptor = json.loads(path.read_text(encoding="utf-8"))
    descriptor.update(values)
    path.write_text(json.dumps(descriptor, indent=2) + "\n", encoding="utf-8")


@pytest.fixture(scope="module")
def published(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """(the folder `release` wrote for 0.1.0 and 0.2.0, the 0.2.0 package it released)."""
    root = tmp_path_factory.mktemp("published")
    pkg = copy_package(root / "pkg")
    _set(pkg, version="0.1.0", created="2026-11-25T00:00:00Z")
    first = release(pkg, out=root / "dist")
    edit_table(pkg, "event_actors", lambda h, rows: (h, rows + [ADDED]))
    _set(pkg, version="0.2.0", created="2026-11-27T00:00:00Z")
    release(pkg, against=first.archive, out=root / "dist")
    return root / "dist", pkg


@pytest.fixture
def served(published: tuple[Path, Path], server: Server, cache: Path, monkeypatch: pytest.MonkeyPatch) -> Server:
    """The published folder on the loopback server, which $CONFLICTDATA_RELEASES_URL names."""
    for f in published[0].iterdir():
        shutil.copy(f, server.root / f.name)
    monkeypatch.setenv(ENV, server.url)
    return server


def index(server: Server) -> dict:
    return json.loads((server.root / "index.json").read_text())


def run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-c", RUN, *args], capture_output=True, text=True, timeout=120)


def dead_url() -> str:
    with socket.socket() as sock:  # a port nobody listens on once closed
        sock.bind(("127.0.0.1", 0))
        return f"http://127.0.0.1:{sock.getsockname()[1]}"


# --- load(version=...) -------------------------------------------------------------------------


def test_load_version_downloads_verifies_and_caches_the_release_on_first_use(
    served: Server, cache: Path, published: tuple[Path, Path], capfd: pytest.CaptureFixture[str]
) -> None:
    tables = conflictdata.load(version="0.2.0")

    assert served.requests == ["/index.json", "/conflictdata-0.2.0.zip"]  # index.json gives the sha256
    listed = index(served)["releases"][1]
    record = json.loads((release_dir("0.2.0") / ".conflictdata-download.json").read_text())
    assert (record["sha256"], record["bytes"]) == (listed["sha256"], listed["bytes"]) == (
        sha256((served.root / "conflictdata-0.2.0.zip").read_bytes()), (served.root / "conflictdata-0.2.0.zip").stat().st_size)
    expected = conflictdata.load(published[1])
    assert list(tables) == list(expected)
    for name in expected:
        pd.testing.assert_frame_equal(tables[name], expected[name])
    assert len(tables["event_actors"]) == len(conflictdata.load_table("event_actors", version="0.1.0")) + 1
    err = capfd.readouterr().err
    assert "conflictdata-0.2.0.zip" in err and "━" in err  # the progress bar, on stderr


def test_a_cached_release_loads_with_the_server_stopped(served: Server, cache: Path) -> None:
    first = conflictdata.load_table("event_actors", version="0.2.0")
    before = listing(cache)
    served.stop()  # $CONFLICTDATA_RELEASES_URL still names it: any request would fail

    again = conflictdata.load_table("event_actors", version="0.2.0")

    pd.testing.assert_frame_equal(again, first)
    assert listing(cache) == before


def test_a_damaged_cached_copy_is_fetched_again(served: Server, cache: Path) -> None:
    conflictdata.load(version="0.1.0")
    actors = release_dir("0.1.0") / "data/actors.csv"
    good = actors.read_bytes()
    actors.write_bytes(good.replace(b"ACT-NATO", b"ACT-NAT0", 1))
    served.requests.clear()

    conflictdata.load(version="0.1.0")

    assert served.requests == ["/index.json", "/conflictdata-0.1.0.zip"]
    assert actors.read_bytes() == good


def test_a_corrupted_archive_is_refused_and_nothing_is_cached(served: Server, cache: Path) -> None:
    archive = served.root / "conflictdata-0.2.0.zip"
    data = bytearray(archive.read_bytes())
    data[len(data) // 2] ^= 0x01
    archive.write_bytes(bytes(data))
    listed = index(served)["releases"][1]["sha256"]

    with pytest.raises(IntegrityError) as caught:
        conflictdata.load(version="0.2.0")

    assert str(caught.value) == (f"{served.url}/conflictdata-0.2.0.zip: sha256 mismatch: expected {listed}, got {sha256(bytes(data))}; "
                                 "the archive was altered or damaged, nothing was installed")
    assert not cache.exists()


def test_an_unknown_version_is_refused_naming_the_versions_index_json_lists(served: Server, cache: Path) -> None:
    with pytest.raises(UnusableInputError) as caught:
        conflictdata.load(version="9.9.9")

    assert str(caught.value).endswith(f"conflictdata 9.9.9 is not among the releases at {served.url}/index.json; available: 0.1.0, 0.2.0")
    assert served.requests == ["/index.json"]
    assert not cache.exists()


def test_a_listed_archive_missing_from_the_server_is_a_404_naming_its_url(served: Server, cache: Path) -> None:
    (served.root / "conflictdata-0.1.0.zip").unlink()

    with pytest.raises(UnusableInputError, match=rf"cannot be fetched: {served.url}/conflictdata-0\.1\.0\.zip: HTTP error 404"):
        conflictdata.load(version="0.1.0")
    assert not cache.exists()


def test_without_an_index_a_404_says_the_releases_url_has_none(served: Server, cache: Path) -> None:
    (served.root / "index.json").unlink()

    with pytest.raises(UnusableInputError) as caught:
        conflictdata.load(version="9.9.9")

    assert str(caught.value).endswith(f"{served.url}/conflictdata-9.9.9.zip: HTTP error 404 (File not found) "
                                      f"(and {served.url} has no index.json listing its releases)")


# --- where the releases URL comes from ---------------------------------------------------------


@pytest.fixture
def bundle_with_releases(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A bundled dataset whose datapackage.json sets conflictdata:releases (see `point`)."""
    bundle = tmp_path / "bundle"
    bundle.mkdir()
    monkeypatch.setattr("conflictdata.contract.discovery.bundled_root", lambda: bundle)
    return bundle


def point(bundle: Path, url: str) -> None:
    (bundle / "datapackage.json").write_text(json.dumps({"name": "conflictdata", "conflictdata:releases": url + "/"}))


def test_the_descriptor_names_the_releases_url_and_the_environment_variable_beats_it(
    served: Server, cache: Path, bundle_with_releases: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    point(bundle_with_releases, served.url)
    dead = dead_url()
    monkeypatch.setenv(ENV, dead)

    assert releases_url() == dead
    with pytest.raises(UnusableInputError, match=rf"{dead}/index\.json: cannot reach the server"):
        conflictdata.load(version="0.2.0")

    monkeypatch.delenv(ENV)
    assert releases_url() == served.url
    assert len(conflictdata.load_table("event_actors", version="0.2.0")) > 0
    assert served.requests == ["/index.json", "/conflictdata-0.2.0.zip"]


def test_a_local_folder_or_file_url_serves_as_the_releases_url(
    cache: Path, published: tuple[Path, Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(ENV, str(published[0]))
    assert len(conflictdata.load_table("event_actors", version="0.1.0")) > 0
    monkeypatch.setenv(ENV, published[0].as_uri())
    assert available_releases().to_dict()["releases"][0]["cached"] is True
    assert len(conflictdata.load_table("event_actors", version="0.2.0")) > 0


def test_a_releases_url_that_is_not_a_string_is_named(cache: Path, bundle_with_releases: Path) -> None:
    (bundle_with_releases / "datapackage.json").write_text(json.dumps({"conflictdata:releases": 42}))

    with pytest.raises(UnusableInputError, match=r'datapackage\.json: "conflictdata:releases" must be a URL string, not 42'):
        releases_url()


def test_without_a_releases_url_load_says_how_to_set_either(cache: Path) -> None:
    from conflictdata.contract.discovery import bundled_root

    # The project has no public home yet: neither its descriptor nor the installed bundle names one.
    # (The bundle is this checkout in an editable install, a copy inside site-packages otherwise.)
    descriptor = bundled_root() / "datapackage.json"
    for path in {descriptor, REPO / "datapackage.json"}:
        assert "conflictdata:releases" not in json.loads(path.read_text())

    with pytest.raises(UnusableInputError) as caught:
        conflictdata.load(version="0.2.0")

    assert str(caught.value) == (
        f"conflictdata 0.2.0 is not in the cache ({cache / 'releases' / '0.2.0'}) and cannot be fetched: no releases URL is set: "
        f"set the environment variable {ENV} to the URL of the folder holding index.json and the release archives "
        f"(export {ENV}=URL; http(s)://, file:// or a local folder), or add \"conflictdata:releases\": \"URL\" to {descriptor}; "
        "or fetch the archive by its URL or path first (`conflictdata download 0.2.0 --url URL`)")
    assert not cache.exists()


def test_load_takes_a_path_or_a_version_not_both() -> None:
    with pytest.raises(ValueError, match="not both"):
        conflictdata.load("somewhere", version="9.9.9")


# --- the command -------------------------------------------------------------------------------


def test_download_list_prints_the_releases_the_index_lists(served: Server, cache: Path) -> None:
    assert run("download", "0.1.0").returncode == 0
    releases = index(served)["releases"]

    text = run("download", "--list")
    as_json = run("download", "--list", "--format", "json")

    assert text.returncode == 0 and as_json.returncode == 0, text.stderr + as_json.stderr
    a, b = releases
    width = max(len(str(a["bytes"])), len(str(b["bytes"])), len("BYTES"))
    assert text.stdout.splitlines() == [
        f"VERSION  DATE        {'BYTES'.ljust(width)}  {'SHA256'.ljust(64)}  CACHED",
        f"0.1.0    2026-11-25  {str(a['bytes']).ljust(width)}  {a['sha256']}  yes",
        f"0.2.0    2026-11-27  {str(b['bytes']).ljust(width)}  {b['sha256']}  no",
    ]
    assert text.stderr == f"2 release(s) at {served.url}/index.json\n"
    assert json.loads(as_json.stdout) == {"url": f"{served.url}/index.json",
                                          "releases": [{**a, "cached": True}, {**b, "cached": False}]}
    assert available_releases().to_dict() == json.loads(as_json.stdout)


def test_download_of_an_unknown_version_exits_2_listing_the_available_ones(served: Server, cache: Path) -> None:
    out = run("download", "9.9.9")

    assert (out.returncode, out.stdout) == (2, "")
    assert out.stderr == f"conflictdata: error: conflictdata 9.9.9 is not among the releases at {served.url}/index.json; available: 0.1.0, 0.2.0\n"


def test_download_without_a_releases_url_exits_2_saying_how_to_set_it(cache: Path) -> None:
    listed = run("download", "--list")
    fetched = run("download", "0.2.0")

    for out in (listed, fetched):
        assert out.returncode == 2 and out.stdout == "" and "Traceback" not in out.stderr
        assert out.stderr.startswith(f"conflictdata: error: no releases URL is set: set the environment variable {ENV} ")
        assert '"conflictdata:releases": "URL" to ' in out.stderr
    assert "or pass the archive's URL or path (--url URL, url=...)" in fetched.stderr


def test_download_list_without_an_index_exits_2_naming_it(served: Server, cache: Path) -> None:
    (served.root / "index.json").unlink()

    out = run("download", "--list")

    assert out.returncode == 2
    assert out.stderr == (f"conflictdata: error: {served.url}/index.json: HTTP error 404 (File not found); the releases URL must "
                          "hold the index.json that `conflictdata release` writes beside the archives\n")


def test_download_list_refuses_a_version_beside_it(cache: Path) -> None:
    out = run("download", "--list", "0.1.0")
    assert out.returncode == 2 and out.stderr == "conflictdata: error: --list takes no VERSION, --url or --sha256\n"
