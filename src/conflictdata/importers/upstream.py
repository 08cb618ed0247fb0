"""Facts about an upstream file that importers put in its source row: SOURCE.txt and the file's hash.

The shared data folders carry a SOURCE.txt naming the repository, commit and license a file came
from. Importers read it rather than hard-code such facts, and refuse to guess when it is absent.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from ..contract.errors import UnusableInputError
from ..checking.integrity import sha256_file

__all__ = ["UpstreamInfo", "read_source_txt"]

_LICENSES = [(re.compile(r"CC[ -]BY[ -]4\.0", re.I), "CC-BY-4.0"), (re.compile(r"\bMIT\b"), "MIT"),
             (re.compile(r"ODC[ -]PDDL", re.I), "ODC-PDDL-1.0")]


@dataclass(frozen=True, slots=True)
class UpstreamInfo:
    repository: str
    url: str
    commit: str
    commit_date: str
    license: str
    license_text: str
    sha256: str


def read_source_txt(file: Path, source_txt: Path | None = None) -> UpstreamInfo:
    """Parse the SOURCE.txt beside `file` (or `source_txt`): repository, commit and date, license."""
    txt = source_txt or file.parent / "SOURCE.txt"
    try:
        text = txt.read_text(encoding="utf-8")
    except UnicodeDecodeError as exc:
        raise UnusableInputError(f"{txt}: not UTF-8 text ({exc.reason} at byte {exc.start}); re-save it as UTF-8") from None
    except OSError:
        raise UnusableInputError(
            f"{txt}: no SOURCE.txt naming the repository, commit and license of {file.name}; "
            "write one (lines 'Repository:', 'Commit: <sha> (<YYYY-MM-DD>)', 'License:') — the source row needs them") from None
    fields = {}
    for line in text.splitlines():
        key, sep, value = line.partition(":")
        if sep and key.strip() in ("Repository", "Commit", "License") and key.strip() not in fields:
            fields[key.strip()] = value.strip()
    missing = [k for k in ("Repository", "Commit", "License") if not fields.get(k)]
    if missing:
        raise UnusableInputError(f"{txt}: no {', '.join(missing)} line; the source row cannot be written without it")
    m = re.match(r"([0-9a-f]{7,40})\s*\((\d{4}-\d{2}-\d{2})\)", fields["Commit"])
    if not m:
        raise UnusableInputError(f"{txt}: the Commit line must read '<sha> (<YYYY-MM-DD>)', not {fields['Commit']!r}")
    repo = fields["Repository"].split()[0]
    lic = next((spdx for pattern, spdx in _LICENSES if pattern.search(fields["License"])), "")
    return UpstreamInfo(repo, f"https://{repo}" if not repo.startswith("http") else repo, m[1], m[2], lic, fields["License"], sha256_file(file))
