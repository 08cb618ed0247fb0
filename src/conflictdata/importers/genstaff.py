"""The General Staff importer: Ukraine's daily cumulative claims of Russian personnel losses.

Reads `russia_losses_personnel.json` of Petro Ivaniuk's compiled 2022-Ukraine-Russia-War-Dataset
and the SOURCE.txt staged beside it into an `ImportBatch`: one source row (the compiled dataset,
its commit and the file's sha256), one actor (the General Staff, the claimant), and per record a
`personnel_losses` claim about the curated actor `ACT-RUS-AF`, plus a `captured` claim where the
record carries a POW figure. The figures are the claimant's, kept as published (qualifier and
category included); nothing is corrected, dropped or inferred. Every id derives from the record's
date, so a re-import is idempotent and an upstream correction shows up as a changed row.

The POW figures are not the General Staff's: the repository's README ("Data Sources", item 2)
credits them to "Invaders" (invaders-rf.com), a project it says has not been active since May
2022. Their claimant is therefore the actor `ACT-INVADERS`, cited to a source row for that README
(`SRC-GENSTAFF-README`); their method is `unknown`, since the file gives a bare number and the
README says nothing of how Invaders counted.
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
from ..checking.integrity import sha256_file
from .upstream import UpstreamInfo, read_source_txt

__all__ = [
    "read_genstaff", "import_genstaff",
    "NAME", "SOURCE_ID", "README_SOURCE_ID", "CLAIMANT_ID", "POW_CLAIMANT_ID", "SUBJECT_ID", "PARENT_ID", "PREFIXES",
    "QUALIFIERS",
]

NAME = "genstaff"
SOURCE_ID = "SRC-GENSTAFF-PERSONNEL"
README_SOURCE_ID = "SRC-GENSTAFF-README"
CLAIMANT_ID = "ACT-UKR-GENSTAFF"
POW_CLAIMANT_ID = "ACT-INVADERS"
# Curated actors the import refers to but never creates.
SUBJECT_ID = "ACT-RUS-AF"
PARENT_ID = "ACT-UKR-AF"
PREFIXES: dict[str, tuple[str, ...]] = {
    "sources": ("SRC-GENSTAFF-",),
    "actors": (CLAIMANT_ID, POW_CLAIMANT_ID),
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
# What the README (README.md at the SOURCE.txt commit, staged as README.upstream.md) says of the POW
# figures, word for word: "Data Sources" item 2 and the "Tracking" list. Nothing else is known of Invaders.
_README = "README.upstream.md"
_CORRECTIONS = "russia_losses_equipment_correction.json"
_README_POW_SOURCE = "[Invaders](https://invaders-rf.com/) - Russians Prisoner of War (POW). The project is not active since May of 2022."
_README_POW_TRACKING = "Prisoner of War (POW) - has not been tracked since 2022-04-28"
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


def _source_row(info: UpstreamInfo, upstream_path: str, corrections: tuple[UpstreamInfo, str] | None = None) -> dict[str, str]:
    repo_name = info.url.rsplit("/", 1)[-1]
    adjusted = (f" Retroactive adjustments of the personnel figure listed in {corrections[1]} (sha256 {corrections[0].sha256}) make "
                "that day's claim supersede the day before's (supersedes_claim_id, with a note)." if corrections else "")
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
            f"sha256 {info.sha256}. Daily cumulative figures of Russian personnel losses published by the General Staff "
            "of the Armed Forces of Ukraine, compiled by the dataset's author: claims of the General Staff, not verified "
            "counts. The early records also carry prisoner-of-war figures, which the repository's README credits to "
            f"Invaders (invaders-rf.com), not the General Staff ({README_SOURCE_ID}). Imported by "
            "conflictdata.importers.genstaff, one claim per record (CLM-GENSTAFF-YYYYMMDD-PERSONNEL) and per "
            "POW figure (CLM-GENSTAFF-YYYYMMDD-POW, claimant ACT-INVADERS). value_text is "
            "composed from the compiled fields ('personnel*' then 'personnel', e.g. 'about 690720'; a POW "
            "figure as given), not the General Staff's own wording. period_end and statement_date are both "
            "the record's date, the only date the compiled file gives; period_start 2022-02-24 is day 1 of "
            f"its 'day' counter.{adjusted}"
        ),
    }


def _readme(file: Path, txt: Path) -> str:
    """The sha256 of the README that names the POW figures' source (SOURCE.txt's record of it, else the file's)."""
    readme = file.parent / _README
    _, staged = _staged(txt, readme)
    if readme.is_file():
        text = readme.read_text(encoding="utf-8")
        missing = [line for line in (_README_POW_SOURCE, _README_POW_TRACKING) if line not in text]
        if missing:
            raise UnusableInputError(f"{readme}: no longer reads {missing[0]!r}; the claimant of the POW figures is taken "
                                     "from that line: check who the README now credits and update genstaff.py")
        actual = sha256_file(readme)
        if staged is not None and staged != actual:
            raise UnusableInputError(f"{readme}: sha256 {actual} differs from {staged} recorded in {txt}; update SOURCE.txt for this copy")
        return actual
    return staged or ""


def _readme_row(info: UpstreamInfo, sha256: str) -> dict[str, str]:
    digest = f", sha256 {sha256}" if sha256 else ""
    return {
        "source_id": README_SOURCE_ID,
        "title": f"{info.url.rsplit('/', 1)[-1]} (compiled by {_PUBLISHER}), README.md",
        "publisher": _PUBLISHER,
        "url": info.url,
        "published_date": info.commit_date,
        "language": "en",
        "source_type": "dataset",
        "license": info.license,
        "notes": (
            f"README.md of {info.url} at commit {info.commit} ({info.commit_date}){digest}. Its 'Data Sources' list names "
            f"the source of the prisoner-of-war figures as item 2: '{_README_POW_SOURCE}' Its 'Tracking' list reads: "
            f"'{_README_POW_TRACKING}'. Cited by the actor {POW_CLAIMANT_ID}, the claimant of the POW claims "
            "(CLM-GENSTAFF-YYYYMMDD-POW), whose figures the compiled file data/russia_losses_personnel.json carries."
        ),
    }


def _pow_actor_row() -> dict[str, str]:
    return {
        "actor_id": POW_CLAIMANT_ID,
        "name": "Invaders",
        "actor_type": "other",
        "description": ("The project the compiled dataset's README credits with its prisoner-of-war figures "
                        "(\"Invaders\", linked to https://invaders-rf.com/), which the README says has not been active since "
                        "May 2022. The README says nothing more of it: who runs it and how it counted are unknown here."),
        "source_id": README_SOURCE_ID,
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


def _claim(claim_id: str, measure: str, qualifier: str, column: str, value: int, value_text: str, date: str, *,
           claimant: str = CLAIMANT_ID, method: str = "official_tally", notes: str = "") -> dict[str, str]:
    row = {
        "claim_id": claim_id,
        "claimant_actor_id": claimant,
        "subject_actor_id": SUBJECT_ID,
        "measure": measure,
        "qualifier": qualifier,
        "value_text": value_text,
        "count_basis": "cumulative",
        "period_start": PERIOD_START.isoformat(),
        "period_end": date,
        "statement_date": date,
        "method": method,
        "source_id": SOURCE_ID,
        "quote": "",
    }
    if notes:
        row["notes"] = notes
    row[column] = str(value)
    return row


def read_corrections(file: Path) -> dict[str, dict[str, int]]:
    """Per date, the non-zero adjustments of the compiled corrections file, by upstream key."""
    records = _load_records(file)
    out: dict[str, dict[str, int]] = {}
    for i, rec in enumerate(records):
        where = f"{file}: record {i}"
        if not isinstance(rec, dict) or not isinstance(rec.get("date"), str):
            raise UnusableInputError(f"{where}: expected an object with a 'date'")
        deltas = out.setdefault(rec["date"], {})
        for key, value in rec.items():
            if key in ("date", "day") or value is None:
                continue
            if isinstance(value, bool) or not isinstance(value, int):
                raise UnusableInputError(f"{where} ({rec['date']}): {key!r} is {value!r}, not a whole number")
            if value:
                deltas[key] = deltas.get(key, 0) + value
    return out


def _supersede(claims: list[dict[str, str]], deltas: dict[str, dict[str, int]], path: str) -> None:
    """Personnel claims of a corrected date supersede the previous record's (the figures stay as given)."""
    personnel = sorted((r for r in claims if r["claim_id"].endswith("-PERSONNEL")), key=lambda r: r["period_end"])
    for prev, row in zip(personnel, personnel[1:]):
        delta = deltas.get(row["period_end"], {}).get("personnel")
        if delta:
            figure = prev.get("value_best") or prev.get("value_low", "")
            row["supersedes_claim_id"] = prev["claim_id"]
            row["notes"] = adjustment_note(delta, f"corrections file {path}", prev["period_end"], figure, prev["claim_id"])


def adjustment_note(delta: int, where: str, prev_date: str, prev_figure: int | str, prev_id: str) -> str:
    return (f"This total includes a retroactive adjustment of {delta:+d} to the earlier running total ({where}): "
            f"it supersedes the figure of {prev_date} ({prev_figure}, {prev_id}).")


def _pow_claims(pows: list[tuple[str, str, int]]) -> list[dict[str, str]]:
    """The POW figures as Invaders' claims, each saying where the series' leading zeros are."""
    pows = sorted(pows, key=lambda p: p[1])
    zeros = 0
    while zeros < len(pows) and pows[zeros][2] == 0:
        zeros += 1
    lead = (f" The series' first {zeros} value(s) ({pows[0][1]} to {pows[zeros - 1][1]}) are 0 in the compiled file, which does "
            "not say whether 0 means none taken or none reported yet." if zeros else "")
    notes = ("Figure credited to Invaders (invaders-rf.com) by the compiled dataset's README (SRC-GENSTAFF-README), not a "
             "General Staff tally; the file gives a bare number, so its wording and Invaders' method are unknown. The README "
             f"says POW has not been tracked since 2022-04-28.{lead}")
    return [_claim(f"CLM-GENSTAFF-{stamp}-POW", "captured", "exact", "value_best", value, str(value), date,
                   claimant=POW_CLAIMANT_ID, method="unknown", notes=notes) for stamp, date, value in pows]


def read_genstaff(file: Path, *, source_txt: Path | None = None, corrections_file: Path | None = None) -> ImportBatch:
    """Read the compiled personnel-loss file (and its SOURCE.txt) into an `ImportBatch`.

    `source_txt` defaults to the SOURCE.txt beside `file`; without one the import stops, since the
    source row's commit, date and license cannot be known otherwise. `corrections_file` defaults
    to the compiled corrections file beside `file`, where present: a day whose personnel figure
    includes a retroactive adjustment supersedes the day before's claim.
    """
    file = Path(file)
    records = _load_records(file)
    info, upstream_path = _upstream(file, source_txt)
    txt = Path(source_txt) if source_txt is not None else file.parent / "SOURCE.txt"
    if corrections_file is None and (file.parent / _CORRECTIONS).is_file():
        corrections_file = file.parent / _CORRECTIONS
    corrections = None
    if corrections_file is not None:
        corrections = (Path(corrections_file), _upstream(Path(corrections_file), source_txt))

    claims: list[dict[str, str]] = []
    pows: list[tuple[str, str, int]] = []
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
            pows.append((stamp, date, _integer(rec["POW"], "'POW'", where)))
        counter = rec.get("day")
        if isinstance(counter, int) and not isinstance(counter, bool) and (day - PERIOD_START).days + 1 != counter:
            day_mismatch.append(date)
        unknown_keys.update(k for k in rec if k not in _KNOWN_KEYS)

    claims.extend(_pow_claims(pows))
    if corrections is not None:
        _supersede(claims, read_corrections(corrections[0]), corrections[1][1])
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
            "sources": [_source_row(info, upstream_path, corrections[1] if corrections else None)] + ([_readme_row(info, _readme(file, txt))] if pows else []),
            "actors": [_actor_row()] + ([_pow_actor_row()] if pows else []),
            "casualty_claims": claims,
        },
        retracted_date=info.commit_date,
        warnings=warnings,
    )


def _require_curated_actors(package_path: str | Path) -> None:
    _require_actors(package_path, {SUBJECT_ID: "subject of every claim", PARENT_ID: f"parent of {CLAIMANT_ID}"})


def _require_actors(package_path: str | Path, roles: dict[str, str]) -> None:
    """Refuse the import unless the package has these actors (id → the part it plays), which it never creates."""
    package = open_package(package_path)
    res = package.resources.get("actors")
    if res is None:
        raise UnusableInputError(f"{package.descriptor_path}: the package has no actors table; the import needs it")
    with open(res.path, encoding="utf-8", newline="") as fh:
        have = {row.get("actor_id", "") for row in csv.DictReader(fh)}
    missing = [f"{a} ({role})" for a, role in roles.items() if a not in have]
    if missing:
        raise ImportConflict(f"{res.path}: actor(s) {', '.join(missing)} missing; the import refers "
                             "to them but never creates them: add curated actors by hand first (docs/curation.md)")


def import_genstaff(file: str | Path, package_path: str | Path = ".", dry_run: bool = False, *,
                    source_txt: Path | None = None) -> ImportResult:
    """Read `file` and apply it to the package at `package_path` (nothing written when `dry_run`)."""
    batch = read_genstaff(Path(file), source_txt=source_txt)
    _require_curated_actors(package_path)
    return apply_import(batch, package_path, dry_run=dry_run)
