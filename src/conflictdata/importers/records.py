"""The compiled dataset's JSON files, read strictly: daily records, whole-number figures, and the
corrections file's retroactive adjustments. Shared by the General Staff (personnel, equipment) and
Oryx importers.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from ..contract.errors import UnusableInputError

__all__ = ["load_records", "integer", "read_corrections", "adjustment_note"]


def integer(value: Any, what: str, where: str) -> int:
    # JSON has one number type: 690720.0 is the same figure, 690720.5 is not a count.
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise UnusableInputError(f"{where}: {what} is {value!r}, not a number")
    if isinstance(value, float):
        if not value.is_integer():
            raise UnusableInputError(f"{where}: {what} is {value!r}, not a whole number")
        value = int(value)
    if value < 0:
        raise UnusableInputError(f"{where}: {what} is {value}, a negative count")
    return value


def load_records(file: Path) -> list[dict[str, Any]]:
    try:
        data = file.read_bytes()
    except FileNotFoundError:
        raise UnusableInputError(f"{file}: no such file") from None
    except OSError as exc:
        raise UnusableInputError(f"{file}: cannot read: {exc}") from None
    try:
        records = json.loads(data)
    except json.JSONDecodeError as exc:
        raise UnusableInputError(f"{file}:{exc.lineno}:{exc.colno}: not JSON ({exc.msg})") from None
    except UnicodeDecodeError as exc:
        raise UnusableInputError(f"{file}: not JSON text ({exc})") from None
    if not isinstance(records, list):
        raise UnusableInputError(f"{file}: expected a JSON list of daily records, got a {type(records).__name__}")
    if not records:
        raise UnusableInputError(f"{file}: the list of records is empty; refusing to retract every imported claim")
    return records


def read_corrections(file: Path) -> dict[str, dict[str, int]]:
    """Per date, the non-zero adjustments of the compiled corrections file, by upstream key."""
    records = load_records(file)
    out: dict[str, dict[str, int]] = {}
    for i, rec in enumerate(records):
        where = f"{file}: record {i}"
        if not isinstance(rec, dict) or not isinstance(rec.get("date"), str):
            raise UnusableInputError(f"{where}: expected an object with a 'date'")
        deltas = out.setdefault(rec["date"], {})
        for key, value in rec.items():
            if key in ("date", "day") or value is None:
                continue
            if isinstance(value, bool) or not isinstance(value, int):
                raise UnusableInputError(f"{where} ({rec['date']}): {key!r} is {value!r}, not a whole number")
            if value:
                deltas[key] = deltas.get(key, 0) + value
    return out


def adjustment_note(delta: int, where: str, prev_date: str, prev_figure: int | str, prev_id: str) -> str:
    return (f"This total includes a retroactive adjustment of {delta:+d} to the earlier running total ({where}): "
            f"it supersedes the figure of {prev_date} ({prev_figure}, {prev_id}).")
