"""Interrupted writes leave the previous output intact.

A real SIGKILL to `conflictdata build` / `export` once it has started writing (its temporary
folder has appeared beside the output), at a random moment after that, repeated: the output is
then byte for byte either the previous one or the complete new one, never a mixture, and nothing
but the output is visible beside it (temporary leftovers are hidden dot-names). Where a signal
cannot hit the moment that matters, a failure is injected instead.
"""

from __future__ import annotations

import hashlib
import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from pkgcopy import RUN, copy_package, listing, replace_once

KILLS = 6


def cli(*args: str, cwd: Path) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-c", RUN, *args], cwd=cwd, capture_output=True, text=True, timeout=120)


def kill_while_writing(args: list[str], cwd: Path, parent: Path, tmp_prefix: str, rng: random.Random) -> bool:
    """Start the command, SIGKILL it a random 0-40 ms after its temporary output appears
    (or whenever it ends first); True if the signal arrived before the process finished."""
    proc = subprocess.Popen([sys.executable, "-c", RUN, *args], cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 120
    while proc.poll() is None and time.monotonic() < deadline:
        if any(p.name.startswith(tmp_prefix) for p in parent.iterdir()):
            time.sleep(rng.uniform(0, 0.04))
            break
        time.sleep(0.0005)
    killed = proc.poll() is None
    if killed:
        proc.send_signal(signal.SIGKILL)
    proc.wait(timeout=120)
    return killed and proc.returncode == -signal.SIGKILL


def visible(parent: Path) -> set[str]:
    return {p.name for p in parent.iterdir() if not p.name.startswith(".")}


@pytest.mark.parametrize(("kind", "args", "tmp_prefix"), [
    ("build", ["build", "../new", "--out", "../out"], ".out.tmp-"),
    ("export-sqlite", ["export", "../new", "--to", "sqlite", "--out", "../out"], ".out.tmp-"),
    ("export-jsonl", ["export", "../new", "--to", "jsonl", "--out", "../out"], ".out.tmp-"),
])
def test_a_killed_writer_leaves_the_previous_output_intact(tmp_path: Path, kind: str, args: list[str], tmp_prefix: str) -> None:
    old, new = copy_package(tmp_path / "old"), copy_package(tmp_path / "new")
    # A cell no rule ties to another file, so the new package stays valid.
    replace_once(new / "data/actors.csv", "The North Korean state (Pyongyang in the article).", "The North Korean state.")

    def snapshot(which: str) -> dict[str, str] | str:
        path = tmp_path / "out"
        assert cli(*[which if a == "../new" else a for a in args], cwd=tmp_path / "old").returncode == 0
        return listing(path) if path.is_dir() else hashlib.sha256(path.read_bytes()).hexdigest()

    def current() -> dict[str, str] | str:
        path = tmp_path / "out"
        return listing(path) if path.is_dir() else hashlib.sha256(path.read_bytes()).hexdigest()

    new_output = snapshot("../new")
    old_output = snapshot("../old")
    assert new_output != old_output
    rng = random.Random(f"{kind}-7")
    interrupted = 0
    for _ in range(KILLS):
        interrupted += kill_while_writing(args, tmp_path / "old", tmp_path, tmp_prefix, rng)
        assert (tmp_path / "out").exists(), "the output vanished"
        state = current()
        assert state in (old_output, new_output), "the output is a mixture of the old and the new"
        assert visible(tmp_path) == {"old", "new", "out"}, visible(tmp_path)
        if state == new_output:
            old_output = snapshot("../old")
    # Most kills must land while the command runs, or this shows nothing.
    assert interrupted >= KILLS // 2, interrupted


# --- injected failures ------------------------------------------------------------------------------


def test_a_build_failing_halfway_leaves_the_previous_build_and_no_temporary_folder(tmp_path: Path, monkeypatch) -> None:
    from conflictdata.versions import build as build_mod

    pkg = copy_package(tmp_path / "pkg")
    out = tmp_path / "out"
    build_mod.build(pkg, out)
    before = listing(out)
    calls = {"n": 0}
    real = build_mod._parquet_bytes

    def failing(*args):
        calls["n"] += 1
        if calls["n"] == 4:
            raise OSError(28, "No space left on device")
        return real(*args)

    monkeypatch.setattr(build_mod, "_parquet_bytes", failing)
    with pytest.raises(OSError):
        build_mod.build(pkg, out)
    assert listing(out) == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out", "pkg"]


def test_an_atomic_write_failing_at_the_rename_leaves_the_file_and_no_temporary(tmp_path: Path, monkeypatch) -> None:
    from conflictdata.contract import atomic

    target = tmp_path / "data.csv"
    target.write_bytes(b"old\n")

    def no_rename(src, dst):
        raise OSError(5, "Input/output error")

    monkeypatch.setattr(atomic.os, "replace", no_rename)
    with pytest.raises(OSError):
        atomic.write_bytes_atomic(target, b"new\n")
    assert target.read_bytes() == b"old\n"
    assert [p.name for p in tmp_path.iterdir()] == ["data.csv"]


def test_fmt_failing_on_one_file_changes_no_file(tmp_path: Path, monkeypatch) -> None:
    from conflictdata.curation import fmt
    from pkgcopy import fail_on_second_stage

    pkg = copy_package(tmp_path / "pkg")
    for name in ("actors", "events"):
        p = pkg / f"data/{name}.csv"
        p.write_bytes(p.read_bytes().replace(b"\n", b"\r\n"))
    before = listing(pkg)
    fail_on_second_stage(monkeypatch)
    with pytest.raises(OSError):
        fmt.format_package(pkg)
    # Both files needed rewriting; the second could not be staged, so neither was replaced.
    assert listing(pkg) == before


def test_download_failing_at_install_leaves_the_cache_as_it_was(tmp_path: Path, monkeypatch) -> None:
    import zipfile

    from conflictdata.distribution import download as dl
    from conflictdata.distribution.cache import CACHE_ENV
    from conflictdata.versions.build import build

    pkg = copy_package(tmp_path / "pkg")
    build(pkg, tmp_path / "built")
    archive = tmp_path / "conflictdata-0.1.0.zip"
    with zipfile.ZipFile(archive, "w") as zf:
        for p in sorted((tmp_path / "built").rglob("*")):
            if p.is_file():
                zf.write(p, f"conflictdata-0.1.0/{p.relative_to(tmp_path / 'built').as_posix()}")
    digest = hashlib.sha256(archive.read_bytes()).hexdigest()
    cache = tmp_path / "cache"
    monkeypatch.setenv(CACHE_ENV, str(cache))

    def broken_install(*a, **k):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(dl, "_install", broken_install)
    with pytest.raises(Exception):
        dl.download(url=str(archive), sha256=digest, progress=False)
    assert not cache.exists()
