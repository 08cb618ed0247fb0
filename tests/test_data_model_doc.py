"""docs/data-model.md: its generated block matches schema/ and the rulebook, and the code points there."""

from __future__ import annotations

import importlib.util
import json
import re
from pathlib import Path

from pkgcopy import REPO, copy_package


def _generator():
    spec = importlib.util.spec_from_file_location("data_model_doc", REPO / "docs" / "data_model.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_the_generated_block_is_up_to_date() -> None:
    gen = _generator()
    text = gen.DOC.read_text(encoding="utf-8")
    assert gen.updated(text) == text, "docs/data-model.md is out of date: run `python docs/data_model.py`"


def test_a_schema_change_makes_the_page_out_of_date(tmp_path: Path) -> None:
    gen = _generator()
    text = gen.DOC.read_text(encoding="utf-8")
    pkg = copy_package(tmp_path / "pkg")
    path = pkg / "schema/stances.json"
    schema = json.loads(path.read_text(encoding="utf-8"))
    schema["fields"].append({"name": "planted_column", "type": "integer", "description": "A column only this test has.",
                             "constraints": {"minimum": 3}})
    path.write_text(json.dumps(schema, indent=2) + "\n", encoding="utf-8")
    new = gen.updated(text, pkg)
    assert new != text
    stances = new[new.index("### stances"):new.index("### retractions")]
    assert "| `planted_column` | integer | ≥ 3 | A column only this test has. |" in stances
    # Only the block between the markers changes: the hand-written text around it stays.
    assert new[:new.index(gen.BEGIN)] == text[:text.index(gen.BEGIN)]


def test_every_table_and_data_model_rule_is_on_the_page() -> None:
    from conflictdata.contract.package import open_package
    from conflictdata.contract.rulebook import RULEBOOK

    text = (REPO / "docs/data-model.md").read_text(encoding="utf-8")
    for name in open_package(REPO).resources:
        assert f"\n### {name}\n" in text, name
    for rule in (r for r in RULEBOOK.values() if r.group == "data model"):
        assert f"| `{rule.name}` |" in text, rule.name


def test_nothing_cites_the_missing_DATA_MODEL_md() -> None:
    pattern = re.compile(r"DATA-MODEL\.md")
    files = [*(REPO / "src").rglob("*.py"), *(REPO / "docs").rglob("*.md"), REPO / "README.md"]
    assert [str(p.relative_to(REPO)) for p in files if pattern.search(p.read_text(encoding="utf-8"))] == []
