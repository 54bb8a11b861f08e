"""Memory pages for arrays that are written once: small pages, not huge ones.

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

from collections.abc import Iterator
from contextlib import contextmanager

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
