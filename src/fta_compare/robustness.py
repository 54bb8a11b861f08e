"""Does the ranking hold across models? The focus economy's scenarios under every PE model.

The main run solves one model and builds the full tables; here the same shocks are also
solved by the other partial-equilibrium models (SMART, linear GSIM, exact GSIM), keeping
only each economy's net welfare. Scenarios are ranked for the focus economy within each
model (tariff-only scenarios and depth-channel variants separately, as in the scorecard),
and a scenario is flagged when its rank is not the same under every model. The sector
model (``--model ge``) adds its real-income ranking as one more column when it runs.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import numpy as np
import pandas as pd

from fta_compare.model.arrays import MarketArrays, ModelResult, Shock
from fta_compare.validity import Validity, check

PE_MODELS = (("smart", "linear"), ("gsim", "linear"), ("gsim", "exact"))
DEPTH_SUFFIX = " (depth)"
RANK_COLUMNS = ("scenario", "model", "value", "unit", "rank")


def model_label(model: str, solution: str) -> str:
    """'smart', 'gsim linear', 'gsim exact' (or the model name for others)."""
    return model if model != "gsim" else f"gsim {solution}"


def solve_welfare(solver: Callable[[MarketArrays, Shock], ModelResult], label: str,
                  m: MarketArrays, shocks: Sequence[tuple[str, Shock]]
                  ) -> tuple[np.ndarray, list[Validity]]:
    """(S, N) net welfare per scenario and economy under ``solver``, and validity findings,
    one scenario at a time (the rankings run beside other work).

    Each scenario is solved on the products it moves only and never spread back to the
    full arrays (:func:`~fta_compare.model.moving.solve_moving_only`): the other products
    add no welfare and keep their base values."""
    from fta_compare.model.moving import solve_moving_only
    from fta_compare.parallel import one_blas_thread

    out = np.zeros((len(shocks), m.n_countries))
    found = []
    with one_blas_thread():
        for k, (name, shock) in enumerate(shocks):
            market, res = solve_moving_only(solver, m, shock)
            ok = res.converged.astype(bool)
            out[k] = res.net_welfare[ok].sum(axis=0)
            found.append(check(name, label, m, shock, res, market=market))
    return out, found


def ranks(values: pd.Series, scenarios: Sequence[str]) -> np.ndarray:
    """Rank 1 = highest value, among tariff-only scenarios and among depth variants apart."""
    s = pd.Series(np.asarray(values, dtype=float), index=list(scenarios))
    depth = s.index.str.endswith(DEPTH_SUFFIX)
    out = np.empty(len(s))
    for grp in (~depth, depth):
        if grp.any():
            out[grp] = s[grp].rank(ascending=False, method="min").to_numpy()
    return out


def rank_table(scenarios: Sequence[str], by_model: dict[str, np.ndarray], unit: dict[str, str]
               ) -> pd.DataFrame:
    """Long table (scenario, model, value, unit, rank) of the focus economy's values."""
    parts = []
    for label, values in by_model.items():
        parts.append(pd.DataFrame({"scenario": list(scenarios), "model": label,
                                   "value": values, "unit": unit.get(label, ""),
                                   "rank": ranks(values, scenarios)}))
    if not parts:
        return pd.DataFrame(columns=list(RANK_COLUMNS))
    return pd.concat(parts, ignore_index=True)


def wide(table: pd.DataFrame) -> pd.DataFrame:
    """One row per scenario: the rank under each model, and whether the rank changes.

    ``rank_holds`` is 'yes' when every PE model gives the scenario the same rank, else
    'no' (the sector model's rank is shown beside them; it measures something else).
    """
    if table.empty:
        return pd.DataFrame(columns=["scenario", "rank_holds"])
    order = list(dict.fromkeys(table["scenario"]))
    r = table.pivot(index="scenario", columns="model", values="rank").reindex(order)
    models = list(dict.fromkeys(table["model"]))
    r = r[models]
    pe = [m for m in models if m != "ge"]
    holds = r[pe].nunique(axis=1, dropna=True) <= 1
    r.columns = [f"rank {c}" for c in r.columns]
    out = r.reset_index()
    out["rank_holds"] = np.where(holds.to_numpy(), "yes", "no")
    return out
