"""MFN schedules of the importers without a line-level schedule: WIOD sector rates x line structure.

Sources: the WIOD 2014 bilateral sector tariffs (``wiod_cp.py``, tariff of importer n on
exporter i, goods sectors), the 2014 flows as weights, DESTA agreement pairs (``desta.py``), the
observed HS6 schedules of Japan (FY2026, with out-of-quota AVEs) and the USA (HTS 2025), and the
WDI MFN weighted means (``wdi.py``) for the economies WIOD does not separate.

Transformation:

1. :func:`sector_mfn`: for each economy of this build covered by WIOD (EUN = the EU27 pooled;
   ROW = WIOD's RoW region + BRA, CHE, NOR, RUS, TUR), the MFN rate of sector s is the
   2014-import-weighted mean of its tariffs on the WIOD partners it had no agreement with in
   2014 (DESTA, in force before 2014; WIOD's RoW region, a mix of agreement and non-agreement
   partners, is left out as a partner). Sectors without such imports use all partners.
2. Economies split out of WIOD's RoW (``universe.SPLIT``): the RoW region's sector rates rescaled
   to the economy's latest WDI MFN weighted mean (ratio of the WDI mean to the region's overall
   WIOD mean).
3. :func:`line_structure`: within each sector, the relative line structure of the observed
   schedules: r(h) = mean over JPN and USA of min(rate(h) / sector simple mean, ``CAP``); a
   schedule with no duty in the sector counts as uniform (1); HS6 missing from both = 1. Japan
   enters with its HS6 line means before the out-of-quota AVEs of its staples (``mfn_lines``),
   and its state-trading cereals (rice, wheat, barley, malt: :data:`STATE_TRADING_CEREALS`) at
   their in-quota rate, free: that protection (markups, rice 778%, wheat 252% out of quota) is
   Japan-specific and would put 300% on Korea's wheat (Korea: low single digits).
4. :func:`impute`: rate(h) = sector MFN x r(h) / simple mean of r over the sector, so the simple
   average of each sector equals the WIOD sector rate; capped at ``MAX_RATE``; HS6 outside the
   goods sectors (electricity) 0. Overrides with a cited real rate (:data:`OVERRIDES`, e.g.
   Korea's 513% out-of-quota rice tariff) replace the imputed value.

Quality labels: ``sector_observed:wiod2014_sector_line_structure`` (WIOD economies: the
importer's sector tariff is observed, in WIOD 2014, its HS6 distribution imputed; the same
meaning as ``sector_observed`` flows),
``imputed:wdi_level_wiod_row_sector_line_structure`` (split economies), ``observed:<name>``
for the overrides.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from . import wiod, wiod_cp
from .concordance import hs_to_wiod
from .helpers import Info
from .universe import SPLIT

CAP = 3.0  # largest line / sector-mean ratio taken from the observed schedules
MAX_RATE = 3.0  # no imputed line above 300% (peaks above cannot be placed reliably)
STATE_TRADING_CEREALS = ["1001", "1003", "1006", "1107"]  # wheat, barley, rice, malt (HS4)
Q_WIOD = "sector_observed:wiod2014_sector_line_structure"
Q_SPLIT = "imputed:wdi_level_wiod_row_sector_line_structure"
OVERRIDES: dict[tuple[str, str], tuple[float, str, str]] = {  # (importer, hs6) -> rate, q, source
    **{("KOR", h): (5.13, "observed:kor_rice_out_of_quota_513pct",
                    "Korea's out-of-quota rice tariff 513% (in force since 2015, WTO-certified "
                    "2020, gazetted 2021): Yonhap 2021-01-22 'S. Korea sets official tariff on "
                    "rice at 513 pct'; rice excluded from all of Korea's FTAs (MAFRA, apdnews "
                    "2014)") for h in ("100610", "100620", "100630", "100640")},
}


def sector_mfn(cp: wiod_cp.CPData, pairs: set[frozenset[str]]) -> pd.DataFrame:
    """Sector (index) x economy of this build: 2014 MFN rate (fraction), see the docstring."""
    E = list(cp.economies)
    g = [cp.sectors.index(s) for s in wiod_cp.GOODS]
    M = wiod_cp.flows(cp)[g]
    T = cp.tariff[g]
    groups: dict[str, list[str]] = {}
    for e in E:
        c = wiod.wiod_code(e)
        groups.setdefault("ROW" if c == wiod.ROWW else c, []).append(e)
    out = {}
    for code, mem in groups.items():
        num = np.zeros(len(g))
        den = np.zeros(len(g))
        num_all = np.zeros(len(g))
        den_all = np.zeros(len(g))
        for n in mem:
            k = E.index(n)
            for i, e in enumerate(E):
                if e in mem:
                    continue
                w, t = M[:, i, k], T[:, i, k]
                num_all += w * t
                den_all += w
                if n != wiod_cp.WIOD_ROW and (e == wiod_cp.WIOD_ROW or frozenset((n, e)) in pairs):
                    continue
                num += w * t
                den += w
        rate = np.where(den > 0, num / np.where(den > 0, den, 1.0),
                        num_all / np.where(den_all > 0, den_all, 1.0))
        out[code] = pd.Series(rate, index=wiod_cp.GOODS)
    return pd.DataFrame(out)


def overall_mfn(cp: wiod_cp.CPData, smfn: pd.DataFrame) -> pd.Series:
    """Import-weighted mean over sectors of each economy's sector MFN (2014 import weights)."""
    E = list(cp.economies)
    g = [cp.sectors.index(s) for s in wiod_cp.GOODS]
    M = wiod_cp.flows(cp)[g]
    imp = {}
    for k, e in enumerate(E):
        c = wiod.wiod_code(e)
        c = "ROW" if c == wiod.ROWW else c
        w = M[:, :, k].sum(axis=1) - M[:, k, k]
        imp[c] = imp.get(c, 0.0) + w
    return pd.Series({c: float((smfn[c] * imp[c]).sum() / imp[c].sum()) for c in smfn.columns})


def line_structure(universe: list[str], jp_mfn: pd.Series, us_mfn: pd.Series) -> pd.DataFrame:
    """``hs, sector, r`` for the HS6 of the goods sectors (see the module docstring)."""
    df = pd.DataFrame({"hs": universe})
    df["sector"] = df["hs"].map(hs_to_wiod)
    df = df[df["sector"].notna()].copy()
    total = np.zeros(len(df))
    count = np.zeros(len(df))
    for s in (jp_mfn, us_mfn):
        v = s.reindex(df["hs"]).to_numpy()
        mean = pd.Series(v).groupby(df["sector"].to_numpy()).transform("mean").to_numpy()
        r = np.where(mean > 0, np.minimum(v / np.where(mean > 0, mean, 1.0), CAP), 1.0)
        ok = ~np.isnan(v)
        total += np.where(ok, r, 0.0)
        count += ok
    df["r"] = np.where(count > 0, total / np.where(count > 0, count, 1.0), 1.0)
    return df.reset_index(drop=True)


def impute(universe: list[str], smfn: pd.DataFrame, overall: pd.Series, structure: pd.DataFrame,
           wdi: dict[str, float], importers: list[str]) -> tuple[pd.DataFrame, Info]:
    """``mfn`` rows (importer, hs, rate, quality) for ``importers``, and notes."""
    sect = smfn.copy()
    notes = {}
    for c in [x for x in SPLIT if x in importers]:
        k = wdi[c] / overall["ROW"]
        sect[c] = smfn["ROW"] * k
        notes[c] = (f"{c}: WIOD RoW sector rates x {k:.3f} (WDI latest {wdi[c]:.4f} / RoW region "
                    f"{overall['ROW']:.4f})")
    rbar = structure.groupby("sector")["r"].transform("mean")
    rows = []
    for imp in importers:
        rate = (sect[imp].reindex(structure["sector"]).to_numpy() * structure["r"].to_numpy()
                / rbar.to_numpy())
        vals = pd.Series(np.minimum(rate, MAX_RATE), index=structure["hs"].to_numpy())
        full = vals.reindex(universe).fillna(0.0)
        q = Q_SPLIT if imp in SPLIT else Q_WIOD
        for h, r in full.items():
            o = OVERRIDES.get((imp, h))
            if o is not None:
                rows.append((imp, h, o[0], o[1]))
            else:
                rows.append((imp, h, round(float(r), 6), q))
    mfn = pd.DataFrame(rows, columns=["importer", "hs", "rate", "quality"])
    info: Info = {"sector_mfn": sect, "split_notes": notes}
    return mfn, info
