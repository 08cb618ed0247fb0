"""The descriptor's metadata check run beside validation (`check_metadata_aside`).

The check is frictionless's (metadata.py), and importing frictionless is most of its cost: a fifth
of a second of Python bytecode. In a thread beside the validation that bytecode holds the GIL the
checks need, which added about 0.3 s to a 10^6-row run (issue 16). A child Python process imports
it on the other core instead and hands the findings back as JSON; nothing is written anywhere.
Where no child can be used (the descriptor holds what JSON cannot carry, the interpreter cannot
be started, the child fails), the check runs in a thread as before: the findings are the same.

A child costs about 0.4 s of CPU (its imports), every time. A process that validates the same
descriptor again (`load()` in a notebook, a test suite's copies of one package) takes the verdict
it found before (`_VERDICTS`, in memory only): the check reads nothing but the descriptor (its
JSON, its file's name and bytes, for the lines of the findings), so the same descriptor gets the
same findings, shown under the file name of this call.
"""

from __future__ import annotations

import hashlib
import json
import subprocess
import sys
import threading
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

from .findings import Finding
from .metadata import check_metadata, metadata_failure, metadata_job
from .package import Package

__all__ = ["check_metadata_aside"]

# The child: read the job, check, print the findings (or the exception frictionless raised).
_CHILD = """
import json, sys
job = json.load(sys.stdin)
from conflictdata.contract.metadata import check_job
try:
    out = {"findings": [f.to_dict() for f in check_job(job)]}
except Exception as exc:
    out = {"failed": [type(exc).__name__, str(exc)]}
json.dump(out, sys.stdout)
"""


def check_metadata_aside(package: Package) -> Callable[[], list[Finding]]:
    """Start `check_metadata(package)` beside the caller's work; call the result for its findings.
    An exception of frictionless's becomes a warning saying the metadata could not be checked."""
    job = metadata_job(package)
    if job is None:
        return lambda: []
    try:
        data = json.dumps(job).encode("utf-8")
    except (TypeError, ValueError):  # a YAML date JSON cannot carry
        return _in_thread(package)
    key = _verdict_key(job)
    if key is not None and key in _VERDICTS:
        known = [replace(f, file=job["shown"]) for f in _VERDICTS[key]]
        return lambda: known
    try:
        child = subprocess.Popen([sys.executable, "-c", _CHILD], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                 stderr=subprocess.DEVNULL, env=_env())
    except OSError:  # no interpreter to start
        return _in_thread(package)
    # Fed by a thread: a descriptor larger than the pipe's buffer would block the caller.
    feeder = threading.Thread(target=_feed, args=(child, data), name="conflictdata-metadata", daemon=True)
    feeder.start()

    def result() -> list[Finding]:
        feeder.join()
        out = child.stdout.read() if child.stdout is not None else b""
        child.wait()
        try:
            got = json.loads(out)
        except ValueError:
            got = None
        if child.returncode != 0 or not isinstance(got, dict):
            return _in_thread(package)()  # the child could not run: check here
        if "failed" in got:
            return [metadata_failure(package, tuple(got["failed"]))]  # not kept: frictionless may do better next time
        findings = [Finding(**f) for f in got["findings"]]
        if key is not None:
            if len(_VERDICTS) >= _VERDICTS_KEPT:
                _VERDICTS.pop(next(iter(_VERDICTS)))
            _VERDICTS[key] = findings
        return findings

    return result


# Verdicts found by a child in this process, by `_verdict_key`. Bounded: a long session validating
# many descriptors keeps the latest 64 (the oldest kept goes first).
_VERDICTS: dict[str, list[Finding]] = {}
_VERDICTS_KEPT = 64


def _verdict_key(job: dict) -> str | None:
    """What the check's findings depend on: the descriptor, its kind, its file's name and bytes
    (the findings' lines). None when the file cannot be read (then nothing is kept)."""
    try:
        text = Path(job["file"]).read_bytes()
        what = json.dumps([job["descriptor"], job["kind"], Path(job["file"]).name], sort_keys=True).encode("utf-8")
    except (OSError, TypeError, ValueError):
        return None
    return hashlib.sha256(what + b"\0" + text).hexdigest()


def _env() -> dict[str, str]:
    """The caller's environment, with this conflictdata first on the child's path: the child
    imports the same code (a checkout run with PYTHONPATH, an installed wheel alike)."""
    import os

    root = str(Path(__file__).resolve().parent.parent.parent)
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join([root, *([env["PYTHONPATH"]] if env.get("PYTHONPATH") else [])])
    return env


def _feed(child: subprocess.Popen, job: bytes) -> None:
    try:
        assert child.stdin is not None
        child.stdin.write(job)
        child.stdin.close()
    except OSError:  # the child died first: result() sees it and checks here
        pass


def _in_thread(package: Package) -> Callable[[], list[Finding]]:
    out: list[Finding] = []
    failed: list[BaseException] = []

    def run() -> None:
        try:
            out.extend(check_metadata(package))
        except Exception as exc:  # frictionless raises its own types; a report must still come
            failed.append(exc)

    thread = threading.Thread(target=run, name="conflictdata-metadata", daemon=True)
    thread.start()

    def result() -> list[Finding]:
        thread.join()
        return [metadata_failure(package, failed[0])] if failed else out

    return result
