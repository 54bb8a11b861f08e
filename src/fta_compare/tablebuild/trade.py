"""The ``trade`` sheet: observed US and Japanese flows + imputed WIOD flows for the rest.

Columns ``exporter, importer, hs, value`` (US$ thousand, 2024 terms, rounded to 3 decimals)
``, quality``. Sources, in order of precedence for a cell:

1. every flow into USA: US Census 2024 by HS6 (``us_imports.py``, ``observed``);
2. every flow into JPN and Japan's exports to the other economies: Japan Customs 2024 by partner
   and commodity group, split to HS6 (``jp_customs.py``, ``sector_observed:...``);
3. everything else (and all domestic sales): WIOD 2014 sector flows mapped to this build's
   economies, WIOD's RoW region split with the observed partner shares, scaled to 2024 and split
   to HS6 (``wiod.py``, ``imputed:wiod2014_...``).

Observed cells below ``TRADE_THRESHOLD`` (US$ 1,000) and imputed cells below ``IMPUTED_THRESHOLD``
(US$ 10,000: a sector flow spread over HS6 by a proxy mix carries no information in such tails,
which would cost 150,000 rows) are dropped; rows sorted by exporter, importer, hs.
The notes returned go to the ``sources`` and ``meta`` sheets.

Product-level flows into other importers (e.g. BACI for KOR/CHN) plug in here: build their rows
in a new source module and let them replace the imputed rows of the pairs they cover.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from . import jp_customs, us_imports, wiod, wiod_cp
from .helpers import Info
from .universe import IMPUTED_THRESHOLD, TRADE_THRESHOLD, UNIVERSE, WIOD_NAMED_EXPORTERS_TO_US


def quality_level(q: pd.Series) -> pd.Series:
    """``observed`` / ``sector_observed`` / ``imputed`` (the part of the label before ':')."""
    return q.str.split(":").str[0]


def value_shares(trade: pd.DataFrame) -> dict[str, pd.Series]:
    """Value shares by quality level: all cells, international, and into KOR, JPN, CHN."""
    intl = trade[trade["exporter"] != trade["importer"]]
    out = {"all": trade, "international": intl}
    for c in ("KOR", "JPN", "CHN"):
        out[f"into_{c}"] = intl[intl["importer"] == c]
    res = {}
    for k, d in out.items():
        s = d.groupby(quality_level(d["quality"]))["value"].sum()
        res[k] = s / s.sum()
    return res


def build_trade(
    us: pd.DataFrame, cp: wiod_cp.CPData, jc: pd.DataFrame, universe: list[str]
) -> tuple[pd.DataFrame, Info, pd.Series]:
    """(``trade`` sheet, notes, 2024 US imports in US$ by ROW partner ISO3)."""
    obs, partner_w, info = us_imports.observed_trade(us, universe)
    world, own, mix_src = us_imports.sector_mix(obs)
    rate = jp_customs.mirror_rate(jc, us)
    groups = jp_customs.observed_groups(jc, rate)
    jrows, jinfo = jp_customs.split_hs6(
        groups, universe, obs[["exporter", "hs", "value"]], obs.groupby("hs")["value"].sum()
    )
    jrows = jrows[jrows["importer"] != "USA"]  # US imports from Japan: US Census (observed)
    info.update(jinfo)
    info["jpn_yen_per_usd"] = rate
    jp_imp = jrows[jrows["importer"] == "JPN"]
    jp_exp = jrows[jrows["exporter"] == "JPN"]
    a, size, ainfo = wiod.exporter_shares(us, jp_imp, jp_customs.roww_factor(jc, "import"))
    b, proxied, binfo = wiod.importer_shares(jp_exp, jp_customs.roww_factor(jc, "export"), size)
    info.update(ainfo | binfo)
    F = wiod.pe_flows(cp, a, b)
    named = mix_src[mix_src["exporter"].isin(WIOD_NAMED_EXPORTERS_TO_US)]["value"].sum()
    F, sinfo = wiod.scale(F, named, jp_imp["value"].sum())
    info.update(sinfo)
    U = UNIVERSE
    keep = np.ones((len(U), len(U)), dtype=bool)
    usa, jpn = U.index("USA"), U.index("JPN")
    keep[:, usa] = False
    keep[:, jpn] = False
    keep[usa, usa] = keep[jpn, jpn] = True
    for c in set(jp_exp["importer"]):
        keep[jpn, U.index(c)] = False
    imp = wiod.split_to_hs6(F, keep, world, own, proxied)
    trade = pd.concat([obs, jrows, imp[us_imports.TRADE_COLUMNS]], ignore_index=True)
    total = trade["value"].sum()
    imputed = trade["quality"].str.startswith("imputed")
    small = np.where(imputed, trade["value"] < IMPUTED_THRESHOLD, trade["value"] < TRADE_THRESHOLD)
    intl = (trade["exporter"] != trade["importer"]).to_numpy()
    info["trade_threshold"] = (
        f"observed and sector-observed cells below US$ {TRADE_THRESHOLD * 1000:,.0f} and imputed "
        f"(sector-split) cells below US$ {IMPUTED_THRESHOLD * 1000:,.0f} dropped: "
        f"{int(small.sum()):,} cells, US$ {trade.loc[small, 'value'].sum() / 1e3:,.2f} million = "
        f"{trade.loc[small, 'value'].sum() / total:.6%} of the total value, "
        f"{trade.loc[small & intl, 'value'].sum() / trade.loc[intl, 'value'].sum():.4%} of "
        "international value"
    )
    trade = trade[~small].copy()
    trade["value"] = trade["value"].round(3)
    trade = trade.sort_values(["exporter", "importer", "hs"], kind="mergesort").reset_index(
        drop=True
    )
    shares = value_shares(trade)
    info["value_shares"] = "; ".join(f"{k} {v:.4f}" for k, v in shares["all"].items())
    for k in ("international", "into_KOR", "into_JPN", "into_CHN"):
        info[f"value_shares_{k}"] = "; ".join(f"{q} {v:.4f}" for q, v in shares[k].items())
    return trade, info, partner_w
