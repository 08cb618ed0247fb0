"""Oryx's documented equipment losses, as the compiled dataset copied them at each of its versions.

Oryx lists only losses with photo or video evidence (the compiled dataset's README, "Data
Sources" 3). The compiled file `russia_losses_equipment_oryx.json` lists them by model under
Oryx's category; SOURCE.txt beside the data names every version of that file in the repository's
history (date, commit, sha256). Each file given is matched to its version by its sha256, and
becomes:

- one source row per version (`SRC-ORYX-YYYYMMDD`);
- per category, one cumulative claim of Oryx (`ACT-ORYX`) about `ACT-RUS-AF`: the sum over the
  category's models, qualifier `at_least` (Oryx's own caveat: the losses are "significantly higher
  than recorded here"), method `visually_confirmed`, id `CLM-ORYX-YYYYMMDD-<MEASURE>`, dated the
  version's commit (the day the compiler copied Oryx's totals: the file carries no date of Oryx's);
- per model listed, one `claim_breakdowns` row (its position in the file, model, manufacturer,
  figure), so every total is the sum of its parts, duplicates listed upstream included.

Layout drift: the first version names the category `equipment` (later `equipment_oryx`) and has
no `equipment_ua` (the compiler's mapping onto the General Staff's categories, which is not
Oryx's and is not imported). Categories that appear or vanish between versions (Oryx split
"Unmanned Aerial Vehicles" in two by 2022-11-27) are series of their own. A category whose total
falls from one version to the next was revised by Oryx: its new claim supersedes the old.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from ..contract.errors import UnusableInputError
from ..checking.integrity import sha256_file
from .genstaff import SUBJECT_ID, _integer, _load_records, _require_actors
from .merge import ImportBatch, ImportResult, apply_import
from .upstream import read_source_txt

__all__ = ["read_oryx", "import_oryx", "CATEGORIES", "PREFIXES", "CLAIMANT_ID", "OryxVersion"]

NAME = "oryx"
CLAIMANT_ID = "ACT-ORYX"
PREFIXES: dict[str, tuple[str, ...]] = {"sources": ("SRC-ORYX-",), "actors": (CLAIMANT_ID,), "casualty_claims": ("CLM-ORYX-",),
                                        "claim_breakdowns": ("CLM-ORYX-",)}
# Oryx's category → measure. Where Oryx's category is the General Staff's (tanks, aircraft,
# helicopters, MLRS, naval ships) the measure is shared, so the two can be compared; the others
# keep Oryx's finer category.
CATEGORIES: dict[str, str] = {
    "Tanks": "tanks",
    "Armoured Fighting Vehicles": "armoured_fighting_vehicles",
    "Infantry Fighting Vehicles": "infantry_fighting_vehicles",
    "Armoured Personnel Carriers": "armoured_personnel_carriers",
    "Mine-Resistant Ambush Protected": "mrap_vehicles",
    "Infantry Mobility Vehicles": "infantry_mobility_vehicles",
    "Command Posts And Communications Stations": "command_posts_and_communications_stations",
    "Engineering Vehicles And Equipment": "engineering_vehicles_and_equipment",
    "Self-Propelled Anti-Tank Missile Systems": "self_propelled_anti_tank_missile_systems",
    "Heavy Mortars": "heavy_mortars",
    "Artillery Support Vehicles And Equipment": "artillery_support_vehicles_and_equipment",
    "Towed Artillery": "towed_artillery",
    "Self-Propelled Artillery": "self_propelled_artillery",
    "Multiple Rocket Launchers": "mlrs",
    "Anti-Aircraft Guns": "anti_aircraft_guns",
    "Self-Propelled Anti-Aircraft Guns": "self_propelled_anti_aircraft_guns",
    "Surface-To-Air Missile Systems": "surface_to_air_missile_systems",
    "Radars": "radars",
    "Jammers And Deception Systems": "jammers_and_deception_systems",
    "Aircraft": "aircraft",
    "Helicopters": "helicopters",
    "Unmanned Aerial Vehicles": "unmanned_aerial_vehicles",
    "Unmanned Combat Aerial Vehicles": "unmanned_combat_aerial_vehicles",
    "Reconnaissance Unmanned Aerial Vehicles": "reconnaissance_unmanned_aerial_vehicles",
    "Naval Ships": "naval_ships",
    "Logistics Trains": "logistics_trains",
    "Trucks, Vehicles and Jeeps": "trucks_vehicles_and_jeeps",
}
_CATEGORY_KEYS = ("equipment_oryx", "equipment")  # the first version says `equipment`
_VERSION = re.compile(r"^\s*(\d{4}-\d{2}-\d{2})\s+([0-9a-f]{40})\s+([0-9a-f]{64})\s+(\d+)\s*$")
_UPSTREAM_PATH = "data/russia_losses_equipment_oryx.json"
# The README's link for Oryx, "Data Sources" item 3.
_ORYX_URL = "https://www.oryxspioenkop.com/2022/02/attack-on-europe-documenting-equipment.html"


@dataclass(frozen=True, slots=True)
class OryxVersion:
    date: str
    commit: str
    sha256: str


def _source_txt(file: Path, source_txt: Path | None) -> Path:
    if source_txt is not None:
        return Path(source_txt)
    for folder in (file.parent, file.parent.parent):  # oryx-history/ sits beside SOURCE.txt
        if (folder / "SOURCE.txt").is_file():
            return folder / "SOURCE.txt"
    raise UnusableInputError(f"{file}: no SOURCE.txt beside it or in its parent folder; pass source_txt= the SOURCE.txt "
                             "that lists the file's versions (date, commit, sha256, bytes)")


def versions(txt: Path) -> dict[str, OryxVersion]:
    """The versions SOURCE.txt lists for the Oryx file, by sha256."""
    out = {}
    for line in txt.read_text(encoding="utf-8").splitlines():
        m = _VERSION.match(line)
        if m:
            out[m[3]] = OryxVersion(m[1], m[2], m[3])
    return out


def _claim_id(version: OryxVersion, measure: str) -> str:
    return f"CLM-ORYX-{version.date.replace('-', '')}-{measure.upper().replace('_', '-')}"


def _read_version(file: Path, version: OryxVersion) -> tuple[dict[str, list[dict[str, str]]], dict[str, int]]:
    """Model rows per measure (claim_breakdowns rows without claim_id) and the total per measure."""
    records = _load_records(file)
    parts: dict[str, list[dict[str, str]]] = {}
    totals: dict[str, int] = {}
    for i, rec in enumerate(records, start=1):
        where = f"{file}: record {i}"
        if not isinstance(rec, dict):
            raise UnusableInputError(f"{where}: expected a JSON object, got {type(rec).__name__}")
        category = next((rec[k] for k in _CATEGORY_KEYS if isinstance(rec.get(k), str)), None)
        if category is None:
            raise UnusableInputError(f"{where}: no category ({' or '.join(_CATEGORY_KEYS)})")
        measure = CATEGORIES.get(category.strip())
        if measure is None:
            raise UnusableInputError(f"{where}: Oryx category {category!r} has no measure: add it to oryx.CATEGORIES "
                                     "and the measure to casualty_claims.measure's enum")
        model = rec.get("model")
        if not isinstance(model, str) or not model.strip():
            raise UnusableInputError(f"{where}: no 'model'")
        value = _integer(rec.get("losses_total"), "'losses_total'", where)
        manufacturer = rec.get("manufacturer")
        parts.setdefault(measure, []).append({"entry": str(i), "model": model.strip(),
                                              "manufacturer": manufacturer.strip() if isinstance(manufacturer, str) else "",
                                              "value": str(value)})
        totals[measure] = totals.get(measure, 0) + value
    return parts, totals


def read_oryx(files: list[Path], *, source_txt: Path | None = None) -> ImportBatch:
    """Read versions of the compiled Oryx file into an `ImportBatch` (each version once, in date order)."""
    if not files:
        raise UnusableInputError("no Oryx file given")
    chosen: dict[str, tuple[Path, OryxVersion]] = {}
    info = None
    for file in map(Path, files):
        txt = _source_txt(file, source_txt)
        info = read_source_txt(file, txt)
        known = versions(txt)
        digest = sha256_file(file)
        if digest not in known:
            raise UnusableInputError(f"{file}: sha256 {digest} is none of the {len(known)} versions {txt} lists; add the "
                                     "version's line (date, commit, sha256, bytes) to SOURCE.txt")
        v = known[digest]
        chosen.setdefault(v.date, (file, v))  # the current file and its dated copy are one version
    assert info is not None
    first = f"SRC-ORYX-{min(chosen).replace('-', '')}"
    rows: dict[str, list[dict[str, str]]] = {"sources": [], "actors": [_actor_row(first)], "casualty_claims": [], "claim_breakdowns": []}
    previous: dict[str, tuple[str, int]] = {}
    for date in sorted(chosen):
        file, v = chosen[date]
        parts, totals = _read_version(file, v)
        sid = f"SRC-ORYX-{date.replace('-', '')}"
        rows["sources"].append({
            "source_id": sid, "title": f"Oryx-documented Russian equipment losses by model, {_UPSTREAM_PATH} of "
                                       f"2022-Ukraine-Russia-War-Dataset at commit {v.commit[:7]} ({date})",
            "publisher": "Petro Ivaniuk", "via": "", "url": info.url, "published_date": date, "language": "en",
            "source_type": "dataset", "license": info.license,
            "notes": (f"Version of {_UPSTREAM_PATH} of {info.url} written by commit {v.commit} ({date}), sha256 {v.sha256}: the "
                      f"compiler's copy of Oryx's list ({_ORYX_URL}, as the README links it) by category and model. Oryx "
                      "counts only losses with photo or video evidence. Imported by conflictdata.importers.oryx: per "
                      "category one claim (CLM-ORYX-YYYYMMDD-<MEASURE>), the sum over its models, whose parts are in "
                      "claim_breakdowns."),
        })
        for measure in sorted(totals):
            cid = _claim_id(v, measure)
            total = totals[measure]
            row = {
                "claim_id": cid, "claimant_actor_id": CLAIMANT_ID, "subject_actor_id": SUBJECT_ID, "measure": measure,
                "qualifier": "at_least", "value_low": str(total), "value_text": f"{total} (sum over {len(parts[measure])} listed models)",
                "count_basis": "cumulative", "period_end": date, "statement_date": date, "method": "visually_confirmed",
                "source_id": sid, "notes": "",
            }
            before = previous.get(measure)
            if before is not None and total < before[1]:
                row["supersedes_claim_id"] = before[0]
                row["notes"] = (f"Oryx revised this category down from {before[1]} ({before[0]}): the later list supersedes "
                                "the earlier.")
            rows["casualty_claims"].append(row)
            rows["claim_breakdowns"].extend({"claim_id": cid, **part} for part in parts[measure])
            previous[measure] = (cid, total)
    return ImportBatch(NAME, dict(PREFIXES), rows, max(chosen), [])


def _actor_row(source_id: str) -> dict[str, str]:
    return {
        "actor_id": CLAIMANT_ID, "name": "Oryx", "actor_type": "other",
        "description": ("Oryx (Oryxspioenkop), whose list of equipment losses in the 2022 invasion of Ukraine counts only losses "
                        "with photo or video evidence, as the compiled dataset's README describes it."),
        "source_id": source_id,
    }


def import_oryx(files: list[str | Path], package_path: str | Path = ".", dry_run: bool = False, *,
                source_txt: Path | None = None) -> ImportResult:
    """Read versions of the Oryx file and apply them to the package at `package_path`."""
    batch = read_oryx([Path(f) for f in files], source_txt=source_txt)
    _require_actors(package_path, {SUBJECT_ID: "subject of every claim"})
    return apply_import(batch, package_path, dry_run=dry_run)
