"""Generate the bad-input corpus: one folder per case, each with `case.json` and its input.

The corpus is not committed: tests/conftest.py (`bad_inputs` fixture) generates it once per test
run, and the tests take their parameters from `case_ids()`, which lists the cases without writing
anything. To look at the cases: `python tests/bad_inputs/make_cases.py OUT` writes every case
folder into OUT, from the curated core of the repository's package (tests/pkgcopy.py), so the
corpus is reproducible. Each case is a copy of the package with one defect (`pkg/`), a built
package with one defect (`built/`), or a few files (archives, an upstream file). The expected
outcome in `case.json` is written here by hand, from the documentation (README's exit codes and
rules), never copied from what the validator happens to print.

case.json:
  description   what is wrong
  cwd           folder (relative to the case folder) the command runs in
  args          the command line after `conflictdata`
  exit          the documented exit code
  findings      (validate --format json) the exact findings: severity, table, file, line, column, rule
                and optionally a fragment of the message
  findings_include  like findings, but only a subset (where one defect cascades into many)
  stderr        fragments that must appear on stderr (the file, line and the fix)
  generate      a defect made at test time instead of committed (the 10 MB cell)
  env           environment variables the command runs with (CONFLICTDATA_TODAY: the clock of future-date)
  xfail         the reason the current behaviour is wrong, when a fix was too large
"""

from __future__ import annotations

import hashlib
import io
import json
import os
import shutil
import struct
import sys
import zipfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
TESTS = HERE.parent
sys.path.insert(0, str(TESTS))

from pkgcopy import E, W, copy_package, replace_once  # noqa: E402,F401  (E, W: the cases' findings)

VALIDATE = ["validate", ".", "--format", "json"]
CASES: list[str] = []
# Cases that hold a package in pkg/ (tests/test_streaming.py validates each one streamed too).
WITH_PKG: list[str] = []
# Where cases are written; None while `case_ids()` only lists them.
_OUT: Path | None = None


# --- helpers -------------------------------------------------------------------------------------


def new_case(case_id: str, *, with_pkg: bool = False) -> Path | None:
    """The empty folder of a new case, or None when the cases are only listed (write nothing then)."""
    assert case_id not in CASES, case_id
    CASES.append(case_id)
    if with_pkg:
        WITH_PKG.append(case_id)
    if _OUT is None:
        return None
    folder = _OUT / case_id
    if folder.exists():
        shutil.rmtree(folder)
    folder.mkdir(parents=True)
    return folder


def write_case(folder: Path, **spec) -> None:
    spec.setdefault("cwd", "pkg")
    (folder / "case.json").write_text(json.dumps(spec, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")


def edit_json(path: Path, fn) -> None:
    data = json.loads(path.read_text(encoding="utf-8"))
    fn(data)
    path.write_text(json.dumps(data, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")


def resource(descriptor: dict, name: str) -> dict:
    [res] = [r for r in descriptor["resources"] if r["name"] == name]
    return res


def pkg_case(case_id: str, description: str, edit, *, args=VALIDATE, exit: int = 1, **expect) -> None:
    """A copy of the curated core with one defect, validated (or otherwise used) in place."""
    folder = new_case(case_id, with_pkg=True)
    if folder is None:
        return
    pkg = copy_package(folder / "pkg")
    edit(pkg)
    write_case(folder, description=description, args=args, exit=exit, **expect)


def cell(table: str, old: str, new: str):
    return lambda pkg: replace_once(pkg / f"data/{table}.csv", old, new)


# --- CSV files -----------------------------------------------------------------------------------


def csv_cases() -> None:
    def truncate_mid_record(pkg: Path) -> None:
        p = pkg / "data/event_actors.csv"
        data = p.read_bytes()
        p.write_bytes(data[: data.index(b"EVT-0003,ACT-UKR-AF,target") + len(b"EVT-0003,ACT-UKR-AF,tar")])

    pkg_case("csv-truncated-mid-record", "event_actors.csv cut off in the middle of its last record (no final newline)",
             truncate_mid_record,
             findings=[E("event_actors", 6, "certainty", "missing-cell"),
                       E("event_actors", 6, "role", "enum", "allowed"),
                       W("event_actors", 6, None, "non-canonical")])

    def truncate_in_quote(pkg: Path) -> None:
        p = pkg / "data/actors.csv"
        data = p.read_bytes()
        p.write_bytes(data[: data.index(b'"The United Nations Security Council') + 20])

    # The unterminated quoted cell swallows the rest of the file: one csv-syntax finding where the
    # record starts; the last actor (referenced nowhere) is lost without further findings.
    pkg_case("csv-truncated-in-quoted-cell", "actors.csv cut off inside a quoted cell of its last record", truncate_in_quote,
             findings=[E("actors", 12, None, "csv-syntax", "unbalanced double quote")])

    pkg_case("csv-unbalanced-quote", "a cell of stances.csv opens a double quote it never closes",
             cell("stances", ",Putin did not deny their presence on Thursday.", ',"Putin did not deny their presence on Thursday.'),
             findings=[E("stances", 4, None, "csv-syntax", "unbalanced double quote")])

    def semicolons(pkg: Path) -> None:
        p = pkg / "data/event_actors.csv"
        p.write_bytes(p.read_bytes().replace(b",", b";"))

    # Read with ',' the header is one cell 'event_id;actor_id;role;certainty' (every column of the
    # schema missing, one unknown): the file is recognised as ;-separated instead, and said once,
    # at its header; its records, read with ';', are valid.
    pkg_case("csv-wrong-delimiter", "event_actors.csv written with ';' instead of ','", semicolons,
             findings=[E("event_actors", 1, None, "wrong-delimiter", "looks ;-separated: save as CSV with commas, or set the dialect")])

    def bom(pkg: Path) -> None:
        p = pkg / "data/actors.csv"
        p.write_bytes(b"\xef\xbb\xbf" + p.read_bytes())

    # Readable (the BOM is skipped), so valid; `fmt` would drop it: a warning about the file.
    pkg_case("csv-utf8-bom", "actors.csv starts with a UTF-8 byte order mark", bom, exit=0,
             findings=[W("actors", 1, None, "non-canonical", "without BOM")])

    def crlf(pkg: Path) -> None:
        p = pkg / "data/events.csv"
        p.write_bytes(p.read_bytes().replace(b"\n", b"\r\n"))

    pkg_case("csv-crlf", "events.csv has CRLF line endings", crlf, exit=0,
             findings=[W("events", 1, None, "non-canonical", "LF")])

    pkg_case("csv-latin1-bytes", "a name in actors.csv saved as Latin-1 (0xED for í)",
             cell("actors", b"ACT-PUTIN-VLADIMIR,Vladimir Putin,", b"ACT-PUTIN-VLADIMIR,Vlad\xedmir Putin,"),
             findings=[E("actors", 6, None, "encoding", "not valid UTF-8")])

    pkg_case("csv-nul-byte", "a NUL byte inside a cell of events.csv",
             cell("events", b"EVT-0002,North Korean", b"EVT-0002,North\x00 Korean"),
             findings=[E("events", 3, None, "encoding", "NUL byte")])

    def dup_column(pkg: Path) -> None:
        p = pkg / "data/event_actors.csv"
        lines = p.read_text(encoding="utf-8").splitlines()
        out = [lines[0] + ",role"] + [line + ",other" for line in lines[1:]]
        p.write_text("\n".join(out) + "\n", encoding="utf-8")

    pkg_case("csv-header-duplicate-column", "event_actors.csv names the column 'role' twice", dup_column,
             findings=[E("event_actors", 1, "role", "duplicate-column")])

    def drop_column(pkg: Path) -> None:
        p = pkg / "data/actors.csv"
        import csv

        with open(p, encoding="utf-8", newline="") as fh:
            rows = list(csv.reader(fh))
        i = rows[0].index("wikidata_qid")
        buf = io.StringIO()
        csv.writer(buf, lineterminator="\n").writerows([r[:i] + r[i + 1:] for r in rows])
        p.write_text(buf.getvalue(), encoding="utf-8")

    pkg_case("csv-header-missing-column", "actors.csv lacks the column wikidata_qid", drop_column,
             findings=[E("actors", 1, "wikidata_qid", "missing-column")])

    pkg_case("csv-header-misspelt-column", "actors.csv's header spells 'description' as 'descripton'",
             cell("actors", ",description,", ",descripton,"),
             findings=[E("actors", 1, "descripton", "extra-column", "did you mean 'description'"),
                       E("actors", 1, "description", "missing-column")])

    def empty_file(pkg: Path) -> None:
        (pkg / "data/retractions.csv").write_bytes(b"")

    pkg_case("csv-empty-file", "retractions.csv is empty (not even a header)", empty_file,
             findings_include=[E("retractions", 1, None, "header", "empty")])

    pkg_case("csv-extra-cell", "a record of events.csv has one cell more than the header",
             cell("events", b",Kursk region,,,admin1,confirmed\n", b",Kursk region,,,admin1,confirmed,extra\n"),
             findings=[E("events", 3, None, "extra-cell")])

    # A comma typed into a free-text cell without quotes: one finding naming the cell, not a type
    # error in every later column of the record.
    pkg_case("csv-unquoted-comma", "a summary in events.csv gains an unquoted comma",
             cell("events", "large-scale offensive in Kursk in August 2024.", "large-scale offensive in Kursk, in August 2024."),
             findings=[E("events", 2, "summary", "unquoted-delimiter", "unquoted comma in column summary; quote the cell")])

    pkg_case("csv-missing-cell", "the last record of event_actors.csv lacks its last cell",
             cell("event_actors", "EVT-0003,ACT-UKR-AF,target,known", "EVT-0003,ACT-UKR-AF,target"),
             findings=[E("event_actors", 6, "certainty", "missing-cell"), W("event_actors", 6, None, "non-canonical")])

    pkg_case("csv-blank-row", "a blank line between two records of stances.csv",
             cell("stances", b"\nSTN-0002,", b"\n\nSTN-0002,"),
             findings=[E("stances", 3, None, "blank-row"), E("stances", 3, None, "primary-key", "blank row"),
                       W("stances", 3, None, "non-canonical")])


# --- keys ----------------------------------------------------------------------------------------

ROW_ACT_PRK = "ACT-PRK,North Korea,state,PRK,,Q423,,The North Korean state (Pyongyang in the article).,SRC-0001\n"


def key_cases() -> None:
    pkg_case("pk-duplicate", "the row of ACT-PRK appears twice in actors.csv", cell("actors", ROW_ACT_PRK, ROW_ACT_PRK * 2),
             findings=[E("actors", 5, "actor_id", "primary-key", "already used on line 4"),
                       W("actors", 5, "name", "actor-same-name")])
    pkg_case("pk-composite-duplicate", "two rows of event_actors.csv share (event_id, actor_id, role)",
             cell("event_actors", "EVT-0002,ACT-RUS,host,known", "EVT-0002,ACT-PRK-AF,deployed_force,suspected"),
             findings=[E("event_actors", 4, "event_id,actor_id,role", "primary-key", "already used on line 3")])
    pkg_case("pk-empty", "an actor without an actor_id",
             cell("actors", "ACT-UNSC,UN Security Council,", ",UN Security Council,"),
             findings=[E("actors", 12, "actor_id", "required")])
    pkg_case("fk-dangling", "a stance names an actor that does not exist (typo)",
             cell("stances", "STN-0003,ACT-PUTIN-VLADIMIR,", "STN-0003,ACT-PUTIN-VLADIMI,"),
             findings=[E("stances", 4, "actor_id", "foreign-key", "ACT-PUTIN-VLADIMI")])
    pkg_case("fk-dangling-reference-table", "an event in a country code that is not in countries.csv",
             cell("events", ",month,RUS,", ",month,XXX,"),
             findings=[E("events", 2, "country_iso3", "foreign-key", "countries.iso3")])
    pkg_case("fk-self-reference-dangling", "an actor's parent_actor_id names no actor (self-referencing key)",
             cell("actors", "ACT-KREMLIN,The Kremlin,government_body,RUS,ACT-RUS,", "ACT-KREMLIN,The Kremlin,government_body,RUS,ACT-RUSSIA,"),
             findings=[E("actors", 2, "parent_actor_id", "foreign-key", "ACT-RUSSIA")])
    pkg_case("fk-self-parent", "an actor is its own parent",
             cell("actors", "ACT-UKR,Ukraine,state,UKR,,", "ACT-UKR,Ukraine,state,UKR,ACT-UKR,"),
             findings=[E("actors", 10, "parent_actor_id", "actor-parent-cycle")])
    pkg_case("fk-parent-cycle-2", "NATO's parent is Rutte, Rutte's parent is NATO",
             cell("actors", "ACT-NATO,NATO,intergovernmental_org,,,", "ACT-NATO,NATO,intergovernmental_org,,ACT-RUTTE-MARK,"),
             findings=[E("actors", 3, "parent_actor_id", "actor-parent-cycle")])

    def cycle3(pkg: Path) -> None:
        replace_once(pkg / "data/actors.csv", "ACT-NATO,NATO,intergovernmental_org,,,", "ACT-NATO,NATO,intergovernmental_org,,ACT-UNSC,")
        replace_once(pkg / "data/actors.csv", "ACT-UNSC,UN Security Council,intergovernmental_org,,,", "ACT-UNSC,UN Security Council,intergovernmental_org,,ACT-RUTTE-MARK,")

    pkg_case("fk-parent-cycle-3", "NATO → UNSC → Rutte → NATO", cycle3,
             findings=[E("actors", 3, "parent_actor_id", "actor-parent-cycle")])


# --- values --------------------------------------------------------------------------------------


def value_cases() -> None:
    pkg_case("date-future", "a stance dated two days after today, the clock set to 2026-11-25 (past the day of time-zone slack)",
             cell("stances", ",does_not_deny,2024-10-24,", ",does_not_deny,2026-11-27,"), env={"CONFLICTDATA_TODAY": "2026-11-25"},
             findings=[E("stances", 4, "stance_date", "future-date", "after today (2026-11-25")])
    pkg_case("date-far-future", "a source published 9999-12-31",
             cell("sources", ",2024-10-29,,en,", ",9999-12-31,,en,"),
             findings=[E("sources", 2, "published_date", "future-date")])
    pkg_case("date-not-in-calendar", "an event starting 2024-02-30",
             cell("events", "2024-10-28,2024-10-28,day", "2024-02-30,2024-10-28,day"),
             findings=[E("events", 3, "date_start", "type", "YYYY-MM-DD")])
    pkg_case("date-month-13", "a stance dated 2024-13-01",
             cell("stances", ",does_not_deny,2024-10-24,", ",does_not_deny,2024-13-01,"),
             findings=[E("stances", 4, "stance_date", "type")])
    pkg_case("date-before-minimum", "a stance dated 1899-12-31 (the schema's minimum is 1900-01-01)",
             cell("stances", ",does_not_deny,2024-10-24,", ",does_not_deny,1899-12-31,"),
             findings=[E("stances", 4, "stance_date", "minimum")])
    pkg_case("date-order", "an event that ends before it starts",
             cell("events", "2024-10-28,2024-10-28,day", "2024-10-28,2024-10-27,day"),
             findings=[E("events", 3, "date_end", "event-date-order"), E("events", 3, "date_precision", "event-date-precision")])
    pkg_case("claim-low-above-high", "a claim whose value_low is above its value_high",
             cell("casualty_claims", "600000,,,more_than", "600000,,500000,range"),
             findings=[E("casualty_claims", 2, "value_high", "claim-value-order")])
    pkg_case("claim-negative-count", "a negative casualty count",
             cell("casualty_claims", "600000,,,more_than", "-1,,,more_than"),
             findings=[E("casualty_claims", 2, "value_low", "minimum")])
    pkg_case("claim-count-with-decimals", "a casualty count with decimals",
             cell("casualty_claims", "600000,,,more_than", "600000.5,,,more_than"),
             findings=[E("casualty_claims", 2, "value_low", "type")])
    pkg_case("claim-count-nan", "a casualty count written NaN (an integer column)",
             cell("casualty_claims", "600000,,,more_than", "NaN,,,more_than"),
             findings=[E("casualty_claims", 2, "value_low", "type")])
    pkg_case("claim-count-overflow", "a casualty count beyond int64",
             cell("casualty_claims", "600000,,,more_than", "99999999999999999999,,,more_than"),
             findings=[E("casualty_claims", 2, "value_low", "type")])
    pkg_case("number-nan", "an event latitude written NaN",
             cell("events", "Kursk,,,admin1,reported", "Kursk,NaN,35.2,admin1,reported"),
             findings_include=[E("events", 2, "latitude", "number-finite")])
    pkg_case("number-inf", "an event longitude written inf",
             cell("events", "Kursk,,,admin1,reported", "Kursk,51.7,inf,admin1,reported"),
             findings=[E("events", 2, "longitude", "maximum"), E("events", 2, "longitude", "number-finite")])
    pkg_case("number-minus-inf", "an event latitude written -inf",
             cell("events", "Kursk,,,admin1,reported", "Kursk,-inf,35.2,admin1,reported"),
             findings=[E("events", 2, "latitude", "minimum"), E("events", 2, "latitude", "number-finite")])
    pkg_case("number-latitude-out-of-range", "an event latitude of 91",
             cell("events", "Kursk,,,admin1,reported", "Kursk,91,0,admin1,reported"),
             findings=[E("events", 2, "latitude", "maximum")])
    pkg_case("enum-near-miss", "a stance 'confirm' instead of 'confirms'",
             cell("stances", ",confirms,", ",confirm,"),
             findings=[E("stances", 2, "stance", "enum", "did you mean 'confirms'?")])
    pkg_case("enum-near-miss-case", "an event occurrence 'Reported' instead of 'reported'",
             cell("events", "Kursk,,,admin1,reported", "Kursk,,,admin1,Reported"),
             findings=[E("events", 2, "occurrence", "enum", "did you mean 'reported'?")])
    pkg_case("enum-near-miss-typo", "an event_type 'ofensive' instead of 'offensive'",
             cell("events", ",offensive,2024-08-01,", ",ofensive,2024-08-01,"),
             findings=[E("events", 2, "event_type", "enum", "did you mean 'offensive'?")])
    pkg_case("id-pattern", "an actor id in lower case",
             cell("actors", "ACT-UNSC,UN Security Council,", "ACT-unsc,UN Security Council,"),
             findings=[E("actors", 12, "actor_id", "pattern")])
    pkg_case("id-pattern-trailing-space", "a stance id with a trailing space (pattern, and not canonical)",
             cell("stances", "STN-0003,", "STN-0003 ,"),
             findings_include=[E("stances", 4, "stance_id", "pattern")])
    pkg_case("required-empty", "an event without a title",
             cell("events", "EVT-0002,North Korean military units stationed in the Kursk region,", "EVT-0002,,"),
             findings=[E("events", 3, "title", "required")])
    pkg_case("snapshot-path-leaves-package", "a source's snapshot path climbs out of the package with '..'",
             cell("sources", ",data/snapshots/SRC-0001.txt,", ",data/../../outside.txt,"),
             findings_include=[E("sources", 2, "snapshot", "snapshot-missing", "'..'")])


# --- Parquet copies in a built package -----------------------------------------------------------


def built_case(case_id: str, description: str, edit, **expect) -> None:
    folder = new_case(case_id)
    if folder is None:
        return
    pkg = copy_package(folder / "_src")
    from conflictdata.versions.build import build

    build(pkg, folder / "built")
    shutil.rmtree(pkg)
    edit(folder / "built")
    write_case(folder, description=description, cwd="built", args=VALIDATE, exit=1, **expect)


def parquet_cases() -> None:
    def truncate(built: Path) -> None:
        p = built / "data/stances.parquet"
        data = p.read_bytes()
        p.write_bytes(data[: len(data) // 2])

    pq_file = "data/stances.parquet"
    built_case("parquet-truncated", "a built package whose stances.parquet was cut in half", truncate,
               findings=[E("stances", None, None, "parquet", "cannot read the Parquet file", file=pq_file),
                         E("stances", None, None, "resource-bytes", file=pq_file),
                         E("stances", None, None, "resource-hash", file=pq_file)])

    def retype(built: Path) -> None:
        import pyarrow as pa
        import pyarrow.parquet as pq

        p = built / "data/casualty_claims.parquet"
        t = pq.read_table(p)
        i = t.column_names.index("value_low")
        t = t.set_column(i, "value_low", t.column("value_low").cast(pa.string()))
        pq.write_table(t, p)

    cc = "data/casualty_claims.parquet"
    built_case("parquet-schema-mismatch", "a built package whose casualty_claims.parquet stores value_low as text", retype,
               findings=[E("casualty_claims", None, "value_low", "parquet-type", "the schema says integer", file=cc),
                         E("casualty_claims", None, None, "resource-bytes", file=cc),
                         E("casualty_claims", None, None, "resource-hash", file=cc)])

    def not_parquet(built: Path) -> None:
        (built / "data/events.parquet").write_bytes(b"PAR1 this is not a parquet file PAR1")

    ev = "data/events.parquet"
    built_case("parquet-garbage", "a built package whose events.parquet holds text", not_parquet,
               findings=[E("events", None, None, "parquet", file=ev), E("events", None, None, "resource-bytes", file=ev),
                         E("events", None, None, "resource-hash", file=ev)])

    def tamper_csv(built: Path) -> None:
        replace_once(built / "data/stances.csv", "on Thursday.", "on Friday.")

    built_case("built-csv-hash-mismatch", "a built package whose stances.csv changed after the build (one word)", tamper_csv,
               findings_include=[E("stances", None, None, "resource-hash"),
                                 E("stances", None, "quote", "parquet-mismatch", file="data/stances.parquet")])


# --- descriptors and paths -----------------------------------------------------------------------


def descriptor_case(case_id: str, description: str, edit, stderr: list[str], exit: int = 2, args=None) -> None:
    pkg_case(case_id, description, edit, args=args or ["validate", "."], exit=exit, stderr=stderr)


def descriptor_cases() -> None:
    def truncated_json(pkg: Path) -> None:
        p = pkg / "datapackage.json"
        p.write_bytes(p.read_bytes()[:500])

    descriptor_case("descriptor-not-json", "datapackage.json cut off after 500 bytes", truncated_json,
                    ["datapackage.json:", "not valid JSON", "fix the syntax"])

    def empty(pkg: Path) -> None:
        (pkg / "datapackage.json").write_bytes(b"")

    descriptor_case("descriptor-empty", "datapackage.json is empty", empty, ["datapackage.json:1:1", "not valid JSON"])

    def nested(pkg: Path) -> None:
        (pkg / "datapackage.json").write_text("[" * 20_000 + "]" * 20_000, encoding="utf-8")

    descriptor_case("descriptor-deeply-nested", "datapackage.json is 20,000 nested arrays (a parser stack bomb)", nested,
                    ["datapackage.json", "too deeply"])

    def array(pkg: Path) -> None:
        (pkg / "datapackage.json").write_text("[]\n", encoding="utf-8")

    descriptor_case("descriptor-not-an-object", "datapackage.json is a JSON array", array, ["datapackage.json", "must be a JSON object"])

    def latin1(pkg: Path) -> None:
        replace_once(pkg / "datapackage.json", "provenance-first".encode(), "provenance-first \xe9".encode("latin-1"))

    descriptor_case("descriptor-latin1", "datapackage.json holds a Latin-1 byte", latin1, ["datapackage.json", "cannot read"])

    # An empty list is a valid package for the Data Package profile and for `frictionless validate`.
    descriptor_case("descriptor-no-resources", "datapackage.json has an empty resources list",
                    lambda pkg: edit_json(pkg / "datapackage.json", lambda d: d.update(resources=[])),
                    ["valid: datapackage.json (0 tables, 0 rows"], exit=0)
    descriptor_case("descriptor-resources-missing", "datapackage.json has no resources key (nor path or data)",
                    lambda pkg: edit_json(pkg / "datapackage.json", lambda d: d.pop("resources")),
                    ["datapackage.json", "neither a data package (no 'resources' list) nor a resource", "add 'resources'"])

    def set_path(name: str, value: str, key: str = "path"):
        return lambda pkg: edit_json(pkg / "datapackage.json", lambda d: resource(d, name).update({key: value}))

    descriptor_case("path-absolute", "a resource path is absolute (/etc/passwd)", set_path("actors", "/etc/passwd"),
                    ["datapackage.json", "'actors'", "is absolute"])

    def dotdot(pkg: Path) -> None:
        shutil.copy(pkg / "data/actors.csv", pkg.parent / "actors.csv")
        set_path("actors", "../actors.csv")(pkg)

    descriptor_case("path-dotdot", "a resource path leaves the package with '..' (the file exists there)", dotdot,
                    ["datapackage.json", "'actors'", "contains '..'"])
    descriptor_case("path-url", "a resource path is a URL (nothing may be fetched)", set_path("actors", "https://example.org/actors.csv"),
                    ["datapackage.json", "'actors'", "is a URL"])
    descriptor_case("schema-path-url", "a resource's schema is a URL", set_path("events", "https://example.org/events.json", "schema"),
                    ["datapackage.json", "'events'", "is a URL"])
    descriptor_case("schema-path-dotdot", "a resource's schema path contains '..'", set_path("events", "schema/../../events.json", "schema"),
                    ["datapackage.json", "'events'", "contains '..'"])

    def symlink_out(pkg: Path) -> None:
        outside = pkg.parent / "outside"
        outside.mkdir()
        (pkg / "data/actors.csv").rename(outside / "actors.csv")
        os.symlink("../../outside/actors.csv", pkg / "data/actors.csv")

    descriptor_case("symlink-out-of-package", "data/actors.csv is a symlink to a file outside the package", symlink_out,
                    ["datapackage.json", "'actors'", "resolves outside the package"])

    def snapshot_symlink(pkg: Path) -> None:
        outside = pkg.parent / "outside"
        outside.mkdir()
        (pkg / "data/snapshots/SRC-0001.txt").rename(outside / "SRC-0001.txt")
        os.symlink("../../../outside/SRC-0001.txt", pkg / "data/snapshots/SRC-0001.txt")

    pkg_case("symlink-snapshot-out-of-package", "a source's snapshot is a symlink to a file outside the package", snapshot_symlink,
             findings_include=[E("sources", 2, "snapshot", "snapshot-missing", "outside the package")])

    def schema_broken(pkg: Path) -> None:
        p = pkg / "schema/actors.json"
        p.write_text(p.read_text(encoding="utf-8").replace('"fields": [', '"fields": [,', 1), encoding="utf-8")

    descriptor_case("schema-not-json", "schema/actors.json has a stray comma", schema_broken,
                    ["schema/actors.json:", "not valid JSON"])

    def schema_edit(fn):
        return lambda pkg: edit_json(pkg / "schema/actors.json", fn)

    descriptor_case("schema-field-without-name", "a field of schema/actors.json has no name",
                    schema_edit(lambda s: s["fields"][1].pop("name")), ["schema/actors.json", "fields[1]", "name"])
    descriptor_case("schema-bad-pattern", "a pattern in schema/actors.json is not a regular expression",
                    schema_edit(lambda s: s["fields"][1].setdefault("constraints", {}).update(pattern="([")),
                    ["schema/actors.json", "'name'", "not a regular expression"])
    descriptor_case("schema-enum-not-a-list", "an enum in schema/actors.json is a string",
                    schema_edit(lambda s: s["fields"][2]["constraints"].update(enum="state")),
                    ["schema/actors.json", "'actor_type'", "'enum' must be a list"])
    descriptor_case("schema-primary-key-unknown", "schema/actors.json's primaryKey names no field",
                    schema_edit(lambda s: s.update(primaryKey=["actor"])), ["schema/actors.json", "primaryKey", "'actor'"])
    descriptor_case("schema-foreign-key-unknown-field", "a foreign key of schema/actors.json names no field",
                    schema_edit(lambda s: s["foreignKeys"][0].update(fields=["parent"])),
                    ["schema/actors.json", "foreignKeys[0]", "'parent'"])
    descriptor_case("schema-foreign-key-without-reference", "a foreign key of schema/actors.json has no reference",
                    schema_edit(lambda s: s["foreignKeys"][0].pop("reference")), ["schema/actors.json", "foreignKeys[0]", "reference"])
    descriptor_case("schema-foreign-key-unknown-target", "a foreign key of schema/actors.json references a field the target lacks",
                    schema_edit(lambda s: s["foreignKeys"][2]["reference"].update(fields=["id"])),
                    ["datapackage.json", "'actors'", "sources.id"])
    descriptor_case("no-such-path", "validate a folder that does not exist", lambda pkg: None,
                    ["nope", "no such file or folder"], args=["validate", "nope"])


# --- commands that write, on bad input -----------------------------------------------------------


def writer_cases() -> None:
    typo = cell("stances", ",confirms,", ",confirm,")
    where = ["data/stances.csv:2", "[enum]", "did you mean 'confirms'"]
    pkg_case("build-invalid-data", "build refuses invalid data and writes nothing", typo,
             args=["build", ".", "--out", "../out"], stderr=["nothing was built", *where])
    pkg_case("export-invalid-data", "export refuses invalid data and writes nothing", typo,
             args=["export", ".", "--to", "sqlite", "--out", "../out.sqlite"], stderr=["nothing was exported", *where])
    pkg_case("export-jsonl-invalid-data", "a folder export refuses invalid data and writes nothing", typo,
             args=["export", ".", "--to", "jsonl", "--out", "../jsonl"], stderr=["nothing was exported", *where])
    pkg_case("report-invalid-data", "report refuses invalid data and writes nothing", typo,
             args=["report", ".", "--out", "../report"], stderr=["no report was written", *where])
    pkg_case("release-invalid-data", "release refuses invalid data and writes nothing", typo,
             args=["release", ".", "--against", ".", "--out", "../dist"], stderr=["refusing to release invalid data", *where])
    pkg_case("fmt-latin1-file-untouched", "fmt leaves a file it cannot read safely as it is",
             cell("actors", b"ACT-PUTIN-VLADIMIR,Vladimir Putin,", b"ACT-PUTIN-VLADIMIR,Vlad\xedmir Putin,"),
             args=["fmt", "."], stderr=["skipped data/actors.csv", "data/actors.csv:6", "UTF-8"])

    def foreign_out(pkg: Path) -> None:
        (pkg.parent / "mine").mkdir()
        (pkg.parent / "mine/notes.txt").write_text("not a build\n", encoding="utf-8")

    pkg_case("build-out-is-someone-elses-folder", "build --out names a folder of other files: refused, untouched", foreign_out,
             args=["build", ".", "--out", "../mine"], exit=2, stderr=["mine", "is not a conflictdata build"])

    def bad_upstream(pkg: Path) -> None:
        (pkg.parent / "russia_losses_personnel.json").write_text('[{"date": "2022-02-25", "personnel": 2800,', encoding="utf-8")

    pkg_case("import-genstaff-not-json", "the upstream file of an import is cut off", bad_upstream,
             args=["import", "genstaff", "../russia_losses_personnel.json", "--package", "."], exit=2,
             stderr=["russia_losses_personnel.json:1:", "not JSON"])


# --- archives ------------------------------------------------------------------------------------

TOP = "conflictdata-0.1.0"


def zip_bytes(entries: list[tuple[zipfile.ZipInfo | str, bytes]]) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        for info, data in entries:
            if isinstance(info, str):
                info = zipfile.ZipInfo(info, date_time=(2026, 11, 25, 0, 0, 0))
                info.compress_type = zipfile.ZIP_DEFLATED
                info.external_attr = 0o644 << 16
            zf.writestr(info, data)
    return buf.getvalue()


def sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def archive_case(case_id: str, description: str, files: dict[str, bytes], args: list[str], exit: int, stderr: list[str],
                 with_pkg: bool = False) -> None:
    folder = new_case(case_id, with_pkg=with_pkg)
    if folder is None:
        return
    for name, data in files.items():
        (folder / name).write_bytes(data)
    if with_pkg:
        copy_package(folder / "pkg")
    write_case(folder, description=description, cwd=".", args=args, exit=exit, stderr=stderr)


def release_zip(tamper=None) -> bytes:
    """A genuine-looking release archive of the curated core (built, with SHA256SUMS)."""
    import tempfile

    from conflictdata.versions.build import build

    if _OUT is None:
        return b""  # only listing the cases: no need to build

    with tempfile.TemporaryDirectory() as tmp:
        pkg = copy_package(Path(tmp) / "pkg")
        built = Path(tmp) / "built"
        build(pkg, built)
        if tamper:
            tamper(built)
        entries = [(f"{TOP}/{p.relative_to(built).as_posix()}", p.read_bytes()) for p in sorted(built.rglob("*")) if p.is_file()]
    return zip_bytes(entries)


def lie_about_size(data: bytes, name: str, declared: int) -> bytes:
    """Patch the uncompressed size that the local header and the central directory declare for `name`."""
    out = bytearray(data)
    encoded = name.encode()
    i = out.find(b"PK\x03\x04")
    while i != -1:
        n, m = struct.unpack_from("<HH", out, i + 26)
        if bytes(out[i + 30: i + 30 + n]) == encoded:
            struct.pack_into("<I", out, i + 22, declared)
        i = out.find(b"PK\x03\x04", i + 4)
    i = out.find(b"PK\x01\x02")
    while i != -1:
        n = struct.unpack_from("<H", out, i + 28)[0]
        if bytes(out[i + 46: i + 46 + n]) == encoded:
            struct.pack_into("<I", out, i + 24, declared)
        i = out.find(b"PK\x01\x02", i + 4)
    return bytes(out)


def archive_cases() -> None:
    evil = zip_bytes([(f"{TOP}/datapackage.json", b"{}"), (f"{TOP}/../../escaped.txt", b"pwned")])
    archive_case("zip-dotdot-diff", "diff of a release archive with a '../' entry", {f"{TOP}.zip": evil},
                 ["diff", f"{TOP}.zip", "pkg"], 1, [f"{TOP}.zip", "contains '..'"], with_pkg=True)
    archive_case("zip-dotdot-validate-against", "validate --against a release archive with a '../' entry", {f"{TOP}.zip": evil},
                 ["validate", "pkg", "--against", f"{TOP}.zip"], 1, [f"{TOP}.zip", "contains '..'"], with_pkg=True)
    archive_case("zip-dotdot-download", "download of an archive with a '../' entry (its checksum given and right)", {f"{TOP}.zip": evil},
                 ["download", "--url", f"{TOP}.zip", "--sha256", sha(evil)], 1, [f"{TOP}.zip", "contains '..'", "nothing was installed"])

    absolute = zip_bytes([(f"{TOP}/datapackage.json", b"{}"), ("/tmp/escaped.txt", b"pwned")])
    archive_case("zip-absolute-download", "download of an archive with an absolute entry", {f"{TOP}.zip": absolute},
                 ["download", "--url", f"{TOP}.zip", "--sha256", sha(absolute)], 1, ["absolute path"])

    link = zipfile.ZipInfo(f"{TOP}/data/actors.csv", date_time=(2026, 11, 25, 0, 0, 0))
    link.external_attr = (0o120777 << 16)
    linked = zip_bytes([(f"{TOP}/datapackage.json", b"{}"), (link, b"/etc/passwd")])
    archive_case("zip-symlink-download", "download of an archive holding a symbolic link", {f"{TOP}.zip": linked},
                 ["download", "--url", f"{TOP}.zip", "--sha256", sha(linked)], 1, ["symbolic link"])

    # 4 MiB of zeros deflate to about 4 KiB: 1000:1, beyond the 100:1 limit, and over the 1 MiB
    # below which ratios are not checked. Moderate, so that a failure of the check costs little.
    bomb = zip_bytes([(f"{TOP}/datapackage.json", b"{}"), (f"{TOP}/data/bomb.csv", b"\0" * (4 << 20))])
    archive_case("zip-bomb-ratio-download", "download of a zip bomb (4 MiB of zeros, 1000:1)", {f"{TOP}.zip": bomb},
                 ["download", "--url", f"{TOP}.zip", "--sha256", sha(bomb)], 1, ["zip bomb"])
    archive_case("zip-bomb-ratio-diff", "diff of a zip bomb", {f"{TOP}.zip": bomb},
                 ["diff", f"{TOP}.zip", "pkg"], 1, ["zip bomb"], with_pkg=True)

    # The same bomb declaring 1000 bytes: the check of declared sizes passes; extraction reads no
    # more than the declared size, whose CRC then fails.
    liar = lie_about_size(zip_bytes([(f"{TOP}/datapackage.json", b"{}"), (f"{TOP}/data/bomb.csv", b"\0" * (4 << 20))]),
                          f"{TOP}/data/bomb.csv", 1000)
    archive_case("zip-bomb-lying-size-download", "download of a zip bomb whose headers declare 1000 bytes", {f"{TOP}.zip": liar},
                 ["download", "--url", f"{TOP}.zip", "--sha256", sha(liar)], 1, ["bomb.csv", "Bad CRC-32", "nothing was installed"])

    good = release_zip()
    archive_case("release-hash-mismatch-option", "download with --sha256 that is not the archive's", {f"{TOP}.zip": good},
                 ["download", "--url", f"{TOP}.zip", "--sha256", "0" * 64], 1, [f"{TOP}.zip", "sha256 mismatch", "nothing was installed"])
    archive_case("release-hash-mismatch-published", "download where the published .sha256 beside the archive does not match",
                 {f"{TOP}.zip": good, f"{TOP}.zip.sha256": f"{'1' * 64}  {TOP}.zip\n".encode()},
                 ["download", "--url", f"{TOP}.zip"], 1, [f"{TOP}.zip", "sha256 mismatch"])
    tampered = release_zip(lambda built: replace_once(built / "data/stances.csv", "on Thursday.", "on Friday."))
    archive_case("release-sums-mismatch", "a release whose stances.csv does not match its SHA256SUMS (archive checksum right)",
                 {f"{TOP}.zip": tampered}, ["download", "--url", f"{TOP}.zip", "--sha256", sha(tampered)], 1,
                 ["data/stances.csv", "SHA256SUMS", "nothing was installed"])
    truncated = good[: len(good) // 2]
    archive_case("release-truncated-download", "download of an archive cut in half (its checksum given and right)",
                 {f"{TOP}.zip": truncated}, ["download", "--url", f"{TOP}.zip", "--sha256", sha(truncated)], 2,
                 [f"{TOP}.zip", "not a readable zip archive"])
    archive_case("zip-not-a-zip-diff", "diff of a file named .zip that holds text", {"old.zip": b"not a zip\n"},
                 ["diff", "old.zip", "pkg"], 2, ["old.zip", "not a readable zip archive"], with_pkg=True)


# --- generated at test time ----------------------------------------------------------------------


def generated_cases() -> None:
    pkg_case("big-cell-10mb", "a 10 MB description in actors.csv (generated at test time): valid, read in bounded time",
             lambda pkg: None, exit=0, findings=[], generate="big-cell")
    pkg_case("big-cell-10mb-multiline", "a 10 MB description with a line break in it (the careful CSV reader): valid",
             lambda pkg: None, exit=0, findings=[], generate="big-cell-multiline")


def _all_cases() -> None:
    CASES.clear()
    WITH_PKG.clear()
    csv_cases()
    key_cases()
    value_cases()
    parquet_cases()
    descriptor_cases()
    writer_cases()
    archive_cases()
    generated_cases()


def case_ids() -> tuple[list[str], list[str]]:
    """Every case id, and those with a package in pkg/, without writing anything."""
    global _OUT
    _OUT = None
    _all_cases()
    return list(CASES), list(WITH_PKG)


def generate(out: Path) -> list[str]:
    """Write every case folder into `out` (created if needed); return the case ids."""
    global _OUT
    _OUT = Path(out)
    _OUT.mkdir(parents=True, exist_ok=True)
    try:
        _all_cases()
    finally:
        _OUT = None
    return list(CASES)


def main() -> None:
    if len(sys.argv) != 2:
        sys.exit("usage: python tests/bad_inputs/make_cases.py OUT  (the folder the cases are written into)")
    cases = generate(Path(sys.argv[1]))
    print(f"{len(cases)} cases written to {sys.argv[1]}")


if __name__ == "__main__":
    main()
