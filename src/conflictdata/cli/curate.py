"""Curating a package from the command line: `fmt` (canonical CSV) and `add KIND` (one record,
its options generated from the table's schema/*.json)."""

from __future__ import annotations

import inspect
from pathlib import Path
from typing import Annotated, Optional

import typer

from .common import echo_json, errors, package
from .options import PathArg, ResultFormat, format_option
from .params import CONTEXT, Typer

__all__ = ["fmt", "add_app"]


def fmt(
    path: PathArg = None,
    check: Annotated[bool, typer.Option("--check", help="Change nothing; list the files that would change and exit 1 if any.")] = False,
) -> None:
    """Rewrite the CSV files in canonical form, so hand edits give small, clean diffs.

    Canonical: rows sorted by primary key, columns in schema order, UTF-8 without BOM, LF line
    endings, NFC text, trailing whitespace in cells trimmed, quotes only where needed. Running it
    twice changes nothing. Files that cannot be read safely (bad encoding, broken quoting, extra
    cells or columns) are left untouched and reported.

    Examples:

      conflictdata fmt .            # format a checkout

      conflictdata fmt . --check    # in CI: fail if a file is not canonical
    """
    from ..curation.fmt import format_package

    path = package(path, writes=None if check else "fmt")
    with errors():
        result = format_package(path, check=check)
    verb = "would reformat" if check else "reformatted"
    for f in result.changed:
        typer.echo(f"{verb} {f}", err=True)
    for f, reason in result.skipped.items():
        typer.echo(f"skipped {f}: {reason}", err=True)
    typer.echo(f"{len(result.changed)} file(s) {verb}, {len(result.unchanged)} already canonical, {len(result.skipped)} skipped", err=True)
    if result.skipped or (check and result.changed):
        raise typer.Exit(1)


add_app = Typer(help="Add one record (with the next free id) to a package: validated first, written canonically and atomically.",
                no_args_is_help=True, rich_markup_mode=None, context_settings=CONTEXT)

# Columns `add` sets itself, not by option: a source's snapshot and hash come from --snapshot FILE.
_ADD_SKIP = {"sources": {"snapshot", "snapshot_sha256"}}
_ADD_EXTRA = {
    "sources": {"snapshot": (Optional[Path], typer.Option("--snapshot", metavar="FILE", help="A text of the source the project may keep: archived as data/snapshots/<id>.txt with its sha256."))},
    "events": {
        "source": (list[str], typer.Option("--source", metavar="SRC-…", help="A source reporting the event (repeatable): written to event_sources.")),
        "locator": (list[str], typer.Option("--locator", help="Where in the n-th --source the event is reported (repeatable, in --source order).")),
        "source_quote": (list[str], typer.Option("--source-quote", help="The n-th --source's passage, verbatim; only for sources with a snapshot.")),
        "actor": (list[str], typer.Option("--actor", metavar="ACT-…:ROLE[:CERTAINTY]", help="An actor taking part (repeatable): written to event_actors; certainty defaults to known.")),
    },
}


def _schema_fields(table: str) -> list[dict]:
    """The table's columns from the bundled schema/ (the options are generated from it)."""
    import json

    from ..contract.errors import UnusableInputError
    from ..contract.discovery import bundled_root

    try:
        return json.loads((bundled_root() / "schema" / f"{table}.json").read_text(encoding="utf-8"))["fields"]
    except (UnusableInputError, OSError, ValueError, KeyError):
        return []


def _add_metavar(field: dict) -> str:
    """A word for the option's value, from the field's type and enum (what the curator types)."""
    enum = (field.get("constraints") or {}).get("enum")
    if enum and len("|".join(enum)) <= 40:
        return "|".join(enum)
    return {"date": "YYYY-MM-DD", "integer": "N", "number": "NUMBER", "boolean": "true|false"}.get(field.get("type"), "VALUE")


def _add_command(kind: str, table: str):
    fields = [f for f in _schema_fields(table) if f["name"] not in _ADD_SKIP.get(table, set())]
    params = [inspect.Parameter("path", inspect.Parameter.POSITIONAL_OR_KEYWORD, default=None, annotation=Annotated[
        Optional[Path], typer.Argument(help="The package folder (or its datapackage.json). Default: the nearest datapackage.json "
                                            "in this folder or above (never the dataset bundled with conflictdata).", show_default=False)])]
    for f in fields:
        first = (f.get("description") or "").split("; ")[0]
        params.append(inspect.Parameter(f["name"], inspect.Parameter.KEYWORD_ONLY, default=None, annotation=Annotated[
            Optional[str], typer.Option(f"--{f['name'].replace('_', '-')}", metavar=_add_metavar(f), help=first, show_default=False)]))
    for name, (kind_, option) in _ADD_EXTRA.get(table, {}).items():
        params.append(inspect.Parameter(name, inspect.Parameter.KEYWORD_ONLY, default=None, annotation=Annotated[kind_, option]))
    params.append(inspect.Parameter("format", inspect.Parameter.KEYWORD_ONLY, default=ResultFormat.text, annotation=Annotated[
        ResultFormat, format_option("text on stderr, or json on stdout.")]))
    columns = [f["name"] for f in fields]

    def command(**kw) -> None:
        from ..curation.curate import add_record

        values = {c: kw[c] for c in columns if kw.get(c) is not None}
        kw["path"] = package(kw["path"], writes=f"add {kind}")
        with errors():
            links = _event_links(kw) if table == "events" else {}
            result = add_record(kind, values, kw["path"], snapshot=kw.get("snapshot"), **links)
        if kw["format"] is ResultFormat.json:
            echo_json(result.to_dict())
        else:
            typer.echo(result.record_id)
            typer.echo(f"added {result.record_id}; wrote {', '.join(result.written)}", err=True)

    command.__signature__ = inspect.Signature(params)  # typer reads the options from it
    command.__name__ = f"add_{kind}"
    command.__doc__ = (f"Add one {kind} to {table}: one option per column of schema/{table}.json; the id defaults to the next free one."
                       + ("\n\nExample:\n\n  conflictdata add event . --title ... --source SRC-0003 --locator 'paragraph 2' --actor ACT-PRK-AF:deployed_force"
                          if table == "events" else ""))
    return command


def _event_links(kw: dict) -> dict:
    from ..curation.curate import AddRefused

    sources, locators, quotes = kw.get("source") or [], kw.get("locator") or [], kw.get("source_quote") or []
    if len(locators) > len(sources) or len(quotes) > len(sources):
        raise AddRefused("give one --source per --locator / --source-quote (they pair up in order)")
    actors = []
    for a in kw.get("actor") or []:
        parts = a.split(":")
        if len(parts) not in (2, 3) or not all(parts):
            raise AddRefused(f"--actor {a!r}: write ACT-…:ROLE or ACT-…:ROLE:CERTAINTY, e.g. ACT-PRK-AF:deployed_force")
        actors.append((parts[0], parts[1], parts[2] if len(parts) == 3 else "known"))
    pad = lambda xs: xs + [""] * (len(sources) - len(xs))  # noqa: E731
    return {"sources": list(zip(sources, pad(list(locators)), pad(list(quotes)))), "actors": actors}


def _register_add_commands() -> None:
    from ..curation.curate import KINDS

    for kind, table in KINDS.items():
        add_app.command(kind)(_add_command(kind, table))


_register_add_commands()
