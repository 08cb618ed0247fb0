"""Rules on sources, their archived snapshots and the quotes taken from them (in event_sources,
casualty_claims and stances)."""

from __future__ import annotations

import hashlib
import re
import unicodedata
from collections.abc import Iterator

from ...contract.errors import UnusableInputError
from ...contract.findings import Finding
from ...contract.package import Package, safe_join
from ...reading.tables import Table, isin
from .common import _blank, _rows
from .registry import rule, table_with


def _with_snapshot(tables: dict[str, Table]) -> list[str]:
    s = table_with(tables, "sources", "source_id", "snapshot")
    return [sid for sid, snap in zip(s.raw["source_id"], s.raw["snapshot"]) if snap] if s is not None else []


_QUOTED = ("event_sources", "casualty_claims", "stances")


@rule("quote-required", rows=_QUOTED, columns=("quote", "source_id"), uses={"sources": ("source_id", "snapshot")})
def _quote_required(t: Table, package: Package, tables: dict[str, Table]) -> Iterator[Finding]:
    # A quote can be checked only against an archived text, and only an archived text may be
    # quoted at length: so a row needs a quote exactly when its source has a snapshot.
    archived = _with_snapshot(tables)
    if not archived:
        return
    # Sources with a snapshot, by Arrow's hash set: 10^6 claims a chunk.
    for i in _rows(_blank(t.raw["quote"]) & isin(t.raw["source_id"], archived)):
        src = t.raw["source_id"].iat[i]
        yield t.finding(i, "quote", "quote-required",
                        f"{src} has an archived snapshot: copy the passage that states this from it, verbatim (rows citing sources without a snapshot leave quote empty)")


_QUOTES = str.maketrans({"\u201c": '"', "\u201d": '"', "\u201e": '"', "\u201f": '"', "\u00ab": '"', "\u00bb": '"',
                         "\u2018": "'", "\u2019": "'", "\u201a": "'", "\u201b": "'", "\u2032": "'", "\u2033": '"'})
_SPACE = re.compile(r"\s+")


def normalise_quote(text: str) -> str:
    """Whitespace runs and typographic quotes made uniform (nothing else) before quotes are compared."""
    return _SPACE.sub(" ", unicodedata.normalize("NFC", text).translate(_QUOTES)).strip()


def _snapshots(package: Package, tables: dict[str, Table], findings: list[Finding]) -> dict[str, str]:
    """Read every source's snapshot, checking its hash; returns source_id → normalised text."""
    s = table_with(tables, "sources", "source_id", "snapshot", "snapshot_sha256")
    if s is None:
        return {}
    texts: dict[str, str] = {}
    # A release ships a snapshot only where its license allows; the others are listed as withheld.
    withheld = set(package.descriptor.get("conflictdata:withheldSnapshots") or [])
    for i in range(len(s.raw)):
        sid, rel, sha = s.raw["source_id"].iat[i], s.raw["snapshot"].iat[i], s.raw["snapshot_sha256"].iat[i]
        if rel in withheld and not (package.root / rel).exists():
            continue
        if not rel:
            if sha:
                findings.append(s.finding(i, "snapshot", "snapshot-hash-required", "snapshot_sha256 is set but snapshot is empty; give the snapshot's path or clear the hash"))
            continue
        if s.unusable["snapshot"].iat[i]:
            continue
        try:
            path = safe_join(package.root, rel, what="snapshot", where=s.file)
            data = path.read_bytes()
        except (UnusableInputError, OSError) as exc:
            reason = str(exc) if isinstance(exc, UnusableInputError) else "no such file"
            findings.append(s.finding(i, "snapshot", "snapshot-missing", f"cannot read the snapshot ({reason}); archive the source text at that path"))
            continue
        actual = hashlib.sha256(data).hexdigest()
        if not sha:
            findings.append(s.finding(i, "snapshot_sha256", "snapshot-hash-required", f"a snapshot needs its sha256; set it to {actual} if the file is the archived text"))
        elif sha != actual and not s.unusable["snapshot_sha256"].iat[i]:
            findings.append(s.finding(i, "snapshot_sha256", "snapshot-hash",
                                      f"the snapshot's sha256 is {actual}, not the recorded value: the archived text changed. Restore it, or if the new text is right, record the new hash"))
        texts[sid] = normalise_quote(data.decode("utf-8", errors="replace"))
    return texts


@rule("snapshot", table="sources", columns=("source_id", "snapshot", "snapshot_sha256"))
def _snapshot(t: Table, package: Package, tables: dict[str, Table]) -> Iterator[Finding]:
    findings: list[Finding] = []
    _snapshots(package, tables, findings)
    yield from findings


# The last (package, sources table, texts): held, not keyed by id(), so no later object can match.
_TEXTS: list[tuple[Package, Table | None, dict[str, str]]] = []


def _snapshot_texts(package: Package, tables: dict[str, Table]) -> dict[str, str]:
    """The snapshots' texts, read once per validation (the quote rule runs on every chunk)."""
    s = tables.get("sources")
    if not (_TEXTS and _TEXTS[0][0] is package and _TEXTS[0][1] is s):
        _TEXTS[:] = [(package, s, _snapshots(package, tables, []))]
    return _TEXTS[0][2]


@rule("quote-in-snapshot", rows=_QUOTED, columns=("quote", "source_id"),
      uses={"sources": ("source_id", "snapshot", "snapshot_sha256")})
def _quotes(t: Table, package: Package, tables: dict[str, Table]) -> Iterator[Finding]:
    texts = _snapshot_texts(package, tables)
    if not texts:
        return
    candidates = (t.raw["quote"] != "") & t.raw["source_id"].isin(list(texts))
    for i in _rows(candidates.to_numpy()):
        quote, sid = t.raw["quote"].iat[i], t.raw["source_id"].iat[i]
        wanted = normalise_quote(quote)
        if wanted not in texts[sid]:
            from ..passages import closest_passage, describe_difference

            # Only for the quotes not found: the comparison is the costly part.
            near = closest_passage(texts[sid], wanted)
            where = f"; {describe_difference(near, wanted)}" if near is not None else ""
            yield t.finding(i, "quote", "quote-in-snapshot",
                            f"the quote is not in the snapshot of {sid}; copy it verbatim from the source (only whitespace and typographic quotes may differ){where}")
