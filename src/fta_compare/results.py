"""Model arrays -> long result tables (plain DataFrames), and the frozen run record.

The contract tables (DESIGN.md section 5) are built here once; every human sheet of the
report is an aggregation of these, so any number in the report can be traced back.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from fta_compare.errors import Issue
from fta_compare.model.arrays import MarketArrays, ModelResult

RESULT_COLUMNS = [
    "scenario", "importer", "exporter", "hs", "base_value", "new_value", "trade_creation",
    "trade_diversion", "base_rate", "new_rate",
]
QUALITY_LABELS = ("observed", "imputed")  # the ``quality`` column of the results table
PRICE_COLUMNS = ["scenario", "hs", "exporter", "world_price_change"]
WELFARE_COLUMNS = [
    "scenario", "country", "consumer_surplus", "producer_surplus", "tariff_revenue",
    "net_welfare",
]


@dataclass(frozen=True)
class RunConfig:
    """Every choice of a run; written to the report's ``manifest`` sheet."""

    inputs: tuple[str, ...]
    model: str = "smart"
    solution: str = "linear"
    focus: str = "KOR"
    depth_channel: bool = False
    seed: int | None = None
    command: str = ""
    tool_version: str = ""
    started: str = ""
    input_sha256: tuple[tuple[str, str], ...] = ()
    parameters: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True)
class ScenarioTables:
    """Long tables for one or more scenarios (contract columns first)."""

    results: pd.DataFrame
    prices: pd.DataFrame
    welfare: pd.DataFrame
    welfare_by_product: pd.DataFrame
    convergence: pd.DataFrame


@dataclass(frozen=True)
class RunResult:
    """Everything a report needs; immutable after the run."""

    config: RunConfig
    results: pd.DataFrame
    prices: pd.DataFrame
    welfare: pd.DataFrame
    welfare_by_product: pd.DataFrame
    convergence: pd.DataFrame
    applied: pd.DataFrame
    scorecard: pd.DataFrame
    scenario_info: pd.DataFrame
    elasticities: pd.DataFrame
    depth: pd.DataFrame
    sectors: pd.DataFrame
    meta: dict[str, str]
    sources: pd.DataFrame
    quality: pd.DataFrame
    warnings: tuple[Issue, ...] = ()
    extra: dict[str, pd.DataFrame] = field(default_factory=dict)

    @property
    def scenarios(self) -> list[str]:
        return list(dict.fromkeys(self.welfare["scenario"]))


def text_column(values: np.ndarray | list[str], idx: np.ndarray) -> pd.Series:
    """``values[idx]`` as a categorical text Series (categories: the distinct ``values``).

    Label columns of the long tables (scenario, economies, HS code) hold a few thousand
    distinct strings over millions of rows: as categoricals they cost 1-2 bytes a row,
    are never materialised as Python strings, and group and filter on integer codes.
    ``values`` must be unique.
    """
    return pd.Series(pd.Categorical.from_codes(
        np.asarray(idx, dtype=np.int32 if len(values) > 2**15 else np.int16),
        categories=pd.Index(np.asarray(values, dtype=object))))


def _constant(value: str, n: int) -> pd.Series:
    """A categorical text column holding ``value`` n times."""
    return text_column([value], np.zeros(n, dtype=np.intp))


def _labels(a: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(codes, distinct values) of an object array of labels (one hash pass)."""
    codes, uniq = pd.factorize(a, use_na_sentinel=False)
    return codes, np.asarray(uniq, dtype=object)


def scenario_tables(
    scenario: str, m: MarketArrays, new_rate: np.ndarray, res: ModelResult,
    quality: np.ndarray | None = None,
) -> ScenarioTables:
    """Long tables of one scenario: only cells with trade before or after, vectorised.

    Cells are picked by one flat index into the ``(P, N, N)`` arrays (row-major order,
    as ``np.nonzero`` gives), and text columns are built from the product and economy
    labels by integer takes: the cost is proportional to the active cells.
    """
    hs, cc = m.hs, m.countries
    n_c = len(cc)
    active = m.base_value > 0
    active |= res.new_value != 0
    flat = np.flatnonzero(active)
    del active
    p, vr = np.divmod(flat, n_c * n_c)
    v, r = np.divmod(vr, n_c)
    del vr

    def pick(a: np.ndarray) -> np.ndarray:
        return np.take(np.ravel(a), flat)

    results = pd.DataFrame({
        "scenario": _constant(scenario, len(flat)),
        "importer": text_column(cc, r),
        "exporter": text_column(cc, v),
        "hs": text_column(hs, p),
        "base_value": pick(m.base_value),
        "new_value": pick(res.new_value),
        "trade_creation": pick(res.trade_creation),
        "trade_diversion": pick(res.trade_diversion),
        "base_rate": pick(m.base_rate),
        "new_rate": pick(new_rate),
    })
    if quality is not None:  # int codes into QUALITY_LABELS, or labels
        q = pick(quality)
        if q.dtype.kind in "iu":
            results["quality"] = text_column(QUALITY_LABELS, q)
        else:
            codes, uniq = _labels(q)
            results["quality"] = text_column(uniq, codes)
    sales = m.base_value.sum(axis=2) > 0  # (P, N) exporter sells the product
    pp, vv = np.nonzero(sales)
    prices = pd.DataFrame({
        "scenario": _constant(scenario, len(pp)),
        "hs": text_column(hs, pp),
        "exporter": text_column(cc, vv),
        "world_price_change": res.world_price_change[pp, vv],
    })
    cs, ps, tr = res.consumer_surplus, res.producer_surplus, res.tariff_revenue
    welfare = pd.DataFrame({
        "scenario": scenario,
        "country": cc,
        "consumer_surplus": cs.sum(axis=0),
        "producer_surplus": ps.sum(axis=0),
        "tariff_revenue": tr.sum(axis=0),
    })
    welfare["net_welfare"] = (welfare["consumer_surplus"] + welfare["producer_surplus"]
                              + welfare["tariff_revenue"])
    nz = (cs != 0) | (ps != 0) | (tr != 0)
    wp, wc = np.nonzero(nz)
    by_product = pd.DataFrame({
        "scenario": _constant(scenario, len(wp)),
        "hs": text_column(hs, wp),
        "country": text_column(cc, wc),
        "consumer_surplus": cs[wp, wc],
        "producer_surplus": ps[wp, wc],
        "tariff_revenue": tr[wp, wc],
    })
    by_product["net_welfare"] = (by_product["consumer_surplus"] + by_product["producer_surplus"]
                                 + by_product["tariff_revenue"])
    convergence = pd.DataFrame({
        "scenario": scenario,
        "hs": hs,
        "converged": res.converged.astype(bool),
        "residual": res.residual,
        "iterations": res.iterations,
    })
    return ScenarioTables(results, prices, welfare, by_product, convergence)


def concat(parts: list[ScenarioTables]) -> ScenarioTables:
    """Stack the tables of several scenarios (categorical columns keep one category list)."""
    def cat(name: str) -> pd.DataFrame:
        frames = [getattr(t, name) for t in parts]
        if not frames:
            return pd.DataFrame()
        for col in frames[0].columns:
            if all(isinstance(f[col].dtype, pd.CategoricalDtype) for f in frames):
                union = pd.Index(list(dict.fromkeys(
                    c for f in frames for c in f[col].cat.categories)))
                for f in frames:
                    if not f[col].cat.categories.equals(union):
                        f[col] = f[col].cat.set_categories(union)
        return pd.concat(frames, ignore_index=True)

    return ScenarioTables(cat("results"), cat("prices"), cat("welfare"),
                          cat("welfare_by_product"), cat("convergence"))
