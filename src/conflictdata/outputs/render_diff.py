"""Rendering a `PackageDiff` as text for people (stderr) or as Markdown (stdout, for PRs and changelogs)."""

from __future__ import annotations

import sys
from typing import IO

from ..versions.diff import PackageDiff

__all__ = ["text", "markdown"]

_SHOWN = 20


def _cell(v: str) -> str:
    return (v if len(v) <= 60 else v[:57] + "…").replace("|", "\\|").replace("\n", " ") or "∅"


def markdown(d: PackageDiff) -> str:
    out = [f"# Changes {d.old_version or d.old} → {d.new_version or d.new}", "",
           f"Required version bump: **{d.required_bump or 'none'}**", ""]
    if d.schema:
        out += ["## Schema", "", "| table | column | change | bump |", "|---|---|---|---|"]
        out += [f"| {c.table or ''} | {c.column or ''} | {c.detail} | {c.bump} |" for c in d.schema]
        out.append("")
    for name, t in d.tables.items():
        if t.empty:
            continue
        out += [f"## {name}", "", f"{len(t.added)} added, {len(t.retracted)} retracted, {len(t.removed)} removed, {len(t.changed)} changed ({t.bump})", ""]
        for label, keys in (("added", t.added), ("retracted", t.retracted), ("removed without retraction", t.removed)):
            if keys:
                more = f" … and {len(keys) - _SHOWN} more" if len(keys) > _SHOWN else ""
                out.append(f"- {label}: {', '.join(f'`{k}`' for k in keys[:_SHOWN])}{more}")
        if t.changed:
            out += ["", "| key | field | before | after |", "|---|---|---|---|"]
            for c in t.changed[:_SHOWN]:
                for field, (a, b) in c.fields.items():
                    out.append(f"| `{c.key}` | {field} | {_cell(a)} | {_cell(b)} |")
            if len(t.changed) > _SHOWN:
                out.append(f"\n… and {len(t.changed) - _SHOWN} more changed rows (use --format json for all)")
        out.append("")
    if d.empty:
        out.append("No differences.")
    return "\n".join(out).rstrip() + "\n"


def text(d: PackageDiff, stream: IO[str] | None = None) -> None:
    from rich.console import Console
    from rich.markup import escape

    console = Console(file=stream or sys.stderr, soft_wrap=True, highlight=False, emoji=False)
    console.print(f"[bold]{escape(d.old)}[/] ({d.old_version}) → [bold]{escape(d.new)}[/] ({d.new_version})")
    for c in d.schema:
        where = ".".join(x for x in (c.table, c.column) if x)
        console.print(f"  schema {escape(where)}: {escape(c.detail)} [dim]({c.bump})[/]")
    for name, t in d.tables.items():
        if t.empty:
            continue
        console.print(f"[bold]{name}[/]: +{len(t.added)} added, {len(t.retracted)} retracted, -{len(t.removed)} removed, ~{len(t.changed)} changed [dim]({t.bump})[/]")
        for k in t.added[:_SHOWN]:
            console.print(f"  [green]+ {escape(k)}[/]")
        for k in t.retracted[:_SHOWN]:
            console.print(f"  [yellow]R {escape(k)}[/] (retracted)")
        for k in t.removed[:_SHOWN]:
            console.print(f"  [red]- {escape(k)}[/] (removed without retraction)")
        for c in t.changed[:_SHOWN]:
            console.print(f"  [cyan]~ {escape(c.key)}[/]" + (f" (line {c.line})" if c.line else ""))
            for field, (a, b) in c.fields.items():
                console.print(f"      {field}: {escape(_cell(a))} → {escape(_cell(b))}")
    verdict = "no differences" if d.empty else f"required bump: {d.required_bump}"
    console.print(verdict)
