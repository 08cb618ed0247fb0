"""Releases: the version check against the last release, the CHANGELOG entry, and the archive.

`release()` refuses invalid data, ids that vanished without a retraction, and a version that
understates the changes since the last release. It writes `dist/conflictdata-X.Y.Z.zip` (the built
package plus README, LICENSE, CHANGELOG, CITATION.cff and SHA256SUMS under one top folder) and
`dist/conflictdata-X.Y.Z.zip.sha256`, and lists it in `dist/index.json` (release_index.py).
Timestamps and order inside the zip are fixed, so releasing the same data twice gives
byte-identical archives.
"""

from __future__ import annotations

import io
import tempfile
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..contract.atomic import write_bytes_atomic, write_many_atomic
from ..distribution.index import INDEX_NAME
from .build import write_package
from .diff import PackageDiff, diff_packages
from .history import check_against
from ..contract.errors import ConflictDataError, InvalidDataError
from ..contract.findings import Report
from ..checking.integrity import SUMS_NAME, sha256_bytes, sha256sums_text
from ..checking.validated import validated
from ..contract.discovery import writable_package
from ..contract.package import Package, open_package
from .refs import clean_head, git_toplevel, opened
from .release_index import index_with
from .releases import (LAST_RELEASE, RECORD, Release, current_digest, data_digest, find_releases, missing_data, read_record,
                       record_bytes, set_version_and_created, utc_now)
from .semver import bump_version, parse_version

__all__ = ["release", "check_bump", "write_bump", "BumpReport", "ReleaseResult", "ReleaseRefused", "changelog_entry"]

ZIP_TIME = (1980, 1, 1, 0, 0, 0)


class ReleaseRefused(ConflictDataError):
    """The release would mislead its users (understated version, missing release date...)."""


@dataclass(slots=True)
class BumpReport:
    """The smallest version bump the changes since the last release require.

    `previous` names the last release ("v0.1.0", "releases.json (commit c30e436)", an archive);
    `previous_spec` is where its data are read from (None: not in this copy, then `diff` is None).
    `reissue`: the current version is already released with other data (refused). `rerelease`:
    the current version is released with these very data (comparing with the release before it).
    """

    previous: str | None
    previous_version: str | None
    current_version: str | None
    required: str | None
    minimum_version: str | None
    ok: bool
    diff: PackageDiff | None = None
    previous_spec: str | Path | None = None
    reissue: bool = False
    rerelease: bool = False
    note: str | None = None

    @property
    def message(self) -> str | None:
        if self.reissue:
            return f"{self.current_version} is already released with other data; set version to at least {self.minimum_version}"
        return None

    def to_dict(self) -> dict[str, Any]:
        return {"previous": self.previous, "previous_version": self.previous_version, "current_version": self.current_version,
                "required_bump": self.required, "minimum_version": self.minimum_version, "ok": self.ok,
                "reissue": self.reissue, "rerelease": self.rerelease, "message": self.message, "note": self.note,
                "changes": self.diff.counts() if self.diff else {}, "schema_changes": len(self.diff.schema) if self.diff else 0}


@dataclass(slots=True)
class ReleaseResult:
    archive: Path
    sha256: str
    version: str
    bump: BumpReport
    files: list[str] = field(default_factory=list)
    data_sha256: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return {"archive": str(self.archive), "sha256": self.sha256, "version": self.version, "bump": self.bump.to_dict(),
                "files": self.files, "data_sha256": self.data_sha256}


def _differs(d: PackageDiff, old: Package, new: Package) -> str | None:
    """The bump a reissue of the same version would need: the diff's, or a patch for a new release date."""
    if d.required_bump:
        return d.required_bump
    return "patch" if old.descriptor.get("created") != new.descriptor.get("created") else None


def _compare(package: Package, previous: Release, current: str) -> BumpReport:
    """The bump `package` needs since `previous` (whose version differs from `current`)."""
    if previous.spec is None:
        # Only the record is here: no diff, so only "some later version" can be asked for.
        minimum = bump_version(previous.version, "patch")
        ok = parse_version(current) >= parse_version(minimum)
        return BumpReport(previous.origin, previous.version, current, None, minimum, ok, None, None,
                          note=missing_data(previous, "the exact bump"))
    with opened(previous.spec, repo=git_toplevel(package.root)) as old:
        d = diff_packages(old, package, labels=(str(previous.spec), None))
        previous_version = old.version or previous.version
    required = d.required_bump
    minimum = bump_version(previous_version, required) if previous_version else current
    ok = parse_version(current) >= parse_version(minimum) if minimum else True
    if previous_version and required is None and current != previous_version:
        ok = parse_version(current) >= parse_version(previous_version)
    return BumpReport(previous.origin, previous_version, current, required, minimum, ok, d, previous.spec)


def _reissue(package: Package, last: Release, current: str) -> BumpReport | None:
    """A report refusing `current` if `last` (of the same version) holds other data; None if the same."""
    if last.spec is not None:
        with opened(last.spec, repo=git_toplevel(package.root)) as old:
            d = diff_packages(old, package, labels=(str(last.spec), None))
            level = _differs(d, old, package)
        if level is None:
            return None
        return BumpReport(last.origin, current, current, level, bump_version(current, level), False, d, last.spec, reissue=True)
    if last.digest is None or last.digest == current_digest(package):
        return None
    return BumpReport(last.origin, current, current, "patch", bump_version(current, "patch"), False, None, None, reissue=True,
                      note="at least a patch; " + missing_data(last, "the exact bump"))


def check_bump(package: Package, tables: dict | None = None, *, against: str | Path | None = None) -> BumpReport:
    """Compare `package` with the last release and check its version.

    The last release is `against` (a folder, archive or git ref; `last-release` as without it), or
    else the newest of the tags vX.Y.Z and the entries of releases.json. The current version must
    not be released already with other data, nor understate the changes since.
    """
    current = package.version
    try:
        parse_version(current or "")
    except ValueError as exc:
        raise ReleaseRefused(f"{package.descriptor_path}: version {exc}") from None
    if against is not None and str(against) != LAST_RELEASE:
        with opened(against, repo=git_toplevel(package.root)) as old:
            version = old.version
        releases = [Release(version or "", against, str(against))]
    else:
        releases = find_releases(package)
    if not releases:
        return BumpReport(None, None, current, None, current, True)
    last = releases[-1]
    if last.version == current:
        refused = _reissue(package, last, current)
        if refused is not None:
            return refused
        # Released with these very data: a re-release, compared with the release before it.
        if len(releases) == 1:
            return BumpReport(None, None, current, None, current, True, rerelease=True)
        report = _compare(package, releases[-2], current)
        report.rerelease = True
        return report
    return _compare(package, last, current)


def changelog_entry(version: str, date: str, bump: BumpReport, rows: dict[str, int] | None = None) -> str:
    lines = [f"## {version} — {date}", ""]
    d = bump.diff
    if d is None:
        counts = ", ".join(f"{n} {name}" for name, n in (rows or {}).items())
        lines.append(f"First release: {counts}." if counts else "First release.")
    elif d.empty:
        lines.append(f"No changes since {bump.previous_version}.")
    else:
        lines.append(f"Changes since {bump.previous_version} (a {bump.required} release):")
        lines.append("")
        for name, c in d.counts().items():
            parts = [f"{n} {k}" for k, n in c.items() if n]
            lines.append(f"- `{name}`: {', '.join(parts)}")
        for ch in d.schema:
            where = ".".join(x for x in (ch.table, ch.column) if x)
            lines.append(f"- schema ({ch.bump}): {ch.detail}" + (f" [{where}]" if where else ""))
        notable = [(n, k) for n, t in d.tables.items() for k in t.retracted]
        for name, key in notable[:20]:
            lines.append(f"- retracted: {name} {key}")
    return "\n".join(lines) + "\n"


def _update_changelog(path: Path, version: str, entry: str) -> bytes:
    head = "# Changelog\n\nEvery release of the conflictdata data package, newest first (generated by `conflictdata release`).\n"
    text = path.read_text(encoding="utf-8") if path.exists() else head
    marker = f"## {version} — "
    blocks = text.split("\n## ")
    top, entries = blocks[0], ["## " + b for b in blocks[1:]]
    entries = [e for e in entries if not e.startswith(marker)]
    entries.insert(0, entry)
    # Newest version first, whatever order entries were added in.
    def key(e: str) -> tuple[int, int, int]:
        try:
            return parse_version(e[3:].split(" ", 1)[0])
        except ValueError:
            return (0, 0, 0)
    entries.sort(key=key, reverse=True)
    return (top.rstrip("\n") + "\n\n" + "\n".join(e.rstrip("\n") + "\n" for e in entries)).encode("utf-8")


def _citation(package: Package, date: str) -> str:
    title = package.descriptor.get("title", package.name).replace('"', "'")
    authors = [c.get("title", "conflictdata developers") for c in package.descriptor.get("contributors") or []] or ["conflictdata developers"]
    people = "".join(f'  - name: "{a}"\n' for a in authors)
    return (
        "cff-version: 1.2.0\n"
        'message: "If you use this dataset, please cite it as below, with its version."\n'
        "type: dataset\n"
        f'title: "{title}"\n'
        f"version: {package.version}\n"
        f"date-released: {date}\n"
        "license: CC-BY-4.0\n"
        f"authors:\n{people}"
    )


def _readme(package: Package, date: str, withheld: list[str]) -> str:
    tables = "\n".join(f"- `{r.relpath}` (and `.parquet`): {r.descriptor.get('description', '')}" for r in package.resources.values())
    held = ""
    if withheld:
        held = ("\n## Withheld source texts\n\nThese archived source texts are not redistributable; their sha256 stays in "
                "`sources.csv` so a copy obtained elsewhere can be verified:\n\n" + "\n".join(f"- `{w}`" for w in withheld) + "\n")
    return (
        f"# {package.descriptor.get('title', package.name)} — version {package.version} ({date})\n\n"
        f"{package.descriptor.get('description', '')}\n\n"
        "## Contents\n\n"
        f"{tables}\n\n"
        "`datapackage.json` describes every table (Frictionless Data Package v2) with each file's size and sha256.\n\n"
        "## Verify\n\n```sh\nsha256sum -c SHA256SUMS\nconflictdata validate .\n```\n\n"
        "## Use\n\n```python\nimport conflictdata\ntables = conflictdata.load(path=\".\")\n```\n\n"
        "Every figure is an attributed claim, not a verified count. License: CC-BY-4.0 (see LICENSE); cite with CITATION.cff.\n"
        f"{held}"
    )


def _license(package: Package) -> bytes:
    for name in ("LICENSE-DATA", "LICENSE"):
        p = package.root / name
        if p.is_file() and name == "LICENSE-DATA":
            return p.read_bytes()
    return b"Data: Creative Commons Attribution 4.0 International (CC-BY-4.0), https://creativecommons.org/licenses/by/4.0/\n"


def _zip_bytes(root: Path, top: str) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        for p in sorted(root.rglob("*"), key=lambda p: p.relative_to(root).as_posix()):
            if not p.is_file():
                continue
            info = zipfile.ZipInfo(f"{top}/{p.relative_to(root).as_posix()}", date_time=ZIP_TIME)
            info.external_attr = 0o100644 << 16
            info.create_system = 3
            info.compress_type = zipfile.ZIP_DEFLATED
            zf.writestr(info, p.read_bytes(), compresslevel=9)
    return buf.getvalue()


def _dates_after_created(package: Package, tables: dict, created: str) -> list:
    """Findings for every date after the release's own `created` (its data cannot be from later)."""
    import datetime as dt

    from ..checking.rules import dates_after

    try:
        day = dt.date.fromisoformat(created[:10])
    except ValueError:
        raise ReleaseRefused(f"{package.descriptor_path}: 'created' {created!r} does not start with a date YYYY-MM-DD; "
                             "run `conflictdata bump . --write` to set it") from None
    return list(dates_after(tables, day, "after-release-date",
                            f"the release's date {day} ('created' in {package.display(package.descriptor_path)}); "
                            "or date the release later (`conflictdata bump . --write`)"))


def _existing_entry(path: Path, version: str) -> str | None:
    if not path.exists():
        return None
    for block in path.read_text(encoding="utf-8").split("\n## ")[1:]:
        if block.startswith(f"{version} — "):
            return "## " + block.rstrip("\n") + "\n"
    return None


def release(path: str | Path | None = None, *, against: str | Path | None = None, out: str | Path = "dist",
            update_changelog: bool = True) -> ReleaseResult:
    """Validate, check the version against the last release, and write the release archive.

    Also records the release in releases.json (version, date, the commit holding its data when
    they are committed, and the digest of the data), with the archive and the CHANGELOG entry.
    """
    package = open_package(path)
    writable_package(package.root, command="release")  # CHANGELOG.md is written beside the descriptor
    valid = validated(package)
    report, tables = valid.report, valid.tables
    created = package.descriptor.get("created")
    if not isinstance(created, str) or len(created) < 10:
        raise ReleaseRefused(f"{package.descriptor_path}: set 'created' to the release date (e.g. \"2026-11-25T00:00:00Z\"), "
                             "or run `conflictdata bump . --write`; it dates the release reproducibly")
    late = _dates_after_created(package, tables, created)
    if late:
        raise InvalidDataError(Report(package=report.package, findings=late))
    date = created[:10]
    bump = check_bump(package, against=against)
    if bump.reissue:
        raise ReleaseRefused(bump.message + (f" ({bump.note})" if bump.note else ""))
    changelog_path = package.root / "CHANGELOG.md"
    version = package.version
    # A re-release (this version, these data) keeps its entry, whatever this copy can diff.
    entry = _existing_entry(changelog_path, version) if bump.rerelease else None
    if entry is None and bump.previous is not None and bump.diff is None:
        # The last release's data are not here (the record only): nothing to check the version with.
        raise ReleaseRefused(missing_data(Release(bump.previous_version or "", None, bump.previous), f"checking {version} against the last release"))
    if bump.previous_spec is not None:
        with opened(bump.previous_spec, repo=git_toplevel(package.root)) as old:
            vanished = check_against(old, package, tables)
        if vanished:
            raise InvalidDataError(Report(package=report.package, findings=vanished))
    if not bump.ok:
        raise ReleaseRefused(
            f"version {bump.current_version} understates the changes since {bump.previous_version} ({bump.previous}): "
            f"they need a {bump.required} release, at least {bump.minimum_version}; set \"version\" in {package.descriptor_path}"
            " (`conflictdata bump . --write` does)")
    entry = entry or changelog_entry(version, date, bump, report.rows)
    changelog = _update_changelog(changelog_path, version, entry)
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    top = f"conflictdata-{version}"
    with tempfile.TemporaryDirectory(prefix=".release-", dir=out) as tmp:
        root = Path(tmp) / top
        root.mkdir()
        built = write_package(package, tables, root)
        digest_of_data = data_digest(package, built.files)
        (root / "README.md").write_text(_readme(package, date, built.withheld_snapshots), encoding="utf-8")
        (root / "LICENSE").write_bytes(_license(package))
        (root / "CHANGELOG.md").write_bytes(changelog)
        (root / "CITATION.cff").write_text(_citation(package, date), encoding="utf-8")
        (root / SUMS_NAME).write_text(sha256sums_text(root), encoding="utf-8")
        data = _zip_bytes(root, top)
        listing = sorted(p.relative_to(root).as_posix() for p in root.rglob("*") if p.is_file())
    archive = out / f"{top}.zip"
    digest = sha256_bytes(data)
    dates = {e["version"]: e["date"] for e in read_record(package.root) if isinstance(e.get("date"), str)}
    files = {archive: data, out / f"{top}.zip.sha256": f"{digest}  {archive.name}\n".encode(),
             out / INDEX_NAME: index_with(out, version, data, date, dates)}
    if update_changelog:
        if not changelog_path.exists() or changelog_path.read_bytes() != changelog:
            files[changelog_path] = changelog
        record_path = package.root / RECORD
        record = record_bytes(package.root, {"version": version, "date": date, "created": created,
                                             "commit": clean_head(package.root), "data_sha256": digest_of_data})
        if not record_path.exists() or record_path.read_bytes() != record:
            files[record_path] = record
    # The archive, its checksum, the index, the CHANGELOG entry and the record land together or not at all.
    write_many_atomic(files)
    return ReleaseResult(archive, digest, version, bump, listing, digest_of_data)


def write_bump(package: Package, bump: BumpReport, *, now: str | None = None) -> dict[str, Any]:
    """Set `version` (the smallest the changes since the last release need; a higher one already
    set is kept) and `created` (`now`, default the current UTC second) in the package's
    datapackage.json, atomically, every other byte of the file kept. Returns what was written."""
    writable_package(package.root, command="bump --write")
    current = package.version or ""
    if bump.rerelease:
        raise ReleaseRefused(f"{current} is released with these very data: nothing to bump (change the data first); "
                             f"{package.descriptor_path} left as it is")
    if bump.previous is not None and (bump.diff is None or bump.minimum_version is None):
        raise ReleaseRefused(missing_data(Release(bump.previous_version or "", None, bump.previous), "bump --write"))
    version = current
    if bump.reissue or not bump.ok:
        version = bump.minimum_version or current
    created = now or utc_now()
    text = package.descriptor_path.read_text(encoding="utf-8")
    write_bytes_atomic(package.descriptor_path, set_version_and_created(text, version, created).encode("utf-8"))
    since = f"a {bump.required} bump since {bump.previous_version}" if bump.previous else "no earlier release"
    kept = f"; kept, as it is higher than the {bump.minimum_version} the changes need" if version == current and bump.previous and bump.minimum_version != current else ""
    return {"path": str(package.descriptor_path), "version": version, "created": created,
            "summary": f"set version {version}{kept} and created {created} in {package.display(package.descriptor_path)} ({since})"}
