"""The `conflictdata` command, the thin skin at the top: it parses, calls one library function, renders.

- app: the typer application, one command per verb, and `main` (the console script, which turns
  every `ConflictDataError` into a message and an exit code).
- params: the typer defaults shared by every command (help options, option order).

`python -m conflictdata.cli` runs it too (`__main__`).
"""

from .app import app, main

__all__ = ["app", "main"]
