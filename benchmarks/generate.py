"""Synthetic data packages in the conflictdata schema, at any size, valid or with planted errors.

    python benchmarks/generate.py OUT --events N [--format csv|parquet|both] [--errors K] [--seed S]
                                      [--kinds KIND,...] [--chunk ROWS]

Writes a complete package into OUT (which must be empty or absent): `datapackage.json` and
`schema/` copied from this repository, and `data/<table>.csv` for every table. With
`--format parquet` or `both`, also `data/<table>.parquet` for every table and a second descriptor,
`datapackage-parquet.json`, whose resources point at them (`"format": "parquet"`). Parquet columns
carry the Arrow types the schema implies (as `conflictdata build` writes them).

The tables:
- sources: 300, `SRC-SYN-0001`...; all `source_type` dataset (so claims need no quotes and no
  snapshots are involved), except the last 10, news reports without snapshot that only the claims
  with a planted `claim-value-order` cite (a value-order problem in a dataset's claim is a warning,
  in any other source's an error);
- actors: 3,000, `ACT-SYN-0001`..., parent links only to earlier actors (so no cycles),
  `country_iso3` from data/countries.csv;
- events: N, `EVT-SYN-<n>` (zero-padded so that file order is primary-key order), one day each
  between 2014-01-01 and 2024-12-31 (precision `day`), in Ukraine or western Russia with
  coordinates and an admin1 code;
- event_actors: 2 per event (initiator and target); event_sources: 1 per event (a dataset);
- casualty_claims: 1 per event: a coded estimate (`range`, low ≤ best ≤ high, `period`) about the
  whole event (`event_id` set, `subject_actor_id` empty), stated on or after the period's end;
- stances: 3; retractions, acknowledgements, actor_sources, claim_breakdowns: none (header only);
  countries: copied from data/countries.csv.
Every file is in canonical form (`conflictdata fmt` would change nothing), so a valid package
validates with no errors and no warnings.

Generation streams: each table is written in chunks of `--chunk` events (default 10^6) whose
columns are made with numpy and formatted with Arrow compute kernels, so memory stays flat and
10^7 events (5 x 10^7 rows, ~4.5 GB of CSV) take a few minutes.

With `--errors K`, K errors of each kind below are planted at deterministic positions (drawn with
`--seed`; positions are at least 3 events apart and never event 0 or 1, which the stances cite):

| kind                | where                                    | what                                      |
|---------------------|------------------------------------------|-------------------------------------------|
| type                | casualty_claims.value_low                | `abc`                                     |
| required            | events.title                             | empty                                     |
| enum                | events.event_type                        | `armed_clashes`                           |
| pattern             | events.admin1_code                       | `UA14`                                    |
| maximum             | events.latitude                          | `91.5`                                    |
| primary-key         | events.event_id                          | the previous event's id (its links follow)|
| foreign-key         | event_actors.actor_id (2nd link)         | `ACT-SYN-GHOST`                           |
| event-date-order    | events.date_end                          | the day before date_start                 |
| claim-value-order   | casualty_claims.value_best               | value_high + 1 (source: a news report)    |

`OUT/planted.json` lists every finding the planted errors must produce, each as {kind, table,
file, line, column, rule, severity, value}, with `line` the line in the CSV file (header = line 1).
A planted error can legitimately produce a second finding; those are listed too (`consequence`:
true): a date_end before date_start also breaks the `day` precision (`event-date-precision`).
For Parquet (`parquet` key), the same findings with the .parquet file, and the column that holds
planted type errors is necessarily stored as Arrow strings (one `parquet-type` finding, no line).
Lines for Parquet rows follow the same numbering (first data row = 2), as frictionless reports rows.
`OUT/manifest.json` records the parameters, the rows per table and the generator's sha256.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import shutil
import sys
import time
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

REPO = Path(__file__).resolve().parent.parent

N_SOURCES = 300
N_NEWS = 10  # the last N_NEWS sources are news reports (for planted claim-value-order errors)
N_ACTORS = 3000
N_STANCES = 3
DAY0 = np.datetime64("2014-01-01", "D").astype(np.int64)
DAY1 = np.datetime64("2024-12-31", "D").astype(np.int64)

KINDS = ["type", "required", "enum", "pattern", "maximum", "primary-key", "foreign-key", "event-date-order", "claim-value-order"]
TABLES = ["sources", "actors", "events", "event_actors", "event_sources", "casualty_claims", "stances", "retractions", "countries",
          "acknowledgements", "actor_sources", "claim_breakdowns"]

EVENT_TYPES = ["armed_clash", "offensive", "territorial_change", "shelling_or_missile", "air_or_drone_strike",
               "violence_against_civilians", "protest", "riot", "troop_deployment", "agreement", "other_strategic_development"]
GEO_PRECISION = ["exact", "near", "admin2", "admin1", "region", "country", "international"]
OCCURRENCE = ["reported", "corroborated", "confirmed", "disputed", "denied"]
CERTAINTY = ["known", "suspected", "alleged"]
MEASURES = ["killed", "wounded", "civilians_killed", "civilians_injured"]
ACTOR_TYPES = ["state", "armed_force", "government_body", "intergovernmental_org", "person",
               "non_state_armed_group", "media_outlet", "ngo", "other"]
# (iso3, admin1 codes, latitude range, longitude range)
REGIONS = [
    ("UKR", ["UA-05", "UA-07", "UA-09", "UA-12", "UA-14", "UA-18", "UA-21", "UA-23", "UA-26", "UA-30", "UA-32",
             "UA-35", "UA-40", "UA-43", "UA-46", "UA-48", "UA-51", "UA-53", "UA-56", "UA-59", "UA-61", "UA-63",
             "UA-65", "UA-68", "UA-71", "UA-74", "UA-77"], (44.4, 52.3), (22.2, 40.2)),
    ("RUS", ["RU-KRS", "RU-BEL", "RU-BRY", "RU-ROS", "RU-VOR"], (47.0, 53.5), (33.0, 42.0)),
]
N_PLACES = 1000

BAD = {"type": "abc", "enum": "armed_clashes", "pattern": "UA14", "maximum": 91.5, "foreign-key": "ACT-SYN-GHOST"}


# --- small helpers ------------------------------------------------------------------------------

def ids(prefix: str, numbers: np.ndarray, width: int) -> pa.Array:
    """`prefix` + zero-padded numbers, e.g. EVT-SYN-000042."""
    digits = pc.utf8_lpad(pc.cast(pa.array(numbers, pa.int64()), pa.string()), width=width, padding="0")
    return pc.binary_join_element_wise(prefix, digits, "")


def pick(options: list[str], index: np.ndarray) -> pa.Array:
    """options[index] as an Arrow string array (dictionary decode, no Python loop)."""
    return pa.DictionaryArray.from_arrays(pa.array(index, pa.int32()), pa.array(options, pa.string())).cast(pa.string())


def const(value: str | None, n: int) -> pa.Array:
    return pa.nulls(n, pa.string()) if value is None else pa.array(np.full(n, value, dtype=object), pa.string())


def as_text(arr: pa.Array) -> pa.Array:
    """The CSV text of a typed column (missing = null = empty cell)."""
    if pa.types.is_string(arr.type):
        return arr
    return pc.cast(arr, pa.string())


def csv_bytes(columns: list[pa.Array]) -> bytes:
    """Rows joined with ',' and '\\n' by Arrow kernels. No cell holds a comma, quote or line break,
    so no quoting is needed: this is exactly the canonical (minimal quoting) form."""
    text = [as_text(c) for c in columns]
    joined = pc.binary_join_element_wise(*text, ",", null_handling="replace", null_replacement="")
    lines = pc.binary_join_element_wise(joined, "\n", "")
    lines = lines.combine_chunks() if isinstance(lines, pa.ChunkedArray) else lines
    if len(lines) == 0:
        return b""
    _, offsets, data = lines.buffers()
    off = np.frombuffer(offsets, dtype=np.int32, count=len(lines) + 1, offset=lines.offset * 4)
    return data.to_pybytes()[off[0]:off[-1]]


def field_types(schema: dict) -> list[tuple[str, pa.DataType, bool]]:
    """(name, Arrow type, required) per field, as conflictdata's build derives them."""
    pk = schema.get("primaryKey") or []
    out = []
    for f in schema["fields"]:
        t = {"integer": pa.int64(), "number": pa.float64(), "boolean": pa.bool_(), "date": pa.date32()}.get(f.get("type", "string"), pa.string())
        out.append((f["name"], t, bool((f.get("constraints") or {}).get("required")) or f["name"] in pk))
    return out


class TableWriter:
    """Writes one table as CSV (and optionally Parquet), chunk by chunk."""

    def __init__(self, out: Path, name: str, schema: dict, parquet: bool, overrides: dict[str, pa.DataType] | None = None,
                 nullable: set[str] | None = None):
        self.name = name
        self.fields = [f["name"] for f in schema["fields"]]
        types = field_types(schema)
        overrides = overrides or {}
        nullable = nullable or set()
        self.arrow_schema = pa.schema([pa.field(n, overrides.get(n, t), nullable=(not req) or n in nullable) for n, t, req in types])
        self.csv = open(out / "data" / f"{name}.csv", "wb")
        self.csv.write((",".join(self.fields) + "\n").encode())
        self.parquet = None
        if parquet:
            import pyarrow.parquet as pq

            self.parquet = pq.ParquetWriter(out / "data" / f"{name}.parquet", self.arrow_schema, compression="zstd")
        self.rows = 0

    def write(self, columns: dict[str, pa.Array]) -> None:
        missing = set(self.fields) - set(columns)
        if missing:
            raise ValueError(f"{self.name}: no values for {sorted(missing)}")
        arrays = [columns[n] for n in self.fields]
        n = len(arrays[0])
        self.csv.write(csv_bytes(arrays))
        if self.parquet is not None:
            typed = [a if a.type == f.type else pc.cast(a, f.type) for a, f in zip(arrays, self.arrow_schema)]
            self.parquet.write_table(pa.Table.from_arrays(typed, schema=self.arrow_schema), row_group_size=max(n, 1))
        self.rows += n

    def close(self) -> None:
        self.csv.close()
        if self.parquet is not None:
            if self.rows == 0:
                self.parquet.write_table(self.arrow_schema.empty_table())
            self.parquet.close()


# --- planting -----------------------------------------------------------------------------------

def plant_positions(n_events: int, errors: int, kinds: list[str], seed: int) -> dict[str, np.ndarray]:
    """Event indices per kind: distinct, at least 3 apart, never 0 or 1 (cited by the stances)."""
    if errors <= 0 or not kinds:
        return {k: np.array([], dtype=np.int64) for k in KINDS}
    slots = (n_events - 2) // 3  # event index = 3 * slot + 2
    need = errors * len(kinds)
    if need > slots:
        raise SystemExit(f"--errors {errors} x {len(kinds)} kinds needs at least {3 * need + 2} events, not {n_events}")
    rng = np.random.default_rng([seed, 0xE5505])
    chosen = rng.choice(slots, size=need, replace=False) * 3 + 2
    out = {k: np.array([], dtype=np.int64) for k in KINDS}
    for j, k in enumerate(kinds):
        out[k] = np.sort(chosen[j * errors:(j + 1) * errors]).astype(np.int64)
    return out


def planted_findings(pos: dict[str, np.ndarray], fmt: str, type_column_text: bool) -> list[dict]:
    """Every finding the planted errors must produce, sorted as conflictdata sorts them."""
    ext = "csv" if fmt == "csv" else "parquet"
    out: list[dict] = []

    def add(kind: str, table: str, line: int | None, column: str, rule: str, value, consequence: bool = False) -> None:
        out.append({"kind": kind, "table": table, "file": f"data/{table}.{ext}", "line": line, "column": column,
                    "rule": rule, "severity": "error", "value": value, "consequence": consequence})

    for p in pos["type"]:
        add("type", "casualty_claims", int(p) + 2, "value_low", "type", BAD["type"])
    for p in pos["required"]:
        add("required", "events", int(p) + 2, "title", "required", None)
    for p in pos["enum"]:
        add("enum", "events", int(p) + 2, "event_type", "enum", BAD["enum"])
    for p in pos["pattern"]:
        add("pattern", "events", int(p) + 2, "admin1_code", "pattern", BAD["pattern"])
    for p in pos["maximum"]:
        add("maximum", "events", int(p) + 2, "latitude", "maximum", "91.5")
    for p in pos["primary-key"]:
        add("primary-key", "events", int(p) + 2, "event_id", "primary-key", None)
    for p in pos["foreign-key"]:
        add("foreign-key", "event_actors", 2 * int(p) + 3, "actor_id", "foreign-key", BAD["foreign-key"])
    for p in pos["event-date-order"]:
        add("event-date-order", "events", int(p) + 2, "date_end", "event-date-order", None)
        add("event-date-order", "events", int(p) + 2, "date_precision", "event-date-precision", "day", consequence=True)
    for p in pos["claim-value-order"]:
        add("claim-value-order", "casualty_claims", int(p) + 2, "value_high", "claim-value-order", None)
    if fmt == "parquet" and type_column_text:
        out.append({"kind": "type", "table": "casualty_claims", "file": "data/casualty_claims.parquet", "line": None,
                    "column": "value_low", "rule": "parquet-type", "severity": "error", "value": "string", "consequence": True})
    out.sort(key=lambda f: (f["file"], f["line"] or 0, f["column"], f["rule"]))
    return out


def local(p: np.ndarray, lo: int, hi: int) -> np.ndarray:
    """Positions of p within [lo, hi), relative to lo."""
    return p[(p >= lo) & (p < hi)] - lo


# --- the tables ---------------------------------------------------------------------------------

def write_sources(w: TableWriter) -> None:
    n = N_SOURCES
    num = np.arange(1, n + 1)
    sid = ids("SRC-SYN-", num, 4)
    news = num > n - N_NEWS
    w.write({
        "source_id": sid,
        "title": ids("Synthetic dataset ", num, 4),
        "publisher": const("Synthetic Data Office", n),
        "via": const(None, n),
        "url": ids("https://example.org/synthetic/", num, 4),
        "published_date": pa.array(np.full(n, np.datetime64("2025-01-15", "D")), pa.date32()),
        "accessed_date": pa.array(np.full(n, np.datetime64("2025-02-01", "D")), pa.date32()),
        "language": const("en", n),
        "source_type": pick(["dataset", "news_report"], news.astype(np.int32)),
        "reliability": pick(["A", "B", "C"], (num % 3).astype(np.int32)),
        "license": const("CC-BY-4.0", n),
        "snapshot": const(None, n),
        "snapshot_sha256": const(None, n),
        "notes": const("Generated by benchmarks/generate.py", n),
    })


def write_actors(w: TableWriter, countries: list[str], rng: np.random.Generator) -> None:
    n = N_ACTORS
    num = np.arange(1, n + 1)
    # A parent is always an earlier actor: no cycles.
    has_parent = (num > 50) & (rng.random(n) < 0.5)
    parent = np.floor(rng.random(n) * (num - 1)).astype(np.int64) + 1
    parent_ids = ids("ACT-SYN-", parent, 4).to_numpy(zero_copy_only=False)
    parent_ids = pa.array(np.where(has_parent, parent_ids, None), pa.string())
    w.write({
        "actor_id": ids("ACT-SYN-", num, 4),
        "name": ids("Synthetic actor ", num, 4),
        "actor_type": pick(ACTOR_TYPES, rng.integers(0, len(ACTOR_TYPES), n)),
        "country_iso3": pick(countries, rng.integers(0, len(countries), n)),
        "parent_actor_id": parent_ids,
        "wikidata_qid": const(None, n),
        "ucdp_actor_id": pa.nulls(n, pa.int64()),
        "description": const("A synthetic actor for benchmarks", n),
        "source_id": ids("SRC-SYN-", rng.integers(1, N_SOURCES - N_NEWS + 1, n), 4),
    })


def write_stances(w: TableWriter, event_width: int) -> None:
    n = N_STANCES
    w.write({
        "stance_id": ids("STN-SYN-", np.arange(1, n + 1), 4),
        "actor_id": ids("ACT-SYN-", np.array([1, 2, 3]), 4),
        "on_behalf_of_actor_id": const(None, n),
        "event_id": pa.array([f"EVT-SYN-{1:0{event_width}d}", None, f"EVT-SYN-{1:0{event_width}d}"], pa.string()),
        "claim_id": pa.array([None, f"CLM-SYN-{1:0{event_width}d}", None], pa.string()),
        "stance": pa.array(["confirms", "disputes", "denies"], pa.string()),
        "stance_date": pa.array(np.full(n, np.datetime64("2025-01-20", "D")), pa.date32()),
        "source_id": ids("SRC-SYN-", np.full(n, N_SOURCES), 4),
        "quote": const("A synthetic statement about the report", n),
        "notes": const(None, n),
    })


def write_event_chunk(writers: dict[str, TableWriter], lo: int, hi: int, width: int, pos: dict[str, np.ndarray],
                      rng: np.random.Generator, type_as_text: bool) -> None:
    n = hi - lo
    idx = np.arange(lo, hi, dtype=np.int64)
    num = idx + 1
    # The id each event row carries: a planted primary-key duplicate takes the previous event's.
    id_num = num.copy()
    dup = local(pos["primary-key"], lo, hi)
    id_num[dup] -= 1
    event_id = ids("EVT-SYN-", id_num, width)
    claim_id = ids("CLM-SYN-", num, width)
    own_num = ids("", num, width)

    region = (rng.random(n) < 0.2).astype(np.int64)  # 0: UKR, 1: RUS
    admin_i = np.where(region == 0, rng.integers(0, len(REGIONS[0][1]), n), len(REGIONS[0][1]) + rng.integers(0, len(REGIONS[1][1]), n))
    lat_lo = np.where(region == 0, REGIONS[0][2][0], REGIONS[1][2][0])
    lat_hi = np.where(region == 0, REGIONS[0][2][1], REGIONS[1][2][1])
    lon_lo = np.where(region == 0, REGIONS[0][3][0], REGIONS[1][3][0])
    lon_hi = np.where(region == 0, REGIONS[0][3][1], REGIONS[1][3][1])
    lat = np.round(lat_lo + rng.random(n) * (lat_hi - lat_lo), 4)
    lon = np.round(lon_lo + rng.random(n) * (lon_hi - lon_lo), 4)
    start = rng.integers(DAY0, DAY1 + 1, n)
    end = start.copy()
    etype = rng.integers(0, len(EVENT_TYPES), n)
    place = rng.integers(1, N_PLACES + 1, n)

    # Claims use the event's true dates (before a planted date_end error).
    low = rng.integers(0, 50, n)
    best = low + rng.integers(0, 20, n)
    high = best + rng.integers(0, 30, n)
    true_end = end.copy()
    stated = true_end + rng.integers(0, 60, n)

    etype_text = pick(EVENT_TYPES, etype)
    admin = pick(REGIONS[0][1] + REGIONS[1][1], admin_i)
    title = pc.binary_join_element_wise("Synthetic event", own_num, " ")
    lat_arr = pa.array(lat, pa.float64())
    # planted errors in events
    mask = np.zeros(n, bool)
    if len(r := local(pos["required"], lo, hi)):
        m = mask.copy(); m[r] = True
        title = pc.if_else(pa.array(m), pa.scalar(None, pa.string()), title)
    if len(r := local(pos["enum"], lo, hi)):
        m = mask.copy(); m[r] = True
        etype_text = pc.if_else(pa.array(m), BAD["enum"], etype_text)
    if len(r := local(pos["pattern"], lo, hi)):
        m = mask.copy(); m[r] = True
        admin = pc.if_else(pa.array(m), BAD["pattern"], admin)
    if len(r := local(pos["maximum"], lo, hi)):
        lat[r] = BAD["maximum"]
        lat_arr = pa.array(lat, pa.float64())
    if len(r := local(pos["event-date-order"], lo, hi)):
        end[r] = start[r] - 1
    summary = pc.binary_join_element_wise("Synthetic", pick(EVENT_TYPES, etype), "event near Place", ids("", place, 4), " ")
    writers["events"].write({
        "event_id": event_id,
        "title": title,
        "summary": summary,
        "event_type": etype_text,
        "date_start": pa.array(start.astype("datetime64[D]"), pa.date32()),
        "date_end": pa.array(end.astype("datetime64[D]"), pa.date32()),
        "date_precision": const("day", n),
        "country_iso3": pick([REGIONS[0][0], REGIONS[1][0]], region),
        "admin1_code": admin,
        "location": ids("Place ", place, 4),
        "latitude": lat_arr,
        "longitude": pa.array(lon, pa.float64()),
        "geo_precision": pick(GEO_PRECISION, rng.integers(0, len(GEO_PRECISION), n)),
        "occurrence": pick(OCCURRENCE, rng.integers(0, len(OCCURRENCE), n)),
    })

    # event_actors: two actors a < b per event, so rows stay sorted by (event_id, actor_id, role).
    a = rng.integers(1, N_ACTORS, n)
    b = a + 1 + np.floor(rng.random(n) * (N_ACTORS - a)).astype(np.int64)
    # A duplicated event id shares its links' sort run with the previous event: keep them ordered.
    prev = local(pos["primary-key"] - 1, lo, hi)  # the event whose id is duplicated (maybe in this chunk only)
    a[prev], b[prev] = 1, 2
    a[dup], b[dup] = 3, 4
    actors = np.empty(2 * n, dtype=np.int64)
    actors[0::2], actors[1::2] = a, b
    actor_ids = ids("ACT-SYN-", actors, 4)
    if len(r := local(pos["foreign-key"], lo, hi)):
        m = np.zeros(2 * n, bool); m[2 * r + 1] = True
        actor_ids = pc.if_else(pa.array(m), BAD["foreign-key"], actor_ids)
    pair = np.repeat(np.arange(n), 2)
    writers["event_actors"].write({
        "event_id": pc.take(event_id, pa.array(pair)),
        "actor_id": actor_ids,
        "role": pick(["initiator", "target"], np.tile(np.array([0, 1], np.int32), n)),
        "certainty": pick(CERTAINTY, rng.integers(0, len(CERTAINTY), 2 * n)),
    })

    src = rng.integers(1, N_SOURCES - N_NEWS + 1, n)
    src[prev], src[dup] = 1, 2
    writers["event_sources"].write({
        "event_id": event_id,
        "source_id": ids("SRC-SYN-", src, 4),
        "quote": const(None, n),
        "locator": pc.binary_join_element_wise("record", own_num, " "),
        "cited_sources": const(None, n),
    })

    csrc = rng.integers(1, N_SOURCES - N_NEWS + 1, n)
    quote = const(None, n)
    if len(r := local(pos["claim-value-order"], lo, hi)):
        best[r] = high[r] + 1
        csrc[r] = N_SOURCES - N_NEWS + 1 + (r % N_NEWS)
        m = mask.copy(); m[r] = True
        quote = pc.if_else(pa.array(m), "A synthetic passage stating the figure", quote)
    value_text = pc.binary_join_element_wise("between", ids("", low, 1), "and", ids("", high, 1), " ")
    value_low: pa.Array = pa.array(low, pa.int64())
    if type_as_text:
        value_low = pc.cast(value_low, pa.string())
        if len(r := local(pos["type"], lo, hi)):
            m = mask.copy(); m[r] = True
            value_low = pc.if_else(pa.array(m), BAD["type"], value_low)
    writers["casualty_claims"].write({
        "claim_id": claim_id,
        "claimant_actor_id": ids("ACT-SYN-", rng.integers(1, N_ACTORS + 1, n), 4),
        "on_behalf_of_actor_id": const(None, n),
        "subject_actor_id": const(None, n),
        "measure": pick(MEASURES, rng.integers(0, len(MEASURES), n)),
        "value_low": value_low,
        "value_best": pa.array(best, pa.int64()),
        "value_high": pa.array(high, pa.int64()),
        "qualifier": const("range", n),
        "value_text": value_text,
        "count_basis": const("period", n),
        "period_start": pa.array(start.astype("datetime64[D]"), pa.date32()),
        "period_end": pa.array(true_end.astype("datetime64[D]"), pa.date32()),
        "statement_date": pa.array(stated.astype("datetime64[D]"), pa.date32()),
        "method": const("coded_estimate", n),
        "event_id": event_id,
        "source_id": ids("SRC-SYN-", csrc, 4),
        "quote": quote,
        "supersedes_claim_id": const(None, n),
        "notes": const(None, n),
    })


def generate(out: Path, n_events: int, fmt: str, errors: int, seed: int, kinds: list[str], chunk: int, quiet: bool = False) -> dict:
    if out.exists() and any(out.iterdir()):
        raise SystemExit(f"{out} is not empty; give a new folder")
    t0 = time.perf_counter()
    (out / "data").mkdir(parents=True, exist_ok=True)
    shutil.copytree(REPO / "schema", out / "schema", ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copy2(REPO / "datapackage.json", out / "datapackage.json")
    shutil.copy2(REPO / "data" / "countries.csv", out / "data" / "countries.csv")
    descriptor = json.loads((REPO / "datapackage.json").read_text(encoding="utf-8"))
    descriptor["title"] = f"Synthetic conflictdata package ({n_events} events, benchmarks/generate.py)"
    (out / "datapackage.json").write_text(json.dumps(descriptor, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    parquet = fmt in ("parquet", "both")
    schemas = {t: json.loads((REPO / "schema" / f"{t}.json").read_text(encoding="utf-8")) for t in TABLES}
    pos = plant_positions(n_events, errors, kinds, seed)
    type_as_text = len(pos["type"]) > 0
    width = max(6, len(str(n_events)))

    writers: dict[str, TableWriter] = {}
    for t in TABLES:
        if t == "countries":
            continue
        overrides = {"value_low": pa.string()} if t == "casualty_claims" and type_as_text else {}
        nullable = {"title"} if t == "events" and len(pos["required"]) else set()
        writers[t] = TableWriter(out, t, schemas[t], parquet, overrides, nullable)
    rng = np.random.default_rng([seed, 1])
    write_sources(writers["sources"])
    countries = [line.split(",", 1)[0] for line in (REPO / "data" / "countries.csv").read_text(encoding="utf-8").splitlines()[1:]]
    write_actors(writers["actors"], countries, rng)
    write_stances(writers["stances"], width)
    for lo in range(0, n_events, chunk):
        hi = min(lo + chunk, n_events)
        write_event_chunk(writers, lo, hi, width, pos, np.random.default_rng([seed, 2, lo]), type_as_text)
        if not quiet and n_events > chunk:
            print(f"  {hi:,}/{n_events:,} events ({time.perf_counter() - t0:.0f} s)", file=sys.stderr)
    for w in writers.values():
        w.close()
    rows = {t: w.rows for t, w in writers.items()}
    rows["countries"] = len(countries)

    if parquet:
        import pyarrow.csv as pacsv
        import pyarrow.parquet as pq

        ctypes = {n: t for n, t, _ in field_types(schemas["countries"])}
        table = pacsv.read_csv(out / "data" / "countries.csv", convert_options=pacsv.ConvertOptions(
            column_types=ctypes, null_values=[""], strings_can_be_null=True, quoted_strings_can_be_null=False))
        pq.write_table(table.cast(pa.schema([pa.field(n, t, nullable=not r) for n, t, r in field_types(schemas["countries"])])),
                       out / "data" / "countries.parquet", compression="zstd")
        pdesc = json.loads(json.dumps(descriptor))
        for res in pdesc["resources"]:
            res["path"] = f"data/{res['name']}.parquet"
            res["format"] = "parquet"
            res["mediatype"] = "application/vnd.apache.parquet"
            for key in ("dialect", "encoding"):
                res.pop(key, None)
        (out / "datapackage-parquet.json").write_text(json.dumps(pdesc, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")

    planted = {
        "events": n_events, "errors": errors, "seed": seed, "kinds": kinds if errors else [],
        "positions": {k: [int(p) for p in v] for k, v in pos.items() if len(v)},
        "planted": planted_findings(pos, "csv", type_as_text),
    }
    if parquet:
        planted["parquet"] = planted_findings(pos, "parquet", type_as_text)
    (out / "planted.json").write_text(json.dumps(planted, indent=1) + "\n", encoding="utf-8")
    manifest = {
        "generator_sha256": hashlib.sha256(Path(__file__).read_bytes()).hexdigest(),
        "events": n_events, "format": fmt, "errors": errors, "seed": seed, "kinds": kinds if errors else [],
        "rows": rows, "total_rows": sum(rows.values()),
        "bytes_csv": sum(p.stat().st_size for p in (out / "data").glob("*.csv")),
        "bytes_parquet": sum(p.stat().st_size for p in (out / "data").glob("*.parquet")),
        "seconds": round(time.perf_counter() - t0, 2),
    }
    (out / "manifest.json").write_text(json.dumps(manifest, indent=1) + "\n", encoding="utf-8")
    return manifest


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("out", type=Path, help="folder to write the package into (new or empty)")
    parser.add_argument("--events", type=int, required=True, help="number of events (claims and links follow)")
    parser.add_argument("--format", choices=["csv", "parquet", "both"], default="csv",
                        help="csv: data/*.csv only; parquet or both: also data/*.parquet and datapackage-parquet.json")
    parser.add_argument("--errors", type=int, default=0, help="plant this many errors of each kind (default 0: a valid package)")
    parser.add_argument("--kinds", default=",".join(KINDS), help=f"comma-separated kinds to plant (default all: {','.join(KINDS)})")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--chunk", type=int, default=1_000_000, help="events per chunk written (memory vs. speed)")
    parser.add_argument("--quiet", action="store_true")
    args = parser.parse_args(argv)
    kinds = [k for k in args.kinds.split(",") if k]
    unknown = set(kinds) - set(KINDS)
    if unknown:
        parser.error(f"unknown kinds {sorted(unknown)}; choose from {', '.join(KINDS)}")
    if args.events < 2:
        parser.error("--events must be at least 2")
    m = generate(args.out, args.events, args.format, args.errors, args.seed, kinds, args.chunk, args.quiet)
    print(f"{args.out}: {m['total_rows']:,} rows ({', '.join(f'{t} {n:,}' for t, n in m['rows'].items())}), "
          f"{m['bytes_csv'] / 2**20:,.1f} MiB CSV" + (f", {m['bytes_parquet'] / 2**20:,.1f} MiB Parquet" if m["bytes_parquet"] else "")
          + f", {sum(len(v) for v in json.loads((args.out / 'planted.json').read_text())['positions'].values())} planted errors, {m['seconds']} s")


if __name__ == "__main__":
    main()
