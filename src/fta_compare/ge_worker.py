"""The sector model's solves in a process of their own, at the lowest CPU priority.

Used by the command line (``api.run(..., ge_later=True)``): the sector model's 20 solves
(about 2.3 CPU-seconds on the bundled tables) then take only the CPU the run leaves idle,
mostly while the workbook is written (XlsxWriter keeps one core busy, the Parquet thread
finishes first), instead of competing with the PE solve. A thread would not do: the
solves hold the GIL between their many small numpy calls and would slow the writer.
Measured on the default run (2 cores): 19.3-19.4 s against 20.1-21.6 s.

The process is started by :class:`GEWorker` before the run's threads (``fork`` where the
process still runs one thread, else ``forkserver`` or ``spawn``; see
:func:`fta_compare.parallel._pool_context`). Its BLAS runs on one thread, as the sector
model does in the run's own process, so the results are the same to the bit.
"""

from __future__ import annotations

import os
import signal
from concurrent.futures import Future, ProcessPoolExecutor

import numpy as np

from fta_compare.model import ge


def _start_worker() -> None:
    """In the worker: lowest priority, BLAS on one thread (for the rest of its life), and
    Ctrl-C left to the run's process, which stops the worker (:meth:`GEWorker.close`)."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    try:
        os.nice(19)
    except (OSError, AttributeError):  # pragma: no cover - no nice (Windows)
        pass
    from fta_compare.parallel import blas_control

    control = blas_control()
    if control is not None:
        control[0](1)


def _solve(base: ge.GEBase, scenarios: dict[str, tuple[np.ndarray, np.ndarray | None]]
           ) -> dict[str, ge.GEResult]:
    from fta_compare.ge_lens import solve_ge

    return solve_ge(base, scenarios)


class GEWorker:
    """One worker process for :func:`fta_compare.ge_lens.solve_ge`. Use as a context
    manager (the process ends with it)."""

    def __init__(self) -> None:
        from fta_compare.parallel import _pool_context

        self._pool = ProcessPoolExecutor(max_workers=1, mp_context=_pool_context(),
                                         initializer=_start_worker)
        self._pool.submit(int, 0)  # start the process now, before the run's threads

    def solve(self, base: ge.GEBase,
              scenarios: dict[str, tuple[np.ndarray, np.ndarray | None]]
              ) -> Future[dict[str, ge.GEResult]]:
        return self._pool.submit(_solve, base, scenarios)

    def close(self, stop: bool = False) -> None:
        """End the process once its work is done; with ``stop``, at once (the run failed
        or was interrupted: nobody waits for the answer)."""
        if stop:
            from fta_compare.parallel import stop_pool

            stop_pool(self._pool)
        else:
            self._pool.shutdown(wait=True, cancel_futures=True)

    def __enter__(self) -> GEWorker:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close(stop=exc[0] is not None)
