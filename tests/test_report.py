"""`conflictdata report`: one self-contained HTML page, escaped, deterministic, and rendered by a real browser."""

from __future__ import annotations

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
from pkgcopy import copy_package, replace_once

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
    timeline = re.search(r'id="chart-timeline">(.*?)</figure>', dom, re.S).group(1)
    assert timeline.count("<rect") > 50  # UCDP's years, month by month
    assert shot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" and shot.stat().st_size > 10_000


def test_the_browser_check_catches_a_script_error(tmp_path: Path) -> None:
    page = tmp_path / "broken.html"
    page.write_text("<!DOCTYPE html><html><body><p>x</p><script>undefinedFunction();</script></body></html>", encoding="utf-8")
    _, log, _ = _browse(page, tmp_path)
    assert any("Uncaught ReferenceError" in line for line in _console_lines(log))
