"""The Spark engine: a package validated on a SparkSession, into the local engine's `Report`.

Per resource Spark can read (CSV/TSV files whose fields have a Spark SQL form), the files are
parsed by executors (read.py), the column checks and the keys run as Spark SQL (checks.py), and
only the finding rows come back to the driver. Other resources (Parquet, xlsx, JSON, inline
data, fields left to frictionless) are read and checked on the driver by the local engine, and a
note says so; their keys still join the Spark foreign-key checks. For conflictdata's own package
the data-model rules (rules.py), the canonical form (fmt.py) and the acknowledgements run on the
driver, on the tables gathered there (they are small).
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

from ._local import (TYPE_HINTS, Finding, Package, Report, Resource, Table, _delegated_findings, _finish, failure_text,
                     _rule_names, acknowledge, check_constraints, check_primary_key, check_unique, delegated_fields,
                     field_specs, fmt, read_table, rules, table_of_file)
from .checks import column_findings, dangling, foreign_keys, primary_keys, repeats, spark_can_check, unique_keys
from .locate import Located, locate
from .read import FINDING_FIELDS, RECORD, Job, normalise, parse_batches

__all__ = ["validate"]


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

    @property
    def file(self) -> str:
        return self.files[0] if self.files else self.resource.relpath


def validate(package: str | Path | Package, spark: Any, *, strict: bool = False, select: Any = None, ignore: Any = None) -> Report:
    """Validate `package` (a folder, a `datapackage.json`, a URI Spark can read such as
    `hdfs://…/pkg` or `s3a://…/pkg`, or an opened `Package`) on the SparkSession `spark`; the
    same findings as `conflictdata.validate` would give, as a `Report`."""
    chosen, dropped = _rule_names(select, "--select"), _rule_names(ignore, "--ignore")
    if isinstance(package, (str, Path)) and "://" not in str(package) and (found := table_of_file(package)) is not None:
        root, table = found  # one data file: its table, checked with the rest of its package
        return validate(root, spark, strict=strict, select=select, ignore=ignore).only(table)
    where = locate(package, spark)
    pkg = where.package
    findings: list[Finding] = []
    notes = [f"{r.name}: {r.note}" for r in pkg.resources.values() if r.note]
    local: dict[str, Table] = {}
    sparked, records = _read_all(spark, where, [r for r in pkg.resources.values() if _local_reason(r) is None])
    for s in sparked.values():
        findings += s.findings
    for name, res in pkg.resources.items():
        why = _local_reason(res)
        if why is None:
            continue
        notes.append(f"{name}: checked by the local engine, not by Spark ({why})")
        if where.remote:
            findings.append(Finding("error", "file", f"the Spark engine cannot read this resource ({why}) and the local engine cannot reach {where.base}; "
                                    "convert it to CSV, or validate a local copy", name, where.uri(res.relpath), None))
            continue
        table = read_table(pkg, res)
        local[name] = table
        findings += _local_findings(pkg, table)
        if table.handed_over is not None:
            notes.append(f"{name}: read and validated by frictionless, not by the fast path ({table.handed_over})")
        elif (fields := delegated_fields(res)):
            notes.append(f"{name}: checked by frictionless, not by the fast path: " + ", ".join(f"{n} ({why})" for n, why in fields.items()))
    findings += [f for f in _spark_findings(spark, pkg, sparked, local) if f.table not in local or local[f.table].handed_over is None]
    tables: dict[str, Table] | None = None
    if pkg.is_conflictdata:
        tables = {**_gather(records, sparked), **local}
        tables = {n: tables[n] for n in pkg.resources if n in tables}
        findings += rules.run_whole(pkg, tables)
        if not where.remote:
            findings += fmt.canonical_findings(tables)
        findings = acknowledge.apply_acknowledgements(pkg, tables, findings)
    records.unpersist()
    report = Report(package=where.display, findings=findings, strict=strict, notes=notes, root=where.root)
    report.rows = {n: (sparked[n].rows if n in sparked else len(local[n].raw)) for n in pkg.resources if n in sparked or n in local}
    if chosen is not None or dropped:
        report.findings = acknowledge.select_rules(report.findings, chosen, dropped)
    return report.sorted()


def _local_reason(res: Resource) -> str | None:
    """Why the Spark engine leaves the resource to the local engine (None: Spark reads it)."""
    if res.inline is not None:
        return "inline data"
    if res.format not in ("csv", "tsv"):
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


def _read_all(spark: Any, where: Located, resources: list[Resource]) -> tuple[dict[str, _Sparked], Any]:
    """Parse the files of every resource Spark reads in one job, cached as one DataFrame of
    records (read.RECORD); each resource's DataFrame of strings is a view of it."""
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
    job = Job({r.name: r for r in resources}, files, {r.name: _delimiter(r) for r in resources})
    if uris:
        binary = spark.read.format("binaryFile").load(uris).select("path", "content")
        records = binary.mapInArrow(lambda batches: parse_batches(batches, job), RECORD)
        records = records.persist(StorageLevel.MEMORY_AND_DISK)
        metas = sorted((r["table"], r["_f"], json.loads(r["meta"])) for r in records.where("kind = 'meta'").select("table", "_f", "meta").collect())
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
            s.findings += [Finding(**dict(zip(FINDING_FIELDS, f))) for f in meta["findings"]]
            s.rows += meta["rows"]
            s.sizes.append((meta["bytes"], meta["sha256"]))
        s.absent = set(by_table[res.name][0][1]["absent"]) if res.name in by_table else set()
        s.df = records.where((F.col("kind") == "row") & (F.col("table") == res.name)).select(
            "_f", "_line", (F.col("_row") + shift).alias("_row"), *[F.col("cells")[i].alias(c) for i, c in enumerate(s.cols.values())])
    return out, records


def _strings_schema(cols: dict[str, str]) -> Any:
    from pyspark.sql import types as T

    return T.StructType([T.StructField("_f", T.IntegerType()), T.StructField("_line", T.LongType()), T.StructField("_row", T.LongType())]
                        + [T.StructField(c, T.StringType()) for c in cols.values()])


def _spark_findings(spark: Any, pkg: Package, sparked: dict[str, _Sparked], local: dict[str, Table]) -> list[Finding]:
    """Column checks, unique, primary and foreign keys as Spark SQL; the finding rows collected."""
    parts, keyed, children, targets, out = [], [], [], [], []
    # name → (DataFrame, field → column, absent fields, first file, every file)
    frames = {n: (s.df, s.cols, s.absent, s.file, s.files) for n, s in sparked.items()}
    frames.update({n: (_as_spark(spark, t), {c: c for c in t.raw.columns}, t.absent_columns, t.file, [t.file]) for n, t in local.items()})
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
    for name, (df, cols, absent, file, _) in frames.items():
        res = pkg.resources[name]
        for n, fk in enumerate(res.foreign_keys):
            fields, ref_name, ref_fields = fk["fields"], fk["resource"], fk["ref_fields"]
            if ref_name not in frames:
                if ref_name not in pkg.resources:
                    out.append(Finding("error", "foreign-key", f"foreign key ({', '.join(fields)}) references resource '{ref_name}', which the package does not have; fix the schema", name, file, 1, ",".join(fields)))
                continue
            rdf, rcols, rabsent, _, _ = frames[ref_name]
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
    frame["_f"] = 0
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
    files = frames[name][4]
    file = files[r["_f"]] if r["_f"] is not None and r["_f"] < len(files) else frames[name][3]
    rule, column, value = r["rule"], r["column"], r["value"]
    if rule == "foreign-key":
        ref_name, ref_fields = refs[r["fk"]]
        msg = f"'{value}' has no match in {ref_name}.{','.join(ref_fields)} ({frames[ref_name][3]}); use an existing id or add the row there"
    elif rule == "primary-key":
        msg = (f"primary key ({', '.join(res.primary_key)}) = ({value}) already used on line {r['first']}; "
               "give this row a new id, or merge the two rows")
    else:
        msg = _message(specs[column], rule, value, r["first"])
    return Finding("error", rule, msg, name, file, r["_line"], column, value, row=r["_row"])


def _message(spec: Any, rule: str, value: str, first: int | None) -> str:
    """The local engine's message for a column finding (validation._constraint_message's words)."""
    if rule == "type":
        fmt_ = spec.raw.get("format")
        hint = TYPE_HINTS.get(spec.type, spec.type) + (f" in format {fmt_!r}" if fmt_ and fmt_ != "default" else "")
        return f"not a valid {spec.type}: write {hint}"
    if rule == "required":
        return f"'{spec.name}' is required; fill it in ({spec.description.rstrip('.')})"
    if rule == "unique":
        return f"the value must be unique in '{spec.name}' but already appears on line {first}; change one of them"
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


def _gather(records: Any, sparked: dict[str, _Sparked]) -> dict[str, Table]:
    """Every table on the driver, as the local engine holds it (for the data-model rules): each
    table's records collected as Arrow."""
    import pyarrow.compute as pc
    from pyspark.sql import functions as F

    out = {}
    for name, s in sparked.items():
        # One table at a time: the driver holds one table's records in Arrow at once, not all.
        got = records.where((F.col("kind") == "row") & (F.col("table") == name)).select("_f", "_line", "_row", "cells").toArrow()
        part = got.sort_by([("_f", "ascending"), ("_row", "ascending")])
        names = s.resource.field_names
        n = part.num_rows
        flat = pc.list_flatten(part.column("cells")).to_numpy(zero_copy_only=False) if n else []
        cells = pd.DataFrame(flat.reshape(n, len(names)) if n else [], columns=names, dtype=object).fillna("")
        raw = pd.DataFrame({c: pd.Series(cells[c].to_numpy(), dtype=str) for c in names}) if n else pd.DataFrame({c: pd.Series([], dtype=str) for c in names})
        raw.attrs["absent"] = set(s.absent)
        lines = part.column("_line").to_numpy().astype(np.int64) if n else np.array([], dtype=np.int64)
        rownums = part.column("_row").to_numpy().astype(np.int64) if n else np.array([], dtype=np.int64)
        if n and any(s.offsets.values()):
            rownums = rownums + np.vectorize(s.offsets.get)(part.column("_f").to_numpy())
        reader = [f for f in s.findings if f.rule not in ("resource-bytes", "resource-hash")]
        out[name] = _finish(s.resource, s.file, raw, lines, reader, rownums=rownums)
    return out
