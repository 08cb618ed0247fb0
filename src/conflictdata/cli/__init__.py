"""The `conflictdata` command, the thin skin at the top: it parses, calls one library function, renders.

- app: the root group, the commands in the order `--help` lists them, and `main` (the console
  script, the last line of defence against tracebacks).
- validate: `validate`, its output formats and progress bar.
- curate: `fmt` and `add KIND` (options generated from schema/).
- versions: `build`, `diff`, `bump`, `release`.
- download: `download` (a verified release into the cache).
- imports: `import SOURCE` and `run_import`, which every importer's command ends with.
- outputs: `export` and `report`.
- common: the one map from library exceptions to messages and exit codes (`errors`), finding
  the package (`package`), saying a result (`say`, `echo_json`).
- options: the options and arguments several commands share (PATH, `--format`, `--out`, …).
- params: the typer classes every command gets (`-h`, words as metavars, choices in errors).

`python -m conflictdata.cli` runs it too (`__main__`).
"""

from .app import app, main

__all__ = ["app", "main"]
