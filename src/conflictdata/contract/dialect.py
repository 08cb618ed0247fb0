"""CSV dialects: a resource's `dialect`, referenced or inline, nested (frictionless 5: `{"csv": {…}}`)
or flat (Data Package v1/v2), read into one `Dialect` the reader follows.

A dialect given as a path (`"dialect": "dialect.json"`) is read from the package like a schema,
with the same refusals (no URL, no absolute path, no `..`, no symlink out). The keys the reader
honours are those of `Dialect`; a key it does not (`headerCase: false`, a `nullSequence`…) puts
the resource in frictionless's hands (`Dialect.unsupported`), and the report says so.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .errors import UnusableInputError

__all__ = ["Dialect", "dialect_of", "with_dialect"]

# The CSV keys (flat in Data Package v1/v2, under "csv" in frictionless 5's own form).
_CSV_KEYS = {"delimiter", "quoteChar", "doubleQuote", "escapeChar", "skipInitialSpace", "lineTerminator", "nullSequence"}
_TABLE_KEYS = {"header", "headerRows", "headerJoin", "headerCase", "commentChar", "commentRows", "skipBlankRows"}
# Keys that change nothing when reading a local file.
_INERT = {"name", "title", "description", "type", "$schema", "profile", "csvddfVersion", "caseSensitiveHeader"}


@dataclass(frozen=True, slots=True)
class Dialect:
    """How to read a resource's CSV file. `header_rows` None: not given (frictionless then guesses
    the header row from the widths of the first records: `reading.csvfile.guess_header_row`)."""

    delimiter: str | None = None
    quote_char: str = '"'
    double_quote: bool = True
    escape_char: str | None = None
    skip_initial_space: bool = False
    header: bool = True
    header_rows: tuple[int, ...] | None = None
    header_join: str = " "
    comment_char: str | None = None
    comment_rows: tuple[int, ...] = ()
    skip_blank_rows: bool = False
    # Keys the reader does not follow (the resource goes to frictionless).
    unsupported: tuple[str, ...] = ()

    @property
    def plain(self) -> bool:
        """Whether the fast reader (pyarrow, one record per line, header on line 1) may read it."""
        return (self.quote_char == '"' and self.double_quote and self.escape_char is None and not self.skip_initial_space
                and self.header and self.header_rows in (None, (1,)) and self.comment_char is None and not self.comment_rows
                and not self.skip_blank_rows)

    @property
    def guess_header(self) -> bool:
        return self.header and self.header_rows is None

    def python(self, delimiter: str) -> dict[str, Any]:
        """Keyword arguments for `csv.reader`, as frictionless builds them (a `doubleQuote: false`
        counts only with an `escapeChar`)."""
        import csv

        return {"delimiter": delimiter, "quotechar": self.quote_char or None, "escapechar": self.escape_char,
                "doublequote": self.double_quote if self.escape_char else True, "skipinitialspace": self.skip_initial_space,
                "quoting": csv.QUOTE_NONE if self.quote_char == "" else csv.QUOTE_MINIMAL}


def with_dialect(res: dict[str, Any], locate: Callable[[str], Path], read_json: Callable[[Path, str], dict[str, Any]]) -> dict[str, Any]:
    """The resource descriptor `res` with a dialect given as a path read in (a copy; `res` as it is
    when its dialect is inline or absent). `locate` resolves the path inside the package (refusing
    what leaves it) and `read_json` reads a JSON object, both the package's own (package.py)."""
    ref = res.get("dialect")
    if not isinstance(ref, str):
        return res
    path = locate(ref)
    if path.suffix.lower() not in (".yaml", ".yml"):
        return {**res, "dialect": read_json(path, f"the dialect of {res.get('name')!r}")}
    import yaml

    try:
        dialect = yaml.safe_load(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise UnusableInputError(f"{path}: no such file (the dialect of {res.get('name')!r})") from None
    except (OSError, UnicodeDecodeError, yaml.YAMLError) as exc:
        raise UnusableInputError(f"{path}: the dialect is not readable YAML ({exc}); fix the syntax there") from None
    if not isinstance(dialect, dict):
        raise UnusableInputError(f"{path}: a dialect must be an object (e.g. delimiter: ';'), got {type(dialect).__name__}")
    return {**res, "dialect": dialect}


def _rows(value: Any) -> tuple[int, ...]:
    return tuple(v for v in value if isinstance(v, int)) if isinstance(value, list) else ()


def dialect_of(descriptor: dict[str, Any], fmt: str = "csv") -> Dialect:
    """The dialect of a resource descriptor (its `dialect` already read in by `with_dialect`)."""
    raw = descriptor.get("dialect")
    raw = raw if isinstance(raw, dict) else {}
    if isinstance(descriptor.get("layout"), dict):  # frictionless 4's name for the table keys, merged over the dialect as v5 does
        raw = {**raw, **descriptor["layout"]}
    nested = raw.get("csv") if isinstance(raw.get("csv"), dict) else {}
    flat = {**{k: v for k, v in raw.items() if k in _CSV_KEYS}, **nested}
    unsupported = []
    if raw.get("headerCase") is False:
        unsupported.append("headerCase")
    if flat.get("nullSequence") is not None:
        unsupported.append("nullSequence")
    for key in ("delimiter", "quoteChar", "escapeChar"):
        if key in flat and not (isinstance(flat[key], str) and len(flat[key]) <= 1 and (flat[key] or key == "quoteChar")):
            unsupported.append(key)  # csv.reader takes one character; frictionless reports what it makes of more
    default = "\t" if fmt == "tsv" else None
    header_rows = raw.get("headerRows")
    return Dialect(
        delimiter=flat["delimiter"] if "delimiter" in flat and "delimiter" not in unsupported else default,
        quote_char=flat.get("quoteChar", '"') if "quoteChar" not in unsupported else '"',
        double_quote=bool(flat.get("doubleQuote", True)),
        escape_char=(flat.get("escapeChar") or None) if "escapeChar" not in unsupported else None,
        skip_initial_space=bool(flat.get("skipInitialSpace", False)),
        # `headerRows: []` is a header of no rows: the columns are the schema's, as with `header: false`.
        header=raw.get("header", True) is not False and header_rows != [],
        header_rows=_rows(header_rows) or None if header_rows is not None else None,
        header_join=raw.get("headerJoin", " ") if isinstance(raw.get("headerJoin"), str) else " ",
        comment_char=raw.get("commentChar") if isinstance(raw.get("commentChar"), str) and raw.get("commentChar") else None,
        comment_rows=_rows(raw.get("commentRows")),
        skip_blank_rows=raw.get("skipBlankRows") is True,
        unsupported=tuple(unsupported),
    )
