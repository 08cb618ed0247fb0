"""Rendering reports for people (text), for machines (JSON) and for CI (GitHub annotations, SARIF, JUnit XML).

Renderers take a `Report` and write it; they never decide validity. Findings go to stdout in every
format (one per line in text, so `| grep -c warning` counts them); the summary table, notes and the
verdict line of the text format go to stderr, so stdout stays the findings alone.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import IO, Any

from ..contract.findings import Finding, Report

__all__ = ["render_text", "render_json", "render_github", "render_sarif", "render_junit", "sarif", "junit", "verdict_line", "text_line"]


def verdict_line(report: Report) -> str:
    rows = sum(report.rows.values())
    e, w = len(report.errors), len(report.warnings)
    counts = f"{e} error{'s' if e != 1 else ''}, {w} warning{'s' if w != 1 else ''}"
    if (a := len(report.acknowledged)):
        counts += f", {a} acknowledged"
    where = f"{len(report.rows)} tables, {rows} rows"
    if report.valid:
        return f"valid: {report.package} ({where}; {counts})"
    why = " (--strict: warnings count)" if not report.errors else ""
    return f"invalid: {report.package} ({where}; {counts}){why}"


def text_line(f: Finding, package: str = "") -> str:
    """One finding, compiler style: `file:line: severity [rule] column: message (value: …)`."""
    where = f"{f.file or package}{':' + str(f.line) if f.line else ''}"
    col = f" {f.column}" if f.column else ""
    value = f" (value: {f.value[:80] + ('…' if len(f.value) > 80 else '')})" if f.value else ""
    severity = "acknowledged warning" if f.acknowledged else f.severity
    # A line break inside a cell's value must not split the finding over two lines.
    return f"{where}: {severity} [{f.rule}]{col}: {f.message}{value}".replace("\r", "\\r").replace("\n", "\\n")


def render_text(report: Report, stream: IO[str] | None = None, *, max_findings: int | None = None,
                err: IO[str] | None = None, show_acknowledged: bool = False) -> None:
    """Findings on `stream` (stdout), one per line; the summary table, notes and verdict on `err` (stderr).
    Acknowledged warnings are counted in the verdict and listed only with `show_acknowledged`."""
    from rich.console import Console
    from rich.markup import escape
    from rich.table import Table

    console = Console(file=err or sys.stderr, soft_wrap=True, emoji=False)
    stream = stream or sys.stdout
    out = Console(file=stream, soft_wrap=True, emoji=False, highlight=False)
    summary = Table(title="conflictdata validate", title_justify="left", show_edge=False)
    summary.add_column("table")
    summary.add_column("rows", justify="right")
    summary.add_column("errors", justify="right")
    summary.add_column("warnings", justify="right")
    for name, rows in report.rows.items():
        e = sum(1 for f in report.errors if f.table == name)
        w = sum(1 for f in report.warnings if f.table == name)
        summary.add_row(name, str(rows), f"[red]{e}[/]" if e else "0", f"[yellow]{w}[/]" if w else "0")
    console.print(summary)
    for note in report.notes:
        console.print(f"note: {escape(note)}", highlight=False)
    listed = report.findings if show_acknowledged else [f for f in report.findings if not f.acknowledged]
    shown = listed if max_findings is None else listed[:max_findings]
    # One finding per line (nothing wraps into a narrow table cell), so editors and terminals can
    # jump to the place and pipes can count and filter; colour only where stdout is a terminal.
    for f in shown:
        if not out.is_terminal:  # a pipe or a file: plain lines, written fast
            stream.write(text_line(f, report.package) + "\n")
            continue
        line = escape(text_line(f, report.package))
        colour = "red" if f.severity == "error" else "yellow"
        out.print(line.replace(f": {f.severity} ", f": [{colour}]{f.severity}[/] ", 1))
    if len(shown) < len(listed):
        console.print(f"… and {len(listed) - len(shown)} more (raise --max-findings)")
    style = "green" if report.valid else "red"
    console.print(f"[{style}]{verdict_line(report)}[/]", highlight=False)


def render_json(report: Report, stream: IO[str] | None = None, *, max_findings: int | None = None) -> None:
    out = stream or sys.stdout
    data = report.to_dict()
    if max_findings is not None and len(data["findings"]) > max_findings:
        # The counts stay those of the whole run; only the list is cut.
        data["findings"] = data["findings"][:max_findings]
        data["findings_truncated"] = True
    json.dump(data, out, ensure_ascii=False, indent=2)
    out.write("\n")


def _escape_data(s: str) -> str:
    return s.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _escape_prop(s: str) -> str:
    return _escape_data(s).replace(":", "%3A").replace(",", "%2C")


def annotation(level: str, message: str, *, file: str | None = None, line: int | None = None, title: str | None = None) -> str:
    """One GitHub Actions workflow command (`::error file=…,line=…,title=…::message`)."""
    props = []
    if file:
        props.append(f"file={_escape_prop(file)}")
    if line:
        props.append(f"line={line}")
    if title:
        props.append(f"title={_escape_prop(title)}")
    return f"::{level} {','.join(props)}::{_escape_data(message)}".replace(f"::{level} ::", f"::{level}::")


def render_github(report: Report, stream: IO[str] | None = None, *, max_findings: int | None = None,
                  err: IO[str] | None = None) -> None:
    """GitHub Actions workflow commands: one `::error`/`::warning` line per finding on stdout; the verdict on stderr."""
    out = stream or sys.stdout
    # An acknowledged warning is kept on purpose: no annotation on every run (the verdict counts it).
    for f in [f for f in report.findings if not f.acknowledged][:max_findings]:
        value = f" (value: {f.value})" if f.value else ""
        out.write(annotation(f.severity, f.message + value, file=f.file, line=f.line,
                             title=f.rule + (" " + f.column if f.column else "")) + "\n")
    (err or sys.stderr).write(f"{verdict_line(report)}\n")


# --- SARIF 2.1.0 (GitHub code scanning) ------------------------------------------------------------

SARIF_SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"
_BASE_ID = "%SRCROOT%"


def _acknowledged(f: Finding) -> bool:
    # Set by the acknowledgements table (a finding reviewed and accepted); absent before it.
    return bool(getattr(f, "acknowledged", False))


def _sarif_base(report: Report) -> Path | None:
    """The folder SARIF paths are relative to: the git repository holding the package (so code
    scanning finds the file in the pull request), else the package's root."""
    if report.root is None:
        return None
    root = Path(report.root)
    from ..versions.refs import git_toplevel

    top = git_toplevel(root) if root.exists() else None
    return Path(top).resolve() if top else root.resolve()


def _sarif_location(f: Finding, base: Path | None, package: str) -> dict[str, Any]:
    # A finding about no file in particular (a vanished id) points at the package's descriptor.
    path = Path(f.file or package).resolve()
    if base is not None and path.is_relative_to(base):
        artifact: dict[str, Any] = {"uri": path.relative_to(base).as_posix(), "uriBaseId": _BASE_ID}
    else:
        artifact = {"uri": path.as_uri()}
    physical: dict[str, Any] = {"artifactLocation": artifact}
    if f.line:
        physical["region"] = {"startLine": f.line}
    return {"physicalLocation": physical}


def sarif(report: Report, *, max_findings: int | None = None) -> dict[str, Any]:
    """The report as a SARIF 2.1.0 log: one result per finding, the rules from the rule catalogue."""
    from ..contract.names import VERSION as __version__
    from ..contract.rulebook import describe

    findings = report.findings[:max_findings]
    names = sorted({f.rule for f in findings})
    index = {name: i for i, name in enumerate(names)}
    rules = []
    for name in names:
        info = describe(name)
        rules.append({
            "id": name,
            "name": "".join(part.capitalize() for part in name.split("-")),
            "shortDescription": {"text": info.summary},
            "help": {"text": f"{info.summary} How to fix: {info.fix}"},
            "properties": {"tags": [info.group]},
        })
    base = _sarif_base(report)
    results = []
    for f in findings:
        where = f"{f.table}.{f.column}" if f.table and f.column else (f.column or f.table or "")
        value = f" (value: {f.value[:200]})" if f.value else ""
        result: dict[str, Any] = {
            "ruleId": f.rule,
            "ruleIndex": index[f.rule],
            "level": f.severity,
            "message": {"text": f"{where + ': ' if where else ''}{f.message}{value}"},
            "locations": [_sarif_location(f, base, report.package)],
        }
        if _acknowledged(f):
            result["suppressions"] = [{"kind": "external", "justification": "acknowledged in the package's acknowledgements table"}]
        results.append(result)
    run: dict[str, Any] = {
        "tool": {"driver": {"name": "conflictdata", "version": __version__, "rules": rules}},
        "invocations": [{
            "executionSuccessful": True,
            "toolExecutionNotifications": [{"level": "note", "message": {"text": n}} for n in report.notes],
        }],
        "results": results,
    }
    if base is not None:
        run["originalUriBaseIds"] = {_BASE_ID: {"uri": base.as_uri() + "/"}}
    return {"$schema": SARIF_SCHEMA, "version": "2.1.0", "runs": [run]}


def render_sarif(report: Report, stream: IO[str] | None = None, *, max_findings: int | None = None,
                 err: IO[str] | None = None) -> None:
    """The SARIF log on stdout (for `github/codeql-action/upload-sarif`); the verdict on stderr."""
    out = stream or sys.stdout
    json.dump(sarif(report, max_findings=max_findings), out, ensure_ascii=False, indent=2)
    out.write("\n")
    (err or sys.stderr).write(f"{verdict_line(report)}\n")


# --- JUnit XML (CI systems' test reports) ---------------------------------------------------------


def junit(report: Report, *, max_findings: int | None = None) -> str:
    """The report as JUnit XML: a test suite per table, a test case per finding (and one `valid`
    case for a table without findings); errors fail, warnings too when the report is strict;
    acknowledged findings never fail."""
    import xml.etree.ElementTree as ET

    findings = report.findings[:max_findings]
    tables = list(report.rows) + sorted({f.table or "package" for f in findings} - set(report.rows))
    root = ET.Element("testsuites", name="conflictdata validate")
    total = failed = 0
    for table in tables:
        mine = [f for f in findings if (f.table or "package") == table]
        suite = ET.SubElement(root, "testsuite", name=table)
        fails = 0
        for f in mine:
            name = f"[{f.rule}] {f.file or report.package}{':' + str(f.line) if f.line else ''}{' ' + f.column if f.column else ''}"
            case = ET.SubElement(suite, "testcase", classname=f"conflictdata.{table}", name=name)
            if f.file:
                case.set("file", f.file)
            if f.line:
                case.set("line", str(f.line))
            text = text_line(f, report.package)
            if _acknowledged(f):
                ET.SubElement(case, "system-out").text = f"acknowledged: {text}"
            elif f.severity == "error" or report.strict:
                failure = ET.SubElement(case, "failure", message=f.message, type=f.rule)
                failure.text = text
                fails += 1
            else:
                ET.SubElement(case, "system-out").text = text
        if not mine:
            ET.SubElement(suite, "testcase", classname=f"conflictdata.{table}", name="valid")
        n = max(len(mine), 1)
        suite.set("tests", str(n))
        suite.set("failures", str(fails))
        suite.set("errors", "0")
        total += n
        failed += fails
    root.set("tests", str(total))
    root.set("failures", str(failed))
    root.set("errors", "0")
    ET.indent(root)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, encoding="unicode") + "\n"


def render_junit(report: Report, stream: IO[str] | None = None, *, max_findings: int | None = None,
                 err: IO[str] | None = None) -> None:
    """The JUnit XML on stdout; the verdict on stderr."""
    (stream or sys.stdout).write(junit(report, max_findings=max_findings))
    (err or sys.stderr).write(f"{verdict_line(report)}\n")
