"""Benchmark of ``fta-compare sensitivity`` on the bundled default tables.

Reads ``tariff_tables/default*.xlsx`` once and prepares the run once (both timed and printed
but not part of the figures), then times only the draws (:func:`run_draws`: chunks solved
on the engine, plus the point solve and the summary) for

* local: 1 worker (in this process, what ``--workers 1`` does) and 2 worker processes;
* Dask: a ``LocalCluster`` on the loopback interface with 1 and 2 single-threaded worker
  processes (what ``--scheduler`` does; the time includes scattering the shared arrays);
  with ``--trim`` also with workers started with ``MALLOC_TRIM_THRESHOLD_`` and
  ``MALLOC_MMAP_THRESHOLD_`` = 256 MiB instead of Dask's default trim threshold of 64 KiB
  (which makes every large numpy temporary a fresh ``mmap``, zeroed page by page).

Each configuration gets one untimed warm-up run (imports in fresh workers), then ``--repeat``
timed runs (median). Prints draws per second, speed-up over the same engine with one
worker, parallel efficiency (speed-up / workers), how busy the workers were and how much
CPU they got (a machine shared with other jobs shows as cpu_per_wall < 1), Dask over
local, and checks that every run is bit-identical to local with 1 worker: the bytes of every
float64 of the ``sensitivity`` and ``rank_first`` tables and of the per-draw arrays (a
``bit_identical`` column, and the number of differing cells when not), and how BLAS was
held to one thread in the workers.

Run: ``python benchmarks/sensitivity.py [--draws 32] [--chunk-size 8] [--model smart] [--trim]``
"""

from __future__ import annotations

import argparse
import os
import statistics
import time
from typing import Any

import numpy as np
import pandas as pd

from fta_compare import api
from fta_compare.inputs import load_inputs
from fta_compare.sensitivity import (
    SensitivityPlan,
    SensitivityResult,
    prepare_sensitivity,
    run_draws,
)


def numbers(res: SensitivityResult) -> dict[str, np.ndarray]:
    """Every number of a result as a float64 array: numeric columns of the ``sensitivity``
    and ``rank_first`` tables and the per-draw welfare, focus metrics and ok flags."""
    out = {f"sensitivity.{c}": res.summary[c].to_numpy(np.float64)
           for c in res.summary.columns if pd.api.types.is_numeric_dtype(res.summary[c])}
    out |= {f"rank_first.{c}": res.rank_first[c].to_numpy(np.float64)
            for c in ("share_first", "draws_ok")}
    out |= {name: np.asarray(getattr(res, name), np.float64).ravel()
            for name in ("welfare", "focus", "ok")}
    return out


def differing_cells(a: SensitivityResult, b: SensitivityResult) -> tuple[int, int]:
    """(cells whose float64 bytes differ, cells compared) over :func:`numbers`; labels
    (scenario, country, metric) must match too."""
    for col in ("scenario", "country", "metric"):
        if a.summary[col].tolist() != b.summary[col].tolist():
            return len(a.summary), len(a.summary)  # other rows: nothing comparable
    x, y = numbers(a), numbers(b)
    n = diff = 0
    for k in x:
        u, v = x[k].view(np.uint64), y[k].view(np.uint64)  # bit patterns (NaN == NaN)
        n += u.size
        diff += int((u != v).sum()) if u.shape == v.shape else u.size
    return diff, n


def timed_runs(plan: SensitivityPlan, repeat: int, **kw: Any) -> tuple[float, SensitivityResult]:
    """Median wall time of ``repeat`` runs after one warm-up run, and the last result."""
    run_draws(plan, **{**kw, "draws": kw["chunk_size"]})  # warm-up: imports, scatter path
    times = []
    res = None
    for _ in range(repeat):
        t0 = time.perf_counter()
        res = run_draws(plan, **kw)
        times.append(time.perf_counter() - t0)
    assert res is not None
    return statistics.median(times), res


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--draws", type=int, default=32)
    ap.add_argument("--chunk-size", type=int, default=8)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--model", default="smart", choices=api.MODELS)
    ap.add_argument("--solution", default="linear", choices=api.SOLUTIONS)
    ap.add_argument("--repeat", type=int, default=1)
    ap.add_argument("--no-dask", action="store_true", help="local engine only")
    ap.add_argument("--trim", action="store_true",
                    help="also Dask workers started with MALLOC_TRIM_THRESHOLD_ and "
                    "MALLOC_MMAP_THRESHOLD_ = 256 MiB")
    args = ap.parse_args()

    paths = api.default_inputs()
    t0 = time.perf_counter()
    tables = load_inputs(paths)
    t_read = time.perf_counter() - t0
    t0 = time.perf_counter()
    cfg = api.make_config(paths, model=args.model, solution=args.solution)
    plan = prepare_sensitivity(tables, cfg)
    t_prep = time.perf_counter() - t0
    m = plan.context.market
    print(f"inputs: {', '.join(p.name for p in paths)}; read {t_read:.1f} s, prepare "
          f"{t_prep:.1f} s (not timed below)")
    print(f"universe: {m.n_products} products x {m.n_countries} economies, "
          f"{len(plan.scenarios)} scenarios; model {args.model} ({args.solution}); "
          f"{args.draws} draws, chunk size {args.chunk_size}; {os.cpu_count()} CPUs, "
          f"load average {os.getloadavg()[0]:.1f}")

    kw = {"draws": args.draws, "seed": args.seed, "chunk_size": args.chunk_size}
    rows: list[tuple[str, int, float]] = []
    results: list[SensitivityResult] = []
    for w in (1, 2):
        sec, res = timed_runs(plan, args.repeat, workers=w, **kw)
        rows.append(("local", w, sec))
        results.append(res)
    if not args.no_dask:
        from distributed import LocalCluster

        # Dask's nanny starts workers with MALLOC_TRIM_THRESHOLD_=65536 (for prompt memory
        # release), which also fixes glibc's mmap threshold at 128 KiB: every large numpy
        # temporary is then a fresh mmap, zeroed page by page. Explicit environment
        # variables override it (MALLOC_MMAP_THRESHOLD_ is passed on unchanged).
        big = str(256 << 20)
        configs = [("dask", {"MALLOC_TRIM_THRESHOLD_": "65536"}),
                   ("dask-malloc", {"MALLOC_TRIM_THRESHOLD_": big,
                                    "MALLOC_MMAP_THRESHOLD_": big})]
        for eng, env in configs if args.trim else configs[:1]:
            os.environ.update(env)
            for w in (1, 2):
                with LocalCluster(n_workers=w, threads_per_worker=1, processes=True,
                                  host="127.0.0.1", dashboard_address=None) as cluster:
                    sec, res = timed_runs(plan, args.repeat,
                                          scheduler=cluster.scheduler_address, **kw)
                rows.append((eng, w, sec))
                results.append(res)
            for k in env:
                os.environ.pop(k, None)

    base = {eng: sec for eng, w, sec in rows if w == 1}
    table = pd.DataFrame([{
        "engine": eng, "workers": w, "seconds": round(sec, 2),
        "draws_per_s": round(args.draws / sec, 3),
        "speed_up": round(base[eng] / sec, 2),
        "efficiency": round(base[eng] / sec / w, 2),
        "busy": round(float(r.chunk_seconds.sum()) / (w * r.seconds), 2),
        "cpu_per_wall": round(float(r.chunk_cpu_seconds.sum() / r.chunk_seconds.sum()), 2),
        "cpu_s_per_draw": round(float(r.chunk_cpu_seconds.sum()) / args.draws, 3),
    } for (eng, w, sec), r in zip(rows, results, strict=True)])
    cpu1 = {e: c for e, w, c in zip(table.engine, table.workers, table.cpu_s_per_draw,
                                    strict=True) if w == 1}
    table["work_efficiency"] = [round(cpu1[e] / c, 2) for e, c in
                                zip(table.engine, table.cpu_s_per_draw, strict=True)]
    diffs = [differing_cells(results[0], r) for r in results]
    table["bit_identical"] = ["yes" if d == 0 else f"NO ({d} of {n})" for d, n in diffs]
    print(table.to_string(index=False))
    if not args.no_dask:
        for eng in dict.fromkeys(e for e in table.engine if e != "local"):
            for w in (1, 2):
                loc = table[(table.engine == "local") & (table.workers == w)].iloc[0]
                dsk = table[(table.engine == eng) & (table.workers == w)].iloc[0]
                print(f"{eng} / local draws per second, {w} worker(s): "
                      f"{dsk.draws_per_s / loc.draws_per_s:.2f}")
    same = all(d == 0 for d, _ in diffs)
    cells = diffs[0][1]
    print(f"bit-identical to local x1 (float64 bytes of {cells} numbers: sensitivity and "
          f"rank_first tables, per-draw arrays), every run: {'yes' if same else 'NO'}")
    blas = sorted({dict(r.manifest).get("blas_threads", "") for r in results})
    print(f"BLAS in the workers: {'; '.join(blas)}")
    print("seconds: run_draws wall time (chunks + point solve + summary); efficiency: "
          "speed-up / workers; busy: worker time in chunks / (workers x engine time); "
          "cpu_per_wall: CPU / wall time inside chunks (< 1: workers waited for a CPU); "
          "work_efficiency: CPU seconds per draw with 1 worker / with k workers (same "
          "engine), the efficiency on otherwise idle cores if memory bandwidth allows; "
          "bit_identical: every number equal, bit for bit, to local with 1 worker")


if __name__ == "__main__":
    main()
