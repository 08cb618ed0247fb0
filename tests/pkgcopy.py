"""Copies of the repository's data package for tests that break or reformat one file."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent


# Ids of imported rows (importers/ucdp.py, genstaff.py, genstaff_equipment.py, oryx.py): tests that
# break one cell work on the curated core, a dozen rows per table, so their expected findings stay
# small and exact. A row that names an imported id in any cell (a link to an imported source) goes too.
IMPORTED = ("EVT-UCDP-", "CLM-UCDP-", "SRC-UCDP-", "ACT-UCDP", "CLM-GENSTAFF-", "SRC-GENSTAFF-", "ACT-UKR-GENSTAFF",
            "ACT-INVADERS", "CLM-GSEQ-", "SRC-GSEQ-", "CLM-ORYX-", "SRC-ORYX-", "ACT-ORYX")


def _curated_only(path: Path) -> None:
    import csv
    import io

    with open(path, encoding="utf-8", newline="") as fh:
        rows = list(csv.reader(fh))
    kept = [rows[0]] + [r for r in rows[1:] if not any(cell.startswith(IMPORTED) for cell in r)]
    buf = io.StringIO()
    csv.writer(buf, lineterminator="\n").writerows(kept)
    path.write_bytes(buf.getvalue().encode("utf-8"))


# The first topic's sources after the seed article (SRC-0003 on, docs/sources/kursk-topic.md).
_TOPIC_SOURCE = re.compile(r"^SRC-0*([3-9]|[1-9][0-9]+)$")


def _seed_only(data: Path) -> None:
    """Drop the first topic's rows curated after the seed article: its sources and every row that
    refers to a dropped id (its actors, events, their link rows, claims and stances), so the
    core stays the seed article's dozen rows per table."""
    import csv
    import io

    tables = {}
    for p in sorted(data.glob("*.csv")):
        with open(p, encoding="utf-8", newline="") as fh:
            tables[p] = list(csv.reader(fh))
    dropped = {r[0] for r in tables.get(data / "sources.csv", [[]])[1:] if r and _TOPIC_SOURCE.match(r[0])}
    while True:
        more = {r[0] for rows in tables.values() for r in rows[1:] if r and r[0] not in dropped and dropped.intersection(r)}
        if not more:
            break
        dropped |= more
    for p, rows in tables.items():
        kept = [rows[0]] + [r for r in rows[1:] if not (r and (r[0] in dropped or dropped.intersection(r)))]
        if len(kept) != len(rows):
            buf = io.StringIO()
            csv.writer(buf, lineterminator="\n").writerows(kept)
            p.write_bytes(buf.getvalue().encode("utf-8"))


def copy_package(dst: Path, *, full: bool = False) -> Path:
    """Copy datapackage.json, schema/ and data/ into `dst`; return `dst`.

    By default only the curated core is kept (imported rows and the topic's rows after the seed
    article are dropped); `full=True` copies the whole shipped dataset.
    """
    dst.mkdir(parents=True, exist_ok=True)
    shutil.copy2(REPO / "datapackage.json", dst / "datapackage.json")
    shutil.copytree(REPO / "schema", dst / "schema")
    shutil.copytree(REPO / "data", dst / "data")
    if not full:
        for csv_path in (dst / "data").glob("*.csv"):
            _curated_only(csv_path)
        _seed_only(dst / "data")
    return dst


def replace_once(path: Path, old: str, new: str) -> None:
    """Replace `old`, which must occur exactly once in the file, by `new` (bytes kept otherwise)."""
    text = path.read_bytes().decode("utf-8")
    assert text.count(old) == 1, f"{old!r} occurs {text.count(old)} times in {path}"
    path.write_bytes(text.replace(old, new).encode("utf-8"))


def read_rows(path: Path) -> tuple[list[str], list[dict[str, str]]]:
    import csv

    with open(path, encoding="utf-8", newline="") as fh:
        reader = csv.DictReader(fh)
        return list(reader.fieldnames or []), list(reader)


def write_rows(path: Path, header: list[str], rows: list[dict[str, str]]) -> None:
    """Write rows in canonical form (sorted by the first column, minimal quoting, LF)."""
    import csv
    import io

    buf = io.StringIO()
    writer = csv.DictWriter(buf, fieldnames=header, lineterminator="\n")
    writer.writeheader()
    writer.writerows(sorted(rows, key=lambda r: [r[h] for h in header]))
    path.write_bytes(buf.getvalue().encode("utf-8"))


def edit_table(pkg: Path, table: str, fn) -> None:
    """Apply `fn(header, rows) -> (header, rows)` to data/<table>.csv."""
    header, rows = read_rows(pkg / f"data/{table}.csv")
    header, rows = fn(header, rows)
    write_rows(pkg / f"data/{table}.csv", header, rows)


def edit_schema(pkg: Path, table: str, fn) -> None:
    import json

    path = pkg / f"schema/{table}.json"
    schema = json.loads(path.read_text(encoding="utf-8"))
    fn(schema)
    path.write_text(json.dumps(schema, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")


def fail_on_second_stage(monkeypatch) -> None:
    """Make the second file an atomic write stages fail, as a full disk would."""
    from conflictdata.contract import atomic

    real = atomic._stage
    calls = {"n": 0}

    def stage(path, data):
        calls["n"] += 1
        if calls["n"] == 2:
            raise OSError(28, "No space left on device")
        return real(path, data)

    monkeypatch.setattr(atomic, "_stage", stage)
