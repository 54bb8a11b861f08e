"""Helpers shared by the source modules: CSV reading, rate-text parsing, staging, HS prefixes.

* :func:`read_csv` reads one file of the shared data folder (``../shared/data``).
* :func:`pct_numbers` parses ad valorem percentages out of a tariff rate text (Japan Customs and
  USITC HTS texts, e.g. ``"3.2%"``, ``"無税"``, ``"Free"``); values are percent, not fractions.
* :func:`progress` is the share (fraction) of a linear n-step tariff elimination done in a year.
* :func:`compress_override` / :func:`compress_partition` write HS6-level values as 2/4/6-digit
  prefix rows, lossless under the input contract's "longest matching prefix wins" rule.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Hashable
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

Info = dict[str, Any]
"""Diagnostics and notes a builder hands to the ``sources`` and ``meta`` sheets."""

Log = Callable[..., None]


def read_csv(shared: Path, rel: str, **kw: Any) -> pd.DataFrame:
    """``pandas.read_csv`` of ``shared / rel`` (``rel`` as listed in ``SOURCES.md``)."""
    return pd.read_csv(shared / rel, **kw)


def pct_numbers(text: object) -> list[float]:
    """Every ad valorem percentage (in %) in a rate text (NFKC); '無税'/'Free' count as 0."""
    if text is None or (isinstance(text, float) and np.isnan(text)):
        return []
    s = unicodedata.normalize("NFKC", str(text))
    out = [float(x) for x in re.findall(r"(\d+(?:\.\d+)?)\s*%", s)]
    if "無税" in s or re.search(r"\bfree\b", s, flags=re.I):
        out.append(0.0)
    return out


def progress(year: int, start: int, n: int) -> float:
    """Share (fraction) of a linear n-step elimination done in ``year`` (first cut in ``start``)."""
    return float(min(1.0, max(0.0, (year - start + 1) / n)))


def _mode(values: list[Hashable]) -> Hashable:
    """Most frequent value; ties broken by the smallest ``repr`` (deterministic)."""
    counts: dict[Hashable, int] = {}
    for v in values:
        counts[v] = counts.get(v, 0) + 1
    best = max(counts.values())
    return sorted([k for k, c in counts.items() if c == best], key=repr)[0]


def _by_prefix(codes: list[str], n: int) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    for h in codes:
        out.setdefault(h[:n], []).append(h)
    return out


def compress_override(
    values: dict[str, Hashable], universe: list[str]
) -> list[tuple[str, Hashable]]:
    """HS6 -> value over the whole universe, as 2/4/6-digit rows where finer rows override.

    Under the rule "the longest matching prefix wins" the rows reproduce every HS6 value.
    """
    out: list[tuple[str, Hashable]] = []
    by_ch = _by_prefix(universe, 2)
    for ch in sorted(by_ch):
        codes = by_ch[ch]
        cm = _mode([values[h] for h in codes])
        out.append((ch, cm))
        by_hd = _by_prefix(codes, 4)
        for hd in sorted(by_hd):
            hm = _mode([values[h] for h in by_hd[hd]])
            parent = cm
            if hm != cm:
                out.append((hd, hm))
                parent = hm
            for h in by_hd[hd]:
                if values[h] != parent:
                    out.append((h, values[h]))
    return out


def compress_partition(values: dict[str, float], universe: list[str]) -> list[tuple[str, float]]:
    """Non-overlapping 2/4/6-digit rows covering exactly the HS6 codes with a non-zero value."""
    out: list[tuple[str, float]] = []
    by_ch = _by_prefix(universe, 2)
    for ch in sorted(by_ch):
        codes = by_ch[ch]
        vals = {values.get(h, 0.0) for h in codes}
        if len(vals) == 1 and next(iter(vals)) > 0:
            out.append((ch, next(iter(vals))))
            continue
        by_hd = _by_prefix(codes, 4)
        for hd in sorted(by_hd):
            hv = {values.get(h, 0.0) for h in by_hd[hd]}
            if len(hv) == 1 and next(iter(hv)) > 0:
                out.append((hd, next(iter(hv))))
                continue
            for h in by_hd[hd]:
                v = values.get(h, 0.0)
                if v > 0:
                    out.append((h, v))
    return out
