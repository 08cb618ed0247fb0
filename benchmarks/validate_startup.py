"""Wall time of `conflictdata validate` on the bundled dataset, process start to exit.

Compares, in the same run and on the same machine, against a bare `python -c "import pandas"` (the
floor any pandas-based tool pays) and `frictionless validate` (the reference tool, which checks
only the Table Schema part). Target (issue 2): conflictdata validate under 2 s on 2 cores.

    python benchmarks/validate_startup.py [--runs 7] [PATH]
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

TARGET_SECONDS = 2.0


def timed(cmd: list[str], runs: int) -> list[float]:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        proc = subprocess.run(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        times.append(time.perf_counter() - start)
        if proc.returncode not in (0, 1):
            raise SystemExit(f"{' '.join(cmd)} exited with {proc.returncode}")
    return times


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("path", nargs="?", default=None, help="package to validate (default: the bundled dataset)")
    parser.add_argument("--runs", type=int, default=7)
    args = parser.parse_args()

    py = sys.executable
    conflictdata = shutil.which("conflictdata") or str(Path(py).with_name("conflictdata"))
    frictionless = shutil.which("frictionless") or str(Path(py).with_name("frictionless"))
    target = args.path or str(Path(__file__).resolve().parent.parent / "datapackage.json")
    cases = [
        ('python -c "import pandas"', [py, "-c", "import pandas"]),
        ("conflictdata --help", [conflictdata, "--help"]),
        ("conflictdata validate" + (f" {args.path}" if args.path else ""), [conflictdata, "validate", *([args.path] if args.path else [])]),
        (f"frictionless validate {Path(target).name}", [frictionless, "validate", target]),
    ]
    print(f"{'command':<40} {'median s':>9} {'min s':>7} {'max s':>7}")
    results = {}
    for label, cmd in cases:
        t = timed(cmd, args.runs)
        results[label] = statistics.median(t)
        print(f"{label:<40} {statistics.median(t):>9.3f} {min(t):>7.3f} {max(t):>7.3f}")
    ours = results[cases[2][0]]
    floor = results[cases[0][0]]
    verdict = "meets" if ours < TARGET_SECONDS else "MISSES"
    print(f"\nconflictdata validate: {ours:.3f} s median over {args.runs} runs ({ours - floor:+.3f} s over the pandas import); "
          f"{verdict} the {TARGET_SECONDS:.0f} s target")


if __name__ == "__main__":
    main()
