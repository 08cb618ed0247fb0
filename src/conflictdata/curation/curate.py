"""Adding one record to a package without hand-editing CSV (`conflictdata add`).

`add_record` appends one row (and, for an event, its link rows) with the next free id, fills the
defaults the data model implies, checks the whole package with the new rows, and only then
writes every touched file, in canonical form and as one atomic change — all under the package's
write lock, so that two curators adding at once get two ids and keep both rows.
"""

from __future__ import annotations

import dataclasses
import hashlib
import re
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path

from ..contract.atomic import replace_staged, stage
from ..contract.errors import ConflictDataError, UnusableInputError
from ..contract.findings import Finding
from .lock import package_lock
from ..contract.discovery import bundled_root
from ..contract.package import Package, open_package

__all__ = ["KINDS", "ID_PREFIX", "AddRefused", "AddResult", "add_record", "next_id"]

# The `add` subcommands and the table each writes.
KINDS = {"source": "sources", "actor": "actors", "event": "events", "claim": "casualty_claims", "stance": "stances"}
# Curated ids are the prefix and a running number (SRC-0003); actors are named (ACT-RUTTE-MARK).
ID_PREFIX = {"sources": "SRC", "events": "EVT", "casualty_claims": "CLM", "stances": "STN", "actors": "ACT"}
_WIDTH = 4
SNAPSHOT_DIR = "data/snapshots"


class AddRefused(ConflictDataError):
    """The record was not added: it (or the package with it) is invalid. Nothing was written."""

    def __init__(self, message: str, findings: list[Finding] | None = None) -> None:
        super().__init__(message)
        self.findings = findings or []


@dataclass(slots=True)
class AddResult:
    """What `add_record` wrote: the new record's id, its rows per table and the files replaced."""

    table: str
    record_id: str
    rows: dict[str, list[dict[str, str]]] = field(default_factory=dict)
    written: list[str] = field(default_factory=list)

    def to_dict(self) -> dict[str, object]:
        return {"table": self.table, "record_id": self.record_id, "rows": self.rows, "written": self.written}


def _read(path: Path) -> tuple[list[str], list[dict[str, str]]]:
    from ..importers.merge import _read as read_csv_rows

    return read_csv_rows(path)


def next_id(prefix: str, taken: set[str]) -> str:
    """The next running id after the highest `PREFIX-NNNN` in `taken` (retracted ids included)."""
    pattern = re.compile(rf"^{re.escape(prefix)}-(\d+)$")
    numbers = [int(m.group(1)) for i in taken if (m := pattern.match(i))]
    return f"{prefix}-{max(numbers, default=0) + 1:0{_WIDTH}d}"


def _actor_id(name: str) -> str:
    ascii_ = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode("ascii")
    return "ACT-" + re.sub(r"[^A-Z0-9]+", "-", ascii_.upper()).strip("-")


def _refuse_installed_bundle(package: Package) -> None:
    try:
        bundle = bundled_root().resolve()
    except UnusableInputError:
        return
    root = package.root.resolve()
    if root == bundle and any(p in ("site-packages", "dist-packages") for p in root.parts):
        raise UnusableInputError(f"{package.root}: this is the dataset installed with conflictdata; "
                                 "add records to a checkout instead (e.g. `conflictdata add claim path/to/checkout ...`)")


@dataclass(slots=True)
class _Change:
    """Rows to append per table, and new files (snapshots) to create."""

    rows: dict[str, list[dict[str, str]]] = field(default_factory=dict)
    files: dict[Path, bytes] = field(default_factory=dict)


def _clean(values: dict[str, object]) -> dict[str, str]:
    return {k: unicodedata.normalize("NFC", "" if v is None else str(v)).strip() for k, v in values.items()}


def _check_columns(package: Package, table: str, row: dict[str, str], where: str) -> None:
    res = package.resources.get(table)
    if res is None:
        raise AddRefused(f"{package.descriptor_path}: the package has no table {table!r}")
    unknown = [c for c in row if c not in res.field_names]
    if unknown:
        raise AddRefused(f"{where}: {table} has no column {unknown[0]!r}; its columns are {', '.join(res.field_names)}")


def _taken_ids(package: Package, table: str) -> set[str]:
    res = package.resources[table]
    key = res.primary_key[0]
    taken = {r.get(key, "") for r in _read(res.path)[1]}
    if "retractions" in package.resources:  # ids are never reused, not even retracted ones
        taken |= {r.get("record_id", "") for r in _read(package.resources["retractions"].path)[1] if r.get("table") == table}
    return taken


def _defaults(table: str, row: dict[str, str]) -> None:
    if table == "events":
        row.setdefault("date_end", row.get("date_start", ""))
        if row.get("date_start") and row.get("date_start") == row.get("date_end"):
            row.setdefault("date_precision", "day")
        # The weakest standing an event can have; a curator raises it when sources corroborate it.
        row.setdefault("occurrence", "reported")


def _plan(package: Package, table: str, values: dict[str, str], *, sources, actors, snapshot) -> tuple[str, _Change]:
    res = package.resources[table]
    key = res.primary_key[0]
    _check_columns(package, table, values, f"add {table}")
    row = {k: v for k, v in values.items() if v != ""}
    record_id = row.get(key) or ""
    taken = _taken_ids(package, table)
    if not record_id:
        if table == "actors":
            if not row.get("name"):
                raise AddRefused("add actor: give --name (the id is made from it) or --actor-id")
            record_id = _actor_id(row["name"])
        else:
            record_id = next_id(ID_PREFIX[table], taken)
    if record_id in taken:
        raise AddRefused(f"{res.path}: {key} {record_id} is taken (or was retracted); choose another with --{key.replace('_', '-')}")
    row[key] = record_id
    _defaults(table, row)
    change = _Change({table: [row]})
    if snapshot is not None:
        if table != "sources":
            raise AddRefused("only a source has a snapshot: use `add source --snapshot FILE`")
        try:
            data = Path(snapshot).read_bytes()
        except OSError as exc:
            raise UnusableInputError(f"{snapshot}: cannot read the snapshot ({exc.strerror or exc})") from None
        rel = f"{SNAPSHOT_DIR}/{record_id}.txt"
        target = package.root / rel
        if target.exists():
            raise AddRefused(f"{target}: a snapshot is already archived there; remove it or choose another id")
        change.files[target] = data
        row["snapshot"], row["snapshot_sha256"] = rel, hashlib.sha256(data).hexdigest()
    if table == "events":
        change.rows["event_sources"] = [{"event_id": record_id, "source_id": s, "locator": loc, "quote": q} for s, loc, q in sources]
        change.rows["event_actors"] = [{"event_id": record_id, "actor_id": a, "role": role, "certainty": cert} for a, role, cert in actors]
    elif sources or actors:
        raise AddRefused("--source and --actor link an event to its sources and actors: use them with `add event`")
    for name, rows in change.rows.items():
        for r in rows:
            _check_columns(package, name, r, f"add {table}")
    return record_id, change


def _variant(package: Package, staged: dict[str, Path]) -> Package:
    """The package as it would be with the staged files in place of its tables' files."""
    resources = {name: dataclasses.replace(res, paths=[staged[name]]) if name in staged else res
                 for name, res in package.resources.items()}
    return dataclasses.replace(package, resources=resources)


def _render(package: Package, change: _Change) -> dict[str, bytes]:
    """Each touched table with its new rows (rendered plainly; canonicalised after)."""
    from ..importers.merge import _render as render_rows

    out = {}
    for name, rows in change.rows.items():
        res = package.resources[name]
        header, existing = _read(res.path)
        if header != res.field_names:
            raise UnusableInputError(f"{res.path}: its header is not the schema's columns; run `conflictdata validate` and fix it first")
        out[name] = render_rows(header, existing + [{h: r.get(h, "") for h in header} for r in rows], res.primary_key)
    return out


def add_record(kind: str, values: dict[str, object], path: str | Path = ".", *,
               sources: list[tuple[str, str, str]] | None = None, actors: list[tuple[str, str, str]] | None = None,
               snapshot: str | Path | None = None) -> AddResult:
    """Add one record of `kind` (source, actor, event, claim, stance, or a table name) to the package.

    `values` maps column names to cells; the primary key may be left out (the next free id is
    used). For an event, `sources` (source_id, locator, quote) and `actors` (actor_id, role,
    certainty) become its link rows. Raises `AddRefused` — nothing written — if the package with
    the new rows would not be valid; its findings name the offending fields.
    """
    from ..checking.canonical import canonical_bytes
    from ..reading.tables import read_table
    from ..checking.validation import validate_package

    table = KINDS.get(kind, kind)
    if table not in ID_PREFIX:
        raise AddRefused(f"cannot add a {kind!r}: choose one of {', '.join(KINDS)}")
    package = open_package(path)
    _refuse_installed_bundle(package)
    with package_lock(package.root):
        # Re-opened under the lock: the descriptor or schema may have changed while we waited.
        package = open_package(path)
        record_id, change = _plan(package, table, _clean(values), sources=list(sources or ()), actors=list(actors or ()), snapshot=snapshot)
        staged: dict[str, Path] = {}
        extra: list[tuple[Path, Path]] = []
        try:
            for name, data in _render(package, change).items():
                staged[name] = stage(package.resources[name].path, data)
            for target, data in change.files.items():
                target.parent.mkdir(parents=True, exist_ok=True)
                extra.append((stage(target, data), target))
            variant = _variant(package, staged)
            new_lines: dict[str, set[int]] = {}
            for name, tmp in list(staged.items()):
                t = read_table(variant, variant.resources[name])
                canonical = canonical_bytes(t)
                tmp.unlink()
                staged[name] = stage(package.resources[name].path, canonical)
                new_lines[name] = _lines_of(canonical, package.resources[name].primary_key[0], record_id)
            variant = _variant(package, staged)
            if extra:  # the snapshot must be where the new source row says it is while checking
                for tmp, target in extra:
                    tmp.rename(target)
                extra = [(target, target) for _, target in extra]
            report, _ = validate_package(variant)
            if report.errors:
                raise AddRefused(_refusal(package, table, record_id, staged, new_lines, report.errors), report.errors)
        except BaseException:
            for tmp in staged.values():
                tmp.unlink(missing_ok=True)
            for tmp, _target in extra:
                tmp.unlink(missing_ok=True)
            raise
        replace_staged([(tmp, package.resources[name].path) for name, tmp in staged.items()])
    written = [package.display(package.resources[n].path) for n in staged] + [package.display(t) for _, t in extra]
    return AddResult(table, record_id, change.rows, written)


def _lines_of(data: bytes, key: str, record_id: str) -> set[int]:
    """The physical lines of the rows whose `key` is `record_id` in canonical CSV bytes."""
    import csv
    import io

    reader = csv.reader(io.StringIO(data.decode("utf-8"), newline=""))
    header = next(reader)
    col = header.index(key)
    out = set()
    for row in reader:
        if row and row[col] == record_id:
            out.add(reader.line_num)
    return out


def _refusal(package: Package, table: str, record_id: str, staged: dict[str, Path],
             new_lines: dict[str, set[int]], errors: list[Finding]) -> str:
    """The findings as a person reads them: the new rows by their id and field, others by file and line."""
    names = {package.display(tmp): (n, package.display(package.resources[n].path)) for n, tmp in staged.items()}
    lines = []
    for f in errors:
        name, file = names.get(f.file or "", (None, f.file))
        where = f"{file}:{f.line}" if f.line else (file or f.table or "")
        if name is not None and f.line in new_lines.get(name, ()):
            where = f"new row of {file}"
        field_ = f" field {f.column}:" if f.column else ""
        value = f" (value {f.value!r})" if f.value not in (None, "") else ""
        lines.append(f"  {where}:{field_} {f.message}{value} [{f.rule}]")
    return f"{table} {record_id} not added, nothing written; the package with it would be invalid:\n" + "\n".join(lines)
