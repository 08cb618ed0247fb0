"""The CLI's one map from library exceptions to exit codes (`conflictdata.cli.common`): refusals
exit 1, unusable input 2, and the map names only exceptions that exist."""

from __future__ import annotations

import pytest
import typer

from conflictdata.cli import common
from conflictdata.contract.errors import ConflictDataError, IntegrityError, InvalidDataError, UnusableInputError
from conflictdata.contract.findings import Finding, Report
from conflictdata.curation.curate import AddRefused
from conflictdata.importers.merge import ImportConflict
from conflictdata.versions.release import ReleaseRefused


def _subclasses(cls: type) -> set[type]:
    return {c for sub in cls.__subclasses__() for c in {sub, *_subclasses(sub)}}


def test_the_map_names_only_exceptions_the_library_defines() -> None:
    names = {c.__name__ for c in _subclasses(ConflictDataError) if c.__module__.startswith("conflictdata.")}
    assert set(common._REFUSALS) <= names


@pytest.mark.parametrize(("exc", "code"), [
    (IntegrityError("x"), 1), (ReleaseRefused("x"), 1), (AddRefused("x"), 1), (ImportConflict("x"), 1),
    (UnusableInputError("x"), 2), (ConflictDataError("x"), 2),
])
def test_refusals_exit_1_and_unusable_input_2(exc: Exception, code: int) -> None:
    assert common.exit_code(exc) == code


def test_a_subclass_exits_as_its_parent_and_a_command_may_override_a_code() -> None:
    class Tampered(IntegrityError):
        pass

    assert common.exit_code(Tampered("x")) == 1
    assert common.exit_code(ReleaseRefused("x"), {"ReleaseRefused": 2}) == 2


def test_errors_says_the_message_and_exits_with_the_code(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(typer.Exit) as raised, common.errors():
        raise ImportConflict("data/events.csv: EVT-1 is curated; not overwritten")
    assert raised.value.exit_code == 1
    assert capsys.readouterr().err == "conflictdata: error: data/events.csv: EVT-1 is curated; not overwritten\n"


def test_errors_renders_invalid_datas_findings_after_the_commands_sentence(capsys: pytest.CaptureFixture[str]) -> None:
    finding = Finding(table="events", file="data/events.csv", line=3, column="start_date", value="x", rule="type",
                      message="not a date", severity="error")
    with pytest.raises(typer.Exit) as raised, common.errors(invalid="the data is invalid; nothing was built"):
        raise InvalidDataError(Report(package="pkg", findings=[finding]))
    assert raised.value.exit_code == 1
    err = capsys.readouterr().err
    assert err.startswith("conflictdata: error: the data is invalid; nothing was built\n")
    assert "data/events.csv:3" in err and "not a date" in err


def _java_error(text: str) -> Exception:
    # The shape of py4j's Py4JJavaError as the CLI meets it (its module is what marks it Spark's).
    return type("Py4JJavaError", (Exception,), {"__module__": "py4j.protocol"})(text)


def test_a_spark_out_of_memory_error_is_a_message_not_a_java_traceback(monkeypatch: pytest.MonkeyPatch, tmp_path) -> None:
    from typer.testing import CliRunner

    from conflictdata.cli import app
    from conflictdata.spark import session
    from conflictdata.versions import history

    def boom(*args, **kwargs):
        raise _java_error("An error occurred while calling o123.collect.\n: java.lang.OutOfMemoryError: Java heap space\n\tat org.apache...")

    monkeypatch.setattr(session, "missing_spark", lambda: None)
    monkeypatch.setattr(session, "session", lambda master=None: None)
    monkeypatch.setattr(history, "validate", boom)
    (tmp_path / "datapackage.json").write_text('{"resources": []}')
    result = CliRunner().invoke(app, ["validate", str(tmp_path), "--engine", "spark"])
    assert result.exit_code == 2
    assert result.stderr.startswith("conflictdata: error: Spark ran out of memory (java.lang.OutOfMemoryError)")
    assert "SPARK_DRIVER_MEMORY=8g" in result.stderr and "Traceback" not in result.stderr and "org.apache" not in result.stderr


def test_spark_failures_are_told_apart_from_conflictdatas_own() -> None:
    from conflictdata.spark.session import spark_failure

    assert spark_failure(ValueError("x")) is None  # not Spark's: re-raised as it is
    assert spark_failure(_java_error("\n: org.apache.spark.SparkException: Job aborted\n\tat ...")) == (
        "Spark failed (Py4JJavaError): : org.apache.spark.SparkException: Job aborted; Spark's own log has the details")
    aggregation = _java_error(": org.apache.spark.memory.SparkOutOfMemoryError: [AGGREGATE_OUT_OF_MEMORY] No enough memory for aggregation")
    assert spark_failure(aggregation).startswith("Spark ran out of memory in an aggregation of the checks (AGGREGATE_OUT_OF_MEMORY); give the JVM more heap")
