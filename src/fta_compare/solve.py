"""Solving many scenarios: moving products only, two scenarios at a time.

Each scenario is an independent solve of the same base arrays, so scenarios run on a
small thread pool (numpy's array operations release the GIL; BLAS is held to one thread
so the threads do not oversubscribe the cores and results do not depend on the thread
count). Results come back in scenario order; at most ``workers + 1`` are held at once.
Each solve sees only the products its shock moves (:func:`fta_compare.model.moving.
solve_moving`).
"""

from __future__ import annotations

import os
from collections import deque
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import Future, ThreadPoolExecutor

from fta_compare.model.arrays import MarketArrays, ModelResult, Shock
from fta_compare.model.moving import solve_moving

Solver = Callable[[MarketArrays, Shock], ModelResult]


def default_workers() -> int:
    """Threads for scenario solves: the cores available, at most 4 (memory: each solve in
    flight holds a few (products x economies x economies) arrays)."""
    try:
        n = len(os.sched_getaffinity(0))
    except AttributeError:  # pragma: no cover - not on Linux
        n = os.cpu_count() or 1
    return max(1, min(n, 4))


def solve_all(solver: Solver, m: MarketArrays, shocks: Sequence[tuple[str, Shock]],
              workers: int | None = None, on_done: Callable[[int, str], None] | None = None
              ) -> Iterator[tuple[str, Shock, ModelResult]]:
    """(name, shock, result) for every shock, in order; ``on_done(k, name)`` after each."""
    from fta_compare.parallel import one_blas_thread

    workers = default_workers() if workers is None else workers
    with one_blas_thread():
        if workers <= 1 or len(shocks) <= 1:
            for k, (name, shock) in enumerate(shocks, 1):
                res = solve_moving(solver, m, shock)
                if on_done:
                    on_done(k, name)
                yield name, shock, res
            return
        with ThreadPoolExecutor(max_workers=workers) as pool:
            pending: deque[tuple[str, Shock, Future[ModelResult]]] = deque()
            items = iter(shocks)
            done = 0
            for name, shock in items:
                pending.append((name, shock, pool.submit(solve_moving, solver, m, shock)))
                if len(pending) > workers:
                    break
            while pending:
                name, shock, fut = pending.popleft()
                res = fut.result()
                nxt = next(items, None)
                if nxt is not None:
                    pending.append((*nxt, pool.submit(solve_moving, solver, m, nxt[1])))
                done += 1
                if on_done:
                    on_done(done, name)
                yield name, shock, res
