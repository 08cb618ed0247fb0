"""The Table Schema's checks as Spark SQL, generated field by field from the schema.

A table arrives as a DataFrame of strings, one column per field (`c0`, `c1`, … in schema order;
None where a short record was padded), with `_f` (the file's index in the resource), `_line` (the
record's first line, None for formats without lines) and `_row` (frictionless' row number). Each
check is a filter that keeps the failing rows as finding rows:
`rule, column, value, _f, _line, _row, first` (`first`: the line — or row — of the first
occurrence, for unique and primary-key). Nothing is collected here; the engine unions and
collects the finding rows only.

The type tests use the local engine's own regular expressions (columns.py) and Spark's `try_`
casts, so both engines accept the same cells: an integer is `[+-]?[0-9]+` within int64, a number
is the frictionless number syntax (with inf and NaN), a date is `YYYY-MM-DD` and a real day.
"""

from __future__ import annotations

import datetime as dt
import math
from typing import Any

from pyspark.sql import Column, DataFrame, Window
from pyspark.sql import functions as F

from ._local import _DATE, _INT, _NUM, DEFAULT_FALSE, DEFAULT_TRUE, FieldSpec

__all__ = ["SPARK_TYPES", "column_findings", "unique_findings", "key_findings", "foreign_key_findings", "spark_can_check"]

SPARK_TYPES = {"string", "integer", "number", "boolean", "date"}
_OUT = ["rule", "column", "value", "_f", "_line", "_row", "first"]
_INF = r"^\+?(inf|INF|Inf|infinity|Infinity)$"
_NEG_INF = r"^-(inf|INF|Inf|infinity|Infinity)$"


def spark_can_check(spec: FieldSpec) -> bool:
    """Whether the field's type and constraints have a Spark SQL form here (else: local engine)."""
    fmt = spec.raw.get("format") or "default"
    return spec.type in SPARK_TYPES and fmt == "default"


def _present(c: Column, missing: list[str]) -> Column:
    return c.isNotNull() & ~c.isin(*missing) if missing else c.isNotNull()


def _typed(spec: FieldSpec, c: Column) -> tuple[Column, Column]:
    """(the cell is of the field's type, its typed value) for a present cell."""
    kind = spec.type
    if kind == "integer":
        value = F.regexp_replace(c, r"^\+", "").try_cast("bigint")
        return c.rlike(_INT) & value.isNotNull(), value
    if kind == "number":
        value = (F.when(c.rlike(_INF), F.lit(math.inf)).when(c.rlike(_NEG_INF), F.lit(-math.inf))
                 .when(c.isin("NaN", "nan"), F.lit(math.nan)).otherwise(c.try_cast("double")))
        return c.rlike(_NUM) & value.isNotNull(), value
    if kind == "boolean":
        trues = [str(v) for v in spec.raw.get("trueValues", DEFAULT_TRUE)]
        falses = [str(v) for v in spec.raw.get("falseValues", DEFAULT_FALSE)]
        return c.isin(*trues) | c.isin(*falses), c.isin(*trues)
    if kind == "date":
        day = F.try_to_date(c, "yyyy-MM-dd")
        # Shaped YYYY-MM-DD, a real day (written back, it reads the same), and no year 0.
        ok = c.rlike(_DATE) & day.isNotNull() & (F.date_format(day, "yyyy-MM-dd") == c) & ~c.startswith("0000")
        return ok, day
    return F.lit(True), c


def _limit(spec: FieldSpec, v: Any) -> Column:
    if spec.type == "integer":
        return F.lit(int(v)).cast("bigint")
    if spec.type == "number":
        return F.lit(float(v)).cast("double")
    if spec.type == "date":
        return F.lit(dt.date.fromisoformat(str(v)))
    if spec.type == "boolean":
        return F.lit(v if isinstance(v, bool) else str(v) in DEFAULT_TRUE)
    return F.lit(str(v))


def _rows(df: DataFrame, cond: Column, rule: str, name: str, c: Column, first: Column | None = None) -> DataFrame:
    return df.where(cond).select(F.lit(rule).alias("rule"), F.lit(name).alias("column"), c.alias("value"),
                                 "_f", "_line", "_row", (first if first is not None else F.lit(None).cast("long")).alias("first"))


def column_findings(df: DataFrame, specs: list[FieldSpec], cols: dict[str, str], missing: list[str]) -> DataFrame | None:
    """type, required, enum, pattern, minimum, maximum, min-length and max-length of each field
    in `cols` (field name → DataFrame column), all judged in one pass over the rows: each check
    is a conditional struct, the failing ones exploded into finding rows."""
    checks: list[tuple[Column, str, str, Column]] = []
    for spec in specs:
        if spec.name not in cols:
            continue
        c = F.col(cols[spec.name])
        present = _present(c, missing)
        ok, value = _typed(spec, c)
        checks.append((present & ~ok, "type", spec.name, c))
        if spec.required:
            checks.append((c.isNotNull() & ~present, "required", spec.name, c))
        usable = present & ok
        nan = F.isnan(value) if spec.type == "number" else F.lit(False)
        k = spec.constraints
        if spec.enum is not None:
            allowed = [_limit(spec, v) for v in spec.enum]
            checks.append((usable & (~value.isin(*allowed) | nan), "enum", spec.name, c))
        if "pattern" in k:
            # Java's regex dialect: the same verdicts as Python's `re` for the patterns Table
            # Schemas use (classes, repetitions, alternatives); anchored as a full match.
            checks.append((usable & ~c.rlike(f"^(?:{k['pattern']})\\z"), "pattern", spec.name, c))
        for key in ("minimum", "maximum"):
            if key in k:
                # NaN fails both bounds (as in frictionless); Spark would order it above all.
                fails = (value < _limit(spec, k[key])) if key == "minimum" else (value > _limit(spec, k[key]))
                checks.append((usable & (fails | nan), key, spec.name, c))
        for key, rule in (("minLength", "min-length"), ("maxLength", "max-length")):
            if key in k:
                n = F.char_length(c)
                checks.append((usable & ((n < k[key]) if key == "minLength" else (n > k[key])), rule, spec.name, c))
    if not checks:
        return None
    failed = F.array(*[F.when(cond, F.struct(F.lit(rule).alias("rule"), F.lit(name).alias("column"), c.alias("value")))
                       for cond, rule, name, c in checks])
    hits = df.select("_f", "_line", "_row", F.explode(F.filter(failed, lambda x: x.isNotNull())).alias("_hit"))
    return hits.select("_hit.rule", "_hit.column", "_hit.value", "_f", "_line", "_row", F.lit(None).cast("long").alias("first"))


def _order() -> list[Column]:
    return [F.col("_f"), F.col("_row")]


def unique_findings(df: DataFrame, specs: list[FieldSpec], cols: dict[str, str], missing: list[str], pk: list[str]) -> list[DataFrame]:
    """Later repeats of a `unique` field's typed value (a single-field primary key is the key's)."""
    out = []
    for spec in specs:
        if not spec.unique or pk == [spec.name] or spec.name not in cols:
            continue
        c = F.col(cols[spec.name])
        ok, value = _typed(spec, c)
        usable = df.where(_present(c, missing) & ok).withColumn("_v", value)
        w = Window.partitionBy("_v").orderBy(*_order())
        ranked = usable.withColumn("_n", F.row_number().over(w)).withColumn("_first", F.first(F.coalesce("_line", "_row")).over(w))
        out.append(_rows(ranked, F.col("_n") > 1, "unique", spec.name, c, F.col("_first")))
    return out


def key_findings(df: DataFrame, pk: list[str], cols: dict[str, str], missing: list[str]) -> DataFrame:
    """Later repeats of a complete primary key, compared as written (as the local engine does)."""
    keys = [F.coalesce(F.col(cols[n]), F.lit("")) for n in pk]
    complete = F.lit(True)
    for k in keys:
        complete = complete & ~k.isin(*missing) if missing else complete
    keyed = df.where(complete).select("_f", "_line", "_row", *[k.alias(f"_k{i}") for i, k in enumerate(keys)])
    w = Window.partitionBy(*[f"_k{i}" for i in range(len(pk))]).orderBy(*_order())
    ranked = keyed.withColumn("_n", F.row_number().over(w)).withColumn("_first", F.first(F.coalesce("_line", "_row")).over(w))
    value = F.concat_ws(",", *[F.col(f"_k{i}") for i in range(len(pk))])
    return _rows(ranked, F.col("_n") > 1, "primary-key", ",".join(pk), value, F.col("_first"))


def foreign_key_findings(df: DataFrame, fields: list[str], cols: dict[str, str], missing: list[str],
                         ref: DataFrame, ref_cols: list[str]) -> DataFrame:
    """Rows whose foreign key (every field holding a value) matches no row of `ref`: an anti-join
    on the values as written, the referenced side reduced to its distinct keys first."""
    keys = [F.coalesce(F.col(cols[n]), F.lit("")) for n in fields]
    present = F.lit(True)
    for k in keys:
        present = present & ~k.isin(*missing) if missing else present
    child = df.where(present).select("_f", "_line", "_row", *[k.alias(f"_k{i}") for i, k in enumerate(keys)])
    target = ref.select(*[F.coalesce(F.col(c), F.lit("")).alias(f"_k{i}") for i, c in enumerate(ref_cols)]).distinct()
    dangling = child.join(target, on=[f"_k{i}" for i in range(len(fields))], how="left_anti")
    value = F.concat_ws(",", *[F.col(f"_k{i}") for i in range(len(fields))])
    return _rows(dangling, F.lit(True), "foreign-key", ",".join(fields), value)
