"""Economy totals of a solved scenario, and the time path of staged agreements.

A scenario that adds agreements phases its tariff cuts in over the staging years of the
agreements' schedules. The compiler evaluates it at each intermediate staging step
(``<scenario> @<year>``, :func:`fta_compare.scenarios.definitions.time_path_specs`); the
scenario itself is the full phase-in at its own year. The path starts at the baseline year
from the regime the agreements are added to: zero for a child of the baseline, the parent
scenario's result otherwise (``kor_cptpp+us_deal`` starts from ``us_deal``). The
time path table puts them side by side: what an economy gains in year 1, at each step and
at full phase-in.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from fta_compare.model.arrays import MarketArrays, ModelResult
from fta_compare.scenarios.definitions import ScenarioSpec

TOTAL_COLUMNS = ("consumer_surplus", "producer_surplus", "tariff_revenue", "net_welfare",
                 "exports_change", "imports_change")
TIME_PATH_COLUMNS = ("scenario", "year", "step", "country", *TOTAL_COLUMNS)


def economy_totals(m: MarketArrays, res: ModelResult) -> np.ndarray:
    """(6, N) totals per economy, rows in :data:`TOTAL_COLUMNS` order.

    Welfare parts summed over products; exports (imports) change = sum of new - base
    value over the economy's cross-border sales (purchases), domestic cells left out, as
    in the scorecard.
    """
    cs = res.consumer_surplus.sum(axis=0)
    ps = res.producer_surplus.sum(axis=0)
    tr = res.tariff_revenue.sum(axis=0)
    d = res.new_value - m.base_value  # a new array: the domestic cells are zeroed in place
    n = m.n_countries
    d[:, np.arange(n), np.arange(n)] = 0.0
    return np.stack([cs, ps, tr, cs + ps + tr, d.sum(axis=(0, 2)), d.sum(axis=(0, 1))])


def time_path_table(specs: list[ScenarioSpec], totals: dict[str, np.ndarray],
                    countries: np.ndarray, baseline_year: int | None) -> pd.DataFrame:
    """Long table: for every scenario with time-path steps, the starting point (baseline
    year: zero, or the parent scenario's totals when the parent is not the baseline), each
    step and the full phase-in, per economy. ``totals``: scenario name -> (6, N) array
    from :func:`economy_totals` (steps and the full scenarios)."""
    steps: dict[str, list[ScenarioSpec]] = {}
    for sp in specs:
        if sp.origin == "time_path":
            steps.setdefault(sp.base_scenario, []).append(sp)
    full = {sp.name: sp for sp in specs if sp.origin != "time_path"}
    baseline = {sp.name for sp in specs if not sp.parent}
    rows = []
    n = len(countries)
    for name, path in steps.items():
        last = full[name]
        start = (("baseline", np.zeros((len(TOTAL_COLUMNS), n)))
                 if last.parent in baseline or last.parent not in totals else
                 (f"before: {last.parent}", totals[last.parent]))
        points = [(baseline_year, *start)]
        points += [(sp.year, f"step {k}", totals[sp.name]) for k, sp in enumerate(path, 1)]
        points.append((last.year, "full phase-in", totals[name]))
        for year, step, t in points:
            rows.append(pd.DataFrame({
                "scenario": name, "year": year, "step": step, "country": countries,
                **{c: t[k] for k, c in enumerate(TOTAL_COLUMNS)}}))
    if not rows:
        return pd.DataFrame(columns=list(TIME_PATH_COLUMNS))
    out = pd.concat(rows, ignore_index=True)
    out["year"] = out["year"].astype("Int64")
    return out[list(TIME_PATH_COLUMNS)]
