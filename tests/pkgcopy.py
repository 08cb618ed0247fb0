"""Copies of the repository's data package for tests that break or reformat one file, and the
small helpers test modules (and tests/bad_inputs/make_cases.py) share: editing a file in place,
the expected findings `E`/`W`, running the CLI in a subprocess (`RUN`), listing a folder."""

from __future__ import annotations

import re
import shutil
from pathlib import Path
from typing import Any

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
    shutil.copytree(REPO / "data" if full else _core(), dst / "data")
    return dst


_CORE: list[Path] = []


def _core() -> Path:
    """The curated core's data/ folder, cut from the repository's once per test process and
    copied from then on (cutting it parses 40,000 rows: a fifth of a second, and the suite makes
    a hundred copies). Removed when the process ends."""
    if not _CORE:
        import atexit
        import tempfile

        root = Path(tempfile.mkdtemp(prefix="conflictdata-core-"))
        atexit.register(shutil.rmtree, root, ignore_errors=True)
        data = root / "data"
        shutil.copytree(REPO / "data", data)
        for csv_path in data.glob("*.csv"):
            _curated_only(csv_path)
        _seed_only(data)
        _CORE.append(data)
    return _CORE[0]


def replace_once(path: Path, old: str | bytes, new: str | bytes) -> None:
    """Replace `old`, which must occur exactly once in the file, by `new`; all other bytes kept."""
    old_b = old.encode("utf-8") if isinstance(old, str) else old
    new_b = new.encode("utf-8") if isinstance(new, str) else new
    data = path.read_bytes()
    assert data.count(old_b) == 1, f"{old_b!r} occurs {data.count(old_b)} times in {path}"
    path.write_bytes(data.replace(old_b, new_b))


def E(table: str | None, line: int | None, column: str | None, rule: str, message: str | None = None,
      severity: str = "error", file: str | None = None) -> dict:
    """An expected finding (as `validate --format json` gives it); `message`: a fragment of its message."""
    f = {"severity": severity, "table": table, "file": file or f"data/{table}.csv", "line": line, "column": column, "rule": rule}
    if message:
        f["message"] = message
    return f


def W(table: str, line: int | None, column: str | None, rule: str, message: str | None = None) -> dict:
    return E(table, line, column, rule, message, "warning")


def key(f: Any) -> tuple:
    """What identifies a finding (a dict from JSON, or a `Finding`): (severity, table, file, line, column, rule)."""
    get = f.get if isinstance(f, dict) else lambda name: getattr(f, name)
    return (get("severity"), get("table"), get("file"), get("line"), get("column"), get("rule"))


# The CLI in a subprocess, as `python -c RUN ARGS...`: the code under test (PYTHONPATH), not
# whichever `conflictdata` script is first on PATH.
RUN = "import sys; from conflictdata.cli import main; sys.argv[0] = 'conflictdata'; main()"


def listing(root: Path) -> dict[str, str]:
    """Every entry under `root`: relative path -> kind and content hash (links by their target)."""
    import hashlib
    import os

    out: dict[str, str] = {}
    for dirpath, dirnames, filenames in os.walk(root):
        for name in dirnames + filenames:
            p = Path(dirpath) / name
            rel = p.relative_to(root).as_posix()
            if p.is_symlink():
                out[rel] = "link:" + os.readlink(p)
            elif p.is_dir():
                out[rel] = "dir"
            else:
                out[rel] = "file:" + hashlib.sha256(p.read_bytes()).hexdigest()
    return out


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
