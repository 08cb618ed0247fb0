"""Table Schema → pandas, pyarrow and Pandera: the one place column definitions are translated.

`schema/*.json` is the single source of truth. This module derives from it the pandas dtypes that
`load()` returns, the Arrow types of Parquet files, the parsing of CSV strings into typed columns,
and the Pandera schema that checks required, unique, enum, pattern, range and length constraints.
(Pandera's own `from_frictionless_schema` maps dates to strings and ignores keys, hence this.)

Dtype decisions (documented in the README):
- string → pandas `string` (missing = `pd.NA`); enum columns → `category` with the schema's enum
  values as categories, in schema order, so categories are the same in every release;
- integer → `int64` when required, nullable `Int64` otherwise;
- number → `float64` (missing = NaN); boolean → nullable `boolean`;
- date → `date32[pyarrow]` (true calendar dates, missing = `pd.NA`, the same type as in Parquet).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd
import pyarrow as pa

if TYPE_CHECKING:
    from .package import Resource

__all__ = [
    "FieldSpec",
    "field_specs",
    "parse_column",
    "pandas_dtype",
    "arrow_type",
    "arrow_schema",
    "parquet_type",
    "parquet_schema",
    "pandera_schema",
    "CheckSpec",
    "ColumnRule",
    "column_rules",
    "typed_limit",
    "FAST_TYPES",
    "delegated_fields",
]

DEFAULT_TRUE = ["true", "True", "TRUE", "1"]
DEFAULT_FALSE = ["false", "False", "FALSE", "0"]
_INT_RE = r"^[+-]?\d+$"
_NUM_RE = r"^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$|^([+-]?(inf|INF|Inf|infinity|Infinity)|NaN|nan)$"
_DATE_RE = r"^\d{4}-\d{2}-\d{2}$"
DATE32 = pd.ArrowDtype(pa.date32())
INT64_MAX = int(np.iinfo(np.int64).max)
INT64_MIN = int(np.iinfo(np.int64).min)


@dataclass(frozen=True, slots=True)
class FieldSpec:
    """A Table Schema field with the facts the other layers need, read once."""

    name: str
    type: str
    required: bool
    unique: bool
    enum: tuple[Any, ...] | None
    constraints: dict[str, Any]
    raw: dict[str, Any]

    @property
    def description(self) -> str:
        return self.raw.get("description", "")


def field_specs(schema: dict[str, Any]) -> list[FieldSpec]:
    pk = schema.get("primaryKey") or []
    pk = [pk] if isinstance(pk, str) else pk
    out = []
    for f in schema["fields"]:
        c = dict(f.get("constraints") or {})
        enum = c.get("enum")
        out.append(
            FieldSpec(
                name=f["name"],
                type=f.get("type", "string") or "string",
                # Primary key fields are required, as in the Table Schema spec.
                required=bool(c.get("required")) or f["name"] in pk,
                unique=bool(c.get("unique")),
                enum=tuple(enum) if enum is not None else None,
                constraints=c,
                raw=f,
            )
        )
    return out


def pandas_dtype(spec: FieldSpec, *, for_load: bool = True) -> Any:
    """The dtype `load()` returns for this field."""
    if spec.enum is not None and spec.type == "string" and for_load:
        return pd.CategoricalDtype(categories=list(spec.enum), ordered=False)
    return {
        "integer": "int64" if spec.required else "Int64",
        "number": "float64",
        "boolean": "boolean",
        "date": DATE32,
    }.get(spec.type, pd.StringDtype())


def arrow_type(spec: FieldSpec) -> pa.DataType:
    """The Arrow (Parquet) type of this field."""
    return {
        "integer": pa.int64(),
        "number": pa.float64(),
        "boolean": pa.bool_(),
        "date": pa.date32(),
    }.get(spec.type, pa.string())


def arrow_schema(schema: dict[str, Any]) -> pa.Schema:
    return pa.schema(
        [pa.field(s.name, arrow_type(s), nullable=not s.required, metadata={"description": s.description}) for s in field_specs(schema)]
    )


# Enum codes as int32 whatever the enum's size, so a column's type does not change when a value is added.
ENUM_INDEX = pa.int32()


def parquet_type(spec: FieldSpec) -> pa.DataType:
    """The type of this field in built Parquet files: enums of strings are dictionary columns (the
    dictionary is the schema's enum, in schema order), so readers get categoricals."""
    if spec.enum is not None and spec.type == "string":
        return pa.dictionary(ENUM_INDEX, pa.string())
    return arrow_type(spec)


def parquet_schema(schema: dict[str, Any]) -> pa.Schema:
    return pa.schema(
        [pa.field(s.name, parquet_type(s), nullable=not s.required, metadata={"description": s.description}) for s in field_specs(schema)]
    )


def parse_column(raw: pd.Series, spec: FieldSpec, missing: pd.Series) -> tuple[pd.Series, pd.Series]:
    """Parse strings into the field's type.

    `missing` marks cells that hold a missing value. Returns the typed column (missing where the
    cell is missing or not of the type) and a mask of the cells present but not of the type.
    """
    present = ~missing
    kind = spec.type
    fmt = spec.raw.get("format", "default") or "default"
    if kind == "integer":
        ok = raw.str.fullmatch(_INT_RE) & present
        # Python ints, not floats: values near the int64 limits must not lose precision.
        ints = raw[ok].map(int)
        ok[ints.index[(ints > INT64_MAX) | (ints < INT64_MIN)]] = False
        # Built as (values, mask): assigning into an Int64 series with NA goes through float64 and
        # turns 999999999999999999 into 10**18.
        values = np.zeros(len(raw), dtype="int64")
        values[ok.to_numpy(dtype=bool)] = ints[ok[ok].index].to_numpy(dtype="int64")
        typed = pd.Series(pd.arrays.IntegerArray(values, ~ok.to_numpy(dtype=bool)), index=raw.index)
    elif kind == "number":
        ok = raw.str.fullmatch(_NUM_RE) & present
        typed = pd.to_numeric(raw.where(ok, None), errors="coerce").astype("float64")
    elif kind == "boolean":
        trues = raw.isin(spec.raw.get("trueValues", DEFAULT_TRUE))
        falses = raw.isin(spec.raw.get("falseValues", DEFAULT_FALSE))
        ok = (trues | falses) & present
        typed = pd.Series(pd.array([None] * len(raw), dtype="boolean"), index=raw.index)
        typed[trues & ok] = True
        typed[falses & ok] = False
    elif kind == "date":
        if fmt == "default":
            # Year 0 is no calendar year (Python's dates, and frictionless, start at year 1).
            shaped = raw.str.fullmatch(_DATE_RE) & present & ~raw.str.startswith("0000")
            parsed = pd.to_datetime(raw.where(shaped, None), format="%Y-%m-%d", errors="coerce")
        else:
            parsed = pd.to_datetime(raw.where(present, None), format=None if fmt == "any" else fmt, errors="coerce")
        ok = parsed.notna() & present
        typed = parsed.astype(DATE32)
    else:
        ok = present
        typed = raw.astype(pd.StringDtype()).mask(missing)
    bad = present & ~ok
    return typed, bad


@dataclass(frozen=True, slots=True)
class CheckSpec:
    """One Pandera check of a column and the rule name findings report for it."""

    rule: str
    limit: Any


@dataclass(frozen=True, slots=True)
class ColumnRule:
    """One constraint of a field as a Pandera check: `check` names both the `Check` constructor
    and the `Field` argument (`arg` its value, a dict for keyword arguments), `rule` the finding's
    rule name and `limit` the constraint as written. The validator's schema and the generated
    public models (`conflictdata.schemas`) are both built from these."""

    rule: str
    check: str
    arg: Any
    limit: Any

    def to_check(self) -> Any:
        import pandera.pandas as pa_

        make = getattr(pa_.Check, self.check)
        return make(**self.arg) if isinstance(self.arg, dict) else make(self.arg)


def typed_limit(spec: FieldSpec, v: Any) -> Any:
    """A constraint value (possibly written as a string: "1000", "4E4") as the field's type."""
    try:
        if spec.type == "number":
            return float(v)
        if spec.type == "integer":
            return int(v)
        if spec.type == "date":
            return pd.Timestamp(v).date()
    except (TypeError, ValueError):
        return v
    return v


def column_rules(spec: FieldSpec, *, backend: str = "pandas") -> list[ColumnRule]:
    """The enum, pattern, range and length constraints of a field, in a fixed order.

    Patterns must match the whole value: pandas' `str_matches` anchors at the start only, so the
    end is `\\Z` (Python's `$` also matches before a final newline); polars' regex engine has no
    `\\Z`, and its `$` is already the end of the text.
    """
    c = spec.constraints
    out: list[ColumnRule] = []
    if spec.enum is not None:
        out.append(ColumnRule("enum", "isin", [typed_limit(spec, v) for v in spec.enum], list(spec.enum)))
    if "pattern" in c:
        end = "$" if backend == "polars" else "\\Z"
        out.append(ColumnRule("pattern", "str_matches", f"^(?:{c['pattern']}){end}", c["pattern"]))
    for key, op in (("minimum", "ge"), ("maximum", "le")):
        if key in c:
            out.append(ColumnRule(key, op, typed_limit(spec, c[key]), c[key]))
    if "minLength" in c:
        out.append(ColumnRule("min-length", "str_length", {"min_value": c["minLength"]}, c["minLength"]))
    if "maxLength" in c:
        out.append(ColumnRule("max-length", "str_length", {"max_value": c["maxLength"]}, c["maxLength"]))
    return out


def _column_checks(spec: FieldSpec) -> tuple[list[Any], list[CheckSpec]]:
    rules = column_rules(spec)
    return [r.to_check() for r in rules], [CheckSpec(r.rule, r.limit) for r in rules]


def pandera_schema(schema: dict[str, Any], *, name: str = "", for_load: bool = False) -> tuple[Any, dict[str, list[CheckSpec]]]:
    """The Pandera schema of a Table Schema, and for each column the rule name of each check.

    With `for_load`, columns also carry the dtypes `load()` returns (enum columns are then
    categoricals whose categories already exclude unknown values, so the enum check is implied).
    """
    import pandera.pandas as pa_

    columns = {}
    rules: dict[str, list[CheckSpec]] = {}
    pk = schema.get("primaryKey") or []
    pk = [pk] if isinstance(pk, str) else list(pk)
    for spec in field_specs(schema):
        checks, names = _column_checks(spec)
        if for_load and spec.enum is not None:
            checks, names = checks[1:], names[1:]
        rules[spec.name] = names
        columns[spec.name] = pa_.Column(
            pandas_dtype(spec, for_load=True) if for_load else None,
            checks=checks,
            nullable=not spec.required,
            # A single-field primary key is reported once, as a primary-key finding.
            unique=spec.unique and pk != [spec.name],
            report_duplicates="exclude_first",
            required=True,
            description=spec.description,
        )
    frame = pa_.DataFrameSchema(
        columns,
        name=name or None,
        unique=pk or None,
        report_duplicates="exclude_first",
        strict=for_load,
        ordered=False,
    )
    return frame, rules


# The Table Schema types the fast path (Arrow, Pandera) understands; a field of another type is
# delegated to frictionless (checking/delegated.py).
FAST_TYPES = {"string", "integer", "number", "boolean", "date", "any"}


def delegated_fields(resource: "Resource") -> dict[str, str]:
    """Field name → why the fast path leaves it to frictionless (empty: nothing delegated)."""
    out: dict[str, str] = {}
    for f in resource.schema.get("fields", []):
        if not isinstance(f, dict) or not isinstance(f.get("name"), str):
            continue
        kind = f.get("type") or "string"
        if kind not in FAST_TYPES:
            out[f["name"]] = f"type {kind}"
        elif kind in ("number", "integer") and (f.get("decimalChar", ".") != "." or f.get("groupChar") or f.get("bareNumber") is False):
            out[f["name"]] = f"{kind} with decimalChar/groupChar/bareNumber"
        elif kind != "date" and f.get("format") not in (None, "default"):
            out[f["name"]] = f"{kind} in format {f.get('format')!r}"
        elif any(k in (f.get("constraints") or {}) for k in ("exclusiveMinimum", "exclusiveMaximum", "jsonSchema")):
            out[f["name"]] = "constraint exclusiveMinimum/exclusiveMaximum/jsonSchema"
    return out
