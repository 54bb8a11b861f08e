"""Solving many scenarios: moving products only, two scenarios at a time.

Each scenario is an independent solve of the same base arrays, so scenarios run on a
small thread pool (numpy's array operations release the GIL; BLAS is held to one thread
so the threads do not oversubscribe the cores and results do not depend on the thread
count). Results come back in scenario order. Each solve sees only the products its shock
moves, less those whose policy equals that of a scenario solved before it (its
*reference*, chosen among the candidates the caller names: the one that leaves the
fewest products to solve); those take the reference's values, which are the same to the
bit (:func:`fta_compare.model.moving.solve_moving`). A result is held only until the last
scenario that may take it as a reference has been started.
"""

from __future__ import annotations

import os
from collections import deque
from collections.abc import Callable, Iterator, Mapping, Sequence
from concurrent.futures import Future, ThreadPoolExecutor

import numpy as np

from fta_compare.model.arrays import MarketArrays, ModelResult, Shock
from fta_compare.model.moving import shared_products, solve_moving

Solver = Callable[[MarketArrays, Shock], ModelResult]


def default_workers() -> int:
    """Threads for scenario solves: the cores available, at most 4 (memory: each solve in
    flight holds a few (products x economies x economies) arrays)."""
    try:
        n = len(os.sched_getaffinity(0))
    except AttributeError:  # pragma: no cover - not on Linux
        n = os.cpu_count() or 1
    return max(1, min(n, 4))


def pick_reference(m: MarketArrays, shock: Shock, candidates: Sequence[tuple[str, Shock]]
                   ) -> tuple[str, np.ndarray] | None:
    """The candidate whose policy equals ``shock``'s on the most moving products, with those
    products (:func:`~fta_compare.model.moving.shared_products`); None if none shares any."""
    best: tuple[str, np.ndarray] | None = None
    for name, other in candidates:
        same = shared_products(m, shock, other)
        if same.any() and (best is None or same.sum() > best[1].sum()):
            best = (name, same)
    return best


def solve_all(solver: Solver, m: MarketArrays, shocks: Sequence[tuple[str, Shock]],
              workers: int | None = None, on_done: Callable[[int, str], None] | None = None,
              references: Mapping[str, Sequence[str]] | None = None,
              ) -> Iterator[tuple[str, Shock, ModelResult]]:
    """(name, shock, result) for every shock, in order; ``on_done(k, name)`` after each.

    ``references``: for a shock's name, the names of earlier shocks it may take values
    from (candidates not earlier in ``shocks`` are ignored). Used only with a solver that
    declares ``independent_products`` (each product's numbers from its own data only, to
    the bit: the exact solver); the closed forms are cheaper to solve than to compare."""
    from fta_compare.parallel import one_blas_thread

    workers = default_workers() if workers is None else workers
    if not getattr(solver, "independent_products", False):
        references = None
    order = {name: k for k, (name, _) in enumerate(shocks)}
    cands = {name: [c for c in (references or {}).get(name, ()) if order.get(c, k) < k]
             for k, (name, _) in enumerate(shocks)}
    last_use = {c: order[name] for name, cs in cands.items() for c in cs}
    kept: dict[str, tuple[Shock, Future[ModelResult]]] = {}

    def submit(k: int, name: str, shock: Shock, run: Callable[..., Future[ModelResult]]
               ) -> Future[ModelResult]:
        ref = pick_reference(m, shock, [(c, kept[c][0]) for c in cands[name] if c in kept])
        ref_of = None if ref is None else (kept[ref[0]][1], ref[1])
        fut = run(_solve_one, solver, m, shock, ref_of)
        if last_use.get(name, -1) > k:
            kept[name] = (shock, fut)
        for c in cands[name]:
            if last_use.get(c) == k:
                kept.pop(c, None)
        return fut

    with one_blas_thread():
        if workers <= 1 or len(shocks) <= 1:
            for k, (name, shock) in enumerate(shocks):
                res = submit(k, name, shock, _done_now).result()
                if on_done:
                    on_done(k + 1, name)
                yield name, shock, res
            return
        with ThreadPoolExecutor(max_workers=workers) as pool:
            pending: deque[tuple[str, Shock, Future[ModelResult]]] = deque()
            items = iter(enumerate(shocks))
            done = 0
            for k, (name, shock) in items:
                pending.append((name, shock, submit(k, name, shock, pool.submit)))
                if len(pending) > workers:
                    break
            while pending:
                name, shock, fut = pending.popleft()
                res = fut.result()
                nxt = next(items, None)
                if nxt is not None:
                    k, (n2, s2) = nxt
                    pending.append((n2, s2, submit(k, n2, s2, pool.submit)))
                done += 1
                if on_done:
                    on_done(done, name)
                yield name, shock, res


def _solve_one(solver: Solver, m: MarketArrays, shock: Shock,
               ref: tuple[Future[ModelResult], np.ndarray] | None) -> ModelResult:
    """One scenario; waits for its reference's result first (started earlier, so it is
    running or done: no deadlock)."""
    return solve_moving(solver, m, shock, None if ref is None else (ref[0].result(), ref[1]))


def _done_now(fn: Callable[..., ModelResult], *args: object) -> Future[ModelResult]:
    """``fn(*args)`` run now, as a finished future (the one-thread path)."""
    fut: Future[ModelResult] = Future()
    fut.set_result(fn(*args))
    return fut

