"""Fixtures several test modules share: conflictdata installed from a wheel, as users get it, and
the bad-input corpus (tests/bad_inputs/make_cases.py), each made once per test run.

Plain helpers (replace_once, E/W, RUN, listing, package copies) are in pkgcopy.py, which the
corpus generator imports too."""

from __future__ import annotations

import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

import pytest

from pkgcopy import REPO


@dataclass(frozen=True)
class InstalledWheel:
    """conflictdata installed from a wheel built from this checkout (not editable), in a venv of its own."""

    python: Path
    exe: Path  # the `conflictdata` console script pip wrote
    package_dir: Path  # site-packages/conflictdata of that venv
    env: dict[str, str]

    def run(self, *args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
        return subprocess.run([str(self.exe), *args], cwd=cwd, env=self.env, capture_output=True, text=True, timeout=300)


def _clean_env() -> dict[str, str]:
    # PYTHONPATH=src (the helpers' setup) would put the checkout before the wheel.
    return {k: v for k, v in os.environ.items() if k != "PYTHONPATH" and not k.startswith("CONFLICTDATA_")}


def _install(root: Path) -> None:
    env = _clean_env()

    def sh(*args: str | Path) -> str:
        done = subprocess.run([str(a) for a in args], env=env, capture_output=True, text=True, timeout=600)
        assert done.returncode == 0, f"{args}: {done.stdout}{done.stderr}"
        return done.stdout

    # No build isolation: hatchling comes with the test extras, so no index is needed.
    sh(sys.executable, "-m", "pip", "wheel", "--quiet", "--no-deps", "--no-build-isolation", "--no-index", "-w", root / "dist", REPO)
    [wheel] = (root / "dist").glob("conflictdata-*.whl")
    venv = root / "venv"
    sh(sys.executable, "-m", "venv", "--without-pip", "--system-site-packages", venv)
    python = venv / "bin" / "python"
    site = Path(sh(python, "-c", "import sysconfig; print(sysconfig.get_path('purelib'))").strip())
    # The dependencies (pandas, pyarrow...) come from the environment running the tests, which is
    # usually a venv itself, which --system-site-packages does not reach; its folders go after the
    # new venv's own, so the wheel's conflictdata is the one imported.
    import site as running

    (site / "_running_env.pth").write_text("\n".join(running.getsitepackages()) + "\n", encoding="utf-8")
    sh(python, "-m", "pip", "install", "--quiet", "--no-deps", "--no-index", "--ignore-installed", wheel)


def _made_once(tmp_path_factory: pytest.TempPathFactory, name: str, make: Callable[[Path], None]) -> Path:
    """`root` (a folder of the run's temporary base) after `make(root)` ran once in this run.

    Under xdist each worker is a session of its own: they share the folder through a lock, and
    the first to take it makes the content."""
    import fcntl

    base = tmp_path_factory.getbasetemp()
    root = (base.parent if os.environ.get("PYTEST_XDIST_WORKER") else base) / name
    root.mkdir(exist_ok=True)
    with open(root / ".lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not (root / ".made").exists():
            make(root)
            (root / ".made").write_text("")
    return root


@pytest.fixture(scope="session")
def installed_wheel(tmp_path_factory: pytest.TempPathFactory) -> InstalledWheel:
    """Built once per run, shared by the xdist workers."""
    pytest.importorskip("hatchling", reason="building the wheel needs hatchling (pip install '.[test]' brings it)")
    root = _made_once(tmp_path_factory, "installed-wheel", _install)
    python = root / "venv" / "bin" / "python"
    env = _clean_env()
    where = subprocess.run([str(python), "-c", "import conflictdata; print(conflictdata.__file__)"], env=env,
                           capture_output=True, text=True, timeout=60, check=True).stdout.strip()
    package_dir = Path(where).parent
    assert package_dir.is_relative_to(root / "venv") and (package_dir / "_bundle" / "datapackage.json").is_file(), \
        f"not the wheel's conflictdata: {where}"
    return InstalledWheel(python, root / "venv" / "bin" / "conflictdata", package_dir, env)


@pytest.fixture(scope="session")
def bad_inputs(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The folder of the bad-input corpus, one subfolder per case (`make_cases.case_ids()`),
    generated once per run from the repository's package as it is now, shared by the xdist workers."""
    from bad_inputs.make_cases import generate

    return _made_once(tmp_path_factory, "bad-inputs", lambda root: generate(root / "cases")) / "cases"


@pytest.fixture(scope="session", autouse=True)
def _own_cache(tmp_path_factory: pytest.TempPathFactory) -> None:
    """The run's own conflictdata cache (per xdist worker), empty at the start: `load()` keeps
    tables and validation verdicts there (distribution/loadcache.py), and the user's cache must
    neither receive the tests' packages nor answer for them. Tests of the cache set their own."""
    os.environ["CONFLICTDATA_CACHE"] = str(tmp_path_factory.mktemp("conflictdata-cache"))


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    # The Spark tests share one JVM on one worker (xdist_group) and take minutes together:
    # collected last (test_spark.py sorts late), they started when the other worker was nearly
    # done and the run waited for them alone. Scheduled first, they overlap the rest.
    items.sort(key=lambda item: item.get_closest_marker("xdist_group") is None)
