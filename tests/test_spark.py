"""The Spark engine (`conflictdata.spark`) gives the local engine's findings: same rule, table,
file, line, row, column, value and severity, on the bundled dataset, a generated package with
planted errors, a small package with every Table Schema check (quoted line breaks, several files,
composite and self-referencing keys, inline data) and the shared frictionless fixtures; with files
read in small byte ranges (spark/ranges.py) too; the descriptor's metadata and a bare file with
a schema as well.

One SparkSession (local[2]) serves the whole run; the tests are skipped where PySpark or Java is
missing.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from conflictdata.versions.history import validate as validate_locally

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared" / "data" / "frictionless-py-fixtures"
if not SHARED.is_dir():
    SHARED = Path("/work/shared/data/frictionless-py-fixtures")


def _why_not() -> str | None:
    try:
        from conflictdata.spark.session import missing_spark
    except ImportError as exc:  # pragma: no cover
        return str(exc)
    return missing_spark()


pytestmark = [pytest.mark.skipif(_why_not() is not None, reason=f"Spark engine cannot run here: {_why_not()}"),
              pytest.mark.xdist_group("spark")]  # one worker, one JVM


@pytest.fixture(scope="session")
def spark():
    from pyspark.sql import SparkSession

    session = (SparkSession.builder.master("local[2]").appName("conflictdata tests")
               .config("spark.ui.enabled", "false").config("spark.ui.showConsoleProgress", "false")
               .config("spark.sql.shuffle.partitions", "2").getOrCreate())
    session.sparkContext.setLogLevel("ERROR")
    yield session
    session.stop()


def test_the_spark_tests_share_one_worker(request) -> None:
    # --dist loadgroup keeps this module on one worker, so one JVM serves the run. pytest 9.2 with
    # pytest-xdist 3.8 ignored the group without a word (pytest-dev/pytest-xdist#1386) and each
    # worker started its own JVM; pyproject.toml pins pytest below 9.2 until xdist follows.
    if not getattr(request.config.option, "loadgroup", False):
        pytest.skip("not run by a pytest-xdist worker with --dist loadgroup")
    assert request.node.nodeid.endswith("@spark"), "xdist_group('spark') was ignored: see pyproject.toml's test extra"


def key(f) -> tuple:
    return (f.severity, f.rule, f.table, f.file, f.line, f.row, f.column, f.value, f.acknowledged)


def same_findings(path, spark, **options):
    """Run both engines (with `options` of `validate`); assert identical findings; return the
    Spark engine's report."""
    mine, theirs = validate_locally(path, spark=spark, **options), validate_locally(path, **options)
    a, b = (sorted((key(f) for f in r.findings), key=repr) for r in (mine, theirs))
    assert (sorted(set(a) - set(b), key=repr), sorted(set(b) - set(a), key=repr)) == ([], [])
    assert a == b
    assert [f.message for f in sorted(mine.findings, key=key)] == [f.message for f in sorted(theirs.findings, key=key)]
    if "against" not in options:
        assert mine.rows == theirs.rows
    return mine


def test_bundled_dataset_has_the_local_engines_findings(spark):
    from conflictdata.contract.discovery import bundled_root

    report = same_findings(bundled_root(), spark)
    assert not report.errors and not report.warnings
    assert {f.rule for f in report.acknowledged} == {f.rule for f in validate_locally(bundled_root()).acknowledged}
    assert len(report.acknowledged) > 0


@pytest.fixture(scope="session")
def planted(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("planted") / "pkg"
    subprocess.run([sys.executable, str(ROOT / "benchmarks/generate.py"), str(out), "--events", "120", "--errors", "2"],
                   check=True, capture_output=True)
    return out


def test_planted_errors_are_found_where_they_were_planted(spark, planted):
    report = same_findings(planted, spark)
    expected = json.loads((planted / "planted.json").read_text())["planted"]
    got = {(f.rule, f.table, f.line, f.column) for f in report.findings}
    values = {(f.rule, f.table, f.line, f.column): f.value for f in report.findings}
    assert len(expected) >= 18
    for p in expected:
        assert (p["rule"], p["table"], p["line"], p["column"]) in got
        if p["value"] is not None:
            assert values[(p["rule"], p["table"], p["line"], p["column"])] == p["value"]


PEOPLE_1 = (
    "id,name,age,born,kind,score,active,parent,note,email\n"
    "P1,Ann,34,1990-01-31,a,1.5,true,,\"a note\nover three\nlines\",ann@x.org\n"     # lines 2-4
    "P2,Bob,-1,1990-02-30,c,NaN,maybe,P1,plain,bob@x.org\n"                        # line 5
    "P3,\"Cy, the \"\"third\"\"\",200,1990-03-01,b,-2,false,P9,\"two\nlines\",ann@x.org\n"  # lines 6-7
    "\n"                                                                           # line 8: blank
    "Q4,Dee,40,1990-04-01,a,3,1,P2,short\n"                                         # line 9: missing cell
    "P1,Eve,x,1990-05-01,b,1e3,0,P2,dup id,eve@x.org,extra\n"                       # line 10: extra cell
)
PEOPLE_2 = (
    "id,name,age,born,kind,score,active,parent,note,email\n"
    "P6,\"A name far longer than twenty\",7,2001-01-01,a,inf,TRUE,P3,,f@x.org\n"     # line 2 of file 2
    "P7,,8,0000-01-01,b,2,FALSE,P404,\"x\ny\",g@x.org\n"                            # lines 3-4
)
SCHEMA = {
    "fields": [
        {"name": "id", "type": "string", "constraints": {"pattern": "P[0-9]+"}},
        {"name": "name", "type": "string", "constraints": {"required": True, "maxLength": 20, "minLength": 2}},
        {"name": "age", "type": "integer", "constraints": {"minimum": 0, "maximum": 150}},
        {"name": "born", "type": "date", "constraints": {"minimum": "1900-01-01"}},
        {"name": "kind", "type": "string", "constraints": {"enum": ["a", "b"]}},
        {"name": "score", "type": "number", "constraints": {"minimum": 0, "maximum": 100}},
        {"name": "active", "type": "boolean"},
        {"name": "parent", "type": "string"},
        {"name": "note", "type": "string"},
        {"name": "email", "type": "string", "constraints": {"unique": True}},
    ],
    "primaryKey": ["id"],
    "foreignKeys": [{"fields": ["parent"], "reference": {"resource": "", "fields": ["id"]}}],
}


@pytest.fixture(scope="session")
def checks_package(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("checks")
    (root / "data").mkdir()
    (root / "data/people-1.csv").write_text(PEOPLE_1, encoding="utf-8")
    (root / "data/people-2.csv").write_text(PEOPLE_2, encoding="utf-8")
    (root / "data/pairs.csv").write_text("a,b\nx,1\nx,2\ny,1\nx,1\n", encoding="utf-8")
    (root / "data/links.csv").write_text("x,y,n\nx,1,1\n\"x\n\",2,2\ny,2,3\n,2,4\ny,1,5\n", encoding="utf-8")
    descriptor = {
        "name": "spark-checks",
        "resources": [
            {"name": "people", "path": ["data/people-1.csv", "data/people-2.csv"], "schema": SCHEMA},
            {"name": "pairs", "path": "data/pairs.csv", "schema": {"fields": [{"name": "a"}, {"name": "b", "type": "integer"}], "primaryKey": ["a", "b"]}},
            {"name": "links", "path": "data/links.csv", "schema": {
                "fields": [{"name": "x"}, {"name": "y", "type": "integer"}, {"name": "n", "type": "integer"}],
                "foreignKeys": [{"fields": ["x", "y"], "reference": {"resource": "pairs", "fields": ["a", "b"]}},
                                {"fields": ["n"], "reference": {"resource": "codes", "fields": ["n"]}}]}},
            {"name": "codes", "data": [{"n": 1}, {"n": 2}, {"n": 3}, {"n": 5}],
             "schema": {"fields": [{"name": "n", "type": "integer"}], "primaryKey": ["n"]}},
        ],
    }
    (root / "datapackage.json").write_text(json.dumps(descriptor, indent=1), encoding="utf-8")
    return root


def test_every_schema_check_matches_the_local_engine(spark, checks_package):
    report = same_findings(checks_package, spark)
    def rel(file: str) -> str:
        return Path(file).resolve().relative_to(checks_package.resolve()).as_posix()

    got = {(f.rule, rel(f.file), f.line, f.column, f.value) for f in report.findings}
    people1, people2 = "data/people-1.csv", "data/people-2.csv"
    # Lines are where records start, after cells that span lines.
    for expected in [
        ("minimum", people1, 5, "age", "-1"), ("type", people1, 5, "born", "1990-02-30"), ("enum", people1, 5, "kind", "c"),
        ("minimum", people1, 5, "score", "NaN"), ("type", people1, 5, "active", "maybe"),
        ("maximum", people1, 6, "age", "200"), ("foreign-key", people1, 6, "parent", "P9"), ("unique", people1, 6, "email", "ann@x.org"),
        ("blank-row", people1, 8, None, None), ("missing-cell", people1, 9, "email", None), ("pattern", people1, 9, "id", "Q4"),
        ("extra-cell", people1, 10, None, "extra"), ("primary-key", people1, 10, "id", "P1"),
        ("max-length", people2, 2, "name", "A name far longer than twenty"), ("maximum", people2, 2, "score", "inf"),
        ("required", people2, 3, "name", ""), ("type", people2, 3, "born", "0000-01-01"), ("foreign-key", people2, 3, "parent", "P404"),
    ]:
        assert expected in got, expected
    rows = {(f.rule, f.line): f.row for f in report.findings if rel(f.file) == people2}
    assert rows[("required", 3)] == 9  # rows run on across the resource's files, as in frictionless
    links = {(f.rule, f.line, f.value) for f in report.findings if f.table == "links"}
    # Composite keys (line 6: incomplete, not looked up) and a key into inline data (codes).
    assert links == {("foreign-key", 3, "x\n,2"), ("foreign-key", 5, "y,2"), ("foreign-key", 6, "4")}
    assert {(f.rule, f.line, f.value) for f in report.findings if f.table == "pairs"} == {("primary-key", 5, "x,1")}
    assert any("codes: checked by the local engine" in n for n in report.notes)


@pytest.mark.parametrize("name", ["package/datapackage.json", "invalid/datapackage.json", "number/datapackage.json",
                                  "fk-inline/fk-multi-violations.datapackage.json", "fk-inline/fk-self-ref-violation.datapackage.json",
                                  "storage/integrity.json"])
def test_frictionless_fixtures_match_the_local_engine(spark, name, tmp_path):
    if not SHARED.is_dir():
        pytest.skip(f"{SHARED} is absent (the shared fixtures live beside the checkout)")
    folder = tmp_path / "pkg"
    shutil.copytree((SHARED / name).parent, folder)
    same_findings(folder / Path(name).name, spark)


def test_cli_engine_spark_renders_the_same_json(spark, checks_package, capsys, monkeypatch):
    from conflictdata.cli import main

    monkeypatch.chdir(checks_package)
    out = {}
    for engine in ("local", "spark"):
        monkeypatch.setattr(sys, "argv", ["conflictdata", "validate", ".", "--format", "json", "--engine", engine])
        with pytest.raises(SystemExit) as exit_:
            main()
        assert exit_.value.code == 1
        out[engine] = json.loads(capsys.readouterr().out)
    assert sorted(map(repr, out["spark"]["findings"])) == sorted(map(repr, out["local"]["findings"]))
    assert {f["file"] for f in out["spark"]["findings"] if f["table"] == "people"} == {"data/people-1.csv", "data/people-2.csv"}
    assert out["spark"]["errors"] == out["local"]["errors"] > 0


def test_resource_of_several_files_names_the_file_of_each_finding(spark, tmp_path):
    from test_multi_file_resources import write_package

    report = same_findings(write_package(tmp_path / "pkg"), spark)
    assert {(f.rule, Path(f.file).name, f.line, f.row) for f in report.findings} == {
        ("minimum", "b.csv", 4, 5), ("missing-cell", "b.csv", 6, 7), ("primary-key", "b.csv", 5, 6), ("type", "b.csv", 7, 8)}


# The data-model rules, all broken at once in a copy of the curated package: the rules that judge
# rows (in the tasks), those that judge a whole table (on the driver's views), the canonical form
# and the acknowledgements.
TODAY = "2026-11-25"
RULE_EDITS = ["type-integer", "primary-key-single", "actor-parent-cycle", "event-date-order", "event-date-precision-month-not-whole",
              "event-coordinates-latitude-without-longitude", "event-has-source", "event-has-actor", "claim-value-order",
              "claim-period-order-start-after-end", "quote-required-claim", "stance-target-both-set", "future-date", "quote-in-snapshot"]


def test_data_model_rules_match_the_local_engine(spark, tmp_path, monkeypatch):
    import datetime as dt

    from pkgcopy import copy_package, replace_once
    from test_rules import CELL_EDITS, add_second_rutte_claim

    from conflictdata.checking import rules

    pkg = copy_package(tmp_path / "pkg")
    monkeypatch.chdir(pkg)
    monkeypatch.setattr(rules.clock, "today", lambda: dt.date.fromisoformat(TODAY))
    edits = {p.id: p.values for p in CELL_EDITS}
    for case in RULE_EDITS:
        table, old, new, _ = edits[case]
        replace_once(pkg / f"data/{table}.csv", old, new)
    add_second_rutte_claim(pkg, "400000")  # a cumulative series that falls (from 500000)
    (pkg / "data/retractions.csv").write_text(
        "table,record_id,retracted_date,reason,replaced_by_id\nstances,STN-0002,2026-11-20,duplicate,\n"
        "events,STN-0009,2026-11-20,wrong table,\nstances,STN-0009,2026-11-20,merged,STN-0008\n", encoding="utf-8")
    with (pkg / "data/snapshots/SRC-0001.txt").open("ab") as f:
        f.write(b"One more line.\n")
    with (pkg / "data/acknowledgements.csv").open("a", encoding="utf-8") as f:
        f.write("actor-same-name,actors,ACT-PRK,,the same actor twice on purpose,2026-11-20\n"
                "event-date-order,events,EVT-0002,,an error cannot be acknowledged,2026-11-20\n"
                "actor-same-name,actors,ACT-NOBODY,,stale,2026-11-20\n")
    path = pkg / "data/event_actors.csv"
    path.write_bytes(path.read_bytes().replace(b"\n", b"\r\n"))
    report = same_findings(pkg, spark)
    got = {f.rule for f in report.findings}
    for rule in ["actor-parent-cycle", "actor-same-name", "event-date-order", "event-date-precision", "event-coordinates", "event-has-source",
                 "event-has-actor", "claim-value-order", "claim-period-order", "quote-required", "stance-target", "future-date",
                 "quote-in-snapshot", "cumulative-decrease", "retraction-still-present", "retraction-id-prefix", "retraction-replacement",
                 "snapshot-hash", "non-canonical", "acknowledgement-of-error", "acknowledgement-stale"]:
        assert rule in got, rule
    assert any(f.rule == "actor-same-name" and f.value == "North Korea" for f in report.acknowledged)


@pytest.fixture(scope="session")
def built(tmp_path_factory) -> Path:
    from conflictdata.versions.build import build

    return build(None, tmp_path_factory.mktemp("built") / "out").out


def test_parquet_copies_are_compared_as_locally(spark, built, tmp_path):
    from pkgcopy import replace_once

    pkg = tmp_path / "built"
    shutil.copytree(built, pkg)
    replace_once(pkg / "data/actors.csv", "ACT-NATO,NATO,", "ACT-NATO,NATO Alliance,")  # the CSV changed after the build
    report = same_findings(pkg, spark)
    mismatch = [(f.rule, f.table, Path(f.file).name, f.column, f.value) for f in report.findings if f.rule == "parquet-mismatch"]
    assert mismatch == [("parquet-mismatch", "actors", "actors.parquet", "name", "NATO")]
    assert {f.rule for f in report.findings if f.table == "actors"} >= {"resource-hash", "resource-bytes"}


def test_parquet_resources_are_read_by_spark(spark, tmp_path_factory):
    out = tmp_path_factory.mktemp("parquet") / "pkg"
    subprocess.run([sys.executable, str(ROOT / "benchmarks/generate.py"), str(out), "--events", "120", "--errors", "1", "--format", "parquet"],
                   check=True, capture_output=True)
    report = same_findings(out / "datapackage-parquet.json", spark)
    assert not any("checked by the local engine" in n for n in report.notes)
    assert {f.rule for f in report.findings} >= {"type", "primary-key", "foreign-key", "event-date-order"}
    assert all(f.line is None and f.row is not None for f in report.findings if f.rule == "type")


def test_against_an_older_version_matches_the_local_engine(spark, tmp_path, monkeypatch):
    from pkgcopy import copy_package, replace_once

    old = copy_package(tmp_path / "old")
    new = copy_package(tmp_path / "new")
    monkeypatch.chdir(new)
    replace_once(new / "data/stances.csv", "STN-0003,ACT-PUTIN-VLADIMIR,", "STN-0004,ACT-PUTIN-VLADIMIR,")  # STN-0003 vanished
    (old / "data/retractions.csv").write_text("table,record_id,retracted_date,reason,replaced_by_id\nstances,STN-0004,2026-11-20,duplicate,\n",
                                              encoding="utf-8")
    report = same_findings(new, spark, against=old)
    assert {(f.rule, f.value) for f in report.findings if f.rule.startswith(("id-", "retraction-removed"))} == {
        ("id-vanished", "STN-0003"), ("id-reused", "STN-0004"), ("retraction-removed", "STN-0004")}


@pytest.fixture
def small_ranges(spark):
    """The session set to read every CSV file of at least `size` bytes in byte ranges (ranges.py)."""
    from contextlib import contextmanager

    from conflictdata.spark.ranges import SETTING

    @contextmanager
    def setting(size: int):
        spark.conf.set(SETTING, str(size))
        try:
            yield
        finally:
            spark.conf.unset(SETTING)

    return setting


def test_files_read_in_byte_ranges_have_the_local_engines_findings(spark, small_ranges, tmp_path):
    from test_spark_ranges import A, B, C, _package

    schema = {"fields": [{"name": "id", "type": "integer", "constraints": {"maximum": 13}}, {"name": "name", "constraints": {"maxLength": 4}},
                         {"name": "note"}], "primaryKey": ["id"]}
    root = _package(tmp_path / "pkg", {"a.csv": A, "b.csv": B, "c.csv": C}, schema=schema)
    with small_ranges(24):
        report = same_findings(root, spark)
    assert sum("byte ranges of at most 24 bytes" in n for n in report.notes) == 3
    got = {(f.rule, Path(f.file).name, f.line, f.row, f.column) for f in report.findings}
    # After a quoted cell longer than a range (lines 12-13), and rows running on across the files.
    assert got == {("blank-row", "a.csv", 6, 4, None), ("missing-cell", "a.csv", 8, 6, "note"), ("extra-cell", "a.csv", 9, 7, None),
                   ("blank-row", "a.csv", 11, 9, None), ("primary-key", "a.csv", 6, 4, None), ("primary-key", "a.csv", 11, 9, None),
                   ("max-length", "a.csv", 12, 10, "name"), ("encoding", "a.csv", 15, None, None),
                   ("max-length", "a.csv", 15, 12, "name"), ("encoding", "a.csv", 16, None, None), ("csv-syntax", "b.csv", 2, None, None),
                   ("maximum", "c.csv", 2, 15, "id"), ("csv-syntax", "c.csv", 4, None, None)}


def test_descriptor_metadata_is_checked_as_by_the_local_engine(spark, tmp_path):
    (tmp_path / "towns.csv").write_text("id\n1\n2\n", encoding="utf-8")
    (tmp_path / "datapackage.json").write_text("""{
  "name": "towns",
  "created": "yesterday",
  "contributors": [{"title": "A", "email": "not-an-email"}],
  "resources": [{"name": "towns", "path": "towns.csv", "schema": {"fields": [{"name": "id", "type": "integer"}]}}]
}
""", encoding="utf-8")
    report = same_findings(tmp_path, spark)
    assert [(f.rule, Path(f.file).name, f.line, f.column) for f in report.findings] == [
        ("descriptor", "datapackage.json", 3, "created"), ("descriptor", "datapackage.json", 4, "contributors[0].email")]


def test_a_bare_file_is_checked_against_its_schema_as_by_the_local_engine(spark, tmp_path):
    (tmp_path / "towns.csv").write_text("id,name\n1,Ghent\nx,Bruges\n2,\n", encoding="utf-8")
    schema = {"fields": [{"name": "id", "type": "integer"}, {"name": "name", "constraints": {"required": True}}]}
    (tmp_path / "towns.schema.json").write_text(json.dumps(schema), encoding="utf-8")
    report = same_findings(tmp_path / "towns.csv", spark, schema=tmp_path / "towns.schema.json")
    assert [(f.rule, f.line, f.column) for f in report.findings] == [("type", 3, "id"), ("required", 4, "name")]
    assert not any("checked by the local engine" in n for n in report.notes)


def test_parquet_copies_of_files_in_byte_ranges_are_compared_run_by_run(spark, small_ranges, built, tmp_path):
    from conflictdata.contract.names import PARQUET_KEY
    from pkgcopy import replace_once

    pkg = tmp_path / "built"
    shutil.copytree(built, pkg)
    descriptor = json.loads((pkg / "datapackage.json").read_text(encoding="utf-8"))
    [claims] = [r for r in descriptor["resources"] if r["name"] == "casualty_claims"]
    claims[PARQUET_KEY]["bytes"] += 1  # the copy "changed after the build"
    (pkg / "datapackage.json").write_text(json.dumps(descriptor, indent=2), encoding="utf-8")
    # A cell near the end of casualty_claims (in the file's last range) changed after the build:
    # the run holding it is compared with its rows of the copy, and the row is the local engine's.
    replace_once(pkg / "data/casualty_claims.csv", '"best 4 (low 4, high 4)",period,2015-08-10,2015-08-10',
                 '"best four (low 4, high 4)",period,2015-08-10,2015-08-10')
    # Two records of events out of key order: the local engine sorts the rows into key order
    # before comparing (so the copy matches, and the order is the non-canonical finding's); the
    # ranges cannot place their runs among the copy's rows, so they do not compare, and say so.
    events = pkg / "data/events.csv"
    lines = events.read_bytes().split(b"\n")
    lines[2000], lines[2001] = lines[2001], lines[2000]
    events.write_bytes(b"\n".join(lines))
    with small_ranges(1 << 20):
        report = same_findings(pkg, spark)
    assert ("resource-bytes", "casualty_claims", "casualty_claims.parquet") in [
        (f.rule, f.table, Path(f.file).name) for f in report.findings if f.rule == "resource-bytes"]
    assert sum("casualty_claims.csv read in 5 byte ranges" in n or "events.csv read in 2 byte ranges" in n for n in report.notes) == 2
    [mismatch] = [f for f in report.findings if f.rule == "parquet-mismatch"]
    assert (mismatch.table, mismatch.column, mismatch.value) == ("casualty_claims", "value_text", "best 4 (low 4, high 4)")
    assert mismatch.message.startswith("row 25547 (in primary-key order) differs from the CSV: 'best four (low 4, high 4)' in CSV")
    assert [(f.table, f.line) for f in report.findings if f.rule == "non-canonical"] == [("events", 2001)]
    assert [n for n in report.notes if "parquet-mismatch" in n] == [
        "events: parquet-mismatch not checked row by row (the Parquet copy against the CSV rows): the CSV file is read in "
        "byte ranges, and its records are not all data rows in primary-key order, so no run knows its place among the copy's rows"]