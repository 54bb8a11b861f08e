"""Validated tables + applied tariffs -> dense model arrays (the bridge from pandas to numpy).

Products are the HS codes of the ``trade`` sheet; economies the union of its exporters
and importers. Arrays are dense ``(P, N, N)``; cells without trade are zero and carry no
weight in any model.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from fta_compare.inputs.hs import WILDCARD, keyed_prefix_match, longest_prefix_index
from fta_compare.inputs.schema import (
    DEFAULT_EXPORT_SUPPLY,
    DEFAULT_IMPORT_DEMAND,
    DEFAULT_SUBSTITUTION,
)
from fta_compare.inputs.tables import ROW_COL, InputTables
from fta_compare.model.arrays import MarketArrays, Shock

ELASTICITY_DEFAULTS = {
    "import_demand": DEFAULT_IMPORT_DEMAND,
    "substitution": DEFAULT_SUBSTITUTION,
    "export_supply": DEFAULT_EXPORT_SUPPLY,
}
ELASTICITY_DEFAULT_SOURCE = {
    "import_demand": "default -1.25 (WITS-SMART)",
    "substitution": "default 1.5 (WITS-SMART)",
    "export_supply": "default infinite (WITS-SMART)",
}


@dataclass(frozen=True)
class Universe:
    """Index of products and economies, and the trade cells in long form."""

    hs: np.ndarray  # (P,) str
    countries: np.ndarray  # (N,) str
    cells: pd.DataFrame  # exporter, importer, hs, value, quality, p, v, r (positions)

    def positions(self, df: pd.DataFrame) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
        """(p, v, r, found) positions of ``df``'s (hs, exporter, importer) in the arrays.

        The universe's own cells reuse their stored positions; other tables are matched
        through their distinct values only (categorical codes, else one factorize).
        """
        if df is self.cells and {"p", "v", "r"} <= set(df.columns):
            p, v, r = (df[c].to_numpy(dtype=np.int64) for c in ("p", "v", "r"))
            return p, v, r, np.ones(len(df), dtype=bool)
        p = _codes_in(df["hs"], self.hs)
        v = _codes_in(df["exporter"], self.countries)
        r = _codes_in(df["importer"], self.countries)
        found = (p >= 0) & (v >= 0) & (r >= 0)
        return p, v, r, found


def _codes_in(col: pd.Series, categories: np.ndarray) -> np.ndarray:
    """Position of each value of ``col`` in ``categories`` (-1 if absent or missing).

    Same answer as ``pd.Categorical(col, categories=categories).codes``, but the values
    are hashed once (or not at all for a categorical column) and only the distinct
    values are looked up.
    """
    if isinstance(col.dtype, pd.CategoricalDtype):
        codes = col.cat.codes.to_numpy()
        uniq = col.cat.categories
    else:
        codes, uniq = pd.factorize(col)
    lookup = np.append(pd.Index(categories, dtype=object).get_indexer(
        np.asarray(uniq, dtype=object)), -1).astype(np.int64)
    return lookup[codes]  # code -1 (missing) picks the appended -1


def build_universe(tables: InputTables) -> Universe:
    """Products, economies and trade cells from the trade sheet (values summed per cell).

    Cells are sorted by (exporter, importer, hs); ``quality`` is the first non-blank of
    the cell's rows. The three text keys are factorised once and the rows grouped on one
    integer key (the ranks of the sorted codes), not on three string columns.
    """
    tr = tables.trade
    quality = tr["quality"].where(tr["quality"].astype(str).str.len() > 0, "observed") \
        if "quality" in tr.columns else pd.Series("observed", index=tr.index)
    keys = [pd.factorize(tr[c]) for c in ("exporter", "importer", "hs")]
    if any((codes < 0).any() for codes, _ in keys):  # missing keys: pandas drops them
        return _build_universe_groupby(tr, quality)
    (ec, eu), (ic, iu), (hc, hu) = keys
    hs = np.array(sorted(hu), dtype=object)
    countries = np.array(sorted(set(eu) | set(iu)), dtype=object)
    n_c, n_p = len(countries), len(hs)
    rank_c = pd.Index(countries, dtype=object)
    e = rank_c.get_indexer(np.asarray(eu, dtype=object))[ec].astype(np.int64)
    i = rank_c.get_indexer(np.asarray(iu, dtype=object))[ic].astype(np.int64)
    h = pd.Index(hs, dtype=object).get_indexer(np.asarray(hu, dtype=object))[hc].astype(
        np.int64)
    key = (e * n_c + i) * n_p + h
    value = tr["value"].groupby(key, sort=True).sum()  # same summation as before
    cell = value.index.to_numpy(dtype=np.int64)
    if len(cell) == len(key):  # one row per cell (the usual case): no grouping of text
        q = quality.take(np.argsort(key, kind="stable"))
    else:
        q = quality.groupby(key, sort=True).first()
    v, rest = np.divmod(cell, n_c * n_p)
    r, p = np.divmod(rest, n_p)
    cells = pd.DataFrame({
        "exporter": _take_text(countries, v, tr["exporter"].dtype),
        "importer": _take_text(countries, r, tr["importer"].dtype),
        "hs": _take_text(hs, p, tr["hs"].dtype),
        "value": value.to_numpy(dtype=np.float64),
        "quality": q.reset_index(drop=True),
    })
    cells["p"], cells["v"], cells["r"] = p, v, r
    return Universe(hs=hs, countries=countries, cells=cells)


def _take_text(values: np.ndarray, idx: np.ndarray, dtype: object = "str") -> pd.Series:
    """``values[idx]`` as a Series of ``dtype``, built from the distinct values (no
    Python object per row)."""
    return pd.Series(pd.array(np.asarray(values, dtype=object), dtype=dtype).take(idx))


def _build_universe_groupby(tr: pd.DataFrame, quality: pd.Series) -> Universe:
    """The reference implementation (pandas groupby on the text keys), for odd tables."""
    cells = (
        tr.assign(quality=quality)[["exporter", "importer", "hs", "value", "quality"]]
        .groupby(["exporter", "importer", "hs"], as_index=False, sort=True)
        .agg(value=("value", "sum"), quality=("quality", "first"))
    )
    hs = np.array(sorted(cells["hs"].unique()), dtype=object)
    countries = np.array(sorted(set(cells["exporter"]) | set(cells["importer"])), dtype=object)
    uni = Universe(hs=hs, countries=countries, cells=cells)
    p, v, r, _ = uni.positions(cells)
    cells["p"], cells["v"], cells["r"] = p, v, r
    return uni


Positions = tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]


def dense(uni: Universe, df: pd.DataFrame, column: str, fill: float = 0.0,
          positions: Positions | None = None) -> np.ndarray:
    """(P, N, N) array of ``df[column]`` placed at its (hs, exporter, importer) cells;
    ``positions``: ``uni.positions(df)`` when already known (tables with the same cells
    in the same order, as every scenario's block of the compiled rates)."""
    n_c = len(uni.countries)
    out = np.full((len(uni.hs), n_c, n_c), fill, dtype=np.float64)
    p, v, r, found = uni.positions(df) if positions is None else positions
    values = df[column].to_numpy(dtype=np.float64)
    if not found.all():
        p, v, r, values = p[found], v[found], r[found], values[found]
    out.reshape(-1)[(p * n_c + v) * n_c + r] = values  # flat index: one scatter
    return out


@dataclass(frozen=True)
class ElasticitiesUsed:
    """Resolved elasticities and, for the report, where each value came from."""

    import_demand: np.ndarray  # (P, N) by importer
    substitution: np.ndarray  # (P, N) by importer
    export_supply: np.ndarray  # (P, N) by exporter
    table: pd.DataFrame  # hs, country, import_demand, substitution, export_supply, *_source


def resolve_elasticities(tables: InputTables, uni: Universe) -> ElasticitiesUsed:
    """Most specific row wins: country+hs > hs (country *) > country (hs *) > * > default.

    Among HS rows the longest matching prefix wins. A blank ``import_demand`` or
    ``substitution`` falls through to the next rule; a blank ``export_supply`` on the
    winning row means infinitely elastic (DESIGN.md section 2).
    """
    n_p, n_c = len(uni.hs), len(uni.countries)
    target = pd.DataFrame({  # text built from the distinct values, not from P x N objects
        "hs": _take_text(uni.hs, np.repeat(np.arange(n_p), n_c)),
        "country": _take_text(uni.countries, np.tile(np.arange(n_c), n_p)),
    })
    rules = tables.elasticities
    out: dict[str, np.ndarray] = {}
    sources: dict[str, pd.Series] = {}
    for param, default in ELASTICITY_DEFAULTS.items():
        values = np.full(len(target), default, dtype=np.float64)
        label = np.array([ELASTICITY_DEFAULT_SOURCE[param]], dtype=object)
        which = np.zeros(len(target), dtype=np.int64)  # 0: the default's label
        if rules is not None and len(rules):
            usable = rules if param == "export_supply" else rules[rules[param].notna()]
            pos = _rule_positions(target, usable.reset_index(drop=True))
            hit = pos >= 0
            u = usable.reset_index(drop=True)
            values[hit] = u[param].to_numpy(dtype=np.float64)[pos[hit]]
            label = np.concatenate([label, _rule_labels(u)])
            which[hit] = pos[hit] + 1
        out[param] = values.reshape(n_p, n_c)
        sources[param] = _take_text(label, which)
    table = target.assign(
        import_demand=out["import_demand"].ravel(),
        substitution=out["substitution"].ravel(),
        export_supply=out["export_supply"].ravel(),
        import_demand_source=sources["import_demand"],
        substitution_source=sources["substitution"],
        export_supply_source=sources["export_supply"],
    )
    return ElasticitiesUsed(out["import_demand"], out["substitution"], out["export_supply"],
                            table)


def _rule_labels(rules: pd.DataFrame) -> np.ndarray:
    src = rules["source"].astype(str) if "source" in rules.columns else pd.Series(
        "", index=rules.index)
    where = ("elasticities row " + rules[ROW_COL].astype("Int64").astype(str)) \
        if ROW_COL in rules.columns else pd.Series("elasticities", index=rules.index)
    return np.where(src.str.len() > 0, src + " (" + where + ")", where).astype(object)


def _rule_positions(target: pd.DataFrame, rules: pd.DataFrame) -> np.ndarray:
    pos = np.full(len(target), -1, dtype=np.int64)
    star_c = rules["country"].eq(WILDCARD).to_numpy()
    star_h = rules["hs"].eq(WILDCARD).to_numpy()
    passes = [(~star_c & ~star_h), (star_c & ~star_h), (~star_c & star_h), (star_c & star_h)]
    for i, sel in enumerate(passes):
        sub = rules[sel]
        if sub.empty:
            continue
        idx = np.flatnonzero(sel)
        left = pos < 0
        if not left.any():
            break
        if i == 0:
            got = keyed_prefix_match(target[left], sub, keys=["country"])
        elif i == 1:  # depends on the product only: matched once per distinct code
            codes, uniq = pd.factorize(target.loc[left, "hs"])
            got = longest_prefix_index(pd.Series(uniq), sub["hs"])[codes]
        elif i == 2:
            lookup = pd.Series(np.arange(len(sub)), index=sub["country"].to_numpy())
            got = target.loc[left, "country"].map(lookup).fillna(-1).to_numpy(dtype=np.int64)
        else:
            got = np.zeros(int(left.sum()), dtype=np.int64)
        fill = np.where(got >= 0, idx[np.maximum(got, 0)], -1)
        pos[np.flatnonzero(left)] = fill
    return pos


def market_arrays(uni: Universe, elast: ElasticitiesUsed, base_rates: pd.DataFrame,
                  positions: Positions | None = None) -> MarketArrays:
    """Base-period arrays; ``base_rates`` holds (importer, exporter, hs, rate) per cell
    (``positions``: see :func:`dense`)."""
    base_value = dense(uni, uni.cells, "value")
    # domestic cells: 0 unless given explicitly
    base_rate = dense(uni, base_rates, "rate", positions=positions)
    return MarketArrays(
        hs=uni.hs,
        countries=uni.countries,
        base_value=base_value,
        base_rate=base_rate,
        import_demand=elast.import_demand,
        substitution=elast.substitution,
        export_supply=elast.export_supply,
    )


def scenario_shock(uni: Universe, rates: pd.DataFrame, trade_cost: pd.DataFrame | None = None,
                   positions: Positions | None = None) -> Shock:
    """Shock from a scenario's per-cell rates (and optional per-cell trade-cost changes);
    ``positions``: those of ``rates`` (see :func:`dense`)."""
    new_rate = dense(uni, rates, "rate", positions=positions)
    tc = dense(uni, trade_cost, "trade_cost") if trade_cost is not None else None
    return Shock(new_rate=new_rate, trade_cost=tc)
