"""The hidden-cost case: a package that is not conflictdata's, against frictionless in the same run (issue 16).

    python benchmarks/wide.py [--rows 1e6] [--runs 1] [--errors 5] [--seed 0] [--timeout 3600]
                              [--tools conflictdata,frictionless] [--ref REF] [--out benchmarks/out] [--regenerate]

`scale.py` measures conflictdata's own schema, whose columns the fast path was tuned on. Here the
package is a generic shop: `orders`, a wide table of 33 columns of every fast type (integers,
numbers, booleans, dates, free text, enums of strings and of integers, patterns, lengths, ranges,
a unique column, optional columns mostly empty) with three foreign keys into `customers`,
`products` and `stores`. `--errors K` plants K errors of each kind at seeded rows and writes
`planted.json` ({table, line, column, rule}); the run prints the wall time and peak memory of
`conflictdata validate` and `frictionless validate` on the same package, the speed-up, and both
tools' findings against the planted set (frictionless' mapped to conflictdata's rule names as in
scale.py). Target: at least 50x at 10^6 rows.

The third tool, `read-only`, is the floor under any validator built on the same libraries: a
Python process that imports pyarrow and pandas and has pyarrow's multi-threaded parser read every
file of the package as text, and checks nothing. It runs in the same session, so the report can
say how much of the target's time budget merely reading takes on this machine.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import shutil
import statistics
import sys
import time
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent
TARGET_SPEEDUP = 50


sys.path.insert(0, str(HERE))
# The floor (`read-only`): imports, and every CSV file of the package parsed to text by pyarrow.
READ_ONLY = """
import json, sys
import pandas, pyarrow as pa, pyarrow.csv as pacsv
rows = 0
for res in json.load(open("datapackage.json"))["resources"]:
    with open(res["path"], "rb") as f:
        header = [h.strip('"') for h in f.readline().decode().rstrip("\\n").split(",")]
    table = pacsv.read_csv(res["path"], read_options=pacsv.ReadOptions(use_threads=True),
                           convert_options=pacsv.ConvertOptions(column_types={h: pa.large_string() for h in header}))
    rows += table.num_rows
print(json.dumps({"rows": rows}))
"""
import scale as S  # noqa: E402  (the running, measuring and comparing of scale.py, shared)

STATUS = ["pending", "paid", "packed", "shipped", "delivered", "returned"]
CHANNEL = ["web", "store", "phone", "app"]
CURRENCY = ["EUR", "USD", "GBP", "CHF"]
DEVICE = ["desktop", "mobile", "tablet", "kiosk", "other"]
REGION = ["north", "south", "east", "west", "centre"]
CATEGORY = ["books", "games", "garden", "kitchen", "music", "sports", "toys", "tools"]
N_STORES, N_PRODUCTS, N_CUSTOMERS = 100, 2_000, 50_000


def _f(name: str, kind: str, **c) -> dict:
    field = {"name": name, "type": kind}
    if c:
        field["constraints"] = c
    return field


ORDERS = {
    "fields": [
        _f("order_id", "integer", required=True),
        _f("customer_id", "integer", required=True),
        _f("sku", "string", required=True, pattern="[A-Z]{3}-[0-9]{5}"),
        _f("store_id", "string", pattern="ST[0-9]{3}"),
        _f("order_date", "date", required=True),
        _f("ship_date", "date"),
        _f("status", "string", required=True, enum=STATUS),
        _f("channel", "string", enum=CHANNEL),
        _f("currency", "string", required=True, enum=CURRENCY),
        _f("quantity", "integer", required=True, minimum=1, maximum=1000),
        _f("unit_price", "number", minimum=0),
        _f("discount", "number", minimum=0, maximum=1),
        _f("tax_rate", "number", minimum=0, maximum=0.5),
        _f("total", "number"),
        _f("paid", "boolean", required=True),
        _f("gift", "boolean"),
        _f("coupon", "string", pattern="[A-Z0-9]{8}"),
        _f("postcode", "string", pattern="[0-9]{5}"),
        _f("city", "string", maxLength=40),
        _f("street", "string"),
        _f("note", "string", maxLength=200),
        _f("rating", "integer", minimum=1, maximum=5),
        _f("weight_kg", "number", minimum=0),
        _f("length_cm", "integer", minimum=0),
        _f("width_cm", "integer", minimum=0),
        _f("height_cm", "integer", minimum=0),
        _f("priority", "integer", enum=[1, 2, 3]),
        _f("agent", "string", pattern="AG[0-9]{4}"),
        _f("device", "string", enum=DEVICE),
        _f("ip", "string", pattern=r"[0-9]{1,3}(\.[0-9]{1,3}){3}"),
        _f("session", "string", minLength=16, maxLength=16),
        _f("return_requested", "boolean"),
        _f("external_ref", "string", unique=True),
    ],
    "primaryKey": ["order_id"],
    "foreignKeys": [
        {"fields": ["customer_id"], "reference": {"resource": "customers", "fields": ["customer_id"]}},
        {"fields": ["sku"], "reference": {"resource": "products", "fields": ["sku"]}},
        {"fields": ["store_id"], "reference": {"resource": "stores", "fields": ["store_id"]}},
    ],
}
SMALL = {
    "stores": {"fields": [_f("store_id", "string", required=True, pattern="ST[0-9]{3}"), _f("region", "string", enum=REGION),
                          _f("opened", "date")], "primaryKey": ["store_id"]},
    "products": {"fields": [_f("sku", "string", required=True, pattern="[A-Z]{3}-[0-9]{5}"), _f("category", "string", enum=CATEGORY),
                            _f("price", "number", minimum=0)], "primaryKey": ["sku"]},
    "customers": {"fields": [_f("customer_id", "integer", required=True), _f("email", "string", pattern="[a-z0-9.]+@[a-z0-9]+\\.[a-z]{2,}"),
                             _f("country", "string", pattern="[A-Z]{2}"), _f("signup", "date"), _f("vip", "boolean")],
                  "primaryKey": ["customer_id"]},
}
# (kind = the rule conflictdata reports, column, bad value or None: see _plant).
KINDS = [("type", "quantity", "x1"), ("type", "order_date", "2024-02-30"), ("required", "status", ""),
         ("enum", "currency", "YEN"), ("pattern", "postcode", "ABCDE"), ("minimum", "quantity", "0"),
         ("maximum", "discount", "1.5"), ("max-length", "city", "C" * 41), ("min-length", "session", "abc"),
         ("foreign-key", "customer_id", str(10**8)), ("primary-key", "order_id", None), ("unique", "external_ref", None)]


def _strs(values: np.ndarray) -> np.ndarray:
    return values.astype(str).astype(object)


def _codes(rng: np.random.Generator, n: int, prefix: str, width: int, high: int) -> np.ndarray:
    return np.char.add(prefix, np.char.zfill(rng.integers(0, high, n).astype(str), width)).astype(object)


def _dates(rng: np.random.Generator, n: int, start: str = "2015-01-01", days: int = 3000) -> np.ndarray:
    return (np.datetime64(start) + rng.integers(0, days, n)).astype(str).astype(object)


def _write(path: Path, columns: dict[str, np.ndarray]) -> None:
    import pyarrow as pa
    import pyarrow.csv as pacsv

    table = pa.table({k: pa.array(v, type=pa.string()) for k, v in columns.items()})
    pacsv.write_csv(table, path, write_options=pacsv.WriteOptions(quoting_style="needed"))


def _orders(rng: np.random.Generator, n: int, skus: np.ndarray) -> dict[str, np.ndarray]:
    def sometimes(values: np.ndarray, share: float) -> np.ndarray:
        values[rng.random(n) >= share] = ""
        return values

    order_date = np.datetime64("2020-01-01") + rng.integers(0, 1500, n)
    cities = np.array(["Lyon", "Porto", "Graz", "Ghent", "Turku", "Split", "Cork", "Aarhus", "Bergen", "Pisa"], dtype=object)
    streets = np.array(["Main Street", "Station Road", "Rue de la Paix", "Hauptstrasse 1", "Via Roma, 12"], dtype=object)
    return {
        "order_id": _strs(np.arange(1, n + 1)),
        "customer_id": _strs(rng.integers(1, N_CUSTOMERS + 1, n)),
        "sku": skus[rng.integers(0, len(skus), n)],
        "store_id": sometimes(_codes(rng, n, "ST", 3, N_STORES), 0.7),
        "order_date": order_date.astype(str).astype(object),
        "ship_date": sometimes((order_date + rng.integers(0, 10, n)).astype(str).astype(object), 0.9),
        "status": np.array(STATUS, dtype=object)[rng.integers(0, len(STATUS), n)],
        "channel": sometimes(np.array(CHANNEL, dtype=object)[rng.integers(0, len(CHANNEL), n)], 0.95),
        "currency": np.array(CURRENCY, dtype=object)[rng.integers(0, len(CURRENCY), n)],
        "quantity": _strs(rng.integers(1, 20, n)),
        "unit_price": _strs(np.round(rng.random(n) * 500, 2)),
        "discount": sometimes(_strs(np.round(rng.random(n) * 0.5, 2)), 0.3),
        "tax_rate": _strs(np.array([0.0, 0.07, 0.19, 0.2])[rng.integers(0, 4, n)]),
        "total": _strs(np.round(rng.random(n) * 5000, 2)),
        "paid": np.array(["true", "false"], dtype=object)[rng.integers(0, 2, n)],
        "gift": sometimes(np.array(["true", "false"], dtype=object)[rng.integers(0, 2, n)], 0.5),
        "coupon": sometimes(np.array([f"CP{i:06d}" for i in range(1000)], dtype=object)[rng.integers(0, 1000, n)], 0.1),
        "postcode": np.char.zfill(rng.integers(0, 100000, n).astype(str), 5).astype(object),
        "city": cities[rng.integers(0, len(cities), n)],
        "street": streets[rng.integers(0, len(streets), n)],
        "note": sometimes(np.array(["leave at the door", "call first", "fragile"], dtype=object)[rng.integers(0, 3, n)], 0.02),
        "rating": sometimes(_strs(rng.integers(1, 6, n)), 0.4),
        "weight_kg": _strs(np.round(rng.random(n) * 30, 3)),
        "length_cm": _strs(rng.integers(1, 200, n)),
        "width_cm": _strs(rng.integers(1, 200, n)),
        "height_cm": _strs(rng.integers(1, 200, n)),
        "priority": sometimes(_strs(rng.integers(1, 4, n)), 0.8),
        "agent": sometimes(_codes(rng, n, "AG", 4, 10000), 0.6),
        "device": np.array(DEVICE, dtype=object)[rng.integers(0, len(DEVICE), n)],
        "ip": np.char.add(np.char.add("10.", rng.integers(0, 256, n).astype(str)), np.char.add(".0.", rng.integers(0, 256, n).astype(str))).astype(object),
        "session": np.char.zfill(np.char.mod("%x", rng.integers(0, 2**62, n)), 16).astype(object),
        "return_requested": sometimes(np.array(["true", "false"], dtype=object)[rng.integers(0, 2, n)], 0.2),
        "external_ref": np.char.add("R", np.arange(1, n + 1).astype(str)).astype(object),
    }


def _plant(rng: np.random.Generator, orders: dict[str, np.ndarray], n: int, errors: int) -> list[dict]:
    """Plant `errors` of each kind at distinct rows; the findings they must produce."""
    rows = rng.choice(np.arange(1, n), size=len(KINDS) * errors, replace=False)  # never row 0 (a duplicate needs one before)
    out = []
    for k, (rule, column, value) in enumerate(KINDS):
        for i in sorted(rows[k * errors:(k + 1) * errors].tolist()):
            if rule == "primary-key":
                orders[column][i] = orders[column][i - 1]
            elif rule == "unique":
                orders[column][i] = orders[column][i - 1]
            else:
                orders[column][i] = value
            out.append({"table": "orders", "line": i + 2, "column": column, "rule": rule})
    return out


def generate(folder: Path, n: int, errors: int, seed: int) -> dict:
    started = time.perf_counter()
    rng = np.random.default_rng(seed)
    (folder / "data").mkdir(parents=True, exist_ok=True)
    skus = np.array([f"{a}-{i:05d}" for i, a in zip(range(N_PRODUCTS), np.array(["ABC", "DEF", "XYZ", "QRS"])[rng.integers(0, 4, N_PRODUCTS)])], dtype=object)
    _write(folder / "data/stores.csv", {"store_id": np.array([f"ST{i:03d}" for i in range(N_STORES)], dtype=object),
                                        "region": np.array(REGION, dtype=object)[rng.integers(0, len(REGION), N_STORES)],
                                        "opened": _dates(rng, N_STORES, "2000-01-01", 7000)})
    _write(folder / "data/products.csv", {"sku": skus, "category": np.array(CATEGORY, dtype=object)[rng.integers(0, len(CATEGORY), N_PRODUCTS)],
                                          "price": _strs(np.round(rng.random(N_PRODUCTS) * 500, 2))})
    ids = np.arange(1, N_CUSTOMERS + 1)
    _write(folder / "data/customers.csv", {"customer_id": _strs(ids), "email": np.char.add(np.char.add("user.", ids.astype(str)), "@example.org").astype(object),
                                           "country": np.array(["FR", "DE", "PT", "AT", "BE"], dtype=object)[rng.integers(0, 5, N_CUSTOMERS)],
                                           "signup": _dates(rng, N_CUSTOMERS), "vip": np.array(["true", "false"], dtype=object)[rng.integers(0, 2, N_CUSTOMERS)]})
    orders = _orders(rng, n, skus)
    planted = _plant(rng, orders, n, errors)
    _write(folder / "data/orders.csv", orders)
    resources = [{"name": name, "path": f"data/{name}.csv", "format": "csv", "schema": schema} for name, schema in SMALL.items()]
    resources.append({"name": "orders", "path": "data/orders.csv", "format": "csv", "schema": ORDERS})
    (folder / "datapackage.json").write_text(json.dumps({"name": "shop", "resources": resources}, indent=1) + "\n")
    (folder / "planted.json").write_text(json.dumps({"planted": planted}, indent=1) + "\n")
    return {"rows": n + N_STORES + N_PRODUCTS + N_CUSTOMERS, "seconds": round(time.perf_counter() - started, 1),
            "bytes": (folder / "data/orders.csv").stat().st_size}


def ensure(out: Path, n: int, errors: int, seed: int, regenerate: bool) -> tuple[Path, dict]:
    import inspect

    # What makes the package: the generating functions and the schema (not the measuring code).
    made_by = [inspect.getsource(f) for f in (generate, _orders, _plant, _write, _codes, _dates, _strs)] + [repr((ORDERS, SMALL, KINDS))]
    sha = hashlib.sha256("".join(made_by).encode()).hexdigest()
    folder = out / f"wide-{n}-errors-{errors}-seed-{seed}"
    manifest = folder / "manifest.json"
    if manifest.is_file() and not regenerate:
        m = json.loads(manifest.read_text())
        if m.get("generator_sha256") == sha:
            S.log(f"reusing {folder}")
            return folder, m
    if folder.exists():
        shutil.rmtree(folder)
    S.log(f"generating {folder} ...")
    # In a child process: a forked tool inherits this process's peak memory (ru_maxrss), which
    # the generator's arrays would otherwise set for every measurement after it.
    import subprocess

    code = f"import sys; sys.path.insert(0, {str(HERE)!r}); import json, wide; print(json.dumps(wide.generate(wide.Path({str(folder)!r}), {n}, {errors}, {seed})))"
    m = {**json.loads(subprocess.run([sys.executable, "-c", code], check=True, capture_output=True, text=True).stdout), "generator_sha256": sha}
    manifest.write_text(json.dumps(m) + "\n")
    S.log(f"  {m['rows']:,} rows, {m['bytes'] / 2**20:,.0f} MiB of orders, {m['seconds']} s")
    return folder, m


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--rows", default="1e6", help="rows of the wide table (default 1e6)")
    p.add_argument("--runs", type=int, default=1)
    p.add_argument("--errors", type=int, default=5, help="planted errors of each kind (default 5)")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--timeout", type=float, default=3600)
    p.add_argument("--tools", default="conflictdata,frictionless,read-only")
    p.add_argument("--ref", help="conflictdata as of this git ref (its src/ on PYTHONPATH)")
    p.add_argument("--out", type=Path, default=HERE / "out")
    p.add_argument("--regenerate", action="store_true")
    args = p.parse_args(argv)
    n = S.parse_size(args.rows)
    args.out.mkdir(parents=True, exist_ok=True)
    pkg, manifest = ensure(args.out, n, args.errors, args.seed, args.regenerate)
    planted = json.loads((pkg / "planted.json").read_text())["planted"]
    exe = {"conflictdata": [S.tool_path("conflictdata")], "frictionless": [S.tool_path("frictionless")], "read-only": [sys.executable, "-c", READ_ONLY]}
    env = None
    if args.ref:
        _, src = S.source_at(args.ref, args.out)
        exe["conflictdata"] = [sys.executable, "-c", "import sys; from conflictdata.cli import main; sys.exit(main())"]
        env = {**os.environ, "PYTHONPATH": str(src) + os.pathsep + os.environ.get("PYTHONPATH", "")}
    rows, found = {}, {}
    for tool in [t.strip() for t in args.tools.split(",") if t.strip()]:
        cmd = ([*exe[tool], "validate", "datapackage.json", "--format", "json"] if tool == "conflictdata"
               else exe[tool] if tool == "read-only" else [*exe[tool], "validate", "--json", "datapackage.json"])
        walls, peaks, status = [], [], "ok"
        outfile = args.out / f"{pkg.name}.{tool}.json"
        for r in range(args.runs):
            S.log(f"{tool} (run {r + 1}/{args.runs}) ...")
            m = S.run_measured(cmd, pkg, outfile, args.timeout, env if tool == "conflictdata" else None)
            if m["status"] != "ok" or m["rc"] not in (0, 1):
                status = m["status"] if m["status"] != "ok" else f"exit {m['rc']}"
                break
            walls.append(m["wall"])
            peaks.append(m["peak_mib"])
            S.log(f"  {m['wall']:.1f} s, {m['peak_mib']:.0f} MiB")
        rows[tool] = {"status": status, "wall": statistics.median(walls) if walls else None, "peak": max(peaks) if peaks else None, "walls": walls}
        if status == "ok" and tool != "read-only":
            parsed = S.conflictdata_findings(outfile) if tool == "conflictdata" else S.frictionless_findings(outfile, pkg, "datapackage.json")
            found[tool] = parsed[1] if parsed else None
    print(f"# wide package (33 columns, 3 foreign keys), {manifest['rows']:,} rows; {args.errors} planted errors of each of {len(KINDS)} kinds; "
          f"{os.cpu_count()} cores; runs {args.runs}")
    print("| tool         |   wall s | peak MiB | findings | speed-up |")
    print("|--------------|----------|----------|----------|----------|")
    for tool, r in rows.items():
        speed = ""
        if tool == "conflictdata" and r["wall"] and rows.get("frictionless", {}).get("wall"):
            speed = f"{rows['frictionless']['wall'] / r['wall']:.1f}x"
        wall = f"{r['wall']:.1f}" if r["wall"] is not None else r["status"]
        peak = f"{r['peak']:.0f}" if r["peak"] is not None else "-"
        count = len(found[tool]) if found.get(tool) is not None else "-"
        print(f"| {tool:<12} | {wall:>8} | {peak:>8} | {count:>8} | {speed:>8} |  runs: {', '.join(f'{w:.1f}' for w in r['walls'])}")
    for tool, got in found.items():
        if got is None:
            continue
        missing, unexpected = S.compare([f for f in got if f["rule"] in S.SCHEMA_RULES or tool == "frictionless"], planted)
        print(f"{tool} against the planted findings: " + ("identical" if not missing and not unexpected else
              f"DIFFERENT: {len(missing)} not reported, {len(unexpected)} not planted") + f" ({len(planted)} planted)")
        for k in missing[:10]:
            print(f"    not reported: {k}")
        for k in unexpected[:10]:
            print(f"    not planted:  {k}")
    if rows.get("conflictdata", {}).get("wall") and rows.get("frictionless", {}).get("wall"):
        speed = rows["frictionless"]["wall"] / rows["conflictdata"]["wall"]
        print(f"target: ≥ {TARGET_SPEEDUP}x at 10^6 rows: {speed:.1f}x")
        budget = rows["frictionless"]["wall"] / TARGET_SPEEDUP
        if rows.get("read-only", {}).get("wall"):
            floor = rows["read-only"]["wall"]
            print(f"the target leaves conflictdata {budget:.2f} s; importing pyarrow and pandas and parsing the files, "
                  f"checking nothing, takes {floor:.2f} s ({floor / budget:.0%} of it)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
