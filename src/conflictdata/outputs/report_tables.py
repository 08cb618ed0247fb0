"""The report's HTML tables: row counts, validation summary, actors, sources and the data dictionary.

Internal to `report` (its names keep their leading underscore). Header texts are escaped by
`_table`; each section escapes every value from the data as it builds the cells.
"""

from __future__ import annotations

import html
from collections import Counter
from typing import Any, Iterable, Mapping, Sequence

import pandas as pd

from ..contract.findings import Report
from ..contract.package import Package
from ..contract.schema import field_specs
from .charts import _fmt_int

__all__: list[str] = []

ADMIRALTY = {
    "A": "completely reliable", "B": "usually reliable", "C": "fairly reliable",
    "D": "not usually reliable", "E": "unreliable", "F": "reliability cannot be judged",
}

esc = html.escape


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


def _counts(frame: pd.DataFrame | None, column: str) -> Counter[str]:
    if frame is None or column not in frame:
        return Counter()
    return Counter(str(v) for v in frame[column].tolist() if not (v is None or pd.isna(v)))


def _section_actors(tables: Mapping[str, pd.DataFrame]) -> str:
    """Per actor: the events it takes part in (and in which roles), the claims it made, made on
    its behalf and made about its losses, and its stances."""
    actors = tables.get("actors")
    if actors is None:
        return ""
    links = tables.get("event_actors")
    claims = tables.get("casualty_claims")
    events: dict[str, set[str]] = {}
    roles: dict[str, Counter[str]] = {}
    if links is not None:
        for event, actor, role in zip(links["event_id"].astype(str), links["actor_id"].astype(str), links["role"].astype(str)):
            events.setdefault(actor, set()).add(event)
            roles.setdefault(actor, Counter())[role] += 1
    made, behalf, about = (_counts(claims, c) for c in ("claimant_actor_id", "on_behalf_of_actor_id", "subject_actor_id"))
    stances = _counts(tables.get("stances"), "actor_id")
    records = actors.to_dict("records")
    records.sort(key=lambda r: (-len(events.get(str(r["actor_id"]), ())), -made[str(r["actor_id"])], -about[str(r["actor_id"])], str(r["actor_id"])))

    def num(n: int) -> str:
        return f'<span class="num">{n:,}</span>' if n else '<span class="num muted">0</span>'

    rows = []
    for r in records:
        actor = str(r["actor_id"])
        role_text = ", ".join(f"{role.replace('_', ' ')} {n:,}" for role, n in sorted(roles.get(actor, Counter()).items(), key=lambda kv: (-kv[1], kv[0])))
        rows.append((f'<code>{esc(actor)}</code>', esc(_text(r.get("name"))), esc(_text(r.get("actor_type")).replace("_", " ")),
                     esc(_text(r.get("country_iso3"))), num(len(events.get(actor, ()))), f'<span class="muted">{esc(role_text)}</span>',
                     num(made[actor]), num(behalf[actor]), num(about[actor]), num(stances[actor])))
    return ('<h2 id="actors">Actors</h2><p>What each actor takes part in: the events it is linked to in '
            '<code>event_actors</code> (each event counted once, its roles listed), the casualty claims it made, the claims '
            'made on its behalf, the claims about its own losses, and its stances. A claim counts for its claimant, not as a '
            'verified figure.</p>'
            + _table(["id", "name", "type", "country", "events", "roles", "claims made", "on its behalf", "about its losses",
                      "stances"], rows, "actors"))


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
