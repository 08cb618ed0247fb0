"""Mutation test: single-cell corruptions of the curated core are each reported where they are.

Every cell of the curated core that a rule constrains gives candidate corruptions (a wrong type,
an enum typo, an id breaking its pattern, a foreign key to nothing, a date in the future, a
negative count); a fixed sample of 60 is applied one at a time to a fresh copy, and `validate`
must report each with the right table, line and column. The detection rate is printed; it must
be 100%.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import random
import shutil
from collections import Counter
from pathlib import Path

import pytest

from pkgcopy import REPO, copy_package

SAMPLE = 60
SEED = 7
TODAY = "2026-11-25"  # the clock the test runs under (rules.clock.today replaced)
PAST_THE_SLACK = "2026-11-27"  # two days after TODAY: future even with the day of time-zone slack
MISSING_IDS = {"ACT": "ACT-NOSUCH", "SRC": "SRC-NOSUCH", "EVT": "EVT-9999", "CLM": "CLM-NOSUCH", "STN": "STN-NOSUCH"}


def read(path: Path) -> tuple[list[str], list[list[str]], list[int]]:
    with open(path, encoding="utf-8", newline="") as fh:
        reader = csv.reader(fh)
        header = next(reader)
        rows, lines = [], []
        while True:
            start = reader.line_num + 1
            try:
                rows.append(next(reader))
            except StopIteration:
                break
            lines.append(start)
    return header, rows, lines


def write(path: Path, header: list[str], rows: list[list[str]]) -> None:
    buf = io.StringIO()
    csv.writer(buf, lineterminator="\n").writerows([header, *rows])
    path.write_bytes(buf.getvalue().encode("utf-8"))


def corruptions(field: dict, value: str, fk_targets: dict[str, str]) -> list[tuple[str, str]]:
    """(new value, rule expected) for one cell."""
    c = field.get("constraints") or {}
    t = field.get("type", "string")
    out = []
    if t == "integer":
        out.append(("12x", "type"))
        if c.get("minimum") == 0:
            out.append(("-5", "minimum"))
    if t == "number":
        out.append(("abc", "type"))
    if t == "date":
        out.append(("2024-02-30", "type"))
        out.append((PAST_THE_SLACK, "future-date"))
    if "enum" in c and value:
        typo = value[:-1]
        if typo not in c["enum"]:
            out.append((typo, "enum"))
    if "pattern" in c and value and value.lower() != value:
        out.append((value.lower(), "pattern"))
    if value and field["name"] in fk_targets:
        prefix = value.split("-", 1)[0]
        missing = "XXX" if fk_targets[field["name"]] == "countries" else MISSING_IDS.get(prefix)
        if missing:
            out.append((missing, "foreign-key"))
    return out


def candidates(core: Path) -> list[tuple[str, int, int, str, str, str, int]]:
    """(table, row index, column index, column, new value, rule, line) for every corruptible cell."""
    out = []
    for schema_path in sorted((REPO / "schema").glob("*.json")):
        table = schema_path.stem
        schema = json.loads(schema_path.read_text(encoding="utf-8"))
        fk_targets = {fk["fields"][0] if isinstance(fk["fields"], list) else fk["fields"]: fk["reference"].get("resource", table)
                      for fk in schema.get("foreignKeys", []) if len(fk["fields"] if isinstance(fk["fields"], list) else [1]) == 1}
        header, rows, lines = read(core / f"data/{table}.csv")
        by_name = {f["name"]: f for f in schema["fields"]}
        for r, row in enumerate(rows):
            for ci, col in enumerate(header):
                for new, rule in corruptions(by_name[col], row[ci], fk_targets):
                    out.append((table, r, ci, col, new, rule, lines[r]))
    return out


@pytest.fixture(scope="module")
def core(tmp_path_factory) -> Path:
    return copy_package(tmp_path_factory.mktemp("core") / "pkg")


def test_every_sampled_single_cell_corruption_is_reported_at_its_table_line_and_column(core: Path, tmp_path: Path, monkeypatch) -> None:
    import datetime as dt

    from conflictdata.checking import rules
    from conflictdata import validate

    monkeypatch.chdir(tmp_path)
    monkeypatch.setattr(rules.clock, "today", lambda: dt.date.fromisoformat(TODAY))
    pool = candidates(core)
    rules = {c[5] for c in pool}
    assert {"type", "enum", "pattern", "foreign-key", "future-date", "minimum"} <= rules, rules
    # Stratified by rule, so the 249 countries' patterns do not crowd out the rarer corruptions.
    rng = random.Random(SEED)
    by_rule = {rule: rng.sample(sorted(c for c in pool if c[5] == rule), k=len([c for c in pool if c[5] == rule])) for rule in sorted(rules)}
    sample: list = []
    while len(sample) < min(SAMPLE, len(pool)):
        for rule in sorted(rules):
            if by_rule[rule] and len(sample) < SAMPLE:
                sample.append(by_rule[rule].pop())
    missed = []
    for n, (table, r, ci, col, new, rule, line) in enumerate(sample):
        pkg = tmp_path / f"m{n}"
        shutil.copytree(core, pkg)
        header, rows, _ = read(pkg / f"data/{table}.csv")
        rows[r][ci] = new
        write(pkg / f"data/{table}.csv", header, rows)
        report = validate(pkg)
        hits = [f for f in report.errors if (f.table, f.line, f.column, f.rule) == (table, line, col, rule)
                and f.file and f.file.endswith(f"data/{table}.csv")]
        if not hits:
            missed.append((table, line, col, repr(new), rule, sorted({(f.table, f.line, f.column, f.rule) for f in report.errors}, key=str)[:5]))
        shutil.rmtree(pkg)
    rate = 100 * (len(sample) - len(missed)) / len(sample)
    print(f"\nmutation test: {len(sample) - len(missed)}/{len(sample)} single-cell corruptions detected at their "
          f"table, line and column ({rate:.0f}%), sampled from {len(pool)} candidates; per rule: "
          f"{dict(sorted(Counter(c[5] for c in sample).items()))}")
    assert not missed, "\n".join(map(str, missed))
