"""Validation: every check on a package, collected into one `Report`.

Order: read every resource (file-level findings), check each column's constraints with the Pandera
schema generated from `schema/`, then primary and foreign keys, then — for conflictdata's own
package — the cross-field and cross-table rules of DATA-MODEL.md (`rules.py`) and the canonical
form of the CSV files (`fmt.py`). Nothing stops at the first problem.
"""

from __future__ import annotations

import difflib
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pandas as pd

from .findings import Finding, Report
from .package import Package, open_package
from .schema import pandera_schema
from .tables import Table, isin, read_table

__all__ = ["validate", "validate_package", "read_tables"]


Progress = Callable[[str, int, int], None]


def validate(path: str | Path | None = None, *, strict: bool = False, against: str | Path | None = None,
             progress: Progress | None = None) -> Report:
    """Validate the package at `path` (the bundled dataset by default) and return every finding.

    With `against` (a folder, release archive or git ref of an older version), also fail on ids
    that vanished without a retraction or were reused for a different record.
    Raises `UnusableInputError` only when a package cannot be read at all.
    """
    package = open_package(path)
    report, tables = validate_package(package, strict=strict, progress=progress)
    if against is not None:
        from .diff import check_against
        from .refs import opened

        with opened(against, repo=_repo_of(package)) as old:
            report.findings += check_against(old, package, tables)
        report.sorted()
    return report


def _repo_of(package: Package) -> Path | None:
    from .refs import git_toplevel

    return git_toplevel(package.root) if package.root.exists() else None


def read_tables(package: Package) -> dict[str, Table]:
    return {name: read_table(package, res) for name, res in package.resources.items()}


def validate_package(package: Package, *, strict: bool = False, progress: Progress | None = None) -> tuple[Report, dict[str, Table]]:
    """Validate an opened package; also return the tables read, so `load()` need not read twice.

    `progress(stage, done, total)` is called as the work advances (the CLI draws a bar from it).
    """
    step = progress or (lambda stage, done, total: None)
    total = 2 * len(package.resources) + 2
    tables: dict[str, Table] = {}
    for n, (name, res) in enumerate(package.resources.items()):
        step(f"reading {name}", n, total)
        tables[name] = read_table(package, res)
    findings: list[Finding] = []
    for n, table in enumerate(tables.values(), start=len(tables)):
        step(f"checking {table.name}", n, total)
        findings += table.findings
        findings += check_constraints(table)
        findings += check_primary_key(table)
        findings += check_file_integrity(package, table)
        findings += check_parquet_copy(package, table)
    step("foreign keys", total - 2, total)
    findings += check_foreign_keys(tables)
    if package.is_conflictdata:
        from . import fmt, rules

        step("data-model rules", total - 1, total)
        findings += rules.run(package, tables)
        findings += fmt.canonical_findings(tables)
    step("done", total, total)
    report = Report(package=package.display(package.descriptor_path), findings=findings, strict=strict,
                    notes=[f"{r.name}: {r.note}" for r in package.resources.values() if r.note])
    report.rows = {name: len(t.frame) for name, t in tables.items()}
    return report.sorted(), tables


def _integrity(package: Package, table: Table, spec: dict, file: str) -> list[Finding]:
    """`bytes` and `hash` of a file described in the descriptor, checked against the file."""
    from .integrity import sha256_file

    out: list[Finding] = []
    want_hash, want_bytes = spec.get("hash"), spec.get("bytes")
    if want_hash is None and want_bytes is None:
        return out
    path = package.root / spec["path"]
    if not path.is_file():
        return out  # reported by the reader
    size = path.stat().st_size
    if want_bytes is not None and size != want_bytes:
        out.append(Finding("error", "resource-bytes", f"the file has {size} bytes, the descriptor says {want_bytes}: it changed after the build; rebuild, or restore the file", table.name, file, None, None, str(size)))
    if isinstance(want_hash, str):
        algo, _, digest = want_hash.rpartition(":")
        if (algo or "md5") == "sha256":
            actual = sha256_file(path)
            if actual != digest:
                out.append(Finding("error", "resource-hash", f"the file's sha256 is {actual}, the descriptor says {digest}: it changed after the build; rebuild, or restore the file", table.name, file, None, None, actual))
    return out


def check_file_integrity(package: Package, table: Table) -> list[Finding]:
    res = table.resource.descriptor
    out = _integrity(package, table, {"path": table.resource.relpath, **res}, table.file) if len(table.resource.paths) == 1 else []
    from .build import PARQUET_KEY

    alt = res.get(PARQUET_KEY)
    if isinstance(alt, dict) and isinstance(alt.get("path"), str):
        out += _integrity(package, table, alt, package.display(package.root / alt["path"]))
    return out


def check_parquet_copy(package: Package, table: Table) -> list[Finding]:
    """A resource's Parquet copy is valid for its schema and holds exactly the CSV's rows and values."""
    from dataclasses import replace

    from .build import PARQUET_KEY
    from .package import safe_join
    from .tables import read_table

    alt = table.resource.descriptor.get(PARQUET_KEY)
    if not isinstance(alt, dict) or not isinstance(alt.get("path"), str):
        return []
    try:
        path = safe_join(package.root, alt["path"], what="parquet path", where=f"resource {table.name!r}")
    except Exception as exc:  # UnusableInputError: report it as a finding of this table
        return [Finding("error", "parquet", str(exc), table.name, table.file)]
    if not path.is_file():
        return [Finding("error", "parquet", f"the Parquet copy {alt['path']} is missing; rebuild with `conflictdata build`", table.name, package.display(path))]
    resource = replace(table.resource, paths=[path], relpaths=[alt["path"]], format="parquet")
    copy = read_table(package, resource)
    out = [f for f in copy.findings]
    if out:
        return out
    from .fmt import canonical_order

    mine = table.frame.loc[canonical_order(table)].reset_index(drop=True)
    theirs = copy.frame.reset_index(drop=True)
    if len(mine) != len(theirs):
        return [Finding("error", "parquet-mismatch", f"the Parquet copy has {len(theirs)} rows, the CSV {len(mine)}; rebuild with `conflictdata build`", table.name, copy.file)]
    for col in mine.columns:
        a, b = mine[col].astype(object), theirs[col].astype(object)
        same = (a.isna() & b.isna()) | (a == b).fillna(False).astype(bool)
        for i in np.flatnonzero(~same.to_numpy(dtype=bool))[:20]:
            out.append(Finding("error", "parquet-mismatch", f"row {i + 1} (in primary-key order) differs from the CSV: {a.iat[i]!r} in CSV, {b.iat[i]!r} in Parquet; rebuild with `conflictdata build`",
                               table.name, copy.file, None, col, None if pd.isna(b.iat[i]) else str(b.iat[i])))
    return out


def _limit_text(rule: str, limit: object) -> str:
    return {
        "minimum": f"below the minimum {limit}",
        "maximum": f"above the maximum {limit}",
        "min-length": f"shorter than {limit} character(s)",
        "max-length": f"longer than {limit} character(s)",
    }.get(rule, str(limit))


def _nan_cells(table: Table) -> dict[str, np.ndarray]:
    """Number cells written as NaN: present values (not missing) that fail every comparison."""
    out = {}
    for spec in table.specs:
        if spec.type == "number" and spec.name not in table.absent_columns:
            written = ~table.raw[spec.name].isin(table.resource.missing_values).to_numpy() & ~table.unusable[spec.name].to_numpy()
            nan = written & table.frame[spec.name].isna().to_numpy()
            if nan.any():
                out[spec.name] = nan
    return out


def check_constraints(table: Table) -> list[Finding]:
    """Required, unique, enum, pattern, range and length constraints, via the generated Pandera schema."""
    import pandera.errors

    schema, rules = pandera_schema(table.resource.schema, name=table.name)
    out: list[Finding] = []
    # As in frictionless, a cell written NaN is a value: it is present (not a required failure)
    # and fails enum, minimum and maximum (comparisons with NaN are false).
    nan_cells = _nan_cells(table)
    specs_by_name = {s.name: s for s in table.specs}
    for column, mask in nan_cells.items():
        for cs in rules[column]:
            if cs.rule in ("enum", "minimum", "maximum"):
                for i in np.flatnonzero(mask):
                    value = table.raw[column].iat[int(i)]
                    msg = f"'{value}' is not an allowed value" if cs.rule == "enum" else f"'{value}' is {_limit_text(cs.rule, cs.limit)}"
                    out.append(table.finding(int(i), column, cs.rule, msg))
    try:
        schema.validate(table.frame, lazy=True)
        return out
    except pandera.errors.SchemaErrors as exc:
        cases = exc.failure_cases
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
        if check == "not_nullable" and column in nan_cells and nan_cells[column][i]:
            continue
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
    # A blank row has an empty key: frictionless reports it as a primary-key error too, and so
    # do we (row numbers agree with its report).
    blank = [Finding("error", "primary-key", f"the blank row has no primary key ({', '.join(pk)}); delete the row",
                     table.name, f.file, f.line, None, None, row=f.row) for f in table.findings if f.rule == "blank-row"]
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
    return blank + out


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
            if len(fields) == 1:
                values = keys[fields[0]]
                dangling = present & ~isin(values, ref.raw[ref_fields[0]])
            else:
                target = set(map(tuple, ref.raw[ref_fields].itertuples(index=False, name=None)))
                values = pd.Series(list(keys.itertuples(index=False, name=None)), index=keys.index, dtype=object)
                dangling = present & ~values.isin(target)
            for i in np.flatnonzero(dangling.to_numpy()):
                v = values.iat[int(i)]
                value = v if isinstance(v, str) else ",".join(v)
                out.append(table.finding(int(i), ",".join(fields), "foreign-key",
                                         f"'{value}' has no match in {ref_name}.{','.join(ref_fields)} ({ref.file}); "
                                         f"use an existing id or add the row there", value=value))
    return out
