"""The General Staff's equipment series: Ukraine's daily cumulative claims of Russian equipment losses.

Reads `russia_losses_equipment.json` of the compiled 2022-Ukraine-Russia-War-Dataset (and, if
given, its `russia_losses_equipment_correction.json`) into an `ImportBatch`: per record and
category a cumulative claim of the General Staff (`ACT-UKR-GENSTAFF`, created by the personnel
import) about `ACT-RUS-AF`, id `CLM-GSEQ-YYYYMMDD-<MEASURE>`. The upstream categories map to
`casualty_claims.measure` values through `CATEGORIES`; a category present only part of the
series (military auto and fuel tank until 2022-04-30, then merged into vehicles and fuel tanks;
submarines from 2023-09-14; ...) is simply a series of fewer days.

The corrections file gives, per date, the retroactive adjustment that day's running total
includes (negative where the General Staff took losses back). The figure of that date for each
adjusted category then supersedes the running total of the record before it
(`supersedes_claim_id`): a later total that revises an earlier one, so a corrected series does
not read as a fall. Nothing is added to or subtracted from any figure.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from ..contract.errors import UnusableInputError
from .genstaff import CLAIMANT_ID, adjustment_note, PERIOD_START, SUBJECT_ID, _integer, _load_records, _require_actors, _upstream, read_corrections
from .merge import ImportBatch, ImportResult, apply_import
from .upstream import UpstreamInfo

__all__ = ["read_genstaff_equipment", "import_genstaff_equipment", "CATEGORIES", "PREFIXES", "SOURCE_ID", "CORRECTIONS_SOURCE_ID"]

NAME = "genstaff-equipment"
SOURCE_ID = "SRC-GSEQ-EQUIPMENT"
CORRECTIONS_SOURCE_ID = "SRC-GSEQ-CORRECTIONS"
PREFIXES: dict[str, tuple[str, ...]] = {"sources": ("SRC-GSEQ-",), "casualty_claims": ("CLM-GSEQ-",)}
# Upstream key → measure. The README's "Tracking" list says what each is (naval ship: warships and
# boats; drone: UAV+RPA). 'APC' is `armoured_vehicles`, not Oryx's `armoured_personnel_carriers`: the
# compiler maps Oryx's AFVs, IFVs, APCs, MRAPs, command posts and engineering vehicles all onto it.
CATEGORIES: dict[str, str] = {
    "tank": "tanks",
    "APC": "armoured_vehicles",
    "field artillery": "artillery_systems",
    "MRL": "mlrs",
    "anti-aircraft warfare": "air_defence_systems",
    "aircraft": "aircraft",
    "helicopter": "helicopters",
    "drone": "drones",
    "naval ship": "naval_ships",
    "submarines": "submarines",
    "cruise missiles": "cruise_missiles",
    "mobile SRBM system": "mobile_srbm_systems",
    "vehicles and fuel tanks": "vehicles_and_fuel_tanks",
    "military auto": "military_vehicles",
    "fuel tank": "fuel_tanks",
    "special equipment": "special_equipment",
    "ground robotic systems": "ground_robotic_systems",
}
# Text, not a figure: the direction the day's report names.
_NOT_FIGURES = {"date", "day", "greatest losses direction"}


def claim_id(date: str, measure: str) -> str:
    return f"CLM-GSEQ-{date.replace('-', '')}-{measure.upper().replace('_', '-')}"


def _source_rows(info: UpstreamInfo, path: str, corrections: tuple[UpstreamInfo, str] | None) -> list[dict[str, str]]:
    repo = info.url.rsplit("/", 1)[-1]
    rows = [{
        "source_id": SOURCE_ID, "title": f"{repo} (compiled by Petro Ivaniuk), file {path}", "publisher": "Petro Ivaniuk",
        "url": info.url, "published_date": info.commit_date, "language": "en", "source_type": "dataset", "license": info.license,
        "notes": (f"File {path} of {info.url} at commit {info.commit} ({info.commit_date}), sha256 {info.sha256}. Daily cumulative "
                  "figures of Russian equipment losses published by the General Staff of the Armed Forces of Ukraine (README: "
                  "'Main data sources are General Staff of the Armed Forces of Ukraine and Ministry of Defence of Ukraine'), "
                  "compiled by the dataset's author: claims, not verified counts. Imported by "
                  "conflictdata.importers.genstaff_equipment, one claim per record and category "
                  "(CLM-GSEQ-YYYYMMDD-<MEASURE>; the categories and their measures: docs/sources/genstaff-equipment.md). "
                  "value_text is the bare figure the file gives. 'greatest losses direction' (a place name) is not imported."),
    }]
    if corrections:
        c, cpath = corrections
        rows.append({
            "source_id": CORRECTIONS_SOURCE_ID, "title": f"{repo} (compiled by Petro Ivaniuk), file {cpath}", "publisher": "Petro Ivaniuk",
            "url": c.url, "published_date": c.commit_date, "language": "en", "source_type": "dataset", "license": c.license,
            "notes": (f"File {cpath} of {c.url} at commit {c.commit} ({c.commit_date}), sha256 {c.sha256}: per date, the "
                      "retroactive adjustment that day's cumulative figures include, per category (README: 'contains some data "
                      "correction in Equipment Losses Dataset'). Where it is not 0, the day's claim supersedes the previous "
                      "day's (supersedes_claim_id) and its notes give the adjustment; no figure is changed."),
        })
    return rows


def read_genstaff_equipment(file: Path, corrections_file: Path | None = None, *, source_txt: Path | None = None) -> ImportBatch:
    """Read the compiled equipment file (and its corrections file) into an `ImportBatch`."""
    file = Path(file)
    records = _load_records(file)
    info, path = _upstream(file, source_txt)
    corrections = None
    deltas: dict[str, dict[str, int]] = {}
    if corrections_file is not None:
        corrections_file = Path(corrections_file)
        deltas = read_corrections(corrections_file)
        corrections = _upstream(corrections_file, source_txt)

    claims: dict[str, dict[str, str]] = {}
    series: dict[str, list[tuple[str, str, int]]] = {}  # measure → [(date, claim id, figure)] in date order
    unknown: set[str] = set()
    seen: set[str] = set()
    for i, rec in enumerate(sorted(records, key=lambda r: str(r.get("date", "")) if isinstance(r, dict) else "")):
        where = f"{file}: record {i}"
        if not isinstance(rec, dict) or not isinstance(rec.get("date"), str):
            raise UnusableInputError(f"{where}: expected an object with a 'date'")
        date = rec["date"]
        try:
            if dt.date.fromisoformat(date).isoformat() != date:
                raise ValueError
        except ValueError:
            raise UnusableInputError(f"{where}: date {date!r} is not written YYYY-MM-DD") from None
        if date in seen:
            raise UnusableInputError(f"{where} ({date}): the date occurs again; one record per day")
        seen.add(date)
        for key, value in rec.items():
            if key in _NOT_FIGURES or value is None:
                continue
            if key not in CATEGORIES:
                unknown.add(key)
                continue
            measure = CATEGORIES[key]
            figure = _integer(value, repr(key), f"{where} ({date})")
            cid = claim_id(date, measure)
            claims[cid] = {
                "claim_id": cid, "claimant_actor_id": CLAIMANT_ID, "subject_actor_id": SUBJECT_ID, "measure": measure,
                "qualifier": "exact", "value_best": str(figure), "value_text": str(figure), "count_basis": "cumulative",
                "period_start": PERIOD_START.isoformat(), "period_end": date, "statement_date": date, "method": "official_tally",
                "source_id": SOURCE_ID,
            }
            series.setdefault(measure, []).append((date, cid, figure))

    warnings: list[str] = []
    for date, adjusted in sorted(deltas.items()):
        for key, delta in sorted(adjusted.items()):
            measure = CATEGORIES.get(key)
            if measure is None:
                warnings.append(f"{corrections_file}: {date}: the adjustment of {key!r} ({delta:+d}) is not applied: "
                                f"{'the personnel claims are the genstaff import' + chr(39) + 's, which applies it' if key == 'personnel' else 'no such equipment category'}")
                continue
            days = series.get(measure, [])
            at = next((j for j, (d, _, _) in enumerate(days) if d == date), None)
            if at is None or at == 0:
                warnings.append(f"{corrections_file}: {date}: no {key!r} figure of that date (or none before it) to supersede; "
                                f"the adjustment {delta:+d} is not applied")
                continue
            prev_date, prev_id, prev_figure = days[at - 1]
            row = claims[days[at][1]]
            row["supersedes_claim_id"] = prev_id
            row["notes"] = adjustment_note(delta, f"corrections file, {CORRECTIONS_SOURCE_ID}", prev_date, prev_figure, prev_id)
    if unknown:
        warnings.append(f"{file}: categor{'ies' if len(unknown) > 1 else 'y'} {', '.join(sorted(unknown))} not imported: "
                        "add each to CATEGORIES with a measure (and the measure to casualty_claims.measure's enum)")
    return ImportBatch(
        name=NAME, prefixes=dict(PREFIXES),
        rows={"sources": _source_rows(info, path, corrections), "casualty_claims": sorted(claims.values(), key=lambda r: r["claim_id"])},
        retracted_date=info.commit_date, warnings=warnings,
    )


def import_genstaff_equipment(file: str | Path, corrections_file: str | Path | None = None, package_path: str | Path = ".",
                              dry_run: bool = False, *, source_txt: Path | None = None) -> ImportResult:
    """Read `file` (and `corrections_file`) and apply them to the package at `package_path`."""
    batch = read_genstaff_equipment(Path(file), Path(corrections_file) if corrections_file else None, source_txt=source_txt)
    _require_actors(package_path, {SUBJECT_ID: "subject of every claim",
                                   CLAIMANT_ID: "the claimant; run `conflictdata import genstaff` (personnel) first"})
    return apply_import(batch, package_path, dry_run=dry_run)
