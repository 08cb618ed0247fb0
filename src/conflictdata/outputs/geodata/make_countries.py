"""Writes `countries.json` (the report map's country outlines) from Natural Earth's 1:110m countries
as pyogrio ships them (see SOURCE.md beside this file). Run by hand, never by the package:

    pip download --no-deps pyogrio==0.13.0 -d /tmp/pyogrio && unzip -q /tmp/pyogrio/pyogrio-0.13.0-*.whl \\
        'pyogrio/tests/fixtures/naturalearth_lowres/*' -d /tmp/pyogrio
    python src/conflictdata/outputs/geodata/make_countries.py \\
        /tmp/pyogrio/pyogrio/tests/fixtures/naturalearth_lowres/naturalearth_lowres

Standard library only: the shapefile's polygons (.shp) and attributes (.dbf) are read with
`struct`. Kept: every ring with a point or its bounding box in REGION, coordinates rounded to
DECIMALS places (about 100 m, far below the 1:110m line work's own precision); nothing else is
changed. Same input, same bytes.
"""

from __future__ import annotations

import hashlib
import json
import struct
import sys
from pathlib import Path

# The region of the dataset's events and its neighbours: Europe east of the Alps, the Black Sea,
# the Caucasus, Turkey. The map draws the graticule alone beyond it.
REGION = {"west": 10.0, "south": 35.0, "east": 60.0, "north": 65.0}
DECIMALS = 3


def _dbf(path: Path) -> list[dict[str, str]]:
    data = path.read_bytes()
    rows, header, size = struct.unpack("<IHH", data[4:12])
    fields = [(data[i:i + 11].split(b"\0")[0].decode("ascii"), data[i + 16]) for i in range(32, header - 1, 32)]
    out = []
    for r in range(rows):
        at = header + r * size + 1
        row = {}
        for name, width in fields:
            row[name] = data[at:at + width].decode("latin-1").strip()  # the .cpg says ISO-8859-1
            at += width
        out.append(row)
    return out


def _shp(path: Path) -> list[list[list[tuple[float, float]]]]:
    data = path.read_bytes()
    at, out = 100, []
    while at < len(data):
        _, words = struct.unpack(">ii", data[at:at + 8])
        rec = data[at + 8:at + 8 + 2 * words]
        at += 8 + 2 * words
        kind, nparts, npoints = struct.unpack("<i32xii", rec[:44])
        assert kind == 5, f"shape type {kind}: only polygons expected"
        starts = list(struct.unpack(f"<{nparts}i", rec[44:44 + 4 * nparts]))
        flat = struct.unpack(f"<{2 * npoints}d", rec[44 + 4 * nparts:44 + 4 * nparts + 16 * npoints])
        points = list(zip(flat[::2], flat[1::2]))
        out.append([points[a:b] for a, b in zip(starts, starts[1:] + [npoints])])
    return out


def _in_region(ring: list[tuple[float, float]]) -> bool:
    xs, ys = [p[0] for p in ring], [p[1] for p in ring]
    return min(xs) <= REGION["east"] and max(xs) >= REGION["west"] and min(ys) <= REGION["north"] and max(ys) >= REGION["south"]


def main(stem: str) -> None:
    base = Path(stem)
    files = {ext: base.with_suffix(ext) for ext in (".shp", ".dbf")}
    countries = []
    for attrs, rings in zip(_dbf(files[".dbf"]), _shp(files[".shp"])):
        kept = [[[round(x, DECIMALS), round(y, DECIMALS)] for x, y in ring] for ring in rings if _in_region(ring)]
        if kept:
            countries.append({"iso3": attrs["iso_a3"], "name": attrs["name"], "rings": kept})
    countries.sort(key=lambda c: c["iso3"])
    doc = {
        "source": "Natural Earth 1:110m admin-0 countries, as naturalearth_lowres in pyogrio 0.13.0 (see SOURCE.md)",
        "license": "public domain",
        "input_sha256": {f.name: hashlib.sha256(f.read_bytes()).hexdigest() for f in files.values()},
        "region": REGION,
        "countries": countries,
    }
    target = Path(__file__).with_name("countries.json")
    target.write_text(json.dumps(doc, ensure_ascii=False, separators=(",", ":")) + "\n", encoding="utf-8")
    print(f"{target}: {len(countries)} countries, {sum(len(r) for c in countries for r in c['rings'])} points")


if __name__ == "__main__":
    main(sys.argv[1])
