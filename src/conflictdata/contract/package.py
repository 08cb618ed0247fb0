"""Data package descriptors: reading and resolving `datapackage.json` and its schemas (finding one: discovery.py).

Only the standard library is used here, so that commands which merely locate a package stay light.
Paths inside a descriptor must stay inside the package: no absolute paths, no `..`, no URLs
(nothing is fetched over the network unless a command explicitly asks to).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from .descriptor import descriptor_kind, is_descriptor_file, read_descriptor, shown_path
from .dialect import with_dialect
from .discovery import bundled_root, descriptor_in, find_package
from .errors import UnsafeInputError, UnusableInputError
from .names import DESCRIPTOR

__all__ = ["Package", "Resource", "open_package", "open_file", "safe_join", "table_of_file", "is_data_file", "TABULAR_FORMATS"]

# Formats read as tables when a resource has no schema (frictionless infers one for these and
# checks the others, e.g. a PDF or a Markdown file, only as files).
TABULAR_FORMATS = frozenset({"csv", "tsv", "parquet", "parq", "xlsx", "xls", "ods", "jsonl", "ndjson", "gz", "zip"})

OWN_PACKAGE_NAME = "conflictdata"


@dataclass(slots=True)
class Resource:
    """One tabular resource: its name, data file(s) and Table Schema."""

    name: str
    paths: list[Path]
    relpaths: list[str]
    schema: dict[str, Any]
    format: str
    descriptor: dict[str, Any] = field(default_factory=dict)
    # Rows given in the descriptor itself (`data`), instead of a file.
    inline: list[Any] | None = None
    # How the resource was read where the fast path needed help (e.g. a schema inferred by frictionless).
    note: str | None = None

    @property
    def path(self) -> Path:
        return self.paths[0] if self.paths else Path(f"<inline data of {self.name}>")

    @property
    def relpath(self) -> str:
        return self.relpaths[0] if self.relpaths else f"<inline data of {self.name}>"

    @property
    def fields(self) -> list[dict[str, Any]]:
        return self.schema.get("fields", [])

    @property
    def field_names(self) -> list[str]:
        return [f["name"] for f in self.fields]

    @property
    def primary_key(self) -> list[str]:
        pk = self.schema.get("primaryKey") or []
        return [pk] if isinstance(pk, str) else list(pk)

    @property
    def row_key(self) -> list[str]:
        """The fields that identify a row, for sorting and diffing: the primary key, else the
        first of `uniqueKeys` (Table Schema v2; its fields may be empty, e.g. acknowledgements)."""
        if self.primary_key:
            return self.primary_key
        keys = self.schema.get("uniqueKeys") or []
        return list(keys[0]) if keys and isinstance(keys[0], list) else []

    @property
    def foreign_keys(self) -> list[dict[str, Any]]:
        out = []
        for fk in self.schema.get("foreignKeys") or []:
            fields = fk["fields"]
            ref = fk["reference"]
            ref_fields = ref["fields"]
            out.append(
                {
                    "fields": [fields] if isinstance(fields, str) else list(fields),
                    "resource": ref.get("resource") or self.name,
                    "ref_fields": [ref_fields] if isinstance(ref_fields, str) else list(ref_fields),
                }
            )
        return out

    @property
    def missing_values(self) -> list[str]:
        # Data Package v2 also allows [{"value": "NA", "label": "not applicable"}].
        values = self.schema.get("missingValues", [""])
        return [v["value"] if isinstance(v, dict) else v for v in values]


@dataclass(slots=True)
class Package:
    """A data package on disk: its root folder, descriptor and resources in descriptor order."""

    root: Path
    descriptor_path: Path
    descriptor: dict[str, Any]
    resources: dict[str, Resource]
    # What was given: a package descriptor, one resource's descriptor (`descriptor` is then a
    # package wrapping it) or a bare data file (no descriptor; `descriptor_path` is the file).
    kind: Literal["package", "resource", "file"] = "package"
    # Resources that are not tables (no schema, a format such as PDF): name → what was done.
    others: dict[str, str] = field(default_factory=dict)

    @property
    def name(self) -> str:
        return str(self.descriptor.get("name", ""))

    @property
    def version(self) -> str | None:
        return self.descriptor.get("version")

    @property
    def is_conflictdata(self) -> bool:
        """Whether the conflictdata-specific rules apply (our own package or a copy of it)."""
        return self.name == OWN_PACKAGE_NAME

    def display(self, path: Path) -> str:
        """A path as a person would type it: relative to the working directory when possible."""
        return shown_path(path)


def is_data_file(path: str | Path) -> bool:
    """A file that is not a descriptor (JSON or YAML): a table to check in its package, or on its own."""
    p = Path(path)
    return p.is_file() and not is_descriptor_file(p)


def table_of_file(file: str | Path) -> tuple[Path, str] | None:
    """For a data file (not a folder or a descriptor): the folder of the nearest package that has it
    as a resource, and that resource's name. None when `file` is no data file, or belongs to no
    package (it is then checked on its own: `open_file`)."""
    if not is_data_file(file):
        return None
    p = Path(file)
    root = find_package(p.parent)
    if root is None:
        return None
    package = open_package(root)
    target = p.resolve()
    for res in package.resources.values():
        if any(q.resolve() == target for q in res.paths):
            return root, res.name
    return None


def open_file(file: str | Path, schema: str | Path | dict[str, Any] | None = None) -> Package:
    """A bare data file as a package of one table, as `frictionless validate FILE [--schema S]`
    reads it: its Table Schema given (a file, JSON or YAML, or a dict), else inferred by frictionless."""
    p = Path(file)
    if not p.is_file():
        raise UnusableInputError(f"{file}: no such file")
    if isinstance(schema, (str, Path)):
        schema = read_descriptor(Path(schema), "the Table Schema (--schema)")
    name = re.sub(r"[^a-z0-9._-]+", "-", p.stem.lower()).strip("-") or "table"
    res: dict[str, Any] = {"name": name, "path": p.name}
    if schema is not None:
        res["schema"] = schema
    package = _open(p.parent, p, {"resources": [res]}, "file")
    if schema is None:
        package.resources[name].note = "a file of no package: its schema inferred with frictionless"
    return package


def safe_join(root: Path, relpath: str, *, what: str, where: str) -> Path:
    """Resolve `relpath` under `root`, refusing anything that could leave the package."""
    if not isinstance(relpath, str) or not relpath:
        raise UnusableInputError(f"{where}: {what} must be a non-empty relative path, got {relpath!r}")
    if "://" in relpath:
        raise UnsafeInputError(
            f"{where}: {what} {relpath!r} is a URL; conflictdata reads only local files in the "
            "package (download it and point the descriptor at the local copy)"
        )
    p = Path(relpath)
    if p.is_absolute() or relpath.startswith(("/", "\\")):
        raise UnsafeInputError(f"{where}: {what} {relpath!r} is absolute; use a path relative to the package root")
    if ".." in p.parts:
        raise UnsafeInputError(f"{where}: {what} {relpath!r} contains '..'; keep every file inside the package")
    full = root / p
    try:
        inside = full.resolve().is_relative_to(root.resolve())
    except OSError:
        inside = False
    if not inside:
        raise UnsafeInputError(f"{where}: {what} {relpath!r} resolves outside the package (a symlink?)")
    return full


def _infer_schema(root: Path, res: dict[str, Any], where: str) -> dict[str, Any]:
    """A resource without a schema: let the reference implementation infer one (rare, small)."""
    try:
        from frictionless import Resource as FResource

        resource = FResource({k: v for k, v in res.items() if k != "schema"}, basepath=str(root))
        resource.infer()
        return resource.schema.to_descriptor()
    except Exception as exc:  # frictionless raises its own error types
        raise UnusableInputError(f"{where}: no schema, and frictionless could not infer one ({exc})") from None


def _names(value: Any) -> list[Any]:
    return [value] if isinstance(value, str) else value if isinstance(value, list) else [value]


def _check_schema(schema: dict[str, Any], where: str) -> None:
    """Refuse a Table Schema whose structure the checks cannot use (a field without a name, an
    enum that is not a list, a pattern that is not a regular expression, keys naming no field),
    naming what to fix, instead of failing later on it."""
    import re

    names: list[str] = []
    for i, f in enumerate(schema["fields"]):
        if not isinstance(f, dict) or not isinstance(f.get("name"), str) or not f["name"]:
            raise UnusableInputError(f"{where}: fields[{i}] is not an object with a 'name'; give every field a name")
        names.append(f["name"])
        c = f.get("constraints")
        if c is None:
            continue
        if not isinstance(c, dict):
            raise UnusableInputError(f"{where}: field {f['name']!r}: 'constraints' must be an object")
        if "enum" in c and not isinstance(c["enum"], list):
            raise UnusableInputError(f"{where}: field {f['name']!r}: 'enum' must be a list of the allowed values")
        if "pattern" in c:
            try:
                re.compile(c["pattern"])
                re.compile(f"^(?:{c['pattern']})\\Z")
            except (re.error, TypeError) as exc:
                raise UnusableInputError(f"{where}: field {f['name']!r}: 'pattern' {c['pattern']!r} is not a regular expression ({exc})") from None
    for key in _names(schema.get("primaryKey") or []):
        if key not in names:
            raise UnusableInputError(f"{where}: primaryKey names {key!r}, which is not a field of the schema")
    fks = schema.get("foreignKeys") or []
    for i, fk in enumerate(fks if isinstance(fks, list) else [fks]):
        ref = fk.get("reference") if isinstance(fk, dict) else None
        if not isinstance(ref, dict) or "fields" not in fk or "fields" not in ref:
            raise UnusableInputError(f"{where}: foreignKeys[{i}] needs 'fields' and a 'reference' with 'fields'")
        local, remote = _names(fk["fields"]), _names(ref["fields"])
        if len(local) != len(remote) or not all(isinstance(n, str) for n in local + remote):
            raise UnusableInputError(f"{where}: foreignKeys[{i}]: 'fields' and 'reference.fields' must name as many fields")
        for key in local:
            if key not in names:
                raise UnusableInputError(f"{where}: foreignKeys[{i}] names {key!r}, which is not a field of the schema")


def open_package(path: str | Path | None = None) -> Package:
    """Open the package at `path`: a folder, its `datapackage.json` (or a YAML descriptor), or one
    resource's descriptor (`*.resource.json`, any object with `path` or `data` and no `resources`),
    read as a package of that one resource. The bundled package by default."""
    if path is None:
        target = bundled_root() / DESCRIPTOR
    else:
        target = Path(path)
        if target.is_dir():
            target = descriptor_in(target)
        elif not target.exists():
            raise UnusableInputError(f"{path}: no such file or folder")
        elif not is_descriptor_file(target):
            raise UnusableInputError(
                f"{path}: a data file, not a descriptor (.json, .yaml); validate it on its own (conflictdata validate {path}, "
                "with --schema SCHEMA.json to give its Table Schema), or run the command on the package it belongs to")
    descriptor = read_descriptor(target, "the package descriptor")
    kind = descriptor_kind(descriptor)
    if kind is None:
        raise UnusableInputError(f"{shown_path(target)}: neither a data package (no 'resources' list) nor a resource (no 'path' or 'data'); "
                                 "add 'resources' (one entry per table), or 'path' for a single resource")
    if kind == "resource":
        return _open(target.parent, target, {"resources": [descriptor]}, "resource")
    return _open(target.parent, target, descriptor, "package")


def _open(root: Path, target: Path, descriptor: dict[str, Any], kind: Literal["package", "resource", "file"]) -> Package:
    raw_resources = descriptor.get("resources")
    if not isinstance(raw_resources, list):
        raise UnusableInputError(f"{target}: 'resources' must be a list, one entry per table")
    resources: dict[str, Resource] = {}
    others: dict[str, str] = {}
    for i, res in enumerate(raw_resources):
        where = f"{target}: resources[{i}]"
        if kind == "resource" and isinstance(res, dict) and not res.get("name"):
            # frictionless requires it too (a metadata finding says so); the table still needs a label
            res = {**res, "name": target.name.split(".")[0]}
        if not isinstance(res, dict) or not res.get("name"):
            raise UnusableInputError(f"{where}: every resource needs a 'name'")
        name = res["name"]
        where = f"{target}: resource {name!r}"
        if name in resources or name in others:
            raise UnusableInputError(f"{where}: the name is used twice; resource names must be unique")
        res = with_dialect(res, lambda ref, where=where: safe_join(root, ref, what="dialect", where=where), read_descriptor)
        raw_path = res.get("path")
        inline = res.get("data")
        if raw_path is None and isinstance(res.get("url"), str):
            # CKAN's (and frictionless v4's) spelling of a remote path, which frictionless fetches
            safe_join(root, res["url"], what="url", where=where)
        if raw_path is None and not isinstance(inline, list):
            raise UnusableInputError(f"{where}: neither a 'path' nor inline 'data' rows")
        relpaths = [] if raw_path is None else raw_path if isinstance(raw_path, list) else [raw_path]
        paths = [safe_join(root, p, what="path", where=where) for p in relpaths]
        schema = res.get("schema")
        note = None
        schema_where = where
        if isinstance(schema, str):
            schema_path = safe_join(root, schema, what="schema", where=where)
            schema = read_descriptor(schema_path, f"the schema of {name!r}")
            schema_where = f"{schema_path} (schema of {name!r})"
        if schema is None and not _tabular(res, relpaths):
            others[name] = f"not a table ({_format_of(res, relpaths) or 'no format'}, no schema): checked as a file only, as frictionless does"
            for p in paths:
                if not p.is_file():
                    raise UnusableInputError(f"{where}: {p} does not exist; fix the path")
            continue
        if schema is None and (paths or isinstance(inline, list)):
            schema = _infer_schema(root, res, where)
            note = "no schema in the descriptor: inferred with frictionless"
        if not isinstance(schema, dict) or not isinstance(schema.get("fields"), list):
            raise UnusableInputError(f"{where}: no Table Schema with a 'fields' list")
        _check_schema(schema, schema_where)
        fmt = res.get("format") or (Path(relpaths[0]).suffix.lstrip(".").lower() if relpaths else "inline") or "csv"
        resources[name] = Resource(name, paths, list(relpaths), schema, fmt, res, inline if raw_path is None else None, note)
    for res in resources.values():
        for i, fk in enumerate(res.foreign_keys):
            ref = resources.get(fk["resource"])
            missing = [f for f in fk["ref_fields"] if ref is not None and f not in ref.field_names]
            if missing:
                raise UnusableInputError(f"{target}: resource {res.name!r}: foreignKeys[{i}] references {fk['resource']}.{missing[0]}, "
                                         "which is not a field there; fix the schema")
    return Package(root, target, descriptor, resources, kind, others)


def _format_of(res: dict[str, Any], relpaths: list[str]) -> str:
    fmt = res.get("format")
    if isinstance(fmt, str) and fmt:
        return fmt.lower()
    return Path(relpaths[0]).suffix.lstrip(".").lower() if relpaths and isinstance(relpaths[0], str) else ""


def _tabular(res: dict[str, Any], relpaths: list[str]) -> bool:
    """Whether a resource without a schema is a table (frictionless then infers its schema)."""
    if res.get("type") == "table" or res.get("profile") == "tabular-data-resource" or "data" in res:
        return True
    return _format_of(res, relpaths) in TABULAR_FORMATS
