"""The general-equilibrium lens of a run: the sector model on the run's scenarios.

With PE inputs, every PE scenario (depth-channel variants included) reaches the sector
model through :mod:`fta_compare.scenarios.ge_bridge`; scenarios that exist only in
``ge_applied`` run as given. A GE-only workbook runs the ``ge_applied`` scenarios. The
baseline is solved once and every scenario is reported relative to it (Caliendo & Parro's
procedure, :func:`fta_compare.model.ge.solve_scenarios`).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from fta_compare.errors import Issue
from fta_compare.inputs.ge_validate import GEInputs, ge_frames, ge_inputs
from fta_compare.inputs.tables import InputTables
from fta_compare.model import ge
from fta_compare.model.arrays import MarketArrays, Shock
from fta_compare.scenarios.ge_bridge import build_bridge, ge_shock

GE_TARIFF_COLUMNS = ("scenario", "importer", "exporter", "sector", "base_rate", "new_rate",
                     "cost_change")


@dataclass(frozen=True)
class GEOutcome:
    """The sector model's answer for a run (fractions: 0.0117 = +1.17%)."""

    welfare: pd.DataFrame  # DESIGN 5 ge_welfare
    sectors: pd.DataFrame  # DESIGN 5 ge_sectors
    convergence: pd.DataFrame  # scenario, converged, residual, iterations
    tariffs: pd.DataFrame  # GE_TARIFF_COLUMNS: the shocks the bridge built (changed cells)
    mapping: pd.DataFrame  # pe_economy, ge_economy, rule
    sector_names: dict[str, str]  # sector code -> description (ge_sectors), may be empty
    economies: tuple[str, ...]
    warnings: tuple[Issue, ...]


def _descriptions(tables: InputTables) -> dict[str, str]:
    gs = tables.ge_sectors
    if gs is None or gs.empty or "description" not in gs.columns:
        return {}
    d = gs.dropna(subset=["description"]).drop_duplicates("sector")
    return {str(s): str(x) for s, x in zip(d["sector"], d["description"], strict=True)}


def _changed(name: str, inputs: GEInputs, tariff: np.ndarray, cost: np.ndarray | None
             ) -> pd.DataFrame:
    base = inputs.tariff
    moved = np.abs(tariff - base) > 1e-12
    if cost is not None:
        moved |= cost != 0
    j, i, n = np.nonzero(moved)
    econ = np.asarray(inputs.economies, dtype=object)
    sect = np.asarray(inputs.sectors, dtype=object)
    return pd.DataFrame({
        "scenario": name, "importer": econ[n], "exporter": econ[i], "sector": sect[j],
        "base_rate": base[j, i, n], "new_rate": tariff[j, i, n],
        "cost_change": 0.0 if cost is None else cost[j, i, n]})


@dataclass(frozen=True)
class GEPlan:
    """The sector model's inputs for a run, before its solves: what :func:`solve_ge` needs
    (``base``, ``scenarios``) and what :func:`ge_outcome` adds to their results."""

    inputs: GEInputs
    base: ge.GEBase
    scenarios: dict[str, tuple[np.ndarray, np.ndarray | None]]
    changed: list[pd.DataFrame]
    mapping: pd.DataFrame
    sector_names: dict[str, str]
    warnings: tuple[Issue, ...]


def run_ge(tables: InputTables, m: MarketArrays | None,
           shocks: Sequence[tuple[str, Shock]], regions: dict[str, tuple[str, ...]],
           unit_note: str = "") -> GEOutcome:
    """Solve the sector model for the run's scenarios (see the module docstring)."""
    plan = plan_ge(tables, m, shocks, regions, unit_note)
    return ge_outcome(plan, solve_ge(plan.base, plan.scenarios))


def solve_ge(base: ge.GEBase, scenarios: dict[str, tuple[np.ndarray, np.ndarray | None]]
             ) -> dict[str, ge.GEResult]:
    """The baseline and every scenario (:func:`fta_compare.model.ge.solve_scenarios`)."""
    return ge.solve_scenarios(base, scenarios)


def plan_ge(tables: InputTables, m: MarketArrays | None,
            shocks: Sequence[tuple[str, Shock]], regions: dict[str, tuple[str, ...]],
            unit_note: str = "") -> GEPlan:
    """Calibrate the sector model and bridge the run's PE shocks to it (no solve)."""
    inputs, found = ge_inputs(tables)
    warnings = list(found)
    base = inputs.calibrate()
    scen: dict[str, tuple[np.ndarray, np.ndarray | None]] = {}
    changed = []
    mapping = pd.DataFrame(columns=["pe_economy", "ge_economy", "rule"])
    if m is not None and shocks:
        if not inputs.sector_hs:
            warnings.append(Issue(tables.file_of("ge_applied"), "ge_sectors", "", "",
                                  "no ge_sectors sheet: the PE scenarios cannot reach the "
                                  "sector model (only ge_applied scenarios run)", "warning"))
        else:
            bridge = build_bridge(m.hs, m.countries, m.base_value, inputs.sectors,
                                  inputs.sector_hs, inputs.economies, regions)
            mapping = bridge.mapping
            if bridge.unmapped_products:
                warnings.append(Issue(
                    tables.file_of("ge_sectors"), "ge_sectors", "",
                    str(bridge.unmapped_products),
                    f"{bridge.unmapped_products} HS products are in no sector of ge_sectors; "
                    f"their cross-border base trade ({bridge.unmapped_value:,.0f}{unit_note}) "
                    "does not reach the sector model", "warning"))
            goods = np.array([bool(inputs.sector_hs.get(s)) for s in inputs.sectors])
            for name, shock in shocks:
                tariff, cost = ge_shock(bridge, m, shock, inputs.tariff, goods)
                scen[name] = (tariff, cost)
                changed.append(_changed(name, inputs, tariff, cost))
    for name, tariff in inputs.scenarios.items():
        if name not in scen:
            scen[name] = (tariff, None)
            changed.append(_changed(name, inputs, tariff, None))
    return GEPlan(inputs=inputs, base=base, scenarios=scen, changed=changed, mapping=mapping,
                  sector_names=_descriptions(tables), warnings=tuple(warnings))


def ge_outcome(plan: GEPlan, results: dict[str, ge.GEResult]) -> GEOutcome:
    """The sector model's answer from its solves (:func:`solve_ge`)."""
    warnings = list(plan.warnings)
    welfare, sectors = ge_frames(plan.inputs, results)
    conv = pd.DataFrame({
        "scenario": list(results),
        "converged": [r.converged for r in results.values()],
        "residual": [r.residual for r in results.values()],
        "iterations": [r.iterations for r in results.values()],
    })
    for row in conv[~conv["converged"]].itertuples(index=False):
        warnings.append(Issue("model", "ge", "", f"{row.residual:.3g}",
                              f"the sector model did not converge for scenario "
                              f"'{row.scenario}' (relative wage change {row.residual:.3g} "
                              "after the last step): its GE results are not reliable",
                              "warning"))
    tariffs = (pd.concat(plan.changed, ignore_index=True) if plan.changed
               else pd.DataFrame(columns=list(GE_TARIFF_COLUMNS)))
    return GEOutcome(welfare=welfare, sectors=sectors, convergence=conv, tariffs=tariffs,
                     mapping=plan.mapping, sector_names=plan.sector_names,
                     economies=tuple(plan.inputs.economies), warnings=tuple(warnings))
