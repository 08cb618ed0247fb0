"""The Spark engine: a package validated on a SparkSession, into the local engine's `Report`.

Per resource Spark can read (CSV/TSV files whose fields have a Spark SQL form, and one-file
Parquet resources), the files are parsed by executors (read.py), which also run the data-model
rules that judge rows one by one, the canonical form and the Parquet copies on their file
(tasks.py); the column checks and the keys run as Spark SQL (checks.py). Only finding rows come
back to the driver, where the rules that judge a whole table run on views of the rows they can
report (views.py), and the acknowledgements are applied. Other resources (xlsx, JSON, inline
data, fields left to frictionless) are read and checked on the driver by the local engine, and a
note says so; their keys still join the Spark foreign-key checks.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass, field
from functools import reduce
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from ._local import (PARQUET_KEY, TYPE_HINTS, Finding, Package, Report, Resource, Table, _delegated_findings, _rule_names,
                     acknowledge, check_constraints, check_primary_key, check_unique, clock, delegated_fields, failure_text, first_at,
                     field_specs, read_table, rules, shift_row, table_of_file)
from .checks import column_findings, dangling, foreign_keys, primary_keys, repeats, spark_can_check, unique_keys
from .locate import Located, locate
from .chain import merge_runs, ranged_files
from .read import FINDING_FIELDS, RECORD, Job, normalise, parse_batches, parse_units
from .tasks import Checks, Displayed, check_table
from .views import Frame, acknowledged, gather, kept, table_rules

__all__ = ["validate", "run"]


@dataclass
class _Sparked:
    """A resource as Spark holds it: its DataFrame of strings and what reading it found."""

    resource: Resource
    df: Any
    cols: dict[str, str]
    files: list[str]
    findings: list[Finding] = field(default_factory=list)
    absent: set[str] = field(default_factory=set)
    rows: int = 0
    sizes: list[tuple[int, str]] = field(default_factory=list)
    offsets: dict[int, int] = field(default_factory=dict)  # file index → rows of the files before it
    notes: list[str] = field(default_factory=list)

    @property
    def file(self) -> str:
        return self.files[0] if self.files else self.resource.relpath


def validate(package: str | Path | Package, spark: Any, *, strict: bool = False, select: Any = None, ignore: Any = None) -> Report:
    """Validate `package` (a folder, a `datapackage.json`, a URI Spark can read such as
    `hdfs://…/pkg` or `s3a://…/pkg`, or an opened `Package`) on the SparkSession `spark`; the
    same findings as `conflictdata.validate` would give, as a `Report`."""
    return run(package, spark, strict=strict, select=select, ignore=ignore)[0]


def run(package: str | Path | Package, spark: Any, *, strict: bool = False, select: Any = None, ignore: Any = None,
        keep: dict[str, set[str]] | None = None) -> tuple[Report, dict[str, Table]]:
    """`validate`, and the tables `keep` names (table → columns) gathered whole to the driver, for
    a comparison that needs them (`--against`)."""
    chosen, dropped = _rule_names(select, "--select"), _rule_names(ignore, "--ignore")
    if isinstance(package, (str, Path)) and "://" not in str(package) and (found := table_of_file(package)) is not None:
        root, table = found  # one data file: its table, checked with the rest of its package
        report, tables = run(root, spark, strict=strict, select=select, ignore=ignore, keep=keep)
        return report.only(table), tables
    where = locate(package, spark)
    pkg = where.package
    ours = pkg.is_conflictdata
    findings: list[Finding] = []
    notes = [f"{r.name}: {r.note}" for r in pkg.resources.values() if r.note]
    checks = Checks(Displayed.of(pkg) if not where.remote else pkg, clock.today(), ours, ours and not where.remote, not where.remote)
    if where.remote and any(PARQUET_KEY in r.descriptor for r in pkg.resources.values()):
        notes.append("Parquet copies (conflictdata:parquet) are not compared with their CSV for a package under a URI; validate a local copy for that")
    local: dict[str, Table] = {}
    for name, res in pkg.resources.items():
        why = _local_reason(res)
        if why is None:
            continue
        notes.append(f"{name}: checked by the local engine, not by Spark ({why})")
        if where.remote:
            findings.append(Finding("error", "file", f"the Spark engine cannot read this resource ({why}) and the local engine cannot reach {where.base}; "
                                    "convert it to CSV, or validate a local copy", name, where.uri(res.relpath), None))
            continue
        local[name] = read_table(pkg, res)
        if local[name].handed_over is not None:
            notes.append(f"{name}: read and validated by frictionless, not by the fast path ({local[name].handed_over})")
        elif (fields := delegated_fields(res)):
            notes.append(f"{name}: checked by frictionless, not by the fast path: " + ", ".join(f"{n} ({why})" for n, why in fields.items()))
    # The tables the row rules look up are read first, gathered, and handed to the tasks of the others.
    spark_read = [r for r in pkg.resources.values() if _local_reason(r) is None]
    first = (rules.context_tables() if ours else set()) & {r.name for r in spark_read}
    sparked, records = _read_all(spark, where, [r for r in spark_read if r.name in first], checks) if first else ({}, [])
    known: dict[str, Frame] = {}
    frames = _frames(spark, sparked, local, known)
    checks.context = {**{n: gather(frames[n]) for n in first}, **{n: t for n, t in local.items() if n in rules.context_tables()}}
    more, more_records = _read_all(spark, where, [r for r in spark_read if r.name not in first], checks)
    sparked.update(more)
    records += more_records
    frames = _frames(spark, sparked, local, known)
    for name, table in local.items():
        # A resource read and validated by frictionless (xlsx...) has frictionless's findings alone.
        findings += _local_findings(pkg, table) + (check_table(checks, table) if table.handed_over is None else [])
    for s in sparked.values():
        findings += s.findings
        notes += s.notes
    findings += [f for f in _spark_findings(pkg, sparked, frames) if f.table not in local or local[f.table].handed_over is None]
    if ours:
        findings += table_rules(checks.package, frames)
        findings = acknowledged(pkg, frames, findings)
    findings += _metadata(pkg, where)
    tables = kept(frames, keep) if keep else {}
    for r in records:
        r.unpersist()
    report = Report(package=where.display, findings=findings, strict=strict, notes=notes, root=where.root)
    report.rows = {n: (sparked[n].rows if n in sparked else len(local[n].raw)) for n in pkg.resources if n in sparked or n in local}
    if chosen is not None or dropped:
        report.findings = acknowledge.select_rules(report.findings, chosen, dropped)
    return report.sorted(), tables


def _metadata(pkg: Package, where: Located) -> list[Finding]:
    """The descriptor's metadata against its profile, as the local engine checks them (a package
    under a URI: named by its URI, not by the driver's copy of its descriptor)."""
    from dataclasses import replace

    from ..contract.metadata import check_metadata, metadata_failure

    try:
        found = check_metadata(pkg)
    except Exception as exc:  # frictionless raises its own types; a report must still come
        found = [metadata_failure(pkg, exc)]
    return [replace(f, file=where.display) for f in found] if where.remote else found


def _local_reason(res: Resource) -> str | None:
    """Why the Spark engine leaves the resource to the local engine (None: Spark reads it)."""
    if res.inline is not None:
        return "inline data"
    if res.format == "parquet" and len(res.paths) > 1:
        return "a Parquet resource of several files"
    if res.format not in ("csv", "tsv", "parquet"):
        return f"format {res.format}"
    from ..reading.formats import source_of

    if source_of(res).compression is not None:
        return f"{source_of(res).compression}-compressed"
    if delegated_fields(res):
        return "fields left to frictionless"
    odd = [s.name for s in field_specs(res.schema) if not spark_can_check(s)]
    return f"fields of types or formats without a Spark SQL form: {', '.join(odd)}" if odd else None


def _local_findings(pkg: Package, table: Table) -> list[Finding]:
    if table.handed_over is not None:  # read and validated by frictionless: its findings alone
        from ..checking.delegated import handed_over_findings

        return handed_over_findings(pkg, table.resource, table.file)
    out = list(table.findings) + check_constraints(table) + check_unique(table)
    if table.delegated:
        out += _delegated_findings(pkg, table)
    return out + check_primary_key(table)


def _delimiter(res: Resource) -> str:
    from ..reading.tables import _delimiter as delimiter  # the local reader's (nested and referenced dialects too)

    return delimiter(res)


def _read_all(spark: Any, where: Located, resources: list[Resource], checks: Checks) -> tuple[dict[str, _Sparked], list[Any]]:
    """Parse the files of `resources` in one job, cached as one DataFrame of records
    (read.RECORD); each resource's DataFrame of strings is a view of it. Each task also runs
    `checks` on its file (tasks.py), whose findings come back with the file's meta record."""
    from pyspark import StorageLevel
    from pyspark.sql import functions as F

    out: dict[str, _Sparked] = {}
    files: dict[str, tuple[str, int, str]] = {}
    uris: list[str] = []
    for res in resources:
        names = res.field_names
        cols = {n: f"c{i}" for i, n in enumerate(names)}
        pairs = [(where.uri(p), where.file(p)) for p in res.relpaths]
        out[res.name] = s = _Sparked(res, None, cols, [f for _, f in pairs])
        missing = [f for u, f in pairs if not where.exists(u)]
        if missing:
            s.findings.append(Finding("error", "file", "cannot read the file (No such file or directory); check the resource path in datapackage.json",
                                      res.name, missing[0], None))
            continue  # an empty table, as the local engine holds it: keys into it dangle
        for i, (u, f) in enumerate(pairs):
            files[normalise(u)] = (res.name, i, f)
            uris.append(u)
    job = Job({r.name: r for r in resources}, files, {r.name: _delimiter(r) for r in resources}, checks)
    ranged, notes = ranged_files(spark, where, job, files, uris, {r.name: r for r in resources})
    for name, note in notes:
        out[name].notes.append(note)
    uris = [u for u in uris if files[normalise(u)][:2] not in ranged]
    parts = []
    if uris:
        binary = spark.read.format("binaryFile").load(uris).select("path", "content")
        parts.append(binary.mapInArrow(lambda batches: parse_batches(batches, job), RECORD))
    if job.units:
        ids = spark.sparkContext.parallelize([(i,) for i in range(len(job.units))], len(job.units))
        parts.append(spark.createDataFrame(ids, "u int").mapInArrow(lambda batches: parse_units(batches, job), RECORD))
    if parts:
        records = reduce(lambda a, b: a.unionByName(b), parts).persist(StorageLevel.MEMORY_AND_DISK)
        metas = [(r["table"], r["_f"], json.loads(r["meta"])) for r in records.where("kind = 'meta'").select("table", "_f", "meta").collect()]
        metas = merge_runs(spark, job, metas, ranged)
    else:
        records, metas = spark.createDataFrame([], RECORD), []
    by_table: dict[str, list[tuple[int, dict]]] = {}
    for name, index, meta in metas:
        by_table.setdefault(name, []).append((index, meta))
    for res in resources:
        s = out[res.name]
        if s.findings:
            s.df = spark.createDataFrame([], _strings_schema(s.cols))
            continue
        # Row numbers of a resource of several files run on from file to file, as in frictionless.
        offset, shift = 0, F.lit(0).cast("long")
        for index, meta in by_table.get(res.name, []):
            shift = F.when(F.col("_f") == index, F.lit(offset)).otherwise(shift) if offset else shift
            s.offsets[index] = offset
            offset += meta["last"] - 1
            s.findings += [shift_row(Finding(**dict(zip(FINDING_FIELDS, f))), s.offsets[index]) for f in meta["findings"] + meta["checks"]]
            s.rows += meta["rows"]
            s.sizes.append((meta["bytes"], meta["sha256"]))
            s.notes += meta.get("notes", [])
        s.absent = set(by_table[res.name][0][1]["absent"]) if res.name in by_table else set()
        s.df = records.where((F.col("kind") == "row") & (F.col("table") == res.name)).select(
            "_f", "_line", (F.col("_row") + shift).alias("_row"), *[F.col("cells")[i].alias(c) for i, c in enumerate(s.cols.values())])
    return out, [records]


def _strings_schema(cols: dict[str, str]) -> Any:
    from pyspark.sql import types as T

    return T.StructType([T.StructField("_f", T.IntegerType()), T.StructField("_line", T.LongType()), T.StructField("_row", T.LongType())]
                        + [T.StructField(c, T.StringType()) for c in cols.values()])


def _frames(spark: Any, sparked: dict[str, _Sparked], local: dict[str, Table], known: dict[str, Frame]) -> dict[str, Frame]:
    """Every resource as a `Frame`: Spark's, and the local engine's tables as DataFrames (once)."""
    for n, t in local.items():
        if n not in known:
            known[n] = Frame(t.resource, _as_spark(spark, t), {c: c for c in t.raw.columns}, set(t.absent_columns), t.file, t.file_names or [t.file])
    out = {n: Frame(s.resource, s.df, s.cols, s.absent, s.file, s.files) for n, s in sparked.items()}
    return {**out, **{n: known[n] for n in local}}


def _spark_findings(pkg: Package, sparked: dict[str, _Sparked], frames: dict[str, Frame]) -> list[Finding]:
    """Column checks, unique, primary and foreign keys as Spark SQL; the finding rows collected."""
    parts, keyed, children, targets, out = [], [], [], [], []
    for name, s in sparked.items():
        res, specs = s.resource, field_specs(s.resource.schema)
        usable = {n: c for n, c in s.cols.items() if n not in s.absent}
        if (cf := column_findings(name, s.df, specs, usable, res.missing_values)) is not None:
            parts.append(cf)
        keyed += unique_keys(name, s.df, specs, usable, res.missing_values, res.primary_key)
        pk = res.primary_key
        if pk and not any(c in s.absent for c in pk):
            out += [Finding("error", "primary-key", f"the blank row has no primary key ({', '.join(pk)}); delete the row",
                            name, f.file, f.line, None, None, row=f.row) for f in s.findings if f.rule == "blank-row"]
            keyed.append(primary_keys(name, s.df, pk, s.cols, res.missing_values))
        out += _integrity(s)
    refs: dict[str, tuple[str, list[str]]] = {}
    for name, fr in frames.items():
        res, df, cols, absent, file = pkg.resources[name], fr.df, fr.cols, fr.absent, fr.file
        for n, fk in enumerate(res.foreign_keys):
            fields, ref_name, ref_fields = fk["fields"], fk["resource"], fk["ref_fields"]
            if ref_name not in frames:
                if ref_name not in pkg.resources:
                    out.append(Finding("error", "foreign-key", f"foreign key ({', '.join(fields)}) references resource '{ref_name}', which the package does not have; fix the schema", name, file, 1, ",".join(fields)))
                continue
            rdf, rcols, rabsent = frames[ref_name].df, frames[ref_name].cols, frames[ref_name].absent
            if any(f in absent for f in fields) or any(f in rabsent for f in ref_fields):
                continue
            refs[f"{name}#{n}"] = (ref_name, ref_fields)
            child, target = foreign_keys(f"{name}#{n}", name, df, fields, cols, res.missing_values, rdf, [rcols[f] for f in ref_fields])
            children.append(child)
            targets.append(target)
    union = lambda frames: reduce(lambda a, b: a.unionByName(b), frames)  # noqa: E731
    if keyed:
        parts.append(repeats(union(keyed)))
    if children:
        parts.append(dangling(union(children), union(targets)))
    if parts:
        rows = union(parts).collect()
        out += [_finding(pkg, frames, refs, r) for r in rows]
    return out


def _as_spark(spark: Any, t: Table) -> Any:
    """A table the local engine read, as a DataFrame for the foreign keys that join it."""
    frame = pd.DataFrame({c: t.raw[c].astype(object) for c in t.raw.columns})
    frame["_f"] = np.asarray(t.row_files, dtype=np.int32) if t.row_files is not None else 0
    frame["_line"] = pd.array(np.asarray(t.lines), dtype="Int64") if t.lines is not None else pd.array([None] * len(frame), dtype="Int64")
    frame["_row"] = np.asarray(t.rownums, dtype=np.int64) if t.rownums is not None else np.arange(len(frame), dtype=np.int64) + 2
    from pyspark.sql import types as T

    schema = T.StructType([T.StructField(c, T.StringType()) for c in t.raw.columns]
                          + [T.StructField("_f", T.IntegerType()), T.StructField("_line", T.LongType()), T.StructField("_row", T.LongType())])
    records = [tuple(None if (v is None or v is pd.NA or (isinstance(v, float) and math.isnan(v))) else (int(v) if k in ("_f", "_line", "_row") else v)
                     for k, v in zip(frame.columns, r)) for r in frame.itertuples(index=False, name=None)]
    return spark.createDataFrame(records, schema)


def _finding(pkg: Package, frames: dict, refs: dict, r: Any) -> Finding:
    name = r["table"]
    res = pkg.resources[name]
    specs = {s.name: s for s in field_specs(res.schema)}
    files = frames[name].files
    file = files[r["_f"]] if r["_f"] is not None and r["_f"] < len(files) else frames[name].file
    rule, column, value = r["rule"], r["column"], r["value"]
    if rule == "foreign-key":
        ref_name, ref_fields = refs[r["fk"]]
        msg = f"'{value}' has no match in {ref_name}.{','.join(ref_fields)} ({frames[ref_name].file}); use an existing id or add the row there"
    elif rule == "primary-key":
        msg = (f"primary key ({', '.join(res.primary_key)}) = ({value}) already used on {first_at(r['first_line'], r['first'])}; "
               "give this row a new id, or merge the two rows")
    else:
        msg = _message(specs[column], rule, value, first_at(r["first_line"], r["first"]) if rule == "unique" else None)
    return Finding("error", rule, msg, name, file, r["_line"], column, value, row=r["_row"])


def _message(spec: Any, rule: str, value: str, first: str | None) -> str:
    """The local engine's message for a column finding (validation._constraint_message's words)."""
    if rule == "type":
        fmt_ = spec.raw.get("format")
        hint = TYPE_HINTS.get(spec.type, spec.type) + (f" in format {fmt_!r}" if fmt_ and fmt_ != "default" else "")
        return f"not a valid {spec.type}: write {hint}"
    if rule == "required":
        return f"'{spec.name}' is required; fill it in ({spec.description.rstrip('.')})"
    if rule == "unique":
        return f"the value must be unique in '{spec.name}' but already appears on {first}; change one of them"
    limit = {"enum": list(spec.enum or ()), "pattern": spec.constraints.get("pattern"), "minimum": spec.constraints.get("minimum"),
             "maximum": spec.constraints.get("maximum"), "min-length": spec.constraints.get("minLength"),
             "max-length": spec.constraints.get("maxLength")}[rule]
    return failure_text(spec, rule, limit, value, nan=spec.type == "number" and value in ("NaN", "nan"))


def _integrity(s: _Sparked) -> list[Finding]:
    """`bytes` and `hash` in the descriptor against the file Spark read (one-file resources)."""
    res = s.resource.descriptor
    if len(s.sizes) != 1:
        return []
    size, digest = s.sizes[0]
    out = []
    if res.get("bytes") is not None and size != res["bytes"]:
        out.append(Finding("error", "resource-bytes", f"the file has {size} bytes, the descriptor says {res['bytes']}: it changed after the build; rebuild, or restore the file", s.resource.name, s.file, None, None, str(size)))
    want = res.get("hash")
    if isinstance(want, str):
        algo, _, expected = want.rpartition(":")
        if algo == "sha256" and digest != expected:
            out.append(Finding("error", "resource-hash", f"the file's sha256 is {digest}, the descriptor says {expected}: it changed after the build; rebuild, or restore the file", s.resource.name, s.file, None, None, digest))
    return out
