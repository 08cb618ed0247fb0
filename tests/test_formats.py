"""Dialects (referenced, nested, flat), compressed CSV, JSON Lines and formats handed to frictionless
(issue 16): each read the way frictionless reads it, with exact findings.

Upstream fixtures are frictionless-py's own `data/` files (commit 44661adf), byte-identical, under
tests/fixtures/frictionless-py/data/.
"""

from __future__ import annotations

import gzip
import json
import zipfile
from pathlib import Path

import pytest

from conflictdata.versions.history import validate

UPSTREAM = Path(__file__).resolve().parent / "fixtures/frictionless-py/data"
SCHEMA = {"fields": [{"name": "id", "type": "integer"}, {"name": "name", "type": "string", "constraints": {"required": True}},
                     {"name": "score", "type": "number", "constraints": {"maximum": 10}}], "primaryKey": ["id"]}


def package(folder: Path, **resource) -> Path:
    (folder / "datapackage.json").write_text(json.dumps({"name": "p", "resources": [{"name": "t", "schema": SCHEMA, **resource}]}), encoding="utf-8")
    return folder / "datapackage.json"


def found(path: Path) -> list[tuple]:
    return sorted((f.table, f.line, f.row, f.column, f.rule, f.value) for f in validate(path).findings)


def test_a_dialect_given_as_a_path_is_read_and_followed(tmp_path: Path) -> None:
    # Read with commas, every record is one cell: a "valid" table of nothing, or a cascade.
    (tmp_path / "t.csv").write_text("id;name;score\n1;Ann;2.5\n2;Bob;1,5\nx;Cy;4\n", encoding="utf-8")
    (tmp_path / "dialect.json").write_text(json.dumps({"delimiter": ";"}), encoding="utf-8")
    path = package(tmp_path, path="t.csv", dialect="dialect.json")
    assert found(path) == [("t", 3, 3, "score", "type", "1,5"), ("t", 4, 4, "id", "type", "x")]
    assert validate(path).notes == []


def test_a_referenced_dialect_that_leaves_the_package_is_refused(tmp_path: Path) -> None:
    from conflictdata.contract.errors import UnusableInputError

    (tmp_path / "t.csv").write_text("id,name,score\n", encoding="utf-8")
    with pytest.raises(UnusableInputError, match=r"dialect '\.\./dialect\.json' contains '\.\.'"):
        validate(package(tmp_path, path="t.csv", dialect="../dialect.json"))


def test_upstream_package_with_a_referenced_dialect_reads_its_comma_file_with_semicolons() -> None:
    # frictionless-py's package-with-dereferencing.json: dialect.json says ';', table.csv has commas.
    # frictionless reports the cascade; conflictdata says once that the file is comma-separated.
    report = validate(UPSTREAM / "package-with-dereferencing.json")
    assert [(f.table, f.line, f.rule) for f in report.findings] == [("name", 1, "wrong-delimiter")]
    assert "looks comma-separated" in report.findings[0].message


def test_a_nested_v1_dialect_is_followed(tmp_path: Path) -> None:
    (tmp_path / "t.csv").write_text("id|name|score\n1|Ann|2.5\n2|Bob|x\n", encoding="utf-8")
    path = package(tmp_path, path="t.csv", dialect={"csv": {"delimiter": "|"}, "json": {"keyed": True}})
    assert found(path) == [("t", 3, 3, "score", "type", "x")]


def test_quote_escape_comment_and_header_rows_of_the_dialect(tmp_path: Path) -> None:
    (tmp_path / "t.csv").write_text("# exported 2024\nid,name,score\nid,name,score\n"
                                    "1,'Ann, Jr',2.5\n# a comment\n2,Bob\\,Sr,12\n", encoding="utf-8")
    path = package(tmp_path, path="t.csv", dialect={"quoteChar": "'", "escapeChar": "\\", "commentChar": "#", "headerRows": [2, 3]})
    # The second header row repeats the first: the labels are not joined ("id", not "id id").
    assert found(path) == [("t", 6, 6, "score", "maximum", "12")]


def test_a_dialect_without_header_takes_the_schema_fields_in_order(tmp_path: Path) -> None:
    (tmp_path / "t.csv").write_text("1,Ann,2.5\n2,,3\n", encoding="utf-8")
    path = package(tmp_path, path="t.csv", dialect={"header": False})
    assert found(path) == [("t", 2, 2, "name", "required", "")]


def test_a_title_line_above_the_header_is_skipped_as_frictionless_does(tmp_path: Path) -> None:
    # frictionless' header guess: the first record whose width is near the average of the first 100.
    rows = ["Scores of 2024", "", "id,name,score"] + [f"{i},n{i},{i}" for i in range(1, 9)] + ["9,x,12", "10,y,z"]
    (tmp_path / "t.csv").write_text("\n".join(rows) + "\n", encoding="utf-8")
    path = package(tmp_path, path="t.csv")
    assert found(path) == [("t", 12, 12, "score", "maximum", "12"), ("t", 13, 13, "score", "type", "z")]


def test_a_gzip_csv_is_read_natively_with_its_lines(tmp_path: Path) -> None:
    (tmp_path / "t.csv.gz").write_bytes(gzip.compress(b"id,name,score\n1,Ann,2.5\n2,,3\n3,Cy,11\n"))
    path = package(tmp_path, path="t.csv.gz")
    report = validate(path)
    assert found(path) == [("t", 3, 3, "name", "required", ""), ("t", 4, 4, "score", "maximum", "11")]
    assert report.notes == []  # not handed to frictionless


def test_declared_zip_compression_of_a_csv_is_read_natively(tmp_path: Path) -> None:
    with zipfile.ZipFile(tmp_path / "t.csv", "w") as archive:
        archive.writestr("inner.csv", "id,name,score\n1,Ann,2.5\n1,Bo,3\n")
    path = package(tmp_path, path="t.csv", compression="zip")
    assert found(path) == [("t", 3, 3, "id", "primary-key", "1")]


def test_a_damaged_gzip_file_is_one_file_finding(tmp_path: Path) -> None:
    (tmp_path / "t.csv.gz").write_bytes(gzip.compress(b"id,name,score\n1,Ann,2.5\n")[:20])
    assert [(f.table, f.rule) for f in validate(package(tmp_path, path="t.csv.gz")).findings] == [("t", "file")]


def test_upstream_compressed_resources_are_valid() -> None:
    report = validate(UPSTREAM / "compression/datapackage.json")
    assert report.findings == [] and report.notes == []
    assert report.rows == {"explicit-gz": 2, "explicit-zip": 2, "implicit-gz": 2, "implicit-zip": 2}


def test_json_lines_are_read_natively(tmp_path: Path) -> None:
    (tmp_path / "t.jsonl").write_text('{"id": 1, "name": "Ann", "score": 2.5}\n{"id": 2, "name": null, "score": 3}\n'
                                      '{"id": 2, "name": "Cy", "score": 11}\n', encoding="utf-8")
    path = package(tmp_path, path="t.jsonl")
    # Keyed lines: line 1 is frictionless' row 2 (its header is the schema's field names).
    assert found(path) == [("t", 2, 3, "name", "required", ""), ("t", 3, 4, "id", "primary-key", "2"),
                           ("t", 3, 4, "score", "maximum", "11")]
    assert validate(path).notes == []


@pytest.mark.parametrize("descriptor", ["jsonl.datapackage.json", "ndjson.datapackage.json"])
def test_upstream_json_lines_packages_are_valid(descriptor: str) -> None:
    report = validate(UPSTREAM / descriptor)
    assert report.findings == [] and report.notes == [] and list(report.rows.values()) == [2]


def test_an_xlsx_resource_is_handed_to_frictionless_and_the_report_says_so(tmp_path: Path) -> None:
    openpyxl = pytest.importorskip("openpyxl")
    book = openpyxl.Workbook()
    for row in [["id", "name", "score"], [1, "Ann", 2.5], [2, None, 3], [3, "Cy", 11]]:
        book.active.append(row)
    book.save(tmp_path / "t.xlsx")
    path = package(tmp_path, path="t.xlsx")
    report = validate(path)
    assert report.notes == ["t: read and validated by frictionless, not by the fast path (format xlsx)"]
    # The same shape as the fast path's findings: table, line (a sheet's row), row, column, rule.
    assert found(path) == [("t", 3, 3, "name", "required", ""), ("t", 4, 4, "score", "maximum", "11")]
    assert all(f.message.endswith("(checked by frictionless)") for f in report.findings)


def test_a_csv_referring_to_a_handed_over_table_looks_its_keys_up_there(tmp_path: Path) -> None:
    openpyxl = pytest.importorskip("openpyxl")
    book = openpyxl.Workbook()
    for row in [["id", "name", "score"], [1, "Ann", 2.5], [2, "Bo", 3]]:
        book.active.append(row)
    book.save(tmp_path / "people.xlsx")
    (tmp_path / "visits.csv").write_text("person\n1\n3\n", encoding="utf-8")
    visits = {"fields": [{"name": "person", "type": "integer"}],
              "foreignKeys": [{"fields": ["person"], "reference": {"resource": "people", "fields": ["id"]}}]}
    (tmp_path / "datapackage.json").write_text(json.dumps({"name": "p", "resources": [
        {"name": "people", "path": "people.xlsx", "schema": SCHEMA}, {"name": "visits", "path": "visits.csv", "schema": visits}]}))
    assert found(tmp_path / "datapackage.json") == [("visits", 3, 3, "person", "foreign-key", "3")]


def test_an_upstream_ods_resource_is_handed_to_frictionless() -> None:
    pytest.importorskip("ezodf")
    report = validate(UPSTREAM / "ods.datapackage.json")
    assert report.findings == []
    assert report.notes == ["table3: read and validated by frictionless, not by the fast path (format ods)"]


def test_a_dialect_key_the_reader_does_not_follow_hands_the_resource_to_frictionless(tmp_path: Path) -> None:
    (tmp_path / "t.csv").write_text("ID,NAME,SCORE\n1,Ann,2.5\n2,Bo,12\n", encoding="utf-8")
    path = package(tmp_path, path="t.csv", dialect={"headerCase": False})
    report = validate(path)
    # Case-insensitive header matching is frictionless's: ID matches id, and the row is judged.
    assert found(path) == [("t", None, 3, "score", "maximum", "12")]
    assert report.notes == ["t: read and validated by frictionless, not by the fast path (dialect headerCase)"]


def test_json_lines_of_arrays_take_the_first_as_header(tmp_path: Path) -> None:
    (tmp_path / "t.ndjson").write_text('["id", "name", "score"]\n[1, "Ann", 2.5]\n[2, "Bo", "x"]\n', encoding="utf-8")
    assert found(package(tmp_path, path="t.ndjson")) == [("t", 3, 3, "score", "type", "x")]
