"""The report's SVG charts: bars per month and lines of claims over time, on date axes.

Plain SVG strings, no library: the report must stay one self-contained, reproducible file.
Internal to `report` (its names keep their leading underscore).
"""

from __future__ import annotations

import html
import math
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Iterable, Sequence

__all__ = ["PALETTE"]

# Okabe & Ito's colour-blind-safe palette.
PALETTE = ("#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9", "#000000", "#F0E442")
# Above this many claims a series is drawn as a line alone; fewer also get a dot per claim.
DOTS_UP_TO = 60
WIDTH, HEIGHT = 960, 340
# A chart of one month's figure shows this many days either side of that month.
SINGLE_MONTH_MARGIN_DAYS = 75
MARGIN = {"left": 78, "right": 24, "top": 20, "bottom": 44}

esc = html.escape


# --- numbers, dates and axes ------------------------------------------------------------------


def _fmt_int(n: float) -> str:
    return f"{int(round(n)):,}"


def _compact(n: float) -> str:
    """Axis labels: 1,500,000 → 1.5M, 250,000 → 250k."""
    for size, suffix in ((1_000_000, "M"), (1_000, "k")):
        if abs(n) >= size:
            text = f"{n / size:.2f}".rstrip("0").rstrip(".")
            return text + suffix
    return f"{n:g}"


def _nice_ticks(hi: float, n: int = 5) -> list[float]:
    """0 … a round number ≥ hi, in n or so steps of 1, 2, 2.5 or 5 × a power of ten."""
    if hi <= 0:
        return [0.0, 1.0]
    raw = hi / n
    mag = 10 ** math.floor(math.log10(raw))
    step = next(m * mag for m in (1, 2, 2.5, 5, 10) if m * mag >= raw)
    count = math.ceil(hi / step - 1e-9)
    return [i * step for i in range(count + 1)]


def _month_start(d: date) -> date:
    return date(d.year, d.month, 1)


def _next_month(d: date) -> date:
    return date(d.year + (d.month == 12), d.month % 12 + 1, 1)


def _date_ticks(lo: date, hi: date) -> list[tuple[date, str]]:
    """Years when the range spans several, otherwise months (every second or third if crowded)."""
    years = [date(y, 1, 1) for y in range(lo.year, hi.year + 1) if lo <= date(y, 1, 1) <= hi]
    if len(years) >= 2:
        step = max(1, math.ceil(len(years) / 12))
        return [(d, str(d.year)) for d in years[::step]]
    months = []
    m = _month_start(lo) if _month_start(lo) >= lo else _next_month(lo)
    while m <= hi:
        months.append(m)
        m = _next_month(m)
    step = max(1, math.ceil(len(months) / 12))
    return [(d, f"{d.year}-{d.month:02d}") for d in months[::step]]


class _Frame:
    """A chart's plotting area: dates across, values up."""

    def __init__(self, lo: date, hi: date, ymax: float) -> None:
        if hi <= lo:
            lo, hi = lo - timedelta(days=15), hi + timedelta(days=15)
        self.lo, self.hi = lo, hi
        self.yticks = _nice_ticks(ymax)
        self.ytop = self.yticks[-1]
        self.x0, self.x1 = MARGIN["left"], WIDTH - MARGIN["right"]
        self.y0, self.y1 = HEIGHT - MARGIN["bottom"], MARGIN["top"]

    def x(self, d: date) -> float:
        return self.x0 + (d - self.lo).days / (self.hi - self.lo).days * (self.x1 - self.x0)

    def y(self, v: float) -> float:
        return self.y0 - v / self.ytop * (self.y0 - self.y1)

    def axes(self, ylabel: str) -> list[str]:
        out = ['<g class="axis">']
        for t in self.yticks:
            y = self.y(t)
            out.append(f'<line x1="{self.x0}" x2="{self.x1}" y1="{y:.1f}" y2="{y:.1f}" class="grid"/>')
            out.append(f'<text x="{self.x0 - 6}" y="{y + 4:.1f}" text-anchor="end">{esc(_compact(t))}</text>')
        for d, label in _date_ticks(self.lo, self.hi):
            x = self.x(d)
            out.append(f'<line x1="{x:.1f}" x2="{x:.1f}" y1="{self.y0}" y2="{self.y0 + 5}"/>')
            out.append(f'<text x="{x:.1f}" y="{self.y0 + 18}" text-anchor="middle">{esc(label)}</text>')
        out.append(f'<line x1="{self.x0}" x2="{self.x1}" y1="{self.y0}" y2="{self.y0}"/>')
        out.append(f'<line x1="{self.x0}" x2="{self.x0}" y1="{self.y0}" y2="{self.y1}"/>')
        cy = (self.y0 + self.y1) / 2
        out.append(f'<text x="16" y="{cy:.1f}" transform="rotate(-90 16 {cy:.1f})" text-anchor="middle">{esc(ylabel)}</text>')
        out.append("</g>")
        return out


def _svg(label: str, body: Iterable[str]) -> str:
    return (f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {HEIGHT}" role="img" aria-label="{esc(label)}">'
            f"<title>{esc(label)}</title>" + "".join(body) + "</svg>")


def _bar_chart(label: str, ylabel: str, bars: Sequence[tuple[date, float, str]], color: str) -> str:
    """Bars per calendar month: (first day of the month, value, tooltip)."""
    if not bars:
        return '<p class="empty">Nothing to draw.</p>'
    if len(bars) == 1:
        return _point_chart(label, ylabel, bars[0], color)
    frame = _Frame(bars[0][0], _next_month(bars[-1][0]), max(v for _, v, _ in bars))
    body = frame.axes(ylabel)
    body.append(f'<g class="bars" fill="{color}">')
    for month, value, tip in bars:
        x0, x1 = frame.x(month), frame.x(_next_month(month))
        y = frame.y(value)
        width = max(x1 - x0 - 0.6, 0.8)
        body.append(f'<rect x="{x0:.1f}" y="{y:.1f}" width="{width:.1f}" height="{frame.y0 - y:.1f}"><title>{esc(tip)}</title></rect>')
    body.append("</g>")
    return _svg(label, body)


def _point_chart(label: str, ylabel: str, bar: tuple[date, float, str], color: str) -> str:
    """One month's figure as a point in the middle of its month, with months either side: a lone
    bar would fill the chart's width and read as a long period."""
    month, value, tip = bar
    frame = _Frame(month - timedelta(days=SINGLE_MONTH_MARGIN_DAYS), _next_month(month) + timedelta(days=SINGLE_MONTH_MARGIN_DAYS), value)
    body = frame.axes(ylabel)
    x, y = frame.x(month + (_next_month(month) - month) / 2), frame.y(value)
    body.append(f'<g class="point" fill="{color}" stroke="{color}">'
                f'<line x1="{x:.1f}" x2="{x:.1f}" y1="{frame.y0}" y2="{y:.1f}" stroke-width="1" stroke-dasharray="3 3"/>'
                f'<circle cx="{x:.1f}" cy="{y:.1f}" r="6"><title>{esc(tip)}</title></circle></g>')
    return _svg(label, body)


@dataclass(slots=True)
class _Series:
    label: str
    points: list[tuple[date, float, str, bool]]  # date, value, tooltip, only a lower bound


def _line_chart(label: str, ylabel: str, series: Sequence[_Series]) -> str:
    points = [p for s in series for p in s.points]
    if not points:
        return '<p class="empty">Nothing to draw.</p>'
    frame = _Frame(min(p[0] for p in points), max(p[0] for p in points), max(p[1] for p in points))
    body = frame.axes(ylabel)
    for i, s in enumerate(series):
        color = PALETTE[i % len(PALETTE)]
        body.append(f'<g class="series" data-series="{esc(s.label)}" stroke="{color}" fill="{color}">')
        if len(s.points) > 1:
            d = " ".join(f"{'M' if j == 0 else 'L'}{frame.x(p[0]):.1f},{frame.y(p[1]):.1f}" for j, p in enumerate(s.points))
            body.append(f'<path d="{d}" fill="none" stroke-width="2"><title>{esc(s.label)}</title></path>')
        dotted = s.points if len(s.points) <= DOTS_UP_TO else s.points[-1:]
        for when, value, tip, lower_bound in dotted:
            x, y = frame.x(when), frame.y(value)
            body.append(f'<circle cx="{x:.1f}" cy="{y:.1f}" r="{6 if len(s.points) == 1 else 3.5}"><title>{esc(tip)}</title></circle>')
            if lower_bound:  # "more than": an arrow pointing up from the bound
                body.append(f'<path d="M{x:.1f},{y - 8:.1f} v-14 m-4,5 l4,-5 l4,5" fill="none" stroke-width="1.5"/>')
        body.append("</g>")
    return _svg(label, body)


def _legend(series: Sequence[_Series], notes: Sequence[str]) -> str:
    items = []
    for i, (s, note) in enumerate(zip(series, notes)):
        color = PALETTE[i % len(PALETTE)]
        items.append(f'<li><span class="swatch" style="background:{color}"></span>{esc(s.label)} '
                     f'<span class="muted">{esc(note)}</span></li>')
    return '<ul class="legend">' + "".join(items) + "</ul>"
