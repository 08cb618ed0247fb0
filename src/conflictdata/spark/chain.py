"""The driver's side of reading large CSV files in byte ranges (ranges.py): which files, pass 1
run as one job, its answers chained into runs of records (`plan`), and the runs' meta records
merged into one per file.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from .ranges import Cut, Unit, range_bytes, survey

__all__ = ["ranged_files", "merge_runs", "split", "plan", "merge", "rangeable", "sizes"]


def ranged_files(spark: Any, where: Any, job: Any, files: dict[str, tuple[str, int, str]], uris: list[str],
                 resources: dict[str, Any]) -> tuple[dict[tuple[str, int], dict[str, Any]], list[tuple[str, str]]]:
    """Pass 1 over the CSV files among `uris` of at least one range (the session's
    `spark.conflictdata.rangeBytes`); sets `job.units`. Returns the file-level meta of each file
    read in ranges, by (table, file index), and notes (table, text)."""
    from .read import normalise

    step = range_bytes(spark)
    if step <= 0 or not uris:
        return {}, []
    csvs = [u for u in uris if resources[files[normalise(u)][0]].format != "parquet"]
    large = []
    for u, n in sizes(spark, csvs, where.remote).items():
        if n < step:
            continue
        name, index, shown = files[normalise(u)]
        res = resources[name]
        large.append({"table": name, "index": index, "file": shown, "uri": u, "size": n, "res": res, "delimiter": job.delimiters[name],
                      "hashed": len(res.paths) == 1 and isinstance(res.descriptor.get("hash"), str)})
    job.units, ranged, notes = split(spark, large, step)
    out = [(n.split(":")[0], n) for n in notes]
    for f in large:
        if (f["table"], f["index"]) in ranged:
            out.append((f["table"], f"{f['table']}: {f['file']} read in {-(-f['size'] // step)} byte ranges of at most {step} bytes (spark.conflictdata.rangeBytes)"))
    return ranged, out


def merge_runs(spark: Any, job: Any, metas: list[tuple[str, int, dict[str, Any]]],
               ranged: dict[tuple[str, int], dict[str, Any]]) -> list[tuple[str, int, dict[str, Any]]]:
    """The meta records of a job, one per file: a ranged file's runs merged with its plan's part,
    and its canonical form judged from its runs'."""
    runs: dict[tuple[str, int], list[dict[str, Any]]] = {}
    for name, index, meta in metas:
        if meta.get("unit") is not None:
            runs.setdefault((name, index), []).append(meta)
    merged = []
    for (name, index), file_meta in ranged.items():
        parts = sorted(runs.get((name, index), []), key=lambda m: m["unit"])
        meta = merge(file_meta, parts)
        if parts and all("canonical" in p for p in parts):
            meta["checks"] += canonical(spark, job, file_meta, parts, meta["findings"])
        if job.checks is not None and job.checks.copies:
            from ._local import PARQUET_KEY, check_copy_integrity
            from .read import finding_tuple
            from .tasks import keys_table

            # The copy's own bytes and hash (its comparison with the rows needs the whole table).
            meta["checks"] += [finding_tuple(f) for f in check_copy_integrity(job.checks.package, keys_table(job.resources[name], {}))]
            if PARQUET_KEY in job.resources[name].descriptor:
                meta["checks"] += copy_findings(job, name, parts, meta)
        merged.append((name, index, meta))
    return sorted([m for m in metas if m[2].get("unit") is None] + merged, key=lambda m: m[:2])


def copy_findings(job: Any, name: str, parts: list[dict[str, Any]], meta: dict[str, Any]) -> list[tuple]:
    """`check_parquet_copy` of a file read in byte ranges, from its runs' comparisons (each run
    against the copy's rows at its place): the copy's own findings (the same in every run), else
    the row counts, else each run's differences, the first 20 of each column. A run's place among
    the copy's rows is its records' place in the file, so the verdict holds only for a file whose
    records are all data rows in primary-key order; for any other the report says it was not made."""
    from dataclasses import replace as with_

    from ._local import PARQUET_KEY, Finding, parquet_rows, safe_join
    from .read import FINDING_FIELDS, finding_tuple

    res = job.resources[name]
    if any("copy" not in p or "canonical" not in p for p in parts):
        return []
    got = [Finding(**dict(zip(FINDING_FIELDS, t))) for p in parts for t in p["copy"]]
    placed = not any(t[1] == "blank-row" for t in meta["findings"]) and _runs_in_order(res, parts)
    own = [f for f in got if f.rule != "parquet-mismatch" and (placed or f.row is None)]
    if own:
        # A finding about the copy's columns (no row) comes from every run: kept once.
        out, seen = [], set()
        for f in own:
            if f.row is None and (f.rule, f.column, f.message) in seen:
                continue
            seen.add((f.rule, f.column, f.message))
            out.append(finding_tuple(f))
        return out
    path = safe_join(job.checks.package.root, res.descriptor[PARQUET_KEY]["path"], what="parquet path", where=f"resource {name!r}")
    theirs, mine = parquet_rows(with_(res, paths=[path], format="parquet")), meta["rows"]
    if theirs != mine:
        return [finding_tuple(Finding("error", "parquet-mismatch", f"the Parquet copy has {theirs} rows, the CSV {mine}; rebuild with `conflictdata build`",
                                      name, job.checks.package.display(path)))]
    if not placed:
        meta.setdefault("notes", []).append(
            f"{name}: parquet-mismatch not checked row by row (the Parquet copy against the CSV rows): the CSV file is read in byte ranges, "
            "and its records are not all data rows in primary-key order, so no run knows its place among the copy's rows")
        return []
    kept: dict[str | None, int] = {}
    out = []
    for f in got:  # runs in file order, each run's differences in row order, column by column
        kept[f.column] = kept.get(f.column, 0) + 1
        if kept[f.column] <= 20:
            out.append(finding_tuple(f))
    return out


def _runs_in_order(res: Any, parts: list[dict[str, Any]]) -> bool:
    """Whether the runs' records are in primary-key order: within each run, and from run to run."""
    if any(p["canonical"]["misplaced"] is not None for p in parts):
        return False
    bounds = [p["canonical"] for p in parts if p["canonical"]["min"] is not None]
    return not any(_after(res, a["max"], b["min"]) for a, b in zip(bounds, bounds[1:]))


def canonical(spark: Any, job: Any, file_meta: dict[str, Any], parts: list[dict[str, Any]], findings: list[tuple]) -> list[tuple]:
    """`canonical_findings` of a file read in byte ranges, from its runs: the first line where the
    file differs from its canonical form is the first of: line 1 (a BOM, CRLF, or a header not in
    canonical form), each run's first line not in canonical writing, and the first record out of
    primary-key order — within a run, or above the smallest key of the runs after it (found by a
    second read of those runs, for a file not in order only)."""
    import csv
    import io

    from ._local import Finding, fmt
    from .read import finding_tuple, first_above

    if any(f[1] in fmt._BLOCKING for f in findings):
        return []
    unit = job.units[parts[0]["unit"]]
    res = job.resources[unit.table]
    buf = io.StringIO()
    csv.writer(buf, lineterminator="\n", quoting=csv.QUOTE_MINIMAL).writerow(res.field_names)
    header = buf.getvalue().encode("utf-8")
    lines = [1] if file_meta["line1"] else []
    if file_meta["head"] != header:
        lines.append(fmt._first_difference(file_meta["head"], header))
    lines += [c[k] for c in (p["canonical"] for p in parts) for k in ("line", "misplaced") if c[k] is not None]
    need, bound = [], None
    for p in reversed(parts):
        c = p["canonical"]
        if c["min"] is None:
            continue
        if bound is not None and _after(res, c["max"], bound):
            need.append((p["unit"], bound))
        bound = c["min"] if bound is None or _after(res, bound, c["min"]) else bound
    if need:
        lines += [n for n in spark.sparkContext.parallelize(need, len(need)).map(lambda item: first_above(job, item)).collect() if n is not None]
    return [finding_tuple(Finding("warning", "non-canonical", fmt._NON_CANONICAL, res.name, unit.file, min(lines)))] if lines else []


def _after(res: Any, a: list[str], b: list[str]) -> bool:
    """Whether key `a` sorts after key `b` in canonical order (`canonical_order`: typed, stable)."""
    from ._local import fmt
    from .tasks import keys_table

    keys = [c for c in res.row_key if c in res.field_names]
    return list(fmt.canonical_order(keys_table(res, {c: [x, y] for c, x, y in zip(keys, a, b)}))) == [1, 0]


def plan(file: dict[str, Any], answers: list[dict[str, Any]]) -> tuple[list[Unit], dict[str, Any]] | str:
    """The units of one ranged file from its ranges' answers (in order), and its file-level part
    of the meta record (`encoding` findings as tuples, sha256); or why it must be read whole."""
    from ._local import Finding, nul_finding, utf8_finding
    from .read import finding_tuple

    for a in answers:
        if "fallback" in a:
            return a["fallback"]
    head = answers[0]
    name, index, shown, uri = file["table"], file["index"], file["file"], file["uri"]
    units: list[Unit] = []
    state, line, rec, nl, lf = "B", 1, 1, 0, 0
    cap = file["size"]
    found: list[Finding] = []
    nul = bad = None
    for a in answers:
        if nul is None and "nul" in a:
            nul = nl + a["nul"] + 1
        if bad is None and "bad" in a:
            bad = (nl + a["bad"][0] + 1, a["bad"][1])
        nl += a["nl"]
    for a in answers:
        h = a[state]
        if h["first"] is not None:
            units.append(Unit(name, index, shown, uri, a["L0"] + h["first_at"], 0, line + h["first"], rec, None, 0, lf + h["first_lf"]))
        rec += h["starts"]
        line += a["lines"]
        lf += a["nl"]
        if h["end"] == "E":
            cap = a["L0"] + h["cap"]
            break
        state = h["end"]
    for i, u in enumerate(units):
        u.end = units[i + 1].start if i + 1 < len(units) else cap
        if u.start > 0:
            u.head, u.head_lines, u.skip = head["head"], head["head_lines"], len(head["head"])
        else:
            u.skip, u.lf = len(head["head"]) + (3 if head["bom"] else 0), head["head"].count(b"\n")
    if nul is not None:
        found.append(nul_finding(name, shown, nul))
    if bad is not None:
        found.append(utf8_finding(name, shown, *bad))
    return units, {"findings": [finding_tuple(f) for f in found], "sha256": head.get("sha256"), "bytes": file["size"],
                   "head": head["head"], "line1": head["bom"] or any(a["crlf"] for a in answers)}


def rangeable(res: Any) -> str | None:
    """Why a resource's files are read whole even when large (None: they may be read in ranges)."""
    from ._local import source_of

    d = source_of(res).dialect
    if d.escape_char is not None or not d.quote_char:
        return "its dialect has an escape character or no quote character"
    if not d.header or d.header_rows not in (None, (1,)) or d.comment_char is not None or d.comment_rows:
        return "its dialect has comments, or header rows other than the first"
    return None


def split(spark: Any, files: list[dict[str, Any]], step: int) -> tuple[list[Unit], dict[tuple[str, int], dict[str, Any]], list[str]]:
    """Pass 1 over the CSV files (dicts: table, index, file, uri, res, delimiter, size, hashed) of at
    least `step` bytes: their units, their file-level meta by (table, file index), and notes on the
    large files read whole all the same. Files not in the meta are read whole."""
    from ._local import source_of

    cuts, notes, chosen = [], [], []
    for key, f in enumerate(files):
        why = rangeable(f["res"])
        if why is not None:
            notes.append(f"{f['table']}: {f['file']} is read whole in one task, not in ranges ({why})")
            continue
        chosen.append(key)
        dialect = source_of(f["res"]).dialect
        for k, start in enumerate(range(0, f["size"], step)):
            cuts.append(Cut(key, k, f["uri"], start, min(start + step, f["size"]), f["size"], f["delimiter"], dialect,
                            list(f["res"].field_names), hashed=f["hashed"]))
    if not cuts:
        return [], {}, notes
    by_file = _survey(spark, cuts)
    # A file whose header is in another delimiter is read with that one (as the local reader
    # does, after its wrong-delimiter finding): its ranges parsed again with it.
    again = [replace(c, delimiter=by_file[c.key][0]["delimiter"]) for c in cuts
             if by_file[c.key][0].get("delimiter", c.delimiter) != c.delimiter]
    if again:
        by_file.update(_survey(spark, again))
    units: list[Unit] = []
    metas: dict[tuple[str, int], dict[str, Any]] = {}
    for key in chosen:
        f = files[key]
        got = plan(f, by_file[key])
        if isinstance(got, str):
            notes.append(f"{f['table']}: {f['file']} is read whole in one task, not in ranges ({got})")
            continue
        units += got[0]
        metas[(f["table"], f["index"])] = got[1]
    return units, metas, notes


def _survey(spark: Any, cuts: list[Cut]) -> dict[int, list[dict[str, Any]]]:
    """Pass 1 as one job: each file's answers, by range."""
    by_file: dict[int, list[dict[str, Any]]] = {}
    for a in sorted(spark.sparkContext.parallelize(cuts, len(cuts)).map(survey).collect(), key=lambda a: (a["key"], a["k"])):
        by_file.setdefault(a["key"], []).append(a)
    return by_file


def merge(file_meta: dict[str, Any], parts: list[dict[str, Any]]) -> dict[str, Any]:
    """One file's meta record from the plan's part and its runs' records."""
    return {"findings": file_meta["findings"] + [t for p in parts for t in p["findings"]],
            "absent": parts[0]["absent"] if parts else [], "last": max([p["last"] for p in parts], default=1),
            "bytes": file_meta["bytes"], "sha256": file_meta["sha256"], "rows": sum(p["rows"] for p in parts),
            "checks": [t for p in parts for t in p["checks"]]}


def sizes(spark: Any, uris: list[str], remote: bool) -> dict[str, int]:
    """Each file's size: from the driver's file system, or (under a URI) Spark's `binaryFile`
    listing, which does not read the files when their content is not selected."""
    if not uris:
        return {}
    if not remote:
        import os
        from urllib.parse import urlparse
        from urllib.request import url2pathname

        return {u: os.path.getsize(url2pathname(urlparse(u).path)) for u in uris}
    from .read import normalise

    got = {normalise(r["path"]): r["length"] for r in spark.read.format("binaryFile").load(uris).select("path", "length").collect()}
    return {u: got[normalise(u)] for u in uris if normalise(u) in got}
