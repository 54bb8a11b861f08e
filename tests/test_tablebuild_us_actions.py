"""tablebuild.us_actions on slices of us_tariff_actions_2025/, the HTS and US imports.

Universe of five HS6; expected rates from the Annex I table (EO 14326 column), the legal dates
in SRC, and the US Census rows of the ROW partners (hand-computed import-weighted means).
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pandas as pd
import pytest

from fta_compare.tablebuild import us_actions, us_hts, us_imports

pytestmark = pytest.mark.shared
SHARED = Path(__file__).resolve().parents[1].parent / "shared" / "data"
U = ["020422", "030324", "720851", "847130", "870323"]


@pytest.fixture(scope="module")
def built() -> tuple[us_actions.Scopes, pd.DataFrame]:
    if not SHARED.is_dir():
        pytest.skip(f"../shared/data is absent ({SHARED})")
    acts = us_actions.load(SHARED)
    hts8 = us_hts.load_hts8(SHARED)
    basic = us_hts.load_basic(SHARED)
    basic = basic[basic["HTS Number"].str.replace(".", "", regex=False).str[:6].isin(U)]
    sc = us_actions.Scopes(U, basic, hts8[hts8["hs6"].isin(U)], acts.exempt, acts.s232d)
    us = us_imports.load(SHARED)
    mfn = pd.Series({"020422": 0.0, "030324": 0.0, "720851": 0.0, "847130": 0.0, "870323": 0.025})
    duties, _ = us_actions.build_duties(sc, acts, us[us["hs6"].isin(U)], mfn)
    return sc, duties


def _rate(duties: pd.DataFrame, measure: str, exporter: str, hs: str, start: dt.date) -> float:
    d = duties[
        (duties["measure"] == measure)
        & (duties["exporter"] == exporter)
        & (duties["start"] == start)
        & duties["hs"].map(lambda p: p == "*" or hs.startswith(p))
    ]
    assert len(d) == 1, d
    return float(d["rate"].iloc[0])


def test_scopes(built) -> None:
    sc, _ = built
    # 8471.30.01.00 is in the IEEPA Annex II list -> laptops outside the reciprocal scope
    assert sc.annex2_share["847130"] == 1.0 and "847130" not in sc.recip
    assert sc.autos == {"870323": 1.0} and sc.steel == {"720851": 1.0}
    assert "720851" not in sc.recip and "870323" not in sc.recip  # Section 232 goods
    assert sc.recip == {"020422": 1.0, "030324": 1.0}


def test_reciprocal_rates_from_the_annex_table(built) -> None:
    _, duties = built
    aug7 = dt.date(2025, 8, 7)
    # GBR: Annex I of EO 14326 lists 10; AUS is not listed -> 10% baseline
    assert _rate(duties, "ieepa_recip_GBR", "GBR", "030324", aug7) == 0.10
    assert _rate(duties, "ieepa_recip_AUS", "AUS", "030324", aug7) == 0.10
    # named economies take their own Annex I rate: VNM 20, THA 19, NZL 15; CHL unlisted -> 10
    assert _rate(duties, "ieepa_recip_VNM", "VNM", "030324", aug7) == 0.20
    assert _rate(duties, "ieepa_recip_THA", "THA", "030324", aug7) == 0.19
    assert _rate(duties, "ieepa_recip_NZL", "NZL", "020422", aug7) == 0.15
    assert _rate(duties, "ieepa_recip_CHL", "CHL", "020422", aug7) == 0.10
    # the EU: all-in 15% floor from 2025-08-07 (EO 14326 note), 10% add-on before
    eu = duties[(duties["measure"] == "ieepa_recip_EUN") & (duties["start"] == aug7)]
    assert set(eu["mode"]) == {"floor"} and set(eu["rate"]) == {0.15}
    # ROW: no ROW partner ships 020422 or 030324 -> partner-weighted fallback, same for both
    r1 = _rate(duties, "ieepa_recip_ROW", "ROW", "030324", aug7)
    assert r1 == _rate(duties, "ieepa_recip_ROW", "ROW", "020422", aug7) and 0.10 <= r1 < 0.41
    assert _rate(duties, "ieepa_recip_CHN", "CHN", "020422", dt.date(2025, 4, 10)) == 1.25
    assert _rate(duties, "nodeal_recip_KOR", "KOR", "030324", aug7) == 0.25


def test_section_232_and_deal_dates(built) -> None:
    _, duties = built
    autos = duties[(duties["measure"] == "s232_autos") & duties["exporter"].isin(["JPN", "KOR"])]
    assert dict(zip(autos["exporter"], autos["end"], strict=True)) == {
        "JPN": dt.date(2025, 9, 11),
        "KOR": dt.date(2025, 11, 14),
    }
    assert _rate(duties, "s232_steel_alu", "GBR", "720851", dt.date(2025, 6, 4)) == 0.25
    assert _rate(duties, "s232_steel_alu", "KOR", "720851", dt.date(2025, 6, 4)) == 0.50
    floor = duties[duties["measure"] == "us_kor_deal_autos"]
    assert set(floor["mode"]) == {"floor"} and set(floor["rate"]) == {0.15}
    assert "CAN" not in set(duties.loc[duties["measure"] == "s232_autos", "exporter"])
    # 2018 regime: quota / TRQ / exempt partners pay nothing, the others 25% on steel
    s18 = set(duties.loc[duties["measure"] == "s232_steel_alu_2018", "exporter"])
    assert {"CHN", "TWN", "VNM", "ROW"} <= s18 and not s18 & set(us_actions.S232_2018_EXEMPT)
    assert (duties["importer"] == "USA").all()
    assert list(duties.columns) == us_actions.DUTY_COLUMNS
