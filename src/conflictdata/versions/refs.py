"""Resolving a package argument: a folder, a `datapackage.json`, a release archive, or a git ref.

`diff`, `validate --against`, `bump` and `release` compare two versions of the data. Each version
can be named the way a user has it at hand; archives and git refs are unpacked into a temporary
folder (safely: no path leaves it) that lives as long as the `with` block.
"""

from __future__ import annotations

import io
import subprocess
import tarfile
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from ..contract.errors import UnusableInputError
from ..contract.package import DESCRIPTOR, Package, open_package

__all__ = ["opened", "git_toplevel", "release_tags", "git_commit", "clean_head"]

GIT_PATHS = [DESCRIPTOR, "schema", "data"]


def git_toplevel(start: Path | None = None) -> Path | None:
    try:
        out = subprocess.run(["git", "rev-parse", "--show-toplevel"], cwd=start or Path.cwd(),
                             capture_output=True, text=True, timeout=30)
    except (OSError, subprocess.TimeoutExpired):
        return None
    return Path(out.stdout.strip()) if out.returncode == 0 else None


def release_tags(repo: Path) -> list[str]:
    """Tags named vX.Y.Z in `repo`, oldest version first."""
    from .semver import parse_version

    out = subprocess.run(["git", "tag", "--list", "v*"], cwd=repo, capture_output=True, text=True, timeout=30)
    tags = []
    for tag in out.stdout.split():
        try:
            tags.append((parse_version(tag[1:]), tag))
        except ValueError:
            continue
    return [t for _, t in sorted(tags)]


def git_commit(repo: Path, ref: str) -> str | None:
    """The full id of the commit `ref` names in `repo`, or None (unknown here: a shallow clone, a fork)."""
    out = subprocess.run(["git", "rev-parse", "--verify", "--quiet", f"{ref}^{{commit}}"], cwd=repo, capture_output=True, text=True, timeout=30)
    return out.stdout.strip() if out.returncode == 0 else None


def clean_head(root: Path, paths: list[str] = GIT_PATHS) -> str | None:
    """HEAD's commit id if `paths` under `root` are exactly as committed there (nothing modified or
    untracked), else None: only then does that commit hold the data on disk."""
    repo = git_toplevel(root)
    if repo is None:
        return None
    status = subprocess.run(["git", "status", "--porcelain", "--untracked-files=all", "--", *paths], cwd=root,
                            capture_output=True, text=True, timeout=60)
    if status.returncode != 0 or status.stdout.strip():
        return None
    return git_commit(repo, "HEAD")


def _extract_git(ref: str, repo: Path, dest: Path) -> Path:
    check = subprocess.run(["git", "rev-parse", "--verify", "--quiet", f"{ref}^{{commit}}"], cwd=repo, capture_output=True, text=True, timeout=30)
    if check.returncode != 0:
        raise UnusableInputError(f"{ref}: not a folder, archive or git ref of {repo}")
    archive = subprocess.run(["git", "archive", "--format=tar", ref, "--", *GIT_PATHS], cwd=repo, capture_output=True, timeout=300)
    if archive.returncode != 0:
        raise UnusableInputError(f"{ref}: git archive failed: {archive.stderr.decode(errors='replace').strip()}")
    with tarfile.open(fileobj=io.BytesIO(archive.stdout)) as tar:
        tar.extractall(dest, filter="data")
    return dest


def _extract_zip(path: Path, dest: Path) -> Path:
    from ..distribution.extract import safe_extract

    safe_extract(path, dest)
    found = [p.parent for p in dest.rglob(DESCRIPTOR)]
    if len(found) != 1:
        raise UnusableInputError(f"{path}: expected one datapackage.json in the archive, found {len(found)}")
    return found[0]


@contextmanager
def opened(spec: str | Path | None, *, repo: Path | None = None) -> Iterator[Package]:
    """Open the package `spec` names (None: the bundled dataset) for the duration of the block."""
    if spec is None:
        yield open_package(None)
        return
    path = Path(spec)
    if path.is_dir() or path.name == DESCRIPTOR or (path.exists() and path.suffix != ".zip"):
        yield open_package(path)
        return
    with tempfile.TemporaryDirectory(prefix="conflictdata-") as tmp:
        if path.is_file() and path.suffix == ".zip":
            root = _extract_zip(path, Path(tmp))
        else:
            top = repo or git_toplevel()
            if top is None:
                raise UnusableInputError(f"{spec}: no such file or folder (and not inside a git repository, so not a git ref)")
            root = _extract_git(str(spec), top, Path(tmp))
        yield open_package(root)
