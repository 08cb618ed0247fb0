"""Releases: the version check against the last release, the CHANGELOG entry, and the archive.

`release()` refuses invalid data, ids that vanished without a retraction, and a version that
understates the changes since the last release. It writes `dist/conflictdata-X.Y.Z.zip` (the built
package plus README, LICENSE, CHANGELOG, CITATION.cff and SHA256SUMS under one top folder) and
`dist/conflictdata-X.Y.Z.zip.sha256`. Timestamps and order inside the zip are fixed, so releasing
the same data twice gives byte-identical archives.
"""

from __future__ import annotations

import io
import shutil
import tempfile
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .atomic import write_many_atomic
from .build import write_package
from .diff import PackageDiff, check_against, diff_packages
from .errors import ConflictDataError, InvalidDataError, UnusableInputError
from .findings import Report
from .integrity import SUMS_NAME, sha256_bytes, sha256sums_text
from .package import Package, open_package, writable_package
from .refs import git_toplevel, opened, release_tags
from .semver import bump_version, parse_version

__all__ = ["release", "check_bump", "BumpReport", "ReleaseResult", "ReleaseRefused", "changelog_entry"]

ZIP_TIME = (1980, 1, 1, 0, 0, 0)


class ReleaseRefused(ConflictDataError):
    """The release would mislead its users (understated version, missing release date...)."""


@dataclass(slots=True)
class BumpReport:
    """The smallest version bump the changes since the last release require."""

    previous: str | None
    previous_version: str | None
    current_version: str | None
    required: str | None
    minimum_version: str | None
    ok: bool
    diff: PackageDiff | None = None

    def to_dict(self) -> dict[str, Any]:
        return {"previous": self.previous, "previous_version": self.previous_version, "current_version": self.current_version,
                "required_bump": self.required, "minimum_version": self.minimum_version, "ok": self.ok,
                "changes": self.diff.counts() if self.diff else {}, "schema_changes": len(self.diff.schema) if self.diff else 0}


@dataclass(slots=True)
class ReleaseResult:
    archive: Path
    sha256: str
    version: str
    bump: BumpReport
    files: list[str] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return {"archive": str(self.archive), "sha256": self.sha256, "version": self.version, "bump": self.bump.to_dict(), "files": self.files}


def _previous_spec(package: Package, against: str | Path | None) -> str | Path | None:
    if against is not None:
        return against
    repo = git_toplevel(package.root)
    tags = release_tags(repo) if repo else []
    current = package.version
    # The last release is the newest tag that is not this very version (re-releasing must not compare with itself).
    older = [t for t in tags if t[1:] != current]
    return older[-1] if older else None


def check_bump(package: Package, tables: dict | None = None, *, against: str | Path | None = None) -> BumpReport:
    """Compare `package` with the last release (a tag vX.Y.Z, or `against`) and check its version."""
    spec = _previous_spec(package, against)
    current = package.version
    try:
        parse_version(current or "")
    except ValueError as exc:
        raise ReleaseRefused(f"{package.descriptor_path}: version {exc}") from None
    if spec is None:
        return BumpReport(None, None, current, None, current, True)
    with opened(spec, repo=git_toplevel(package.root)) as old:
        d = diff_packages(old, package, labels=(str(spec), None))
        previous_version = old.version
    required = d.required_bump
    minimum = bump_version(previous_version, required) if previous_version else current
    ok = parse_version(current) >= parse_version(minimum) if minimum else True
    if previous_version and required is None and current != previous_version:
        ok = parse_version(current) >= parse_version(previous_version)
    return BumpReport(str(spec), previous_version, current, required, minimum, ok, d)


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


def release(path: str | Path | None = None, *, against: str | Path | None = None, out: str | Path = "dist",
            update_changelog: bool = True) -> ReleaseResult:
    """Validate, check the version against the last release, and write the release archive."""
    from .validation import validate_package

    package = open_package(path)
    writable_package(package.root, command="release")  # CHANGELOG.md is written beside the descriptor
    report, tables = validate_package(package)
    if not report.valid:
        raise InvalidDataError(report)
    created = package.descriptor.get("created")
    if not isinstance(created, str) or len(created) < 10:
        raise ReleaseRefused(f"{package.descriptor_path}: set 'created' to the release date (e.g. \"2026-11-25T00:00:00Z\"); it dates the release reproducibly")
    date = created[:10]
    bump = check_bump(package, against=against)
    if bump.previous is not None:
        with opened(bump.previous, repo=git_toplevel(package.root)) as old:
            vanished = check_against(old, package, tables)
        if vanished:
            raise InvalidDataError(Report(package=report.package, findings=vanished))
    if not bump.ok:
        raise ReleaseRefused(
            f"version {bump.current_version} understates the changes since {bump.previous_version} ({bump.previous}): "
            f"they need a {bump.required} release, at least {bump.minimum_version}; set \"version\" in {package.descriptor_path}")
    version = package.version
    entry = changelog_entry(version, date, bump, report.rows)
    changelog_path = package.root / "CHANGELOG.md"
    changelog = _update_changelog(changelog_path, version, entry)
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    top = f"conflictdata-{version}"
    with tempfile.TemporaryDirectory(prefix=".release-", dir=out) as tmp:
        root = Path(tmp) / top
        root.mkdir()
        built = write_package(package, tables, root)
        (root / "README.md").write_text(_readme(package, date, built.withheld_snapshots), encoding="utf-8")
        (root / "LICENSE").write_bytes(_license(package))
        (root / "CHANGELOG.md").write_bytes(changelog)
        (root / "CITATION.cff").write_text(_citation(package, date), encoding="utf-8")
        (root / SUMS_NAME).write_text(sha256sums_text(root), encoding="utf-8")
        data = _zip_bytes(root, top)
        listing = sorted(p.relative_to(root).as_posix() for p in root.rglob("*") if p.is_file())
    archive = out / f"{top}.zip"
    digest = sha256_bytes(data)
    files = {archive: data, out / f"{top}.zip.sha256": f"{digest}  {archive.name}\n".encode()}
    if update_changelog and (not changelog_path.exists() or changelog_path.read_bytes() != changelog):
        files[changelog_path] = changelog
    # The archive, its checksum and the CHANGELOG entry land together or not at all.
    write_many_atomic(files)
    return ReleaseResult(archive, digest, version, bump, listing)
