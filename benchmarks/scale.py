"""Validation at scale: conflictdata against `frictionless validate`, in the same run (issue 5).

    python benchmarks/scale.py [--sizes 1e5,1e6[:csv]] [--formats csv,parquet] [--runs 1] [--huge]
                               [--errors 10] [--seed 0] [--timeout 1800] [--tools conflictdata,frictionless]
                               [--out benchmarks/out] [--regenerate] [--json FILE]
                               [--engine local|spark] [--master local[*]]

For each size (events; the package has about 5 rows per event across its tables) it generates a
package with `benchmarks/generate.py` (CSV and Parquet, with `--errors` planted errors of each
kind), or reuses the one already in `--out` (benchmarks/out/, gitignored) when it was made by the
same generator with the same parameters. Then it runs, each as a subprocess of its own:

- `conflictdata validate DESCRIPTOR --format json`,
- `frictionless validate --json DESCRIPTOR` (not at 10^7 and above; killed after `--timeout`
  seconds and reported as 'timeout'),

measuring wall seconds and peak memory (the child's maximum resident set size, from wait4's
rusage), and prints a table: size, format, tool, rows (across all tables), wall s, peak MiB,
findings (errors reported), and how many times faster conflictdata is than frictionless.

Below the table it checks findings:
- planted: conflictdata's findings against `planted.json` (identical set of (table, line,
  column, rule)); for Parquet also with lines ignored, since Parquet rows have no file line;
- parity: frictionless's findings mapped to conflictdata's rule names (type-error → type,
  constraint-error → its constraint, primary-key, foreign-key, unique-error → unique) against
  conflictdata's findings of those rules. Frictionless reports a duplicate single-field primary
  key twice (unique-error on the field and primary-key on the row); conflictdata reports it once,
  so such a unique-error is folded into the primary-key finding of the same row.

Targets (issue 5; reported, not asserted): at 10^6 rows at least 50x faster than frictionless with
the identical set of findings; at 10^7 rows peak memory under 2 GiB; at least 10^6 rows per second.
With `--engine spark`, conflictdata runs as `validate --engine spark --master MASTER` (the Spark
engine, docs/spark.md; default master local[*]); below the table each process's own peak (VmHWM,
sampled): the Python driver, the JVM (its heap: SPARK_DRIVER_MEMORY if set), the largest worker.
With `--huge`, 10^7 events are added (conflictdata only; the CSV package is about 4.5 GB).
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import os
import platform
import shutil
import signal
import statistics
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
FRICTIONLESS_MAX_EVENTS = 10**7  # frictionless is skipped from this size on
SCHEMA_RULES = {"type", "required", "unique", "enum", "pattern", "minimum", "maximum", "min-length", "max-length",
                "primary-key", "foreign-key"}
CONSTRAINTS = {"required": "required", "unique": "unique", "enum": "enum", "pattern": "pattern", "minimum": "minimum",
               "maximum": "maximum", "minLength": "min-length", "maxLength": "max-length",
               "exclusiveMinimum": "exclusive-minimum", "exclusiveMaximum": "exclusive-maximum"}
TARGET_SPEEDUP = 50
TARGET_PEAK_GIB = 2
TARGET_ROWS_PER_S = 1_000_000


def _generator():
    spec = importlib.util.spec_from_file_location("conflictdata_bench_generate", HERE / "generate.py")
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def size_label(n: int) -> str:
    e = len(str(n)) - 1
    return f"10^{e}" if n == 10**e else f"{n:,}"


def parse_size(text: str) -> int:
    t = text.strip().lower().replace("_", "").replace(",", "")
    if "^" in t:
        base, exp = t.split("^")
        return int(base) ** int(exp)
    return int(float(t))


# --- packages -----------------------------------------------------------------------------------

def ensure_package(out: Path, events: int, errors: int, seed: int, regenerate: bool) -> tuple[Path, dict]:
    """The package for these parameters in `out`, generated unless an identical one is there."""
    gen = _generator()
    sha = __import__("hashlib").sha256((HERE / "generate.py").read_bytes()).hexdigest()
    folder = out / f"events-{events}-errors-{errors}-seed-{seed}"
    manifest_path = folder / "manifest.json"
    if manifest_path.is_file() and not regenerate:
        m = json.loads(manifest_path.read_text())
        if m.get("generator_sha256") == sha and m.get("format") == "both" and m.get("events") == events \
                and m.get("errors") == errors and m.get("seed") == seed:
            log(f"reusing {folder} ({m['total_rows']:,} rows)")
            return folder, m
    if folder.exists():
        shutil.rmtree(folder)
    log(f"generating {folder} ...")
    m = gen.generate(folder, events, "both", errors, seed, gen.KINDS if errors else [], 1_000_000, quiet=events < 2_000_000)
    log(f"  {m['total_rows']:,} rows, {m['bytes_csv'] / 2**20:,.0f} MiB CSV, {m['bytes_parquet'] / 2**20:,.0f} MiB Parquet, {m['seconds']} s")
    return folder, m


# --- running and measuring ----------------------------------------------------------------------

def run_measured(cmd: list[str], cwd: Path, stdout: Path, timeout: float, env: dict | None = None) -> dict:
    """Run `cmd`; wall seconds, peak RSS of the child (MiB) and exit code, or status 'timeout'."""
    with open(stdout, "wb") as out, open(stdout.with_suffix(".stderr"), "wb") as err:
        start = time.perf_counter()
        proc = subprocess.Popen(cmd, cwd=cwd, stdout=out, stderr=err, stdin=subprocess.DEVNULL,
                                start_new_session=True, env=env)
        status, usage, timed_out, own, tick = None, None, False, 0, 0
        others: dict[int, tuple[str, int]] = {}  # descendant pid → (kind, its peak KiB)
        while True:
            own = _high_water_kib(proc.pid) or own
            tick += 1
            if tick % 25 == 0:  # every half second: the JVM and the Python workers, if any
                for child, kind in _descendants(proc.pid).items():
                    others[child] = (kind, max(others.get(child, (kind, 0))[1], _high_water_kib(child) or 0))
            pid, status, usage = os.wait4(proc.pid, os.WNOHANG)
            if pid:
                break
            if time.perf_counter() - start > timeout:
                timed_out = True
                os.killpg(proc.pid, signal.SIGKILL)  # the group of the child started here, by its id
                _, status, usage = os.wait4(proc.pid, 0)
                break
            time.sleep(0.02)
        wall = time.perf_counter() - start
    proc.returncode = os.waitstatus_to_exitcode(status)  # reaped here; keep Popen from waiting again
    jvm = max((k for kind, k in others.values() if kind == "java"), default=0)
    workers = max((k for kind, k in others.values() if kind != "java"), default=0)
    return {"wall": wall, "peak_mib": usage.ru_maxrss / 1024, "own_mib": own / 1024, "jvm_mib": jvm / 1024,
            "workers_mib": workers / 1024, "rc": proc.returncode, "status": "timeout" if timed_out else "ok"}


def _descendants(root: int) -> dict[int, str]:
    """The live descendants of `root` (pid → "java" or "python"), from /proc."""
    parent: dict[int, int] = {}
    name: dict[int, str] = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat", encoding="ascii", errors="replace") as f:
                text = f.read()
        except OSError:
            continue
        comm = text[text.index("(") + 1:text.rindex(")")]
        parent[int(entry)] = int(text[text.rindex(")") + 2:].split()[1])
        name[int(entry)] = "java" if comm == "java" else "python"
    out: dict[int, str] = {}
    frontier = [root]
    while frontier:
        p = frontier.pop()
        for child, ppid in parent.items():
            if ppid == p and child not in out:
                out[child] = name[child]
                frontier.append(child)
    return out


def _high_water_kib(pid: int) -> int | None:
    """The process's own peak resident set so far (VmHWM, KiB; without its children — with
    --engine spark the child is the Python driver, the JVM its child), or None once it is gone."""
    try:
        with open(f"/proc/{pid}/status", encoding="ascii") as f:
            for line in f:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1])
    except (OSError, ValueError):
        return None
    return None


def frictionless_parquet_ok() -> tuple[bool, str]:
    """Whether `frictionless` here can read Parquet (the `frictionless[parquet]` extra)."""
    probe = ("import frictionless.formats.parquet as p, pyarrow.parquet, pandas; "
             "from frictionless import system; assert any(type(x).__name__ == 'ParquetPlugin' for x in system.plugins.values())")
    py = Path(sys.executable)
    r = subprocess.run([str(py), "-c", probe], capture_output=True, text=True)
    return (r.returncode == 0, r.stderr.strip().splitlines()[-1] if r.returncode else "")


def source_at(ref: str, out: Path) -> tuple[str, Path]:
    """src/ of this repository at git `ref`, extracted once into `out` (git archive: no worktree)."""
    import io
    import tarfile

    sha = subprocess.run(["git", "-C", str(REPO), "rev-parse", "--verify", f"{ref}^{{commit}}"], capture_output=True, text=True)
    if sha.returncode:
        raise SystemExit(f"--ref {ref}: {sha.stderr.strip()}")
    sha = sha.stdout.strip()
    dest = out / f"src-{sha[:12]}"
    if not (dest / "src" / "conflictdata" / "__init__.py").is_file():
        tar = subprocess.run(["git", "-C", str(REPO), "archive", "--format=tar", sha, "src"], capture_output=True, check=True).stdout
        with tarfile.open(fileobj=io.BytesIO(tar)) as tf:
            tf.extractall(dest, filter="data")
    return sha, dest / "src"


def tool_path(name: str) -> str:
    return shutil.which(name) or str(Path(sys.executable).with_name(name))


def conflictdata_findings(path: Path) -> tuple[int, list[dict]] | None:
    try:
        rep = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return rep.get("errors", 0), rep.get("findings", [])


def frictionless_findings(path: Path, package: Path, descriptor: str) -> tuple[int, list[dict]] | None:
    """Frictionless errors as conflictdata-style findings {table, line, column, rule}."""
    try:
        rep = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    desc = json.loads((package / descriptor).read_text())
    pks = {}
    for res in desc["resources"]:
        schema = res.get("schema")
        if isinstance(schema, str):
            schema = json.loads((package / schema).read_text())
        pk = (schema or {}).get("primaryKey") or []
        pks[res["name"]] = [pk] if isinstance(pk, str) else list(pk)
    out = []
    count = 0
    for task in rep.get("tasks", []):
        table = task.get("name")
        pk = pks.get(table, [])
        errors = task.get("errors", [])
        count += len(errors)
        pk_rows = {e.get("rowNumber") for e in errors if e.get("type") == "primary-key"}
        for e in errors:
            kind, row, field = e.get("type"), e.get("rowNumber"), e.get("fieldName")
            if kind == "type-error":
                rule = "type"
            elif kind == "constraint-error":
                note = e.get("note", "")
                name = note.split('"')[1] if note.count('"') >= 2 else note
                rule = CONSTRAINTS.get(name, name)
            elif kind == "unique-error":
                if pk == [field] and row in pk_rows:
                    continue  # folded into the primary-key finding of this row
                rule = "unique"
            elif kind == "primary-key":
                rule, field = "primary-key", ",".join(pk)
            elif kind == "foreign-key":
                rule, field = "foreign-key", ",".join(e.get("fieldNames") or [])
            else:
                rule = kind
            out.append({"table": table, "line": row, "column": field, "rule": rule})
    for e in rep.get("errors", []):  # package-level errors
        count += 1
        out.append({"table": None, "line": None, "column": None, "rule": e.get("type")})
    return count, out


def key(f: dict, line: bool = True) -> tuple:
    return (f.get("table"), f.get("line") if line else None, f.get("column"), f.get("rule"))


def compare(got: list[dict], want: list[dict], line: bool = True) -> tuple[list, list]:
    """(missing, unexpected) as multisets of finding keys."""
    g, w = Counter(key(f, line) for f in got), Counter(key(f, line) for f in want)
    return sorted((w - g).elements(), key=str), sorted((g - w).elements(), key=str)


# --- main ---------------------------------------------------------------------------------------

def log(msg: str) -> None:
    print(msg, file=sys.stderr, flush=True)


COLUMN_CHECKS_SCRIPT = r"""
import json, sys, time
from pathlib import Path
from conflictdata.reading.csvfile import iter_chunks
from conflictdata.contract.package import open_package
from conflictdata.reading import tables as T
try:
    from conflictdata.reading.stream import CHUNK_BYTES
except ImportError:  # a --ref from before reading/tables.py was split
    CHUNK_BYTES = T.CHUNK_BYTES
try:
    from conflictdata.checking.constraints import check_constraints
except ImportError:  # --ref of a commit before the checks had their own modules
    from conflictdata.checking.validation import check_constraints
package = open_package(sys.argv[1])
out = {}
for name in sys.argv[2:]:
    res = package.resources[name]
    file = package.display(res.path)
    rows, seconds = 0, 0.0
    for chunk in iter_chunks(res.path, chunk_bytes=CHUNK_BYTES):  # reading is not timed
        n = len(next(iter(chunk.columns.values())))
        raw, findings = T._match_header(chunk.header, [], res, file, columns=chunk.columns)
        t = time.perf_counter()
        table = T._finish(res, file, raw, None, [])  # every column parsed into its type
        check_constraints(table)  # required, enum, pattern, range, length
        seconds += time.perf_counter() - t
        rows += n
    out[name] = {"rows": rows, "seconds": seconds}
print(json.dumps(out))
"""


def column_checks(pkg: Path, env: dict | None) -> dict:
    """Throughput of the column checks alone (types and constraints, per table, in one thread),
    measured in-process on the CSV package: reading the file is not counted."""
    tables = ["events", "casualty_claims", "event_actors", "event_sources"]
    r = subprocess.run([sys.executable, "-c", COLUMN_CHECKS_SCRIPT, str(pkg / "datapackage.json"), *tables],
                       capture_output=True, text=True, env=env, cwd=pkg)
    return json.loads(r.stdout) if r.returncode == 0 else {"error": r.stderr.strip().splitlines()[-1:]}


def fmt_cell(v, spec: str = "") -> str:
    return "-" if v is None else (format(v, spec) if spec else str(v))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", default="1e5,1e6", help="events per package, comma-separated (1e5, 10^6, 100000; default 1e5,1e6); "
                        "a size may name its own formats: 1e6:csv, 1e5:csv+parquet")
    parser.add_argument("--formats", default="csv,parquet", help="formats for sizes that name none: csv, parquet or both comma-separated (default)")
    parser.add_argument("--tools", default="conflictdata,frictionless")
    parser.add_argument("--huge", action="store_true", help="add 10^7 events (conflictdata only)")
    parser.add_argument("--runs", type=int, default=1, help="runs per measurement: median wall, largest peak (default 1)")
    parser.add_argument("--errors", type=int, default=10, help="planted errors of each kind (default 10; 0: valid packages)")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--timeout", type=float, default=1800, help="seconds before a run is killed and reported as 'timeout' (default 1800)")
    parser.add_argument("--out", type=Path, default=HERE / "out", help="where packages and raw outputs go (default benchmarks/out/)")
    parser.add_argument("--regenerate", action="store_true", help="generate packages even when an identical one exists")
    parser.add_argument("--json", type=Path, help="also write the results as JSON to this file")
    parser.add_argument("--no-column-checks", action="store_true", help="skip the in-process throughput of the column checks (10^6 and up)")
    parser.add_argument("--engine", choices=["local", "spark"], default="local", help="conflictdata's engine (default local)")
    parser.add_argument("--master", default="local[*]", help="with --engine spark: the Spark master (default local[*])")
    parser.add_argument("--ref", help="run conflictdata as of this git commit/tag/branch (its src/ on PYTHONPATH) instead of the working tree, "
                        "e.g. to measure a baseline")
    args = parser.parse_args(argv)

    formats = [f.strip() for f in args.formats.split(",") if f.strip()]
    plan: list[tuple[int, list[str]]] = []  # (events, formats)
    for item in (s.strip() for s in args.sizes.split(",")):
        if item:
            size, _, only = item.partition(":")
            plan.append((parse_size(size), [f for f in only.split("+") if f] if only else formats))
    if args.huge and 10**7 not in [n for n, _ in plan]:
        plan.append((10**7, formats))
    tools = [t.strip() for t in args.tools.split(",") if t.strip()]
    if set(f for _, fs in plan for f in fs) - {"csv", "parquet"} or set(tools) - {"conflictdata", "frictionless"}:
        parser.error("formats are csv and parquet; tools are conflictdata and frictionless")
    formats = sorted({f for _, fs in plan for f in fs})
    args.out.mkdir(parents=True, exist_ok=True)

    fl_parquet, fl_parquet_why = frictionless_parquet_ok() if "frictionless" in tools and "parquet" in formats else (True, "")
    exe = {"conflictdata": [tool_path("conflictdata")], "frictionless": [tool_path("frictionless")]}
    envs: dict[str, dict | None] = {"conflictdata": None, "frictionless": None}
    ref_note = ""
    if args.ref:
        sha, src = source_at(args.ref, args.out)
        exe["conflictdata"] = [sys.executable, "-c", "import sys; from conflictdata.cli import main; sys.exit(main())"]
        envs["conflictdata"] = {**os.environ, "PYTHONPATH": str(src) + os.pathsep + os.environ.get("PYTHONPATH", "")}
        ref_note = f" (conflictdata as of {args.ref} = {sha[:10]}, from {src})"
    versions = {}
    for t in tools:
        r = subprocess.run([*exe[t], "--version"], capture_output=True, text=True, env=envs[t])
        versions[t] = (r.stdout or r.stderr).strip().splitlines()[0].removeprefix(t).strip() if r.returncode == 0 and (r.stdout or r.stderr).strip() else "?"
    commit = subprocess.run(["git", "-C", str(REPO), "rev-parse", "--short", "HEAD"], capture_output=True, text=True).stdout.strip()
    dirty = subprocess.run(["git", "-C", str(REPO), "status", "--porcelain", "--", "src"], capture_output=True, text=True).stdout.strip()

    results = []
    checks = []
    throughput: dict[str, dict] = {}
    for n, size_formats in plan:
        pkg, manifest = ensure_package(args.out, n, args.errors, args.seed, args.regenerate)
        planted = json.loads((pkg / "planted.json").read_text())
        for fmt in size_formats:
            descriptor = "datapackage.json" if fmt == "csv" else "datapackage-parquet.json"
            measured = {}
            for tool in tools:
                row = {"events": n, "size": size_label(n), "format": fmt, "tool": tool, "rows": manifest["total_rows"],
                       "wall": None, "peak_mib": None, "findings": None, "status": "ok"}
                if tool == "frictionless" and n >= FRICTIONLESS_MAX_EVENTS:
                    row["status"] = "skipped"
                elif tool == "frictionless" and fmt == "parquet" and not fl_parquet:
                    row["status"] = "n/a"
                else:
                    cmd = [*exe["conflictdata"], "validate", descriptor, "--format", "json"] if tool == "conflictdata" \
                        else [*exe["frictionless"], "validate", "--json", descriptor]
                    if tool == "conflictdata" and args.engine == "spark":
                        cmd += ["--engine", "spark", "--master", args.master]
                        row["tool"] = "cd spark"
                    walls, peaks, owns, jvms, workers = [], [], [], [], []
                    for r in range(args.runs):
                        log(f"{size_label(n)} {fmt} {tool} (run {r + 1}/{args.runs}) ...")
                        outfile = args.out / f"{pkg.name}.{fmt}.{tool}{'.' + args.ref.replace('/', '_') if args.ref and tool == 'conflictdata' else ''}.json"
                        m = run_measured(cmd, pkg, outfile, args.timeout, envs[tool])
                        if m["status"] == "timeout":
                            row.update(status="timeout", wall=m["wall"], peak_mib=m["peak_mib"])
                            break
                        if m["rc"] not in (0, 1):
                            row.update(status=f"exit {m['rc']}")
                            log(f"  exit {m['rc']}; see {outfile.with_suffix('.stderr')}")
                            break
                        walls.append(m["wall"])
                        peaks.append(m["peak_mib"])
                        owns.append(m["own_mib"])
                        jvms.append(m["jvm_mib"])
                        workers.append(m["workers_mib"])
                        log(f"  {m['wall']:.1f} s, {m['peak_mib']:.0f} MiB (the conflictdata process alone: {m['own_mib']:.0f} MiB; "
                            f"JVM {m['jvm_mib']:.0f} MiB; largest other process {m['workers_mib']:.0f} MiB)")
                    if row["status"] == "ok":
                        row["wall"], row["peak_mib"], row["own_mib"] = statistics.median(walls), max(peaks), max(owns)
                        row["jvm_mib"], row["workers_mib"] = max(jvms), max(workers)
                        parsed = conflictdata_findings(outfile) if tool == "conflictdata" else frictionless_findings(outfile, pkg, descriptor)
                        if parsed is None:
                            row["status"] = "unreadable output"
                        else:
                            row["findings"], row["_found"] = parsed
                measured[tool] = row
                results.append(row)
            cd, fl = measured.get("conflictdata"), measured.get("frictionless")
            if cd and fl:
                if cd["status"] == "ok" and fl["status"] == "ok":
                    cd["speedup"] = f"{fl['wall'] / cd['wall']:.1f}x"
                elif cd["status"] == "ok" and fl["status"] == "timeout":
                    cd["speedup"] = f">{fl['wall'] / cd['wall']:.0f}x"
                else:
                    cd["speedup"] = fl["status"] if cd["status"] == "ok" else "-"
            want = planted["planted"] if fmt == "csv" else planted.get("parquet", [])
            check = {"size": size_label(n), "format": fmt, "planted": len(want)}
            if cd and cd.get("_found") is not None:
                findings = cd["_found"]
                check["missing"], check["unexpected"] = compare(findings, want)
                if fmt == "parquet":
                    check["missing_noline"], check["unexpected_noline"] = compare(findings, want, line=False)
                check["reported"] = len(findings)
                if fl and fl.get("_found") is not None:
                    schema_part = [f for f in findings if f["rule"] in SCHEMA_RULES]
                    check["parity_only_conflictdata"], check["parity_only_frictionless"] = compare(fl["_found"], schema_part)
                    check["parity_n"] = len(fl["_found"])
                    if fmt == "parquet":
                        a, b = compare(fl["_found"], schema_part, line=False)
                        check["parity_noline_identical"] = not a and not b
            checks.append(check)
        if "conflictdata" in tools and "csv" in size_formats and n >= 10**6 and not args.no_column_checks:
            log(f"{size_label(n)} column checks ...")
            throughput[size_label(n)] = column_checks(pkg, envs["conflictdata"])

    # --- the report ---
    print(f"# conflictdata scale benchmark — {time.strftime('%Y-%m-%d %H:%M')}, {platform.node() or 'host'}: "
          f"{os.cpu_count()} cores, Python {platform.python_version()}, commit {commit}{' (src/ modified)' if dirty and not args.ref else ''}{ref_note}")
    print(f"# {'; '.join(f'{t} {v}' for t, v in versions.items())}; {args.errors} planted errors of each kind; runs {args.runs}; timeout {args.timeout:.0f} s")
    if "frictionless" in tools and "parquet" in formats and not fl_parquet:
        print(f"# frictionless cannot read Parquet here ({fl_parquet_why}): install 'frictionless[parquet]'; its Parquet rows say n/a")
    print("# speed-up: frictionless wall seconds / conflictdata wall seconds on the same package; findings: errors reported")
    print()
    head = f"| {'size':>5} | {'format':<7} | {'tool':<12} | {'rows':>11} | {'wall s':>8} | {'peak MiB':>8} | {'findings':>8} | {'speed-up':>8} |"
    print(head)
    print("|" + "|".join("-" * (len(c)) for c in head.split("|")[1:-1]) + "|")
    for r in results:
        wall = f"{r['wall']:.1f}" if r["status"] == "ok" else r["status"] if r["status"] != "timeout" else f"timeout"
        peak = f"{r['peak_mib']:.0f}" if r["peak_mib"] is not None else "-"
        print(f"| {r['size']:>5} | {r['format']:<7} | {r['tool']:<12} | {r['rows']:>11,} | {wall:>8} | {peak:>8} | "
              f"{fmt_cell(r['findings']):>8} | {r.get('speedup', '') if r['tool'] == 'conflictdata' else '':>8} |")
    if args.engine == "spark":
        print()
        heap = os.environ.get("SPARK_DRIVER_MEMORY") or "half the machine's memory (the CLI's default in local mode)"
        print(f"With --engine spark (JVM heap: {heap}), each process's own peak resident set: the Python driver, the JVM "
              "(in local mode also the executors and the cached records), the largest Python worker (a task's file):")
        for r in results:
            if r.get("own_mib") is not None and r["tool"] == "cd spark":
                print(f"  {r['size']} {r['format']}: driver {r['own_mib']:.0f} MiB, JVM {r['jvm_mib']:.0f} MiB, worker {r['workers_mib']:.0f} MiB")
    print()
    print("Planted findings (conflictdata vs planted.json, set of (table, line, column, rule)):")
    for c in checks:
        if "missing" not in c:
            print(f"  {c['size']} {c['format']}: not checked (no conflictdata result)")
            continue
        ok = not c["missing"] and not c["unexpected"]
        head = f"  {c['size']} {c['format']}: "
        if ok:
            print(head + f"identical ({c['planted']} findings)")
            continue
        print(head + f"DIFFERENT: {len(c['missing'])} planted not reported, {len(c['unexpected'])} reported not planted")
        missing, unexpected = c["missing"], c["unexpected"]
        if "missing_noline" in c:
            if not c["missing_noline"] and not c["unexpected_noline"]:
                lines = sorted({str(k[1]) for k in c["unexpected"]})
                print(f"      with lines ignored: identical (conflictdata reports line {', '.join(lines[:3])} for these Parquet rows)")
                continue
            print(f"      with lines ignored: {len(c['missing_noline'])} not reported, {len(c['unexpected_noline'])} not planted")
            missing, unexpected = c["missing_noline"], c["unexpected_noline"]
        for k in missing[:10]:
            print(f"      not reported: {k}")
        for k in unexpected[:10]:
            print(f"      not planted:  {k}")
    if any("parity_n" in c for c in checks):
        print()
        print("Table Schema parity (frictionless findings vs conflictdata's findings of the same rules):")
        for c in checks:
            if "parity_n" not in c:
                continue
            a, b = c["parity_only_frictionless"], c["parity_only_conflictdata"]
            print(f"  {c['size']} {c['format']}: " + ("identical" if not a and not b else f"DIFFERENT: {len(a)} only in frictionless, {len(b)} only in conflictdata")
                  + f" ({c['parity_n']} frictionless findings)")
            if (a or b) and c.get("parity_noline_identical"):
                print("      with lines ignored: identical (Parquet has no lines: frictionless gives its row numbers as lines, conflictdata as rows)")
                continue
            for k in a[:10]:
                print(f"      only frictionless:  {k}")
            for k in b[:10]:
                print(f"      only conflictdata:  {k}")

    print()
    print("Targets (issue 5):")
    for r in results:
        if r["tool"] != "conflictdata" or r["status"] != "ok":
            continue
        bits = [f"{r['rows'] / r['wall'] / 1e6:.2f} M rows/s (target ≥ 1)"]
        if r["events"] == 10**6 and r.get("speedup"):
            bits.append(f"{r['speedup']} faster than frictionless (target ≥ {TARGET_SPEEDUP}x)")
        if r["events"] >= 10**7:
            bits.append(f"peak {r['peak_mib'] / 1024:.2f} GiB (target < {TARGET_PEAK_GIB} GiB)")
        print(f"  {r['size']} {r['format']}: " + "; ".join(bits))

    for size, per_table in throughput.items():
        if "error" in per_table:
            print(f"  {size} column checks: not measured ({per_table['error']})")
            continue
        print(f"  {size} column checks alone (types and constraints, one thread, reading not counted; target ≥ 1 M rows/s per table):")
        for name, m in per_table.items():
            print(f"      {name:<16} {m['rows']:>11,} rows  {m['seconds']:6.2f} s  {m['rows'] / m['seconds'] / 1e6:5.2f} M rows/s")

    if args.json:
        args.json.write_text(json.dumps({"results": [{k: v for k, v in r.items() if not k.startswith("_")} for r in results],
                                         "checks": checks, "column_checks": throughput, "versions": versions, "commit": commit}, indent=1, default=str) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
