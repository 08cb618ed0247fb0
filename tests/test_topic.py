"""The first topic's curated rows (docs/sources/kursk-topic.md): provenance rules every row keeps.

The dataset as a whole is validated by tests/test_rules.py; these tests hold the topic's own
promises: every source is a dated, graded public page without an archived copy, so no row that
cites one carries a quote, and every figure is attributed and explained.
"""

from __future__ import annotations

import csv
import re
from pathlib import Path

import pytest

DATA = Path(__file__).resolve().parent.parent / "data"
TOPIC_SOURCE = re.compile(r"^SRC-0*([3-9]|[1-9][0-9]+)$")


def rows(table: str) -> list[dict[str, str]]:
    with open(DATA / f"{table}.csv", encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


@pytest.fixture(scope="module")
def topic() -> dict[str, list[dict[str, str]]]:
    sources = [r for r in rows("sources") if TOPIC_SOURCE.match(r["source_id"])]
    ids = {r["source_id"] for r in sources}
    return {"sources": sources,
            **{t: [r for r in rows(t) if r["source_id"] in ids] for t in ("casualty_claims", "stances", "event_sources", "actors")}}


def test_topic_sources_are_dated_graded_pages_without_snapshot(topic) -> None:
    assert len(topic["sources"]) >= 15
    for s in topic["sources"]:
        assert s["url"].startswith(("http://", "https://")), s["source_id"]
        assert s["published_date"] and s["language"] and s["reliability"] in "BCD", s["source_id"]
        assert (s["snapshot"], s["snapshot_sha256"]) == ("", ""), s["source_id"]
        assert s["notes"], s["source_id"]


def test_rows_citing_the_topic_carry_no_quote(topic) -> None:
    for table in ("casualty_claims", "stances", "event_sources"):
        assert [r for r in topic[table] if r["quote"]] == [], table


def test_topic_claims_are_attributed_and_explained(topic) -> None:
    claims = topic["casualty_claims"]
    assert len(claims) >= 30
    assert len({c["claimant_actor_id"] for c in claims}) >= 6
    assert {"troops_deployed", "killed", "wounded", "killed_or_wounded", "captured"} <= {c["measure"] for c in claims}
    for c in claims:
        assert c["subject_actor_id"] and c["value_text"] and c["notes"], c["claim_id"]


def test_topic_stances_span_denial_to_acknowledgement(topic) -> None:
    stances = topic["stances"]
    assert len(stances) >= 8
    assert {"dismisses", "denies", "does_not_deny", "declines_to_comment", "acknowledges", "asserts"} <= {s["stance"] for s in stances}
    assert all(s["notes"] for s in stances)
