"""Memory pages: reuse freed memory in the process; small pages for arrays written once.

A run allocates and frees about twice its peak memory in large arrays. By default glibc
hands large blocks back to the kernel when they are freed (``mmap``/``munmap``, one malloc
arena per thread, heap trimming), so the next array faults its pages in again and the
kernel zeroes each one. On a virtual machine that first touch is slow: on the 2-core
machine of the benchmark, page zeroing (``clear_page_erms``) was 17% of the default run's
CPU. :func:`keep_freed_memory` keeps freed blocks in the process for reuse.

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
from collections.abc import Iterator
from contextlib import contextmanager

# glibc <malloc.h>
_M_TRIM_THRESHOLD, _M_MMAP_MAX, _M_ARENA_MAX = -1, -4, -8
_INT_MAX = 2**31 - 1

try:  # numpy's switch of the madvise call (numpy >= 1.20; private, so looked up softly)
    from numpy._core.multiarray import _set_madvise_hugepage as _set_hugepage
except ImportError:  # pragma: no cover - other numpy layouts
    try:
        from numpy.core.multiarray import (  # type: ignore[no-redef]
            _set_madvise_hugepage as _set_hugepage,
        )
    except ImportError:
        _set_hugepage = None


@contextmanager
def written_once() -> Iterator[None]:
    """numpy arrays allocated inside the block get ordinary pages (no huge-page advice);
    the previous setting is restored after it. A no-op where numpy has no such switch.
    The switch is process-wide: use it where no other thread allocates large arrays."""
    if _set_hugepage is None:
        yield
        return
    previous = _set_hugepage(False)
    try:
        yield
    finally:
        _set_hugepage(previous)


def keep_freed_memory() -> bool:
    """Tell glibc's malloc to keep freed memory for reuse (``mallopt``): one arena for all
    threads (``M_ARENA_MAX`` 1), no blocks mapped on their own (``M_MMAP_MAX`` 0), the heap
    trimmed only above 2 GB free (``M_TRIM_THRESHOLD``). True if glibc took all three;
    False elsewhere (no ``mallopt``: macOS, Windows), where nothing changes.

    Process-wide and lasting: the command line calls it once, before any thread starts;
    a library importing fta_compare is left alone. Default run on the 2-core VM, three
    runs each, alternating: 27.4 s against 28.0 s on average, pages the kernel allocated
    1.7 against 3.0 million, peak memory 5.5 against 5.7 GB."""
    try:
        mallopt = ctypes.CDLL(None).mallopt
    except (OSError, AttributeError):  # pragma: no cover - not glibc
        return False
    mallopt.argtypes, mallopt.restype = (ctypes.c_int, ctypes.c_int), ctypes.c_int
    settings = ((_M_ARENA_MAX, 1), (_M_MMAP_MAX, 0), (_M_TRIM_THRESHOLD, _INT_MAX))
    return all([mallopt(param, value) == 1 for param, value in settings])
