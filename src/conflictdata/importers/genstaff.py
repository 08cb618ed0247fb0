"""The General Staff importer: Ukraine's daily cumulative claims of Russian personnel losses.

Reads `russia_losses_personnel.json` of Petro Ivaniuk's compiled 2022-Ukraine-Russia-War-Dataset
and the SOURCE.txt staged beside it into an `ImportBatch`: one source row (the compiled dataset,
its commit and the file's sha256), one actor (the General Staff, the claimant), and per record a
`personnel_losses` claim about the curated actor `ACT-RUS-AF`, plus a `captured` claim where the
record carries a POW figure. The figures are the claimant's, kept as published (qualifier and
category included); nothing is corrected, dropped or inferred. Every id derives from the record's
date, so a re-import is idempotent and an upstream correction shows up as a changed row.
"""

from __future__ import annotations

import csv
import datetime as dt
import json
import re
from pathlib import Path
from typing import Any

from ..contract.errors import UnusableInputError
from ..contract.package import open_package
from .merge import ImportBatch, ImportConflict, ImportResult, apply_import
from .upstream import UpstreamInfo, read_source_txt

__all__ = [
    "read_genstaff", "import_genstaff",
    "NAME", "SOURCE_ID", "CLAIMANT_ID", "SUBJECT_ID", "PARENT_ID", "PREFIXES", "QUALIFIERS",
]

NAME = "genstaff"
SOURCE_ID = "SRC-GENSTAFF-PERSONNEL"
CLAIMANT_ID = "ACT-UKR-GENSTAFF"
# Curated actors the import refers to but never creates.
SUBJECT_ID = "ACT-RUS-AF"
PARENT_ID = "ACT-UKR-AF"
PREFIXES: dict[str, tuple[str, ...]] = {
    "sources": ("SRC-GENSTAFF-",),
    "actors": (CLAIMANT_ID,),
    "casualty_claims": ("CLM-GENSTAFF-",),
}
# The compiled dataset's `personnel*` word → (our qualifier, the value column it fills).
QUALIFIERS: dict[str, tuple[str, str]] = {
    "about": ("approximately", "value_best"),
    "more": ("more_than", "value_low"),
}
# Day 1 of the compiled `day` counter (date - day + 1 for every record): the full-scale invasion.
PERIOD_START = dt.date(2022, 2, 24)

# This importer describes one compiled dataset; SOURCE.txt must name it.
_REPOSITORY = "github.com/PetroIvaniuk/2022-Ukraine-Russia-War-Dataset"
# The copyright holder in the repository's LICENSE (LICENSE.upstream): "Copyright (c) 2022 Petro Ivaniuk".
_PUBLISHER = "Petro Ivaniuk"
_KNOWN_KEYS = {"date", "day", "personnel", "personnel*", "POW"}
_STAGED = re.compile(r"^\s*(\S+)\s+\d+\s+bytes\s+sha256=([0-9a-f]{64})\s*$")


def _staged(txt: Path, file: Path) -> tuple[list[str], str | None]:
    """The upstream paths SOURCE.txt gives for a file of this name, and the sha256 it records for it."""
    paths: list[str] = []
    staged = None
    for raw in txt.read_text(encoding="utf-8").splitlines():
        m = _STAGED.match(raw)
        if m and m.group(1) == file.name:
            staged = m.group(2)
        key, sep, value = raw.partition(":")
        if sep and key.strip() == "Paths" and not paths:
            paths = [p.strip() for p in value.split(",") if p.strip().rsplit("/", 1)[-1] == file.name]
    return paths, staged


def _upstream(file: Path, source_txt: Path | None) -> tuple[UpstreamInfo, str]:
    if source_txt is None and not (file.parent / "SOURCE.txt").is_file():
        raise UnusableInputError(f"{file}: no SOURCE.txt beside it; pass source_txt= the SOURCE.txt that gives the "
                                 "upstream Repository, Commit (hash and date), License and Paths of this file")
    txt = Path(source_txt) if source_txt is not None else file.parent / "SOURCE.txt"
    info = read_source_txt(file, txt)
    bare = re.sub(r"^https?://", "", info.repository).removesuffix("/").removesuffix(".git")
    if bare.lower() != _REPOSITORY.lower():
        raise UnusableInputError(f"{txt}: Repository is {info.repository!r}, but this importer reads the compiled dataset "
                                 f"{_REPOSITORY}; another dataset needs its own importer")
    if not info.license:
        raise UnusableInputError(f"{txt}: the License line {info.license_text!r} names no license this importer recognises")
    paths, staged = _staged(txt, file)
    if len(paths) != 1:
        raise UnusableInputError(f"{txt}: the Paths line names {len(paths)} file(s) called {file.name!r}; "
                                 "it must name exactly one, the upstream path of the file imported")
    if staged is not None and staged != info.sha256:
        raise UnusableInputError(f"{file}: sha256 {info.sha256} differs from {staged} recorded in {txt}; the file is not "
                                 "the one SOURCE.txt describes: update SOURCE.txt (commit, date, sha256) for this copy")
    return info, paths[0]


def _integer(value: Any, what: str, where: str) -> int:
    # JSON has one number type: 690720.0 is the same figure, 690720.5 is not a count.
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise UnusableInputError(f"{where}: {what} is {value!r}, not a number")
    if isinstance(value, float):
        if not value.is_integer():
            raise UnusableInputError(f"{where}: {what} is {value!r}, not a whole number")
        value = int(value)
    if value < 0:
        raise UnusableInputError(f"{where}: {what} is {value}, a negative count")
    return value


def _load_records(file: Path) -> list[dict[str, Any]]:
    try:
        data = file.read_bytes()
    except FileNotFoundError:
        raise UnusableInputError(f"{file}: no such file") from None
    except OSError as exc:
        raise UnusableInputError(f"{file}: cannot read: {exc}") from None
    try:
        records = json.loads(data)
    except json.JSONDecodeError as exc:
        raise UnusableInputError(f"{file}:{exc.lineno}:{exc.colno}: not JSON ({exc.msg})") from None
    except UnicodeDecodeError as exc:
        raise UnusableInputError(f"{file}: not JSON text ({exc})") from None
    if not isinstance(records, list):
        raise UnusableInputError(f"{file}: expected a JSON list of daily records, got a {type(records).__name__}")
    if not records:
        raise UnusableInputError(f"{file}: the list of records is empty; refusing to retract every imported claim")
    return records


def _source_row(info: UpstreamInfo, upstream_path: str) -> dict[str, str]:
    repo_name = info.url.rsplit("/", 1)[-1]
    return {
        "source_id": SOURCE_ID,
        "title": f"{repo_name} (compiled by {_PUBLISHER}), file {upstream_path}",
        "publisher": _PUBLISHER,
        "url": info.url,
        "published_date": info.commit_date,
        "language": "en",
        "source_type": "dataset",
        "license": info.license,
        "notes": (
            f"File {upstream_path} of {info.url} at commit {info.commit} ({info.commit_date}), "
            f"sha256 {info.sha256}. Daily cumulative figures of Russian personnel losses (and, in early records, "
            "prisoners of war) published by the General Staff of the Armed Forces of Ukraine, compiled by the "
            "dataset's author: claims of the General Staff, not verified counts. Imported by "
            "conflictdata.importers.genstaff, one claim per record (CLM-GENSTAFF-YYYYMMDD-PERSONNEL) and per "
            "POW figure (CLM-GENSTAFF-YYYYMMDD-POW). value_text is "
            "composed from the compiled fields ('personnel*' then 'personnel', e.g. 'about 690720'; a POW "
            "figure as given), not the General Staff's own wording. period_end and statement_date are both "
            "the record's date, the only date the compiled file gives; period_start 2022-02-24 is day 1 of "
            "its 'day' counter."
        ),
    }


def _actor_row() -> dict[str, str]:
    return {
        "actor_id": CLAIMANT_ID,
        "name": "General Staff of the Armed Forces of Ukraine",
        "actor_type": "armed_force",
        "country_iso3": "UKR",
        "parent_actor_id": PARENT_ID,
        "description": "The General Staff of Ukraine's armed forces, whose daily claims of Russian losses the compiled dataset records.",
        "source_id": SOURCE_ID,
    }


def _claim(claim_id: str, measure: str, qualifier: str, column: str, value: int, value_text: str, date: str) -> dict[str, str]:
    row = {
        "claim_id": claim_id,
        "claimant_actor_id": CLAIMANT_ID,
        "subject_actor_id": SUBJECT_ID,
        "measure": measure,
        "qualifier": qualifier,
        "value_text": value_text,
        "count_basis": "cumulative",
        "period_start": PERIOD_START.isoformat(),
        "period_end": date,
        "statement_date": date,
        "method": "official_tally",
        "source_id": SOURCE_ID,
        "quote": "",
    }
    row[column] = str(value)
    return row


def read_genstaff(file: Path, *, source_txt: Path | None = None) -> ImportBatch:
    """Read the compiled personnel-loss file (and its SOURCE.txt) into an `ImportBatch`.

    `source_txt` defaults to the SOURCE.txt beside `file`; without one the import stops, since the
    source row's commit, date and license cannot be known otherwise.
    """
    file = Path(file)
    records = _load_records(file)
    info, upstream_path = _upstream(file, source_txt)

    claims: list[dict[str, str]] = []
    seen: dict[str, int] = {}
    unknown_keys: set[str] = set()
    day_mismatch: list[str] = []
    for i, rec in enumerate(records):
        where = f"{file}: record {i}"
        if not isinstance(rec, dict):
            raise UnusableInputError(f"{where}: expected a JSON object, got {type(rec).__name__}")
        date = rec.get("date")
        if not isinstance(date, str) or not date:
            raise UnusableInputError(f"{where}: no 'date'")
        try:
            day = dt.date.fromisoformat(date)
        except ValueError:
            raise UnusableInputError(f"{where}: date {date!r} is not a calendar date YYYY-MM-DD") from None
        if len(date) != 10 or day.isoformat() != date:
            raise UnusableInputError(f"{where}: date {date!r} is not written YYYY-MM-DD")
        where = f"{file}: record {i} ({date})"
        if date in seen:
            raise UnusableInputError(f"{where}: the date occurs again (first in record {seen[date]}); one record per day")
        seen[date] = i
        if rec.get("personnel") is None:
            raise UnusableInputError(f"{where}: no 'personnel' figure")
        personnel = _integer(rec["personnel"], "'personnel'", where)
        word = rec.get("personnel*")
        if word is None:
            raise UnusableInputError(f"{where}: no 'personnel*' qualifier; the figure's wording cannot be known without it")
        if word not in QUALIFIERS:
            known = ", ".join(repr(k) for k in QUALIFIERS)
            raise UnusableInputError(f"{where}: unknown qualifier 'personnel*' = {word!r} (known: {known}); "
                                     "add its meaning to QUALIFIERS rather than guess")
        qualifier, column = QUALIFIERS[word]
        stamp = day.strftime("%Y%m%d")
        claims.append(_claim(f"CLM-GENSTAFF-{stamp}-PERSONNEL", "personnel_losses", qualifier, column,
                             personnel, f"{word} {personnel}", date))
        if rec.get("POW") is not None:
            pow_ = _integer(rec["POW"], "'POW'", where)
            claims.append(_claim(f"CLM-GENSTAFF-{stamp}-POW", "captured", "exact", "value_best", pow_, str(pow_), date))
        counter = rec.get("day")
        if isinstance(counter, int) and not isinstance(counter, bool) and (day - PERIOD_START).days + 1 != counter:
            day_mismatch.append(date)
        unknown_keys.update(k for k in rec if k not in _KNOWN_KEYS)

    warnings: list[str] = []
    if unknown_keys:
        warnings.append(f"{file}: field(s) {', '.join(sorted(unknown_keys))} not imported (this importer does not know their meaning)")
    if day_mismatch:
        warnings.append(f"{file}: the 'day' counter does not count from {PERIOD_START} on {len(day_mismatch)} record(s) "
                        f"(first {day_mismatch[0]}); period_start is still {PERIOD_START}: check the upstream file")
    claims.sort(key=lambda r: r["claim_id"])
    return ImportBatch(
        name=NAME,
        prefixes=dict(PREFIXES),
        rows={
            "sources": [_source_row(info, upstream_path)],
            "actors": [_actor_row()],
            "casualty_claims": claims,
        },
        retracted_date=info.commit_date,
        warnings=warnings,
    )


def _require_curated_actors(package_path: str | Path) -> None:
    package = open_package(package_path)
    res = package.resources.get("actors")
    if res is None:
        raise UnusableInputError(f"{package.descriptor_path}: the package has no actors table; the import needs it")
    with open(res.path, encoding="utf-8", newline="") as fh:
        have = {row.get("actor_id", "") for row in csv.DictReader(fh)}
    roles = {SUBJECT_ID: "subject of every claim", PARENT_ID: f"parent of {CLAIMANT_ID}"}
    missing = [f"{a} ({role})" for a, role in roles.items() if a not in have]
    if missing:
        raise ImportConflict(f"{res.path}: curated actor(s) {', '.join(missing)} missing; the General Staff import refers "
                             "to them but never creates curated actors: add them by hand first (docs/curation.md)")


def import_genstaff(file: str | Path, package_path: str | Path = ".", dry_run: bool = False, *,
                    source_txt: Path | None = None) -> ImportResult:
    """Read `file` and apply it to the package at `package_path` (nothing written when `dry_run`)."""
    batch = read_genstaff(Path(file), source_txt=source_txt)
    _require_curated_actors(package_path)
    return apply_import(batch, package_path, dry_run=dry_run)
