"""tablebuild.ge_tables: ge_sectors from the HS -> WIOD rules, the value tables' accounting, the
baseline tariffs (PE 2026 where covered, WIOD 2014 elsewhere), and the PE compile step."""

from __future__ import annotations

import itertools
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from fta_compare.inputs.hs import longest_prefix_index
from fta_compare.tablebuild import concordance, ge_tables, wiod_cp
from fta_compare.tablebuild.example import build_example

SHARED = Path(__file__).resolve().parents[1].parent / "shared" / "data"


@pytest.fixture(scope="module")
def cp() -> wiod_cp.CPData:
    if not SHARED.is_dir():
        pytest.skip(f"../shared/data is absent ({SHARED})")
    return wiod_cp.load(SHARED)


@pytest.mark.shared
def test_ge_sectors_reproduce_hs_to_wiod(cp) -> None:
    U = concordance.load(SHARED).universe
    gs = ge_tables.ge_sectors_table(U, cp.labels)
    assert not gs.duplicated(["sector", "hs"]).any()
    assert set(gs["sector"]) <= set(wiod_cp.GOODS)  # services have no HS rows
    idx = longest_prefix_index(pd.Series(U), gs["hs"])
    got = [gs["sector"].iloc[i] if i >= 0 else None for i in idx]
    assert got == [concordance.hs_to_wiod(h) for h in U]  # lossless, 2716 uncovered
    # non-overlapping: no row is a prefix of another
    hs = sorted(gs["hs"])
    assert not any(b.startswith(a) for a, b in itertools.pairwise(hs))
    assert gs.set_index("hs").loc["8703", "description"].startswith("Motor vehicles")


@pytest.mark.shared
def test_value_tables_close_and_tariffs(cp) -> None:
    pe = pd.DataFrame({"importer": ["KOR", "CHN"], "exporter": ["EUN", "KOR"],
                       "sector": ["C20", "C20"], "rate": [0.0, 0.05]})
    sheets, info = ge_tables.build_ge(cp, pe, ["870323"])
    t, va = sheets["ge_trade"], sheets["ge_value_added"]
    inter = sheets["ge_intermediate"]
    Y = t.groupby(["exporter", "sector"])["value"].sum()
    cost = inter.groupby(["country", "sector"])["value"].sum().reindex(Y.index, fill_value=0)
    cost = cost + va.set_index(["country", "sector"])["value"].reindex(Y.index)
    assert np.allclose(cost, Y, rtol=1e-6, atol=0.1)  # intermediate + value added = output
    d = sheets["ge_deficits"]["value"]
    assert abs(d.sum()) < 1e-6 * va["value"].sum()
    fin = sheets["ge_final"].groupby("country")["value"].sum()
    assert (fin > 0).all()
    th = sheets["ge_elasticities"].set_index("sector")["theta"]
    assert th["C04"] == pytest.approx(1 / 0.0626, rel=1e-3) and (th > 0).all()
    a = sheets["ge_applied"].set_index(["importer", "exporter", "sector"])
    assert set(a["scenario"]) == {"baseline"}
    assert a.loc[("KOR", "DEU", "C20"), "rate"] == 0.0  # EUN -> each EU member
    assert a.loc[("KOR", "DEU", "C20"), "quality"] == ge_tables.Q_PE
    assert a.loc[("CHN", "KOR", "C20"), "rate"] == 0.05
    E = list(cp.economies)
    j = cp.sectors.index("C20")
    kite = cp.tariff[j, E.index("BRA"), E.index("KOR")]  # BRA has no PE counterpart
    assert a.loc[("KOR", "BRA", "C20"), "rate"] == round(float(kite), 6)
    assert a.loc[("KOR", "BRA", "C20"), "quality"] == ge_tables.Q_WIOD
    assert ("ROW", "ROW", "C20") in a.index  # RoW taxes its own members
    assert "C30" not in set(a.index.get_level_values("sector"))  # services untaxed
    assert "world absorption" in info["ge_expenditure_gap"]


def test_compile_pe_baseline_with_the_tool() -> None:
    s = build_example()
    cells = ge_tables.compile_pe_baseline(s, 1.0)
    assert len(cells) == len(s["trade"])
    dom = cells[cells["exporter"] == cells["importer"]]
    assert (dom["rate"] == 0).all() and (cells["rate"] >= 0).all()
    agg = ge_tables.pe_sector_tariffs(cells)
    assert set(agg.columns) == {"importer", "exporter", "sector", "rate"}
    assert (agg["importer"] != agg["exporter"]).all()
