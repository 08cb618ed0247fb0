"""`conflictdata fmt`: the canonical CSV form, idempotence, and refusing to lose data."""

from __future__ import annotations

from pathlib import Path

import pytest

from conflictdata.curation.fmt import format_package
from conflictdata.versions.history import validate
from pkgcopy import REPO, copy_package, replace_once


@pytest.fixture
def pkg(tmp_path: Path) -> Path:
    return copy_package(tmp_path / "pkg")


def test_repository_data_is_canonical() -> None:
    result = format_package(REPO, check=True)
    assert result.changed == [] and result.skipped == {}


def test_fmt_normalises_bom_crlf_nfc_whitespace_order_and_quoting(pkg: Path) -> None:
    path = pkg / "data/actors.csv"
    original = path.read_bytes()
    lines = original.decode().split("\n")
    header, body = lines[0], [l for l in lines[1:] if l]
    # Reverse the rows, add a trailing space, decompose an accent, quote a plain cell, CRLF, BOM.
    body = body[::-1]
    body[0] = body[0].replace("ACT-UNSC,UN Security Council,", 'ACT-UNSC,"UN Security Council  ",')
    messy = "\r\n".join([header, *body]) + "\r\n"
    path.write_bytes(b"\xef\xbb\xbf" + messy.encode())
    rules = {(f.table, f.rule) for f in validate(pkg).findings}
    assert rules == {("actors", "non-canonical")}
    result = format_package(pkg)
    assert [Path(p).name for p in result.changed] == ["actors.csv"]
    assert path.read_bytes() == original
    assert validate(pkg).findings == []


def test_fmt_nfc_normalises_text(pkg: Path) -> None:
    path = pkg / "data/actors.csv"
    original = path.read_bytes()
    replace_once(path, "Mark Rutte,person", "Mark Rutte\u0301,person")
    format_package(pkg)
    assert "Mark Rutt\u00e9,person".encode() in path.read_bytes()
    assert path.read_bytes() != original


def test_fmt_twice_changes_nothing(pkg: Path) -> None:
    path = pkg / "data/stances.csv"
    path.write_bytes(path.read_bytes().replace(b"\n", b"\r\n"))
    first = format_package(pkg)
    snapshot = {p: p.read_bytes() for p in (pkg / "data").glob("*.csv")}
    second = format_package(pkg)
    assert first.changed and second.changed == []
    assert {p: p.read_bytes() for p in (pkg / "data").glob("*.csv")} == snapshot


def test_fmt_leaves_a_file_it_cannot_read_safely_untouched(pkg: Path) -> None:
    path = pkg / "data/events.csv"
    replace_once(path, ",Kursk,", ',"Kursk,')
    before = path.read_bytes()
    result = format_package(pkg)
    assert list(result.skipped) == [str(path)] or [Path(p).name for p in result.skipped] == ["events.csv"]
    assert "csv-syntax" in next(iter(result.skipped.values()))
    assert path.read_bytes() == before


def test_fmt_check_writes_nothing(pkg: Path) -> None:
    path = pkg / "data/stances.csv"
    path.write_bytes(path.read_bytes() + b"\n")
    before = path.read_bytes()
    result = format_package(pkg, check=True)
    assert [Path(p).name for p in result.changed] == ["stances.csv"]
    assert path.read_bytes() == before


def test_a_large_file_out_of_order_is_still_caught(tmp_path: Path) -> None:
    # Large files are proven canonical without re-rendering them; the proof must not miss a swap.
    pkg = copy_package(tmp_path / "full", full=True)
    path = pkg / "data/event_actors.csv"
    lines = path.read_bytes().split(b"\n")
    lines[100], lines[101] = lines[101], lines[100]
    path.write_bytes(b"\n".join(lines))
    findings = [(f.rule, f.table, f.line) for f in validate(pkg).findings if f.rule == "non-canonical"]
    assert findings == [("non-canonical", "event_actors", 101)]


def test_a_large_file_with_a_needlessly_quoted_cell_is_caught(tmp_path: Path) -> None:
    pkg = copy_package(tmp_path / "full", full=True)
    path = pkg / "data/event_actors.csv"
    data = path.read_bytes()
    assert b"\nEVT-UCDP-147997,ACT-UKR,party,known\n" in data
    path.write_bytes(data.replace(b"\nEVT-UCDP-147997,ACT-UKR,party,known\n", b'\nEVT-UCDP-147997,"ACT-UKR",party,known\n'))
    findings = [(f.rule, f.table) for f in validate(pkg).findings if f.rule == "non-canonical"]
    assert findings == [("non-canonical", "event_actors")]
