"""`conflictdata report`: one self-contained HTML page, escaped, deterministic, and rendered by a real browser."""

from __future__ import annotations

import csv
import html
import json
import re
import shutil
import subprocess
from pathlib import Path

import pytest

import conflictdata
from conflictdata.contract.errors import InvalidDataError
from conflictdata.contract.package import open_package
from conflictdata.outputs.report import write_report
from conflictdata.contract.schema import field_specs
from pkgcopy import REPO, copy_package, replace_once

HOSTILE = '<script>alert("x")</script> & Rutte'


@pytest.fixture(scope="module")
def core(tmp_path_factory: pytest.TempPathFactory) -> Path:
    pkg = copy_package(tmp_path_factory.mktemp("report") / "pkg")
    replace_once(pkg / "data/actors.csv", "ACT-RUTTE-MARK,Mark Rutte,", f'ACT-RUTTE-MARK,"{HOSTILE.replace(chr(34), chr(34) * 2)}",')
    return pkg


@pytest.fixture(scope="module")
def core_html(core: Path, tmp_path_factory: pytest.TempPathFactory) -> str:
    return write_report(core, tmp_path_factory.mktemp("out") / "report").path.read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def full_report(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_report(None, tmp_path_factory.mktemp("full") / "report").path


def test_the_report_is_one_file_that_fetches_nothing(core_html: str) -> None:
    assert not re.search(r"<(script|img|link|iframe)\b[^>]*\bsrc=", core_html)
    assert not re.search(r'<link\b[^>]*rel="stylesheet"', core_html) and "url(" not in core_html and "@import" not in core_html
    csp = re.search(r'<meta http-equiv="Content-Security-Policy" content="([^"]*)"', core_html)
    assert csp and "default-src 'none'" in html.unescape(csp.group(1))


def test_the_data_dictionary_has_every_table_column_type_description_and_enum_value(core: Path, core_html: str) -> None:
    for name, res in open_package(core).resources.items():
        section = re.search(rf'<section class="dict-table" id="table-{name}">(.*?)</section>', core_html, re.S)
        assert section, name
        text = section.group(1)
        for spec in field_specs(res.schema):
            assert f"<td><code>{spec.name}</code></td><td>{spec.type}" in text, (name, spec.name)
            assert html.escape(spec.description) in text, (name, spec.name)
            for value in spec.enum or ():
                assert f"<code>{html.escape(str(value))}</code>" in text, (name, spec.name, value)
            if "pattern" in spec.constraints:
                assert html.escape(spec.constraints["pattern"]) in text
        for fk in res.foreign_keys:
            assert f"<code>{fk['fields'][0]}</code> → <code>{fk['resource']}.{fk['ref_fields'][0]}</code>" in text
    assert "acledEventType: Battles" in core_html  # a crosswalk kept beside its enum value


def test_every_table_is_counted(core: Path, core_html: str) -> None:
    tables = conflictdata.load(core)
    for name, frame in tables.items():
        assert f'<td><code>{name}</code></td><td><span class="num">{len(frame):,}</span></td>' in core_html


def test_text_from_the_data_is_escaped(core_html: str) -> None:
    assert HOSTILE not in core_html and "<script>alert" not in core_html
    assert html.escape(HOSTILE) in core_html  # in the claims chart's legend and tooltips
    assert core_html.count("<script") == 1  # only the page's own


def test_the_same_data_gives_the_same_bytes(core: Path, core_html: str, tmp_path: Path) -> None:
    again = write_report(core, tmp_path / "again")
    assert again.path.read_text(encoding="utf-8") == core_html
    assert again.sha256 == write_report(core, tmp_path / "again").sha256


def test_invalid_data_is_refused(tmp_path: Path) -> None:
    pkg = copy_package(tmp_path / "pkg")
    replace_once(pkg / "data/stances.csv", ",does_not_deny,", ",does_not_denny,")
    with pytest.raises(InvalidDataError):
        write_report(pkg, tmp_path / "out")
    assert not (tmp_path / "out").exists()


def test_full_report_has_the_charts_sources_and_validation_summary(full_report: Path) -> None:
    page = full_report.read_text(encoding="utf-8")
    report = conflictdata.validate()
    for rule in {f.rule for f in report.findings}:
        errors = sum(f.rule == rule and f.severity == "error" for f in report.findings)
        warnings = sum(f.rule == rule and f.severity == "warning" and not f.acknowledged for f in report.findings)
        acknowledged = sum(f.rule == rule and f.acknowledged for f in report.findings)
        assert (f'<td><code>{rule}</code></td><td><span class="num">{errors}</span></td><td><span class="num">{warnings}</span></td>'
                f'<td><span class="num">{acknowledged}</span></td>') in page
    # The shipped data's warnings are all acknowledged (data/acknowledgements.csv).
    assert '<td><code>claim-value-order</code></td><td><span class="num">0</span></td><td><span class="num">0</span></td><td><span class="num">19</span></td>' in page
    cumulative = re.search(r'<figure class="chart" id="chart-cumulative">(.*?)</figure>', page, re.S).group(1)
    assert "General Staff of the Armed Forces of Ukraine: personnel losses of Russian armed forces" in cumulative
    assert "Mark Rutte for NATO: killed or wounded of Russian armed forces" in cumulative
    assert "over 600,000" in cumulative
    assert "UCDP&#x27;s per-event estimates (killed, best estimate) summed per month" in page
    for source_id in conflictdata.load_table("sources")["source_id"]:
        assert f"<td><code>{source_id}</code></td>" in page
    assert "not graded" in page


def test_the_general_staff_and_oryx_tank_series_share_one_chart_and_a_ratio(full_report: Path) -> None:
    page = full_report.read_text(encoding="utf-8")
    section = page[page.index('<h2 id="competing">'):page.index('<h2 id="sources">')]
    charts = dict(re.findall(r"<h3>(.*?)</h3><figure class=\"chart\" id=\"(chart-competing-\d+)\">", section))
    # The Kursk topic's competing claims about North Korea's troops come first, then the equipment series.
    assert list(charts) == [
        "killed or wounded of North Korean armed forces: every claimant&#x27;s running total, up to 2024-12-23",
        "troops deployed of North Korean armed forces: every claimant&#x27;s running total, up to 2024-10-18",
    ] + [f"{m} of Russian armed forces: every claimant&#x27;s running total, up to 2023-02-05"
         for m in ("aircraft", "helicopters", "mlrs", "naval ships", "tanks")]
    tanks = re.search(r'id="chart-competing-6">(.*?)</figure><p>As of 2023-02-05:</p>(.*?)</table>', section, re.S)
    assert [s for s in re.findall(r'data-series="([^"]*)"', tanks.group(1))] == [
        "Oryx (visually_confirmed)", "General Staff of the Armed Forces of Ukraine (official_tally)"]
    assert "CLM-ORYX-20221127-TANKS" in tanks.group(1) and "CLM-GSEQ-20230205-TANKS" in tanks.group(1)
    assert "CLM-GSEQ-20230206-TANKS" not in tanks.group(1)  # drawn up to the last date both had spoken
    assert "<td>CLM-GSEQ-20230205-TANKS</td><td>2023-02-05</td><td>3220</td><td>exact</td><td>official_tally</td><td>1.92</td>" in tanks.group(2)
    # Equipment series stay off the casualty chart.
    cumulative = re.search(r'id="chart-cumulative">(.*?)</figure>', page, re.S).group(1)
    assert "tanks" not in cumulative and "CLM-GSEQ-" not in cumulative


def test_the_command_writes_index_html_and_prints_json(core: Path, tmp_path: Path) -> None:
    from typer.testing import CliRunner

    from conflictdata.cli import app

    out = CliRunner().invoke(app, ["report", str(core), "--out", str(tmp_path / "r"), "--format", "json"])
    assert out.exit_code == 0, out.stderr
    result = json.loads(out.stdout)
    assert result["path"] == str(tmp_path / "r" / "index.html") and (tmp_path / "r" / "index.html").stat().st_size == result["bytes"]


def _rows(table: str) -> list[dict[str, str]]:
    with open(REPO / "data" / f"{table}.csv", encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


def _section(page: str, anchor: str) -> str:
    start = page.index(f'<h2 id="{anchor}">')
    end = page.find("<h2 ", start + 1)
    return page[start:end if end > 0 else len(page)]


def test_the_report_fetches_nothing_and_links_only_to_its_sources(full_report: Path) -> None:
    page = full_report.read_text(encoding="utf-8")
    assert not re.search(r"\bsrc\s*=", page) and "url(" not in page and "@import" not in page
    urls = re.findall(r"""https?://[^\s"'<>)]+""", page)
    links = re.findall(r'<a href="([^"]+)" rel="noreferrer noopener">', _section(page, "sources"))
    svg_namespace = "http://www.w3.org/2000/svg"
    # Every address in the page is the SVG namespace or a source's own address, as a link a reader
    # may follow (never loaded: the policy forbids it).
    assert {u for u in urls if u != svg_namespace} == set(links)
    assert {html.unescape(u) for u in links} == {r["url"] for r in _rows("sources") if r["url"]}


def test_the_map_has_one_point_per_event_with_coordinates(full_report: Path) -> None:
    page = full_report.read_text(encoding="utf-8")
    figure = re.search(r'<figure class="chart map" id="chart-map">(.*?)</figure>', page, re.S).group(1)
    viewbox = [float(v) for v in re.search(r'viewBox="([^"]+)"', figure).group(1).split()]
    points = re.findall(r'<circle cx="([\d.]+)" cy="([\d.]+)" r="[\d.]+"><title>([^<]*)</title></circle>', figure)
    events = {r["event_id"]: r for r in _rows("events")}
    placed = {k: r for k, r in events.items() if r["latitude"] and r["longitude"]}
    assert len(points) == figure.count("<circle") == len(placed) > 1000
    assert [html.unescape(t).split(",")[0] for _, _, t in points] == sorted(placed)
    for cx, cy, tip in points:
        event = placed[html.unescape(tip).split(",")[0]]
        when = event["date_start"] if event["date_start"] == event["date_end"] else f"{event['date_start']} to {event['date_end']}"
        assert html.unescape(tip) == f"{event['event_id']}, {when}: {event['location']} · {event['country_iso3']}"
        assert 0 <= float(cx) <= viewbox[2] and 0 <= float(cy) <= viewbox[3]
    # West to east is left to right, south to north bottom to top.
    by_lon = sorted(points, key=lambda p: float(placed[html.unescape(p[2]).split(",")[0]]["longitude"]))
    by_lat = sorted(points, key=lambda p: float(placed[html.unescape(p[2]).split(",")[0]]["latitude"]))
    assert float(by_lon[0][0]) < float(by_lon[-1][0]) and float(by_lat[0][1]) > float(by_lat[-1][1])
    # The events lie in Ukraine and Russia: both outlines are drawn, from the shipped Natural Earth file.
    outlines = dict(re.findall(r'<path d="(M[\d.,L-]+Z)" data-country="([^"]+)"/>', figure)[::-1])
    assert {"Ukraine", "Russia"} <= set(outlines.values())
    assert "Natural Earth" in figure and "SOURCE.md" in figure
    assert f"{len(placed):,} of {len(events):,} events have coordinates" in page
    assert f"{len(events) - len(placed):,} event(s) without coordinates are not drawn" in page


def test_the_map_follows_its_events_and_draws_no_outline_it_does_not_ship() -> None:
    import pandas as pd

    from conflictdata.outputs.report_map import _section_map

    def events(rows: list[tuple[str, float | None, float | None]]) -> dict[str, pd.DataFrame]:
        return {"events": pd.DataFrame({
            "event_id": [r[0] for r in rows], "latitude": [r[1] for r in rows], "longitude": [r[2] for r in rows],
            "date_start": ["2024-01-02"] * len(rows), "date_end": ["2024-01-02"] * len(rows),
            "location": ["Somewhere"] * len(rows), "country_iso3": ["XXX"] * len(rows)})}

    # Far from the region the package ships outlines for: graticule and points, no outline, and it says so.
    far = _section_map(events([("EVT-B", -33.9, 151.2), ("EVT-A", -34.0, 151.0), ("EVT-C", None, None)]))
    assert re.findall(r"<title>(EVT-[A-Z])", far) == ["EVT-A", "EVT-B"] and "<path" not in far
    assert "2 of 3 events have coordinates" in far and "cover only 10°E–60°E, 35°N–65°N" in far
    assert "151°E" in far and "34°S" in far  # graticule labels around the points
    # Near Kyiv: the outlines of Ukraine are there.
    near = _section_map(events([("EVT-K", 50.45, 30.52)]))
    assert 'data-country="Ukraine"' in near and "cover only" not in near
    assert "None of the 1 events" in _section_map(events([("EVT-X", None, None)]))


def test_the_outlines_say_where_they_come_from() -> None:
    from conflictdata.outputs.report_map import OUTLINES

    data = json.loads(OUTLINES.read_text(encoding="utf-8"))
    source = (OUTLINES.parent / "SOURCE.md").read_text(encoding="utf-8")
    assert data["license"] == "public domain" and "pyogrio 0.13.0" in data["source"]
    for name, digest in data["input_sha256"].items():
        assert name.startswith("naturalearth_lowres.") and f"`{digest}`" in source
    assert "License: public domain" in source and f"{len(data['countries'])} countries" in source
    assert f"{sum(len(r) for c in data['countries'] for r in c['rings']):,} points" in source


def test_the_actors_table_counts_what_the_tables_hold(full_report: Path) -> None:
    page = full_report.read_text(encoding="utf-8")
    section = _section(page, "actors")
    num = r'<span class="num(?: muted)?">([\d,]+)</span>'
    found = re.findall(r"<tr><td><code>(ACT-[A-Z0-9-]+)</code></td><td>[^<]*</td><td>[^<]*</td><td>[^<]*</td><td>" + num
                       + r'</td><td><span class="muted">([^<]*)</span></td>' + "".join(f"<td>{num}</td>" for _ in range(4)) + "</tr>", section)
    got = {a: (int(e.replace(",", "")), roles, *(int(n.replace(",", "")) for n in rest)) for a, e, roles, *rest in found}
    links, claims, stances = _rows("event_actors"), _rows("casualty_claims"), _rows("stances")
    want = {}
    for actor in (r["actor_id"] for r in _rows("actors")):
        mine = [r for r in links if r["actor_id"] == actor]
        role_counts: dict[str, int] = {}
        for r in mine:
            role_counts[r["role"]] = role_counts.get(r["role"], 0) + 1
        roles = ", ".join(f"{k.replace('_', ' ')} {v:,}" for k, v in sorted(role_counts.items(), key=lambda kv: (-kv[1], kv[0])))
        want[actor] = (len({r["event_id"] for r in mine}), roles,
                       sum(c["claimant_actor_id"] == actor for c in claims), sum(c["on_behalf_of_actor_id"] == actor for c in claims),
                       sum(c["subject_actor_id"] == actor for c in claims), sum(s["actor_id"] == actor for s in stances))
    assert got == want
    assert got["ACT-UKR-GENSTAFF"][2] > 1000 and got["ACT-UKR"][0] > 1000  # the table is not all zeros
    # Most events first, then most claims made, then most claims about the actor's losses.
    assert [a for a, *_ in found] == sorted(want, key=lambda a: (-want[a][0], -want[a][2], -want[a][4], a))


def test_a_one_month_series_is_a_point_not_a_full_width_bar(full_report: Path) -> None:
    page = full_report.read_text(encoding="utf-8")
    charts = re.findall(r'<figure class="chart" id="chart-period-\d+">(.*?)</figure>', page, re.S)
    single = [c for c in charts if len(re.findall(r"<title>\d{4}-\d{2}: ", c)) == 1]
    assert len(single) >= 5  # e.g. Budanov's 2,600 troops deployed: one claim, one month
    for chart in single:
        assert "<rect" not in chart and len(re.findall(r'<circle cx="[\d.]+" cy="[\d.]+" r="6"><title>\d{4}-\d{2}: ', chart)) == 1
    assert any("2024-10: 2,600 troops_deployed (1 claims summed)" in c for c in single)


def test_period_charts_add_best_estimates_only_and_list_the_claims_that_give_bounds(full_report: Path) -> None:
    page = full_report.read_text(encoding="utf-8")
    charts = "".join(re.findall(r'<figure class="chart" id="chart-period-\d+">(.*?)</figure>', page, re.S))
    drawn = sorted(re.findall(r"<title>(\d{4}-\d{2}): ([\d,]+) (\w+) \(([\d,]+) claims summed\)</title>", charts))
    period = [c for c in _rows("casualty_claims") if c["count_basis"] == "period"]
    sums: dict[tuple[str, str, str], list[int]] = {}
    for c in period:
        if c["value_best"]:
            sums.setdefault((c["claimant_actor_id"], c["measure"], c["period_end"][:7]), []).append(int(c["value_best"]))
    assert drawn == sorted((month, f"{sum(v):,}", measure, f"{len(v):,}") for (_, measure, month), v in sums.items())
    names = {a["actor_id"]: a["name"] for a in _rows("actors")}
    bounds: dict[tuple[str, str], int] = {}
    for c in period:
        if not c["value_best"]:
            key = (names[c["claimant_actor_id"]], c["measure"].replace("_", " "))
            bounds[key] = bounds.get(key, 0) + 1
    listed = re.search(r'<p id="period-bounds-only">.*?<ul>(.*?)</ul>', page, re.S).group(1)
    assert re.findall(r"<li>(.*?): (.*?), (\d+) claim\(s\)</li>", listed) == [(html.escape(w), m, str(n)) for (w, m), n in sorted(bounds.items())]
    assert bounds  # HUR's "at least 30" killed or wounded: a bound, never drawn as 0


# --- in a real browser ------------------------------------------------------------------------


def _chromium() -> str:
    for name in ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable"):
        found = shutil.which(name)
        if found:
            return found
    pytest.skip("no chromium binary found (Debian: apt-get install chromium; .ci/run installs it when it can)")


def _browse(page: Path, tmp: Path) -> tuple[str, str, Path]:
    """Load `page` in headless chromium: (the DOM after scripts ran, chromium's log, the screenshot)."""
    shot = tmp / "report.png"
    args = [_chromium(), "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
            "--disable-component-update", "--no-first-run", "--hide-scrollbars", f"--user-data-dir={tmp / 'profile'}",
            "--enable-logging=stderr", "--v=0", "--window-size=1280,2400", f"--screenshot={shot}", "--dump-dom",
            page.resolve().as_uri()]
    try:
        done = subprocess.run(args, capture_output=True, text=True, timeout=90)
    except subprocess.TimeoutExpired:
        pytest.fail("chromium did not finish within 90 s")
    assert done.returncode == 0, done.stderr[-2000:]
    return done.stdout, done.stderr, shot


def _console_lines(log: str) -> list[str]:
    # chromium logs every console message (and uncaught exception, CSP violation) as INFO:CONSOLE.
    return [line for line in log.splitlines() if ":CONSOLE" in line or "Uncaught" in line]


def test_the_report_renders_in_a_browser_without_console_errors(full_report: Path, tmp_path: Path) -> None:
    dom, log, shot = _browse(full_report, tmp_path)
    assert _console_lines(log) == []
    assert 'data-report-ready="1"' in dom  # the page's script ran to its end
    svgs = re.findall(r"<svg\b[^>]*>(.*?)</svg>", dom, re.S)
    assert len(svgs) >= 3
    for svg in svgs:
        assert re.search(r"<(path|circle|rect)\b", svg)
    cumulative = re.search(r'id="chart-cumulative">(.*?)</figure>', dom, re.S).group(1)
    assert re.search(r'<path d="M[\d.]+,[\d.]+( L[\d.]+,[\d.]+){100,}', cumulative)  # the General Staff's daily series
    assert "<circle" in cumulative  # NATO's single claim
    placed = sum(1 for r in _rows("events") if r["latitude"] and r["longitude"])
    assert re.search(r'id="chart-map">(.*?)</figure>', dom, re.S).group(1).count("<circle") == placed
    timeline = re.search(r'id="chart-timeline">(.*?)</figure>', dom, re.S).group(1)
    assert timeline.count("<rect") > 50  # UCDP's years, month by month
    assert shot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" and shot.stat().st_size > 10_000


def test_the_browser_check_catches_a_script_error(tmp_path: Path) -> None:
    page = tmp_path / "broken.html"
    page.write_text("<!DOCTYPE html><html><body><p>x</p><script>undefinedFunction();</script></body></html>", encoding="utf-8")
    _, log, _ = _browse(page, tmp_path)
    assert any("Uncaught ReferenceError" in line for line in _console_lines(log))
