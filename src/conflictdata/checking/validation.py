"""Validation: the engine that runs every check on a package and collects one `Report`.

It only orchestrates: it plans the reading order (`Plan`), reads each table (streamed in chunks
when large, a read-ahead thread reading the next piece), and calls the checks (`check.Check`) in
their order at each stage. The checks themselves: foreign_keys, constraints (and unique),
primary_key, files (hashes, Parquet copies), delegated (frictionless), and — for conflictdata's own
package — the data-model rules (`rules`) and the canonical form (`canonical`). Nothing stops at
the first problem.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass

from ..contract.findings import Finding, Report
from ..contract.package import Package, Resource
from ..reading.readahead import ReadAhead, iter_batches
from ..reading.stream import concat
from ..reading.tables import Table, read_table, subset
from .check import Check, Run

__all__ = ["validate_package", "read_tables", "Progress", "Plan"]


Progress = Callable[[str, int, int], None]


def read_tables(package: Package) -> dict[str, Table]:
    return {name: read_table(package, res) for name, res in package.resources.items()}


def checks(package: Package) -> list[Check]:
    """Fresh checks for one validation, in the order they run at each stage (the foreign keys first:
    the constraint checks reuse their lookups; the data-model rules after the keys)."""
    from . import rules
    from .canonical import Canonical
    from .constraints import Constraints, Unique
    from .delegated import Delegated
    from .files import FileIntegrity, ParquetCopy
    from .foreign_keys import ForeignKeys
    from .primary_key import PrimaryKey

    # The data-model rules and the canonical form are conflictdata's own package's.
    ours = [*rules.checks(), Canonical()] if package.is_conflictdata else []
    return [ForeignKeys(), Constraints(), Delegated(), Unique(), PrimaryKey(), FileIntegrity(), ParquetCopy(), *ours]


def validate_package(package: Package, *, strict: bool = False, progress: Progress | None = None,
                     whole: bool = True) -> tuple[Report, dict[str, Table]]:
    """Validate an opened package; also return the tables read, so `load()` need not read twice.

    With `whole=False`, a large CSV file is read and checked in chunks (`tables.STREAM_MIN_BYTES`),
    and its returned table keeps only the columns the checks across tables need afterwards
    (`Table.partial`). `progress(stage, done, total)` is called as the work advances, in bytes
    read (the CLI draws a bar from it).
    """
    step = progress or (lambda stage, done, total: None)
    run = Run(package, _plan(package))
    checking = [check.connect(run) for check in checks(package)]
    sizes = {name: _size(res) for name, res in package.resources.items()}
    total = sum(sizes.values()) + 1
    done = 0
    findings: list[Finding] = []
    # Streaming, one thread reads every table in turn, ahead of the checks.
    prepares = [check.prepare for check in checking if check.prepare is not None]
    ahead = None if whole else ReadAhead(package, run.plan.order, _prepare(prepares) if prepares else None)
    try:
        for name in run.plan.order:
            step(f"checking {name}", done, total)
            reader = _Reader(run, checking, name, lambda n_bytes, name=name, base=done: step(f"checking {name}", base + n_bytes, total))
            findings += reader.check(ahead.batches(name) if ahead is not None else None)
            run.tables[name] = reader.table
            done += sizes[name]
    finally:
        if ahead is not None:
            ahead.close()
    tables = run.tables = {name: run.tables[name] for name in package.resources}
    for table in tables.values():
        findings += table.findings
    from .delegated import Delegated

    # A resource frictionless read and validated whole: its findings are frictionless's alone.
    handed = {name for name, t in tables.items() if t.handed_over is not None}
    findings = [f for f in findings if f.table not in handed]
    stage = None
    for check in checking:
        if check.stage != stage:
            stage = check.stage
            step(stage, done, total)
        findings += [f for f in check.end(tables) if f.table not in handed or isinstance(check, Delegated)]
    if package.is_conflictdata:
        from .acknowledge import apply_acknowledgements

        findings = apply_acknowledgements(package, tables, findings)
    step("done", total, total)
    from .delegated import delegated_fields

    notes = [f"{r.name}: {r.note}" for r in package.resources.values() if r.note]
    for r in package.resources.values():
        if r.name in handed:
            notes.append(f"{r.name}: read and validated by frictionless, not by the fast path ({tables[r.name].handed_over})")
        elif (fields := delegated_fields(r)):
            notes.append(f"{r.name}: checked by frictionless, not by the fast path: " + ", ".join(f"{n} ({why})" for n, why in fields.items()))
    report = Report(package=package.display(package.descriptor_path), findings=findings, strict=strict, notes=notes,
                    root=str(package.root.resolve()))
    report.rows = {name: len(t.raw) for name, t in tables.items()}
    return report.sorted(), tables


def _prepare(prepares: list[Callable[[Table], None]]) -> Callable[[Table], None]:
    def prepare(chunk: Table) -> None:
        for fn in prepares:
            fn(chunk)

    return prepare


def _size(res: Resource) -> int:
    try:
        return sum(p.stat().st_size for p in res.paths) if res.paths else 1
    except OSError:
        return 1


@dataclass(slots=True)
class Plan:
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


def _plan(package: Package) -> Plan:
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
    return Plan(order, chunk_fks, late, keeps, indexed)


class _Reader:
    """One table's pass: its chunks through every check, and what to keep of them."""

    def __init__(self, run: Run, checking: list[Check], name: str, step: Callable[[int], None]) -> None:
        self.run, self.checking, self.name, self.step = run, checking, name, step
        self.res = run.package.resources[name]
        self.table: Table | None = None
        self._parquet_rows: int | None = None

    def check(self, batches: Iterator[Table] | None = None) -> list[Finding]:
        """Check the table as `batches` gives it (`ReadAhead.batches`: perhaps in chunks), or
        read whole."""
        from ..reading.csvfile import NotStreamable

        try:
            return self._check(batches if batches is not None else iter_batches(self.run.package, self.res, stream=False))
        except NotStreamable:
            # Not plain enough to read in chunks: the careful reader sees it whole and says why.
            return self._check(iter_batches(self.run.package, self.res, stream=False))

    def _bytes_of_batch(self, rows: int) -> int:
        """A Parquet batch's share of its file's bytes (progress is counted in bytes)."""
        if self._parquet_rows is None:
            from ..reading.parquet import parquet_rows

            self._parquet_rows = parquet_rows(self.res) if self.res.format == "parquet" else 0
        return int(_size(self.res) * rows / self._parquet_rows) if self._parquet_rows else 0

    def _check(self, chunks: Iterator[Table]) -> list[Finding]:
        for check in self.checking:
            check.start(self.name)
        keep = self.run.plan.keeps.get(self.name, set())
        findings: list[Finding] = []
        parts: list[Table] = []
        read = 0
        for chunk in chunks:
            self.run.lookups = {}
            for check in self.checking:
                findings += check.chunk(chunk)
            if not chunk.streamed:  # the whole table in one piece
                self.table = chunk
                break
            read += len(chunk.data) if chunk.data is not None else self._bytes_of_batch(len(chunk.raw))
            self.step(read)
            parts.append(subset(chunk, keep))
        else:
            if not parts:
                from ..reading.csvfile import NotStreamable

                raise NotStreamable("no records")  # a header alone: nothing to stream
            self.table = concat(parts, keep)
        for check in self.checking:
            check.read(self.table)
        return findings
