"""The static HTML report of a data package (`conflictdata report`).

One self-contained `index.html`: inline CSS, inline SVG charts and a few lines of inline
JavaScript, no fonts, images or scripts from anywhere else (a Content-Security-Policy in the page
forbids fetching any), so it opens offline and can be mailed or archived as one file. It holds:

- the tables and their row counts, and the validation summary (findings counted by rule);
- a timeline of events (events per month of `date_start`);
- casualty claims over time by claimant and measure: each cumulative series as a line (a single
  claim as a point), never added up; and the `period` claims summed per month and claimant
  (UCDP's per-event estimates, say), which is legitimate because each covers its own event;
- competing claims: per subject and measure with running totals from two or more claimants
  (tanks: the General Staff and Oryx), their series on one chart and their latest claims side by
  side with the ratio (`analysis.compare_claims`);
- the sources with their reliability grades;
- the data dictionary, generated from `schema/`: every table, column, type, constraint,
  description and enum value.

All text from the data is escaped (`html.escape`). The same data gives the same bytes: nothing
depends on the clock, the machine or dict order that is not the package's own.
"""

from __future__ import annotations

import base64
import hashlib
import html
import math
import os
from collections import Counter
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path
from typing import Any, Iterable, Mapping, Sequence

import pandas as pd

from ..contract.atomic import write_bytes_atomic
from ..contract.errors import InvalidDataError, UnusableInputError
from ..contract.findings import Report
from ..contract.names import PEOPLE_MEASURES
from ..contract.package import Package, open_package
from ..contract.schema import field_specs

__all__ = ["ReportResult", "render_report", "write_report", "PALETTE"]

# Okabe & Ito's colour-blind-safe palette.
PALETTE = ("#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9", "#000000", "#F0E442")
ADMIRALTY = {
    "A": "completely reliable", "B": "usually reliable", "C": "fairly reliable",
    "D": "not usually reliable", "E": "unreliable", "F": "reliability cannot be judged",
}
# Above this many claims a series is drawn as a line alone; fewer also get a dot per claim.
DOTS_UP_TO = 60
WIDTH, HEIGHT = 960, 340
MARGIN = {"left": 78, "right": 24, "top": 20, "bottom": 44}

esc = html.escape


@dataclass(slots=True)
class ReportResult:
    """What `write_report` wrote."""

    path: Path
    bytes: int
    sha256: str

    def to_dict(self) -> dict[str, Any]:
        return {"path": str(self.path), "bytes": self.bytes, "sha256": self.sha256}


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


# --- sections ---------------------------------------------------------------------------------


def _table(headers: Sequence[str], rows: Iterable[Sequence[str]], cls: str = "") -> str:
    """An HTML table; header texts are escaped here, cells must already be HTML."""
    head = "".join(f"<th>{esc(h)}</th>" for h in headers)
    body = "".join("<tr>" + "".join(f"<td>{c}</td>" for c in row) + "</tr>" for row in rows)
    return f'<div class="scroll"><table class="{cls}"><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table></div>'


def _text(v: Any) -> str:
    return "" if v is None or (not isinstance(v, str) and pd.isna(v)) else str(v)


def _section_counts(package: Package, tables: Mapping[str, pd.DataFrame]) -> str:
    rows = [(f"<code>{esc(name)}</code>", f'<span class="num">{_fmt_int(len(tables[name]))}</span>',
             esc(res.descriptor.get("description", ""))) for name, res in package.resources.items()]
    return "<h2 id=\"tables\">Tables</h2>" + _table(["table", "rows", "what one row is"], rows, "counts")


def _section_validation(report: Report) -> str:
    counts: Counter[tuple[str, str]] = Counter((f.rule, "acknowledged" if f.acknowledged else f.severity) for f in report.findings)
    first: dict[str, Any] = {}
    for f in report.findings:
        first.setdefault(f.rule, f)
    rules = sorted({rule for rule, _ in counts})
    verdict = ("valid" if report.valid else "invalid") + f": {len(report.errors)} error(s), {len(report.warnings)} warning(s), {len(report.acknowledged)} acknowledged"
    rows = []
    for rule in rules:
        f = first[rule]
        where = f"{f.file}:{f.line}" if f.file and f.line else (f.file or "")
        rows.append((f"<code>{esc(rule)}</code>", f'<span class="num">{counts[(rule, "error")]}</span>',
                     f'<span class="num">{counts[(rule, "warning")]}</span>',
                     f'<span class="num">{counts[(rule, "acknowledged")]}</span>',
                     f'<span class="muted">{esc(where)}</span> {esc(f.message)}'))
    table = _table(["rule", "errors", "warnings", "acknowledged", "first finding"], rows, "findings") if rows else "<p>No findings.</p>"
    return (f'<h2 id="validation">Validation</h2><p class="verdict">{esc(verdict)} '
            f'<span class="muted">(<code>conflictdata validate</code> lists each finding with its file and line)</span></p>' + table)


def _section_timeline(tables: Mapping[str, pd.DataFrame]) -> str:
    events = tables.get("events")
    if events is None:
        return ""
    starts = [d for d in events["date_start"].tolist() if not pd.isna(d)]
    per_month = Counter(_month_start(d) for d in starts)
    bars = []
    if per_month:
        m, last = min(per_month), max(per_month)
        while m <= last:  # every month in the range, so an empty month shows as a gap on the axis
            if per_month[m]:
                bars.append((m, float(per_month[m]), f"{m.year}-{m.month:02d}: {per_month[m]:,} event(s)"))
            m = _next_month(m)
    span = f" from {min(starts)} to {max(starts)}" if starts else ""
    chart = _bar_chart("Events per month", "events per month", bars, PALETTE[0])
    return (f'<h2 id="timeline">Timeline of events</h2><p>{_fmt_int(len(events))} events{esc(span)}, counted per calendar '
            f'month of <code>date_start</code> (an event known only to the month or year counts in its first month).</p>'
            f'<figure class="chart" id="chart-timeline">{chart}</figure>')


def _value(row: Mapping[str, Any]) -> tuple[float | None, bool]:
    """The figure to plot: the best estimate, else the low bound (flagged), else the high bound."""
    for col, lower in (("value_best", False), ("value_low", True), ("value_high", False)):
        v = row.get(col)
        if v is not None and not pd.isna(v):
            return float(v), lower and (row.get("value_high") is None or pd.isna(row.get("value_high")))
    return None, False


def _section_claims(tables: Mapping[str, pd.DataFrame]) -> str:
    from .analysis import claims_named, monthly_totals

    if not {"casualty_claims", "actors", "sources"} <= set(tables):
        return ""
    named = claims_named(tables)
    out = ['<h2 id="claims">Casualty claims over time</h2>']

    cumulative = named[named["count_basis"].astype("string") == "cumulative"]
    # Equipment series have their own section (below): dozens of them would bury the casualty lines.
    cumulative = cumulative[cumulative["measure"].astype("string").isin(sorted(PEOPLE_MEASURES))]
    groups: dict[tuple[str, ...], list[dict[str, Any]]] = {}
    for row in cumulative.to_dict("records"):
        key = tuple(_text(row[c]) for c in ("claimant_name", "on_behalf_of_name", "measure", "subject_name"))
        groups.setdefault(key, []).append(row)
    series, notes = [], []
    for (claimant, behalf, measure, subject), rows in sorted(groups.items(), key=lambda kv: (-len(kv[1]), kv[0])):
        rows.sort(key=lambda r: (r["period_end"], r["statement_date"], r["claim_id"]))
        who = claimant + (f" for {behalf}" if behalf else "")
        label = f"{who}: {measure.replace('_', ' ')}" + (f" of {subject}" if subject else "")
        points = []
        for r in rows:
            v, lower = _value(r)
            if v is None:
                continue
            tip = f"{r['claim_id']}, as of {r['period_end']} (said {r['statement_date']}): {r['value_text']} [{r['qualifier']}] — {who}"
            points.append((r["period_end"], v, tip, lower))
        if points:
            series.append(_Series(label, points))
            last = rows[-1]
            notes.append(f"{len(points):,} claim(s), {points[0][0]} … {points[-1][0]}; latest: “{last['value_text']}”")
    out.append("<h3>Cumulative claims, by claimant and measure</h3>"
               "<p>Each line is one claimant's running total of one measure (a single claim is a point; an arrow marks a "
               "figure that is only a lower bound, such as “over 600,000”). Plotted: the best estimate, else the bound "
               "given. These are claims, not verified counts, and different measures are not the same thing: cumulative "
               "figures are never added together.</p>")
    out.append(f'<figure class="chart" id="chart-cumulative">{_line_chart("Cumulative casualty claims over time", "claimed (cumulative)", series)}'
               f"{_legend(series, notes)}</figure>")

    period = named[named["count_basis"].astype("string") == "period"]
    totals = monthly_totals(period)
    names = dict(zip(tables["actors"]["actor_id"].astype(str), tables["actors"]["name"].astype(str)))
    charts = []
    for i, ((claimant, measure), group) in enumerate(totals.groupby(["claimant_actor_id", "measure"], sort=True)):
        who = names.get(claimant, claimant)
        bars = []
        for month, total, n in zip(group["month"], group["total"], group["claims"]):
            y, m = (int(p) for p in month.split("-"))
            bars.append((date(y, m, 1), float(total), f"{month}: {total:,} {measure} ({n:,} claims summed)"))
        n_claims = int(group["claims"].sum())
        is_ucdp = claimant == "ACT-UCDP"
        title = (f"UCDP's per-event estimates ({measure}, best estimate) summed per month" if is_ucdp
                 else f"{who}: {measure.replace('_', ' ')}, period claims summed per month")
        label = esc(title)
        charts.append(
            f"<h3>{label}</h3><p>{n_claims:,} <code>period</code> claims by {esc(who)}, each covering its own event or period, "
            f"summed per calendar month of <code>period_end</code> (<code>value_best</code>; months without claims are "
            f"left empty). Adding these is legitimate because they are period claims, not running totals; the sum is "
            f"{esc(who)}'s estimate, not a verified count.</p>"
            f'<figure class="chart" id="chart-period-{i}">{_bar_chart(title, f"{measure} per month", bars, PALETTE[(i + 2) % len(PALETTE)])}</figure>')
    out += charts
    return "".join(out)


def _section_competing(tables: Mapping[str, pd.DataFrame]) -> str:
    """Per subject and measure that two or more claimants give running totals of: their series on one chart."""
    from .analysis import claims_named, compare_claims

    if not {"casualty_claims", "actors", "sources"} <= set(tables):
        return ""
    named = claims_named(tables)
    named = named[named["count_basis"].astype("string") == "cumulative"]
    keys = named[["subject_actor_id", "measure", "claimant_actor_id"]].astype("string").dropna().drop_duplicates()
    shared = keys.groupby(["subject_actor_id", "measure"]).size()
    shared = shared[shared > 1]
    if shared.empty:
        return ""
    out = ['<h2 id="competing">Competing claims, side by side</h2>'
           "<p>Where more than one claimant gives a running total of the same measure about the same subject, their "
           "series are drawn on one chart, and the table compares each claimant's latest claim on the last date all of "
           "them had made one (ratio: each figure over the lowest). Different claimants count differently: a ratio "
           "shows how far the claims are apart, not which is right.</p>"]
    for i, (subject, measure) in enumerate(shared.index):
        rows = named[(named["subject_actor_id"].astype("string") == subject) & (named["measure"].astype("string") == measure)]
        series, notes, last_dates = [], [], []
        for claimant, group in sorted(rows.groupby(rows["claimant_actor_id"].astype("string")), key=lambda kv: kv[0]):
            recs = sorted(group.to_dict("records"), key=lambda r: (r["period_end"], r["statement_date"], r["claim_id"]))
            who = _text(recs[0]["claimant_name"])
            points = []
            for r in recs:
                v, lower = _value(r)
                if v is not None:
                    points.append((r["period_end"], v, f"{r['claim_id']}, as of {r['period_end']}: {r['value_text']} [{r['qualifier']}] — {who}", lower))
            if points:
                series.append(_Series(f"{who} ({_text(recs[0]['method']) or 'method not given'})", points))
                notes.append(f"{len(points):,} claim(s), {points[0][0]} … {points[-1][0]}")
                last_dates.append(points[-1][0])
        subject_name = _text(rows["subject_name"].iloc[0])
        when = min(last_dates)
        # Drawn up to the last date every claimant had spoken: beyond it one line runs alone.
        series = [_Series(x.label, [p for p in x.points if p[0] <= when]) for x in series]
        title = f"{measure.replace('_', ' ')} of {subject_name}: every claimant's running total, up to {when}"
        table = compare_claims(tables, subject, measure, when)
        body = [tuple(esc(c) for c in (_text(r["claimant_name"]), _text(r["claim_id"]), str(r["period_end"]), _text(r["value_text"]),
                                        _text(r["qualifier"]), _text(r["method"]), f"{r['ratio']:.2f}")) for r in table.to_dict("records")]
        out.append(f"<h3>{esc(title)}</h3>"
                   f'<figure class="chart" id="chart-competing-{i}">{_line_chart(title, f"{measure} (cumulative)", series)}'
                   f"{_legend(series, notes)}</figure>"
                   f"<p>As of {when}:</p>"
                   + _table(("claimant", "claim", "as of", "figure", "qualifier", "method", "ratio"), body))
    return "".join(out)


def _section_sources(tables: Mapping[str, pd.DataFrame]) -> str:
    sources = tables.get("sources")
    if sources is None:
        return ""
    rows = []
    for r in sources.to_dict("records"):
        grade = _text(r.get("reliability"))
        grade_html = (f'<span class="grade grade-{esc(grade)}">{esc(grade)}</span> {esc(ADMIRALTY.get(grade, ""))}'
                      if grade else '<span class="muted">not graded</span>')
        title = esc(_text(r.get("title")))
        url = _text(r.get("url"))
        if url.startswith(("https://", "http://")):
            title = f'<a href="{esc(url)}" rel="noreferrer noopener">{title}</a>'
        via = _text(r.get("via"))
        rows.append((f"<code>{esc(_text(r['source_id']))}</code>", title,
                     esc(_text(r.get("publisher"))) + (f' <span class="muted long">via {esc(via)}</span>' if via else ""),
                     esc(_text(r.get("source_type"))), f'<span class="nw">{esc(_text(r.get("published_date")))}</span>', grade_html,
                     esc(_text(r.get("license")))))
    return ('<h2 id="sources">Sources</h2><p>Every row of the other tables cites one of these. Grades are the Admiralty '
            'source-reliability scale, A (completely reliable) to F (cannot be judged).</p>'
            + _table(["id", "title", "publisher", "type", "published", "reliability", "license"], rows, "sources"))


_STANDARD_FIELD_KEYS = {"name", "type", "format", "description", "constraints", "title", "example", "rdfType"}


def _constraints(spec: Any) -> str:
    parts = []
    c = spec.constraints
    if spec.unique:
        parts.append("unique")
    for key, label in (("minimum", "≥"), ("maximum", "≤"), ("minLength", "length ≥"), ("maxLength", "length ≤")):
        if key in c:
            parts.append(f"{label} {c[key]}")
    text = esc(", ".join(parts))
    if "pattern" in c:
        text += (" " if text else "") + f"pattern <code class=\"pattern\">{esc(str(c['pattern']))}</code>"
    return text


def _enum(spec: Any) -> str:
    if spec.enum is None:
        return ""
    maps = {k: v for k, v in spec.raw.items() if k not in _STANDARD_FIELD_KEYS and isinstance(v, dict)}
    items = []
    for value in spec.enum:
        extra = "; ".join(f"{k}: {m[value]}" for k, m in maps.items() if value in m)
        items.append(f"<code>{esc(str(value))}</code>" + (f' <span class="muted">({esc(extra)})</span>' if extra else ""))
    return '<ul class="enum">' + "".join(f"<li>{i}</li>" for i in items) + "</ul>"


def _section_dictionary(package: Package) -> str:
    out = ['<h2 id="dictionary">Data dictionary</h2><p>Generated from the Table Schemas in <code>schema/</code>, the single '
           'source of truth for every column. <label>Filter: <input type="search" id="dict-filter" '
           'placeholder="column, type, word…" autocomplete="off"></label> <span id="dict-count" class="muted"></span></p>']
    for name, res in package.resources.items():
        schema = res.schema
        keys = []
        if res.primary_key:
            keys.append("primary key " + ", ".join(f"<code>{esc(k)}</code>" for k in res.primary_key))
        for fk in res.foreign_keys:
            keys.append(f"<code>{esc(', '.join(fk['fields']))}</code> → "
                        f"<code>{esc(fk['resource'])}.{esc(', '.join(fk['ref_fields']))}</code>")
        rows = []
        for spec in field_specs(schema):
            fmt = spec.raw.get("format")
            kind = esc(spec.type) + (f" ({esc(str(fmt))})" if fmt and fmt != "default" else "")
            rows.append((f"<code>{esc(spec.name)}</code>", kind, "required" if spec.required else '<span class="muted">optional</span>',
                         _constraints(spec), _enum(spec), esc(spec.description)))
        out.append(f'<section class="dict-table" id="table-{esc(name)}"><h3><code>{esc(name)}</code></h3>'
                   f"<p>{esc(str(schema.get('description') or res.descriptor.get('description', '')))}</p>"
                   f"<p class=\"keys\">{'; '.join(keys)}</p>"
                   + _table(["column", "type", "required", "constraints", "values", "description"], rows, "dictionary")
                   + "</section>")
    return "".join(out)


_CSS = """
:root{--fg:#1b1f24;--muted:#5b6570;--line:#d8dde3;--bg:#fff;--accent:#0072B2}
*{box-sizing:border-box}
body{font:15px/1.5 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;color:var(--fg);background:var(--bg);margin:0}
header,main,footer{max-width:1100px;margin:0 auto;padding:0 20px}
header{padding-top:24px;border-bottom:1px solid var(--line)}
h1{font-size:1.6em;margin:0 0 4px}h2{margin-top:2em;border-bottom:1px solid var(--line)}h3{margin-bottom:.3em}
nav a{margin-right:14px}a{color:var(--accent)}
code{font:13px/1.3 ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;background:#f3f5f7;padding:0 3px;border-radius:3px;white-space:nowrap}
code.pattern{white-space:normal;overflow-wrap:anywhere}h3 code{font-size:1em}.nw{white-space:nowrap}
table{border-collapse:collapse;width:100%;margin:8px 0 16px;font-size:14px}
th,td{border-bottom:1px solid var(--line);padding:5px 8px;text-align:left;vertical-align:top;overflow-wrap:break-word}
.long{overflow-wrap:anywhere}.scroll{overflow-x:auto}
th{background:#f7f8fa;position:sticky;top:0}
.num{font-variant-numeric:tabular-nums;display:block;text-align:right}
.muted{color:var(--muted)}.verdict{font-weight:600}
.chart{margin:8px 0 20px}.chart svg{width:100%;height:auto;display:block;background:#fcfcfd;border:1px solid var(--line)}
svg text{font:12px system-ui,sans-serif;fill:#3b4450}
svg .axis line{stroke:#8a949e;stroke-width:1}svg .axis line.grid{stroke:#e6e9ed}
.legend{list-style:none;padding:0;margin:6px 0}.legend li{margin:2px 0}
.swatch{display:inline-block;width:14px;height:14px;border-radius:3px;margin-right:6px;vertical-align:-2px}
ul.enum{margin:0;padding-left:16px}
.grade{display:inline-block;min-width:1.6em;text-align:center;font-weight:700;border:1px solid var(--line);border-radius:3px}
.keys{color:var(--muted);font-size:14px}
footer{color:var(--muted);font-size:13px;padding-bottom:30px;margin-top:30px;border-top:1px solid var(--line)}
"""

_JS = """
"use strict";
(function () {
  var input = document.getElementById("dict-filter");
  var count = document.getElementById("dict-count");
  var rows = Array.prototype.slice.call(document.querySelectorAll("table.dictionary tbody tr"));
  function apply() {
    var q = input.value.trim().toLowerCase();
    var shown = 0;
    rows.forEach(function (tr) {
      var hit = !q || tr.textContent.toLowerCase().indexOf(q) >= 0;
      tr.hidden = !hit;
      if (hit) { shown += 1; }
    });
    count.textContent = shown + " of " + rows.length + " columns";
  }
  input.addEventListener("input", apply);
  apply();
  document.documentElement.setAttribute("data-report-ready", "1");
})();
"""


def render_report(package: Package, tables: Mapping[str, pd.DataFrame], validation: Report) -> str:
    """The report's HTML for an opened package, its loaded tables and its validation report."""
    d = package.descriptor
    title = str(d.get("title") or package.name or "data package")
    version = f"version {d['version']}" if d.get("version") else "unversioned"
    created = f", created {d['created']}" if d.get("created") else ""
    licenses = ", ".join(str(lic.get("name", "")) for lic in d.get("licenses", []) if isinstance(lic, dict))
    script_hash = base64.b64encode(hashlib.sha256(_JS.encode("utf-8")).digest()).decode("ascii")
    # Nothing may be fetched: the page must look the same offline, archived or mailed.
    csp = f"default-src 'none'; style-src 'unsafe-inline'; img-src data:; script-src 'sha256-{script_hash}'"
    sections = [
        _section_counts(package, tables),
        _section_validation(validation),
        _section_timeline(tables),
        _section_claims(tables),
        _section_competing(tables),
        _section_sources(tables),
        _section_dictionary(package),
    ]
    nav = "".join(f'<a href="#{a}">{esc(t)}</a>' for a, t in (
        ("tables", "Tables"), ("validation", "Validation"), ("timeline", "Timeline"), ("claims", "Claims"),
        ("competing", "Competing claims"), ("sources", "Sources"), ("dictionary", "Data dictionary")))
    return (
        "<!DOCTYPE html>\n"
        f'<html lang="en"><head><meta charset="utf-8">'
        f'<meta http-equiv="Content-Security-Policy" content="{esc(csp)}">'
        f'<meta name="viewport" content="width=device-width, initial-scale=1">'
        f'<link rel="icon" href="data:,">'
        f"<title>{esc(title)} — report</title><style>{_CSS}</style></head>\n<body>"
        f"<header><h1>{esc(title)}</h1><p>{esc(package.name)} {esc(version)}{esc(created)}"
        f"{' · data license ' + esc(licenses) if licenses else ''}</p>"
        f"<p>{esc(str(d.get('description', '')))}</p><nav>{nav}</nav></header>\n<main>"
        + "\n".join(s for s in sections if s)
        + "</main>\n<footer>Generated by <code>conflictdata report</code> from the package's own files. Every figure is "
        "somebody's claim, attributed to its claimant and source; none is a verified count.</footer>\n"
        f"<script>{_JS}</script>\n</body></html>\n"
    )


def _load(path: str | Path | None) -> tuple[Package, dict[str, pd.DataFrame], Report]:
    """The package, its tables as `load()` gives them, and the validation report, validating once."""
    from .loading import _to_load_dtypes
    from ..checking.validation import validate_package

    package = open_package(path)
    validation, read = validate_package(package)
    if not validation.valid:
        raise InvalidDataError(validation)
    return package, {name: _to_load_dtypes(t) for name, t in read.items()}, validation


def write_report(path: str | Path | None = None, out: str | Path = "report") -> ReportResult:
    """Validate the package at `path` (the bundled dataset by default) and write `out`/index.html.

    Raises `InvalidDataError` for invalid data (nothing is written) and `UnusableInputError` when
    `out` is a file. The page is written beside its target and renamed into place.
    """
    out = Path(out)
    if out.exists() and not out.is_dir():
        raise UnusableInputError(f"{out}: exists and is not a folder; --out names the folder that gets index.html")
    package, tables, validation = _load(path)
    data = render_report(package, tables, validation).encode("utf-8")
    out.mkdir(parents=True, exist_ok=True)
    target = out / "index.html"
    write_bytes_atomic(target, data)
    os.chmod(target, 0o644)  # a report is meant to be shared; the temporary file was private
    return ReportResult(path=target, bytes=len(data), sha256=hashlib.sha256(data).hexdigest())
