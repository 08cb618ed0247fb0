"""Descriptor files as `frictionless validate` reads them: a data package or a single resource,
in JSON or YAML, and where in the file a JSON path is.

A descriptor is a data package when it has `resources`, a resource when it has `path` or `data`
(Data Package spec); `open_package` turns a resource descriptor into a package of one resource.
YAML is read with PyYAML (a dependency of frictionless), imported only for YAML files.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any, Literal

from .errors import UnusableInputError

__all__ = ["DESCRIPTOR_NAMES", "DESCRIPTOR_SUFFIXES", "is_descriptor_file", "read_descriptor", "descriptor_kind",
           "json_path", "line_of", "shown_path"]

# What `find_package` looks for in a folder, in this order.
DESCRIPTOR_NAMES = ("datapackage.json", "datapackage.yaml", "datapackage.yml")
DESCRIPTOR_SUFFIXES = (".json", ".yaml", ".yml")


def is_descriptor_file(path: str | Path) -> bool:
    """Whether `path` names a descriptor (JSON or YAML) rather than a data file."""
    return Path(path).suffix.lower() in DESCRIPTOR_SUFFIXES


def _is_yaml(path: Path) -> bool:
    return path.suffix.lower() in (".yaml", ".yml")


def read_descriptor(path: Path, what: str) -> dict[str, Any]:
    """The JSON object in `path` (YAML for `.yaml`/`.yml`); `UnusableInputError` naming the line to fix."""
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise UnusableInputError(f"{path}: no such file ({what})") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise UnusableInputError(f"{path}: cannot read {what}: {exc}") from None
    if _is_yaml(path):
        import yaml

        try:
            data = yaml.safe_load(text)
        except yaml.MarkedYAMLError as exc:
            mark = exc.problem_mark
            where = f"{path}:{mark.line + 1}:{mark.column + 1}" if mark is not None else str(path)
            raise UnusableInputError(f"{where}: {what} is not valid YAML ({exc.problem}); fix the syntax there") from None
        except yaml.YAMLError as exc:
            raise UnusableInputError(f"{path}: {what} is not valid YAML ({exc}); fix the syntax") from None
        kind = "YAML mapping"
    else:
        try:
            data = json.loads(text)
        except json.JSONDecodeError as exc:
            raise UnusableInputError(
                f"{path}:{exc.lineno}:{exc.colno}: {what} is not valid JSON ({exc.msg}); fix the syntax there"
            ) from None
        except RecursionError:
            raise UnusableInputError(f"{path}: {what} nests arrays or objects too deeply to read; it is not a descriptor") from None
        kind = "JSON object"
    if not isinstance(data, dict):
        raise UnusableInputError(f"{path}: {what} must be a {kind}, got {type(data).__name__}")
    return data


def shown_path(path: Path) -> str:
    """A path as a person would type it: relative to the working directory when possible."""
    cwd = Path.cwd().resolve()
    if cwd == Path(cwd.anchor):
        return str(path)
    try:
        return str(path.resolve().relative_to(cwd))
    except ValueError:
        return str(path)


def descriptor_kind(descriptor: dict[str, Any]) -> Literal["package", "resource"] | None:
    """`package` (it has `resources`), `resource` (`path` or `data`, no `resources`), else None."""
    if "resources" in descriptor:
        return "package"
    if "path" in descriptor or "data" in descriptor:
        return "resource"
    return None


def json_path(parts: list[str | int]) -> str:
    """`["contributors", 0, "email"]` → `contributors[0].email` (the whole descriptor: `$`)."""
    out = ""
    for part in parts:
        if isinstance(part, int):
            out += f"[{part}]"
        elif re.fullmatch(r"[A-Za-z_$@][\w$@:-]*", part):
            out += f".{part}" if out else part
        else:
            out += f"[{json.dumps(part, ensure_ascii=False)}]"
    return out or "$"


def line_of(path: Path, parts: list[str | int]) -> int | None:
    """The line of `path` where the value at `parts` starts (its key's line for an object member),
    or the deepest ancestor found; None when the file cannot be parsed as YAML (JSON is YAML here)."""
    try:
        import yaml

        node = yaml.compose(path.read_text(encoding="utf-8"), Loader=yaml.SafeLoader)
    except Exception:  # a locator must never break a report; the finding keeps its file
        return None
    line = node.start_mark.line + 1 if node is not None else None
    for part in parts:
        child = None
        if isinstance(node, yaml.MappingNode) and isinstance(part, str):
            for key, value in node.value:
                if key.value == part:
                    child, line = value, key.start_mark.line + 1
                    break
        elif isinstance(node, yaml.SequenceNode) and isinstance(part, int) and 0 <= part < len(node.value):
            child = node.value[part]
            line = child.start_mark.line + 1
        if child is None:
            break
        node = child
    return line
