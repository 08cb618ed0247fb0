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
