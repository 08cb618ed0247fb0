"""Where a quote that is not in its snapshot comes closest, and where the two texts part.

Run only for quotes already found missing (the rare case), on texts normalised by
`rules.normalise_quote`, so a finding can show the passage to compare instead of just "not found".
"""

from __future__ import annotations

from dataclasses import dataclass
from difflib import SequenceMatcher

__all__ = ["Passage", "closest_passage", "describe_difference"]

# Characters of context shown around the first difference.
_CONTEXT = 30


@dataclass(frozen=True, slots=True)
class Passage:
    """The snapshot's passage closest to a quote, and the first place they differ."""

    text: str  # the passage of the snapshot aligned with the quote
    quote_at: int  # offset in the quote of the first difference
    passage_at: int  # offset in the passage of the first difference


def closest_passage(snapshot: str, quote: str) -> Passage | None:
    """The passage of `snapshot` that the quote matches best (None: they share nothing).

    A run of the quote's words found verbatim in the snapshot (the longest tried first, by
    `str.find`, so a long snapshot costs little) anchors the quote; the quote is then aligned with
    the snapshot around that anchor by difflib, and the first edit of that alignment is where
    they differ.
    """
    found = _anchor(snapshot, quote)
    if found is None:
        return None
    at, offset = found
    # The span the quote would occupy if the anchor is right, with room for a few words more or less.
    slack = max(20, len(quote) // 4)
    lo = max(0, at - offset - slack)
    hi = min(len(snapshot), at - offset + len(quote) + slack)
    window = snapshot[lo:hi]
    matcher = SequenceMatcher(None, quote, window, autojunk=False)
    blocks = [b for b in matcher.get_matching_blocks() if b.size]
    if not blocks:
        return None
    # The passage covers what the quote's unmatched ends stand for in the snapshot too.
    first, last = blocks[0], blocks[-1]
    start = max(0, first.b - first.a)
    end = min(len(window), last.b + last.size + (len(quote) - last.a - last.size))
    text = window[start:end]
    for tag, i1, _i2, j1, _j2 in SequenceMatcher(None, quote, text, autojunk=False).get_opcodes():
        if tag != "equal":
            return Passage(text, i1, j1)
    return Passage(text, len(quote), len(text))


def _anchor(snapshot: str, quote: str) -> tuple[int, int] | None:
    """(offset in the snapshot, offset in the quote) of a run of the quote's words found in the snapshot."""
    words = quote.split(" ")
    starts = [0]
    for w in words[:-1]:
        starts.append(starts[-1] + len(w) + 1)
    n = len(words)
    while n >= 1:
        for k in range(len(words) - n + 1):
            piece = " ".join(words[k : k + n])
            if len(piece) < 3 and n == 1:
                continue  # a one- or two-letter word anchors anywhere
            at = snapshot.find(piece)
            if at >= 0:
                return at, starts[k]
        n //= 2
    return None


def describe_difference(passage: Passage, quote: str) -> str:
    """`closest passage: "…"; they first differ at character N: the quote has "…", the snapshot "…"`."""
    def clip(s: str, at: int) -> str:
        a, b = max(0, at - _CONTEXT), at + _CONTEXT
        return ("…" if a > 0 else "") + s[a:b] + ("…" if b < len(s) else "")

    shown = passage.text if len(passage.text) <= 300 else passage.text[:300] + "…"
    return (f'closest passage: "{shown}"; they first differ at character {passage.quote_at + 1} of the quote: '
            f'the quote has "{clip(quote, passage.quote_at)}", the snapshot "{clip(passage.text, passage.passage_at)}"')
