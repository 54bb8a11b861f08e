"""Memory pages: reuse freed memory in the process; small pages for arrays written once.

A run allocates and frees about twice its peak memory in large arrays. By default glibc
hands large blocks back to the kernel when they are freed (``mmap``/``munmap``, one malloc
arena per thread, heap trimming), so the next array faults its pages in again and the
kernel zeroes each one. On a virtual machine that first touch is slow: on the 2-core
machine of the benchmark, page zeroing (``clear_page_erms``) was 17% of the default run's
CPU. :func:`keep_freed_memory` keeps freed blocks in the process for reuse, and
:func:`warm_heap` faults in, on a helper thread while validation and compilation keep one
core busy, the memory the compiler, the solve and the tables will take (the JVM's
``AlwaysPreTouch``, done where a core is idle): they then find their pages present.

numpy asks Linux for transparent huge pages (``madvise(MADV_HUGEPAGE)``) on every large
array. That pays for arrays a solver reads again and again (fewer TLB misses), but where
the kernel defragments on demand (``/sys/kernel/mm/transparent_hugepage/defrag`` set to
``madvise``, a common default) each 2 MB fault may wait for memory compaction. Arrays that
are filled once and then seldom read -- the compiler's block of applied rates (26 million
rows in the default run) -- are better served by ordinary pages. Measured on the default
run (2 cores, 2026-12-07): scenario compilation 6.7 s with huge pages, 3.5 s without; the
solve, the result tables and the writers were each 20-40% slower without them (their
arrays are read many times), so only the compiler's allocations opt out.
"""

from __future__ import annotations

import ctypes
import functools
import os
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager

# glibc <malloc.h>
_M_TRIM_THRESHOLD, _M_MMAP_MAX, _M_ARENA_MAX = -1, -4, -8
_PAGE = 4096
_kept = False  # keep_freed_memory took effect: warm_heap's pages stay in the process
_warming: list[threading.Thread] = []  # warm_heap's threads not yet waited for
# numpy is imported only where it is used: keep_freed_memory must run before numpy starts
# its BLAS threads (see there)


@functools.cache
def _hugepage_switch() -> Callable[[bool], bool] | None:
    """numpy's switch of the madvise call (numpy >= 1.20; private, so looked up softly)."""
    try:
        from numpy._core.multiarray import _set_madvise_hugepage
    except ImportError:  # pragma: no cover - other numpy layouts
        try:
            from numpy.core.multiarray import (  # type: ignore[no-redef]
                _set_madvise_hugepage,
            )
        except ImportError:
            return None
    return _set_madvise_hugepage  # type: ignore[no-any-return]


@contextmanager
def written_once() -> Iterator[None]:
    """numpy arrays allocated inside the block get ordinary pages (no huge-page advice);
    the previous setting is restored after it. A no-op where numpy has no such switch.
    The switch is process-wide: use it where no other thread allocates large arrays."""
    switch = _hugepage_switch()
    if switch is None:
        yield
        return
    previous = switch(False)
    try:
        yield
    finally:
        switch(previous)


def keep_freed_memory() -> bool:
    """Tell glibc's malloc to keep freed memory for reuse (``mallopt``): one arena for all
    threads (``M_ARENA_MAX`` 1), no blocks mapped on their own (``M_MMAP_MAX`` 0), the heap
    never trimmed (``M_TRIM_THRESHOLD`` -1, see mallopt(3)). True if glibc took all three;
    False elsewhere (no ``mallopt``: macOS, Windows), where nothing changes.

    Process-wide and lasting: the command's entry point (:mod:`fta_compare.entry`) calls
    it once, before numpy is imported; a library importing fta_compare is left alone.
    *Before numpy*: importing numpy (OpenBLAS) and pandas starts threads, each with a
    malloc arena of its own, and a thread started later may then be given one of theirs,
    so the pages :func:`warm_heap` frees stay in an arena the solve does not use. Called
    after those imports, the default run took 22.4 s (its solve: 6.8 s, 4.0 s of it in
    the kernel); called before, 20.1 s (5.2 s, 0.4 s). Earlier, against not calling it:
    27.4 s against 28.0 s on average, pages the kernel allocated 1.7 against 3.0 million,
    peak memory 5.5 against 5.7 GB."""
    try:
        mallopt = ctypes.CDLL(None).mallopt
    except (OSError, AttributeError):  # pragma: no cover - not glibc
        return False
    mallopt.argtypes, mallopt.restype = (ctypes.c_int, ctypes.c_int), ctypes.c_int
    settings = ((_M_ARENA_MAX, 1), (_M_MMAP_MAX, 0), (_M_TRIM_THRESHOLD, -1))
    global _kept
    _kept = all([mallopt(param, value) == 1 for param, value in settings])
    return _kept


def warm_heap(nbytes: int) -> threading.Thread | None:
    """Fault in ``nbytes`` of heap (at most a quarter of the available memory) on a helper
    thread, so that the arrays allocated next find their pages present. Only after
    :func:`keep_freed_memory` (else freed memory would go straight back to the kernel):
    returns the started thread, or None when there is nothing to do.

    Where Linux has ``MADV_POPULATE_WRITE`` (5.14 on), the block is freed at once -- the
    heap keeps its range, the next arrays are carved from it -- and the thread asks the
    kernel to fault in that range a slice at a time (madvise(2): "as if manually writing
    to each page ... however, avoid the actual memory access"; contents never change, so
    the arrays already placed there are untouched). Nobody waits for it. Elsewhere the
    thread writes one byte per page of the block it holds and then frees it; the run
    waits for it (:func:`heap_warmed`) before the large allocations.

    Size it below what the run will allocate: pages warmed and never reused only raise
    the peak memory. Default run: 3.6 GB warmed beside validation and compilation."""
    nbytes = min(int(nbytes), _free_bytes() // 4)
    if not _kept or nbytes < (64 << 20):
        return None
    libc = _libc()
    block = libc.malloc(nbytes)
    if not block:
        return None
    start, stop = _page_range(block, nbytes)
    if stop > start and libc.madvise(start, _PAGE, _MADV_POPULATE_WRITE) == 0:
        libc.free(block)  # the heap keeps the range (no trimming); see above
        worker = threading.Thread(target=_populate, args=(start, stop), name="warm-heap",
                                  daemon=True)
        worker.start()
        return worker
    worker = threading.Thread(target=_touch_and_free, args=(block, nbytes),
                              name="warm-heap", daemon=True)
    worker.start()
    _warming.append(worker)
    return worker


def heap_warmed() -> None:
    """Wait for :func:`warm_heap`'s threads that still hold their block. Called before the
    large allocations the warm-up is for: were the block still held, they would land beside
    it on fresh pages and the peak memory would grow by its size (measured once: 6.5
    instead of 5.5 GB)."""
    while _warming:
        _warming.pop().join()


def _free_bytes() -> int:
    """Memory available without swapping: ``MemAvailable`` (free plus reclaimable page
    cache), else the free pages alone."""
    try:
        with open("/proc/meminfo", encoding="ascii") as f:
            for line in f:
                if line.startswith("MemAvailable:"):
                    return int(line.split()[1]) * 1024
    except (OSError, ValueError, IndexError):
        pass
    try:
        return os.sysconf("SC_AVPHYS_PAGES") * os.sysconf("SC_PAGE_SIZE")
    except (ValueError, OSError, AttributeError):  # pragma: no cover - no sysconf names
        return 0


_MADV_POPULATE_WRITE = 23  # <linux/mman.h>, Linux 5.14
# bytes faulted in per madvise call: each call holds the process's memory-map lock, and
# validation, growing its heap meanwhile, waits for it (default run: validate took
# 1.15-1.34 s with 16 MB steps, 0.95-1.04 s with 1-4 MB)
_POPULATE_STEP = 2 << 20


@functools.cache
def _libc() -> ctypes.CDLL:
    libc = ctypes.CDLL(None, use_errno=True)
    libc.malloc.argtypes, libc.malloc.restype = (ctypes.c_size_t,), ctypes.c_void_p
    libc.free.argtypes, libc.free.restype = (ctypes.c_void_p,), None
    libc.madvise.argtypes = (ctypes.c_void_p, ctypes.c_size_t, ctypes.c_int)
    libc.madvise.restype = ctypes.c_int
    return libc


def _page_range(block: int, nbytes: int) -> tuple[int, int]:
    """The whole pages inside ``[block, block + nbytes)``."""
    start = -(-block // _PAGE) * _PAGE
    return start, (block + nbytes) // _PAGE * _PAGE


def _populate(start: int, stop: int) -> None:
    """``madvise(MADV_POPULATE_WRITE)`` over ``[start, stop)`` a step at a time (the call
    runs without the GIL: ctypes releases it)."""
    libc = _libc()
    for at in range(start, stop, _POPULATE_STEP):
        if libc.madvise(at, min(_POPULATE_STEP, stop - at), _MADV_POPULATE_WRITE) != 0:
            return  # e.g. out of memory: the arrays fault their pages in themselves


def _touch_and_free(block: int, nbytes: int) -> None:
    """Write one byte per page of the malloc'd ``block`` (numpy's strided copy runs
    without the GIL), then free it. ``malloc`` directly: a numpy array would ask for huge
    pages, which the arrays reusing the block may not want (see :func:`written_once`)."""
    import numpy as np

    try:
        pages = np.frombuffer((ctypes.c_uint8 * nbytes).from_address(block), dtype=np.uint8)
        pages[::_PAGE] = 0
        del pages
    finally:
        _libc().free(block)
