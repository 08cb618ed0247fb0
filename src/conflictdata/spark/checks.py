"""The Table Schema's checks as Spark SQL, generated field by field from the schema.

A table arrives as a DataFrame of strings, one column per field (`c0`, `c1`, … in schema order;
None where a short record was padded), with `_f` (the file's index in the resource), `_line` (the
record's first line, None for formats without lines) and `_row` (frictionless' row number). Each
check is a filter that keeps the failing rows as finding rows:
`rule, column, value, _f, _line, _row, first, first_line` (the row and line of the first
occurrence, for unique and primary-key). Nothing is collected here; the engine unions and
collects the finding rows only.

The type tests use the local engine's own regular expressions (columns.py) and Spark's `try_`
casts, so both engines accept the same cells: an integer is `[+-]?[0-9]+` within int64, a number
is the frictionless number syntax (with inf and NaN), a date is `YYYY-MM-DD` and a real day.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from pyspark.sql import Column, DataFrame, Window
from pyspark.sql import functions as F

from ._local import _DATE, _INT, _NUM, DEFAULT_FALSE, DEFAULT_TRUE, FieldSpec

__all__ = ["SPARK_TYPES", "check_sql", "column_findings", "unique_keys", "primary_keys", "repeats", "foreign_keys", "dangling", "spark_can_check"]

SPARK_TYPES = {"string", "integer", "number", "boolean", "date"}
_INF = r"^\+?(inf|INF|Inf|infinity|Infinity)$"
_NEG_INF = r"^-(inf|INF|Inf|infinity|Infinity)$"


def spark_can_check(spec: FieldSpec) -> bool:
    """Whether the field's type and constraints have a Spark SQL form here (else: local engine)."""
    fmt = spec.raw.get("format") or "default"
    return spec.type in SPARK_TYPES and fmt == "default"


def _q(text: str) -> str:
    """A Spark SQL string literal."""
    return "'" + str(text).replace("\\", "\\\\").replace("'", "\\'") + "'"


def _present(c: str, missing: list[str]) -> str:
    return f"({c} IS NOT NULL AND {c} NOT IN ({', '.join(map(_q, missing))}))" if missing else f"({c} IS NOT NULL)"


def _typed(spec: FieldSpec, c: str) -> tuple[str, str]:
    """(the cell is of the field's type, its typed value) for a present cell, as Spark SQL."""
    kind = spec.type
    if kind == "integer":
        value = f"try_cast(regexp_replace({c}, {_q(r'^[+]')}, '') AS BIGINT)"
        return f"({c} RLIKE {_q(_INT)} AND {value} IS NOT NULL)", value
    if kind == "number":
        value = (f"(CASE WHEN {c} RLIKE {_q(_INF)} THEN CAST('Infinity' AS DOUBLE) WHEN {c} RLIKE {_q(_NEG_INF)} THEN CAST('-Infinity' AS DOUBLE) "
                 f"WHEN {c} IN ('NaN', 'nan') THEN CAST('NaN' AS DOUBLE) ELSE try_cast({c} AS DOUBLE) END)")
        return f"({c} RLIKE {_q(_NUM)} AND {value} IS NOT NULL)", value
    if kind == "boolean":
        trues = ", ".join(_q(v) for v in spec.raw.get("trueValues", DEFAULT_TRUE))
        falses = ", ".join(_q(v) for v in spec.raw.get("falseValues", DEFAULT_FALSE))
        return f"({c} IN ({trues}) OR {c} IN ({falses}))", f"({c} IN ({trues}))"
    if kind == "date":
        day = f"try_to_date({c}, 'yyyy-MM-dd')"
        # Shaped YYYY-MM-DD, a real day (written back, it reads the same), and no year 0.
        return f"({c} RLIKE {_q(_DATE)} AND {day} IS NOT NULL AND date_format({day}, 'yyyy-MM-dd') = {c} AND NOT startswith({c}, '0000'))", day
    return "true", c


def _limit(spec: FieldSpec, v: Any) -> str:
    if spec.type == "integer":
        return f"CAST({int(v)} AS BIGINT)"
    if spec.type == "number":
        return f"CAST({_q(repr(float(v)))} AS DOUBLE)"
    if spec.type == "date":
        return f"DATE {_q(dt.date.fromisoformat(str(v)).isoformat())}"
    if spec.type == "boolean":
        return "true" if (v if isinstance(v, bool) else str(v) in DEFAULT_TRUE) else "false"
    return _q(v)


def check_sql(specs: list[FieldSpec], cols: dict[str, str], missing: list[str]) -> list[tuple[str, str, str]]:
    """(condition, rule, field) of every column check, as Spark SQL over the string columns."""
    checks: list[tuple[str, str, str]] = []
    for spec in specs:
        if spec.name not in cols:
            continue
        c = f"`{cols[spec.name]}`"
        present = _present(c, missing)
        ok, value = _typed(spec, c)
        if ok != "true":
            checks.append((f"{present} AND NOT {ok}", "type", spec.name))
        if spec.required:
            checks.append((f"{c} IS NOT NULL AND NOT {present}", "required", spec.name))
        usable = f"{present} AND {ok}"
        # NaN is a value that fails enum and both bounds (as in frictionless); Spark would
        # order it above every number and find it equal to itself.
        nan = f" OR isnan({value})" if spec.type == "number" else ""
        k = spec.constraints
        if spec.enum is not None:
            checks.append((f"{usable} AND ({value} NOT IN ({', '.join(_limit(spec, v) for v in spec.enum)}){nan})", "enum", spec.name))
        if "pattern" in k:
            # Java's regex dialect: the same verdicts as Python's `re` for the patterns Table
            # Schemas use (classes, repetitions, alternatives); anchored as a full match.
            checks.append((f"{usable} AND NOT {c} RLIKE {_q('^(?:' + str(k['pattern']) + ')' + chr(92) + 'z')}", "pattern", spec.name))
        for key, op in (("minimum", "<"), ("maximum", ">")):
            if key in k:
                checks.append((f"{usable} AND ({value} {op} {_limit(spec, k[key])}{nan})", key, spec.name))
        for key, rule, op in (("minLength", "min-length", "<"), ("maxLength", "max-length", ">")):
            if key in k:
                checks.append((f"{usable} AND char_length({c}) {op} {int(k[key])}", rule, spec.name))
    return checks


def column_findings(table: str, df: DataFrame, specs: list[FieldSpec], cols: dict[str, str], missing: list[str]) -> DataFrame | None:
    """type, required, enum, pattern, minimum, maximum, min-length and max-length of each field
    in `cols` (field name → DataFrame column), all judged in one pass over the rows: each check
    is a conditional struct, the failing ones exploded into finding rows."""
    checks = check_sql(specs, cols, missing)
    if not checks:
        return None
    structs = ", ".join(f"IF({cond}, named_struct('rule', {_q(rule)}, 'column', {_q(name)}, 'value', `{cols[name]}`), NULL)"
                        for cond, rule, name in checks)
    hits = df.select("_f", "_line", "_row", F.expr(f"explode(filter(array({structs}), x -> x IS NOT NULL))").alias("_hit"))
    return hits.select(F.lit(table).alias("table"), "_hit.rule", "_hit.column", "_hit.value", "_f", "_line", "_row",
                       F.lit(None).cast("long").alias("first"), F.lit(None).cast("long").alias("first_line"), F.lit(None).cast("string").alias("fk"))


# Every key check of every table meets in one shuffle: key rows carry (table, rule, column, key),
# the key being the cells as JSON (composite keys without a separator that could occur in them).
_KEYED = ["table", "rule", "column", "key", "value", "_f", "_line", "_row"]


def _complete(keys: list[Column], missing: list[str]) -> Column:
    ok = F.lit(True)
    for k in keys:
        if missing:
            ok = ok & ~k.isin(*missing)
    return ok


def unique_keys(table: str, df: DataFrame, specs: list[FieldSpec], cols: dict[str, str], missing: list[str], pk: list[str]) -> list[DataFrame]:
    """Key rows of each `unique` field: its typed value (a single-field primary key is the key's)."""
    out = []
    for spec in specs:
        if not spec.unique or pk == [spec.name] or spec.name not in cols:
            continue
        c = f"`{cols[spec.name]}`"
        ok, value = _typed(spec, c)
        out.append(df.where(f"{_present(c, missing)} AND {ok}").select(
            F.lit(table).alias("table"), F.lit("unique").alias("rule"), F.lit(spec.name).alias("column"),
            F.expr(f"CAST({value} AS STRING)").alias("key"), F.col(cols[spec.name]).alias("value"), "_f", "_line", "_row"))
    return out


def primary_keys(table: str, df: DataFrame, pk: list[str], cols: dict[str, str], missing: list[str]) -> DataFrame:
    """Key rows of the complete primary keys, compared as written (as the local engine does)."""
    keys = [F.coalesce(F.col(cols[n]), F.lit("")) for n in pk]
    return df.where(_complete(keys, missing)).select(
        F.lit(table).alias("table"), F.lit("primary-key").alias("rule"), F.lit(",".join(pk)).alias("column"),
        F.to_json(F.array(*keys)).alias("key"), F.concat_ws(",", *keys).alias("value"), "_f", "_line", "_row")


def repeats(keyed: DataFrame) -> DataFrame:
    """The key rows that repeat an earlier row's key (in file and row order), with the line (or
    row) of the first: one window over all keys of all tables."""
    w = Window.partitionBy("table", "rule", "column", "key").orderBy("_f", "_row")
    ranked = (keyed.withColumn("_n", F.row_number().over(w)).withColumn("first", F.first("_row").over(w))
              .withColumn("first_line", F.first("_line").over(w)))
    return ranked.where("_n > 1").select("table", "rule", "column", "value", "_f", "_line", "_row", "first", "first_line", F.lit(None).cast("string").alias("fk"))


def foreign_keys(fk: str, table: str, df: DataFrame, fields: list[str], cols: dict[str, str], missing: list[str],
                 ref: DataFrame, ref_cols: list[str]) -> tuple[DataFrame, DataFrame]:
    """(the referring rows whose fields all hold a value, the referenced keys) of one foreign key,
    both keyed by `fk` so that all foreign keys meet in one anti-join."""
    keys = [F.coalesce(F.col(cols[n]), F.lit("")) for n in fields]
    child = df.where(_complete(keys, missing)).select(
        F.lit(fk).alias("fk"), F.lit(table).alias("table"), F.lit(",".join(fields)).alias("column"),
        F.to_json(F.array(*keys)).alias("key"), F.concat_ws(",", *keys).alias("value"), "_f", "_line", "_row")
    target = ref.select(F.lit(fk).alias("fk"), F.to_json(F.array(*[F.coalesce(F.col(c), F.lit("")) for c in ref_cols])).alias("key"))
    return child, target


def dangling(children: DataFrame, targets: DataFrame) -> DataFrame:
    """Referring rows without a referenced row: the values as written, anti-joined."""
    return children.join(targets.distinct(), on=["fk", "key"], how="left_anti").select(
        "table", F.lit("foreign-key").alias("rule"), "column", "value", "_f", "_line", "_row",
        F.lit(None).cast("long").alias("first"), F.lit(None).cast("long").alias("first_line"), "fk")
