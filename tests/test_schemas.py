"""The public Pandera models (`conflictdata.schemas`, `.polars`): generated from `schema/`, up to
date, accepting the dataset as `load()` and the built Parquet give it, rejecting every column-rule
corruption the mutation test makes (and those of required, unique and length it does not)."""

from __future__ import annotations

import datetime
import re
from pathlib import Path
from typing import Any

import pandas as pd
import pandera.errors
import pytest
from pandera.typing import DataFrame

import conflictdata
from conflictdata.versions.build import build
from conflictdata.contract.package import open_package
from conflictdata.contract.schema import FieldSpec, field_specs
from conflictdata.schemas import CasualtyClaims, generate
from pkgcopy import copy_package
from test_mutations import candidates

pl = pytest.importorskip("polars")
from conflictdata.schemas import polars as polars_models  # noqa: E402 (needs polars)

COLUMN_RULES = {"type", "enum", "pattern", "minimum"}  # the mutation test's others are cross-table


@pytest.fixture(scope="module")
def core(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return copy_package(tmp_path_factory.mktemp("core") / "pkg")


@pytest.fixture(scope="module")
def loaded(core: Path) -> dict[str, pd.DataFrame]:
    return dict(conflictdata.load(core))


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build(None, tmp_path_factory.mktemp("b") / "out").out


@pytest.mark.parametrize("backend", generate.BACKENDS)
def test_the_committed_modules_are_generated_from_the_current_schemas(backend: str) -> None:
    committed = {p.name: p.read_text(encoding="utf-8") for p in sorted(generate.MODULE_DIRS[backend].glob("*.py"))}
    assert committed == generate.render_modules(None, backend), "run `python -m conflictdata.schemas.generate` and commit the result"


def test_regenerating_writes_a_changed_table_and_removes_a_gone_ones_module(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    for backend in generate.BACKENDS:
        (tmp_path / backend).mkdir()
        (tmp_path / backend / "gone.py").write_text(f'"""Old.\n\n{generate.GENERATED} from its Table Schema."""\n', encoding="utf-8")
        (tmp_path / backend / "helper.py").write_text('"""Not generated: kept."""\n', encoding="utf-8")
    monkeypatch.setattr(generate, "MODULE_DIRS", {b: tmp_path / b for b in generate.BACKENDS})
    changed = generate.write_modules(None)
    tables = list(open_package(None).resources)
    for backend in generate.BACKENDS:
        folder = tmp_path / backend
        assert sorted(p.name for p in folder.glob("*.py")) == sorted(["__init__.py", "helper.py", *(f"{t}.py" for t in tables)])
        assert folder / "gone.py" in changed and folder / "events.py" in changed
    assert generate.write_modules(None) == []


def test_every_generated_module_is_under_400_lines() -> None:
    for backend in generate.BACKENDS:
        for name, text in generate.render_modules(None, backend).items():
            assert text.count("\n") < 400, f"{backend}/{name}"


def test_there_is_one_model_per_table_named_after_it() -> None:
    tables = list(open_package(None).resources)
    for models in (conflictdata.schemas.MODELS, polars_models.MODELS):
        assert list(models) == tables
        assert [m.__name__ for m in models.values()] == [generate.class_name(t) for t in tables]
    assert conflictdata.schemas.CasualtyClaims is conflictdata.schemas.MODELS["casualty_claims"]
    assert polars_models.Events is polars_models.MODELS["events"]


def test_pandera_schema_gives_each_backends_schema_with_the_table_schema_facts() -> None:
    import pandera.api.pandas.container as pandas_api
    import pandera.api.polars.container as polars_api

    claims = open_package(None).resources["casualty_claims"].schema
    schema = conflictdata.pandera_schema("casualty_claims")
    assert isinstance(schema, pandas_api.DataFrameSchema) and schema.name == "casualty_claims"
    assert isinstance(conflictdata.pandera_schema("casualty_claims", backend="polars"), polars_api.DataFrameSchema)
    for spec in field_specs(claims):
        column = schema.columns[spec.name]
        assert (column.description, column.nullable) == (spec.description, not spec.required)
    assert schema.columns["claim_id"].unique is True
    event_actors = conflictdata.pandera_schema("event_actors")
    assert event_actors.unique == open_package(None).resources["event_actors"].primary_key
    with pytest.raises(KeyError, match="no table named 'claims'; the tables are: sources, "):
        conflictdata.pandera_schema("claims")
    with pytest.raises(ValueError, match="backend must be 'pandas' or 'polars'"):
        conflictdata.pandera_schema("events", backend="spark")


def test_the_models_accept_the_dataset_as_load_and_every_parquet_reader_give_it(built: Path) -> None:
    for name, frame in conflictdata.load().items():
        conflictdata.schemas.MODELS[name].validate(frame, lazy=True)
        conflictdata.schemas.MODELS[name].validate(pd.read_parquet(built / f"data/{name}.parquet"), lazy=True)
        polars_models.MODELS[name].validate(pl.read_parquet(built / f"data/{name}.parquet"), lazy=True)
        polars_models.MODELS[name].validate(pl.from_pandas(frame), lazy=True)


def test_a_model_is_a_type_annotation_checked_by_pandera(loaded: dict[str, pd.DataFrame]) -> None:
    @pandera.check_types
    def killed(claims: DataFrame[CasualtyClaims]) -> int:
        return int(claims.loc[claims["measure"] == "killed", "value_best"].sum())

    claims = loaded["casualty_claims"]
    assert killed(claims) == int(claims.loc[claims["measure"] == "killed", "value_best"].sum())
    with pytest.raises(pandera.errors.SchemaError, match="value_best"):
        killed(claims.assign(value_best=claims["value_best"].astype("float64")))


def _parse(new: str, spec: FieldSpec) -> Any:
    """The corrupted cell as a value of the field's type, or None where it is not of the type."""
    try:
        if spec.type == "integer":
            return int(new)
        if spec.type == "number":
            return float(new)
        if spec.type == "date":
            return datetime.date.fromisoformat(new)
    except ValueError:
        return None
    return new


def _with_pandas(frame: pd.DataFrame, r: int, spec: FieldSpec, new: Any) -> pd.DataFrame:
    col = frame[spec.name].copy()
    value = _parse(new, spec) if new is not None else None
    if new is not None and value is None:  # not of the type: the column can only be object
        col = col.astype(object)
        value = new
    elif isinstance(col.dtype, pd.CategoricalDtype) and value is not None and value not in col.cat.categories:
        col = col.cat.add_categories([value])
    col.iat[r] = pd.NA if value is None else value
    return frame.assign(**{spec.name: col})


def _with_polars(frame: pd.DataFrame, r: int, spec: FieldSpec, new: Any) -> Any:
    df = pl.from_pandas(frame)
    values = df[spec.name].to_list()
    value = _parse(new, spec) if new is not None else None
    if new is not None and value is None:
        values = [None if v is None else str(v) for v in values]
        values[r] = new
        return df.with_columns(pl.Series(spec.name, values, dtype=pl.String))
    values[r] = value
    return df.with_columns(pl.Series(spec.name, values, dtype=df[spec.name].dtype))


def _column_corruptions(core: Path, loaded: dict[str, pd.DataFrame]) -> list[tuple[str, int, str, Any, str]]:
    """(table, row, column, new value or None for missing, rule): the mutation test's column-rule
    corruptions, one per table, column and rule, and a missing, too short or repeated value in
    every column whose rule forbids it."""
    out: dict[tuple[str, str, str], tuple[str, int, str, Any, str]] = {}
    package = open_package(core)
    patterns = {(t, f["name"]): f["constraints"]["pattern"] for t, res in package.resources.items() for f in res.fields if "pattern" in f.get("constraints", {})}
    for table, r, _, col, new, rule, _ in candidates(core):
        # A lower-cased value that still has the form (a snapshot path) breaks no column rule.
        if rule in COLUMN_RULES and not (rule == "pattern" and re.match(f"^(?:{patterns[table, col]})\\Z", new)):
            out.setdefault((table, col, rule), (table, r, col, new, rule))
    for table, res in package.resources.items():
        if len(loaded[table]) < 2:
            continue
        for spec in field_specs(res.schema):
            if spec.required:
                out[(table, spec.name, "required")] = (table, 0, spec.name, None, "required")
            if spec.constraints.get("minLength", 0) >= 1:
                out[(table, spec.name, "min-length")] = (table, 0, spec.name, "", "min-length")
            if spec.unique or res.primary_key == [spec.name]:
                out[(table, spec.name, "unique")] = (table, 1, spec.name, str(loaded[table][spec.name].iat[0]), "unique")
    return sorted(out.values(), key=str)


def test_every_single_cell_column_rule_corruption_is_rejected_by_both_backends(core: Path, loaded: dict[str, pd.DataFrame]) -> None:
    corruptions = _column_corruptions(core, loaded)
    assert {c[4] for c in corruptions} == COLUMN_RULES | {"required", "min-length", "unique"}
    specs = {t: {s.name: s for s in field_specs(res.schema)} for t, res in open_package(core).resources.items()}
    missed = []
    for table, r, col, new, rule in corruptions:
        spec = specs[table][col]
        for backend, frame, model in (("pandas", _with_pandas(loaded[table], r, spec, new), conflictdata.schemas.MODELS[table]),
                                      ("polars", _with_polars(loaded[table], r, spec, new), polars_models.MODELS[table])):
            try:
                model.validate(frame, lazy=True)
            except pandera.errors.SchemaErrors as exc:
                cases = exc.failure_cases
                columns = set(cases["column"].to_list())
                if col not in columns:
                    missed.append((backend, table, r, col, new, rule, sorted(map(str, columns))))
            else:
                missed.append((backend, table, r, col, new, rule, "accepted"))
    assert not missed, "\n".join(map(str, missed))


def test_a_composite_primary_key_repeated_is_rejected(loaded: dict[str, pd.DataFrame]) -> None:
    pk = open_package(None).resources["event_actors"].primary_key
    frame = loaded["event_actors"]
    twice = pd.concat([frame, frame.iloc[[0]]], ignore_index=True)
    with pytest.raises(pandera.errors.SchemaErrors) as caught:
        conflictdata.schemas.EventActors.validate(twice, lazy=True)
    assert set(caught.value.failure_cases["check"]) == {"multiple_fields_uniqueness"}
    assert set(caught.value.failure_cases["column"]) == set(pk)
    with pytest.raises(pandera.errors.SchemaErrors) as caught:
        polars_models.EventActors.validate(pl.from_pandas(twice), lazy=True)
    assert caught.value.failure_cases["index"].to_list() == [0, len(frame)]


def test_the_built_package_ships_the_pandera_schemas_as_yaml(built: Path) -> None:
    import pandera.pandas as pa

    for name in open_package(None).resources:
        text = (built / f"schema/pandera/{name}.yaml").read_text(encoding="utf-8")
        assert text == conflictdata.pandera_schema(name).to_yaml()
        assert pa.DataFrameSchema.from_yaml(text).columns.keys() == conflictdata.pandera_schema(name).columns.keys()


def test_any_table_gets_models_even_with_columns_that_are_not_python_names(tmp_path: Path) -> None:
    import json

    pkg = copy_package(tmp_path / "pkg")
    schema = {"fields": [{"name": "class", "type": "string", "constraints": {"required": True, "enum": ["a", "b"]}},
                         {"name": "value-low", "type": "integer", "constraints": {"minimum": 0}}],
              "primaryKey": ["class", "value-low"]}
    (pkg / "schema/side_notes.json").write_text(json.dumps(schema))
    (pkg / "data/side_notes.csv").write_text("class,value-low\na,1\n")
    descriptor = json.loads((pkg / "datapackage.json").read_text())
    descriptor["resources"].append({"name": "side_notes", "path": "data/side_notes.csv", "schema": "schema/side_notes.json"})
    (pkg / "datapackage.json").write_text(json.dumps(descriptor))
    package = open_package(pkg)
    frame = conflictdata.load(pkg, tables=["side_notes"])["side_notes"]
    pandas_model = generate.build_models(package, "pandas")["side_notes"]
    assert pandas_model.__name__ == "SideNotes"
    pandas_model.validate(frame)
    bad = frame.assign(**{"value-low": frame["value-low"] - 2})
    with pytest.raises(pandera.errors.SchemaError, match="value-low"):
        pandas_model.validate(bad)
    polars_model = generate.build_models(package, "polars")["side_notes"]
    polars_model.validate(pl.from_pandas(frame))
    with pytest.raises(pandera.errors.SchemaError, match="value-low"):
        polars_model.validate(pl.from_pandas(bad))
