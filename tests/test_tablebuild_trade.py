"""tablebuild.trade on two HS6 (cars 870323, 870324): observed US and Japanese flows, imputed
WIOD flows for the rest, thresholds and quality labels."""

from __future__ import annotations

from pathlib import Path

import pytest

from fta_compare.tablebuild import jp_customs, trade, us_imports, wiod_cp

pytestmark = pytest.mark.shared
SHARED = Path(__file__).resolve().parents[1].parent / "shared" / "data"


def test_trade_sheet_combines_observed_and_imputed() -> None:
    if not SHARED.is_dir():
        pytest.skip(f"../shared/data is absent ({SHARED})")
    us = us_imports.load(SHARED)
    codes = ["870323", "870324"]
    t, info, _ = trade.build_trade(us[us["hs6"].isin(codes) | (us["iso3"] == "JPN")],
                                   wiod_cp.load(SHARED), jp_customs.load(SHARED), codes)
    obs = t[t["quality"] == "observed"]
    raw = us[us["hs6"].isin(codes) & (us["iso3"] == "JPN")].set_index("hs6")["imports_usd"]
    got = obs[obs["exporter"] == "JPN"].set_index("hs")["value"]
    assert got.to_dict() == (raw / 1000).round(3).to_dict()
    assert set(obs["importer"]) == {"USA"}
    q = t.set_index(["exporter", "importer"])["quality"].str.split(":").str[0]
    assert set(q.loc[("JPN", "KOR")]) == {"sector_observed"}  # Japan's exports (mirror)
    assert set(q.loc[("KOR", "JPN")]) == {"sector_observed"}  # Japan's imports
    assert set(q.loc[("KOR", "CHN")]) == {"imputed"}
    assert set(t["importer"]) >= {"VNM", "EUN", "ROW"} and "DEU" not in set(t["exporter"])
    imputed = t["quality"].str.startswith("imputed")
    assert (t.loc[imputed, "value"] >= 10.0).all() and (t["value"] >= 1.0).all()
    assert t.equals(t.sort_values(["exporter", "importer", "hs"]).reset_index(drop=True))
    assert not t.duplicated(["exporter", "importer", "hs"]).any()
    assert set(info["value_shares"].split("; ")[0].split()[:1]) <= {"imputed", "observed",
                                                                     "sector_observed"}
    assert 140 < info["jpn_yen_per_usd"] < 160
