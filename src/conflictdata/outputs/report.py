"""The static HTML report of a data package (`conflictdata report`).

One self-contained `index.html`: inline CSS, inline SVG charts and a few lines of inline
JavaScript, no fonts, images or scripts from anywhere else (a Content-Security-Policy in the page
forbids fetching any), so it opens offline and can be mailed or archived as one file. It holds:

- the tables and their row counts, and the validation summary (findings counted by rule);
- a timeline of events (events per month of `date_start`);
- a map of the events that have coordinates: a point each, on a longitude/latitude graticule, over
  country outlines shipped with the package (Natural Earth, public domain: `report_map`);
- casualty claims over time by claimant and measure: each cumulative series as a line (a single
  claim as a point), never added up; and the `period` claims summed per month and claimant
  (UCDP's per-event estimates, say), which is legitimate because each covers its own event;
- competing claims: per subject and measure with running totals from two or more claimants
  (tanks: the General Staff and Oryx), their series on one chart and their latest claims side by
  side with the ratio (`analysis.compare_claims`);
- per actor: its events (and roles), the claims it made, made on its behalf and about its
  losses, and its stances;
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
import os
from collections import Counter
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any, Mapping

import pandas as pd

from ..contract.atomic import write_bytes_atomic
from ..checking.validated import validated
from ..contract.errors import UnusableInputError
from ..contract.findings import Report
from ..contract.names import MEASURE_KIND
from ..contract.package import Package
from .charts import PALETTE, _bar_chart, _fmt_int, _legend, _line_chart, _month_start, _next_month, _Series
from .loading import frames
from .report_page import _CSS, _JS
from .report_map import _section_map
from .report_tables import _section_actors, _section_counts, _section_dictionary, _section_sources, _section_validation, _table, _text

__all__ = ["ReportResult", "render_report", "write_report", "PALETTE"]

esc = html.escape


@dataclass(slots=True)
class ReportResult:
    """What `write_report` wrote."""

    path: Path
    bytes: int
    sha256: str

    def to_dict(self) -> dict[str, Any]:
        return {"path": str(self.path), "bytes": self.bytes, "sha256": self.sha256}


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


def _section_claims(package: Package, tables: Mapping[str, pd.DataFrame]) -> str:
    from .analysis import claims_named, monthly_totals

    if not {"casualty_claims", "actors", "sources"} <= set(tables):
        return ""
    named = claims_named(tables)
    out = ['<h2 id="claims">Casualty claims over time</h2>']

    cumulative = named[named["count_basis"].astype("string") == "cumulative"]
    # Equipment series have their own section (below): dozens of them would bury the casualty lines.
    # Which measures count people is the schema's to say (the measure field's `measureKind` map).
    claims = package.resources.get("casualty_claims")
    kinds = next((f.get(MEASURE_KIND, {}) for f in claims.fields if f["name"] == "measure"), {}) if claims else {}
    cumulative = cumulative[cumulative["measure"].astype("string").isin(sorted(m for m, k in kinds.items() if k == "people"))]
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
    # A claim that gives only bounds ("at least 30") has no best estimate to add: summed, it would
    # count as 0 and a month of such claims would be drawn as a figure of 0.
    has_best = period["value_best"].notna()
    totals = monthly_totals(period[has_best])
    names = dict(zip(tables["actors"]["actor_id"].astype(str), tables["actors"]["name"].astype(str)))
    bounds_only = Counter(zip(period.loc[~has_best, "claimant_actor_id"].astype(str), period.loc[~has_best, "measure"].astype(str)))
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
            f"{esc(who)}'s estimate, not a verified count."
            + (f" {bounds_only.pop((claimant, measure)):,} more gave only bounds, no best estimate, and are not added." if (claimant, measure) in bounds_only else "")
            + f'</p><figure class="chart" id="chart-period-{i}">{_bar_chart(title, f"{measure} per month", bars, PALETTE[(i + 2) % len(PALETTE)])}</figure>')
    out += charts
    if bounds_only:
        items = "".join(f"<li>{esc(names.get(c, c))}: {esc(m.replace('_', ' '))}, {n:,} claim(s)</li>" for (c, m), n in sorted(bounds_only.items(), key=lambda kv: (names.get(kv[0][0], kv[0][0]), kv[0][1])))
        out.append(f'<p id="period-bounds-only">Period claims that give only bounds (such as “at least 30”), no best estimate, '
                   f"so nothing to add up and no chart:</p><ul>{items}</ul>")
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
        _section_map(tables),
        _section_claims(package, tables),
        _section_competing(tables),
        _section_actors(tables),
        _section_sources(tables),
        _section_dictionary(package),
    ]
    nav = "".join(f'<a href="#{a}">{esc(t)}</a>' for a, t in (
        ("tables", "Tables"), ("validation", "Validation"), ("timeline", "Timeline"), ("map", "Map"), ("claims", "Claims"),
        ("competing", "Competing claims"), ("actors", "Actors"), ("sources", "Sources"), ("dictionary", "Data dictionary")))
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


def write_report(path: str | Path | None = None, out: str | Path = "report") -> ReportResult:
    """Validate the package at `path` (the bundled dataset by default) and write `out`/index.html.

    Raises `InvalidDataError` for invalid data (nothing is written) and `UnusableInputError` when
    `out` is a file. The page is written beside its target and renamed into place.
    """
    out = Path(out)
    if out.exists() and not out.is_dir():
        raise UnusableInputError(f"{out}: exists and is not a folder; --out names the folder that gets index.html")
    valid = validated(path)
    data = render_report(valid.package, frames(valid), valid.report).encode("utf-8")
    out.mkdir(parents=True, exist_ok=True)
    target = out / "index.html"
    write_bytes_atomic(target, data)
    os.chmod(target, 0o644)  # a report is meant to be shared; the temporary file was private
    return ReportResult(path=target, bytes=len(data), sha256=hashlib.sha256(data).hexdigest())
