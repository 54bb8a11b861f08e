"""Rule depth of trade agreements and its optional trade-cost channel (DESIGN.md 3d).

Coding (``depth`` sheet): Hofmann, C., Osnago, A. and Ruta, M. (2017), "Horizontal depth:
a new database on the content of preferential trade agreements", World Bank Policy
Research Working Paper 7981. Each policy area of an agreement is ``WTO+`` (an area under
the current WTO mandate where the agreement goes further) or ``WTO-X`` (outside the WTO
mandate), coded 0 = not covered, 1 = covered but not legally enforceable, 2 = covered with
legally enforceable language. Per agreement this module reports:

- ``wto_plus_covered``/``wto_x_covered``: areas with coverage >= 1;
- ``wto_plus_enforceable``/``wto_x_enforceable``: areas with coverage == 2;
- ``share_enforceable``: enforceable / covered areas (NaN when nothing is covered);
- ``depth_index`` in [0, 1] = sum of coverage over the areas coded / (2 * areas coded): 1 means
  every coded area is legally enforceable. Areas not coded for an agreement are left out
  (not counted as 0), so agreements coded on different area lists stay comparable.

Fallback for agreements only coded in DESTA (Dür, Baccini & Elsig 2014, "The design of
international trade agreements: introducing a new dataset", Review of International
Organizations 9(3), 353-375): the additive depth index 0-7 (a full FTA plus six provision
types: standards, investment, services, procurement, competition, intellectual property)
is mapped to [0, 1] as ``index / 7``. Given as meta keys ``desta_depth:<agreement>`` or the
``desta`` argument; an agreement coded in the ``depth`` sheet keeps that coding.

Trade-cost channel: a gravity coefficient ``beta`` on the depth index (meta ``depth_beta``,
cited in meta ``depth_beta_source``) means trade grows by ``exp(beta * index)``; with a
trade elasticity ``sigma - 1`` that is an iceberg trade-cost change
``tau = exp(-beta * index / (sigma - 1)) - 1`` (negative = a cut), applied to the change in
the deepest agreement a pair shares between the baseline and the scenario.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

import numpy as np
import pandas as pd

from fta_compare.errors import InputError, Issue, ModelError
from fta_compare.inputs.schema import BASELINE
from fta_compare.inputs.tables import InputTables
from fta_compare.scenarios.compiler import CompiledScenarios
from fta_compare.scenarios.definitions import partner_matrix

DESTA_MAX = 7.0
DESTA_META_PREFIX = "desta_depth:"
DEPTH_COLUMNS = (
    "agreement", "areas_coded", "wto_plus_areas", "wto_x_areas", "wto_plus_covered",
    "wto_plus_enforceable", "wto_x_covered", "wto_x_enforceable", "covered", "enforceable",
    "share_enforceable", "depth_index", "index_source",
)
SOURCE_HOR = "Hofmann, Osnago & Ruta (2017) coding: sum(coverage) / (2 * areas coded)"
SOURCE_DESTA = "DESTA depth index 0-7 (Dür, Baccini & Elsig 2014) / 7"


def depth_indices(depth: pd.DataFrame) -> pd.DataFrame:
    """Per agreement counts of WTO+ / WTO-X areas covered and enforceable, and the index.

    ``depth``: columns agreement, area, category (``WTO+``/``WTO-X``), coverage (0, 1, 2).
    Output columns ``DEPTH_COLUMNS``; one row per agreement in order of appearance.
    """
    if depth is None or depth.empty:
        return pd.DataFrame(columns=list(DEPTH_COLUMNS))
    d = pd.DataFrame({
        "agreement": depth["agreement"].astype(str).str.strip(),
        "plus": depth["category"].astype(str).str.strip().str.upper() == "WTO+",
        "cov": pd.to_numeric(depth["coverage"], errors="coerce").to_numpy(dtype=float),
    })
    d["covered"] = d["cov"] >= 1
    d["enforceable"] = d["cov"] == 2
    d["x"] = ~d["plus"]
    for cat in ("plus", "x"):
        d[f"{cat}_cov"] = d[cat] & d["covered"]
        d[f"{cat}_enf"] = d[cat] & d["enforceable"]
    g = d.groupby("agreement", sort=False)
    out = pd.DataFrame({
        "areas_coded": g["cov"].count(),
        "wto_plus_areas": g["plus"].sum(),
        "wto_x_areas": g["x"].sum(),
        "wto_plus_covered": g["plus_cov"].sum(),
        "wto_plus_enforceable": g["plus_enf"].sum(),
        "wto_x_covered": g["x_cov"].sum(),
        "wto_x_enforceable": g["x_enf"].sum(),
        "covered": g["covered"].sum(),
        "enforceable": g["enforceable"].sum(),
        "sum_cov": g["cov"].sum(),
    })
    out["share_enforceable"] = out["enforceable"] / out["covered"].where(out["covered"] > 0)
    out["depth_index"] = out["sum_cov"] / (2.0 * out["areas_coded"].where(
        out["areas_coded"] > 0))
    out["index_source"] = SOURCE_HOR
    out = out.reset_index()
    counts = ["areas_coded", "wto_plus_areas", "wto_x_areas", "wto_plus_covered",
              "wto_plus_enforceable", "wto_x_covered", "wto_x_enforceable", "covered",
              "enforceable"]
    out[counts] = out[counts].astype("int64")
    return out[list(DEPTH_COLUMNS)]


def desta_to_unit(index: float | np.ndarray) -> float | np.ndarray:
    """DESTA additive depth index (0-7) -> [0, 1] as ``index / 7``; ValueError outside 0-7."""
    arr = np.asarray(index, dtype=float)
    if np.any((arr < 0) | (arr > DESTA_MAX)):
        raise ValueError(f"DESTA depth index must be within 0..7, got {index!r}")
    out = arr / DESTA_MAX
    return float(out) if out.ndim == 0 else out


def desta_from_meta(meta: Mapping[str, str], file: str = "") -> dict[str, float]:
    """DESTA indices given as meta keys ``desta_depth:<agreement>`` (InputError if invalid);
    ``file``: the file of the meta sheet, named in the issues."""
    out: dict[str, float] = {}
    issues = []
    for key, raw in meta.items():
        if not str(key).startswith(DESTA_META_PREFIX):
            continue
        name = str(key)[len(DESTA_META_PREFIX):].strip()
        try:
            value = float(raw)
            desta_to_unit(value)
        except (TypeError, ValueError):
            issues.append(Issue(file, "meta", "", str(raw),
                                f"{key}: DESTA depth index must be a number in 0..7"))
            continue
        out[name] = value
    if issues:
        raise InputError(issues)
    return out


def agreement_depth(
    depth: pd.DataFrame | None,
    desta: Mapping[str, float] | None = None,
    meta: Mapping[str, str] | None = None,
) -> pd.DataFrame:
    """Depth of every agreement: the ``depth`` sheet coding, else DESTA / 7.

    ``desta`` (agreement -> 0..7 index) and meta ``desta_depth:<agreement>`` keys give the
    DESTA fallback (the argument wins over meta). Columns ``DEPTH_COLUMNS``; counts are NaN
    for DESTA-only agreements.
    """
    coded = depth_indices(depth) if depth is not None else depth_indices(pd.DataFrame())
    fallback = {**desta_from_meta(meta or {}), **dict(desta or {})}
    extra = {a: v for a, v in fallback.items() if a not in set(coded["agreement"])}
    if not extra:
        return coded.reset_index(drop=True)
    rows = pd.DataFrame({
        "agreement": list(extra),
        "depth_index": [desta_to_unit(v) for v in extra.values()],
        "index_source": SOURCE_DESTA,
    })
    parts = [p for p in (coded, rows) if not p.empty]
    out = pd.concat(parts, ignore_index=True) if len(parts) > 1 else rows
    return out.reindex(columns=list(DEPTH_COLUMNS))


def depth_trade_cost(
    index: float | np.ndarray, beta: float, sigma: float | np.ndarray,
) -> np.ndarray:
    """Trade-cost change of a depth change: ``exp(-beta * index / (sigma - 1)) - 1``.

    ``index`` is the change in the depth index (in [-1, 1]); ``sigma`` the substitution
    elasticity (> 1, so that ``sigma - 1`` is the trade elasticity). Broadcasts.
    Raises :class:`ModelError` if any sigma <= 1 (the tariff equivalent is undefined).
    """
    idx = np.asarray(index, dtype=float)
    sig = np.asarray(sigma, dtype=float)
    if np.any(sig <= 1.0):
        bad = int(np.sum(np.broadcast_to(sig, np.broadcast_shapes(idx.shape, sig.shape)) <= 1))
        raise ModelError(f"depth channel: substitution elasticity must exceed 1 "
                         f"({bad} cells have sigma <= 1)")
    return np.expm1(-beta * idx / (sig - 1.0))


def depth_beta(meta: Mapping[str, str], file: str = "") -> tuple[float, str]:
    """(beta, source) from meta ``depth_beta`` and ``depth_beta_source`` (both required);
    ``file``: the file of the meta sheet, named in the issues."""
    raw = str(meta.get("depth_beta", "") or "").strip()
    source = str(meta.get("depth_beta_source", "") or "").strip()
    issues = []
    beta = float("nan")
    try:
        beta = float(raw)
        if not np.isfinite(beta):
            raise ValueError(raw)
    except ValueError:
        issues.append(Issue(file, "meta", "", raw,
                            "depth_beta: the depth channel needs a finite number (the gravity "
                            "coefficient of the depth index)"))
    if not source:
        issues.append(Issue(file, "meta", "", "",
                            "depth_beta_source: cite the source of depth_beta"))
    if issues:
        raise InputError(issues)
    return beta, source


def _depth_map(depth: pd.DataFrame | Mapping[str, float]) -> dict[str, float]:
    if isinstance(depth, pd.DataFrame):
        return {str(a): float(v) for a, v in zip(depth["agreement"], depth["depth_index"],
                                                  strict=True) if not pd.isna(v)}
    return {str(a): float(v) for a, v in depth.items() if not pd.isna(v)}


def _agreements_of(compiled: CompiledScenarios, scenario: str) -> list[str]:
    if compiled.specs:
        return list(compiled.spec(scenario).agreements)
    info = compiled.scenario_info
    hit = info[info["scenario"] == scenario]
    if hit.empty:
        raise KeyError(f"unknown scenario {scenario!r}")
    return [a for a in str(hit["agreements"].iloc[0]).split(",") if a]


def _partners(compiled: CompiledScenarios, agreements: Iterable[str], countries: pd.Index
              ) -> dict[str, np.ndarray]:
    """Agreement -> (N, N) bool partner matrix over ``countries`` (symmetric)."""
    defs = compiled.definitions
    out = {}
    for a in agreements:
        ag = defs.agreements.get(a) if defs is not None else None
        party = (ag.party_codes(countries) if ag is not None
                 else np.full(len(countries), -1, dtype=np.int64))
        out[a] = partner_matrix(party)
    return out


def pair_depth(
    agreements: Iterable[str], partners: Mapping[str, np.ndarray],
    depth: Mapping[str, float], n: int,
) -> np.ndarray:
    """(N, N) deepest index among ``agreements`` each pair shares as different parties.

    ``partners``: agreement -> (N, N) partner matrix; agreements without a depth index
    are skipped (callers check them first). 0 where a pair shares none.
    """
    out = np.zeros((n, n))
    for a in agreements:
        if a in depth:
            np.maximum(out, np.where(partners[a], depth[a], 0.0), out=out)
    return out


def pair_depth_change(
    compiled: CompiledScenarios, scenario: str, dmap: Mapping[str, float], countries: pd.Index,
    file: str = "",
) -> tuple[np.ndarray, np.ndarray, np.ndarray, bool]:
    """(base depth, new depth, change, any agreement changed) per pair of ``countries``.

    (N, N) matrices, symmetric. The change is non-zero only for pairs that a changed
    agreement (added or removed) covers. Raises :class:`InputError` if an agreement
    covering an affected pair has no depth index.
    """
    base = _agreements_of(compiled, BASELINE)
    new = _agreements_of(compiled, scenario)
    changed = sorted(set(base) ^ set(new))
    n = len(countries)
    part = _partners(compiled, dict.fromkeys([*base, *new]), countries)
    affected = np.zeros((n, n), dtype=bool)
    for a in changed:
        affected |= part[a]
    missing = [a for a in part if a not in dmap and (part[a] & affected).any()]
    if missing:
        raise InputError([Issue(file, "depth", "", a,
                                f"agreement '{a}' has no depth index (depth sheet or meta "
                                f"'{DESTA_META_PREFIX}{a}'); the depth channel of scenario "
                                f"'{scenario}' needs it") for a in missing])
    d0 = pair_depth(base, part, dmap, n)
    d1 = pair_depth(new, part, dmap, n)
    return d0, d1, np.where(affected, d1 - d0, 0.0), bool(changed)


def _cell_pairs(cells: pd.DataFrame) -> tuple[pd.Index, np.ndarray, np.ndarray]:
    """Countries of the cells and each cell's (importer, exporter) position (integer codes
    from the distinct values only)."""
    codes, uniq = [], []
    for col in ("importer", "exporter"):
        c, u = pd.factorize(cells[col])
        codes.append(c)
        uniq.append(np.asarray(u, dtype=object).astype(str))
    countries = pd.Index(list(dict.fromkeys([*uniq[0], *uniq[1]])), dtype=object)
    imp = countries.get_indexer(uniq[0])[codes[0]]
    exp = countries.get_indexer(uniq[1])[codes[1]]
    return countries, imp, exp


def _costs(change: np.ndarray, beta: float, sigma: float | np.ndarray) -> np.ndarray:
    sig = np.broadcast_to(np.asarray(sigma, dtype=float), change.shape)
    cost = np.zeros(change.shape)
    nz = change != 0
    cost[nz] = depth_trade_cost(change[nz], beta, sig[nz])
    return cost


def depth_trade_cost_change(
    tables: InputTables,
    compiled: CompiledScenarios,
    scenario: str,
    sigma: float | np.ndarray,
    depth: pd.DataFrame | Mapping[str, float] | None = None,
    beta: float | None = None,
) -> pd.DataFrame:
    """Trade-cost change per trade cell of ``scenario`` from the change in shared depth.

    For each (importer, exporter, hs) cell, in the cell order of ``compiled.rates``:
    ``base_depth`` / ``new_depth`` = deepest index among the baseline's / scenario's
    agreements both economies belong to as different parties (0 if none);
    ``depth_change`` = new - base (non-zero only for pairs that newly share an agreement,
    or lose one); ``trade_cost`` = ``depth_trade_cost(depth_change, beta, sigma)``.
    ``sigma``: the importer's substitution elasticity per cell (or a scalar). ``depth``
    defaults to :func:`agreement_depth` of the tables; ``beta`` to meta ``depth_beta`` (its
    source goes to ``attrs['beta_source']``). Raises :class:`InputError` if an agreement
    that changes a pair's depth has no index.
    """
    source = "argument"
    if beta is None:
        beta, source = depth_beta(tables.meta, tables.file_of("meta"))
    if depth is None:
        depth = agreement_depth(tables.depth, meta=tables.meta)
    cells = compiled.rates(scenario)
    countries, imp, exp = _cell_pairs(cells)
    d0, d1, change, _ = pair_depth_change(compiled, scenario, _depth_map(depth), countries,
                                          tables.file_of("depth"))
    ch = change[imp, exp]
    out = pd.DataFrame({
        "importer": cells["importer"], "exporter": cells["exporter"], "hs": cells["hs"],
        "base_depth": d0[imp, exp], "new_depth": d1[imp, exp], "depth_change": ch,
        "trade_cost": _costs(ch, beta, sigma),
    })
    out.attrs["beta"] = beta
    out.attrs["beta_source"] = source
    return out


def scenario_trade_cost(
    tables: InputTables,
    compiled: CompiledScenarios,
    scenario: str,
    cells: pd.DataFrame,
    substitution: np.ndarray | float,
) -> pd.DataFrame | None:
    """The depth channel on any cell table (columns importer, exporter, hs).

    ``substitution``: a (P, N) array by product and importer indexed by the cells' ``p``
    and ``r`` position columns, an array aligned with ``cells``, or a scalar. Returns
    ``cells[importer, exporter, hs]`` with ``base_depth``, ``new_depth``, ``depth_change``
    and ``trade_cost``, or None when the scenario adds or removes no agreement (nothing
    for the channel to do). Beta and depth as in :func:`depth_trade_cost_change`.
    """
    if set(_agreements_of(compiled, BASELINE)) == set(_agreements_of(compiled, scenario)):
        return None
    beta, source = depth_beta(tables.meta, tables.file_of("meta"))
    depth = agreement_depth(tables.depth, meta=tables.meta)
    countries, imp, exp = _cell_pairs(cells)
    d0, d1, change, _ = pair_depth_change(compiled, scenario, _depth_map(depth), countries,
                                          tables.file_of("depth"))
    sub = np.asarray(substitution, dtype=float)
    if sub.ndim == 2 and {"p", "r"} <= set(cells.columns):
        sigma = sub[cells["p"].to_numpy(dtype=np.int64), cells["r"].to_numpy(dtype=np.int64)]
    else:
        sigma = sub
    ch = change[imp, exp]
    out = cells[["importer", "exporter", "hs"]].reset_index(drop=True).assign(
        base_depth=d0[imp, exp], new_depth=d1[imp, exp], depth_change=ch,
        trade_cost=_costs(ch, beta, sigma))
    out.attrs["beta"] = beta
    out.attrs["beta_source"] = source
    return out


def trade_cost_array(
    tables: InputTables, compiled: CompiledScenarios, scenario: str, countries: np.ndarray,
    n_products: int, sigma: float | np.ndarray,
) -> np.ndarray | None:
    """(P, N, N) trade-cost change ``[p, exporter, importer]`` of the depth channel, or None.

    The depth change is computed once per pair of ``countries`` (integer codes, no text);
    ``sigma`` is a scalar trade elasticity + 1 (meta ``depth_sigma``) or the (P, N)
    substitution elasticity by product and importer. Beta as in
    :func:`depth_trade_cost_change`.
    """
    if set(_agreements_of(compiled, BASELINE)) == set(_agreements_of(compiled, scenario)):
        return None
    beta, _ = depth_beta(tables.meta, tables.file_of("meta"))
    depth = agreement_depth(tables.depth, meta=tables.meta)
    idx = pd.Index(np.asarray(countries, dtype=object))
    _, _, change, _ = pair_depth_change(compiled, scenario, _depth_map(depth), idx,
                                       tables.file_of("depth"))
    change_vr = change.T  # [exporter, importer]
    sig = np.asarray(sigma, dtype=float)
    if sig.ndim == 0:
        pair = _costs(change_vr, beta, float(sig))
        return np.broadcast_to(pair, (n_products, *pair.shape))
    out = np.zeros((n_products, *change_vr.shape))
    v, r = np.nonzero(change_vr)
    if v.size:
        out[:, v, r] = depth_trade_cost(change_vr[v, r][None, :], beta, sig[:, r])
    return out


def scenario_depth(
    compiled: CompiledScenarios, depth: pd.DataFrame | Mapping[str, float],
) -> pd.DataFrame:
    """Scorecard depth per scenario and country: deepest new agreement it joins.

    For each scenario and each economy of the trade cells: the largest depth index among
    the agreements the scenario adds to the baseline that include the economy; 0 when it
    joins none (the baseline is 0 by definition); NaN when one of those agreements has no
    depth index. Columns: scenario, country, depth_index.
    """
    dmap = _depth_map(depth)
    # a block of the compiler holds every cell: the first one names every economy, in order
    cells = compiled.applied.iloc[:compiled.block_rows or len(compiled.applied)]
    countries = list(dict.fromkeys(
        str(c) for col in ("importer", "exporter") for c in pd.unique(cells[col])))
    base = set(_agreements_of(compiled, BASELINE))
    members = compiled.agreement_members
    steps = {sp.name for sp in compiled.specs if sp.origin == "time_path"}
    rows = []
    for scen in [s for s in compiled.scenarios if s not in steps]:
        added = [a for a in _agreements_of(compiled, scen) if a not in base]
        for c in countries:
            joined = [a for a in added if c in members.get(a, ())]
            if any(a not in dmap for a in joined):
                value = float("nan")
            else:
                value = max((dmap[a] for a in joined), default=0.0)
            rows.append((scen, c, value))
    return pd.DataFrame(rows, columns=["scenario", "country", "depth_index"])
