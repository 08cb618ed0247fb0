"""Wall time of `import conflictdata; conflictdata.load()` against `import pandas` + `pd.read_parquet`
of the same tables, each in a fresh process, in the same run. Target (issue 14): at most 1.3x.

The reference reads the Parquet files a build of the same package writes (`conflictdata build`,
into a temporary folder). `load()` runs with its cache (`$CONFLICTDATA_CACHE`) in a temporary
folder too, filled by one first load before the timed runs (that first load, which parses the CSV
and validates, is timed and printed apart). The commands alternate, so that the machine's load
at any moment weighs on all alike. For information it also times a lower floor than the target's
reference: pyarrow's own Parquet reader, converting to pandas without pandas' I/O layer.

    python benchmarks/load.py [--runs 9] [PATH]
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

TARGET_RATIO = 1.3


def timed(cmd: list[str], env: dict[str, str]) -> float:
    start = time.perf_counter()
    proc = subprocess.run(cmd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    took = time.perf_counter() - start
    if proc.returncode != 0:
        raise SystemExit(f"{' '.join(cmd)} exited with {proc.returncode}:\n{proc.stderr}")
    return took


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("path", nargs="?", default=None, help="package to load (default: the bundled dataset)")
    parser.add_argument("--runs", type=int, default=9)
    args = parser.parse_args()

    from conflictdata.versions.build import build

    py = sys.executable
    with tempfile.TemporaryDirectory(prefix="conflictdata-load-bench-") as tmp:
        built = build(args.path, Path(tmp) / "built")
        files = sorted(str(built.out / rel) for rel in built.files if rel.endswith(".parquet"))
        env = {**os.environ, "CONFLICTDATA_CACHE": str(Path(tmp) / "cache")}
        load = [py, "-c", f"import conflictdata; conflictdata.load({args.path!r})"]
        read = [py, "-c", f"import pandas as pd\nfor f in {files!r}: pd.read_parquet(f)"]
        # For information, a lower floor: pyarrow's reader without pandas' I/O layer (which imports
        # pyarrow.dataset and fsspec), as load() reads its cache.
        floor = [py, "-c", f"import pandas, pyarrow.parquet as pq\nfor f in {files!r}: pq.ParquetFile(f).read().to_pandas()"]
        first = timed(load, env)  # fills the cache
        times: dict[str, list[float]] = {"read": [], "floor": [], "load": []}
        for _ in range(args.runs):
            times["read"].append(timed(read, env))
            times["floor"].append(timed(floor, env))
            times["load"].append(timed(load, env))
        first_again = timed(load, {**env, "CONFLICTDATA_CACHE": str(Path(tmp) / "cache-2")})

    labels = {"read": f"import pandas; pd.read_parquet x {len(files)}", "floor": f"import pandas; pq.ParquetFile().read() x {len(files)}",
              "load": "import conflictdata; conflictdata.load()"}
    print(f"{'command':<45} {'median s':>9} {'min s':>7} {'max s':>7}")
    for key in ("read", "floor", "load"):
        t = times[key]
        print(f"{labels[key]:<45} {statistics.median(t):>9.3f} {min(t):>7.3f} {max(t):>7.3f}")
    print(f"{'first load() (empty cache: CSV + validation)':<45} {statistics.median([first, first_again]):>9.3f} "
          f"{min(first, first_again):>7.3f} {max(first, first_again):>7.3f}")
    ratio = statistics.median(times["load"]) / statistics.median(times["read"])
    verdict = "meets" if ratio <= TARGET_RATIO else "MISSES"
    print(f"\nload() / read_parquet: {ratio:.2f}x (medians of {args.runs} runs each, alternating); "
          f"{verdict} the {TARGET_RATIO}x target")
    print(f"load() / pq.ParquetFile().read(): {statistics.median(times['load']) / statistics.median(times['floor']):.2f}x")


if __name__ == "__main__":
    main()
