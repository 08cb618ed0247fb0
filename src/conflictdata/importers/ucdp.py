"""UCDP GED country extracts → events, actors, event_actors, event_sources and casualty_claims.

Columns are matched by name, so the 22.1, 20.x and 19.x layouts (reordered, added and missing
columns, floats where integers were, an HXL tag row under the header) all read the same way; a
missing required column is named. Mapping (docs/sources/ucdp-ged.md has the whole table):

- each GED event → `EVT-UCDP-<id>`; dates → date_start/date_end, their precision from the range;
  where_prec 1–7 → geo_precision; type_of_violence 1, 2 → armed_clash, 3 → violence_against_civilians;
- side_a/side_b → actors through the UCDP actor id: an actor of the package with that
  `ucdp_actor_id` (e.g. the curated ACT-UKR), else `ACT-UCDP-<ActorId>` (names from the UCDP
  Actor dataset when given); role `party` (UCDP's sides do not say who initiated);
- countries through Gleditsch–Ward codes (country_id, gwnoa) → ISO 3166 alpha-3, the pairs taken
  from the file's own `iso3` column and checked for consistency;
- low/best/high → one claim `CLM-UCDP-<id>` whose claimant is UCDP, method coded_estimate,
  over all parties to the event (no subject actor);
- `source_article` → event_sources.cited_sources, verbatim;
- `statement_date` of every claim: the date the release's codebook gives (`RELEASE_DATES`; for
  22.1 the extraction date on the codebook's title page), never the date of the copy imported;
  a release the importer does not know needs `statement_date=` (`--stated`).
"""

from __future__ import annotations

import csv
import datetime as dt
import re
from pathlib import Path

from ..contract.errors import UnusableInputError
from ..contract.package import open_package
from ..checking.rules import precision_range
from .merge import ImportBatch, ImportResult, apply_import
from .upstream import UpstreamInfo, read_source_txt

__all__ = ["read_ged", "import_ucdp_ged", "REQUIRED_COLUMNS", "RELEASE_DATES"]

REQUIRED_COLUMNS = ["id", "type_of_violence", "side_a_new_id", "side_a", "side_b_new_id", "side_b", "where_prec",
                    "where_coordinates", "latitude", "longitude", "country", "country_id", "iso3", "date_start", "date_end",
                    "low", "best", "high", "source_article"]
GEO_PRECISION = {1: "exact", 2: "near", 3: "admin2", 4: "admin1", 5: "region", 6: "country", 7: "international"}
EVENT_TYPE = {1: "armed_clash", 2: "armed_clash", 3: "violence_against_civilians"}
VIOLENCE = {1: "state-based violence", 2: "non-state violence", 3: "one-sided violence"}
# UCDP actor Org code 4 is a government (codebook 22.1); 1 is a rebel group. Others stay `other`.
ACTOR_TYPE = {4: "state", 1: "non_state_armed_group"}
UCDP_ACTOR = "ACT-UCDP"
# GED release → (the date its codebook gives, where). The codebooks give no release day; 22.1's title
# page (ged221.pdf, page 1) reads "Data extracted from UCDP systems on 2022-04-27": the latest date UCDP's
# estimates can be said to be stated by, and a date of UCDP's, not of a mirror.
RELEASE_DATES = {"22.1": ("2022-04-27", "the GED 22.1 codebook (Högbladh 2022, 'UCDP GED Codebook version 22.1', "
                                        "page 1: 'Data extracted from UCDP systems on 2022-04-27')")}
GED_SOURCE = "SRC-UCDP-GED-UKR"
ACTORS_SOURCE = "SRC-UCDP-ACTORS"
PREFIXES = {"sources": ("SRC-UCDP-",), "actors": (UCDP_ACTOR,), "events": ("EVT-UCDP-",), "event_actors": ("EVT-UCDP-",),
            "event_sources": ("EVT-UCDP-",), "casualty_claims": ("CLM-UCDP-",)}


def _int(value: str, *, what: str, where: str) -> int:
    try:
        f = float(value)
    except ValueError:
        raise UnusableInputError(f"{where}: {what} {value!r} is not a number") from None
    if not f.is_integer():
        raise UnusableInputError(f"{where}: {what} {value!r} is not a whole number")
    return int(f)


def _number(value: str) -> str:
    return repr(float(value)) if value.strip() else ""


def _date(value: str, *, what: str, where: str) -> dt.date:
    try:
        return dt.date.fromisoformat(value.strip()[:10])
    except ValueError:
        raise UnusableInputError(f"{where}: {what} {value!r} is not a date") from None


def _precision(start: dt.date, end: dt.date) -> str:
    for p in ("day", "week", "month", "quarter", "year"):
        if precision_range(start, p) == (start, end):
            return p
    return "range"


def _read_rows(file: Path) -> tuple[list[str], list[tuple[int, dict[str, str]]]]:
    try:
        fh = open(file, encoding="utf-8-sig", newline="")
    except OSError as exc:
        raise UnusableInputError(f"{file}: cannot read ({exc.strerror})") from None
    with fh:
        reader = csv.DictReader(fh)
        header = list(reader.fieldnames or [])
        missing = [c for c in REQUIRED_COLUMNS if c not in header]
        if missing:
            raise UnusableInputError(f"{file}: required column{'s' if len(missing) > 1 else ''} {', '.join(repr(m) for m in missing)} "
                                     f"missing from the header (a UCDP GED file needs {', '.join(REQUIRED_COLUMNS)})")
        rows = []
        for row in reader:
            line = reader.line_num
            # HDX extracts carry an HXL hashtag row (#date+year, #geo+lat...) right under the header.
            if not row.get("id") and any((v or "").startswith("#") for v in row.values()):
                continue
            rows.append((line, row))
    return header, rows


def _actor_list(file: Path | None) -> dict[int, dict[str, str]]:
    if file is None:
        return {}
    try:
        with open(file, encoding="utf-8-sig", newline="") as fh:
            reader = csv.DictReader(fh)
            if "ActorId" not in (reader.fieldnames or []):
                raise UnusableInputError(f"{file}: no 'ActorId' column: is this the UCDP Actor dataset?")
            return {int(r["ActorId"]): r for r in reader if r.get("ActorId")}
    except OSError as exc:
        raise UnusableInputError(f"{file}: cannot read ({exc.strerror})") from None


def _release(file: Path, statement_date: str | None) -> tuple[str, str]:
    """The statement date of the release's claims and what it is, from SOURCE.txt's 'GED release X' or the caller."""
    txt = file.parent / "SOURCE.txt"
    text = txt.read_text(encoding="utf-8") if txt.exists() else ""
    m = re.search(r"GED release (\d+\.\d+)", text)
    if statement_date is not None:
        try:
            dt.date.fromisoformat(statement_date)
        except ValueError:
            raise UnusableInputError(f"statement date {statement_date!r} is not a date YYYY-MM-DD") from None
        return statement_date, "the date given by the importer's caller for this release"
    if m and m[1] in RELEASE_DATES:
        return RELEASE_DATES[m[1]]
    release = f"GED release {m[1]}" if m else "no 'GED release X.Y'"
    raise UnusableInputError(f"{txt}: names {release}; the claims' statement_date is the date that release's codebook gives "
                             f"(known: {', '.join(RELEASE_DATES)}): pass it with --stated YYYY-MM-DD, never the date of a copy")


def _source_rows(info: UpstreamInfo, file: Path, actors: tuple[Path, UpstreamInfo] | None, stated: tuple[str, str]) -> list[dict[str, str]]:
    title = (file.parent / "SOURCE.txt").read_text(encoding="utf-8").splitlines()[0].strip() if (file.parent / "SOURCE.txt").exists() else file.name
    rows = [{
        "source_id": GED_SOURCE, "title": title, "publisher": "Uppsala Conflict Data Program (UCDP)", "via": info.repository,
        "url": info.url, "published_date": info.commit_date, "language": "en", "source_type": "dataset", "license": info.license,
        "notes": (f"File {file.name} (sha256 {info.sha256}) from {info.repository} at commit {info.commit} ({info.commit_date}); "
                  f"license as recorded: {info.license_text}. published_date is the date of that copy, not of UCDP's release. "
                  f"The claims' statement_date is {stated[0]}, {stated[1]}; the codebook gives no release date. "
                  "Fatality figures are UCDP's coded estimates (claims), not verified counts."),
    }]
    if actors:
        path, a = actors
        rows.append({
            "source_id": ACTORS_SOURCE, "title": "UCDP Actor Dataset", "publisher": "Uppsala Conflict Data Program (UCDP)", "via": a.repository,
            "url": a.url, "published_date": a.commit_date, "language": "en", "source_type": "dataset", "license": a.license,
            "notes": f"File {path.name} (sha256 {a.sha256}) from {a.repository} at commit {a.commit} ({a.commit_date}); license as recorded: {a.license_text}.",
        })
    return rows


def _lineage(entry: dict[str, str] | None) -> str:
    """What the Actor dataset says of where a group came from: what tells apart groups of one name."""
    if not entry:
        return ""
    out = []
    if entry.get("Splinter") == "1" and entry.get("ActorIdPrev"):
        out.append(f"a splinter of {entry.get('NamePrev', '').strip()} (UCDP {entry['ActorIdPrev'].strip()})")
    if entry.get("SplitTemp") == "1" and entry.get("ActorIdSplitTemp"):
        out.append(f"a temporary split from {entry.get('NameSplitTemp', '').strip()} (UCDP {entry['ActorIdSplitTemp'].strip()})")
    if entry.get("Alliance") == "1" and entry.get("ActorIdAlliance"):
        out.append(f"entered the alliance that formed {entry.get('NameAlliance', '').strip()} (UCDP {entry['ActorIdAlliance'].strip()})")
    if entry.get("JoinGroup") == "1" and entry.get("ActorIdGroup"):
        out.append(f"joined {entry.get('GroupName', '').strip()} (UCDP {entry['ActorIdGroup'].strip()})")
    if not out:
        return ""
    conflicts = entry.get("ConflictId", "").strip()
    where = f"; conflict {conflicts}" if conflicts else ""
    return f" In the UCDP Actor Dataset: {', and '.join(out)}{where}."


def read_ged(file: Path, *, actors_file: Path | None = None, package_path: str | Path | None = ".",
             statement_date: str | None = None) -> ImportBatch:
    """Read a GED extract (and optionally the UCDP Actor dataset) into an import batch for the package.

    `statement_date` is needed only for a release not in `RELEASE_DATES`: the date its codebook gives.
    """
    file = Path(file)
    info = read_source_txt(file)
    actor_info = (Path(actors_file), read_source_txt(Path(actors_file))) if actors_file else None
    ucdp_actors = _actor_list(Path(actors_file) if actors_file else None)
    package = open_package(package_path)
    known: dict[int, str] = {}
    res = package.resources.get("actors")
    if res is not None:
        with open(res.path, encoding="utf-8", newline="") as fh:
            for r in csv.DictReader(fh):
                if r.get("ucdp_actor_id") and not r["actor_id"].startswith(UCDP_ACTOR):
                    known[int(r["ucdp_actor_id"])] = r["actor_id"]
    _, rows = _read_rows(file)
    stated = _release(file, statement_date)
    where = lambda line: f"{file}:{line}"  # noqa: E731

    gw_iso: dict[int, str] = {}
    for line, r in rows:
        gw = _int(r["country_id"], what="country_id", where=where(line))
        iso = r["iso3"].strip()
        if gw_iso.setdefault(gw, iso) != iso:
            raise UnusableInputError(f"{where(line)}: Gleditsch–Ward code {gw} is {iso} here but {gw_iso[gw]} elsewhere in the file")

    batch_rows: dict[str, list[dict[str, str]]] = {t: [] for t in ("sources", "actors", "events", "event_actors", "event_sources", "casualty_claims")}
    batch_rows["sources"] = _source_rows(info, file, actor_info, stated)
    batch_rows["actors"].append({
        "actor_id": UCDP_ACTOR, "name": "Uppsala Conflict Data Program", "actor_type": "other", "country_iso3": "SWE",
        "description": "Research programme at Uppsala University that codes organised violence (UCDP); claimant of the GED fatality estimates.",
        "source_id": GED_SOURCE,
    })
    actor_ids: dict[int, str] = {}
    warnings: list[str] = []

    def actor(ucdp_id: int, name: str, gw: str, line: int) -> str:
        if ucdp_id in known:
            return known[ucdp_id]
        if ucdp_id not in actor_ids:
            aid = f"{UCDP_ACTOR}-{ucdp_id}"
            actor_ids[ucdp_id] = aid
            entry = ucdp_actors.get(ucdp_id)
            if actors_file and entry is None:
                raise UnusableInputError(f"{where(line)}: UCDP actor {ucdp_id} ({name}) is not in {actors_file}")
            org = _int(entry["Org"], what="Org", where=str(actors_file)) if entry and entry.get("Org") else None
            kind = ACTOR_TYPE.get(org, "other") if org is not None else "other"
            country = gw_iso.get(_int(gw, what="gwno", where=where(line)), "") if kind == "state" and gw.strip() else ""
            full = (entry or {}).get("NameOrigFullEng", "").strip()
            batch_rows["actors"].append({
                "actor_id": aid, "name": (entry or {}).get("NameData", name).strip() or name, "actor_type": kind,
                "country_iso3": country, "ucdp_actor_id": str(ucdp_id),
                "description": f"UCDP actor {ucdp_id}" + (f": {full}" if full else "") + "." + _lineage(entry),
                "source_id": ACTORS_SOURCE if entry else GED_SOURCE,
            })
        return actor_ids[ucdp_id]

    seen: set[int] = set()
    for line, r in rows:
        w = where(line)
        gid = _int(r["id"], what="id", where=w)
        if gid in seen:
            raise UnusableInputError(f"{w}: GED id {gid} appears twice")
        seen.add(gid)
        eid = f"EVT-UCDP-{gid}"
        start, end = _date(r["date_start"], what="date_start", where=w), _date(r["date_end"], what="date_end", where=w)
        violence = _int(r["type_of_violence"], what="type_of_violence", where=w)
        if violence not in EVENT_TYPE:
            raise UnusableInputError(f"{w}: type_of_violence {violence} is not 1, 2 or 3")
        prec = _int(r["where_prec"], what="where_prec", where=w)
        if prec not in GEO_PRECISION:
            raise UnusableInputError(f"{w}: where_prec {prec} is not 1–7")
        low, best, high = (_int(r[c], what=c, where=w) for c in ("low", "best", "high"))
        a = actor(_int(r["side_a_new_id"], what="side_a_new_id", where=w), r["side_a"], r.get("gwnoa", ""), line)
        b = actor(_int(r["side_b_new_id"], what="side_b_new_id", where=w), r["side_b"], r.get("gwnob", ""), line)
        place = r["where_coordinates"].strip()
        batch_rows["events"].append({
            "event_id": eid, "title": f"{r['side_a'].strip()} vs {r['side_b'].strip()} at {place}",
            "summary": (f"UCDP GED event {gid}: {VIOLENCE[violence]} between {r['side_a'].strip()} and {r['side_b'].strip()} at {place} "
                        f"({r['country'].strip()}), {start} to {end}; UCDP estimates {best} deaths (low {low}, high {high})."),
            "event_type": EVENT_TYPE[violence], "date_start": str(start), "date_end": str(end), "date_precision": _precision(start, end),
            "country_iso3": gw_iso[_int(r["country_id"], what="country_id", where=w)], "location": place,
            "latitude": _number(r["latitude"]), "longitude": _number(r["longitude"]), "geo_precision": GEO_PRECISION[prec],
            "occurrence": "reported",
        })
        for actor_id in dict.fromkeys((a, b)):
            batch_rows["event_actors"].append({"event_id": eid, "actor_id": actor_id, "role": "party", "certainty": "known"})
        relid = (r.get("relid") or "").strip()
        batch_rows["event_sources"].append({
            "event_id": eid, "source_id": GED_SOURCE, "quote": "", "locator": f"GED id {gid}" + (f" (relid {relid})" if relid else ""),
            "cited_sources": r["source_article"].strip(),
        })
        batch_rows["casualty_claims"].append({
            "claim_id": f"CLM-UCDP-{gid}", "claimant_actor_id": UCDP_ACTOR, "subject_actor_id": "", "measure": "killed",
            "value_low": str(low), "value_best": str(best), "value_high": str(high), "qualifier": "range",
            "value_text": f"best {best} (low {low}, high {high})", "count_basis": "period", "period_start": str(start),
            "period_end": str(end), "statement_date": stated[0], "method": "coded_estimate", "event_id": eid,
            "source_id": GED_SOURCE,
            "notes": "UCDP's total over all parties to the event (deaths of side a, side b, civilians and unknown).",
        })
    names: dict[str, list[str]] = {}
    for row in batch_rows["actors"]:
        names.setdefault(row["name"], []).append(row.get("ucdp_actor_id") or row["actor_id"])
    for row in batch_rows["actors"]:
        others = [i for i in names[row["name"]] if i != (row.get("ucdp_actor_id") or row["actor_id"])]
        if others:
            row["description"] += f" Another UCDP actor of the same name: {', '.join(others)}."
    for name, ids in sorted(names.items()):
        if len(ids) > 1:
            warnings.append(f"UCDP actors {', '.join(ids)} are all named {name!r}: distinct UCDP ids, kept as distinct actors")
    return ImportBatch("ucdp-ged", PREFIXES, batch_rows, info.commit_date, warnings)


def import_ucdp_ged(file: str | Path, *, actors_file: str | Path | None = None, package_path: str | Path | None = ".", dry_run: bool = False,
                    statement_date: str | None = None) -> ImportResult:
    """Read a GED extract and merge it into the package at `package_path`."""
    batch = read_ged(Path(file), actors_file=Path(actors_file) if actors_file else None, package_path=package_path,
                     statement_date=statement_date)
    return apply_import(batch, package_path, dry_run=dry_run)
