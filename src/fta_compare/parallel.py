"""Engine of the sensitivity analysis: chunks of elasticity draws, solved vectorised, on
local processes or a Dask cluster.

Work plan (:func:`plan_chunks`): draws ``0 .. D-1`` are cut into fixed-size chunks
``[i c, min((i + 1) c, D))`` (``c`` the chunk size); the boundaries depend on ``D`` and ``c``
only, never on the number of workers. Chunk ``i`` draws its random numbers from child ``i``
of ``numpy.random.SeedSequence(seed).spawn(n_chunks)`` (child ``i`` does not depend on
``n_chunks`` either), so every draw, and everything computed from it, is bit-identical
whatever the number of workers or the engine, and the first draws of a longer run equal
those of a shorter one with the same seed and chunk size.

Chunk (:func:`solve_chunk`): one ``(3, n, P, N)`` block of standard normals is turned into
the ``(n, P, N)`` import demand, substitution and export supply elasticities
(:func:`sample`), and each scenario is solved once for the whole chunk with the draws as
the leading numpy axis (the model functions accept ``(D, P, N)`` elasticities with
``(P, N, N)`` trade). Only per-draw aggregates leave the worker: welfare parts by scenario
and economy, and the focus economy's scorecard flows (:class:`ChunkResult`).

Engines (:func:`run_chunks`): in-process (one worker), a
:class:`concurrent.futures.ProcessPoolExecutor` (the shared arrays are sent once to each
process, through its initializer) or, with a scheduler address, a Dask distributed cluster
(``dask[distributed]`` is an optional extra, imported only then; the shared arrays are
scattered once with ``broadcast=True``).

Bit-identical on every engine (the same bytes whatever the engine or number of workers):

* BLAS threads: every chunk (and the point solve) runs with BLAS limited to one thread
  (:func:`one_blas_thread`: ``threadpoolctl`` when installed, else OpenBLAS's own
  ``openblas_set_num_threads`` through ctypes; Dask's nanny also starts workers with
  ``OMP/OPENBLAS/MKL_NUM_THREADS=1``). A multi-threaded OpenBLAS ``dgemm`` splits its sums
  differently with the thread count: the local process (one thread per CPU) and Dask workers
  (one thread) differed in the last bit.
* Reduction order: sums that leave the worker are numpy reductions over arrays whose layout
  depends on the shapes only, never BLAS (:func:`sector_sums` replaces a matmul), and chunks
  are reassembled by chunk index, never in arrival order.
* Layout of the shared arrays: Dask delivers them as views of its network frames, possibly
  not even 8-byte aligned, where numpy buffers reductions in blocks (another summation
  order); :func:`solve_chunk` first copies any unaligned or non-C-contiguous array
  (:func:`aligned`).
"""

from __future__ import annotations

import ctypes
import dataclasses
import functools
import itertools
import math
import multiprocessing
import os
import sys
import threading
import time
import uuid
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from contextlib import contextmanager
from dataclasses import dataclass, replace
from pathlib import Path
from typing import IO, Any

import numpy as np

from fta_compare.errors import ModelError
from fta_compare.model.arrays import MarketArrays, ModelResult, Shock

PARAMETERS = ("import_demand", "substitution", "export_supply")
#: distribution codes of :class:`DrawSpec.kind`
KINDS = {"fixed": 0, "lognormal": 1, "normal": 2, "uniform": 3}
#: per-economy welfare parts returned for every draw (net welfare is their sum)
WELFARE_PARTS = ("consumer_surplus", "producer_surplus", "tariff_revenue")
#: the focus economy's flow metrics (as in :mod:`fta_compare.scorecard`)
FLOW_METRICS = ("exports_change", "imports_change", "trade_creation", "trade_diversion")
CONCENTRATION_METRICS = ("critical_import_hhi", "critical_china_share")
DEFAULT_CHUNK = 8  # draws per chunk


@dataclass(frozen=True)
class DrawSpec:
    """Distribution of every elasticity, as ``(3, P, N)`` arrays over
    :data:`PARAMETERS` x products x economies (importer for import demand and substitution,
    exporter for export supply).

    ``kind`` codes (:data:`KINDS`), with ``z`` a standard normal draw and ``c`` the centre:
    fixed ``x = c``; lognormal ``x = c exp(s z)`` (median ``c``, ``s`` the sd of log |x|;
    the sign of ``c`` is kept); normal ``x = c + s z``; uniform ``x = c + s (2 Phi(z) - 1)``
    (half-width ``s``). Draws are then clipped to ``[lower, upper]``. An infinite centre
    stays infinite.
    """

    centre: np.ndarray
    kind: np.ndarray
    spread: np.ndarray
    lower: np.ndarray
    upper: np.ndarray


def sample(spec: DrawSpec, seed: np.random.SeedSequence, n: int
           ) -> tuple[tuple[np.ndarray, np.ndarray, np.ndarray], int]:
    """``n`` draws of each elasticity, ``(n, P, N)`` each, and how many values were clipped.

    One ``(3, n, P, N)`` block of standard normals from ``seed`` (PCG64), so the result
    depends on ``spec``, ``seed`` and ``n`` only.
    """
    from scipy.special import ndtr

    z = np.random.Generator(np.random.PCG64(seed)).standard_normal((3, n, *spec.centre.shape[1:]))
    c, s, k = spec.centre[:, None], spec.spread[:, None], spec.kind[:, None]
    with np.errstate(over="ignore", invalid="ignore"):
        x = np.select(
            [k == KINDS["lognormal"], k == KINDS["normal"], k == KINDS["uniform"]],
            [c * np.exp(s * z), c + s * z, c + s * (2.0 * ndtr(z) - 1.0)],
            default=np.broadcast_to(c, z.shape),
        )
    lo, hi = spec.lower[:, None], spec.upper[:, None]
    clipped = int(np.count_nonzero((x < lo) | (x > hi)))
    np.clip(x, lo, hi, out=x)
    return (x[0], x[1], x[2]), clipped


@dataclass(frozen=True)
class ChunkContext:
    """What every chunk needs (shared once with each worker).

    sectors[p, k]   1.0 where product p is in sector k (``exports_change:<sector>``).
    critical[p]     product in a critical sector (import concentration metrics); may be
                    all False, then those metrics are NaN.
    china           position of China among the economies, -1 if absent.
    """

    market: MarketArrays
    shocks: tuple[tuple[str, Shock], ...]
    spec: DrawSpec
    model: str
    solution: str
    focus: int
    sectors: np.ndarray
    critical: np.ndarray
    china: int

    @property
    def n_focus_metrics(self) -> int:
        return len(FLOW_METRICS) + self.sectors.shape[1] + len(CONCENTRATION_METRICS)


@dataclass(frozen=True)
class Chunk:
    """Draws ``start .. start + size - 1``, random numbers from ``seed``."""

    index: int
    start: int
    size: int
    seed: np.random.SeedSequence


@dataclass(frozen=True)
class ChunkResult:
    """Per-draw aggregates of one chunk (n draws, S scenarios, N economies).

    welfare[d, s, j, n]  :data:`WELFARE_PARTS` j of economy n (sums over products).
    focus[d, s, f]       focus economy: :data:`FLOW_METRICS`, exports change by sector,
                         :data:`CONCENTRATION_METRICS` (see :func:`focus_metric_names`).
    ok[d, s]             every product converged and every output is finite.
    clipped              elasticity values clipped to their bounds in this chunk.
    seconds, cpu_seconds wall and CPU (this thread) time of the chunk in the worker; a CPU
                         time well below the wall time means the worker waited for a CPU.
    blas                 how BLAS was held to one thread (:func:`one_blas_thread`).
    """

    index: int
    welfare: np.ndarray
    focus: np.ndarray
    ok: np.ndarray
    clipped: int
    seconds: float
    cpu_seconds: float
    blas: str = ""


@dataclass(frozen=True)
class EngineInfo:
    """Where the chunks ran: ``in-process``, ``local-processes`` or ``dask``."""

    engine: str
    workers: int
    address: str = ""


def focus_metric_names(sector_names: Sequence[str]) -> tuple[str, ...]:
    """Names of the columns of :attr:`ChunkResult.focus`."""
    return (*FLOW_METRICS, *(f"exports_change:{s}" for s in sector_names),
            *CONCENTRATION_METRICS)


def plan_chunks(draws: int, chunk_size: int, seed: int) -> list[Chunk]:
    """Fixed-size chunks of ``draws`` with ``SeedSequence(seed).spawn(n_chunks)`` seeds."""
    if draws < 1 or chunk_size < 1:
        raise ValueError("draws and chunk_size must be >= 1")
    n = math.ceil(draws / chunk_size)
    seeds = np.random.SeedSequence(seed).spawn(n)
    return [Chunk(i, i * chunk_size, min(chunk_size, draws - i * chunk_size), seeds[i])
            for i in range(n)]


def sector_sums(x: np.ndarray, sectors: np.ndarray) -> np.ndarray:
    """``(n, K)`` sums of ``x (n, P)`` over the products of each sector (``sectors[p, k]``
    non-zero), in a fixed order: numpy's pairwise sum over a C-contiguous copy of the
    sector's columns, which depends on the number of products only. Not a BLAS matmul,
    whose result depends on the number of BLAS threads."""
    out = np.empty((x.shape[0], sectors.shape[1]))
    for k in range(sectors.shape[1]):
        cols = np.flatnonzero(sectors[:, k])
        out[:, k] = np.ascontiguousarray(x[:, cols]).sum(axis=-1)
    return out


def _aggregate(ctx: ChunkContext, res: ModelResult) -> tuple[np.ndarray, ...]:
    """Welfare parts (n, 3, N), focus metrics (n, F) and ok flags (n,) of one scenario."""
    f = ctx.focus
    m0 = np.asarray(ctx.market.base_value, float)
    parts = [np.asarray(a).sum(axis=-2) for a in
             (res.consumer_surplus, res.producer_surplus, res.tariff_revenue)]
    welfare = np.stack(parts, axis=-2)
    ok = res.converged.all(axis=-1)
    ok &= np.isfinite(res.new_value).all(axis=(-3, -2, -1))
    for a in (res.consumer_surplus, res.producer_surplus, res.tariff_revenue):
        ok &= np.isfinite(a).all(axis=(-2, -1))

    def exports(row: np.ndarray) -> np.ndarray:  # (n, P): focus exporter's row, r != f
        row[..., f] = 0.0
        return row.sum(axis=-1)

    nv = res.new_value
    exp_p = exports(nv[..., f, :] - m0[:, f, :])  # new_value - base_value on its exports
    imp = nv[..., :, f] - m0[:, :, f]  # and on its imports (v != f)
    imp[..., f] = 0.0
    flows = [exp_p.sum(axis=-1), imp.sum(axis=(-2, -1)),
             exports(res.trade_creation[..., f, :].copy()).sum(axis=-1),
             exports(res.trade_diversion[..., f, :].copy()).sum(axis=-1)]
    by_sector = sector_sums(exp_p, ctx.sectors)
    n = nv.shape[0]
    hhi = np.full(n, np.nan)
    china = np.full(n, np.nan)
    if ctx.critical.any():
        src = nv[..., f][:, ctx.critical].sum(axis=1)  # (n, N) imports by source, new values
        src[:, f] = 0.0
        total = src.sum(axis=-1)
        has = total > 0
        share = np.divide(src, total[:, None], out=np.zeros_like(src), where=has[:, None])
        hhi = np.where(has, (share**2).sum(axis=-1), np.nan)
        cn = share[:, ctx.china] if ctx.china >= 0 else np.zeros(n)
        china = np.where(has, cn, np.nan)
    focus = np.column_stack([*flows, by_sector, hhi, china])
    ok &= np.isfinite(welfare).all(axis=(-2, -1))  # sums too (NaN HHI = no imports is valid)
    ok &= np.isfinite(focus[:, : focus.shape[1] - len(CONCENTRATION_METRICS)]).all(axis=-1)
    return welfare, focus, ok


def solve_chunk(ctx: ChunkContext, chunk: Chunk) -> ChunkResult:
    """Draw the chunk's elasticities and solve every scenario for all its draws at once.

    No loop over draws or products: the model functions take ``(n, P, N)`` elasticities
    with ``(P, N, N)`` trade and return ``(n, ...)`` outputs; only scenarios are looped.
    """
    from fta_compare.api import solver_for

    t0, c0 = time.perf_counter(), time.thread_time()
    solver = solver_for(ctx.model, ctx.solution)
    ctx = aligned(ctx)
    with one_blas_thread() as blas:
        (em, es, ex), clipped = sample(ctx.spec, chunk.seed, chunk.size)
        m = replace(ctx.market, import_demand=em, substitution=es, export_supply=ex)
        S, N = len(ctx.shocks), ctx.market.n_countries
        welfare = np.empty((chunk.size, S, len(WELFARE_PARTS), N))
        focus = np.empty((chunk.size, S, ctx.n_focus_metrics))
        ok = np.empty((chunk.size, S), dtype=bool)
        for s, (_, shock) in enumerate(ctx.shocks):
            with np.errstate(divide="ignore", over="ignore", invalid="ignore"):  # in ok
                res = solver(m, shock)
            welfare[:, s], focus[:, s], ok[:, s] = _aggregate(ctx, res)
    return ChunkResult(chunk.index, welfare, focus, ok, clipped, time.perf_counter() - t0,
                       time.thread_time() - c0, blas)


def aligned(x: Any) -> Any:
    """``x`` (arrays, in dataclasses and tuples) with every array aligned and C-contiguous:
    a copy of those that are not, the rest as is (``x`` itself when nothing changes).

    Arrays received from Dask are views of its network frames, sometimes not even 8-byte
    aligned; numpy then buffers a reduction in blocks of 8192 elements, which changes the
    pairwise summation order (``np.add.reduce`` of 100,000 doubles differs in the last bit).
    """
    if isinstance(x, np.ndarray):
        return x if x.flags.c_contiguous and x.flags.aligned else np.require(x, None, "CA")
    if dataclasses.is_dataclass(x) and not isinstance(x, type):
        new = {f.name: aligned(getattr(x, f.name)) for f in dataclasses.fields(x)}
        same = all(v is getattr(x, k) for k, v in new.items())
        return x if same else replace(x, **new)
    if isinstance(x, tuple):
        items = tuple(aligned(v) for v in x)
        return x if all(a is b for a, b in zip(items, x, strict=True)) else items
    return x


# --- BLAS threads -----------------------------------------------------------------------

_OPENBLAS_API = ("openblas_get_num_threads", "openblas_set_num_threads")
BlasLimit = Callable[[int], Callable[[], None]]  # set the thread count, return the undo


@functools.cache
def blas_control() -> tuple[BlasLimit, str] | None:
    """How to set the number of BLAS threads in this process: ``threadpoolctl`` (every BLAS
    it knows) when installed, else the ``openblas_set_num_threads`` of each OpenBLAS loaded
    in the process (Linux; the OpenBLAS that numpy wheels ship), else None."""
    try:
        from threadpoolctl import ThreadpoolController
    except ImportError:
        pass
    else:
        ctl = ThreadpoolController().select(user_api="blas")
        if ctl.lib_controllers:
            return (lambda n: ctl.limit(limits=n).restore_original_limits), "threadpoolctl"
    funcs = _openblas_functions()
    if not funcs:
        return None

    def limit(n: int) -> Callable[[], None]:
        before = [get() for get, _ in funcs]
        for _, put in funcs:
            put(n)

        def undo() -> None:
            for (_, put), k in zip(funcs, before, strict=True):
                put(k)

        return undo

    return limit, "openblas_set_num_threads (ctypes)"


def _openblas_functions() -> list[tuple[Callable[[], int], Callable[[int], None]]]:
    """``(get, set)`` thread-count functions of every OpenBLAS mapped in this process,
    found in ``/proc/self/maps`` (with numpy's symbol prefixes and suffixes)."""
    try:
        maps = Path("/proc/self/maps").read_text()
    except OSError:
        return []
    paths = sorted({line.split(maxsplit=5)[5] for line in maps.splitlines()
                    if len(line.split(maxsplit=5)) == 6 and "openblas" in line.lower()})
    out = []
    for path in paths:
        try:
            lib = ctypes.CDLL(path)
        except OSError:
            continue
        for prefix, suffix in itertools.product(("scipy_", ""), ("64_", "", "_64")):
            get, put = (getattr(lib, f"{prefix}{name}{suffix}", None) for name in _OPENBLAS_API)
            if get is not None and put is not None:
                get.restype, put.argtypes = ctypes.c_int, [ctypes.c_int]
                out.append((get, put))
                break
    return out


class _BlasPin:
    """One process-wide limit shared by nested and concurrent :func:`one_blas_thread`
    blocks (threads of a Dask worker): set by the first, undone by the last."""

    lock = threading.Lock()
    depth = 0
    undo: Callable[[], None] | None = None
    how = ""


@contextmanager
def one_blas_thread() -> Iterator[str]:
    """BLAS limited to one thread in this process inside the block, the previous limit
    restored after it; yields how (``"not pinned"`` when no BLAS control was found)."""
    with _BlasPin.lock:
        if _BlasPin.depth == 0:
            control = blas_control()
            _BlasPin.undo = control[0](1) if control else None
            _BlasPin.how = f"1 thread ({control[1]})" if control else "not pinned"
        _BlasPin.depth += 1
        how = _BlasPin.how
    try:
        yield how
    finally:
        with _BlasPin.lock:
            _BlasPin.depth -= 1
            if _BlasPin.depth == 0 and _BlasPin.undo is not None:
                _BlasPin.undo()
                _BlasPin.undo = None


# --- engines --------------------------------------------------------------------------

_CONTEXT: Any = None  # the shared context inside a local worker process


def _init_worker(context: Any) -> None:
    global _CONTEXT
    _CONTEXT = context


def _call_local(fn: Callable[[Any, Any], Any], task: Any) -> Any:
    return fn(_CONTEXT, task)


def _pool_context() -> multiprocessing.context.BaseContext:
    """``fork`` on Linux while this process runs a single thread (fast, and no re-import of
    ``__main__``); else ``forkserver`` (never fork a process holding threads, such as a
    Dask client's) with the package preloaded once in the server; else ``spawn``."""
    methods = multiprocessing.get_all_start_methods()
    if sys.platform.startswith("linux") and "fork" in methods and threading.active_count() == 1:
        return multiprocessing.get_context("fork")
    if "forkserver" in methods:
        ctx = multiprocessing.get_context("forkserver")
        ctx.set_forkserver_preload(["fta_compare.parallel", "fta_compare.api"])
        return ctx
    return multiprocessing.get_context("spawn")


def lowest_thread_priority() -> bool:
    """Give the calling thread the lowest CPU priority (nice 19), for work nobody waits on
    until the end (the Parquet detail, written while the workbook and the sector model
    are on the critical path). Linux only, where a thread is a task with a priority of
    its own (setpriority(2) on its thread id); elsewhere that id could name another
    process, so nothing is done. True if set. Measured on the default run (2 cores): the
    write phase 4.4-4.7 s against 5.0-5.3 s, as the sector model's process, at nice 19
    too, then shares the second core with the Parquet writer instead of waiting for it.
    """
    if not sys.platform.startswith("linux"):
        return False
    try:
        os.setpriority(os.PRIO_PROCESS, threading.get_native_id(), 19)
    except OSError:  # pragma: no cover - a sandbox that refuses it
        return False
    return True


def stop_pool(pool: ProcessPoolExecutor) -> None:
    """Shut ``pool`` down at once: pending work cancelled, running workers terminated."""
    procs = list((getattr(pool, "_processes", None) or {}).values())
    pool.shutdown(wait=False, cancel_futures=True)
    for proc in procs:
        proc.terminate()
    # The pool's own thread may reap a worker first (its blocking join); this thread's
    # waitpid then fails and the process looks alive until that thread, which needs the
    # GIL, records the exit code. So wait for the exit code, giving the GIL away.
    deadline = time.monotonic() + 5.0
    for proc in procs:
        while proc.exitcode is None and time.monotonic() < deadline:
            proc.join(0.05)
            time.sleep(0.001)


Task = Any
OnDone = Callable[[Task, Any], None]


def run_chunks(fn: Callable[[Any, Task], Any], context: Any, tasks: Sequence[Task], *,
               workers: int = 1, scheduler: str | None = None,
               on_done: OnDone | None = None) -> tuple[list[Any], EngineInfo]:
    """``[fn(context, t) for t in tasks]`` (in task order) on the chosen engine.

    ``scheduler`` (``tcp://host:port``) runs on a Dask cluster and ignores ``workers``;
    else ``workers > 1`` uses that many local processes (at most one per task) and
    ``workers == 1`` runs in this process. ``fn`` must be a module-level function (it is
    pickled by reference); ``on_done(task, result)`` is called as each task finishes.
    """
    done = on_done or (lambda task, result: None)
    if scheduler:
        return _run_dask(fn, context, tasks, scheduler, done)
    workers = max(1, min(int(workers), len(tasks)))
    if workers == 1:
        out = []
        for t in tasks:
            out.append(fn(context, t))
            done(t, out[-1])
        return out, EngineInfo("in-process", 1)
    results: list[Any] = [None] * len(tasks)
    pool = ProcessPoolExecutor(max_workers=workers, mp_context=_pool_context(),
                               initializer=_init_worker, initargs=(context,))
    try:
        pending: dict[Future[Any], int] = {
            pool.submit(_call_local, fn, t): i for i, t in enumerate(tasks)}
        while pending:
            finished, _ = wait(pending, return_when=FIRST_COMPLETED)
            for fut in finished:
                i = pending.pop(fut)
                results[i] = fut.result()
                done(tasks[i], results[i])
    except BaseException:  # Ctrl-C or a failed chunk: stop our workers now, not at exit
        stop_pool(pool)
        raise
    pool.shutdown(wait=True)
    return results, EngineInfo("local-processes", workers)


def _run_dask(fn: Callable[[Any, Task], Any], context: Any, tasks: Sequence[Task],
              address: str, done: OnDone) -> tuple[list[Any], EngineInfo]:
    """The same tasks on a Dask distributed cluster; the context is scattered once to
    every worker (``broadcast=True``) and passed to each task as a future."""
    try:
        from distributed import Client, as_completed
    except ImportError as exc:
        raise ModelError("--scheduler needs Dask distributed, an optional extra: "
                         "pip install 'fta-compare[dask]' (on this machine and every "
                         "worker)") from exc
    try:
        client = Client(address, timeout="30s", set_as_default=False)
    except (OSError, TimeoutError) as exc:
        raise ModelError(f"cannot connect to the Dask scheduler at {address}: {exc}") from exc
    futures = []
    try:
        try:
            client.wait_for_workers(1, timeout=60)
        except TimeoutError as exc:
            raise ModelError(f"no Dask worker joined the scheduler at {address} within "
                             "60 s; start one with: dask worker " + address) from exc
        n_workers = len(client.nthreads())
        shared = client.scatter(context, broadcast=True, hash=False)
        tag = uuid.uuid4().hex[:12]
        futures = [client.submit(fn, shared, t, key=f"fta-compare-chunk-{tag}-{i}",
                                 pure=False) for i, t in enumerate(tasks)]
        index = {f.key: i for i, f in enumerate(futures)}
        results: list[Any] = [None] * len(tasks)
        for fut in as_completed(futures, loop=client.loop):
            i = index[fut.key]
            try:
                results[i] = fut.result()
            except ModuleNotFoundError as exc:
                raise ModelError(f"a Dask worker cannot import {exc.name!r}: install "
                                 "fta-compare on every worker machine") from exc
            done(tasks[i], results[i])
        return results, EngineInfo("dask", n_workers, address)
    finally:
        if futures:
            client.cancel(futures)
        client.close()


# --- progress -------------------------------------------------------------------------


class Progress:
    """One self-rewriting line on stderr: draws done, rate (draws/s) and time left.

    Off when the stream is not a terminal (logs and pipes stay clean) or when disabled.
    """

    def __init__(self, total: int, *, stream: IO[str] | None = None,
                 enabled: bool | None = None, label: str = "draws",
                 min_interval: float = 0.2) -> None:
        self.stream = stream if stream is not None else sys.stderr
        if enabled is None:
            isatty = getattr(self.stream, "isatty", None)
            enabled = bool(isatty and isatty()) and os.environ.get("TERM") != "dumb"
        self.enabled = enabled
        self.total, self.label, self.min_interval = total, label, min_interval
        self.done = 0
        self.start = time.monotonic()
        self._last = -math.inf
        self._width = 0

    def update(self, n: int) -> None:
        self.done += n
        now = time.monotonic()
        if self.enabled and (now - self._last >= self.min_interval or self.done >= self.total):
            self._last = now
            self._write(self.line(now - self.start))

    def line(self, elapsed: float) -> str:
        rate = self.done / elapsed if elapsed > 0 else 0.0
        left = (self.total - self.done) / rate if rate > 0 else math.nan
        pct = 100.0 * self.done / self.total if self.total else 100.0
        return (f"sensitivity: {self.done}/{self.total} {self.label} ({pct:3.0f}%) "
                f"{rate:.2f} {self.label}/s, {_clock(left)} left")

    def _write(self, text: str) -> None:
        pad = max(0, self._width - len(text))
        self._width = len(text)
        self.stream.write("\r" + text + " " * pad)
        self.stream.flush()

    def close(self) -> None:
        if self.enabled and self._width:
            self.stream.write("\n")
            self.stream.flush()


def _clock(seconds: float) -> str:
    if not math.isfinite(seconds):
        return "--:--"
    s = round(seconds)
    h, rem = divmod(s, 3600)
    return f"{h}:{rem // 60:02d}:{rem % 60:02d}" if h else f"{rem // 60:02d}:{rem % 60:02d}"
