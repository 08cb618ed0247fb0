"""The report's map of events: one point per event with coordinates, on a longitude/latitude
graticule, over the country outlines the package ships (`geodata/countries.json`, Natural Earth
1:110m, public domain: `geodata/SOURCE.md` says where it comes from).

Inline SVG, nothing fetched: no tiles, no fonts. The extent follows the events. The projection is
equirectangular with longitudes scaled by the cosine of the middle latitude, so a region keeps its
shape at the scales the dataset covers. Internal to `report` (names keep their leading underscore).
"""

from __future__ import annotations

import html
import json
import math
from functools import lru_cache
from pathlib import Path
from typing import Any, Mapping

import pandas as pd

__all__: list[str] = []

WIDTH = 960
# Below this span (degrees) a map of one place would be a single dot: it is widened to this.
MIN_SPAN = 2.0
OUTLINES = Path(__file__).with_name("geodata") / "countries.json"

esc = html.escape


@lru_cache(maxsize=1)
def _outlines() -> dict[str, Any]:
    return json.loads(OUTLINES.read_text(encoding="utf-8"))


class _Projection:
    """Longitude/latitude → SVG x/y within a box that holds the extent."""

    def __init__(self, west: float, south: float, east: float, north: float) -> None:
        self.west, self.south, self.east, self.north = west, south, east, north
        self.k = math.cos(math.radians((south + north) / 2))
        self.scale = WIDTH / ((east - west) * self.k)
        self.height = round((north - south) * self.scale)

    def x(self, lon: float) -> float:
        return (lon - self.west) * self.k * self.scale

    def y(self, lat: float) -> float:
        return (self.north - lat) * self.scale


def _extent(lons: list[float], lats: list[float]) -> tuple[float, float, float, float]:
    """The events' box, with a margin, at least MIN_SPAN wide and high, at most 3:1 either way."""
    west, east, south, north = min(lons), max(lons), min(lats), max(lats)
    pad = max(1.0, 0.12 * max(east - west, north - south))
    west, east, south, north = west - pad, east + pad, south - pad, north + pad
    cx, cy = (west + east) / 2, (south + north) / 2
    w, h = max(east - west, MIN_SPAN), max(north - south, MIN_SPAN)
    k = math.cos(math.radians(cy))
    # Neither a thin strip nor a tower: an extent of one line of events still shows its region.
    if w * k > 3 * h:
        h = w * k / 3
    elif h > 1.2 * w * k:
        w = h * 1.2 / k
    south, north = max(cy - h / 2, -89.0), min(cy + h / 2, 89.0)
    return cx - w / 2, south, cx + w / 2, north


def _step(span: float) -> float:
    """A graticule step that gives four to ten lines across `span` degrees."""
    return next(s for s in (0.25, 0.5, 1, 2, 5, 10, 15, 30, 45, 90) if span / s <= 10)


def _deg(value: float, pos: str, neg: str) -> str:
    text = f"{abs(value):g}°"
    return text + (pos if value > 0 else neg if value < 0 else "")


def _multiples(lo: float, hi: float, step: float) -> list[float]:
    first = math.ceil(lo / step)
    return [i * step for i in range(first, math.floor(hi / step) + 1)]


def _graticule(p: _Projection) -> list[str]:
    out = ['<g class="graticule">']
    step = _step(max(p.east - p.west, p.north - p.south))
    for lon in _multiples(p.west, p.east, step):
        x = p.x(lon)
        out.append(f'<line x1="{x:.1f}" x2="{x:.1f}" y1="0" y2="{p.height}"/>'
                   f'<text x="{x + 3:.1f}" y="{p.height - 4}">{esc(_deg(lon, "E", "W"))}</text>')
    for lat in _multiples(p.south, p.north, step):
        y = p.y(lat)
        out.append(f'<line x1="0" x2="{WIDTH}" y1="{y:.1f}" y2="{y:.1f}"/>'
                   f'<text x="4" y="{y - 3:.1f}">{esc(_deg(lat, "N", "S"))}</text>')
    out.append("</g>")
    return out


def _countries(p: _Projection) -> tuple[list[str], set[str]]:
    """The outlines' paths that reach into the map, and the names of their countries."""
    paths, names = [], set()
    for country in _outlines()["countries"]:
        for ring in country["rings"]:
            xs, ys = [q[0] for q in ring], [q[1] for q in ring]
            if min(xs) > p.east or max(xs) < p.west or min(ys) > p.north or max(ys) < p.south:
                continue
            d = "M" + "L".join(f"{p.x(lon):.1f},{p.y(lat):.1f}" for lon, lat in ring) + "Z"
            paths.append(f'<path d="{d}" data-country="{esc(country["name"])}"/>')
            names.add(country["name"])
    return paths, names


def _covered(p: _Projection) -> bool:
    region = _outlines()["region"]
    return region["west"] <= p.west and p.east <= region["east"] and region["south"] <= p.south and p.north <= region["north"]


def _when(row: Mapping[str, Any]) -> str:
    start, end = row["date_start"], row["date_end"]
    if pd.isna(start):
        return "date unknown"
    return str(start) if pd.isna(end) or end == start else f"{start} to {end}"


def _place(row: Mapping[str, Any]) -> str:
    parts = [str(row[c]) for c in ("location", "country_iso3") if not pd.isna(row[c]) and str(row[c])]
    return " · ".join(parts) or "place not named"


def _section_map(tables: Mapping[str, pd.DataFrame]) -> str:
    events = tables.get("events")
    if events is None:
        return ""
    placed = events[events["latitude"].notna() & events["longitude"].notna()].sort_values("event_id")
    head = '<h2 id="map">Map of events</h2>'
    if placed.empty:
        return head + f"<p>None of the {len(events):,} events has coordinates: nothing to map.</p>"
    lons, lats = placed["longitude"].astype(float).tolist(), placed["latitude"].astype(float).tolist()
    p = _Projection(*_extent(lons, lats))
    outlines, countries = _countries(p)
    # No clip path: an inline <svg> clips what lies beyond its viewBox already (and the page's
    # policy wants no url(), even a local one).
    body = ['<g class="outlines">', *outlines, "</g>", *_graticule(p), '<g class="events">']
    for row, lon, lat in zip(placed.to_dict("records"), lons, lats):
        tip = f"{row['event_id']}, {_when(row)}: {_place(row)}"
        body.append(f'<circle cx="{p.x(lon):.1f}" cy="{p.y(lat):.1f}" r="2.5"><title>{esc(tip)}</title></circle>')
    body.append("</g>")
    label = f"Map of the {len(placed):,} events with coordinates"
    svg = (f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {p.height}" role="img" aria-label="{esc(label)}">'
           f"<title>{esc(label)}</title>" + "".join(body) + "</svg>")
    unplaced = len(events) - len(placed)
    bounds = f"{_deg(round(p.west, 2), 'E', 'W')}–{_deg(round(p.east, 2), 'E', 'W')}, {_deg(round(p.south, 2), 'N', 'S')}–{_deg(round(p.north, 2), 'N', 'S')}"
    outline_note = (f"Country outlines ({len(countries)} in view): Natural Earth 1:110m, public domain, shipped with conflictdata "
                    "(<code>outputs/geodata/SOURCE.md</code> says where from); drawn as that file draws them, not as this "
                    "project's statement on any border"
                    + (" (it draws Crimea as a part of Russia's outline)." if {"Russia", "Ukraine"} <= countries else "."))
    if not _covered(p):
        outline_note += " The outlines shipped cover only 10°E–60°E, 35°N–65°N: beyond that the map shows the graticule alone."
    return (f"{head}<p>{len(placed):,} of {len(events):,} events have coordinates ({esc(bounds)}); each is a point "
            f"(hover for its id, date and place) at the coordinates the data gives, as precise as its "
            f"<code>geo_precision</code> says. {unplaced:,} event(s) without coordinates are not drawn.</p>"
            f'<figure class="chart map" id="chart-map">{svg}<figcaption class="muted">{outline_note}</figcaption></figure>')
