"""Is a model result inside the model's range of validity? (never a silent report)

Two checks per scenario and model, on the trade cells with base-period trade:

* **negative trade**: a new import value below zero (``new_value < 0``). Linear models
  (SMART's trade creation, linear GSIM) can produce it when a tariff rises a lot, because
  the demand curve they use is a straight line; the exact constant-elasticity solution
  cannot. The count, the sum of the negative values and the base trade of those cells are
  reported.
* **shock beyond linear range**: for the linear models, cells whose internal price moves
  by more than :data:`LINEAR_LIMIT` (25%) from the policy alone, ``|(1 + t1)(1 + tau) /
  (1 + t0) - 1|``. At a 25% shock the linear GSIM world price change is about a quarter
  too small in the README's three-region check (``scripts/linear_vs_exact.py``), so beyond
  it the linear answer is not a reliable approximation of the model it linearises.

Each finding becomes a warning :class:`~fta_compare.errors.Issue` (file ``model``) with
the count, the value affected and the advice.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from fta_compare.errors import Issue
from fta_compare.model.arrays import MarketArrays, ModelResult, Shock

LINEAR_LIMIT = 0.25  # largest policy price change the linear solutions are trusted for
LINEAR_MODELS = ("smart", "gsim linear")
ADVICE = ("use the exact solution (--model gsim --solution exact, the default), which holds "
          "for large duties")


@dataclass(frozen=True)
class Validity:
    """Findings of one scenario under one model (money in the input currency unit)."""

    scenario: str
    model: str  # 'smart', 'gsim linear', 'gsim exact'
    negative_cells: int
    negative_value: float  # sum of the negative new values (< 0)
    negative_base_value: float  # base trade of those cells
    large_shock_cells: int  # linear models only: |policy price change| > LINEAR_LIMIT
    large_shock_base_value: float

    @property
    def ok(self) -> bool:
        return self.negative_cells == 0 and self.large_shock_cells == 0


def check(scenario: str, model: str, m: MarketArrays, shock: Shock, res: ModelResult,
          market: MarketArrays | None = None) -> Validity:
    """The checks of the module docstring for one solved scenario; ``market``: the market
    ``res`` holds when it is only the products the shock moves
    (:func:`~fta_compare.model.moving.solve_moving_only`: the others keep their base
    values, never negative)."""
    solved = m if market is None else market
    neg = (solved.base_value > 0) & (res.new_value < 0)
    negative = (int(neg.sum()), float(res.new_value[neg].sum()),
                float(solved.base_value[neg].sum()))
    large_cells, large_value = 0, 0.0
    if model in LINEAR_MODELS:
        traded = m.base_value > 0
        rel = (1.0 + shock.new_rate) / (1.0 + m.base_rate)
        if shock.trade_cost is not None:
            rel = rel * (1.0 + shock.trade_cost)
        large = traded & (np.abs(rel - 1.0) > LINEAR_LIMIT)
        large_cells = int(large.sum())
        large_value = float(m.base_value[large].sum())
    return Validity(scenario, model, *negative, large_cells, large_value)


def _bn(x: float, unit: str) -> str:
    """A money amount in readable words (input unit US$ thousand: 1e6 = 1 bn)."""
    if unit.lower().replace(" ", "") in ("us$thousand", "usdthousand"):
        return f"US$ {x / 1e6:,.1f} bn"
    return f"{x:,.0f} {unit}"


def issues(found: list[Validity], unit: str = "US$ thousand") -> list[Issue]:
    """One warning per model and kind of finding, naming the scenarios affected."""
    out: list[Issue] = []
    for model in dict.fromkeys(v.model for v in found):
        mine = [v for v in found if v.model == model]
        neg = [v for v in mine if v.negative_cells]
        if neg:
            n = sum(v.negative_cells for v in neg)
            value = sum(v.negative_value for v in neg)
            base = sum(v.negative_base_value for v in neg)
            names = ", ".join(v.scenario for v in neg)
            out.append(Issue(
                "model", model, "", f"{n} cells",
                f"{model} gives negative imports in {n:,} trade cells (sum of the negative "
                f"values {_bn(value, unit)}, base trade of those cells {_bn(base, unit)}) in "
                f"scenarios {names}: the result is outside the model's validity; {ADVICE}",
                "warning"))
        big = [v for v in mine if v.large_shock_cells]
        if big:
            n = sum(v.large_shock_cells for v in big)
            base = sum(v.large_shock_base_value for v in big)
            names = ", ".join(v.scenario for v in big)
            out.append(Issue(
                "model", model, "", f"{n} cells",
                f"{model}: policy moves internal prices by more than {LINEAR_LIMIT:.0%} in "
                f"{n:,} trade cells (base trade {_bn(base, unit)}) in scenarios {names}, "
                f"beyond the range where the linear solution approximates the model; {ADVICE}",
                "warning"))
    return out
