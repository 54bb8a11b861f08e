"""The ``trade`` sheet: observed US imports (``us_imports.py``) + imputed WIOD flows (``wiod.py``).

Columns ``exporter, importer, hs, value`` (US$ thousand, 2024 terms, rounded to 3 decimals)
``, quality`` (``observed`` or ``imputed:wiod2014_...``). Cells below ``TRADE_THRESHOLD``
(US$ 1,000) are dropped; rows sorted by exporter, importer, hs. The notes returned go to the
``sources`` and ``meta`` sheets (dropped codes, ROW fill, scale factor, threshold, value shares).

Product-level flows into other importers (e.g. BACI for KOR/JPN/CHN) plug in here: build their
rows in a new source module and let them replace the imputed rows of the pairs they cover.
"""

from __future__ import annotations

import pandas as pd

from . import us_imports, wiod
from .helpers import Info
from .universe import TRADE_THRESHOLD, WIOD_NAMED_EXPORTERS_TO_US


def build_trade(
    us: pd.DataFrame, wiod_flows: pd.DataFrame, universe: list[str]
) -> tuple[pd.DataFrame, Info, pd.Series]:
    """(``trade`` sheet, notes, 2024 US imports in US$ by ROW partner ISO3)."""
    obs, partner_w, info = us_imports.observed_trade(us, universe)
    world, own, mix_src = us_imports.sector_mix(obs)
    named = mix_src[mix_src["exporter"].isin(WIOD_NAMED_EXPORTERS_TO_US)]["value"].sum()
    w, winfo = wiod.complete_and_scale(wiod_flows, named)
    info.update(winfo)
    imp = wiod.split_to_hs6(w, world, own)
    trade = pd.concat([obs, imp[us_imports.TRADE_COLUMNS]], ignore_index=True)
    total = trade["value"].sum()
    small = trade["value"] < TRADE_THRESHOLD
    info["trade_threshold"] = (
        f"cells below US$ {TRADE_THRESHOLD * 1000:,.0f} dropped: {int(small.sum()):,} cells, "
        f"US$ {trade.loc[small, 'value'].sum() / 1e3:,.2f} million = "
        f"{trade.loc[small, 'value'].sum() / total:.6%} of the total value"
    )
    trade = trade[~small].copy()
    trade["value"] = trade["value"].round(3)
    trade = trade.sort_values(["exporter", "importer", "hs"], kind="mergesort").reset_index(
        drop=True
    )
    q = trade.groupby(trade["quality"].str.split(":").str[0])["value"].sum()
    info["value_shares"] = "; ".join(f"{k} {v / q.sum():.4f}" for k, v in q.items())
    intl = trade[trade["exporter"] != trade["importer"]]
    qi = intl.groupby(intl["quality"].str.split(":").str[0])["value"].sum()
    info["value_shares_international"] = "; ".join(f"{k} {v / qi.sum():.4f}" for k, v in qi.items())
    return trade, info, partner_w
