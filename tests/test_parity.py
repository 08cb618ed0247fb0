"""Same verdicts as the reference implementation on its own fixtures and a real R-package example.

The expected findings are pinned in fixtures/frictionless/EXPECTED-frictionless.json (computed with
frictionless 5.21); one test recomputes them with the installed frictionless, the other checks
conflictdata against them: valid/invalid and the exact (resource, row, field, error type) set.
"""

from __future__ import annotations

import json

import pytest

import parity
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


# The whole fixture suite of frictionless-py (issue 16): one row per descriptor, docs/parity.md.
# Every row where conflictdata refuses (exit 2) or differs is listed here with its reason; an
# entry that no longer does either fails test_the_fixture_suite_has_frictionless_verdicts.
ALLOWED: dict[str, str] = {
    "frictionless-py/data/issue-494.package.json": "safety: a URL resource (CKAN 'url'), never fetched while validating; frictionless needs the network for it",
    "frictionless-py/data/package-with-pipeline.json": "safety: a URL resource (sqlite:///), never fetched while validating",
    "frictionless-py/data/package-with-pipeline-multiple-tables-to-write.json": "safety: URL resources (sqlite:///, https://); frictionless needs the network for them",
}
SUITE_PINNED = json.loads(parity.SUITE_PINNED.read_text())


@pytest.fixture(scope="module")
def parity_table() -> list[dict]:
    return parity.parity_rows(SUITE_PINNED, ALLOWED)


def test_every_descriptor_of_the_suite_is_pinned() -> None:
    assert sorted(SUITE_PINNED) == sorted(parity.suite())
    assert len(SUITE_PINNED) == 77


def test_the_fixture_suite_has_frictionless_verdicts(parity_table: list[dict]) -> None:
    """The parity table, one row per descriptor (docs/parity.md shows it)."""
    print("\n" + parity.parity_doc(parity_table))
    judged = parity_table
    # Never valid where frictionless says invalid.
    assert [r["path"] for r in judged if r["conflictdata"] == "valid" and r["frictionless"] == "invalid"] == []
    # Every refusal and every difference has its reason, and every reason is still needed.
    needed = {r["path"] for r in parity_table if not r["agree"] or r["conflictdata"] == "refused"}
    assert sorted(needed - set(ALLOWED)) == [], "refused or differing without a reason in ALLOWED"
    assert sorted(set(ALLOWED) - needed) == [], "stale ALLOWED entries: these now agree; remove them"
    # A refusal counts as agreement only where frictionless refuses too (its verdict is invalid).
    assert all(r["frictionless"] == "invalid" for r in judged if r["conflictdata"] == "refused")
    assert sum(r["agree"] for r in judged) >= 0.97 * len(judged)


def test_the_parity_page_is_current(parity_table: list[dict]) -> None:
    assert parity.PARITY_DOC.read_text(encoding="utf-8") == parity.parity_doc(parity_table), \
        "docs/parity.md is stale: run python tests/parity.py --write"


def _plugins_missing() -> list[str]:
    from importlib.util import find_spec

    return [m for m in ("openpyxl", "xlrd", "ezodf", "ijson", "jsonlines") if find_spec(m) is None]


@pytest.mark.skipif(bool(_plugins_missing()), reason="frictionless[excel,json,ods] is not installed; pip install \"frictionless[excel,json,ods]\"")
def test_the_pinned_suite_verdicts_are_what_frictionless_reports() -> None:
    recomputed = {rel: parity.their_verdict(rel) for rel in parity.suite() if rel not in parity.NEEDS_NETWORK}
    assert recomputed == {rel: v for rel, v in SUITE_PINNED.items() if rel not in parity.NEEDS_NETWORK}
