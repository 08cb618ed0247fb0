"""Rendering reports for people (rich tables on stderr), for machines (JSON) and for CI (GitHub annotations).

Renderers take a `Report` and write it; they never decide validity. Only `--format json` writes to
stdout, so that stdout can be piped into `jq` untouched.
"""

from __future__ import annotations

import json
import sys
from typing import IO

from .findings import Report

__all__ = ["render_text", "render_json", "render_github", "verdict_line"]


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


def render_text(report: Report, stream: IO[str] | None = None, *, max_findings: int | None = None,
                show_acknowledged: bool = False) -> None:
    from rich.console import Console
    from rich.markup import escape
    from rich.table import Table

    console = Console(file=stream or sys.stderr, soft_wrap=True, emoji=False)
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
    # Acknowledged warnings are counted in the verdict, listed only on request.
    listed = report.findings if show_acknowledged else [f for f in report.findings if not f.acknowledged]
    shown = listed if max_findings is None else listed[:max_findings]
    # One finding per line, compiler style (file:line: severity [rule] column: message), so
    # editors and terminals can jump to the place and nothing wraps into a narrow table cell.
    for f in shown:
        mark = "[red]error[/]" if f.severity == "error" else "[dim]acknowledged warning[/]" if f.acknowledged else "[yellow]warning[/]"
        where = f"{f.file or report.package}{':' + str(f.line) if f.line else ''}"
        col = f" {f.column}" if f.column else ""
        value = f" (value: {escape(f.value[:80] + ('…' if len(f.value) > 80 else ''))})" if f.value else ""
        console.print(f"{escape(where)}: {mark} [bold]\\[{f.rule}][/]{escape(col)}: {escape(f.message)}{value}", highlight=False)
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


def render_github(report: Report, stream: IO[str] | None = None, *, max_findings: int | None = None) -> None:
    """GitHub Actions workflow commands: one `::error`/`::warning` line per finding."""
    out = stream or sys.stdout
    # An acknowledged warning is kept on purpose: no annotation on every run (the verdict counts it).
    for f in [f for f in report.findings if not f.acknowledged][:max_findings]:
        props = []
        if f.file:
            props.append(f"file={_escape_prop(f.file)}")
        if f.line:
            props.append(f"line={f.line}")
        props.append(f"title={_escape_prop(f.rule + (' ' + f.column if f.column else ''))}")
        value = f" (value: {f.value})" if f.value else ""
        out.write(f"::{f.severity} {','.join(props)}::{_escape_data(f.message + value)}\n")
    out.write(f"{verdict_line(report)}\n")
