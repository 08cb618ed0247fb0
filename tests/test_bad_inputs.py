"""Every case of the bad-input corpus (tests/bad_inputs/make_cases.py) through the real command.

The corpus is generated once per test run (the `bad_inputs` fixture of conftest.py); the cases
are listed from make_cases.py without generating them.

Each case runs `conflictdata ARGS` in a subprocess, in a copy of its folder, with a timeout, a
private cache and HOME, and checks: the documented exit code; the exact findings (or the named
subset) with their table, file, line and column; the message fragments on stderr naming the file;
no traceback; and no file created, changed or removed anywhere in the case folder or its parent
(a listing with sha256 before and after).
"""

from __future__ import annotations

import json
import os
import resource
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest

from bad_inputs.make_cases import case_ids
from pkgcopy import RUN, key, listing, replace_once

CASES, _ = case_ids()
TIMEOUT_SECONDS = 120
# The biggest case (a 10 MB cell) validates in about 2 s; ten times that is a hang, not a slow run.
BOUND_SECONDS = 60
# Bytes, not megabytes, of address space would be the honest memory bound, but pandas and
# pyarrow reserve far more virtual memory than they use; the resident peak is checked instead.
MAX_RSS_BYTES = 1_500 * 1024 * 1024


def generate(kind: str, pkg: Path) -> None:
    """Defects too big to commit, made here: a 10 MB cell."""
    p = pkg / "data/actors.csv"
    old = b"The North Korean state (Pyongyang in the article)."
    big = b"x" * (10 << 20)
    if kind == "big-cell":
        new = big
    elif kind == "big-cell-multiline":
        new = b'"' + big + b'\nand a second line"'
    else:
        raise AssertionError(kind)
    replace_once(p, old, new)


def run_case(corpus: Path, case_id: str, tmp_path: Path) -> tuple[dict, subprocess.CompletedProcess, float, int, Path]:
    spec = json.loads((corpus / case_id / "case.json").read_text(encoding="utf-8"))
    parent = tmp_path / "parent"
    parent.mkdir()
    (parent / "sibling.txt").write_text("a file beside the case folder\n", encoding="utf-8")
    folder = parent / case_id
    shutil.copytree(corpus / case_id, folder, symlinks=True)
    if spec.get("generate"):
        generate(spec["generate"], folder / spec["cwd"])
    env = {k: v for k, v in os.environ.items() if not k.startswith("CONFLICTDATA_")}
    # Anything a command caches or writes in the user's folders lands inside the watched tree.
    env.update(CONFLICTDATA_CACHE=str(folder / "cache"), HOME=str(folder / "home"), XDG_CACHE_HOME=str(folder / "xdg"),
               COLUMNS="200", NO_COLOR="1", http_proxy="http://127.0.0.1:9", https_proxy="http://127.0.0.1:9")
    env.update(spec.get("env", {}))  # e.g. the clock future-date judges by, never the real date
    before = listing(parent)
    start = time.monotonic()
    proc = subprocess.run([sys.executable, "-c", RUN, *spec["args"]],
                          cwd=folder / spec["cwd"], env=env, capture_output=True, text=True, timeout=TIMEOUT_SECONDS)
    elapsed = time.monotonic() - start
    # The largest resident set of any child so far: an upper bound for this one.
    rss = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss * 1024
    after = listing(parent)
    changed = sorted(k for k in before.keys() | after.keys() if before.get(k) != after.get(k))
    assert not changed, f"files created, changed or removed: {changed}"
    return spec, proc, elapsed, rss, folder


def test_the_corpus_has_at_least_fifty_cases() -> None:
    assert len(CASES) >= 50, CASES


@pytest.mark.parametrize("case_id", CASES)
def test_bad_input(bad_inputs: Path, case_id: str, tmp_path: Path) -> None:
    spec = json.loads((bad_inputs / case_id / "case.json").read_text(encoding="utf-8"))
    if spec.get("xfail"):
        pytest.xfail(spec["xfail"])
    spec, proc, elapsed, rss, folder = run_case(bad_inputs, case_id, tmp_path)
    where = f"{case_id}: {spec['description']}\nstderr:\n{proc.stderr[-3000:]}"
    assert "Traceback" not in proc.stderr, where
    assert proc.returncode == spec["exit"], where
    assert elapsed < BOUND_SECONDS, f"{case_id} took {elapsed:.1f}s"
    assert rss < MAX_RSS_BYTES, f"{case_id} peaked at {rss >> 20} MiB"
    for fragment in spec.get("stderr", []):
        assert fragment in proc.stderr, f"{fragment!r} not on stderr\n{where}"
    if "findings" in spec or "findings_include" in spec:
        report = json.loads(proc.stdout)
        got = report["findings"]
        for f in got:
            # Every finding names its file and says what to do.
            assert f["file"] and f["message"], f
        expected = spec.get("findings", spec.get("findings_include"))
        for want in expected:
            matches = [f for f in got if key(f) == key(want)]
            assert matches, f"missing {key(want)} in {sorted(map(key, got), key=str)}\n{where}"
            if "message" in want:
                assert any(want["message"] in f["message"] for f in matches), (want, [f["message"] for f in matches])
        if "findings" in spec:
            assert sorted(map(key, got), key=str) == sorted(map(key, expected), key=str), where
        assert report["valid"] == (spec["exit"] == 0)
