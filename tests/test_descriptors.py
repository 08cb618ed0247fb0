"""Descriptors as `frictionless validate` reads them (issue 16): YAML packages, one resource's
descriptor, a bare data file (with --schema, or its schema inferred), an empty or non-tabular
package, and the descriptor's metadata checked against the Data Package profile, each problem a
`descriptor` finding at its JSON path and line. Exit 2 stays for what cannot be read at all and
for the safety refusals."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from conflictdata.contract.errors import UnsafeInputError, UnusableInputError
from conflictdata.versions.history import validate
from pkgcopy import RUN

SCHEMA = {"fields": [{"name": "id", "type": "integer"}, {"name": "name", "type": "string"}]}
BAD_ID = ("type", "towns", "towns.csv", 3, "id", "x")


def run(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-c", RUN, *args], capture_output=True, text=True, cwd=cwd, timeout=120)


def found(report) -> list[tuple]:
    return [(f.rule, f.table, f.file, f.line, f.column, f.value) for f in report.findings]


@pytest.fixture
def here(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A folder with towns.csv, whose line 3 has an id that is no integer; the working folder."""
    (tmp_path / "towns.csv").write_text("id,name\n1,Kursk\nx,Sudzha\n", encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    return tmp_path


def test_a_yaml_package_is_validated(here: Path) -> None:
    (here / "towns.package.yaml").write_text(
        "name: towns\nresources:\n  - name: towns\n    path: towns.csv\n    schema:\n      fields:\n"
        "        - name: id\n          type: integer\n        - name: name\n          type: string\n", encoding="utf-8")
    assert found(validate("towns.package.yaml")) == [BAD_ID]


def test_a_folder_with_datapackage_yaml_is_a_package(here: Path) -> None:
    (here / "datapackage.yml").write_text(json.dumps({"resources": [{"name": "towns", "path": "towns.csv", "schema": SCHEMA}]}),
                                          encoding="utf-8")
    assert found(validate(here)) == [BAD_ID]


def test_a_resource_descriptor_is_validated_as_a_package_of_that_resource(here: Path) -> None:
    (here / "towns.resource.json").write_text(json.dumps({"name": "towns", "path": "towns.csv", "schema": SCHEMA}), encoding="utf-8")
    report = validate("towns.resource.json")
    assert (report.package, found(report)) == ("towns.resource.json", [BAD_ID])


def test_a_bare_csv_is_checked_against_the_schema_given(here: Path) -> None:
    (here / "schema.json").write_text(json.dumps(SCHEMA), encoding="utf-8")
    out = run("validate", "towns.csv", "--schema", "schema.json", "--format", "json", cwd=here)
    assert out.returncode == 1, out.stderr
    report = json.loads(out.stdout)
    assert [(f["rule"], f["table"], f["file"], f["line"], f["column"], f["value"]) for f in report["findings"]] == [BAD_ID]
    assert report["notes"] == []


def test_a_bare_csv_without_a_schema_is_checked_against_an_inferred_one_and_says_so(here: Path) -> None:
    (here / "towns.csv").write_text("id,name\n1,Kursk\n2\n", encoding="utf-8")
    report = validate("towns.csv")
    assert found(report) == [("missing-cell", "towns", "towns.csv", 3, "name", None)]
    assert report.notes == ["towns: a file of no package: its schema inferred with frictionless"]


def test_schema_with_a_package_instead_of_a_file_exits_2_saying_to_drop_it(here: Path) -> None:
    (here / "datapackage.json").write_text(json.dumps({"resources": []}), encoding="utf-8")
    with pytest.raises(UnusableInputError, match=r"--schema goes with a data file .*; drop --schema"):
        validate(here, schema=SCHEMA)


def test_an_empty_resources_list_is_a_valid_package(here: Path) -> None:
    (here / "datapackage.json").write_text('{"name": "empty", "resources": []}', encoding="utf-8")
    report = validate(here)
    assert (report.valid, report.findings, report.rows) == (True, [], {})


def test_a_non_tabular_resource_without_schema_is_checked_as_a_file_only(here: Path) -> None:
    (here / "notes.md").write_text("# Notes\n", encoding="utf-8")
    (here / "datapackage.json").write_text(json.dumps({"resources": [{"name": "notes", "path": "notes.md"}]}), encoding="utf-8")
    report = validate(here)
    assert (report.valid, report.rows) == (True, {})
    assert report.notes == ["notes: not a table (md, no schema): checked as a file only, as frictionless does"]


def test_descriptor_metadata_findings_name_their_json_path_and_line(here: Path) -> None:
    (here / "datapackage.json").write_text("""{
  "name": "towns",
  "created": "yesterday",
  "contributors": [
    {"title": "A", "email": "a@example.org"},
    {"title": "B", "email": "not-an-email"}
  ],
  "licenses": [{"title": "no name, no path"}],
  "resources": [{"name": "towns", "path": "towns.csv", "schema": {"fields": [{"name": "id", "type": "integer"}]}}]
}
""", encoding="utf-8")
    report = validate(here)
    rows = [(f.rule, f.table, f.file, f.line, f.column, f.value) for f in report.findings if f.rule == "descriptor"]
    assert rows == [
        ("descriptor", None, "datapackage.json", 3, "created", "yesterday"),
        ("descriptor", None, "datapackage.json", 6, "contributors[1].email", "not-an-email"),
        ("descriptor", None, "datapackage.json", 8, "licenses[0]", '{"title": "no name, no path"}'),
    ]
    messages = {f.column: f.message for f in report.findings if f.rule == "descriptor"}
    assert messages["created"] == 'not a valid datetime: write it as an ISO 8601 date and time, e.g. "2024-01-31T12:00:00Z"'
    assert messages["contributors[1].email"] == "not a valid email: write a valid email address, or leave 'email' out"
    assert messages["licenses[0]"].endswith("give the license a 'name' (e.g. \"CC-BY-4.0\") or a 'path' (its URL)")
    assert not report.valid


def test_a_field_property_in_the_wrong_place_is_found_in_its_resource(here: Path) -> None:
    fields = [{"name": "id", "type": "integer"}, {"name": "name", "type": "string", "required": True}]
    (here / "datapackage.json").write_text(json.dumps({"resources": [{"name": "towns", "path": "towns.csv", "schema": {"fields": fields}}]},
                                                      indent=1), encoding="utf-8")
    [meta] = [f for f in validate(here).findings if f.rule == "descriptor"]
    assert (meta.table, meta.line, meta.column, meta.value) == ("towns", 15, "resources[0].schema.fields[1].required", "true")
    assert meta.message == "\"required\" should be set as \"constraints.required\": move it to 'constraints.required'"


def test_two_resources_of_one_name_are_a_descriptor_finding_not_an_unreadable_package(here: Path) -> None:
    res = {"name": "towns", "path": "towns.csv", "schema": SCHEMA}
    (here / "datapackage.json").write_text(json.dumps({"resources": [res, res]}, indent=1), encoding="utf-8")
    out = run("validate", "--format", "json", cwd=here)
    assert out.returncode == 1, out.stderr
    findings = json.loads(out.stdout)["findings"]
    assert [(f["rule"], f["file"], f["line"], f["column"], f["value"]) for f in findings] == [
        ("descriptor", "datapackage.json", 20, "resources[1].name", "towns")]
    assert findings[0]["message"] == "names of the resources are not unique: rename one of the two resources"


def test_a_path_leaving_the_package_stays_a_safety_refusal_though_frictionless_flags_it_too(here: Path) -> None:
    (here / "pkg").mkdir()
    (here / "pkg/datapackage.json").write_text(json.dumps({"resources": [{"name": "towns", "path": "../towns.csv", "schema": SCHEMA}]}),
                                               encoding="utf-8")
    with pytest.raises(UnsafeInputError, match=r"'\.\./towns\.csv' contains '\.\.'; keep every file inside the package"):
        validate(here / "pkg")


def test_an_object_that_is_neither_package_nor_resource_exits_2_saying_what_to_add(here: Path) -> None:
    (here / "datapackage.json").write_text('{"name": "nothing"}', encoding="utf-8")
    out = run("validate", cwd=here)
    assert out.returncode == 2
    assert out.stderr.strip() == (
        "conflictdata: error: datapackage.json: neither a data package (no 'resources' list) nor a resource (no 'path' or 'data'); "
        "add 'resources' (one entry per table), or 'path' for a single resource")


def test_a_yaml_syntax_error_names_its_line(here: Path) -> None:
    (here / "datapackage.yaml").write_text("resources:\n  - name: towns\n    path: [towns.csv\n", encoding="utf-8")
    with pytest.raises(UnusableInputError, match=r"datapackage\.yaml:4:1: the package descriptor is not valid YAML .*; fix the syntax there"):
        validate("datapackage.yaml")
