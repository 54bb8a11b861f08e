"""tablebuild.wiod: WIOD 2014 flows mapped to this build's economies, RoW split, scale, HS6.

Uses the full WIOD CP arrays (``wiod2014_cp_inputs``) and small hand-made share tables.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from fta_compare.tablebuild import wiod, wiod_cp
from fta_compare.tablebuild.universe import SPLIT, UNIVERSE

SHARED = Path(__file__).resolve().parents[1].parent / "shared" / "data"
COLS = [*SPLIT, "ROW"]


def test_wiod_codes() -> None:
    assert wiod.wiod_code("DEU") == "EUN" and wiod.wiod_code("GBR") == "GBR"
    assert wiod.wiod_code("BRA") == "ROW" and wiod.wiod_code("ROW") == wiod.ROWW
    assert wiod.kind_of("KOR", "KOR", []) == "domestic"
    assert wiod.kind_of("JPN", "JPN", []) == "domestic_scaled_by_jpn_imports"
    assert wiod.kind_of("VNM", "KOR", []) == "row_split_us_jpn_imports"
    assert wiod.kind_of("KOR", "PER", ["PER"]) == "row_split_export_size"
    assert wiod.kind_of("KOR", "VNM", ["PER"]) == "row_split_jpn_exports"


def test_exporter_and_importer_shares() -> None:
    us = pd.DataFrame({"iso3": ["VNM", "THA", "BRN", "DEU"], "hs6": ["870323"] * 4,
                       "imports_usd": [3000.0, 1000.0, 1000.0, 9000.0]})
    jp = pd.DataFrame({"exporter": ["VNM", "ROW"], "hs": ["870323", "870323"],
                       "value": [1.0, 10.0]})
    a, overall, _ = wiod.exporter_shares(us, jp, 0.5)
    # C20: VNM 3 + 1, THA 1, ROW (BRN 1 + Japan's ROW 10 x 0.5); DEU is a WIOD economy
    assert a.loc["C20", "VNM"] == pytest.approx(4 / 11) and a.loc["C20", "ROW"] == pytest.approx(
        6 / 11)
    assert a.loc["C01", "ROW"] == 1.0  # no evidence: all to ROW
    jx = pd.DataFrame({"importer": ["VNM", "ROW"], "hs": ["870323", "870323"], "value": [2.0, 8.0]})
    b, proxied, _ = wiod.importer_shares(jx, 0.5, overall)
    assert set(proxied) == set(SPLIT) - {"VNM"}  # no Japanese export data in this slice
    assert np.allclose(b[COLS].sum(axis=1), 1.0)
    assert b.loc["C20", "THA"] == pytest.approx(overall["THA"])


@pytest.mark.shared
def test_pe_flows_conserve_world_trade_and_scale() -> None:
    if not SHARED.is_dir():
        pytest.skip(f"../shared/data is absent ({SHARED})")
    cp = wiod_cp.load(SHARED)
    a = pd.DataFrame(0.0, index=wiod.GOODS_SECTORS, columns=COLS)
    b = a.copy()
    a["VNM"], a["ROW"] = 0.25, 0.75
    b["ROW"] = 1.0
    F = wiod.pe_flows(cp, a, b)
    g = [cp.sectors.index(s) for s in wiod.GOODS_SECTORS]
    M = wiod_cp.flows(cp)[g]
    assert F.sum() == pytest.approx(M.sum(), rel=1e-12)
    E, U = list(cp.economies), UNIVERSE
    r = E.index("ROW")
    kor = U.index("KOR")
    assert F[:, U.index("VNM"), kor].sum() == pytest.approx(0.25 * M[:, r, E.index("KOR")].sum())
    eu = [E.index(e) for e in E if wiod.wiod_code(e) == "EUN"]
    assert F[:, U.index("EUN"), U.index("EUN")].sum() == pytest.approx(M[:, eu][:, :, eu].sum())
    assert F[:, U.index("VNM"), U.index("VNM")].sum() == 0.0  # no domestic cell for VNM
    S, info = wiod.scale(F, 2.0 * F[:, [U.index(c) for c in ("KOR", "CHN", "JPN", "EUN", "GBR",
                                                            "AUS", "CAN", "MEX", "TWN", "IND",
                                                            "IDN")], U.index("USA")].sum() * 1e3,
                         F[:, :, U.index("JPN")].sum() * 1e3)  # Japan: factor 1 on the total
    assert info["wiod_factor"] == pytest.approx(2.0)
    assert S[:, kor, kor].sum() == pytest.approx(2000.0 * F[:, kor, kor].sum())


def test_split_to_hs6() -> None:
    U = UNIVERSE
    F = np.zeros((len(wiod.GOODS_SECTORS), len(U), len(U)))
    c20 = wiod.GOODS_SECTORS.index("C20")
    F[c20, U.index("JPN"), U.index("KOR")] = 100.0
    F[c20, U.index("USA"), U.index("KOR")] = 40.0
    keep = np.ones((len(U), len(U)), dtype=bool)
    world = pd.DataFrame({"sector": "C20", "hs": ["870323", "870324"], "value": [3.0, 1.0],
                          "share": [0.75, 0.25]})
    own = pd.DataFrame({"exporter": "JPN", "sector": "C20", "hs": ["870323"], "value": [5.0],
                        "share": [1.0]})
    imp = wiod.split_to_hs6(F, keep, world, own, []).set_index(["exporter", "hs"])
    assert imp.loc[("JPN", "870323"), "value"] == 100.0
    assert imp.loc[("JPN", "870323"), "quality"] == "imputed:wiod2014_sector_x_exporter_us_mix"
    assert imp.loc[("USA", "870324"), "value"] == pytest.approx(10.0)
    assert imp.loc[("USA", "870324"), "quality"] == "imputed:wiod2014_sector_x_world_us_mix"
