"""Model arrays -> long result tables (plain DataFrames), and the frozen run record.

The contract tables (DESIGN.md section 5) are built here once; every human sheet of the
report is an aggregation of these, so any number in the report can be traced back.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from concurrent.futures import Future
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from fta_compare.categorical import codes_dtype
from fta_compare.errors import Issue
from fta_compare.model.arrays import MarketArrays, ModelResult
from fta_compare.validity import Validity

if TYPE_CHECKING:
    from fta_compare.ge_lens import GEOutcome, GEPlan
    from fta_compare.ge_worker import GEWorker

RESULT_COLUMNS = [
    "scenario", "importer", "exporter", "hs", "base_value", "new_value", "trade_creation",
    "trade_diversion", "base_rate", "new_rate",
]
# the ``quality`` column of the results table (codes 0, 1, 2; fta_compare.quality)
QUALITY_LABELS = ("observed", "imputed", "sector_observed")
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
    model_ranks: pd.DataFrame | None = None  # robustness.rank_table: rank per model
    time_path: pd.DataFrame | None = None  # timepath.time_path_table
    validity: tuple[Validity, ...] = ()  # findings of the main model (validity.check)
    robustness_validity: tuple[Validity, ...] = ()  # findings of the other PE models
    timings: tuple[tuple[str, float], ...] = ()  # (phase, seconds) of the run so far
    rank_first: pd.DataFrame | None = None  # share of sensitivity draws ranking first
    ge: Any = None  # ge_lens.GEOutcome: the sector model's answer, when it ran
    # PendingGE while the sector model still solves in its worker (see complete)
    pending_ge: Any = None

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
    cats = pd.Index(np.asarray(values, dtype=object))
    codes = np.asarray(idx).astype(codes_dtype(len(cats)), copy=False)
    # codes are positions into ``values`` by construction: pandas' pass over them is skipped
    return pd.Series(pd.Categorical.from_codes(codes, dtype=pd.CategoricalDtype(cats),
                                               validate=False))


def _constant(value: str, n: int) -> pd.Series:
    """A categorical text column holding ``value`` n times."""
    return text_column([value], np.zeros(n, dtype=np.intp))


#: Rows per chunk of a pass over a long table (results: 18 million rows on the bundled
#: tables). Temporaries of one chunk (8 MB a column) are reused by the allocator and stay
#: in cache; a whole-column temporary is fresh memory each time (on a 2-core machine the
#: same six sums took 2.7 s over whole columns in a new process, 0.35 s in chunks).
CHUNK_ROWS = 1 << 20


def row_chunks(n: int, step: int | None = None, start: int = 0) -> Iterator[slice]:
    """Slices of at most ``step`` (default :data:`CHUNK_ROWS`) rows covering
    ``range(start, n)`` in order."""
    step = step or CHUNK_ROWS
    return (slice(a, min(a + step, n)) for a in range(start, n, step))


def scenario_blocks(scenario: np.ndarray, *cells: np.ndarray) -> tuple[int, int]:
    """``(blocks, n)``: rows ``0 .. blocks * n - 1`` of a long table are ``blocks`` runs of
    ``n`` rows, each of one scenario (``scenario``: the rows' scenario codes) and each
    listing the cells of the first run in the same order (``cells``: the rows' label codes,
    e.g. importer, exporter, product), as :class:`ResultsBuilder` writes them; ``(0, 0)``
    when the first run is not followed by a repeat of it. A pass over the table may then
    make each cell's keys once and take every block with them; rows after the blocks (the
    cells a scenario adds) are not blocks."""
    total = len(scenario)
    if total == 0:
        return 0, 0
    n = int(np.argmax(scenario != scenario[0])) or total
    count = total // n
    if count < 2:
        return 0, 0
    ok = np.ones(count, dtype=bool)
    runs = scenario[: count * n].reshape(count, n)
    ok &= (runs == runs[:, :1]).all(axis=1)
    for codes in cells:
        runs = codes[: count * n].reshape(count, n)
        ok &= (runs == runs[0]).all(axis=1)
    blocks = int(np.argmin(ok)) if not ok.all() else count
    return (blocks, n) if blocks >= 2 else (0, 0)


def label_codes(col: pd.Series) -> tuple[np.ndarray, np.ndarray]:
    """(codes, labels) of a label column: a categorical's own codes and categories (no
    pass over the rows), else one factorize; -1 for missing."""
    if isinstance(col.dtype, pd.CategoricalDtype):
        return col.cat.codes.to_numpy(), np.asarray(col.cat.categories, dtype=object)
    codes, uniq = pd.factorize(col, sort=False)
    return codes, np.asarray(uniq, dtype=object)


def _labels(a: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(codes, distinct values) of an object array of labels (one hash pass)."""
    codes, uniq = pd.factorize(a, use_na_sentinel=False)
    return codes, np.asarray(uniq, dtype=object)


def _cells(m: MarketArrays, flat: np.ndarray) -> tuple[np.ndarray, ...]:
    """(product, exporter, importer) positions of flat indices into ``(P, N, N)``."""
    n_c = m.n_countries
    p, vr = np.divmod(flat, n_c * n_c)
    v, r = np.divmod(vr, n_c)
    return p, v, r


def _quality_column(q: np.ndarray) -> pd.Series:
    """int codes into QUALITY_LABELS, or labels, as a categorical column."""
    if q.dtype.kind in "iu":
        return text_column(QUALITY_LABELS, q)
    codes, uniq = _labels(q)
    return text_column(uniq, codes)


def _result_rows(scenario: str, m: MarketArrays, new_rate: np.ndarray, res: ModelResult,
                 quality: np.ndarray | None, flat: np.ndarray) -> pd.DataFrame:
    """The results rows of one scenario at the flat cell indices ``flat``."""
    p, v, r = _cells(m, flat)

    def pick(a: np.ndarray) -> np.ndarray:
        return np.take(np.ravel(a), flat)

    results = pd.DataFrame({
        "scenario": _constant(scenario, len(flat)),
        "importer": text_column(m.countries, r),
        "exporter": text_column(m.countries, v),
        "hs": text_column(m.hs, p),
        "base_value": pick(m.base_value),
        "new_value": pick(res.new_value),
        "trade_creation": pick(res.trade_creation),
        "trade_diversion": pick(res.trade_diversion),
        "base_rate": pick(m.base_rate),
        "new_rate": pick(new_rate),
    })
    if quality is not None:
        results["quality"] = _quality_column(pick(quality))
    return results


def _small_tables(scenario: str, m: MarketArrays, res: ModelResult) -> tuple[pd.DataFrame, ...]:
    """prices, welfare, welfare_by_product and convergence of one scenario."""
    hs, cc = m.hs, m.countries
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
    return prices, welfare, by_product, convergence


def scenario_tables(
    scenario: str, m: MarketArrays, new_rate: np.ndarray, res: ModelResult,
    quality: np.ndarray | None = None,
) -> ScenarioTables:
    """Long tables of one scenario: only cells with trade before or after, vectorised.

    Cells are picked by one flat index into the ``(P, N, N)`` arrays (row-major order,
    as ``np.nonzero`` gives), and text columns are built from the product and economy
    labels by integer takes: the cost is proportional to the active cells.
    """
    flat = np.flatnonzero((m.base_value > 0) | (res.new_value != 0))
    return ScenarioTables(_result_rows(scenario, m, new_rate, res, quality, flat),
                          *_small_tables(scenario, m, res))


RESULT_FLOATS = ("new_value", "trade_creation", "trade_diversion", "new_rate")


class ResultsBuilder:
    """The long tables of every scenario of a run, filled in place as each is solved.

    Equal to ``concat([scenario_tables(...) for each scenario])`` (same rows, same order)
    when no scenario has trade on a cell without base-period trade (the bundled models
    never create trade from zero). The results table is allocated once for the cells with
    base trade times the number of scenarios and each scenario's values are taken straight
    into their slice, so its millions of rows are written once, not built per scenario
    and stacked. Rows a scenario adds on other cells are appended at the end.
    """

    def __init__(self, m: MarketArrays, scenarios: list[str],
                 quality: np.ndarray | None = None) -> None:
        self.m, self.scenarios = m, list(scenarios)
        self.quality = quality
        self.flat = np.flatnonzero(m.base_value > 0)
        n, S = len(self.flat), len(self.scenarios)
        self.columns = {c: np.empty(S * n) for c in RESULT_FLOATS}
        self.small: list[tuple[pd.DataFrame, ...]] = []
        self.extra: list[pd.DataFrame] = []

    def add(self, scenario: str, new_rate: np.ndarray, res: ModelResult) -> None:
        """Take one solved scenario's values (scenarios in the order given)."""
        k = len(self.small)
        if k >= len(self.scenarios) or self.scenarios[k] != scenario:
            raise ValueError(f"scenario {scenario!r} added out of order")
        n = len(self.flat)
        for name, a in zip(RESULT_FLOATS, (res.new_value, res.trade_creation,
                                           res.trade_diversion, new_rate), strict=True):
            np.take(np.ravel(a), self.flat, out=self.columns[name][k * n:(k + 1) * n])
        new_cells = np.flatnonzero((res.new_value != 0) & ~(self.m.base_value > 0))
        if new_cells.size:
            self.extra.append(_result_rows(scenario, self.m, new_rate, res, self.quality,
                                           new_cells))
        self.small.append(_small_tables(scenario, self.m, res))

    def tables(self) -> ScenarioTables:
        """The stacked tables of every scenario added."""
        if len(self.small) != len(self.scenarios):
            raise ValueError("not every scenario was added")
        m, flat, S = self.m, self.flat, len(self.scenarios)
        p, v, r = _cells(m, flat)
        results = pd.DataFrame({
            "scenario": text_column(self.scenarios, np.repeat(np.arange(S), len(flat))),
            "importer": text_column(m.countries, np.tile(r, S)),
            "exporter": text_column(m.countries, np.tile(v, S)),
            "hs": text_column(m.hs, np.tile(p, S)),
            "base_value": np.tile(np.take(np.ravel(m.base_value), flat), S),
            "new_value": self.columns["new_value"],
            "trade_creation": self.columns["trade_creation"],
            "trade_diversion": self.columns["trade_diversion"],
            "base_rate": np.tile(np.take(np.ravel(m.base_rate), flat), S),
            "new_rate": self.columns["new_rate"],
        }, copy=False)
        if self.quality is not None:
            results["quality"] = _quality_column(np.tile(np.take(np.ravel(self.quality),
                                                                 flat), S))
        if self.extra:
            results = _stack([results, *self.extra])
        small = [_stack([t[i] for t in self.small]) for i in range(4)]
        return ScenarioTables(results, *small)


def concat(parts: list[ScenarioTables]) -> ScenarioTables:
    """Stack the tables of several scenarios (categorical columns keep one category list)."""
    def cat(name: str) -> pd.DataFrame:
        frames = [getattr(t, name) for t in parts]
        return _stack(frames) if frames else pd.DataFrame()

    return ScenarioTables(cat("results"), cat("prices"), cat("welfare"),
                          cat("welfare_by_product"), cat("convergence"))


def _stack(frames: list[pd.DataFrame]) -> pd.DataFrame:
    """``pd.concat(frames, ignore_index=True)`` column by column: numpy columns in one
    ``np.concatenate``, categoricals as codes into the union of their categories (so a
    stacked label column stays categorical and no block is copied twice)."""
    cols: dict[str, object] = {}
    for c in frames[0].columns:
        parts = [f[c] for f in frames]
        if all(isinstance(x.dtype, pd.CategoricalDtype) for x in parts):
            first = parts[0].cat.categories
            if all(x.cat.categories.equals(first) for x in parts[1:]):  # the usual case
                cols[c] = pd.Categorical.from_codes(
                    np.concatenate([x.cat.codes.to_numpy() for x in parts]),
                    dtype=parts[0].dtype, validate=False)
                continue
            union = pd.Index(list(dict.fromkeys(
                k for x in parts for k in x.cat.categories.tolist())))
            codes = [np.append(union.get_indexer(x.cat.categories), -1)[x.cat.codes.to_numpy()]
                     for x in parts]
            cols[c] = pd.Categorical.from_codes(np.concatenate(codes), categories=union)
        elif all(isinstance(x.dtype, np.dtype) and x.dtype == parts[0].dtype
                 and x.dtype != object for x in parts):
            cols[c] = np.concatenate([x.to_numpy() for x in parts])
        else:
            cols[c] = pd.concat(parts, ignore_index=True)
    return pd.DataFrame(cols, copy=False)


@dataclass
class PendingGE:
    """The sector model of a run still solving in its worker process (``api.run(...,
    ge_later=True)``); :func:`complete` waits for it once and merges it into the result."""

    plan: GEPlan
    solving: Future[Any]  # the worker's ge_lens.solve_ge
    merge: Callable[[RunResult, GEOutcome], RunResult]
    worker: GEWorker  # closed once the answer is in
    _outcome: GEOutcome | None = None

    def cancel(self) -> None:
        """Stop the worker: the answer is no longer wanted (the report failed)."""
        self.worker.close(stop=True)

    def outcome(self) -> GEOutcome:
        """The sector model's answer, waiting for it the first time."""
        if self._outcome is None:
            from fta_compare.ge_lens import ge_outcome

            try:
                self._outcome = ge_outcome(self.plan, self.solving.result())
            finally:
                self.worker.close()
        return self._outcome


def complete(result: RunResult) -> RunResult:
    """``result`` with its sector model in (warnings, model ranks, ``ge``), waiting for it
    if it is still pending; ``result`` itself when nothing is pending."""
    pending = result.pending_ge
    return result if pending is None else pending.merge(result, pending.outcome())
