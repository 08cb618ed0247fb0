"""Verdict parity with `frictionless validate`: both reports reduced to (resource, row, field, error type)."""

from __future__ import annotations

from pathlib import Path

FIXTURES = Path(__file__).resolve().parent / "fixtures/frictionless"
PACKAGES = sorted(
    str(p.relative_to(FIXTURES)) for p in
    [*FIXTURES.glob("*/datapackage.json"), *FIXTURES.glob("fk-inline/*.datapackage.json"),
     *FIXTURES.glob("r-example/*/datapackage.json"), FIXTURES / "storage/integrity.json"]
)

# conflictdata rule → frictionless error type.
KIND = {
    "type": "type-error", "required": "constraint-error", "enum": "constraint-error", "pattern": "constraint-error",
    "minimum": "constraint-error", "maximum": "constraint-error", "min-length": "constraint-error",
    "max-length": "constraint-error", "unique": "unique-error", "primary-key": "primary-key", "foreign-key": "foreign-key",
    "blank-row": "blank-row", "extra-cell": "extra-cell", "unquoted-delimiter": "extra-cell", "missing-cell": "missing-cell", "duplicate-column": "duplicate-label",
    "missing-column": "missing-label", "extra-column": "extra-label", "encoding": "encoding-error",
}
# Row-level errors carry no field in frictionless' report.
ROW_LEVEL = {"primary-key", "foreign-key", "blank-row", "extra-cell", "unquoted-delimiter"}


def ours(path: Path) -> list[list]:
    from conflictdata.versions.history import validate

    report = validate(path)
    return sorted([f.table, f.row, None if f.rule in ROW_LEVEL else f.column, KIND.get(f.rule, f.rule)] for f in report.findings)


def theirs(path: Path) -> list[list]:
    from frictionless import validate

    report = validate(str(path))
    return sorted([task.name, e.get("rowNumber"), e.get("fieldName") or None, e["type"]]
                  for task in report.tasks for e in (err.to_descriptor() for err in task.errors))


# The reference implementation's fixture suite (issue 16): every data package and resource
# descriptor of frictionless-py's data/ folder (tests/fixtures/frictionless-py, SOURCE.txt) and the
# frictionless-r example, each validated whole by both tools. Paths are relative to tests/fixtures,
# and both tools run from there, as `cd tests/fixtures && frictionless validate PATH` would.
SUITE_ROOT = FIXTURES.parent
SUITE_PINNED = SUITE_ROOT / "frictionless-py/EXPECTED-frictionless.json"
PARITY_DOC = SUITE_ROOT.parent.parent / "docs/parity.md"
# Their verdict here depends on the network (they fetch a URL); pinned as frictionless reports them offline.
NEEDS_NETWORK = {"frictionless-py/data/issue-494.package.json", "frictionless-py/data/package-with-pipeline-multiple-tables-to-write.json"}


def suite() -> list[str]:
    """Every descriptor of the suite: a JSON or YAML object with `resources` (a package) or with
    `path` or `data` (a resource), in upstream's data/ but for its cassettes and profiles."""
    import json

    import yaml

    base = SUITE_ROOT / "frictionless-py/data"
    out = []
    for p in sorted(base.rglob("*")):
        rel = p.relative_to(base).as_posix()
        if not p.is_file() or p.suffix.lower() not in (".json", ".yaml", ".yml") or rel.startswith(("cassettes/", "profiles/")):
            continue
        try:
            text = p.read_text(encoding="utf-8")
            d = json.loads(text) if p.suffix == ".json" else yaml.safe_load(text)
        except ValueError:  # upstream's invalid.json, which is no descriptor
            continue
        if isinstance(d, dict) and ("resources" in d or "path" in d or "data" in d):
            out.append(p.relative_to(SUITE_ROOT).as_posix())
    return out + [f"frictionless/r-example/{v}/datapackage.json" for v in ("v1", "v2")]


class _Cwd:
    def __init__(self, where: Path) -> None:
        self.where, self.before = where, None

    def __enter__(self) -> None:
        import os

        self.before = os.getcwd()
        os.chdir(self.where)

    def __exit__(self, *exc: object) -> None:
        import os

        os.chdir(self.before)


def their_verdict(rel: str) -> dict:
    """`frictionless validate REL` as its command line runs it (a descriptor it refuses outright
    exits 1: invalid), reduced to the verdict and its errors (resource, row, field, type)."""
    import warnings

    from frictionless import Checklist, FrictionlessException, Resource

    with _Cwd(SUITE_ROOT), warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            report = Resource(source=rel).validate(Checklist())
        except FrictionlessException as exc:
            return {"valid": False, "errors": [[None, None, None, exc.error.type]]}
    errors = [[None, None, None, e.type] for e in report.errors]
    errors += [[task.name, e.get("rowNumber"), e.get("fieldName") or None, e["type"]]
               for task in report.tasks for e in (err.to_descriptor() for err in task.errors)]
    return {"valid": report.valid, "errors": sorted(errors, key=repr)}


def our_verdict(rel: str) -> dict:
    """`conflictdata validate REL`: valid, invalid (exit 1, with the rules of its errors) or
    refused (exit 2, with its message)."""
    from conflictdata.contract.errors import UnusableInputError
    from conflictdata.versions.history import validate

    with _Cwd(SUITE_ROOT):
        try:
            report = validate(rel)
        except UnusableInputError as exc:
            return {"verdict": "refused", "why": str(exc)}
    return {"verdict": "valid" if report.valid else "invalid", "why": ", ".join(sorted({f.rule for f in report.errors}))}


def parity_rows(pinned: dict, allowed: dict[str, str]) -> list[dict]:
    """One row per descriptor: both verdicts, whether they agree, and the allow-list's reason."""
    rows = []
    for rel in suite():
        theirs_ = pinned[rel]
        ours_ = our_verdict(rel)
        fl = "valid" if theirs_["valid"] else "invalid"
        rows.append({"path": rel, "frictionless": fl, "frictionless_errors": ", ".join(sorted({e[3] for e in theirs_["errors"]})),
                     "conflictdata": ours_["verdict"], "conflictdata_why": ours_["why"],
                     "agree": (ours_["verdict"] == "valid") == theirs_["valid"], "allowed": allowed.get(rel)})
    return rows


def parity_doc(rows: list[dict]) -> str:
    """docs/parity.md: the table, generated (tests/test_parity.py checks it is current)."""
    agree = sum(r["agree"] for r in rows)
    lines = [
        "# Parity with `frictionless validate`",
        "",
        "<!-- Generated by `python tests/parity.py --write` from the suite in tests/fixtures; tests/test_parity.py fails when it is stale. -->",
        "",
        "Every data package and resource descriptor of frictionless-py's own `data/` folder (commit 44661adf, vendored in",
        "`tests/fixtures/frictionless-py`) and the frictionless-r example, validated whole by `frictionless validate` 5.21",
        "(with `frictionless[excel,json,ods]`; its verdicts pinned in `tests/fixtures/frictionless-py/EXPECTED-frictionless.json`)",
        "and by `conflictdata validate`. *refused* is exit 2 (the input cannot be used); the allow-list in `tests/test_parity.py`",
        "gives the reason for every refusal and every difference.",
        "",
        f"Same verdict on **{agree} of {len(rows)}** descriptors; conflictdata never says valid where frictionless says invalid.",
        "",
        "| descriptor | frictionless | conflictdata | same | why it may differ |",
        "|---|---|---|---|---|",
    ]
    for r in rows:
        fl = r["frictionless"] + (f" ({r['frictionless_errors']})" if r["frictionless_errors"] else "")
        why = r["conflictdata_why"]
        if r["conflictdata"] == "refused":
            why = why.split(": ", 1)[-1]
            why = why if len(why) <= 90 else why[:87] + "..."
        cd = r["conflictdata"] + (f" ({why})" if why else "")
        lines.append(f"| `{r['path']}` | {fl} | {cd.replace('|', '/')} | {'yes' if r['agree'] else '**no**'} | {r['allowed'] or ''} |")
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    # python tests/parity.py --pin: recompute the pinned verdicts with the installed frictionless;
    # --write: regenerate docs/parity.md.
    import json
    import sys

    sys.path.insert(0, str(Path(__file__).resolve().parent))
    if "--pin" in sys.argv:
        SUITE_PINNED.write_text(json.dumps({rel: their_verdict(rel) for rel in suite()}, indent=1) + "\n", encoding="utf-8")
    if "--write" in sys.argv:
        from test_parity import ALLOWED

        PARITY_DOC.write_text(parity_doc(parity_rows(json.loads(SUITE_PINNED.read_text()), ALLOWED)), encoding="utf-8")
