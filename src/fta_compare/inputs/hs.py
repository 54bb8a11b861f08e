"""HS codes: normalisation and most-specific-prefix matching (vectorised with pandas)."""

from __future__ import annotations

import numpy as np
import pandas as pd

WILDCARD = "*"


def longest_prefix_index(targets: pd.Series, patterns: pd.Series) -> np.ndarray:
    """Index (position in ``patterns``) of the longest pattern that prefixes each target.

    ``patterns`` are HS codes of 2-6 digits or ``*`` (matches everything, lowest priority);
    they must be unique. Returns -1 where nothing matches. One pandas map per distinct
    pattern length, so the cost is O(len(targets) * number of lengths).
    """
    t = targets.astype(str).to_numpy()
    p = patterns.astype(str).reset_index(drop=True)
    out = np.full(len(t), -1, dtype=np.int64)
    lengths = sorted({len(x) for x in p if x != WILDCARD}, reverse=True)
    tser = pd.Series(t)
    for length in lengths:
        sel = p[p.str.len() == length]
        lookup = pd.Series(sel.index.to_numpy(), index=sel.to_numpy())
        hit = tser.str[:length].map(lookup)
        take = (out < 0) & hit.notna().to_numpy() & (tser.str.len().to_numpy() >= length)
        out[take] = hit.to_numpy()[take].astype(np.int64)
    star = np.flatnonzero(p.to_numpy() == WILDCARD)
    if star.size:
        out[out < 0] = star[0]
    return out


def keyed_prefix_match(
    target: pd.DataFrame,
    rules: pd.DataFrame,
    keys: list[str],
    hs_col: str = "hs",
) -> np.ndarray:
    """Row position in ``rules`` of the best rule for each row of ``target``, or -1.

    A rule matches when its ``keys`` equal the target's and its ``hs`` is a prefix of the
    target's ``hs`` (or ``*``); the longest prefix wins. ``rules`` must be unique on
    ``keys + [hs_col]``. Vectorised: one merge per distinct HS length.
    """
    rules = rules.reset_index(drop=True)
    out = np.full(len(target), -1, dtype=np.int64)
    t = target[[*keys, hs_col]].reset_index(drop=True).copy()
    t["_pos"] = np.arange(len(t))
    rhs = rules[hs_col].astype(str)
    lengths = sorted({len(x) for x in rhs.unique() if x != WILDCARD}, reverse=True)
    for length in [*lengths, 0]:
        sel = rules[(rhs.str.len() == length) & (rhs != WILDCARD)] if length else rules[
            rhs == WILDCARD]
        if sel.empty:
            continue
        left = t.loc[out[t["_pos"].to_numpy()] < 0]
        if left.empty:
            break
        left = left.assign(_k=left[hs_col].astype(str).str[:length] if length else WILDCARD)
        right = sel[keys].copy()
        right["_k"] = sel[hs_col].astype(str).to_numpy()
        right["_rule"] = sel.index.to_numpy()
        m = left.merge(right, on=[*keys, "_k"], how="inner")
        out[m["_pos"].to_numpy()] = m["_rule"].to_numpy()
    return out


def hs_level_issues(codes: pd.Series) -> pd.Series:
    """Boolean mask of codes that are not 2-6 digit strings (or ``*``)."""
    s = codes.astype(str)
    return ~(s.str.fullmatch(r"\d{2,6}") | (s == WILDCARD))
