"""Building a complete, checksummed data package from the canonical CSV (`conflictdata build`).

The output holds every table as canonical CSV and as Parquet (types from `schema/`, rows sorted by
primary key), the schemas (and their Pandera form, `schema/pandera/<table>.yaml`), the archived
snapshots whose license allows redistribution, a generated `datapackage.json` where every file
carries its `bytes` and `sha256:` hash, `datapackage.parquet.json` (the same package with the
Parquet files as its resources), and `SHA256SUMS`.
Building twice from the same inputs gives byte-identical files. The output folder is written
beside its destination and swapped in only when complete, so an interrupted build leaves the
previous one intact.
"""

from __future__ import annotations

import copy
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq

from ..contract.atomic import write_dir_atomic
from ..checking.canonical import canonical_bytes, canonical_order
from ..checking.validated import validated
from ..checking.integrity import SUMS_NAME, sha256_bytes, sha256sums_text
from ..contract.names import DESCRIPTOR, PANDERA_DIR, PARQUET_DESCRIPTOR, PARQUET_KEY, WITHHELD_KEY
from ..contract.package import Package
from ..contract.schema import field_specs
from ..reading.parquet import typed_table
from ..reading.tables import Table

__all__ = ["build", "write_package", "BuildResult", "PARQUET_KEY", "PARQUET_DESCRIPTOR", "PANDERA_DIR", "WITHHELD_KEY", "dump_json", "parquet_descriptor"]

# Resource properties that describe a CSV file only.
_CSV_ONLY = ("path", "format", "mediatype", "encoding", "dialect", "bytes", "hash")
# Licenses under which an archived source text may be redistributed in a release.
REDISTRIBUTABLE = {"CC0-1.0", "CC-BY-4.0", "CC-BY-SA-4.0", "ODC-PDDL-1.0", "ODC-BY-1.0", "PDDL-1.0", "MIT", "public-domain"}


@dataclass(slots=True)
class BuildResult:
    """What a build wrote: the folder, the package version, and every file with its sha256."""

    out: Path
    version: str | None
    files: dict[str, str] = field(default_factory=dict)
    withheld_snapshots: list[str] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return {"out": str(self.out), "version": self.version, "files": self.files, "withheld_snapshots": self.withheld_snapshots}


def dump_json(data: Any) -> bytes:
    return (json.dumps(data, indent=2, ensure_ascii=False) + "\n").encode("utf-8")


def _parquet_bytes(table: Table, version: str | None = None) -> bytes:
    arrow = typed_table(table.frame.loc[canonical_order(table)], table.resource.schema, name=table.name, version=version)
    sink = pa.BufferOutputStream()
    # Fixed writer options: the same table gives the same bytes with the same pyarrow version.
    pq.write_table(arrow, sink, compression="zstd", compression_level=9, use_dictionary=True,
                   write_statistics=True, data_page_version="2.0", version="2.6")
    return sink.getvalue().to_pybytes()


# How a missing number of a Parquet file reaches frictionless 5.21: it reads the file through pyarrow
# into pandas, where a null of a float column becomes NaN, and its pandas parser drops a NaN only if
# `value is np.nan`, which a NaN taken from a frame is not; the null then meets the range checks as
# the value "nan" (cal-itp/data-infra#5235; the camtrap-dp standard lists "nan" for the same reason).
# The files hold real nulls, never NaN (`pa.array(from_pandas=True)` stores a NaN as null).
PARQUET_NUMBER_MISSING = ["", "nan"]


def _parquet_schema(schema: dict[str, Any]) -> dict[str, Any] | None:
    """The schema of a Parquet resource when it must differ from the CSV one (None: it need not):
    optional number fields say that "nan" is how frictionless shows their nulls. Required numbers,
    and every other field, keep the CSV schema's missing values: nothing is loosened there."""
    if not any(s.type == "number" and not s.required for s in field_specs(schema)):
        return None
    out = copy.deepcopy(schema)
    for spec, f in zip(field_specs(schema), out["fields"]):
        if spec.type == "number" and not spec.required:
            f["missingValues"] = PARQUET_NUMBER_MISSING
    return out


def parquet_descriptor(descriptor: dict[str, Any], schemas: dict[str, dict[str, Any]] | None = None) -> dict[str, Any]:
    """The built descriptor with each resource's `conflictdata:parquet` copy as the resource itself.

    `schemas` (the tables' Table Schemas by name) lets a resource whose Parquet nulls frictionless
    reads as NaN carry its schema inline, with the missing values that say so (`_parquet_schema`)."""
    out = copy.deepcopy(descriptor)
    resources = []
    for res in out["resources"]:
        alt = res.pop(PARQUET_KEY)
        kept = {k: (alt["path"] if k == "path" else v) for k, v in res.items() if k == "path" or k not in _CSV_ONLY}
        own = _parquet_schema(schemas[res["name"]]) if schemas and res["name"] in schemas else None
        if own is not None:
            kept["schema"] = own
        # No `bytes`: frictionless 5.21 reads Parquet through pyarrow, counts no bytes and reports a
        # byte-count error for any size stated; the sha256 `hash` (which it skips) stays.
        resources.append({**kept, **{k: v for k, v in alt.items() if k not in ("path", "bytes")}})
    out["resources"] = resources
    return out


def write_package(package: Package, tables: dict[str, Table], dest: Path, *, parquet: bool = True) -> BuildResult:
    """Write the built package into the empty folder `dest` (`parquet=False`: without the Parquet
    copies, their descriptor and the Pandera YAML, for the digest of the data alone)."""
    descriptor = copy.deepcopy(package.descriptor)
    result = BuildResult(out=dest, version=package.version)

    def put(rel: str, data: bytes) -> dict[str, Any]:
        target = dest / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(data)
        return {"bytes": len(data), "hash": f"sha256:{sha256_bytes(data)}"}

    for res in descriptor["resources"]:
        table = tables[res["name"]]
        for key in ("bytes", "hash", PARQUET_KEY):
            res.pop(key, None)
        if isinstance(res.get("schema"), str):
            put(res["schema"], dump_json(table.resource.schema))
        csv_rel = res["path"]
        res.update(put(csv_rel, canonical_bytes(table)))
        if not parquet:
            continue
        parquet_rel = csv_rel.rsplit(".", 1)[0] + ".parquet"
        res[PARQUET_KEY] = {"path": parquet_rel, "format": "parquet", "mediatype": "application/vnd.apache.parquet",
                            **put(parquet_rel, _parquet_bytes(table, package.version))}

    # The Pandera schemas, serialized, so that users outside Python can read what is checked. Like
    # the Parquet copies they derive from the data's schemas, and are left out of the data alone.
    if parquet:
        from ..schemas.generate import build_models

        for name, model in build_models(package, "pandas").items():
            put(f"{PANDERA_DIR}/{name}.yaml", model.to_schema().to_yaml().encode("utf-8"))

    withheld = []
    sources = tables.get("sources")
    if sources is not None and {"snapshot", "license"} <= set(sources.raw.columns):
        for rel, lic in zip(sources.raw["snapshot"], sources.raw["license"]):
            if not rel:
                continue
            if lic in REDISTRIBUTABLE:
                put(rel, (package.root / rel).read_bytes())
            else:
                withheld.append(rel)
    descriptor.pop(WITHHELD_KEY, None)
    if withheld:
        descriptor[WITHHELD_KEY] = sorted(withheld)
    result.withheld_snapshots = sorted(withheld)
    put(DESCRIPTOR, dump_json(descriptor))
    if parquet:
        put(PARQUET_DESCRIPTOR, dump_json(parquet_descriptor(descriptor, {n: t.resource.schema for n, t in tables.items()})))
    sums = sha256sums_text(dest)
    (dest / SUMS_NAME).write_text(sums, encoding="utf-8")
    result.files = {line[66:]: line[:64] for line in sums.splitlines()}
    return result


def build(path: str | Path | None = None, out: str | Path = "build") -> BuildResult:
    """Validate the package at `path` and build it into `out`; raises InvalidDataError if invalid."""
    valid = validated(path)
    package, tables = valid.package, valid.tables
    out = Path(out)
    result = write_dir_atomic(out, lambda tmp: write_package(package, tables, tmp))
    result.out = out
    return result
