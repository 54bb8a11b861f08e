"""Benchmark of the general-equilibrium sector model (Caliendo & Parro 2015, DESIGN 3e).

1. WIOD 2014, 44 economies x 50 sectors (``../shared/data/wiod2014_cp_inputs``, skipped with
   a message when absent): value tables rebuilt from the Caliendo-Parro arrays, then one
   scenario, "a 10-point tariff cut between CHN, JPN and KOR in all goods sectors
   (C01..C22)", rates floored at 0.
2. A SYNTHETIC 80 economies x 65 sectors world (GTAP-like size; random tables, fixed seed,
   not data), scenario: five economies remove all tariffs among themselves.
3. Memory against size: synthetic worlds of 20, 40 and 80 economies at 65 sectors, peak
   traced bytes / (N^2 J).

For each: Newton iterations, Jacobian-vector products, wall seconds (median of --repeat
runs, baseline solve and scenario solve separately), peak traced memory (tracemalloc,
numpy buffers included) and the process peak RSS.

Value tables from the WIOD arrays (USD million): ``X = expenditure``, flows at producer
prices ``trade_value = trade_share X / (1 + t)``, gross output ``Y = sum_n trade_value``,
``VA = factor_share Y``, ``intermediate[n, k, j] = intermediate_share (1 - factor_share) Y``,
final demand ``alpha (sum_j X - sum intermediate)`` by economy, deficits
``-trade_balance``, ``theta = 1 / trade_elasticity``.

Tariff orientation: ``tariff.csv`` row (origin=A, destination=B) is read as the tariff
imposed BY A ON GOODS FROM B (the orientation SOURCES.md's checks support: EU 10% / Japan 0%
on cars, Korea's agricultural tariffs), so the tariff of importer n on exporter i is the row
(origin=n, destination=i). ``--kite-orientation`` reads it as KITE's code does (tariff of
the destination on the origin) instead.

Run: ``python benchmarks/ge.py [--repeat 3] [--kite-orientation] [--data DIR]``
"""

from __future__ import annotations

import argparse
import resource
import statistics
import sys
import time
import tracemalloc
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pandas as pd

from fta_compare.model import ge

DATA = Path(__file__).resolve().parents[2] / "shared" / "data" / "wiod2014_cp_inputs"
SEED = 20150101
GOODS = tuple(f"C{j:02d}" for j in range(1, 23))
CJK = ("CHN", "JPN", "KOR")

Tables = tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray | None,
               np.ndarray]


def wiod_tables(folder: Path, kite_orientation: bool = False
                ) -> tuple[Tables, list[str], list[str]]:
    """The calibrate() arguments built from the Caliendo-Parro arrays of WIOD 2014."""
    share = pd.read_csv(folder / "trade_share.csv")
    economies = sorted(share["origin"].unique())
    sectors = sorted(share["sector"].unique())
    N, J = len(economies), len(sectors)
    e_ix = {c: k for k, c in enumerate(economies)}
    s_ix = {s: k for k, s in enumerate(sectors)}

    def bilateral(df: pd.DataFrame, swap: bool) -> np.ndarray:
        out = np.zeros((J, N, N))
        i = df["origin"].map(e_ix).to_numpy()
        n = df["destination"].map(e_ix).to_numpy()
        if swap:
            i, n = n, i
        out[df["sector"].map(s_ix).to_numpy(), i, n] = df["value"].to_numpy()
        return out

    def by_sector_country(df: pd.DataFrame) -> np.ndarray:
        out = np.zeros((J, N))
        out[df["sector"].map(s_ix).to_numpy(), df["country"].map(e_ix).to_numpy()] = \
            df["value"].to_numpy()
        return out

    pi = bilateral(share, swap=False)
    tariff = bilateral(pd.read_csv(folder / "tariff.csv"), swap=not kite_orientation) - 1.0
    X = by_sector_country(pd.read_csv(folder / "expenditure.csv"))
    beta = by_sector_country(pd.read_csv(folder / "factor_share.csv"))
    alpha = by_sector_country(pd.read_csv(folder / "consumption_share.csv"))
    gam = pd.read_csv(folder / "intermediate_share.csv")
    gamma = np.zeros((N, J, J))
    gamma[gam["country"].map(e_ix).to_numpy(), gam["input"].map(s_ix).to_numpy(),
          gam["output"].map(s_ix).to_numpy()] = gam["value"].to_numpy()
    trade_value = pi * X[:, None, :] / (1.0 + tariff)
    Y = trade_value.sum(axis=2)
    va = beta * Y
    intermediate = gamma * ((1.0 - beta) * Y).T[:, None, :]
    final_total = X.sum(axis=0) - intermediate.sum(axis=(1, 2))
    final = alpha * final_total
    tb = pd.read_csv(folder / "trade_balance.csv").set_index("country")["value"]
    deficit = -tb.reindex(economies).to_numpy()
    el = pd.read_csv(folder / "trade_elasticity.csv").set_index("sector")["value"]
    theta = 1.0 / el.reindex(sectors).to_numpy()
    return (trade_value, tariff, intermediate, final, va, deficit, theta), economies, sectors


def synthetic_tables(N: int, J: int, seed: int = SEED) -> Tables:
    """A SYNTHETIC world (not data): lognormal flows with large domestic sales, tariffs
    0-20% on goods (the first 40% of sectors), value-added shares 0.3-0.7, Dirichlet input
    shares, trade elasticities 2-15; final demand makes absorption consistent."""
    rng = np.random.default_rng(seed)
    idx = np.arange(N)
    tv = rng.lognormal(2.0, 1.5, (J, N, N))
    tv[:, idx, idx] *= 30.0
    tariff = rng.uniform(0.0, 0.2, (J, N, N))
    tariff[:, idx, idx] = 0.0
    tariff[int(0.4 * J):] = 0.0
    Y = tv.sum(axis=2)
    beta = rng.uniform(0.3, 0.7, (J, N))
    gamma = rng.dirichlet(np.full(J, 0.5), size=(N, J)).transpose(0, 2, 1)
    intermediate = gamma * ((1.0 - beta) * Y).T[:, None, :]
    X = (tv * (1.0 + tariff)).sum(axis=1)
    final = np.maximum(X - intermediate.sum(axis=2).T, 0.05 * X)
    theta = rng.uniform(2.0, 15.0, J)
    return tv, tariff, intermediate, final, beta * Y, None, theta


def timed(fn: Callable[[], ge.GEEquilibrium], repeat: int) -> tuple[float, ge.GEEquilibrium]:
    """Median wall seconds of ``repeat`` runs (after one warm-up) and the last result."""
    out = fn()
    times = []
    for _ in range(repeat):
        t = time.perf_counter()
        out = fn()
        times.append(time.perf_counter() - t)
    return statistics.median(times), out


def peak_bytes(fn: Callable[[], object]) -> int:
    """Peak traced memory (bytes) of one call, numpy buffers included."""
    tracemalloc.start()
    tracemalloc.reset_peak()
    fn()
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    return peak


def report(label: str, tables: Tables, tariff_new: np.ndarray, repeat: int,
           economies: list[str] | None = None) -> None:
    base = ge.calibrate(*tables)
    J, N = base.n_sectors, base.n_economies
    t_base, eq0 = timed(lambda: ge.solve(base), repeat)
    t_scen, eq1 = timed(lambda: ge.solve(base, tariff_new, start=eq0), repeat)
    t_cold, eq1c = timed(lambda: ge.solve(base, tariff_new), repeat)
    mem = peak_bytes(lambda: ge.solve_scenarios(base, {"s": (tariff_new, None)}))
    res = ge.compare(base, eq0, eq1)
    print(f"\n{label}: {N} economies x {J} sectors (N^2 J = {N * N * J:,})")
    print(f"  baseline solve      {t_base:7.3f} s  {eq0.iterations:2d} Newton, "
          f"{eq0.krylov_iterations:4d} Jacobian products, wage step {eq0.residual:.1e}, "
          f"converged={eq0.converged}")
    print(f"  scenario (warm)     {t_scen:7.3f} s  {eq1.iterations:2d} Newton, "
          f"{eq1.krylov_iterations:4d} Jacobian products, wage step {eq1.residual:.1e}, "
          f"converged={eq1.converged}")
    print(f"  scenario (cold)     {t_cold:7.3f} s  {eq1c.iterations:2d} Newton, "
          f"{eq1c.krylov_iterations:4d} Jacobian products")
    print(f"  baseline + scenario {t_base + t_scen:7.3f} s; peak traced memory "
          f"{mem / 2**20:.1f} MiB = {mem / (N * N * J):.0f} bytes per N^2 J cell")
    gap = np.abs(res.welfare - ge.compare(base, eq0, eq1c).welfare).max()
    print(f"  warm vs cold start: max welfare difference {gap:.1e}")
    if economies is not None:
        for c in CJK:
            k = economies.index(c)
            print(f"  {c}: welfare {res.welfare[k]:+.4%}, real wage {res.real_wage[k]:+.4%}, "
                  f"terms of trade {res.terms_of_trade[k]:+.4%}, volume of trade "
                  f"{res.volume_of_trade[k]:+.4%}")
        order = np.argsort(res.welfare)
        shown = ", ".join(f"{economies[k]} {res.welfare[k]:+.4%}" for k in order[:3])
        print(f"  largest losses: {shown}")


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--data", type=Path, default=DATA)
    ap.add_argument("--kite-orientation", action="store_true",
                    help="read tariff.csv as the destination's tariff on the origin")
    ap.add_argument("--sizes", type=int, nargs="*", default=[20, 40, 80],
                    help="economy counts of the memory-scaling runs (65 sectors)")
    args = ap.parse_args(argv)
    print(f"numpy {np.__version__}; tolerance: relative wage step < {ge.TOL:g}")
    if (args.data / "trade_share.csv").is_file():
        tables, economies, sectors = wiod_tables(args.data, args.kite_orientation)
        orient = ("KITE code's (destination on origin)" if args.kite_orientation else
                  "origin's tariff on the destination's goods (SOURCES.md checks)")
        print(f"WIOD 2014 tariff orientation: {orient}")
        t_new = tables[1].copy()
        goods = [sectors.index(s) for s in GOODS if s in sectors]
        ix = [economies.index(c) for c in CJK]
        for i in ix:
            for n in ix:
                if i != n:
                    t_new[goods, i, n] = np.maximum(t_new[goods, i, n] - 0.10, 0.0)
        report("WIOD 2014, CJK 10-point cut in goods", tables, t_new, args.repeat, economies)
    else:
        print(f"WIOD 2014 skipped: {args.data} is absent")
    tables = synthetic_tables(80, 65)
    t_new = tables[1].copy()
    members = np.arange(5)
    t_new[:, members[:, None], members[None, :]] = 0.0
    report("SYNTHETIC (random, not data), 5-member FTA", tables, t_new, args.repeat)
    print("\nmemory against size (SYNTHETIC, 65 sectors, baseline + one scenario):")
    print("  N    N^2 J       peak MiB   bytes / N^2 J   seconds")
    for N in args.sizes:
        tables = synthetic_tables(N, 65)
        t_new = tables[1].copy()
        t_new[:, :5, :5] = 0.0
        base = ge.calibrate(*tables)
        t = time.perf_counter()
        ge.solve_scenarios(base, {"s": (t_new, None)})
        secs = time.perf_counter() - t
        mem = peak_bytes(lambda b=base, tn=t_new: ge.solve_scenarios(b, {"s": (tn, None)}))
        cells = N * N * 65
        print(f"  {N:3d}  {cells:9,d}  {mem / 2**20:9.1f}  {mem / cells:14.0f}  {secs:8.3f}")
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"\nprocess peak RSS {rss:.0f} MiB")
    return 0


if __name__ == "__main__":
    sys.exit(main())
