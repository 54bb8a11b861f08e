"""Scorecard: per scenario and country, the metrics a reader compares, with ranks.

Pure pandas over the result tables (DESIGN.md section 5). Metrics (``value`` column):

================================  =====================================================
``net_welfare``,                  from the ``welfare`` table (changes vs the baseline;
``consumer_surplus``,             0 for an economy the table leaves out)
``producer_surplus``,
``tariff_revenue``
``exports_change``                sum of new_value - base_value where the economy exports
``imports_change``                the same where it imports
``trade_creation``                sum of trade_creation on the economy's exports (the
                                  demand its exports gain in its partners' markets)
``trade_diversion``               sum of trade_diversion on its exports (> 0: trade diverted
                                  towards it, < 0: away from it)
``depth_index``                   deepest new agreement it joins (``depth.scenario_depth``)
``preference_coverage``           share of its trade (imports + exports, base values) that
                                  enters at a preferential rate below MFN, weighted by the
                                  utilisation share when the applied table has one
``exports_change:<sector>``       ``exports_change`` restricted to a sector of ``sectors``
``critical_import_hhi``           Herfindahl index (sum of squared source shares, 0..1) of
                                  its imports in the critical sectors, at new values
``critical_china_share``          share of China in those imports
``composite``                     weighted mean of min-max scaled metrics (``weights``)
================================  =====================================================

Rows with exporter == importer (domestic sales) are left out of every flow metric.
Rank 1 = best for the economy; higher is better for every metric except
``critical_import_hhi`` and ``critical_china_share`` (concentrated or China-dependent supply
of critical inputs is a vulnerability), where lower is better. Ranks (``min`` method on
ties) are among the scenarios other than the baseline; the baseline row carries zero
changes, the base-period levels of the level metrics and no rank.

Vectorised for full-size runs: key columns are turned into integer codes once (categorical
columns cost nothing) and every metric is a ``numpy.bincount`` into a (scenario x economy)
matrix; only the small long table at the end is pandas.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence

import numpy as np
import pandas as pd

from fta_compare.inputs.schema import BASELINE
from fta_compare.results import label_codes, row_chunks, scenario_blocks
from fta_compare.scenarios.compiler import CompiledScenarios

WELFARE_METRICS = ("net_welfare", "consumer_surplus", "producer_surplus", "tariff_revenue")
FLOW_METRICS = ("exports_change", "imports_change", "trade_creation", "trade_diversion")
LOWER_IS_BETTER = frozenset({"critical_import_hhi", "critical_china_share"})
SCORECARD_COLUMNS = ("scenario", "country", "metric", "value", "rank")
CHINA = "CHN"
KEYS = ("scenario", "importer", "exporter", "hs")


def _codes(col: pd.Series) -> tuple[np.ndarray, list[str]]:
    """(integer codes, distinct values as str); -1 for missing. Categoricals are free
    (their own codes and every category; :func:`_present` for those in use)."""
    codes, labels = label_codes(col)
    return codes, [str(x) for x in labels]


def _lookup(glob: Sequence[str], col: pd.Series) -> tuple[np.ndarray, np.ndarray]:
    """(label codes of ``col``, int32 map of each code into the list ``glob`` with -1
    appended): ``lookup[codes]`` is each row's position in ``glob`` (-1 where absent)."""
    codes, uniq = _codes(col)
    lookup = np.append(pd.Index(list(glob), dtype=object).get_indexer(uniq), -1)
    return codes, lookup.astype(np.int32)  # code -1 picks the appended -1


def _to(glob: Sequence[str], col: pd.Series) -> np.ndarray:
    """int32 codes of ``col`` in the list ``glob`` (-1 where absent)."""
    codes, lookup = _lookup(glob, col)
    return lookup[codes]


def _bins(key: np.ndarray, weights: np.ndarray, size: int) -> np.ndarray:
    """Sums of ``weights`` by ``key`` in bins 0..size-1 (keys must be < size)."""
    return np.bincount(key, weights=weights, minlength=size)


def sector_map(hs: pd.Series, sectors: pd.DataFrame) -> pd.DataFrame:
    """(hs, sector) pairs: each code with every sector one of whose HS prefixes it has."""
    codes = pd.Series(pd.unique(hs.astype(str)), dtype=object)
    sec = pd.DataFrame({"prefix": sectors["hs"].astype(str).str.strip(),
                        "sector": sectors["sector"].astype(str).str.strip()})
    parts = []
    for length in sorted(sec["prefix"].str.len().unique()):
        rules = sec[sec["prefix"].str.len() == length]
        left = pd.DataFrame({"hs": codes, "prefix": codes.str[:int(length)]})
        left = left[codes.str.len().to_numpy() >= length]
        parts.append(left.merge(rules, on="prefix")[["hs", "sector"]])
    if not parts:
        return pd.DataFrame(columns=["hs", "sector"])
    return pd.concat(parts, ignore_index=True).drop_duplicates()


class _Results:
    """The results table as integer codes over the global scenario and economy lists,
    taken a chunk of rows at a time (:func:`fta_compare.results.row_chunks`).

    Domestic rows (exporter == importer) and rows outside the lists go to a dump bin
    (``S * C``) that is dropped, so no column is copied to filter them.
    """

    def __init__(self, results: pd.DataFrame, scenarios: list[str], countries: list[str]):
        self.S, self.C = S, C = len(scenarios), len(countries)
        self.n = len(results)
        self._s = _lookup(scenarios, results["scenario"])
        self._i = _lookup(countries, results["importer"])
        self._e = _lookup(countries, results["exporter"])
        hs = results["hs"]
        if isinstance(hs.dtype, pd.CategoricalDtype):  # every product of the run, as coded
            self._h, self.hs = _codes(hs)
        else:
            self._h, self.hs = _codes(hs.astype(str))
        self.base = results["base_value"].to_numpy(dtype=float)
        self.new = results["new_value"].to_numpy(dtype=float)
        self.tc = results["trade_creation"].to_numpy(dtype=float)
        self.td = results["trade_diversion"].to_numpy(dtype=float)
        # base-period cells with trade, each once: base_value is the same in every scenario,
        # so one scenario's rows hold them all (the baseline's levels, coverage weights)
        # (chunks without a row of that scenario are skipped on its raw codes: the table
        # runs scenario by scenario, so most are)
        raw = self._s[0]
        picked, first_s, first_raw = [], None, None
        for rows in row_chunks(self.n):
            if first_raw is not None and not (raw[rows] == first_raw).any():
                continue
            s_c = self.row_codes(rows)[0]
            one = (s_c < S * C) & (self.base[rows] > 0)
            if first_s is None and one.any():
                at = int(np.argmax(one))
                first_s, first_raw = s_c[at], raw[rows][at]
            if first_s is not None:
                picked.append(rows.start + np.flatnonzero(one & (s_c == first_s)))
        sel = np.concatenate(picked) if picked else np.zeros(0, dtype=np.intp)
        _s, i, e, h = self.row_codes(sel)
        cell = self.cell_key(i, e, h)
        space = C * C * max(len(self.hs), 1)
        if space <= 1 << 26:
            dense = np.full(space, -1, dtype=np.int64)
            dense[cell] = np.arange(len(sel))
            first = dense[dense >= 0]
        else:
            first = np.flatnonzero(~pd.Index(cell).duplicated())
        self.b_i, self.b_e, self.b_h = i[first], e[first], h[first]
        self.b_key = self.cell_key(self.b_i, self.b_e, self.b_h)
        self.b_val = self.base[sel[first]]
        self._dense_id: np.ndarray | None = None
        self._blocks = scenario_blocks(self._s[0], self._i[0], self._e[0], self._h)

    def _cell_codes(self, rows: slice | np.ndarray) -> tuple[np.ndarray, ...]:
        """``(bad, i, e, h)`` of ``rows``: whether the row is domestic or outside the lists,
        and the economies and the product as ``intp`` (0 where ``bad``)."""
        (ic, il), (ec, el) = self._i, self._e
        i, e = il[ic[rows]], el[ec[rows]]
        h = self._h[rows].astype(np.intp)
        bad = (i == e) | (i < 0) | (e < 0) | (h < 0)
        return (bad, np.where(bad, 0, i).astype(np.intp), np.where(bad, 0, e).astype(np.intp),
                np.where(bad, 0, h))

    def row_codes(self, rows: slice | np.ndarray) -> tuple[np.ndarray, ...]:
        """``(s_c, i, e, h)`` of ``rows`` as ``intp``: ``s_c`` the bin offset ``s * C`` of the
        row's scenario (``S * C`` for a dump row), the economies and the product (0 for a
        dump row)."""
        sc, sl = self._s
        s = sl[sc[rows]]
        bad, i, e, h = self._cell_codes(rows)
        return np.where(bad | (s < 0), self.S * self.C, s.astype(np.intp) * self.C), i, e, h

    def chunks(self) -> Iterator[tuple[slice, np.ndarray, np.ndarray, np.ndarray, np.ndarray]]:
        """``(rows, s_c, i, e, h)`` for each chunk of rows, in order: each scenario block of
        the table (:func:`~fta_compare.results.scenario_blocks`) with its cells' codes made
        once, then the rows after the blocks a chunk at a time. A block of a scenario
        outside the list (all its rows dropped) is skipped."""
        blocks, n = self._blocks
        if blocks:
            sc, sl = self._s
            bad, i, e, h = self._cell_codes(slice(0, n))
            for b in range(blocks):
                s = int(sl[sc[b * n]])
                if s >= 0:
                    yield (slice(b * n, (b + 1) * n),
                           np.where(bad, self.S * self.C, s * self.C), i, e, h)
        for rows in row_chunks(self.n, start=blocks * n):
            yield (rows, *self.row_codes(rows))

    def cell_key(self, i: np.ndarray, e: np.ndarray, h: np.ndarray) -> np.ndarray:
        return (i.astype(np.int64) * self.C + e) * max(len(self.hs), 1) + h

    def cell_id(self, key: np.ndarray) -> np.ndarray:
        """Position of each cell key among the base cells (-1 if absent): a dense table
        when the key space is small (the usual case), a hash lookup otherwise."""
        space = self.C * self.C * max(len(self.hs), 1)
        if space <= 1 << 26:
            if self._dense_id is None:  # built once, looked up a chunk at a time
                self._dense_id = np.full(space, -1, dtype=np.int64)
                self._dense_id[self.b_key] = np.arange(len(self.b_key))
            return self._dense_id[key]
        return pd.Index(self.b_key).get_indexer(key)


def _flow_sums(r: _Results, n_h: int | None, in_crit: np.ndarray | None
               ) -> dict[str, np.ndarray]:
    """One pass over the rows, a chunk at a time: the (S, C) flow metrics; with ``n_h``,
    the exports change by (scenario, exporter, product) ``(S * C, n_h)``; with ``in_crit``
    (products of the critical sectors), new imports by (scenario, importer, exporter)
    ``(S, C, C)`` in those products."""
    S, C = r.S, r.C
    n = S * C
    flows = np.zeros((4, n + 1))  # exports, imports change, creation, diversion; dump bin
    by_product = np.zeros((n + 1) * n_h) if n_h else None
    crit = np.zeros(n * C + C * C) if in_crit is not None else None
    for rows, s_c, i, e, h in r.chunks():
        key_e, key_i = s_c + e, s_c + i
        change = r.new[rows] - r.base[rows]
        for k, (key, w) in enumerate(((key_e, change), (key_i, change), (key_e, r.tc[rows]),
                                      (key_e, r.td[rows]))):
            flows[k] += _bins(key, w, n + 1)
        if by_product is not None and (valid := s_c < n).any():
            # bins from the chunk's first scenario on (few: rows come in scenario order)
            lo = int(key_e[valid].min()) * n_h
            part = _bins(np.where(valid, key_e * n_h + h - lo, 0),
                         np.where(valid, change, 0.0), 0)
            by_product[lo:lo + len(part)] += part
        if crit is not None:
            crit += _bins(key_i * C + e, np.where(in_crit[h], r.new[rows], 0.0), n * C + C * C)
    out = {name: flows[k, :n].reshape(S, C) for k, name in enumerate(FLOW_METRICS)}
    if by_product is not None:
        out["by_product"] = by_product[: n * n_h].reshape(n, n_h)
    if crit is not None:
        out["critical_imports"] = crit[: n * C].reshape(S, C, C)
    return out


def _concentration(r: _Results, v: np.ndarray, in_crit: np.ndarray, base_row: int,
                   china: int) -> tuple[np.ndarray, np.ndarray]:
    """(S, C) HHI and China share of imports in the critical sectors from ``v``, the
    (S, C, C) new imports by importer and exporter in those products (the baseline row
    from base values). NaN where an economy imports none."""
    C = r.C
    b_rows = in_crit[r.b_h]
    v[base_row] = _bins(r.b_i[b_rows] * C + r.b_e[b_rows], r.b_val[b_rows],
                        C * C).reshape(C, C)
    total = v.sum(axis=2)
    with np.errstate(invalid="ignore", divide="ignore"):
        share = v / np.where(total > 0, total, np.nan)[..., None]
    hhi = (share ** 2).sum(axis=2)
    hhi[~(total > 0)] = np.nan
    cn = share[..., china] if china >= 0 else np.where(total > 0, 0.0, np.nan)
    return hhi, cn


def _coverage(r: _Results, applied: pd.DataFrame, scenarios: list[str],
              countries: list[str]) -> np.ndarray:
    """(S, C) share of each economy's trade (imports + exports at base-period values)
    entering at a preferential rate below MFN, weighted by utilisation when given."""
    S, C = r.S, r.C
    pref_all = applied["preferential_rate"].to_numpy(dtype=float)
    mfn_all = applied["mfn_rate"].to_numpy(dtype=float)
    util = (applied["utilisation"].to_numpy(dtype=float) if "utilisation" in applied.columns
            else None)
    maps = [_lookup(glob, applied[col]) for glob, col in (
        (scenarios, "scenario"), (countries, "importer"), (countries, "exporter"),
        (r.hs, "hs"))]
    num = np.zeros(S * C)
    for rows in row_chunks(len(applied)):  # a chunk at a time: small temporaries
        pref = pref_all[rows]
        used = rows.start + np.flatnonzero((~np.isnan(pref)) & (pref < mfn_all[rows]))
        s, i, e, h = (lookup[codes[used]] for codes, lookup in maps)
        ok = (s >= 0) & (i >= 0) & (e >= 0) & (h >= 0) & (i != e)
        used, s, i, e, h = used[ok], s[ok], i[ok], e[ok], h[ok]
        cid = r.cell_id(r.cell_key(i, e, h))
        found = cid >= 0
        u = np.nan_to_num(util[used[found]], nan=1.0) if util is not None else 1.0
        w = u * r.b_val[cid[found]]
        s, i, e = s[found], i[found], e[found]
        num += _bins(s * C + i, w, S * C) + _bins(s * C + e, w, S * C)
    den = _bins(r.b_i, r.b_val, C) + _bins(r.b_e, r.b_val, C)
    with np.errstate(invalid="ignore", divide="ignore"):
        return num.reshape(S, C) / np.where(den > 0, den, np.nan)[None, :]


def _matrix(df: pd.DataFrame, col: str, scenarios: list[str], countries: list[str],
            fill: float) -> np.ndarray:
    out = np.full((len(scenarios), len(countries)), fill)
    s = _to(scenarios, df["scenario"])
    c = _to(countries, df["country"])
    ok = (s >= 0) & (c >= 0)
    out[s[ok], c[ok]] = df[col].to_numpy(dtype=float)[ok]
    return out


def _rank(card: pd.DataFrame, baseline: str) -> pd.Series:
    """Ranks within (country, metric), 1 = best; values equal to 12 significant digits of
    the largest in their group tie (a sum taken in another order must not break a tie)."""
    ranked = pd.Series(np.nan, index=card.index)
    live = card["scenario"] != baseline
    low = card["metric"].isin(LOWER_IS_BETTER)
    for asc, sel in ((False, live & ~low), (True, live & low)):
        sub = card[sel]
        if not sub.empty:
            keys = [sub["country"], sub["metric"]]
            value = sub["value"].astype(float)
            scale = value.abs().groupby(keys, sort=False).transform("max").to_numpy()
            scale = np.where(np.isfinite(scale) & (scale > 0), scale, 1.0)
            key = pd.Series(np.round(value.to_numpy() / scale, 12), index=sub.index)
            ranked[sub.index] = key.groupby(keys, sort=False).rank(method="min",
                                                                   ascending=asc)
    return ranked


def _composite(card: pd.DataFrame, weights: pd.DataFrame, baseline: str) -> pd.DataFrame:
    """Weighted mean of metrics min-max scaled to [0, 1] across scenarios (1 = best).

    Per economy and metric: z = (v - min) / (max - min) over the non-baseline scenarios,
    reversed for lower-is-better metrics, 0.5 when all scenarios tie; composite =
    sum(w * z) / sum(|w|) over the weighted metrics with a value. Baseline: NaN.
    """
    w = dict(zip(weights["metric"].astype(str).str.strip(), weights["weight"].astype(float),
                 strict=True))
    live = card[(card["scenario"] != baseline) & card["metric"].isin(list(w))].copy()
    g = live.groupby(["country", "metric"])["value"]
    lo, hi = g.transform("min"), g.transform("max")
    z = ((live["value"] - lo) / (hi - lo).where(hi > lo)).where(hi > lo, 0.5)
    z = z.where(live["value"].notna())
    z = np.where(live["metric"].isin(LOWER_IS_BETTER), 1.0 - z, z)
    live["wz"] = live["metric"].map(w) * z
    live["aw"] = live["metric"].map(w).abs().where(~np.isnan(z))
    s = live.groupby(["scenario", "country"])[["wz", "aw"]].sum(min_count=1)
    value = s["wz"] / s["aw"].where(s["aw"] > 0)
    return value.rename("value").reset_index()


def _present(col: pd.Series) -> list[str]:
    """The distinct values of ``col`` as str, in order of first appearance; for a
    categorical, the categories present in it, in their order, counted a chunk of rows at
    a time until every one is seen."""
    if not isinstance(col.dtype, pd.CategoricalDtype):
        return _codes(col)[1]
    codes, labels = label_codes(col)
    seen = np.zeros(len(labels) + 1, dtype=bool)  # [0]: missing
    for rows in row_chunks(len(codes)):
        seen |= np.bincount(codes[rows].astype(np.intp) + 1, minlength=len(seen)) > 0
        if seen[1:].all():
            break
    return [str(x) for x in labels[seen[1:]]]


def _ordered_union(*cols: pd.Series) -> list[str]:
    out: dict[str, None] = {}
    for col in cols:
        out.update(dict.fromkeys(_present(col)))
    return list(out)


def scorecard(
    results: pd.DataFrame,
    welfare: pd.DataFrame,
    depth: pd.DataFrame | None = None,
    sectors: pd.DataFrame | None = None,
    weights: pd.DataFrame | None = None,
    applied: pd.DataFrame | None = None,
    *,
    critical_sectors: Sequence[str] = ("critical_minerals",),
    china: str = CHINA,
    baseline: str = BASELINE,
    variants: Mapping[str, str] | None = None,
) -> pd.DataFrame:
    """Long scorecard (scenario, country, metric, value, rank) for every economy.

    results  scenario, importer, exporter, hs, base_value, new_value, trade_creation,
             trade_diversion, base_rate, new_rate (one row per cell per scenario).
    welfare  scenario, country, consumer_surplus, producer_surplus, tariff_revenue,
             net_welfare.
    depth    scenario, country, depth_index (``depth.scenario_depth``); optional.
    sectors  hs (prefix), sector; gives ``exports_change:<sector>`` and, for the
             ``critical_sectors``, the import-concentration metrics; optional.
    weights  metric, weight: adds ``composite``; optional.
    applied  the compiler's applied table (scenario, importer, exporter, hs, mfn_rate,
             preferential_rate[, utilisation]): adds ``preference_coverage``; optional.
    variants {variant: scenario}: variants of a scenario with the same agreements and
             tariffs (the depth-channel runs) take its ``depth_index`` and
             ``preference_coverage`` and are ranked (and composited) among themselves,
             after the other scenarios; optional.
    Metrics and rank rules: module docstring. A baseline row is always present (zero
    changes and base-period levels unless the inputs carry baseline rows).
    """
    extra = [depth["scenario"]] if depth is not None else []
    scenarios = [baseline, *[x for x in _ordered_union(results["scenario"],
                                                       welfare["scenario"], *extra)
                             if x != baseline]]
    countries = _ordered_union(results["importer"], results["exporter"], welfare["country"],
                               *([depth["country"]] if depth is not None else []))
    r = _Results(results, scenarios, countries)
    b = 0  # baseline row
    m: dict[str, np.ndarray] = {}
    for name in WELFARE_METRICS:
        m[name] = _matrix(welfare, name, scenarios, countries, 0.0)
    n_h = in_crit = None
    if sectors is not None and not sectors.empty:
        pairs = sector_map(pd.Series(r.hs, dtype=object), sectors)
        h_of = pd.Index(r.hs, dtype=object).get_indexer(pairs["hs"])
        names = list(dict.fromkeys(sectors["sector"].astype(str).str.strip()))
        member = np.zeros((len(r.hs), len(names)))  # (products, sectors) 0/1
        member[h_of, pd.Index(names).get_indexer(pairs["sector"])] = 1.0
        n_h = max(len(r.hs), 1)
        crit = (pairs["sector"].isin(list(critical_sectors))).to_numpy()
        if crit.any():
            in_crit = np.zeros(len(r.hs), dtype=bool)
            in_crit[h_of[crit]] = True
    sums = _flow_sums(r, n_h, in_crit)  # one pass over the rows
    for name in FLOW_METRICS:
        m[name] = sums[name]
    if depth is not None:
        d = _matrix(depth, "depth_index", scenarios, countries, np.nan)
        if not (_to(scenarios, depth["scenario"]) == b).any():
            d[b] = 0.0
        m["depth_index"] = d
    if applied is not None:
        m["preference_coverage"] = _coverage(r, applied, scenarios, countries)
    if n_h is not None:  # change by (scenario, exporter, product), then sectors
        by_sector = (sums["by_product"] @ member).reshape(r.S, r.C, len(names))
        for k, sector in enumerate(names):
            m[f"exports_change:{sector}"] = by_sector[:, :, k]
        if in_crit is not None:
            cn_idx = countries.index(china) if china in countries else -1
            m["critical_import_hhi"], m["critical_china_share"] = _concentration(
                r, sums["critical_imports"], in_crit, b, cn_idx)
    variants = {v: p for v, p in (variants or {}).items() if v in scenarios}
    pairs = [(scenarios.index(v), scenarios.index(p)) for v, p in variants.items()
             if p in scenarios]
    for name in ("depth_index", "preference_coverage"):
        if name in m and pairs:
            to, src = zip(*pairs, strict=True)
            m[name][list(to)] = m[name][list(src)]
    groups = [[s for s in scenarios if s not in variants], [s for s in scenarios if s in variants]]
    cards = [_ranked_card(group, countries, m, scenarios, weights, baseline)
             for group in groups if group]
    return pd.concat(cards, ignore_index=True) if len(cards) > 1 else cards[0]


def _ranked_card(group: list[str], countries: list[str], m: dict[str, np.ndarray],
                 scenarios: list[str], weights: pd.DataFrame | None, baseline: str
                 ) -> pd.DataFrame:
    """The long card of the scenarios in ``group`` (rows of the (S, C) matrices ``m``),
    with the composite and the ranks computed among them."""
    S, C = len(group), len(countries)
    rows = np.array([scenarios.index(s) for s in group])
    card = pd.DataFrame({
        "scenario": np.tile(np.repeat(np.array(group, dtype=object), C), len(m)),
        "country": np.tile(np.array(countries, dtype=object), S * len(m)),
        "metric": np.repeat(np.array(list(m), dtype=object), S * C),
        "value": np.concatenate([v[rows].reshape(-1) for v in m.values()]),
    })
    if weights is not None and not weights.empty:
        comp = _composite(card, weights, baseline)
        grid = card.loc[card["metric"] == card["metric"].iloc[0], ["scenario", "country"]]
        comp = grid.merge(comp, on=["scenario", "country"], how="left").assign(
            metric="composite")
        card = pd.concat([card, comp[["scenario", "country", "metric", "value"]]],
                         ignore_index=True)
    card["rank"] = _rank(card, baseline)
    return card[list(SCORECARD_COLUMNS)].reset_index(drop=True)


def build_scorecard(
    results: pd.DataFrame,
    welfare: pd.DataFrame,
    *,
    applied: pd.DataFrame | None = None,
    depth: pd.DataFrame | None = None,
    sectors: pd.DataFrame | None = None,
    weights: pd.DataFrame | None = None,
    compiled: CompiledScenarios | None = None,
    **options: object,
) -> pd.DataFrame:
    """:func:`scorecard`, also taking depth per agreement (agreement, depth_index, as from
    :func:`fta_compare.depth.agreement_depth`) together with ``compiled``, which is turned
    into the per-economy depth by :func:`fta_compare.depth.scenario_depth`. An empty depth
    table means no depth metric."""
    if depth is not None and depth.empty:
        depth = None
    if depth is not None and "agreement" in depth.columns:
        if compiled is None:
            raise ValueError("depth per agreement needs compiled= (the CompiledScenarios) "
                             "to find which economies join which agreement in a scenario")
        from fta_compare.depth import scenario_depth

        depth = scenario_depth(compiled, depth)
    return scorecard(results, welfare, depth=depth, sectors=sectors, weights=weights,
                     applied=applied, **options)  # type: ignore[arg-type]


def focus_table(card: pd.DataFrame, focus: str) -> pd.DataFrame:
    """Wide table for one economy: one row per scenario, for each metric ``<metric>`` and
    ``<metric> rank`` columns (metrics in scorecard order, scenarios in scorecard order)."""
    sub = card[card["country"].astype(str) == focus]
    if sub.empty:
        raise KeyError(f"no scorecard rows for {focus!r}")
    scen = list(dict.fromkeys(sub["scenario"]))
    metrics = list(dict.fromkeys(sub["metric"]))
    value = sub.pivot(index="scenario", columns="metric", values="value")
    rank = sub.pivot(index="scenario", columns="metric", values="rank")
    cols = {}
    for m in metrics:
        cols[m] = value[m]
        cols[f"{m} rank"] = rank[m]
    out = pd.DataFrame(cols).reindex(scen)
    out.index.name = "scenario"
    out.columns.name = None
    return out


def first_by_metric(card: pd.DataFrame, focus: str) -> pd.DataFrame:
    """For one economy, which scenario ranks first on each metric.

    Columns: metric, scenario (ties joined by ', '), value (the best value); NaN-only
    metrics give scenario ''.
    """
    sub = card[(card["country"].astype(str) == focus)]
    rows = []
    for m in dict.fromkeys(sub["metric"]):
        s = sub[(sub["metric"] == m) & (sub["rank"] == 1)]
        rows.append({"metric": m, "scenario": ", ".join(map(str, s["scenario"])),
                     "value": float(s["value"].iloc[0]) if len(s) else np.nan})
    return pd.DataFrame(rows, columns=["metric", "scenario", "value"])
