"""Validation, with the history of the package when asked (`conflictdata validate [--against OLD]`).

`validate` runs every check of `checking` on a package and, given an older version (a folder, a
release archive, a git ref, or `last-release`), `check_against` adds the ids that vanished without a
retraction or were reused for a different record. It sits with the versions because it needs
them (releases, refs); the checking engine below knows nothing of versions.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from typing import Any

from ..checking.acknowledge import rule_names
from ..checking.validation import Progress, read_tables, validate_package
from ..contract.findings import Finding, Report
from ..contract.errors import UnsafeInputError, UnusableInputError
from ..contract.metadata import check_descriptor_file
from ..contract.metadata_aside import check_metadata_aside
from ..contract.package import Package, is_data_file, open_file, open_package, table_of_file
from ..reading.tables import Table
from .diff import id_tables, retracted_ids

__all__ = ["validate", "check_against", "against_columns"]


def validate(path: str | Path | None = None, *, strict: bool = False, against: str | Path | None = None,
             progress: Progress | None = None, select: Iterable[str] | None = None,
             ignore: Iterable[str] | None = None, schema: str | Path | dict | None = None, spark: Any = None) -> Report:
    """Validate the package at `path` (the bundled dataset by default) and return every finding.

    `path` may also be one data file of a package (e.g. `data/events.csv`): its table is checked
    in the context of the nearest package holding it (foreign keys included), and only that
    table's findings are returned. A data file of no package is checked on its own, against
    `schema` (a Table Schema file or dict) or, without it, a schema inferred by frictionless, as
    `frictionless validate FILE` does; `schema` also checks a file of a package on its own.
    With `against` (a folder, release archive or git ref of an older version, or `last-release`:
    the last release found by tag or in releases.json), also fail on ids that vanished without a
    retraction or were reused for a different record. `select` keeps only the findings of those
    rules, `ignore` drops those of these (for this run; a rule kept on purpose belongs in the
    package's acknowledgements table instead).
    With `spark` (a SparkSession), the checks run on Spark (`conflictdata.spark`); `path` may
    then be a URI Spark reads. The comparison with `against` runs here, on the driver: it needs
    the id and identifying columns of the id tables (and the retractions) gathered from Spark.
    Raises `UnusableInputError` when a package cannot be read at all, or a rule name is unknown.
    """
    chosen, dropped = rule_names(select, "--select"), rule_names(ignore, "--ignore")
    if spark is not None and against is None and "://" in str(path):
        from ..spark import validate as on_spark

        # A package under a URI: its descriptor is read through Spark.
        return on_spark(path, spark, strict=strict, select=select, ignore=ignore)
    if path is not None and schema is None and (found := table_of_file(path)) is not None:
        root, table = found
        return validate(root, strict=strict, against=against, progress=progress, select=select, ignore=ignore, spark=spark).only(table)
    if spark is not None and "://" in str(path):
        raise UnusableInputError(f"--against with --engine spark needs the package on this machine, not {path}; validate a local copy")
    try:
        if path is not None and (schema is not None or is_data_file(path)):
            if not is_data_file(path):
                raise UnusableInputError(f"{path}: --schema goes with a data file (a CSV...), not a package or descriptor; drop --schema")
            package = open_file(path, schema)
        else:
            package = open_package(path)
    except UnsafeInputError:
        raise
    except UnusableInputError:
        # A descriptor the checks cannot use, which frictionless reads and refuses for its
        # metadata (two resources of one name, inline data that is no table...): those findings.
        found = check_descriptor_file(path) if path is not None and not is_data_file(path) else []
        if not found:
            raise
        report = Report(package=found[0].file or str(path), findings=found, strict=strict).sorted()
    else:
        report = _validate_opened(package, strict=strict, against=against, progress=progress, spark=spark)
    if chosen is not None or dropped:
        from ..checking.acknowledge import select_rules

        report.findings = select_rules(report.findings, chosen, dropped)
    return report


def _validate_opened(package: Package, *, strict: bool, against: str | Path | None, progress: Progress | None,
                     spark: Any = None) -> Report:
    # The Spark engine checks the descriptor's metadata itself (`spark.validate` does too).
    metadata = check_metadata_aside(package) if spark is None else (lambda: [])
    asked = None
    if against is not None:
        from .releases import LAST_RELEASE, resolve_against

        asked, against = against, resolve_against(against, package)
    # Nobody needs the tables afterwards (but `against`, which compares whole records): large
    # files are checked chunk by chunk, in bounded memory.
    if spark is not None:
        from ..spark.engine import run as on_spark

        report, tables = on_spark(package, spark, strict=strict, keep=against_columns(package) if against is not None else None)
    else:
        report, tables = validate_package(package, strict=strict, progress=progress, whole=against is not None)
    report.notes += [f"{name}: {why}" for name, why in package.others.items()]
    report.findings += metadata()
    report.sorted()
    if against is None and asked is not None:
        report.notes.append(f"--against {LAST_RELEASE}: no release yet (no tag vX.Y.Z, no releases.json entry); nothing to compare with")
    if against is not None:
        from .refs import opened

        with opened(against, repo=_repo_of(package)) as old:
            report.findings += check_against(old, package, tables)
        report.sorted()
    return report


def _repo_of(package: Package) -> Path | None:
    from .refs import git_toplevel

    return git_toplevel(package.root) if package.root.exists() else None


def against_columns(package: Package) -> dict[str, set[str]]:
    """The columns of `package` that `check_against` reads: each id table's id and identifying
    fields, and the retractions."""
    out: dict[str, set[str]] = {}
    for name in id_tables(package):
        res = package.resources.get(name)
        if res is not None and len(res.primary_key) == 1:
            out[name] = {res.primary_key[0], *(res.schema.get("identityFields") or [])}
    if "retractions" in package.resources:
        out["retractions"] = {"table", "record_id"}
    return out


def check_against(old: Package, new: Package, new_tables: dict[str, Table]) -> list[Finding]:
    """Ids of `old` that vanished from `new` without a retraction, or that now name a different record."""
    old_tables = read_tables(old)
    out: list[Finding] = []
    retracted_new = retracted_ids(new_tables)
    retracted_old = retracted_ids(old_tables)
    for name in id_tables(new):
        t_old, t_new = old_tables.get(name), new_tables.get(name)
        if t_old is None or t_new is None:
            continue
        pk = t_new.resource.primary_key
        if len(pk) != 1:
            continue
        key = pk[0]
        new_ids = {v: i for i, v in enumerate(t_new.raw[key])}
        old_ids = {v: i for i, v in enumerate(t_old.raw[key])}
        retractions = new_tables.get("retractions")
        for rid, i in old_ids.items():
            if rid not in new_ids and rid not in retracted_new.get(name, set()):
                out.append(Finding("error", "id-vanished",
                                   f"{rid} (line {t_old.line(i)} of the old {name}) is missing here without a retraction; restore the row, or record it in "
                                   f"{retractions.file if retractions is not None else 'data/retractions.csv'} (table, record_id, retracted_date, reason, replaced_by_id)",
                                   name, t_new.file, None, key, rid))
        for rid, i in new_ids.items():
            if rid in retracted_old.get(name, set()):
                out.append(t_new.finding(i, key, "id-reused", f"{rid} was retracted in the old version; ids are never reused: give this record a new id"))
        identity = t_new.resource.schema.get("identityFields") or []
        cols = [c for c in identity if c in t_old.raw.columns and c in t_new.raw.columns]
        for rid, i in new_ids.items():
            j = old_ids.get(rid)
            if j is None or not cols:
                continue
            before = [t_old.raw[c].iat[j] for c in cols]
            after = [t_new.raw[c].iat[i] for c in cols]
            if all(a != b for a, b in zip(before, after) if a or b) and any(a or b for a, b in zip(before, after)):
                detail = "; ".join(f"{c}: {a!r} → {b!r}" for c, a, b in zip(cols, before, after))
                out.append(t_new.finding(i, key, "id-reused",
                                         f"every identifying field of {rid} changed ({detail}): this is a different record under an old id; give it a new id and retract {rid}"))
    r_old, r_new = old_tables.get("retractions"), new_tables.get("retractions")
    if r_old is not None and r_new is not None:
        for table, ids in retracted_old.items():
            for rid in sorted(ids - retracted_new.get(table, set())):
                out.append(Finding("error", "retraction-removed", f"the retraction of {table} {rid} was removed; retractions are permanent: restore the row",
                                   "retractions", r_new.file, None, "record_id", rid))
    return out
