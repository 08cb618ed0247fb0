"""Which package a command acts on: the one given, the nearest `datapackage.json` here or above
(the way git finds `.git`), or the dataset bundled with conflictdata; and which of those a writing
command may change. Standard library only: locating a package stays light."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from .descriptor import DESCRIPTOR_NAMES
from .errors import UnusableInputError
from .names import DESCRIPTOR

__all__ = ["Discovery", "bundled_root", "find_package", "descriptor_in", "discover", "writable_package"]


def bundled_root() -> Path:
    """The folder of the dataset shipped with the package.

    An installed wheel carries it in `conflictdata/_bundle`; an editable install or a source
    checkout uses the repository root, so that curators validate what they edit.
    """
    here = Path(__file__).resolve().parent.parent  # conflictdata/, above contract/
    bundle = here / "_bundle"
    if (bundle / DESCRIPTOR).is_file():
        return bundle
    checkout = here.parent.parent
    if (checkout / DESCRIPTOR).is_file() and (checkout / "schema").is_dir():
        return checkout
    raise UnusableInputError(
        f"the bundled dataset is missing from this installation ({bundle}); reinstall conflictdata"
    )


def find_package(start: str | Path | None = None) -> Path | None:
    """The folder of the nearest `datapackage.json` (or `datapackage.yaml`/`.yml`) in `start`
    (default: the working folder) or one of its parents, the way git finds `.git`; None when there is none."""
    here = Path(os.path.abspath(start if start is not None else Path.cwd()))
    if here.is_file():
        here = here.parent
    for folder in (here, *here.parents):
        if any((folder / name).is_file() for name in DESCRIPTOR_NAMES):
            return folder
    return None


def descriptor_in(folder: Path) -> Path:
    """The descriptor file of a package folder: `datapackage.json`, else its YAML spelling."""
    for name in DESCRIPTOR_NAMES:
        if (folder / name).is_file():
            return folder / name
    return folder / DESCRIPTOR


@dataclass(frozen=True, slots=True)
class Discovery:
    """The package a command acts on, and how it was chosen: given, found above, or the bundled one."""

    path: Path
    how: Literal["given", "found", "bundled"]

    @property
    def note(self) -> str | None:
        """What to tell the person when the choice may surprise them (the bundled dataset)."""
        if self.how != "bundled":
            return None
        return f"no {DESCRIPTOR} here or above: using the dataset bundled with conflictdata {_software_version()}"


def discover(path: str | Path | None = None, *, start: str | Path | None = None) -> Discovery:
    """`path` when given; else the nearest package from `start` (`find_package`); else the bundled dataset.

    The CLI's rule for a missing PATH. The library's own functions keep theirs: no path means the
    bundled dataset, wherever the working folder is.
    """
    if path is not None:
        return Discovery(Path(path), "given")
    found = find_package(start)
    return Discovery(found, "found") if found is not None else Discovery(bundled_root(), "bundled")


def writable_package(path: str | Path | None = None, *, command: str, start: str | Path | None = None) -> Path:
    """The package a writing command (`fmt`, `import`, `release`, `bump --write` ...) may change.

    Chosen as `discover` does, but never the dataset bundled with conflictdata: an installed copy
    is not the user's to edit (a change would vanish with the next upgrade and never reach a
    release). Raises `UnusableInputError` saying what to pass instead.
    """
    found = discover(path, start=start)
    if found.how == "bundled":
        raise UnusableInputError(
            f"no {DESCRIPTOR} here or above, and `conflictdata {command}` never writes into the dataset bundled "
            f"with conflictdata; pass your package's folder (conflictdata {command} PATH) or run it from inside that folder")
    installed = Path(__file__).resolve().parent.parent
    if Path(os.path.abspath(found.path)).resolve().is_relative_to(installed):
        raise UnusableInputError(
            f"{found.path}: this is the dataset bundled inside the installed conflictdata ({installed}); "
            f"`conflictdata {command}` never writes there: copy it (or clone the dataset's repository) and pass that folder")
    return found.path


def _software_version() -> str:
    from .names import VERSION

    return VERSION
