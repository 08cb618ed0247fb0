"""Validation: every check on a package, collected into one `Report`.

Order: read every resource (file-level findings), check each column's constraints with the Pandera
schema generated from `schema/`, then primary and foreign keys, then — for conflictdata's own
package — the cross-field and cross-table rules of docs/data-model.md (`rules.py`) and the canonical
form of the CSV files (`canonical.py`). Nothing stops at the first problem.
"""

from __future__ import annotations

import difflib
from collections.abc import Callable, Iterator
from dataclasses import dataclass

import numpy as np
import pandas as pd
import pyarrow as pa

from ..contract.findings import Finding, Report
from ..contract.package import Package, Resource
from ..contract.schema import pandera_schema
from ..reading.columns import arrow_strings, is_missing
from .keys import KeyIndex, KeyOrder, Lookup
from ..reading.readahead import ReadAhead, iter_batches
from ..reading.stream import concat
from ..reading.tables import Table, read_table, subset

__all__ = ["validate_package", "read_tables", "Progress"]


Progress = Callable[[str, int, int], None]


def read_tables(package: Package) -> dict[str, Table]:
    return {name: read_table(package, res) for name, res in package.resources.items()}


def validate_package(package: Package, *, strict: bool = False, progress: Progress | None = None,
                     whole: bool = True) -> tuple[Report, dict[str, Table]]:
    """Validate an opened package; also return the tables read, so `load()` need not read twice.

    With `whole=False`, a large CSV file is read and checked in chunks (`tables.STREAM_MIN_BYTES`),
    and its returned table keeps only the columns the checks across tables need afterwards
    (`Table.partial`). `progress(stage, done, total)` is called as the work advances, in bytes
    read (the CLI draws a bar from it).
    """
    step = progress or (lambda stage, done, total: None)
    ours = package.is_conflictdata
    from . import rules

    plan = _plan(package)
    sizes = {name: _size(res) for name, res in package.resources.items()}
    total = sum(sizes.values()) + 1
    done = 0
    tables: dict[str, Table] = {}
    indexes: dict[tuple[str, str], KeyIndex] = {}
    views: dict[str, list[Table]] = {}
    findings: list[Finding] = []
    # Streaming, one thread reads every table in turn, ahead of the checks.
    ahead = None if whole else ReadAhead(package, plan.order, _prepare_chunk if ours else None)
    try:
        for name in plan.order:
            step(f"checking {name}", done, total)
            run = _Run(package, plan, name, tables, indexes, lambda n_bytes, name=name, base=done: step(f"checking {name}", base + n_bytes, total))
            findings += run.check(ahead.batches(name) if ahead is not None else None)
            tables[name] = run.table
            views.update(run.views)
            for field in plan.indexed.get(name, ()):  # keys other tables refer to: ready for their chunks
                if field in run.table.raw.columns and field not in run.table.absent_columns:
                    indexes[(name, field)] = KeyIndex(arrow_strings(run.table.raw[field]), run.matched(field))
            done += sizes[name]
    finally:
        if ahead is not None:
            ahead.close()
    tables = {name: tables[name] for name in package.resources}
    for (name, _field), index in indexes.items():
        tables[name].referenced.update(index.referenced())
    step("keys", done, total)
    for table in tables.values():
        findings += table.findings
        findings += check_unique(table)
        findings += check_primary_key(table.key_table if table.key_table is not None else table) if table.keys_unique is not True else []
        findings += check_file_integrity(package, table)
        findings += check_parquet_copy(package, table)
    findings += check_foreign_keys(tables, only=plan.late_fks)
    if ours:
        from . import canonical as fmt

        step("data-model rules", done, total)
        findings += rules.run_tables(package, tables, views)
        findings += fmt.canonical_findings(tables)
        from .acknowledge import apply_acknowledgements

        findings = apply_acknowledgements(package, tables, findings)
    step("done", total, total)
    from .delegated import delegated_fields

    notes = [f"{r.name}: {r.note}" for r in package.resources.values() if r.note]
    for r in package.resources.values():
        if (fields := delegated_fields(r)):
            notes.append(f"{r.name}: checked by frictionless, not by the fast path: " + ", ".join(f"{n} ({why})" for n, why in fields.items()))
    report = Report(package=package.display(package.descriptor_path), findings=findings, strict=strict, notes=notes,
                    root=str(package.root.resolve()))
    report.rows = {name: len(t.raw) for name, t in tables.items()}
    return report.sorted(), tables


def _delegated_findings(package: Package, table: Table) -> list[Finding]:
    """Type and constraint errors of the fields the fast path leaves to frictionless."""
    from .delegated import frictionless_findings

    rows = np.asarray(table.rownums) if table.rownums is not None else np.arange(len(table.raw)) + 2
    line_by_row = dict(zip(rows.tolist(), np.asarray(table.lines).tolist())) if table.lines is not None else {}
    return frictionless_findings(package, table.resource, table.delegated, table.file, line_by_row.get)


def _size(res: Resource) -> int:
    try:
        return sum(p.stat().st_size for p in res.paths) if res.paths else 1
    except OSError:
        return 1


@dataclass(slots=True)
class _Plan:
    """In which order to read the tables, and what to check when (issue 5: large files stream).

    Tables are read referenced-first, so that a foreign key is looked up chunk by chunk in a table
    already read (`chunk_fks`); only a foreign key into a table not read yet (itself, or a cycle)
    or over several fields waits for the end (`late_fks`), keeping its columns (`keeps`).
    """

    order: list[str]
    chunk_fks: dict[str, list[dict]]
    late_fks: set[tuple[str, int]]
    keeps: dict[str, set[str]]
    indexed: dict[str, set[str]]


def _plan(package: Package) -> _Plan:
    from . import rules

    resources = package.resources
    ours = package.is_conflictdata
    sizes = {name: _size(res) for name, res in resources.items()}
    first = rules.context_tables() if ours else set()
    needs = {name: {fk["resource"] for fk in res.foreign_keys if fk["resource"] != name and fk["resource"] in resources}
             for name, res in resources.items()}
    order: list[str] = []
    left = set(resources)
    while left:
        # Tables the row rules look up first, then whatever has its references read, smallest
        # first; in a cycle of references, the smallest goes first and its keys wait for the end.
        ready = [n for n in left if not (needs[n] & left)] or list(left)
        pick = min(ready, key=lambda n: (n not in first, sizes[n], n))
        order.append(pick)
        left.remove(pick)
    position = {name: i for i, name in enumerate(order)}
    chunk_fks: dict[str, list[dict]] = {}
    late: set[tuple[str, int]] = set()
    keeps: dict[str, set[str]] = {name: set() for name in resources}
    indexed: dict[str, set[str]] = {}
    for name, res in resources.items():
        keeps[name].update(f["name"] for f in res.schema.get("fields", []) if isinstance(f, dict) and (f.get("constraints") or {}).get("unique"))
        if len(res.primary_key) == 1:
            keeps[name].update(res.primary_key)  # ids: retractions and `--against` name them
        for n, fk in enumerate(res.foreign_keys):
            ref = fk["resource"]
            if len(fk["fields"]) == 1 and ref in resources and position[ref] < position[name]:
                chunk_fks.setdefault(name, []).append(fk)
                indexed.setdefault(ref, set()).add(fk["ref_fields"][0])
                keeps[ref].add(fk["ref_fields"][0])
            else:
                late.add((name, n))
                keeps[name].update(fk["fields"])
                if ref in keeps:
                    keeps[ref].update(fk["ref_fields"])
    if ours:
        for name, cols in rules.kept_columns().items():
            if name in keeps:
                keeps[name].update(cols)
        for rule_name, link in rules.links().items():
            # A rule asking which rows another table refers to reads it off the key lookups;
            # without such a foreign key, it needs the referring column itself.
            src, field, target, target_field = link
            if src in resources and not any(fk["fields"] == [field] and fk["resource"] == target and fk["ref_fields"] == [target_field]
                                            for fk in chunk_fks.get(src, [])):
                keeps.setdefault(src, set()).add(field)
                keeps.setdefault(target, set()).add(target_field)
    return _Plan(order, chunk_fks, late, keeps, indexed)


def _prepare_chunk(chunk: Table) -> None:
    """Work on a chunk of our package that needs nothing but the chunk, run in the reading
    thread: the canonical form (the column checks stay in the checking thread, so that the two
    threads balance)."""
    from . import canonical as fmt

    fmt.chunk_findings(chunk)


class _Run:
    """One table's pass: every check that looks at one chunk at a time, and what to keep."""

    def __init__(self, package: Package, plan: _Plan, name: str, tables: dict[str, Table],
                 indexes: dict[tuple[str, str], KeyIndex], step: Callable[[int], None]) -> None:
        self.package, self.plan, self.name, self.tables, self.indexes, self.step = package, plan, name, tables, indexes, step
        self.res = package.resources[name]
        self.views: dict[str, list[Table]] = {}
        self.table: Table | None = None
        self._matched: dict[str, list[dict[str, np.ndarray]]] = {}  # of the indexed columns, chunk by chunk
        self._parquet_rows: int | None = None

    def check(self, batches: Iterator[Table] | None = None) -> list[Finding]:
        """Check the table as `batches` gives it (`ReadAhead.batches`: perhaps in chunks), or
        read whole."""
        from ..reading.csvfile import NotStreamable

        try:
            return self._check(batches if batches is not None else iter_batches(self.package, self.res, stream=False))
        except NotStreamable:
            # Not plain enough to read in chunks: the careful reader sees it whole and says why.
            return self._check(iter_batches(self.package, self.res, stream=False))

    def _bytes_of_batch(self, rows: int) -> int:
        """A Parquet batch's share of its file's bytes (progress is counted in bytes)."""
        if self._parquet_rows is None:
            from ..reading.parquet import parquet_rows

            self._parquet_rows = parquet_rows(self.res) if self.res.format == "parquet" else 0
        return int(_size(self.res) * rows / self._parquet_rows) if self._parquet_rows else 0

    def matched(self, field: str) -> dict[str, np.ndarray]:
        """The pattern verdicts of an indexed column, for the whole table, by pattern."""
        parts = self._matched.get(field, [])
        patterns = set.intersection(*(set(p) for p in parts)) if parts else set()
        return {pattern: np.concatenate([p[pattern] for p in parts]) for pattern in patterns}

    def _check(self, chunks: Iterator[Table]) -> list[Finding]:
        from . import rules

        self._matched = {}

        ours = self.package.is_conflictdata
        keep = self.plan.keeps.get(self.name, set())
        findings: list[Finding] = []
        parts: list[Table] = []
        views: dict[str, list[Table]] = {}
        order = KeyOrder()
        pk = [c for c in self.res.primary_key]
        read = 0
        for chunk in chunks:
            fk_findings, lookups = self._foreign_keys(chunk)
            findings += fk_findings
            findings += check_constraints(chunk, lookups)
            for field in self.plan.indexed.get(self.name, ()):
                if field in chunk.parsed:
                    self._matched.setdefault(field, []).append(chunk.parsed[field].matched)
            if ours:
                findings += rules.run_rows(self.package, chunk, self.tables)
                for rule_name, view in rules.views_of(chunk).items():
                    views.setdefault(rule_name, []).append(view)
            if chunk.delegated and not chunk.streamed:
                findings += _delegated_findings(self.package, chunk)
            if not chunk.streamed:  # the whole table in one piece
                self.table = chunk
                self.views = {r: v[0] for r, v in views.items()}
                return findings
            if pk and not any(c in chunk.absent_columns for c in pk):
                order.add([arrow_strings(chunk.raw[c]) for c in pk], [pa.array(chunk.frame[c]) for c in pk])
            read += len(chunk.data) if chunk.data is not None else self._bytes_of_batch(len(chunk.raw))
            self.step(read)
            parts.append(subset(chunk, keep))
        if not parts:
            from ..reading.csvfile import NotStreamable

            raise NotStreamable("no records")  # a header alone: nothing to stream
        self.table = concat(parts, keep)
        self.views = {r: concat(v, set(v[0].raw.columns)) for r, v in views.items()}
        if pk:
            self.table.keys_unique = order.unique
            self.table.keys_ordered = order.ordered
            if not (order.unique and order.ordered) and not set(pk) <= set(self.table.raw.columns):
                # The chunks cannot prove it, and the key was not kept: read the key columns whole
                # and check them the general way.
                self.table.key_table = concat([subset(c, set(pk)) for c in iter_batches(self.package, self.res)], set(pk))
        return findings

    def _foreign_keys(self, chunk: Table) -> tuple[list[Finding], dict[str, Lookup]]:
        """Foreign keys into tables already read, looked up for this chunk's rows; and the lookups
        by field, which the constraint checks reuse."""
        out: list[Finding] = []
        lookups: dict[str, Lookup] = {}
        for fk in self.plan.chunk_fks.get(self.name, []):
            field, ref_name, ref_field = fk["fields"][0], fk["resource"], fk["ref_fields"][0]
            index = self.indexes.get((ref_name, ref_field))
            if index is None or field in chunk.absent_columns:
                continue  # the referenced column is absent: reported as missing-column
            values = arrow_strings(chunk.raw[field])
            parsed = chunk.parsed.get(field)
            missing = parsed.missing if parsed is not None else is_missing(values, self.res.missing_values).to_numpy(zero_copy_only=False)
            present = ~np.asarray(missing, dtype=bool)
            found, pos = index.lookup(values)
            lookups[field] = Lookup(index, found, pos)
            index.mark((self.name, field), pos, found & present)
            ref = self.tables[ref_name]
            for i in np.flatnonzero(present & ~found):
                value = chunk.raw[field].iat[int(i)]
                out.append(chunk.finding(int(i), field, "foreign-key", f"'{value}' has no match in {ref_name}.{ref_field} ({ref.file}); "
                                         "use an existing id or add the row there", value=value))
        return out, lookups


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
    from ..contract.names import PARQUET_KEY

    alt = res.get(PARQUET_KEY)
    if isinstance(alt, dict) and isinstance(alt.get("path"), str):
        out += _integrity(package, table, alt, package.display(package.root / alt["path"]))
    return out


def check_parquet_copy(package: Package, table: Table) -> list[Finding]:
    """A resource's Parquet copy is valid for its schema and holds exactly the CSV's rows and values."""
    from dataclasses import replace

    from ..contract.names import PARQUET_KEY
    from ..contract.package import safe_join
    from ..reading.tables import read_table

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
    from .canonical import canonical_order

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


def check_constraints(table: Table, lookups: dict[str, Lookup] | None = None) -> list[Finding]:
    """Required, unique, enum, pattern, range and length constraints, column by column.

    Arrow kernels judge them (columns.py); a column whose constraints Arrow cannot judge exactly
    goes to the Pandera schema generated from `schema/`, which defines the same verdicts.
    `lookups`: the columns already looked up among another table's keys (`_Run._foreign_keys`).
    """
    from ..reading.columns import _Slow, constraint_failures

    out: list[Finding] = []
    slow: list[str] = []
    for spec in table.specs:
        name = spec.name
        parsed = table.parsed.get(name)
        if name in table.absent_columns or parsed is None or name in table.delegated:
            continue
        usable = ~table.unusable[name].to_numpy(dtype=bool)
        if spec.required:
            for i in np.flatnonzero(parsed.missing & usable):
                out.append(table.finding(int(i), name, "required", f"'{name}' is required; fill it in ({spec.description.rstrip('.')})"))
        try:
            failures = constraint_failures(spec, parsed, usable, (lookups or {}).get(name), table.resource.missing_values)
        except _Slow:
            slow.append(name)
            continue
        for rule, limit, rows in failures:
            for i in np.flatnonzero(rows):
                out.append(table.finding(int(i), name, rule, _constraint_message(table, spec, rule, limit, int(i))))
    if slow:
        out += _pandera_findings(table, slow)
    return out


def check_unique(table: Table) -> list[Finding]:
    """The `unique` constraint, across all rows (a single-field primary key is left to check_primary_key)."""
    out: list[Finding] = []
    pk = table.resource.primary_key
    for spec in table.specs:
        name = spec.name
        if not spec.unique or pk == [name] or name in table.absent_columns or name not in table.frame.columns:
            continue
        col = table.frame[name]
        usable = ~table.unusable[name].to_numpy(dtype=bool)
        dup = col.duplicated(keep="first").to_numpy(dtype=bool) & col.notna().to_numpy(dtype=bool) & usable
        for i in np.flatnonzero(dup):
            out.append(table.finding(int(i), name, "unique", f"the value must be unique in '{name}' but already appears on line {_first_line(table, name, int(i))}; change one of them"))
    return out


def _constraint_message(table: Table, spec, rule: str, limit: object, i: int) -> str:
    value = table.raw[spec.name].iat[i]
    if spec.type == "number" and np.isnan(table.frame[spec.name].iat[i]):
        # A cell written NaN: no near miss to suggest, no order to explain.
        return f"'{value}' is not an allowed value" if rule == "enum" else f"'{value}' is {_limit_text(rule, limit)}"
    if rule == "enum":
        close = difflib.get_close_matches(value, [str(v) for v in limit], n=1, cutoff=0.6)
        hint = f"did you mean '{close[0]}'? " if close else ""
        return f"'{value}' is not an allowed value; {hint}allowed: {', '.join(map(str, limit))}"
    if rule == "pattern":
        return f"'{value}' does not have the required form {limit} ({spec.description.rstrip('.')})"
    return f"'{value}' is {_limit_text(rule, limit)}"


def _pandera_findings(table: Table, columns: list[str]) -> list[Finding]:
    """Enum, pattern, range and length checks of `columns` by the generated Pandera schema."""
    import pandera.errors

    schema, rules = pandera_schema(table.resource.schema, name=table.name)
    schema = schema.select_columns(columns)
    schema.unique = None
    for col in schema.columns.values():
        col.nullable, col.unique = True, False  # required and unique are judged by the caller
    specs = {s.name: s for s in table.specs}
    frame = table.frame[columns].copy()
    for name in columns:
        if specs[name].type == "number":
            # A NaN cell fails enum and range checks (as in frictionless); Pandera would skip it.
            frame[name] = frame[name].fillna(np.inf).where(~table.parsed[name].missing, np.nan) if name in table.parsed else frame[name]
    try:
        schema.validate(frame, lazy=True)
        return []
    except pandera.errors.SchemaErrors as exc:
        cases = exc.failure_cases
    out: list[Finding] = []
    seen: set[tuple] = set()
    for case in cases.itertuples(index=False):
        column, number, index = case.column, case.check_number, case.index
        if column not in specs or index is None or pd.isna(index) or number is None or pd.isna(number):
            continue
        i = int(index)
        if bool(table.unusable[column].iat[i]) or table.parsed[column].missing[i]:
            continue
        cs = rules[column][int(number)]
        key = (i, column, cs.rule)
        if key not in seen:
            seen.add(key)
            out.append(table.finding(i, column, cs.rule, _constraint_message(table, specs[column], cs.rule, cs.limit, i)))
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
    from ..reading.columns import in_order
    from .keys import repeats

    if not blank and in_order([arrow_strings(table.raw[c]) for c in pk], strict=True):
        return []  # sorted with no two keys equal: no duplicate (the usual case; no hashing 10^6 keys)

    columns = [arrow_strings(table.raw[c]) for c in pk]
    complete = np.ones(len(table.raw), dtype=bool)
    for col in columns:
        complete &= ~np.asarray(is_missing(col, table.resource.missing_values).to_numpy(zero_copy_only=False), dtype=bool)
    out = []
    for i, j in repeats(columns, complete):
        first = table.line(j)
        value = ",".join(str(table.raw[c].iat[i]) for c in pk)
        out.append(table.finding(int(i), ",".join(pk), "primary-key",
                                 f"primary key ({', '.join(pk)}) = ({value}) already used on line {first}; "
                                 "give this row a new id, or merge the two rows", value=value))
    return blank + out


def check_foreign_keys(tables: dict[str, Table], only: set[tuple[str, int]] | None = None) -> list[Finding]:
    """Every foreign key with all its fields present resolves to a row of the referenced table.

    `only`: the (table, index of foreign key) to check here (the others were looked up chunk by chunk).
    """
    out: list[Finding] = []
    for table in tables.values():
        for n, fk in enumerate(table.resource.foreign_keys):
            if only is not None and (table.name, n) not in only:
                continue
            fields, ref_name, ref_fields = fk["fields"], fk["resource"], fk["ref_fields"]
            ref = tables.get(ref_name)
            if ref is None:
                out.append(Finding("error", "foreign-key", f"foreign key ({', '.join(fields)}) references resource '{ref_name}', which the package does not have; fix the schema", table.name, table.file, 1, ",".join(fields)))
                continue
            if any(f in table.absent_columns for f in fields) or any(f in ref.absent_columns for f in ref_fields):
                continue
            if len(fields) == 1:
                # Only the cells that hold a value are looked up, by binary search in the
                # referenced column (a self-reference over 10^7 ids: no hash set of them all).
                values = table.raw[fields[0]]
                strings = arrow_strings(values)
                present = ~np.asarray(is_missing(strings, table.resource.missing_values).to_numpy(zero_copy_only=False), dtype=bool)
                rows = np.flatnonzero(present)
                found, _ = KeyIndex(arrow_strings(ref.raw[ref_fields[0]])).lookup(strings.take(pa.array(rows)))
                dangling = np.zeros(len(values), dtype=bool)
                dangling[rows[~found]] = True
            else:
                keys = table.raw[fields]
                present = ~keys.isin(table.resource.missing_values).any(axis=1)
                target = set(map(tuple, ref.raw[ref_fields].itertuples(index=False, name=None)))
                values = pd.Series(list(keys.itertuples(index=False, name=None)), index=keys.index, dtype=object)
                dangling = (present & ~values.isin(target)).to_numpy(dtype=bool)
            for i in np.flatnonzero(dangling):
                v = values.iat[int(i)]
                value = v if isinstance(v, str) else ",".join(v)
                out.append(table.finding(int(i), ",".join(fields), "foreign-key",
                                         f"'{value}' has no match in {ref_name}.{','.join(ref_fields)} ({ref.file}); "
                                         f"use an existing id or add the row there", value=value))
    return out
