"""Memory pages: numpy's huge-page advice is off inside ``written_once`` and restored
after it; after ``keep_freed_memory`` a freed large array's pages serve the next one."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap

import numpy as np
import pytest

from fta_compare.pages import written_once

# in a child process: the malloc settings are process-wide and lasting
_REUSE = textwrap.dedent("""
    import resource, sys
    import numpy as np
    from fta_compare.pages import keep_freed_memory
    if sys.argv[1] == "keep" and not keep_freed_memory():
        print("unsupported"); sys.exit()
    def faults_of_a_fresh_array():
        before = resource.getrusage(resource.RUSAGE_SELF).ru_minflt
        a = np.empty(64 << 20, dtype=np.uint8)  # 64 MB, above glibc's mmap threshold
        a[::4096] = 1  # touch every page
        del a
        return resource.getrusage(resource.RUSAGE_SELF).ru_minflt - before
    faults_of_a_fresh_array()
    print(faults_of_a_fresh_array())
""")


def _second_array_faults(mode: str) -> str:
    return subprocess.run([sys.executable, "-c", _REUSE, mode], capture_output=True,
                          text=True, check=True).stdout.strip()


def test_freed_memory_is_reused_after_keep_freed_memory() -> None:
    kept = _second_array_faults("keep")
    if kept == "unsupported":
        pytest.skip("no glibc mallopt here")
    default = int(_second_array_faults("default"))
    # by default the freed block goes back to the kernel and its pages fault again (up to
    # 16,384 of 4 KB, 32 if all are huge pages); kept, the pages are still there
    assert int(kept) * 10 < default

multiarray = pytest.importorskip("numpy._core.multiarray")
get_hugepage = getattr(multiarray, "_get_madvise_hugepage", None)


@pytest.mark.skipif(get_hugepage is None, reason="numpy has no huge-page switch")
@pytest.mark.parametrize("before", [True, False])
def test_advice_off_inside_and_restored(before: bool) -> None:
    previous = multiarray._set_madvise_hugepage(before)
    try:
        with written_once():
            assert get_hugepage() is False
            a = np.ones(1 << 20)
        assert get_hugepage() is before
        with pytest.raises(RuntimeError), written_once():
            raise RuntimeError("restored on error too")
        assert get_hugepage() is before
        assert a.sum() == 1 << 20
    finally:
        multiarray._set_madvise_hugepage(previous)


_WARM = textwrap.dedent("""
    import resource, sys
    import numpy as np
    from fta_compare.pages import keep_freed_memory, warm_heap
    if sys.argv[1] == "keep" and not keep_freed_memory():
        print("unsupported"); sys.exit()
    worker = warm_heap(256 << 20)
    if worker is None:
        print("none"); sys.exit()
    worker.join()
    before = resource.getrusage(resource.RUSAGE_SELF).ru_minflt
    a = np.empty(192 << 20, dtype=np.uint8)
    a[::4096] = 1  # touch every page of a new 192 MB array
    print(resource.getrusage(resource.RUSAGE_SELF).ru_minflt - before)
""")


def _warm(mode: str) -> str:
    return subprocess.run([sys.executable, "-c", _WARM, mode], capture_output=True,
                          text=True, check=True).stdout.strip()


def test_warm_heap_faults_in_the_pages_the_next_arrays_take() -> None:
    """After keep_freed_memory, a warmed and freed block serves the next array: touching
    its 49,152 pages faults almost none of them. Without it, warm_heap does nothing."""
    kept = _warm("keep")
    if kept == "unsupported":
        pytest.skip("no glibc mallopt here")
    assert int(kept) < 500
    assert _warm("default") == "none"


def test_warm_heap_skips_small_blocks(monkeypatch: pytest.MonkeyPatch) -> None:
    from fta_compare import pages

    monkeypatch.setattr(pages, "_kept", True)
    assert pages.warm_heap(1 << 20) is None  # below 64 MB: not worth a thread
    assert pages.warm_heap(0) is None


def test_available_memory_is_positive_and_at_most_the_physical_memory() -> None:
    from fta_compare import pages

    try:
        physical = os.sysconf("SC_PHYS_PAGES") * os.sysconf("SC_PAGE_SIZE")
    except (ValueError, OSError, AttributeError):
        pytest.skip("no sysconf memory figures here")
    assert 0 < pages._free_bytes() <= physical


def test_heap_warmed_waits_for_every_warm_up(monkeypatch: pytest.MonkeyPatch) -> None:
    """Without MADV_POPULATE_WRITE (here: an advice the kernel refuses) the warm-up holds
    its block while it writes to it, and the run waits for it."""
    from fta_compare import pages

    monkeypatch.setattr(pages, "_kept", True)
    monkeypatch.setattr(pages, "_warming", [])
    monkeypatch.setattr(pages, "_MADV_POPULATE_WRITE", -1)  # EINVAL
    workers = [pages.warm_heap(64 << 20), pages.warm_heap(64 << 20)]
    assert all(w is not None for w in workers)
    pages.heap_warmed()
    assert not any(w.is_alive() for w in workers if w is not None)
    assert pages._warming == []
    pages.heap_warmed()  # nothing left: returns at once


def test_populate_faults_pages_in_without_changing_them() -> None:
    """The warm-up's advice runs over heap that arrays may already use: it must leave every
    byte as it was (madvise(2): no actual memory access), and fault the pages in. On a
    fresh anonymous mapping: half written, half never touched."""
    import ctypes
    import mmap
    import resource

    from fta_compare import pages

    try:
        libc = pages._libc()
    except OSError:
        pytest.skip("no C library to call here")
    n = 64 << 20
    mapping = mmap.mmap(-1, n)
    view = ctypes.c_char.from_buffer(mapping)
    try:
        start = ctypes.addressof(view)
        data = np.frombuffer(mapping, dtype=np.uint8)
        assert pages._page_range(start + 1, n - 1) == (start + 4096, start + n)
        pattern = np.arange(n // 2, dtype=np.uint64).astype(np.uint8)
        data[: n // 2] = pattern  # the first half in use, the second never touched
        if libc.madvise(start, 4096, pages._MADV_POPULATE_WRITE) != 0:
            pytest.skip("kernel without MADV_POPULATE_WRITE (Linux < 5.14)")
        pages._populate(start, start + n)
        assert (data[: n // 2] == pattern).all()
        before = resource.getrusage(resource.RUSAGE_SELF).ru_minflt
        assert not data[n // 2:].any()  # the untouched half: zeros, present now
        data[n // 2::4096] = 1  # (no faults reading or writing it)
        assert resource.getrusage(resource.RUSAGE_SELF).ru_minflt - before < 500
        del data
    finally:
        del view
        mapping.close()


_ENTRY = textwrap.dedent("""
    import sys
    import fta_compare.pages as pages
    assert "numpy" not in sys.modules, "importing pages imported numpy"
    seen = []
    real = pages.keep_freed_memory
    def spy():
        seen.append("numpy" in sys.modules or "pandas" in sys.modules)
        return real()
    pages.keep_freed_memory = spy
    from fta_compare import entry
    sys.argv = ["fta-compare", "--version"]
    try:
        entry.main()
    except SystemExit:
        pass
    print(seen)
""")


def test_entry_point_keeps_freed_memory_before_numpy_starts_threads() -> None:
    """The command sets the malloc settings before numpy and pandas are imported (their
    threads would otherwise hold arenas of their own, see fta_compare.pages)."""
    out = subprocess.run([sys.executable, "-c", _ENTRY], capture_output=True, text=True,
                         check=True).stdout
    assert out.strip().splitlines()[-1] == "[False]"
