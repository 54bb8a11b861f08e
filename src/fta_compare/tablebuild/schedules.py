"""The ``mfn`` and ``preferences`` sheets: observed JPN/USA schedules plus imputed ones.

Combines ``japan_tariff.py`` (JPN, observed, with out-of-quota AVEs), ``us_hts.py`` (USA,
observed), ``mfn_impute.py`` (every other importer: WIOD 2014 sector MFN x the line structure of
the observed schedules; WDI levels for the economies split out of WIOD's RoW), ``prefs.py``
(agreements in force: observed and imputed sides) and ``prefs_hypo.py`` (hypothetical
agreements). Rates are fractions. :func:`mfn_checks` compares the resulting averages with the
WDI aggregates (``meta``, README check table).

Line-level schedules for Korea or China (e.g. WITS/TRAINS) plug in here: give them a source
module like ``japan_tariff.py`` and use its HS6 table instead of the imputed rows for that
importer (``fta-compare import wits-tariffs`` does the same on a built workbook).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from . import mfn_impute, wdi, wiod_cp
from .helpers import Info
from .japan_tariff import japan_schedule
from .prefs import PREF_COLUMNS, inforce_rows, observed_rows, sensitive_lists
from .prefs_hypo import hypo_rows
from .universe import IMPUTED_MFN_IMPORTERS, UNIVERSE
from .us_hts import us_schedule


def build_schedules(
    universe: list[str],
    jp_lines: pd.DataFrame,
    us_hts8: pd.DataFrame,
    wdi_table: pd.DataFrame,
    cp: wiod_cp.CPData,
    pairs: set[frozenset[str]],
) -> tuple[dict[str, pd.DataFrame], Info]:
    """(``{"mfn": ..., "preferences": ...}``, notes for ``sources``/``meta``).

    ``jp_lines``, ``us_hts8``, ``wdi_table``: raw source tables; ``cp``: the WIOD CP arrays;
    ``pairs``: DESTA agreement pairs in force before 2014 (``desta.agreement_pairs``).
    """
    U = universe
    jp_mfn, jp6, jp_excl = japan_schedule(jp_lines)
    us_mfn, us6, us_excl = us_schedule(us_hts8)

    # ---- MFN of the importers without a line schedule
    smfn = mfn_impute.sector_mfn(cp, pairs)
    overall = mfn_impute.overall_mfn(cp, smfn)
    latest = wdi.latest(wdi_table, wdi.MFN, UNIVERSE)
    # structure: Japan's line means before the out-of-quota AVEs; its state-trading cereals at
    # their in-quota rate (free): their protection is Japan-specific (mfn_impute docstring)
    jp_struct = jp6["mfn_lines"].copy()
    jp_struct[jp_struct.index.str[:4].isin(mfn_impute.STATE_TRADING_CEREALS)] = 0.0
    structure = mfn_impute.line_structure(U, jp_struct, us6["mfn"])
    imp_mfn, minfo = mfn_impute.impute(U, smfn, overall, structure, latest["rate"].to_dict(),
                                       IMPUTED_MFN_IMPORTERS)
    mfn = pd.concat([jp_mfn, us_mfn, imp_mfn], ignore_index=True)
    mfn = mfn.sort_values(["importer", "hs"], kind="mergesort").reset_index(drop=True)
    vec = {c: g.set_index("hs")["rate"].reindex(U).fillna(0.0).to_numpy()
           for c, g in imp_mfn.groupby("importer")}

    # ---- preferences
    s_rcep, s_cptpp = sensitive_lists(jp6, jp_excl)
    sens = {"rcep": np.isin(U, sorted(s_rcep)), "cptpp": np.isin(U, sorted(s_cptpp))}
    obs = observed_rows(jp6, us6)
    inf, skipped = inforce_rows(vec, U, sens)
    hyp = hypo_rows(vec, U, jp6, sens)
    prefs = pd.concat([obs, inf, hyp], ignore_index=True)
    prefs = prefs.sort_values(
        ["agreement", "importer", "exporter", "hs", "year"], kind="mergesort"
    ).reset_index(drop=True)[PREF_COLUMNS]

    info: Info = {
        "jp_excluded": jp_excl,
        "us_excluded": us_excl,
        "sector_mfn": minfo["sector_mfn"],
        "wiod_overall_mfn": overall,
        "split_notes": minfo["split_notes"],
        "wdi_latest": latest,
        "s_rcep": sorted(s_rcep),
        "s_cptpp": sorted(s_cptpp),
        "jp_lb": int(jp6["lb"].sum()),
        "us_lb": int(us6["lb"].sum()),
        "us_mfn": us6["mfn"],
        "jp6": jp6,
        "skipped_sides": skipped,
        "pref_rows_by_kind": prefs.groupby(prefs["quality"].str.split(":").str[0]).size(
        ).to_dict(),
    }
    return {"mfn": mfn, "preferences": prefs}, info


def mfn_checks(trade: pd.DataFrame, mfn: pd.DataFrame, wdi_table: pd.DataFrame,
               overall: pd.Series) -> pd.DataFrame:
    """Per importer: simple means (all HS6, chapters 01-24, 25-97), the import-weighted mean
    over the trade sheet's international cells, the WIOD 2014 MFN level and WDI MFN weighted
    means (2014 and latest). Fractions."""
    intl = trade[trade["exporter"] != trade["importer"]]
    w = intl.groupby(["importer", "hs"])["value"].sum()
    m = mfn.set_index(["importer", "hs"])["rate"]
    w14 = wdi.near(wdi_table, wdi.MFN, UNIVERSE, 2014)
    lat = wdi.latest(wdi_table, wdi.MFN, UNIVERSE)
    rows = []
    for c in [x for x in UNIVERSE if x in m.index.get_level_values(0)]:
        r = m.loc[c]
        ag = r[r.index.str[:2] <= "24"]
        wc = w.loc[c].reindex(r.index).fillna(0.0) if c in w.index.get_level_values(0) else None
        wm = float((r * wc).sum() / wc.sum()) if wc is not None and wc.sum() > 0 else np.nan
        rows.append((c, float(r.mean()), float(ag.mean()), float(r[r.index.str[:2] > "24"].mean()),
                     wm, overall.get(c, np.nan), w14["rate"].get(c, np.nan),
                     int(w14["year"].get(c, 0)) or np.nan, lat["rate"].get(c, np.nan),
                     int(lat["year"].get(c, 0)) or np.nan))
    return pd.DataFrame(rows, columns=["importer", "simple", "simple_ag", "simple_nonag",
                                       "weighted", "wiod_2014", "wdi_2014", "wdi_2014_year",
                                       "wdi_latest", "wdi_latest_year"]).set_index("importer")
