"""The descriptor's metadata against the Data Package profile: rule `descriptor`.

The check is frictionless's own metadata validation (`Package.metadata_validate`; v1 or v2 by the
descriptor's `$schema`/`profile`), so that conflictdata refuses exactly the descriptors
`frictionless validate` refuses; it reads no data. frictionless reports where a problem is only
loosely (`property "contributors[].email"`), so each problem is traced to its JSON path
(`contributors[1].email`) by validating the nested objects one by one, the way frictionless
recurses, and by the few checks whose notes name no index. Each becomes a finding at the line of
the descriptor holding it.
"""

from __future__ import annotations

import copy
import re
import warnings
from pathlib import Path
from typing import Any

from .descriptor import json_path, line_of, shown_path
from .findings import Finding
from .package import Package

__all__ = ["check_metadata", "check_descriptor_file", "metadata_failure", "metadata_job", "check_job", "RULE"]

RULE = "descriptor"
Path_ = list[str | int]


def check_metadata(package: Package) -> list[Finding]:
    """The package's (or single resource's) descriptor checked against its profile; [] for a bare file."""
    job = metadata_job(package)
    return [] if job is None else check_job(job)


def metadata_job(package: Package) -> dict[str, Any] | None:
    """What the check reads of `package` (a JSON object, so a child process can do it:
    metadata_aside.py); None for a bare file, which has no descriptor."""
    if package.kind == "file":
        return None
    descriptor = package.descriptor["resources"][0] if package.kind == "resource" else package.descriptor
    return {"descriptor": descriptor, "kind": package.kind, "file": str(package.descriptor_path),
            "shown": package.display(package.descriptor_path)}


def check_job(job: dict[str, Any]) -> list[Finding]:
    """The check of a `metadata_job`."""
    return _check(job["descriptor"], job["kind"], Path(job["file"]), job["shown"])


def metadata_failure(package: Package, exc: BaseException | tuple[str, str]) -> Finding:
    """The warning when `check_metadata` itself failed (frictionless raises its own types; a
    report must still come). `exc`: the exception, or its type's name and text (from a child
    process, metadata_aside.py)."""
    kind, why = (type(exc).__name__, str(exc)) if isinstance(exc, BaseException) else exc
    return Finding("warning", RULE, f"the descriptor's metadata could not be checked against its profile "
                                    f"({kind}: {why}); check it with `frictionless validate`",
                   None, package.display(package.descriptor_path))


def check_descriptor_file(path: str | Path) -> list[Finding]:
    """The same for a descriptor file that `open_package` refused: [] when it cannot be read at all,
    or when its metadata are fine (the refusal then stands)."""
    from .descriptor import descriptor_kind, read_descriptor
    from .errors import UnusableInputError
    from .discovery import descriptor_in

    target = Path(path)
    target = descriptor_in(target) if target.is_dir() else target
    try:
        descriptor = read_descriptor(target, "the descriptor")
    except UnusableInputError:
        return []
    kind = descriptor_kind(descriptor)
    if kind is None:
        return []
    return _check(descriptor, kind, target, shown_path(target))


def _check(descriptor: dict[str, Any], kind: str, file: Path, shown: str) -> list[Finding]:
    from frictionless import Package as FPackage, Resource as FResource
    from frictionless.metadata.context import ValidationContext

    cls = FResource if kind == "resource" else FPackage
    # frictionless fetches a profile given as a URL; nothing is fetched while validating
    checked, skipped = _without_remote_profiles(descriptor)
    # As frictionless reads a descriptor: normalised first (a string primaryKey becomes a list,
    # v4's `layout` a dialect...), by the class its `type` selects.
    # Its deprecation notes (v4's `layout`...) would reach stderr as Python warnings. A filter, not
    # catch_warnings: this runs in a thread beside validation, and catch_warnings restores the
    # filters of the whole process when it exits.
    warnings.filterwarnings("ignore", message=r'.* is deprecated in favor of', category=UserWarning, module=r"frictionless\.")
    cls.metadata_transform(checked)
    cls = cls.metadata_select_class(checked.get("type"))
    cls.metadata_transform(checked)
    located = _locate(cls, checked, [], ValidationContext())
    resources = descriptor.get("resources") if kind == "package" else [descriptor]
    names = {i: r.get("name") for i, r in enumerate(resources) if isinstance(r, dict)} if isinstance(resources, list) else {}
    out = []
    for parts, note in located:
        if kind == "resource":
            table = names.get(0) or file.name.split(".")[0]
        else:
            table = names.get(parts[1]) if len(parts) > 1 and parts[0] == "resources" and isinstance(parts[1], int) else None
        value = _value_at(descriptor, parts)
        out.append(Finding("error", "descriptor", _message(parts, note), table if isinstance(table, str) else None, shown,
                           line_of(file, parts), json_path(parts), None if value is _MISSING else _short(value)))
    for where in skipped:
        out.append(Finding("warning", "descriptor", "a profile at a URL is not fetched while validating; its own rules were not checked",
                           None, shown, line_of(file, _parse(where)), where))
    return out


def _without_remote_profiles(descriptor: dict[str, Any]) -> tuple[dict[str, Any], list[str]]:
    skipped: list[str] = []
    out = copy.deepcopy(descriptor)
    objects: list[tuple[str, Any]] = [("", out)]
    if isinstance(out.get("resources"), list):
        objects += [(f"resources[{i}].", r) for i, r in enumerate(out["resources"])]
    for where, obj in objects:
        if isinstance(obj, dict) and isinstance(obj.get("profile"), str) and "://" in obj["profile"]:
            # The spec's own profiles by URL (v1 wrote them so) are the profiles frictionless names
            standard = re.search(r"/((?:tabular-)?data-(?:package|resource))\.json$", obj["profile"])
            if standard:
                obj["profile"] = standard.group(1)
            else:
                del obj["profile"]
                skipped.append(where + "profile")
    return out, skipped


def _locate(cls: Any, descriptor: dict[str, Any], here: Path_, context: Any) -> list[tuple[Path_, str]]:
    """frictionless's errors for `descriptor`, each with the JSON path of the object it is about.

    frictionless validates an object's children (resources, schema, fields, dialect) inside the
    object's own validation; validating each child apart tells its errors from its parent's."""
    import attrs

    errors = [e.note for e in cls.metadata_validate(descriptor, context=context)]
    if not errors:
        return []
    located: list[tuple[Path_, str]] = []
    child_context = attrs.evolve(context, datapackage_version=cls.effective_datapackage_version(descriptor, context.datapackage_version))
    for name in cls.metadata_ensure_profile().get("properties", {}):
        child_cls = cls.metadata_select_property_class(name)
        value = descriptor.get(name)
        if child_cls is None:
            continue
        items = list(enumerate(value)) if isinstance(value, list) else [(None, value)]
        for i, item in items:
            if not isinstance(item, dict):
                continue
            item_cls = child_cls.metadata_select_class(item.get("type"))
            for parts, note in _locate(item_cls, item, [*here, name, *([] if i is None else [i])], child_context):
                if note in errors:
                    errors.remove(note)
                    located.append((parts, note))
    counts: dict[str, int] = {}
    for note in errors:
        k = counts[note] = counts.get(note, -1) + 1
        located.append(([*here, *_where(descriptor, note, k)], note))
    return located


def _where(descriptor: dict[str, Any], note: str, k: int) -> Path_:
    """Where in `descriptor` the `k`-th error with this `note` lies (frictionless names no index)."""
    if (m := re.search(r"^'(\w+)' is a required property(?: at property '([^']*)')?$", note)):
        return [*_slashed(m.group(2) or ""), m.group(1)]
    if (m := re.search(r" at property '([^']*)'$", note)):
        return _slashed(m.group(1))
    if (m := re.match(r'property "(\w+)\[\]\.(\w+)" is not valid', note)):
        from frictionless import fields

        field = fields.StringField(name="email", format="email")
        bad = [i for i, item in enumerate(descriptor.get(m.group(1)) or [])
               if isinstance(item, dict) and item.get(m.group(2)) and field.read_cell(item[m.group(2)])[1]]
        return [m.group(1), bad[k], m.group(2)] if k < len(bad) else [m.group(1)]
    if note.startswith("license requires"):
        bad = [i for i, item in enumerate(descriptor.get("licenses") or []) if not item.get("path") and not item.get("name")]
        return ["licenses", bad[k]] if k < len(bad) else ["licenses"]
    if note == "names of the resources are not unique":
        seen: set[str] = set()
        for i, r in enumerate(descriptor.get("resources") or []):
            if isinstance(r, dict) and r.get("name") in seen:
                return ["resources", i, "name"]
            seen.add(r.get("name") if isinstance(r, dict) else None)
        return ["resources"]
    if note.startswith('profile "tabular-data-package" requires'):
        bad = [i for i, r in enumerate(descriptor.get("resources") or []) if r.get("profile") != "tabular-data-resource"]
        return ["resources", bad[k], "profile"] if k < len(bad) else ["resources"]
    if note.startswith('profile "tabular-data-resource" requires "schema"'):
        return ["schema"]
    if (m := re.match(r'path "(.*)" is not safe$', note)):
        for key, value in descriptor.items():
            if value == m.group(1):
                return [key]
            if isinstance(value, list) and m.group(1) in value:
                return [key, value.index(m.group(1))]
        return []
    if (m := re.match(r'(?:property )?"(\w+)"', note)):
        return [m.group(1)] if m.group(1) in descriptor else []
    if note.startswith('properties "path" and "data"'):
        return ["data"]
    if "name" in note and "name" in descriptor:
        return ["name"]
    return []


# What to do, by the start of frictionless's note (the rest of the note follows it in the message).
_FIXES = [
    (r'property "created" is not valid', "write it as an ISO 8601 date and time, e.g. \"2024-01-31T12:00:00Z\""),
    (r'property "\w+\[\]\.email" is not valid', "write a valid email address, or leave 'email' out"),
    (r"license requires", "give the license a 'name' (e.g. \"CC-BY-4.0\") or a 'path' (its URL)"),
    (r"names of the resources are not unique", "rename one of the two resources"),
    (r'"(\w+)" should be set as "([\w.]+)"', "move it to '{1}'"),
    (r"'name' is a required property", "give it a 'name' (lower case letters, digits, '-', '_', '.')"),
    (r'one of the properties "path" or "data" is required', "give it a 'path' (its file) or inline 'data'"),
    (r'profile "tabular-data-package" requires', "set this resource's 'profile' to \"tabular-data-resource\" (and give it a schema)"),
    (r'profile "tabular-data-resource" requires "schema"', "add the resource's Table Schema ('schema')"),
    (r'path ".*" is not safe', "use a path relative to the descriptor's folder, without '..'"),
    (r"is not of type '(\w+)'", "write it as {0}"),
    (r"is not one of", "use one of the values the profile allows"),
    (r"is a required property", "add it"),
]
_TYPES = {"string": "a string", "object": "an object", "array": "a list", "integer": "an integer", "number": "a number",
          "boolean": "true or false"}


def _message(parts: Path_, note: str) -> str:
    fix = "make it conform to the Data Package profile"
    for pattern, text in _FIXES:
        if (m := re.search(pattern, note)):
            groups = [_TYPES.get(g, g) for g in m.groups()]
            fix = text.format(*groups)
            break
    # The JSON path is the finding's column; frictionless's own spelling of it would repeat it.
    said = re.sub(r" at property '[^']*'$", "", note)
    said = re.sub(r'^property "[^"]*" is not valid "(\w+)"$', r"not a valid \1", said)
    return f"{said}: {fix}"


_MISSING = object()


def _value_at(descriptor: Any, parts: Path_) -> Any:
    for part in parts:
        try:
            descriptor = descriptor[part]
        except (KeyError, IndexError, TypeError):
            return _MISSING
    return descriptor


def _short(value: Any) -> str:
    import json

    text = value if isinstance(value, str) else json.dumps(value, ensure_ascii=False, default=str)
    return text if len(text) <= 80 else text[:77] + "..."


def _slashed(path: str) -> Path_:
    return [int(p) if p.isdigit() else p for p in path.split("/") if p]


def _parse(where: str) -> Path_:
    return [int(p) if p.isdigit() else p for p in re.findall(r"\w+", where)]
