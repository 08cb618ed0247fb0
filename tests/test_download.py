"""`conflictdata download` and `load(version=...)`: verified, safely extracted, cached releases.

Releases are built here from a copy of the repository's package and served from a local HTTP
server on 127.0.0.1; the cache is a folder under tmp_path (CONFLICTDATA_CACHE).
"""

from __future__ import annotations

import io
import json
import os
import stat
import struct
import subprocess
import sys
import zipfile
from pathlib import Path
from typing import Callable

import pytest

import conflictdata
from conflictdata.distribution.cache import cache_root, cached_release, release_dir
from conflictdata.distribution.download import download
from conflictdata.contract.errors import IntegrityError, UnusableInputError
from loopback import VERSION, Server, cache, server, sha256  # noqa: F401 (cache, server: fixtures)
from pkgcopy import copy_package, replace_once

NATO = "The North Atlantic Treaty Organization, whose Secretary-General the article quotes."
NATO_CACHED = "The North Atlantic Treaty Organization (as released in 1.2.3), whose Secretary-General the article quotes."


def tree(root: Path) -> dict[str, str]:
    """Every path under `root` with its kind, and its sha256 for files: a byte-for-byte listing."""
    out: dict[str, str] = {}
    if not root.exists():
        return out
    for path in sorted(root.rglob("*")):
        rel = path.relative_to(root).as_posix()
        if path.is_symlink():
            out[rel] = f"link -> {os.readlink(path)}"
        elif path.is_dir():
            out[rel] = "dir"
        else:
            out[rel] = sha256(path.read_bytes())
    return out


# --- building releases -------------------------------------------------------------------------


def package_files(tmp: Path, version: str = VERSION, edit: Callable[[Path], None] | None = None) -> dict[str, bytes]:
    """The files of a release of `version` (without SHA256SUMS), relative path -> bytes."""
    pkg = copy_package(tmp / f"pkg-{version}-{len(list(tmp.glob('pkg-*')))}")
    descriptor = json.loads((pkg / "datapackage.json").read_text(encoding="utf-8"))
    descriptor["version"] = version
    (pkg / "datapackage.json").write_text(json.dumps(descriptor, indent=2) + "\n", encoding="utf-8")
    if edit is not None:
        edit(pkg)
    files = {p.relative_to(pkg).as_posix(): p.read_bytes() for p in sorted(pkg.rglob("*")) if p.is_file()}
    files["README.md"] = b"# conflictdata\n"
    files["LICENSE"] = b"CC-BY-4.0\n"
    files["CHANGELOG.md"] = f"## {version}\n".encode()
    files["CITATION.cff"] = f"cff-version: 1.2.0\nversion: {version}\n".encode()
    return files


def sums_file(files: dict[str, bytes]) -> bytes:
    return "".join(f"{sha256(data)}  {rel}\n" for rel, data in sorted(files.items())).encode()


def zip_release(files: dict[str, bytes], version: str = VERSION, *, sums: bytes | None = None) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        for rel, data in sorted({**files, "SHA256SUMS": sums if sums is not None else sums_file(files)}.items()):
            zf.writestr(f"conflictdata-{version}/{rel}", data)
    return buf.getvalue()


@pytest.fixture
def release(tmp_path: Path) -> dict[str, bytes]:
    """A valid release whose actors.csv differs recognisably (and harmlessly) from the bundled one."""
    return package_files(tmp_path, edit=lambda pkg: replace_once(pkg / "data/actors.csv", NATO, NATO_CACHED))


def nato_description(actors) -> str:  # type: ignore[no-untyped-def]
    return actors.set_index("actor_id").loc["ACT-NATO", "description"]


# --- a good download ---------------------------------------------------------------------------


def test_download_over_http_verifies_extracts_and_load_reads_the_cached_copy(cache: Path, server: Server, release: dict[str, bytes]) -> None:
    archive = zip_release(release)
    url = server.publish(archive)

    result = download(VERSION, url=url, progress=False)

    assert (result.version, result.sha256, result.bytes, result.cached) == (VERSION, sha256(archive), len(archive), False)
    assert result.path == cache / "releases" / VERSION == release_dir(VERSION) == cached_release(VERSION)
    assert (result.path / "datapackage.json").read_bytes() == release["datapackage.json"]
    assert (result.path / "data/actors.csv").read_bytes() == release["data/actors.csv"]
    assert sorted(p.name for p in cache.iterdir()) == ["releases"]  # no staging folder left behind
    assert nato_description(conflictdata.load_table("actors", version=VERSION)) == NATO_CACHED
    assert nato_description(conflictdata.load(version=VERSION)["actors"]) == NATO_CACHED
    assert nato_description(conflictdata.load_table("actors")) == NATO  # the bundled data is untouched


def test_a_second_download_is_already_cached_without_fetching_the_archive_again(cache: Path, server: Server, release: dict[str, bytes]) -> None:
    url = server.publish(zip_release(release))
    first = download(VERSION, url=url, progress=False)
    before = tree(cache)
    server.requests.clear()

    second = download(VERSION, url=url, progress=False)

    assert second.cached and second.path == first.path and second.sha256 == first.sha256 and second.bytes == first.bytes
    assert server.requests == [f"/conflictdata-{VERSION}.zip.sha256"]
    assert tree(cache) == before


def test_an_identical_release_found_in_the_cache_is_reported_as_cached(cache: Path, server: Server, release: dict[str, bytes]) -> None:
    url = server.publish(zip_release(release))
    download(url=url, progress=False)
    (release_dir(VERSION) / ".conflictdata-download.json").unlink()  # no record: the archive must be compared

    assert download(url=url, progress=False).cached


def test_a_damaged_cached_copy_is_replaced_by_the_verified_download(cache: Path, server: Server, release: dict[str, bytes]) -> None:
    url = server.publish(zip_release(release))
    download(url=url, progress=False)
    before = tree(cache)
    (release_dir(VERSION) / "data/events.csv").write_text("edited by hand\n")
    (release_dir(VERSION) / "schema/actors.json").unlink()

    result = download(url=url, progress=False)

    assert not result.cached
    assert tree(cache) == before


def test_a_different_release_under_a_cached_version_is_refused(cache: Path, server: Server, release: dict[str, bytes], tmp_path: Path) -> None:
    download(url=server.publish(zip_release(release)), progress=False)
    before = tree(cache)
    impostor = zip_release(package_files(tmp_path))  # same version number, other data

    with pytest.raises(IntegrityError, match="already holds a different conflictdata 1.2.3"):
        download(url=server.publish(impostor), progress=False)

    assert tree(cache) == before


def test_the_version_comes_from_the_archive_name_and_releases_url(cache: Path, server: Server, release: dict[str, bytes], monkeypatch: pytest.MonkeyPatch) -> None:
    server.publish(zip_release(release))
    monkeypatch.setenv("CONFLICTDATA_RELEASES_URL", server.url + "/")

    assert download(VERSION, progress=False).path == cache / "releases" / VERSION


def test_a_local_path_and_a_file_url_work_like_http(cache: Path, tmp_path: Path, release: dict[str, bytes]) -> None:
    local = tmp_path / "dist" / f"conflictdata-{VERSION}.zip"
    local.parent.mkdir()
    local.write_bytes(zip_release(release))
    (tmp_path / "dist" / f"{local.name}.sha256").write_text(f"{sha256(local.read_bytes())}  {local.name}\n")

    assert not download(url=str(local), progress=False).cached
    assert download(url=local.as_uri(), progress=False).cached


def test_without_a_url_or_releases_url_the_error_says_to_pass_url(cache: Path) -> None:
    with pytest.raises(UnusableInputError, match="--url"):
        download(VERSION, progress=False)


def test_the_cache_is_the_user_cache_folder_unless_conflictdata_cache_is_set(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.delenv("CONFLICTDATA_CACHE", raising=False)
    if sys.platform.startswith("linux"):
        monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
        assert cache_root() == tmp_path / "xdg" / "conflictdata"
    monkeypatch.setenv("CONFLICTDATA_CACHE", str(tmp_path / "mine"))
    assert cache_root() == tmp_path / "mine"


# --- refusals that leave the cache as it was ---------------------------------------------------


@pytest.fixture
def populated(cache: Path, server: Server, tmp_path: Path) -> Path:
    """A cache already holding release 1.0.0, so that 'unchanged' means something."""
    download(url=server.publish(zip_release(package_files(tmp_path, "1.0.0"), "1.0.0"), "1.0.0"), progress=False)
    return cache


def test_a_tampered_archive_is_refused_and_the_cache_is_left_byte_for_byte_as_it_was(populated: Path, server: Server, release: dict[str, bytes]) -> None:
    archive = zip_release(release)
    tampered = bytearray(archive)
    tampered[len(tampered) // 2] ^= 0x01
    url = server.publish(bytes(tampered), checksum=sha256(archive))
    before = tree(populated)

    with pytest.raises(IntegrityError) as exc:
        download(url=url, progress=False)

    assert f"expected {sha256(archive)}, got {sha256(bytes(tampered))}" in str(exc.value)
    assert tree(populated) == before


def test_a_tampered_archive_leaves_no_trace_in_a_cache_that_did_not_exist(cache: Path, server: Server, release: dict[str, bytes]) -> None:
    archive = zip_release(release)
    url = server.publish(archive[:-1] + bytes([archive[-1] ^ 1]), checksum=sha256(archive))

    with pytest.raises(IntegrityError, match="sha256 mismatch"):
        download(url=url, progress=False)

    assert not cache.exists()


def test_a_missing_published_checksum_is_refused(populated: Path, server: Server, release: dict[str, bytes]) -> None:
    archive = zip_release(release)
    url = server.publish(archive, with_checksum=False)
    before = tree(populated)

    with pytest.raises(UnusableInputError, match=r"no published checksum.*\.zip\.sha256: HTTP error 404.*--sha256") as exc:
        download(url=url, progress=False)

    assert "never installs unverified data" in str(exc.value)
    assert tree(populated) == before
    assert download(url=url, sha256=sha256(archive), progress=False).version == VERSION


def test_a_file_that_does_not_match_sha256sums_is_refused(populated: Path, server: Server, release: dict[str, bytes]) -> None:
    sums = sums_file(release).replace(sha256(release["data/events.csv"]).encode(), b"0" * 64)
    url = server.publish(zip_release(release, sums=sums))  # the outer checksum is right
    before = tree(populated)

    with pytest.raises(IntegrityError, match=rf"data/events.csv: sha256 {sha256(release['data/events.csv'])}, SHA256SUMS says 0{{64}}"):
        download(url=url, progress=False)

    assert tree(populated) == before


def test_a_file_missing_from_sha256sums_is_refused(populated: Path, server: Server, release: dict[str, bytes]) -> None:
    sums = sums_file({k: v for k, v in release.items() if k != "CITATION.cff"})
    url = server.publish(zip_release(release, sums=sums))
    before = tree(populated)

    with pytest.raises(IntegrityError, match="CITATION.cff: not listed in SHA256SUMS"):
        download(url=url, progress=False)

    assert tree(populated) == before


def test_a_release_whose_datapackage_version_disagrees_is_refused(populated: Path, server: Server, tmp_path: Path) -> None:
    files = package_files(tmp_path, "2.0.0")
    url = server.publish(zip_release(files, VERSION))  # named and foldered 1.2.3, descriptor says 2.0.0
    before = tree(populated)

    with pytest.raises(IntegrityError, match="datapackage.json says version '2.0.0'"):
        download(url=url, progress=False)

    assert tree(populated) == before


# --- unsafe archives ---------------------------------------------------------------------------


def evil_archive(files: dict[str, bytes], info: zipfile.ZipInfo, data: bytes) -> bytes:
    """A release with the good files first and one hostile entry last (checksums all right)."""
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        for rel, content in sorted({**files, "SHA256SUMS": sums_file(files)}.items()):
            zf.writestr(f"conflictdata-{VERSION}/{rel}", content)
        zf.writestr(info, data)
    with zipfile.ZipFile(io.BytesIO(buf.getvalue())) as zf:
        assert zf.infolist()[-1].orig_filename == info.filename  # zipfile wrote the name unchanged
    return buf.getvalue()


def symlink_entry(name: str, target: str) -> zipfile.ZipInfo:
    info = zipfile.ZipInfo(name)
    info.create_system = 3  # Unix, so that the mode bits count
    info.external_attr = (stat.S_IFLNK | 0o777) << 16
    return info


@pytest.mark.parametrize(
    ("make_entry", "why"),
    [
        (lambda tmp: zipfile.ZipInfo(f"conflictdata-{VERSION}/../../../../escaped.txt"), "contains '..'"),
        (lambda tmp: zipfile.ZipInfo(f"{tmp}/absolute.txt"), "absolute path"),
        (lambda tmp: symlink_entry(f"conflictdata-{VERSION}/data/passwd.csv", "/etc/passwd"), "symbolic link"),
        (lambda tmp: zipfile.ZipInfo("C:/Windows/evil.txt"), "drive letter"),
        (lambda tmp: zipfile.ZipInfo(f"conflictdata-{VERSION}\\..\\..\\escaped.txt"), "backslash"),
        (lambda tmp: zipfile.ZipInfo("elsewhere/escaped.txt"), "outside the archive's single top folder"),
        (lambda tmp: zipfile.ZipInfo(f"conflictdata-{VERSION}/data/Events.CSV"), "duplicates the entry"),
    ],
    ids=["dotdot", "absolute", "symlink", "drive-letter", "backslash", "second-top-folder", "duplicate"],
)
def test_an_entry_that_could_escape_or_link_is_refused_and_nothing_is_written(
    populated: Path, server: Server, release: dict[str, bytes], tmp_path: Path, make_entry: Callable[[Path], zipfile.ZipInfo], why: str
) -> None:
    info = make_entry(tmp_path)
    url = server.publish(evil_archive(release, info, b"/etc/passwd" if "passwd" in info.filename else b"pwned\n"))
    before = tree(tmp_path)

    with pytest.raises(IntegrityError) as exc:
        download(url=url, progress=False)

    message = str(exc.value)
    assert f"refused unsafe entry {info.filename!r}" in message and why in message, message
    assert tree(tmp_path) == before  # nothing outside the cache, nothing inside it


def bomb_archive(files: dict[str, bytes], megabytes: int) -> bytes:
    """A release plus `megabytes` MB of zeros, deflated to about a thousandth of that, streamed."""
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        for rel, content in sorted({**files, "SHA256SUMS": sums_file(files)}.items()):
            zf.writestr(f"conflictdata-{VERSION}/{rel}", content)
        zero = bytes(1 << 20)
        with zf.open(f"conflictdata-{VERSION}/data/bomb.csv", "w") as out:
            for _ in range(megabytes):
                out.write(zero)
    return buf.getvalue()


def test_a_zip_bomb_is_refused_by_its_compression_ratio(populated: Path, server: Server, release: dict[str, bytes], tmp_path: Path) -> None:
    archive = bomb_archive(release, 50)
    assert len(archive) < 1_000_000
    url = server.publish(archive)
    before = tree(tmp_path)

    with pytest.raises(IntegrityError, match=r"refused unsafe entry 'conflictdata-1\.2\.3/data/bomb\.csv': it expands \d+:1, more than the limit of 100:1"):
        download(url=url, progress=False)

    assert tree(tmp_path) == before


def test_a_zip_bomb_is_refused_by_the_size_limits(populated: Path, server: Server, release: dict[str, bytes], tmp_path: Path) -> None:
    url = server.publish(bomb_archive(release, 50))
    before = tree(tmp_path)

    with pytest.raises(IntegrityError, match=r"'conflictdata-1\.2\.3/data/bomb\.csv': it declares 52428800 bytes, more than the per-file limit of 10000000"):
        download(url=url, progress=False, max_entry_bytes=10_000_000, max_ratio=10_000)
    with pytest.raises(IntegrityError, match=r"'conflictdata-1\.2\.3/data/bomb\.csv': the entries up to it declare \d+ bytes, more than the total limit of 20000000"):
        download(url=url, progress=False, max_total_bytes=20_000_000, max_ratio=10_000)

    assert tree(tmp_path) == before


def lie_about_sizes(archive: bytes, name: str, *, file_size: int | None = None, compress_size: int | None = None) -> bytes:
    """Rewrite the sizes the central directory declares for `name` (what a checker reads first)."""
    data = bytearray(archive)
    at = data.rindex(name.encode()) - 46  # the central directory's copy of the name comes last
    assert data[at : at + 4] == b"PK\x01\x02"
    if compress_size is not None:
        struct.pack_into("<I", data, at + 20, compress_size)
    if file_size is not None:
        struct.pack_into("<I", data, at + 24, file_size)
    return bytes(data)


@pytest.mark.parametrize("lie", [{"file_size": 1000}, {"compress_size": 1_000_000}], ids=["small-size", "large-compressed-size"])
def test_declared_sizes_that_lie_are_caught_while_extracting(
    populated: Path, server: Server, release: dict[str, bytes], tmp_path: Path, lie: dict[str, int]
) -> None:
    name = f"conflictdata-{VERSION}/data/bomb.csv"
    url = server.publish(lie_about_sizes(bomb_archive(release, 3), name, **lie))
    before = tree(tmp_path)

    with pytest.raises(IntegrityError, match=rf"{name!r}"):
        download(url=url, progress=False)

    assert tree(tmp_path) == before


def test_safe_extract_puts_the_top_folder_in_dest_or_nothing_at_all(tmp_path: Path, release: dict[str, bytes]) -> None:
    from conflictdata.distribution.extract import safe_extract

    good, evil = tmp_path / "good.zip", tmp_path / "evil.zip"
    good.write_bytes(zip_release(release))
    evil.write_bytes(evil_archive(release, symlink_entry(f"conflictdata-{VERSION}/data/x.csv", "/etc/passwd"), b"/etc/passwd"))

    top = safe_extract(good, tmp_path / "out")
    assert top == tmp_path / "out" / f"conflictdata-{VERSION}"
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == [top.name]
    assert (top / "data/actors.csv").read_bytes() == release["data/actors.csv"]
    with pytest.raises(IntegrityError, match="symbolic link"):
        safe_extract(evil, tmp_path / "refused")
    assert list((tmp_path / "refused").iterdir()) == []


# --- the command -------------------------------------------------------------------------------


def run(*args: str) -> subprocess.CompletedProcess[str]:
    code = "import sys; from conflictdata.cli import main; sys.argv[0] = 'conflictdata'; main()"
    return subprocess.run([sys.executable, "-c", code, *args], capture_output=True, text=True, timeout=120)


def test_cli_json_output_is_pure_json_on_stdout_and_the_progress_bar_is_on_stderr(cache: Path, server: Server, release: dict[str, bytes]) -> None:
    archive = zip_release(release)
    url = server.publish(archive)

    out = run("download", "--url", url, "--format", "json")

    assert out.returncode == 0, out.stderr
    assert json.loads(out.stdout) == {
        "version": VERSION, "path": str(cache / "releases" / VERSION), "sha256": sha256(archive),
        "bytes": len(archive), "cached": False, "url": url,
    }
    assert f"conflictdata-{VERSION}.zip" in out.stderr and "━" in out.stderr  # the rich progress bar


def test_cli_text_output_goes_to_stderr(cache: Path, server: Server, release: dict[str, bytes]) -> None:
    url = server.publish(zip_release(release))
    assert run("download", VERSION, "--url", url).returncode == 0

    out = run("download", VERSION, "--url", url)

    assert out.returncode == 0 and out.stdout == ""
    assert f"conflictdata {VERSION} is already in the cache: {cache / 'releases' / VERSION}" in out.stderr


def test_cli_http_404_exits_2_naming_the_url(cache: Path, server: Server) -> None:
    url = f"{server.url}/conflictdata-9.9.9.zip"

    out = run("download", "--url", url)

    assert out.returncode == 2
    assert out.stdout == ""
    assert out.stderr.startswith(f"conflictdata: error: {url}: HTTP error 404")
    assert "Traceback" not in out.stderr
    assert not cache.exists()


def test_cli_unreachable_host_exits_2_naming_the_url(cache: Path) -> None:
    import socket

    with socket.socket() as sock:  # a port nobody listens on
        sock.bind(("127.0.0.1", 0))
        url = f"http://127.0.0.1:{sock.getsockname()[1]}/conflictdata-1.0.0.zip"
    out = run("download", "--url", url)

    assert out.returncode == 2
    assert out.stderr.startswith(f"conflictdata: error: {url}: cannot reach the server")


def test_cli_tampered_archive_exits_1(cache: Path, server: Server, release: dict[str, bytes]) -> None:
    archive = zip_release(release)
    url = server.publish(archive[:100] + bytes([archive[100] ^ 1]) + archive[101:], checksum=sha256(archive))

    out = run("download", "--url", url, "--format", "json")

    assert out.returncode == 1 and out.stdout == ""
    assert f"conflictdata: error: {url}: sha256 mismatch: expected {sha256(archive)}" in out.stderr
    assert "Traceback" not in out.stderr
    assert not cache.exists()


def test_cli_unsafe_archive_exits_1(cache: Path, server: Server, release: dict[str, bytes]) -> None:
    url = server.publish(evil_archive(release, zipfile.ZipInfo(f"conflictdata-{VERSION}/../escaped.txt"), b"x"))

    out = run("download", "--url", url)

    assert out.returncode == 1
    assert "refused unsafe entry 'conflictdata-1.2.3/../escaped.txt'" in out.stderr


def test_cli_download_help_has_examples() -> None:
    out = run("download", "--help")
    assert out.returncode == 0
    assert "conflictdata download 1.2.0" in out.stdout and "--sha256" in out.stdout
