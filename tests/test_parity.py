"""Same verdicts as the reference implementation on its own fixtures and a real R-package example.

The expected findings are pinned in fixtures/frictionless/EXPECTED-frictionless.json (computed with
frictionless 5.21); one test recomputes them with the installed frictionless, the other checks
conflictdata against them: valid/invalid and the exact (resource, row, field, error type) set.
"""

from __future__ import annotations

import json

import pytest

from parity import FIXTURES, PACKAGES, ours, theirs

PINNED = json.loads((FIXTURES / "EXPECTED-frictionless.json").read_text())


def test_every_fixture_package_is_pinned() -> None:
    assert sorted(PINNED["packages"]) == PACKAGES
    assert len(PACKAGES) == 17


@pytest.mark.parametrize("package", PACKAGES)
def test_conflictdata_reports_what_frictionless_reports(package: str) -> None:
    assert ours(FIXTURES / package) == PINNED["packages"][package]


@pytest.mark.parametrize("package", PACKAGES)
def test_the_pinned_findings_are_what_frictionless_reports(package: str) -> None:
    assert theirs(FIXTURES / package) == PINNED["packages"][package]


def test_a_resource_without_schema_is_inferred_and_said_so() -> None:
    from conflictdata.versions.history import validate

    report = validate(FIXTURES / "infer/datapackage.json")
    assert report.valid
    assert report.notes == ["data2: no schema in the descriptor: inferred with frictionless"]
