"""`conflictdata add`: one record with the next free id, validated before anything is written,
written canonically and atomically, and never racing another writer."""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from conflictdata.cli import app
from conflictdata.curation.curate import AddRefused, add_record, next_id
from conflictdata.curation.fmt import format_package
from conflictdata.versions.history import validate
from pkgcopy import copy_package, read_rows

SOURCE = {"title": "[test] page", "publisher": "Publisher", "url": "https://example.org/a", "published_date": "2024-12-01",
          "language": "en", "source_type": "news_report", "reliability": "C"}
CLAIM = {"claimant_actor_id": "ACT-NATO", "subject_actor_id": "ACT-PRK-AF", "measure": "killed", "value_best": "5",
         "qualifier": "exact", "value_text": "five", "count_basis": "period", "period_end": "2024-12-01",
         "statement_date": "2024-12-01", "source_id": "SRC-0002"}


@pytest.fixture
def pkg(tmp_path: Path) -> Path:
    return copy_package(tmp_path / "pkg")


def snapshot_of(pkg: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted((pkg / "data").rglob("*")) if p.is_file()}


def ids(pkg: Path, table: str, key: str) -> list[str]:
    return [r[key] for r in read_rows(pkg / f"data/{table}.csv")[1]]


def test_next_id_follows_the_highest_running_number_and_ignores_named_ids() -> None:
    assert next_id("SRC", {"SRC-0001", "SRC-0009", "SRC-GENSTAFF-PERSONNEL", "SRCX-0100"}) == "SRC-0010"
    assert next_id("EVT", set()) == "EVT-0001"


def test_add_source_takes_the_next_id_and_writes_canonically(pkg: Path) -> None:
    result = add_record("source", SOURCE, pkg)
    assert result.record_id == "SRC-0003" and result.written == [str(pkg / "data/sources.csv")]
    row = read_rows(pkg / "data/sources.csv")[1][-1]
    assert {k: row[k] for k in SOURCE} == SOURCE and row["source_id"] == "SRC-0003"
    assert format_package(pkg, check=True).changed == []
    assert validate(pkg).findings == []
    # The write lock lives outside the package: nothing but the new row was written.
    assert sorted(p.name for p in pkg.iterdir()) == ["data", "datapackage.json", "schema"]


def test_retracted_ids_are_not_handed_out_again(pkg: Path) -> None:
    with open(pkg / "data/retractions.csv", "a", encoding="utf-8") as fh:
        fh.write("sources,SRC-0003,2024-12-02,a test retraction,\n")
    assert add_record("source", SOURCE, pkg).record_id == "SRC-0004"


def test_add_source_archives_the_snapshot_with_its_hash(pkg: Path, tmp_path: Path) -> None:
    text = tmp_path / "page.txt"
    text.write_bytes(b"A text the project may keep.\n")
    add_record("source", SOURCE, pkg, snapshot=text)
    row = read_rows(pkg / "data/sources.csv")[1][-1]
    assert row["snapshot"] == "data/snapshots/SRC-0003.txt"
    assert row["snapshot_sha256"] == hashlib.sha256(b"A text the project may keep.\n").hexdigest()
    assert (pkg / "data/snapshots/SRC-0003.txt").read_bytes() == b"A text the project may keep.\n"
    # A source with a snapshot: a claim citing it needs its quote, and says which field.
    with pytest.raises(AddRefused) as exc:
        add_record("claim", {**CLAIM, "source_id": "SRC-0003"}, pkg)
    assert [(f.rule, f.column) for f in exc.value.findings] == [("quote-required", "quote")]
    add_record("claim", {**CLAIM, "source_id": "SRC-0003", "quote": "the project may keep"}, pkg)


def test_add_event_writes_its_link_rows_in_the_same_write(pkg: Path) -> None:
    result = add_record("event", {"title": "t", "summary": "s", "event_type": "armed_clash", "date_start": "2024-11-04",
                                  "country_iso3": "RUS"}, pkg,
                        sources=[("SRC-0001", "paragraph 2", "On Monday")], actors=[("ACT-PRK-AF", "party", "known"), ("ACT-UKR-AF", "party", "alleged")])
    assert result.record_id == "EVT-0004"
    assert sorted(result.written) == sorted(str(pkg / f"data/{t}.csv") for t in ("events", "event_sources", "event_actors"))
    event = read_rows(pkg / "data/events.csv")[1][-1]
    # Defaults: a one-day range at day precision, reported until corroborated.
    assert (event["date_end"], event["date_precision"], event["occurrence"]) == ("2024-11-04", "day", "reported")
    assert [r for r in read_rows(pkg / "data/event_sources.csv")[1] if r["event_id"] == "EVT-0004"] == [
        {"event_id": "EVT-0004", "source_id": "SRC-0001", "quote": "On Monday", "locator": "paragraph 2", "cited_sources": ""}]
    assert [(r["actor_id"], r["role"], r["certainty"]) for r in read_rows(pkg / "data/event_actors.csv")[1] if r["event_id"] == "EVT-0004"] == [
        ("ACT-PRK-AF", "party", "known"), ("ACT-UKR-AF", "party", "alleged")]
    assert validate(pkg).findings == []


def test_invalid_record_writes_nothing_and_names_the_field(pkg: Path) -> None:
    before = snapshot_of(pkg)
    with pytest.raises(AddRefused) as exc:
        add_record("claim", {**CLAIM, "measure": "kiled", "subject_actor_id": "ACT-NOBODY"}, pkg)
    assert sorted((f.rule, f.column, f.value) for f in exc.value.findings) == [
        ("enum", "measure", "kiled"), ("foreign-key", "subject_actor_id", "ACT-NOBODY")]
    assert "new row of" in str(exc.value) and "field measure:" in str(exc.value) and "did you mean 'killed'" in str(exc.value)
    assert snapshot_of(pkg) == before
    assert not [p for p in (pkg / "data").iterdir() if p.name.endswith(".tmp")]


def test_an_event_without_actor_is_refused_and_nothing_written(pkg: Path) -> None:
    before = snapshot_of(pkg)
    with pytest.raises(AddRefused) as exc:
        add_record("event", {"title": "t", "summary": "s", "event_type": "armed_clash", "date_start": "2024-11-04",
                             "country_iso3": "RUS"}, pkg, sources=[("SRC-0001", "", "On Monday")])
    assert [(f.rule, f.column) for f in exc.value.findings] == [("event-has-actor", "event_id")]
    assert snapshot_of(pkg) == before


def test_unknown_column_is_refused_by_name(pkg: Path) -> None:
    with pytest.raises(AddRefused, match="casualty_claims has no column 'victims'"):
        add_record("claim", {**CLAIM, "victims": "5"}, pkg)


def test_cli_add_prints_the_id_and_exits_1_naming_the_field(pkg: Path) -> None:
    runner = CliRunner()
    ok = runner.invoke(app, ["add", "source", str(pkg), *[x for k, v in SOURCE.items() for x in (f"--{k.replace('_', '-')}", v)]])
    assert ok.exit_code == 0 and ok.stdout.strip() == "SRC-0003"
    bad = runner.invoke(app, ["add", "event", str(pkg), "--title", "t", "--summary", "s", "--event-type", "armed_clash",
                              "--date-start", "2024-11-31", "--country-iso3", "RUS", "--source", "SRC-0003", "--actor", "ACT-PRK-AF:party"])
    assert bad.exit_code == 1
    assert "field date_start:" in bad.stderr and "EVT-0004 not added, nothing written" in bad.stderr
    as_json = runner.invoke(app, ["add", "event", str(pkg), "--title", "t", "--summary", "s", "--event-type", "armed_clash",
                                  "--date-start", "2024-11-30", "--country-iso3", "RUS", "--source", "SRC-0003", "--locator", "para 1",
                                  "--actor", "ACT-PRK-AF:party", "--format", "json"])
    assert as_json.exit_code == 0, as_json.stderr
    assert json.loads(as_json.stdout)["rows"]["event_actors"] == [{"event_id": "EVT-0004", "actor_id": "ACT-PRK-AF", "role": "party", "certainty": "known"}]


def test_add_refuses_the_installed_bundle(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    from conflictdata.curation import curate

    bundle = copy_package(tmp_path / "lib/python3.12/site-packages/conflictdata/_bundle")
    monkeypatch.setattr(curate, "bundled_root", lambda: bundle)
    before = snapshot_of(bundle)
    with pytest.raises(Exception, match="installed with conflictdata"):
        add_record("source", SOURCE, bundle)
    assert snapshot_of(bundle) == before


_ADD = """
import sys
from conflictdata.curation.curate import add_record
add_record("source", dict(title=sys.argv[2], publisher="P", url="https://example.org/a", published_date="2024-12-01",
           language="en", source_type="news_report"), sys.argv[1])
"""


def test_two_concurrent_adds_get_distinct_ids_and_keep_both_rows(pkg: Path) -> None:
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(Path(__file__).parent.parent / "src"), os.environ.get("PYTHONPATH", "")])}
    procs = [subprocess.Popen([sys.executable, "-c", _ADD, str(pkg), f"writer {n}"], env=env, stderr=subprocess.PIPE, text=True) for n in (1, 2)]
    for p in procs:
        assert p.wait() == 0, p.stderr.read()
    rows = read_rows(pkg / "data/sources.csv")[1]
    added = {r["source_id"]: r["title"] for r in rows if r["title"].startswith("writer")}
    assert sorted(added) == ["SRC-0003", "SRC-0004"] and sorted(added.values()) == ["writer 1", "writer 2"]
    assert validate(pkg).findings == []


def test_a_writer_waits_for_the_lock_then_sees_the_first_writers_row(pkg: Path) -> None:
    from conflictdata.curation.lock import package_lock

    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(Path(__file__).parent.parent / "src"), os.environ.get("PYTHONPATH", "")])}
    with package_lock(pkg):
        # The lock is held (as by a running add, import or fmt): the second writer must wait.
        proc = subprocess.Popen([sys.executable, "-c", _ADD, str(pkg), "second"], env=env, stderr=subprocess.PIPE, text=True)
        first = _append_under_lock(pkg)
        assert proc.poll() is None
    assert proc.wait() == 0, proc.stderr.read()
    titles = {r["source_id"]: r["title"] for r in read_rows(pkg / "data/sources.csv")[1]}
    assert titles[first] == "first" and titles["SRC-0004"] == "second"


def _append_under_lock(pkg: Path) -> str:
    """What a writer holding the lock does: read, add a row, replace the file (no second lock)."""
    from conflictdata.importers.merge import _read, _render

    header, rows = _read(pkg / "data/sources.csv")
    rows.append({**{h: "" for h in header}, **SOURCE, "title": "first", "source_id": "SRC-0003"})
    (pkg / "data/sources.csv").write_bytes(_render(header, rows, ["source_id"]))
    return "SRC-0003"


def test_a_package_and_its_descriptor_share_one_lock(pkg: Path) -> None:
    # `bump --write datapackage.json` must wait for an `add` on the folder, and the other way round.
    from conflictdata.curation.lock import lock_path

    assert lock_path(pkg / "datapackage.json") == lock_path(pkg) == lock_path(pkg / "data" / "..")
    assert lock_path(pkg) != lock_path(pkg / "data")


def test_add_options_are_generated_from_the_schema() -> None:
    import typer.main

    from conflictdata.curation.curate import KINDS
    from conflictdata.contract.discovery import bundled_root

    group = typer.main.get_command(app).commands["add"]
    for kind, table in KINDS.items():
        schema = json.loads((bundled_root() / "schema" / f"{table}.json").read_text(encoding="utf-8"))
        options = {o for p in group.commands[kind].params if p.param_type_name == "option" for o in p.opts}
        expected = {f"--{f['name'].replace('_', '-')}" for f in schema["fields"]} - ({"--snapshot-sha256"} if table == "sources" else set())
        assert expected <= options, (kind, expected - options)
