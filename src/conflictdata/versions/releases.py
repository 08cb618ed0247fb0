"""The repository's own record of its releases (`releases.json`) and how the last release is found.

Tags get lost (shallow CI clones, forks, archives without `.git`), so `conflictdata release`
also appends each release to `releases.json` beside `datapackage.json`:

    {"releases": [{"version": "0.1.0", "date": "2026-11-25", "created": "2026-11-25T00:00:00Z",
                   "commit": "c30e436...", "data_sha256": "..."}]}

oldest first. `commit` is the git commit whose data were released (null when the data were not
committed), so a clone can extract them; `data_sha256` is the digest of the released data (see
`data_digest`), so even a copy without `.git` can tell whether its data are the released ones.
The last release is the newest version among the tags vX.Y.Z and the record's entries.
"""

from __future__ import annotations

import copy
import datetime as dt
import json
import re
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..contract.errors import UnusableInputError
from ..checking.integrity import sha256_bytes
from ..contract.names import DESCRIPTOR, PANDERA_DIR, PARQUET_DESCRIPTOR, PARQUET_KEY, WITHHELD_KEY
from ..contract.package import Package
from .semver import parse_version

__all__ = ["RECORD", "LAST_RELEASE", "Release", "read_record", "record_bytes", "data_digest", "current_digest",
           "find_releases", "resolve_against", "set_version_and_created", "utc_now"]

RECORD = "releases.json"
# `--against last-release`: the last release found by tag or by the record.
LAST_RELEASE = "last-release"
_DESCRIPTION = ("Every release of this data package, oldest first, appended by `conflictdata release`. "
                "commit: the git commit whose data were released; data_sha256: sha256 of the SHA256SUMS lines "
                "of the released data (every file of the built package but the Parquet copies, and the "
                "descriptor without its version); see README, Versions.")


@dataclass(slots=True)
class Release:
    """One earlier release: its version, where its data can be read, and what the record says of it."""

    version: str
    # What refs.opened() reads the data from: a tag, a commit, an archive; None when they are not here.
    spec: str | None
    origin: str  # for messages: "tag v0.1.0", "releases.json (commit c30e436)"
    created: str | None = None
    digest: str | None = None


def read_record(root: Path) -> list[dict[str, Any]]:
    """The entries of `root/releases.json` ([] without one); a malformed record is named, not ignored."""
    path = root / RECORD
    if not path.is_file():
        return []
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise UnusableInputError(f"{path}: cannot read the release record ({exc}); fix it or restore it from git") from None
    entries = data.get("releases") if isinstance(data, dict) else None
    if not isinstance(entries, list):
        raise UnusableInputError(f'{path}: the release record must be an object with a "releases" list')
    for i, e in enumerate(entries):
        try:
            parse_version(e.get("version") if isinstance(e, dict) else "")
        except ValueError as exc:
            raise UnusableInputError(f"{path}: releases[{i}]: version {exc}") from None
    return entries


def record_bytes(root: Path, entry: dict[str, Any]) -> bytes:
    """The record with `entry` appended (an entry already there for that version is kept as it is:
    a release is recorded once)."""
    entries = read_record(root)
    if not any(e["version"] == entry["version"] for e in entries):
        entries.append(entry)
    entries.sort(key=lambda e: parse_version(e["version"]))
    return (json.dumps({"description": _DESCRIPTION, "releases": entries}, indent=2, ensure_ascii=False) + "\n").encode("utf-8")


def data_digest(package: Package, files: dict[str, str]) -> str:
    """sha256 of the released data, from a build's per-file sha256 (`BuildResult.files`).

    The digest is that of a SHA256SUMS text: the lines of every built file but the Parquet copies
    and their descriptor (their bytes depend on the pyarrow version, not on the data), the Pandera
    YAML (pandera's version) and datapackage.json, whose line is
    replaced by one for the descriptor without its version (a reissue keeps the version and changes
    the rest) and without what a build adds to it.
    """
    descriptor = copy.deepcopy(package.descriptor)
    descriptor.pop("version", None)
    descriptor.pop(WITHHELD_KEY, None)
    for res in descriptor.get("resources") or []:
        for key in ("bytes", "hash", PARQUET_KEY):
            res.pop(key, None)
    # What derives from the data by a library's version (Parquet bytes, Pandera's YAML) is not data.
    lines = {rel: sha for rel, sha in files.items()
             if not rel.endswith(".parquet") and rel not in (DESCRIPTOR, PARQUET_DESCRIPTOR) and not rel.startswith(PANDERA_DIR + "/")}
    lines[DESCRIPTOR] = sha256_bytes(json.dumps(descriptor, sort_keys=True, ensure_ascii=False).encode("utf-8"))
    return sha256_bytes("".join(f"{lines[rel]}  {rel}\n" for rel in sorted(lines)).encode("utf-8"))


def current_digest(package: Package, tables: dict | None = None) -> str:
    """The digest of the package's data as a release of it now would record it."""
    from .build import write_package
    from ..checking.validation import read_tables

    with tempfile.TemporaryDirectory(prefix="conflictdata-digest-") as tmp:
        built = write_package(package, tables if tables is not None else read_tables(package), Path(tmp), parquet=False)
    return data_digest(package, built.files)


def find_releases(package: Package) -> list[Release]:
    """Every earlier release, oldest first: the tags vX.Y.Z and the record's entries, merged by version
    (a tag is where the data are read from; the record adds the date and digest)."""
    from .refs import git_commit, git_toplevel, release_tags

    repo = git_toplevel(package.root) if package.root.exists() else None
    found: dict[str, Release] = {}
    for tag in release_tags(repo) if repo else []:
        found[tag[1:]] = Release(tag[1:], tag, f"tag {tag}")
    for e in read_record(package.root):
        commit = e.get("commit") if isinstance(e.get("commit"), str) else None
        here = git_commit(repo, commit) if repo and commit else None
        rel = found.get(e["version"])
        if rel is None:
            where = f"{RECORD} (commit {commit[:7]})" if commit else RECORD
            rel = found[e["version"]] = Release(e["version"], here, where)
        rel.created, rel.digest = e.get("created"), e.get("data_sha256")
    return [found[v] for v in sorted(found, key=parse_version)]


def missing_data(release: Release, what: str) -> str:
    """Why `what` cannot be done here: the data of `release` are not in this copy, and how to get them."""
    return (f"{what} needs the data of {release.version} ({release.origin}), which are not in this copy; run in a clone "
            f"with its history and tags (git fetch --tags --unshallow) or pass --against the {release.version} release archive")


def resolve_against(spec: str | Path | None, package: Package) -> str | Path | None:
    """`spec` as refs.opened() takes it: `last-release` becomes the last release's tag or commit
    (None when there is no release yet); anything else is returned as it is."""
    if str(spec) != LAST_RELEASE:
        return spec
    releases = find_releases(package)
    if not releases:
        return None
    last = releases[-1]
    if last.spec is None:
        raise UnusableInputError(missing_data(last, f"--against {LAST_RELEASE}"))
    return last.spec


def utc_now() -> str:
    """Now, UTC, whole seconds, ISO 8601 with Z: the form of `created`."""
    return dt.datetime.now(dt.timezone.utc).replace(microsecond=0).strftime("%Y-%m-%dT%H:%M:%SZ")


def _top_level_string(text: str, key: str) -> tuple[int, int, int] | None:
    """(start of the member's line, start and end of the value) of the top-level member `key`
    whose value is a string; None if there is none. Strings are skipped whole, so a "version"
    inside a nested object or a string is never taken."""
    depth, i, n = 0, 0, len(text)
    string = re.compile(r'"(?:[^"\\]|\\.)*"', re.S)
    while i < n:
        c = text[i]
        if c == '"':
            m = string.match(text, i)
            if m is None:
                return None
            after = re.compile(r"\s*:\s*").match(text, m.end())
            if depth == 1 and after and json.loads(m.group()) == key:
                value = string.match(text, after.end())
                if value is None:
                    return None
                return text.rfind("\n", 0, i) + 1, value.start(), value.end()
            i = m.end()
            continue
        if c in "{[":
            depth += 1
        elif c in "}]":
            depth -= 1
        i += 1
    return None


def set_version_and_created(text: str, version: str, created: str) -> str:
    """The descriptor's text with its top-level `version` and `created` set, every other byte kept
    (a missing `created` goes on a line of its own after `version`)."""
    where = _top_level_string(text, "version")
    if where is None:
        raise UnusableInputError(f'{DESCRIPTOR}: no top-level "version" string to set; add "version": "0.1.0"')
    _, start, end = where
    text = text[:start] + json.dumps(version) + text[end:]
    where = _top_level_string(text, "created")
    if where is not None:
        _, start, end = where
        return text[:start] + json.dumps(created) + text[end:]
    line, start, end = _top_level_string(text, "version")
    indent = text[line:text.index('"', line)]
    sep = f",\n{indent}" if not indent.strip() else ", "  # a descriptor on one line stays on one line
    return text[:end] + f'{sep}"created": {json.dumps(created)}' + text[end:]
