"""Large files are validated chunk by chunk (issue 5) and that changes nothing in the verdict.

Chunks are made tiny here (`STREAM_MIN_BYTES`, `CHUNK_BYTES`) so that every hostile input and the
bundled dataset are streamed through many chunks: the findings must be exactly those of reading
each file whole. A synthetic package with planted errors (benchmarks/generate.py) must give
exactly the planted findings, at the right lines, both ways.
"""

from __future__ import annotations

import json
import sys
import threading
from collections import Counter
from pathlib import Path

import pytest

from conflictdata.reading import memory, readahead, stream
from conflictdata.contract.errors import ConflictDataError
from conflictdata.contract.package import open_package
from conflictdata.versions.history import validate
from conflictdata.checking.validation import validate_package

from bad_inputs.make_cases import case_ids
from pkgcopy import copy_package

ROOT = Path(__file__).resolve().parent.parent
# The cases of the bad-input corpus that hold a package (pkg/datapackage.json).
_, CASES = case_ids()


def findings(path: Path) -> object:
    try:
        return sorted((f.severity, f.rule, f.table, f.file, f.line, f.row, f.column, f.value, f.message) for f in validate(path).findings)
    except ConflictDataError as exc:
        return ("unusable", str(exc))


@pytest.fixture
def tiny_chunks(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(stream, "STREAM_MIN_BYTES", 1)
    monkeypatch.setattr(stream, "CHUNK_BYTES", 4096)


# The bundled dataset (7 MB since the General Staff's equipment series) in chunks of this size:
# still hundreds of chunks per large table, as many as 4 KiB gave before it grew, at a quarter of the time.
BUNDLED_CHUNK = 16384


def whole_then_streamed(path: Path, monkeypatch: pytest.MonkeyPatch, chunk: int = 4096) -> tuple[object, object]:
    whole = findings(path)
    monkeypatch.setattr(stream, "STREAM_MIN_BYTES", 1)
    monkeypatch.setattr(stream, "CHUNK_BYTES", chunk)
    return whole, findings(path)


@pytest.mark.parametrize("case_id", sorted(CASES))
def test_hostile_inputs_streamed_give_the_same_findings(bad_inputs: Path, case_id: str, monkeypatch: pytest.MonkeyPatch) -> None:
    whole, streamed = whole_then_streamed(bad_inputs / case_id / "pkg" / "datapackage.json", monkeypatch)
    assert streamed == whole


def test_bundled_dataset_streamed_gives_the_same_findings(monkeypatch: pytest.MonkeyPatch) -> None:
    whole, streamed = whole_then_streamed(ROOT / "datapackage.json", monkeypatch, BUNDLED_CHUNK)
    assert streamed == whole
    assert len(whole) == 23  # the known warnings (README): the comparison is not of two empty lists


def test_a_record_spanning_lines_late_in_a_file_falls_back_to_the_careful_reader(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    pkg = copy_package(tmp_path / "pkg")
    events = pkg / "data/events.csv"
    text = events.read_text(encoding="utf-8")
    header, *rows = text.splitlines()
    # Many plain rows, then one whose title holds a line break (legal, quoted), then a broken one.
    fields = header.split(",")
    first = next(csv_rows(text))
    filler = []
    for n in range(400):
        row = dict(first, event_id=f"EVT-9{n:03d}")
        filler.append(",".join(row[f] for f in fields))
    late = dict(first, event_id="EVT-9998", title='"two\nlines"')
    events.write_text("\n".join([header, *rows, *filler, ",".join(late[f] for f in fields), ""]), encoding="utf-8")
    whole, streamed = whole_then_streamed(pkg / "datapackage.json", monkeypatch)
    assert streamed == whole
    # The rows after the two-line record are numbered by physical line, as the careful reader does.
    lines = {(f[1], f[4]) for f in whole if f[2] == "events" and f[1] == "event-has-source"}
    assert ("event-has-source", len(rows) + 2 + 400) in lines  # the two-line record starts there


def csv_rows(text: str):
    import csv
    import io

    return csv.DictReader(io.StringIO(text))


def test_partial_tables_keep_only_the_columns_checked_across_rows(tmp_path: Path, tiny_chunks: None,
                                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(stream, "CHUNK_BYTES", BUNDLED_CHUNK)
    report, tables = validate_package(open_package(ROOT / "datapackage.json"), whole=False)
    events = tables["events"]
    assert events.partial
    # The id, which other tables refer to. Foreign keys into tables read before (countries) were
    # looked up chunk by chunk, so their columns are not kept.
    assert set(events.raw.columns) == {"event_id"}
    assert len(events.raw) == report.rows["events"] > 1000
    assert events.referenced[("event_sources", "event_id")].sum() == len(events.raw)  # every event has a source
    # A composite primary key proven unique chunk by chunk, foreign keys looked up: nothing kept.
    assert tables["event_actors"].partial and list(tables["event_actors"].raw.columns) == []
    assert tables["event_actors"].keys_unique and tables["event_actors"].key_table is None
    # The id, and the foreign key into the same table (checked once the table is read).
    assert set(tables["casualty_claims"].raw.columns) == {"claim_id", "supersedes_claim_id"}


def test_read_ahead_stops_when_the_reader_stops() -> None:
    def numbers():
        yield from range(100)

    before = {t.ident for t in threading.enumerate()}
    chunks = readahead._prefetched(numbers())
    assert next(chunks) == 0
    chunks.close()
    assert not [t for t in threading.enumerate() if t.ident not in before and t.name == "conflictdata-read"]


def test_read_ahead_hands_on_the_readers_error() -> None:
    def broken():
        yield 1
        raise ValueError("chunk 2 is bad")

    chunks = readahead._prefetched(broken())
    assert next(chunks) == 1
    with pytest.raises(ValueError, match="chunk 2 is bad"):
        next(chunks)


# --- planted errors in a generated package -------------------------------------------------------

def _benchmark(name: str):
    """A script of benchmarks/ as a module (its package generators)."""
    import importlib

    sys.path.insert(0, str(ROOT / "benchmarks"))
    try:
        return importlib.import_module(name)
    finally:
        sys.path.remove(str(ROOT / "benchmarks"))


@pytest.fixture(scope="module")
def generated(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("gen") / "pkg"
    generate = _benchmark("generate")
    generate.generate(out, 10_000, "both", 10, 7, list(generate.KINDS), 10**6, quiet=True)
    return out


def keyed(items, line: bool = True) -> Counter:
    return Counter((f["table"], f["line"] if line else None, f["column"], f["rule"], f["severity"]) for f in items)


def ours(path: Path) -> list[dict]:
    report = validate(path)
    return [{"table": f.table, "line": f.line, "row": f.row, "column": f.column, "rule": f.rule, "severity": f.severity} for f in report.findings]


@pytest.mark.parametrize("streamed", [False, True], ids=["whole", "chunks"])
def test_planted_errors_are_found_at_their_lines_and_nothing_else(generated: Path, streamed: bool, monkeypatch: pytest.MonkeyPatch) -> None:
    if streamed:
        monkeypatch.setattr(stream, "STREAM_MIN_BYTES", 1)
        monkeypatch.setattr(stream, "CHUNK_BYTES", 1 << 16)
    planted = json.loads((generated / "planted.json").read_text())
    assert len(planted["planted"]) == 10 * 9 + 10  # ten of each kind, and each date-order error also breaks its precision
    assert keyed(ours(generated / "datapackage.json")) == keyed(planted["planted"])


@pytest.fixture(scope="module")
def wide(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """benchmarks/wide.py's package (33 columns, every cell quoted, 3 foreign keys), small."""
    out = tmp_path_factory.mktemp("wide") / "pkg"
    _benchmark("wide").generate(out, 4_000, 3, 11)
    return out


@pytest.mark.parametrize("streamed", [False, True], ids=["whole", "chunks"])
def test_wide_quoted_package_gives_its_planted_errors_and_nothing_else(wide: Path, streamed: bool, monkeypatch: pytest.MonkeyPatch) -> None:
    # Chunked (about 30 chunks), the unique column is numbered by one hash pass over all of them
    # (numbering restarted per chunk would report false repeats), and each chunk's quoting goes
    # through the RE2 proof.
    if streamed:
        monkeypatch.setattr(stream, "STREAM_MIN_BYTES", 1)
        monkeypatch.setattr(stream, "CHUNK_BYTES", 1 << 15)
    planted = json.loads((wide / "planted.json").read_text())["planted"]
    assert len(planted) == 3 * 12
    got = ours(wide / "datapackage.json")
    assert Counter((f["table"], f["line"], f["column"], f["rule"]) for f in got) == \
        Counter((f["table"], f["line"], f["column"], f["rule"]) for f in planted)


@pytest.mark.parametrize("streamed", [False, True], ids=["whole", "batches"])
def test_planted_errors_are_found_in_parquet(generated: Path, streamed: bool, monkeypatch: pytest.MonkeyPatch) -> None:
    if streamed:
        monkeypatch.setattr(stream, "STREAM_MIN_ROWS", 1)
        monkeypatch.setattr(stream, "PARQUET_BATCH_ROWS", 1000)
    planted = json.loads((generated / "planted.json").read_text())
    # Parquet rows have no line in a file: compared without lines (see benchmarks/README.md).
    got = ours(generated / "datapackage-parquet.json")
    assert keyed(got, line=False) == keyed(planted["parquet"], line=False)
    # Rows are numbered across batches as frictionless numbers them (the planted line = the row).
    rows = {(f["table"], f["row"], f["rule"]) for f in got if f["row"] is not None}
    assert rows == {(f["table"], f["line"], f["rule"]) for f in planted["parquet"] if f["line"] is not None}


@pytest.mark.parametrize("search", [False, True], ids=["hash", "binary-search"])
@pytest.mark.parametrize("events_sorted", [True, False], ids=["sorted", "rotated"])
def test_pattern_verdicts_reused_from_key_lookups_are_those_of_the_cells(tmp_path: Path, search: bool, events_sorted: bool,
                                                                          monkeypatch: pytest.MonkeyPatch) -> None:
    """A chunk's foreign-key cells found among the keys take the keys' pattern verdict
    (keys.Lookup); the cells not found are matched themselves. Both must say what matching
    every cell says (reading whole matches every cell)."""
    from conflictdata.checking import keys

    if search:
        monkeypatch.setattr(keys, "SMALL", 0)
    pkg = copy_package(tmp_path / "pkg")
    for name in ("events", "event_actors", "event_sources"):
        path = pkg / f"data/{name}.csv"
        text = path.read_text(encoding="utf-8").replace("EVT-0002,", "EVT-0002x,")  # still sorted, breaks the pattern
        if name == "event_actors":
            text += "evt-0099,ACT-UKR-AF,initiator,known\n"  # no such event, and breaks the pattern too
        if name == "events" and not events_sorted:  # keys indexed through their sort order
            head, *rows = text.splitlines(keepends=True)
            text = head + "".join(rows[1:] + rows[:1])  # the first event last: every row moves
        path.write_text(text, encoding="utf-8")
    whole, streamed = whole_then_streamed(pkg / "datapackage.json", monkeypatch)
    assert streamed == whole
    patterns = sorted((f[2], f[4], f[7]) for f in whole if f[1] == "pattern")
    lines = {name: [n for n, line in enumerate((pkg / f"data/{name}.csv").read_text(encoding="utf-8").splitlines(), start=1)
                    if line.startswith(("EVT-0002x,", "evt-0099,"))] for name in ("events", "event_actors", "event_sources")}
    assert lines["events"] and len(lines["event_actors"]) > 1 and lines["event_sources"]
    assert patterns == sorted([("events", n, "EVT-0002x") for n in lines["events"]]
                              + [("event_actors", n, "EVT-0002x") for n in lines["event_actors"][:-1]]
                              + [("event_actors", lines["event_actors"][-1], "evt-0099")]
                              + [("event_sources", n, "EVT-0002x") for n in lines["event_sources"]])


def test_read_ahead_gives_each_table_its_pieces_and_its_own_error(tmp_path: Path, tiny_chunks: None) -> None:
    """One thread reads every table in turn (readahead.ReadAhead): a table left early leaves nothing
    behind for the next, and a table that cannot stream raises when its turn comes, not before."""
    from conflictdata.reading.csvfile import NotStreamable

    pkg = copy_package(tmp_path / "pkg")
    sources = pkg / "data/event_sources.csv"
    lines = sources.read_text(encoding="utf-8").splitlines(keepends=True)
    sources.write_text("".join(lines[:-3] + ["\n"] + lines[-3:]), encoding="utf-8")  # a blank line late in the file
    package = open_package(pkg / "datapackage.json")
    ahead = readahead.ReadAhead(package, ["events", "event_sources", "event_actors", "countries"], None)
    try:
        first = next(ahead.batches("events"))  # then stop: the rest of events is skipped
        assert first.streamed and first.name == "events"
        with pytest.raises(NotStreamable):
            for _ in ahead.batches("event_sources"):
                pass
        actors = list(ahead.batches("event_actors"))
        assert all(t.streamed for t in actors) and {t.name for t in actors} == {"event_actors"}
        assert sum(len(t.raw) for t in actors) == len((pkg / "data/event_actors.csv").read_text(encoding="utf-8").splitlines()) - 1
        countries = list(ahead.batches("countries"))
        assert countries and {t.name for t in countries} == {"countries"}
    finally:
        ahead.close()


@pytest.mark.parametrize("typed_by_reader", [0, 1, 5])
def test_chunks_handed_over_part_typed_give_the_same_findings(typed_by_reader: int, monkeypatch: pytest.MonkeyPatch) -> None:
    """When the checking thread waits, the reading thread hands a chunk over with only some
    columns typed (stream._Typing) and the checks type the rest: the verdict is the same."""
    original = stream._Typing.type_columns
    handed = []

    def stop_early(self, until):
        count = iter(range(10**6))
        complete = original(self, until=lambda: next(count) >= typed_by_reader)
        handed.append(complete)
        return complete

    monkeypatch.setattr(stream._Typing, "type_columns", stop_early)
    monkeypatch.setattr(stream, "STREAM_MIN_BYTES", 1)
    monkeypatch.setattr(stream, "CHUNK_BYTES", BUNDLED_CHUNK)
    streamed = findings(ROOT / "datapackage.json")
    assert handed and not all(handed)  # chunks were handed over part-typed (those of narrow tables perhaps not)
    monkeypatch.undo()
    assert streamed == findings(ROOT / "datapackage.json")


def test_memory_is_handed_back_once_the_process_grew_by_the_slack(monkeypatch: pytest.MonkeyPatch) -> None:
    # Resident MiB as read before each release, and after each one that happens.
    rss = iter([100, 150, 60, 180, 190, 70, 100])
    monkeypatch.setattr(memory, "_resident_bytes", lambda: next(rss) << 20)
    monkeypatch.setattr(memory, "RELEASE_SLACK", 128 << 20)
    monkeypatch.setattr(memory, "_RELEASED_AT", [0])
    trims = []
    monkeypatch.setattr(memory, "_malloc_trim", lambda: trims.append(1) or (lambda pad: None))
    for _ in range(5):
        memory.release_memory()
    # 100 < 0 + 128: kept; 150: handed back (60 left); 180 < 60 + 128: kept; 190: handed back (70 left); 100: kept.
    assert len(trims) == 2
    assert memory._RELEASED_AT == [70 << 20]


def test_progress_advances_within_a_parquet_table_read_in_batches(generated: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Progress is counted in bytes; a Parquet batch counts its share of the file's bytes, so the
    bar moves while a large Parquet table is checked, and reaches the file's size at its end."""
    monkeypatch.setattr(stream, "STREAM_MIN_ROWS", 1)
    monkeypatch.setattr(stream, "PARQUET_BATCH_ROWS", 1000)
    package = open_package(generated / "datapackage-parquet.json")
    steps: list[tuple[str, int]] = []
    validate_package(package, whole=False, progress=lambda stage, done, total: steps.append((stage, done)))
    events = [done for stage, done in steps if stage == "checking events"]
    assert len(set(events)) > 5  # 10^4 events in batches of 1,000: the bar moves within the table
    assert events == sorted(events)
    size = package.resources["events"].path.stat().st_size
    assert abs((events[-1] - events[0]) - size) <= 10  # the batches' shares add up to the file
