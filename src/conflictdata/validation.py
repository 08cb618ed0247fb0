"""Validation: every check on a package, collected into one `Report`.

Order: read every resource (file-level findings), check each column's constraints with the Pandera
schema generated from `schema/`, then primary and foreign keys, then — for conflictdata's own
package — the cross-field and cross-table rules of DATA-MODEL.md (`rules.py`) and the canonical
form of the CSV files (`fmt.py`). Nothing stops at the first problem.
"""

from __future__ import annotations

import difflib
from pathlib import Path

import numpy as np
import pandas as pd

from .findings import Finding, Report
from .package import Package, open_package
from .schema import pandera_schema
from .tables import Table, read_table

__all__ = ["validate", "validate_package", "read_tables"]


def validate(path: str | Path | None = None, *, strict: bool = False) -> Report:
    """Validate the package at `path` (the bundled dataset by default) and return every finding.

    Raises `UnusableInputError` only when the package cannot be read at all.
    """
    package = open_package(path)
    report, _ = validate_package(package, strict=strict)
    return report


def read_tables(package: Package) -> dict[str, Table]:
    return {name: read_table(package, res) for name, res in package.resources.items()}


def validate_package(package: Package, *, strict: bool = False) -> tuple[Report, dict[str, Table]]:
    """Validate an opened package; also return the tables read, so `load()` need not read twice."""
    tables = read_tables(package)
    findings: list[Finding] = []
    for table in tables.values():
        findings += table.findings
        findings += check_constraints(table)
        findings += check_primary_key(table)
    findings += check_foreign_keys(tables)
    if package.is_conflictdata:
        from . import fmt, rules

        findings += rules.run(package, tables)
        findings += fmt.canonical_findings(tables)
    report = Report(package=package.display(package.descriptor_path), findings=findings, strict=strict)
    report.rows = {name: len(t.frame) for name, t in tables.items()}
    return report.sorted(), tables


def _limit_text(rule: str, limit: object) -> str:
    return {
        "minimum": f"below the minimum {limit}",
        "maximum": f"above the maximum {limit}",
        "min-length": f"shorter than {limit} character(s)",
        "max-length": f"longer than {limit} character(s)",
    }.get(rule, str(limit))


def check_constraints(table: Table) -> list[Finding]:
    """Required, unique, enum, pattern, range and length constraints, via the generated Pandera schema."""
    import pandera.errors

    schema, rules = pandera_schema(table.resource.schema, name=table.name)
    try:
        schema.validate(table.frame, lazy=True)
        return []
    except pandera.errors.SchemaErrors as exc:
        cases = exc.failure_cases
    out: list[Finding] = []
    specs = {s.name: s for s in table.specs}
    seen: set[tuple] = set()
    for case in cases.itertuples(index=False):
        column, check, number, index = case.column, str(case.check), case.check_number, case.index
        if column not in specs or index is None or pd.isna(index):
            continue
        i = int(index)
        if bool(table.unusable[column].iat[i]):
            continue  # already reported as a type error or a missing column
        spec = specs[column]
        if check == "not_nullable":
            rule, msg = "required", f"'{column}' is required; fill it in ({spec.description.rstrip('.')})"
        elif check == "field_uniqueness":
            first = _first_line(table, column, i)
            rule, msg = "unique", f"the value must be unique in '{column}' but already appears on line {first}; change one of them"
        elif number is not None and not pd.isna(number):
            cs = rules[column][int(number)]
            rule = cs.rule
            value = table.raw[column].iat[i]
            if rule == "enum":
                close = difflib.get_close_matches(value, [str(v) for v in cs.limit], n=1, cutoff=0.6)
                hint = f"did you mean '{close[0]}'? " if close else ""
                msg = f"'{value}' is not an allowed value; {hint}allowed: {', '.join(map(str, cs.limit))}"
            elif rule == "pattern":
                msg = f"'{value}' does not have the required form {cs.limit} ({spec.description.rstrip('.')})"
            else:
                msg = f"'{value}' is {_limit_text(rule, cs.limit)}"
        else:
            continue
        key = (i, column, rule)
        if key in seen:
            continue
        seen.add(key)
        out.append(table.finding(i, column, rule, msg))
    return out


def _first_line(table: Table, column: str | list[str], i: int) -> int | None:
    cols = [column] if isinstance(column, str) else column
    frame = table.raw[cols]
    match = (frame == frame.iloc[i]).all(axis=1).to_numpy()
    return table.line(int(np.flatnonzero(match)[0]))


def check_primary_key(table: Table) -> list[Finding]:
    """Each primary key appears once; later duplicates are reported with the line of the first."""
    pk = table.resource.primary_key
    if not pk or any(c in table.absent_columns for c in pk):
        return []
    keys = table.raw[pk]
    complete = ~(keys.isin(table.resource.missing_values).any(axis=1))
    dup = keys.duplicated(keep="first") & complete
    out = []
    for i in np.flatnonzero(dup.to_numpy()):
        first = _first_line(table, pk, int(i))
        value = ",".join(keys.iloc[int(i)])
        out.append(table.finding(int(i), ",".join(pk), "primary-key",
                                 f"primary key ({', '.join(pk)}) = ({value}) already used on line {first}; "
                                 "give this row a new id, or merge the two rows", value=value))
    return out


def check_foreign_keys(tables: dict[str, Table]) -> list[Finding]:
    """Every foreign key with all its fields present resolves to a row of the referenced table."""
    out: list[Finding] = []
    for table in tables.values():
        for fk in table.resource.foreign_keys:
            fields, ref_name, ref_fields = fk["fields"], fk["resource"], fk["ref_fields"]
            ref = tables.get(ref_name)
            if ref is None:
                out.append(Finding("error", "foreign-key", f"foreign key ({', '.join(fields)}) references resource '{ref_name}', which the package does not have; fix the schema", table.name, table.file, 1, ",".join(fields)))
                continue
            if any(f in table.absent_columns for f in fields) or any(f in ref.absent_columns for f in ref_fields):
                continue
            keys = table.raw[fields]
            present = ~keys.isin(table.resource.missing_values).any(axis=1)
            target = set(map(tuple, ref.raw[ref_fields].itertuples(index=False, name=None)))
            tuples = pd.Series(list(keys.itertuples(index=False, name=None)), index=keys.index, dtype=object)
            dangling = present & ~tuples.isin(target)
            for i in np.flatnonzero(dangling.to_numpy()):
                value = ",".join(tuples.iat[int(i)])
                out.append(table.finding(int(i), ",".join(fields), "foreign-key",
                                         f"'{value}' has no match in {ref_name}.{','.join(ref_fields)} ({ref.file}); "
                                         f"use an existing id or add the row there", value=value))
    return out
