"""written_once: numpy's huge-page advice is off inside the block and restored after it."""

from __future__ import annotations

import numpy as np
import pytest

from fta_compare.pages import written_once

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
