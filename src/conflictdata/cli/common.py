"""What every command shares: the package it acts on, how it says a result, and the one map from
the library's exceptions to messages and exit codes.

Exit codes: 0 success; 1 the input was read and refused (invalid data, a refused release or
record, an import conflict, a tampered or unsafe archive); 2 the input cannot be used (no such
path, an unreadable descriptor, the network). A command wraps its library call in `errors(...)`;
`main` applies the same map to whatever reaches it.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from enum import Enum
from pathlib import Path
from typing import Any, Optional

import typer

from ..contract.errors import ConflictDataError, InvalidDataError

__all__ = ["REFUSED", "UNUSABLE", "exit_code", "errors", "fail", "say", "echo_json", "package"]

REFUSED, UNUSABLE = 1, 2
# The refusals, by class name so that this map imports none of the (heavy) modules that define
# them; every other ConflictDataError is unusable input.
_REFUSALS = {"IntegrityError": REFUSED, "ReleaseRefused": REFUSED, "AddRefused": REFUSED, "ImportConflict": REFUSED}


def exit_code(exc: BaseException, codes: Mapping[str, int] | None = None) -> int:
    """The exit code of a library exception: `codes` (class name → code) before the map."""
    table = {**_REFUSALS, **(codes or {})}
    for cls in type(exc).__mro__:
        if cls.__module__.split(".")[0] == "conflictdata" and cls.__name__ in table:
            return table[cls.__name__]
    return UNUSABLE


def fail(message: str, code: int = UNUSABLE, format: Enum | None = None, title: str | None = None) -> typer.Exit:
    """Say why on stderr (and as an `::error` annotation with `--format github`); the exit to raise."""
    typer.echo(f"conflictdata: error: {message}", err=True)
    if format is not None and format.value == "github":
        say(format, "error", message, title=title)
    return typer.Exit(code)


def say(format: Enum, level: str, message: str, *, title: str | None = None, file: str | None = None) -> None:
    """A result for people: a line on stderr, or with `--format github` an annotation
    (`::error`/`::warning`/`::notice`) on stdout, where a workflow shows it."""
    if format.value == "github":
        from ..outputs.render import annotation

        typer.echo(annotation(level, message, file=file, title=title))
    else:
        typer.echo(message if level == "notice" else f"conflictdata: {level}: {message}", err=True)


@contextmanager
def errors(format: Enum | None = None, title: str | None = None, *, invalid: str = "the data is invalid",
           codes: Mapping[str, int] | None = None) -> Iterator[None]:
    """Turn the library's exceptions into a message and an exit: invalid data as `invalid` and
    its findings (on stderr; annotations on stdout with `--format github`, where stdout holds no
    other result), exit 1; any other ConflictDataError as its message, exit `exit_code`."""
    try:
        yield
    except InvalidDataError as exc:
        from ..outputs import render

        typer.echo(f"conflictdata: error: {invalid}", err=True)
        if format is not None and format.value == "github":
            render.render_github(exc.report, max_findings=50)
        else:
            render.render_text(exc.report, sys.stderr, max_findings=50)
        raise typer.Exit(REFUSED) from None
    except ConflictDataError as exc:
        raise fail(str(exc), exit_code(exc, codes), format=format, title=title) from None


def echo_json(data: Any, **kwargs: Any) -> None:
    """Machine output: the result as indented JSON on stdout."""
    typer.echo(json.dumps(data, indent=2, **kwargs))


def package(path: Optional[Path], *, writes: Optional[str] = None) -> Path:
    """The package a command acts on: PATH; else the nearest datapackage.json here or above (as git
    finds .git); else the bundled dataset, said on stderr. `writes` names a command that will
    change the package: it is refused the bundled dataset (exit 2)."""
    from ..contract.discovery import discover, writable_package

    with errors():
        if writes is not None:
            return writable_package(path, command=writes)
        found = discover(path)
    if found.note:
        typer.echo(found.note, err=True)
    return found.path
