"""Benchmark of the model solvers on a SYNTHETIC universe (not real data).

5,000 products x 25 economies, every pair trading (domestic cells included), fixed seed.
Scenario: a 5-member FTA removes tariffs between members and economy 0 adds a 25% duty on
every non-member. Prints products/second for SMART, linear GSIM and the exact CES solver,
peak traced memory per solver (tracemalloc) and the process peak RSS, and the ratio of
exact to linear time.

Run: ``python benchmarks/model_solvers.py [--products 5000] [--countries 25] [--repeat 5]``
"""

from __future__ import annotations

import argparse
import resource
import statistics
import sys
import time
import tracemalloc
from collections.abc import Callable

import numpy as np

from fta_compare.model.arrays import MarketArrays, ModelResult, Shock
from fta_compare.model.exact import solve_exact
from fta_compare.model.gsim import solve_gsim
from fta_compare.model.smart import solve_smart

SEED = 20240611


def synthetic(P: int, N: int, seed: int = SEED) -> tuple[MarketArrays, Shock]:
    """A labelled synthetic universe: all pairs trade, random tariffs and elasticities."""
    rng = np.random.default_rng(seed)
    M0 = rng.lognormal(mean=3.0, sigma=1.5, size=(P, N, N))
    idx = np.arange(N)
    M0[:, idx, idx] *= 20.0  # domestic sales dominate
    t0 = rng.uniform(0.0, 0.20, size=(P, N, N))
    t0[:, idx, idx] = 0.0
    Em = rng.uniform(-2.5, -0.5, size=(P, N))
    Es = rng.uniform(1.1, 8.0, size=(P, N))
    Es[rng.random((P, N)) < 0.05] = 1.0  # some Cobb-Douglas markets
    Ex = rng.uniform(0.5, 5.0, size=(P, N))
    Ex[rng.random((P, N)) < 0.2] = np.inf
    m = MarketArrays(
        hs=np.array([f"SYN{p:05d}" for p in range(P)]),
        countries=np.array([f"S{c:02d}" for c in range(N)]),
        base_value=M0, base_rate=t0, import_demand=Em, substitution=Es, export_supply=Ex,
    )  # fmt: skip
    t1 = t0.copy()
    members = np.arange(5)
    t1[:, members[:, None], members[None, :]] = 0.0
    t1[:, 5:, 0] += 0.25
    return m, Shock(new_rate=t1)


def timed(fn: Callable[[], ModelResult], repeat: int) -> tuple[float, float, ModelResult]:
    """Median wall time and median process CPU time (all threads) of ``repeat`` runs."""
    res = fn()  # warm-up
    wall, cpu = [], []
    for _ in range(repeat):
        t, c = time.perf_counter(), time.process_time()
        res = fn()
        wall.append(time.perf_counter() - t)
        cpu.append(time.process_time() - c)
    return statistics.median(wall), statistics.median(cpu), res


def peak_traced(fn: Callable[[], ModelResult]) -> float:
    tracemalloc.start()
    fn()
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return peak / 2**20


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--products", type=int, default=5000)
    ap.add_argument("--countries", type=int, default=25)
    ap.add_argument("--repeat", type=int, default=5)
    args = ap.parse_args(argv)
    P, N = args.products, args.countries
    m, s = synthetic(P, N)
    print(f"synthetic universe (seed {SEED}): {P} products x {N} economies, all pairs trading")
    solvers = {
        "smart": lambda: solve_smart(m, s),
        "gsim linear": lambda: solve_gsim(m, s),
        "exact": lambda: solve_exact(m, s),
    }
    times: dict[str, float] = {}
    cpus: dict[str, float] = {}
    for name, fn in solvers.items():
        t, c, res = timed(fn, args.repeat)
        times[name], cpus[name] = t, c
        mem = peak_traced(fn)
        extra = ""
        if name != "smart":
            nconv = int(res.converged.sum())
            extra = f"  converged {nconv}/{P}  max residual {res.residual.max():.2e}"
            if name == "exact":
                extra += f"  iterations {res.iterations}"
        print(
            f"{name:12s} {t * 1e3:8.1f} ms wall {c * 1e3:8.1f} ms cpu  {P / t:9,.0f} products/s  "
            f"peak traced {mem:8.1f} MiB{extra}"
        )
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    rss_mib = rss / 2**20 if sys.platform == "darwin" else rss / 2**10
    print(f"process peak RSS {rss_mib:.0f} MiB")
    for a, b in (("exact", "gsim linear"), ("gsim linear", "smart")):
        print(f"ratio {a} / {b}: wall {times[a] / times[b]:.2f}, cpu {cpus[a] / cpus[b]:.2f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
