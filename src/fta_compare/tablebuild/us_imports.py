"""US imports 2024 by HS6 and partner (US Census): the observed part of the ``trade`` sheet.

Source: US Census Bureau 2024 imports for consumption by HTS10 x country, aggregated to HS6 in
the shared file ``trade_flows/us_imports_2024_hs6_by_country.csv`` (columns ``hs6, cty_code,
iso3, country_name, imports_usd``; US$).

Transformation (:func:`observed_trade`): codes that are not HS 2022 subheadings are dropped (and
reported); partners outside the named economies (incl. rows without ISO3) are summed into
``ROW`` and EU members into ``EUN`` (``universe.pe_code``); rows with partner USA are dropped;
value = US$ / 1000 (US$ thousand). Quality label:
``observed``. :func:`sector_mix` derives the product mix within each WIOD sector (value shares,
fractions) that ``wiod.py`` uses to split imputed sector flows across HS6.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from .concordance import hs_to_wiod
from .helpers import Info, read_csv
from .universe import pe_code

FILE = "trade_flows/us_imports_2024_hs6_by_country.csv"
TRADE_COLUMNS = ["exporter", "importer", "hs", "value", "quality"]


def load(shared: Path) -> pd.DataFrame:
    """Read the US imports file with HS6, Census code and ISO3 as text."""
    return read_csv(shared, FILE, dtype={"hs6": str, "cty_code": str, "iso3": str})


def observed_trade(
    us_imports: pd.DataFrame, universe: list[str]
) -> tuple[pd.DataFrame, pd.Series, Info]:
    """Observed ``trade`` rows into USA, the US-import weights of ROW partners, and notes.

    Returns (rows ``exporter, importer, hs, value`` [US$ thousand] ``, quality``, sorted by
    exporter and hs; 2024 US imports in US$ by ROW partner ISO3; ``us_imports_dropped_codes``).
    """
    info: Info = {}
    U = set(universe)
    us = us_imports.copy()
    bad = us[~us["hs6"].isin(U)]
    info["us_imports_dropped_codes"] = (
        f"{sorted(bad['hs6'].unique())} not HS 2022 subheadings (US$ "
        f"{bad['imports_usd'].sum() / 1e6:.1f} million dropped)"
    )
    us = us[us["hs6"].isin(U)]
    codes = {c: pe_code(c) for c in us["iso3"].dropna().unique()}
    us["exporter"] = us["iso3"].map(codes).fillna("ROW")
    us = us[us["iso3"] != "USA"]
    partner_w = us[us["exporter"] == "ROW"].groupby("iso3")["imports_usd"].sum()
    obs = us.groupby(["exporter", "hs6"], sort=True)["imports_usd"].sum().reset_index()
    obs["value"] = obs["imports_usd"] / 1000.0
    obs["importer"] = "USA"
    obs["quality"] = "observed"
    obs = obs.rename(columns={"hs6": "hs"})[TRADE_COLUMNS]
    return obs, partner_w, info


def sector_mix(obs: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """Product mix within each WIOD sector from the observed US imports.

    Returns (``world``: ``sector, hs, value, share`` over all partners; ``own``: ``exporter,
    sector, hs, value, share`` per exporter; the observed rows that have a WIOD goods sector).
    Shares are fractions summing to 1 within a sector (and exporter).
    """
    obs = obs.assign(sector=obs["hs"].map(hs_to_wiod))
    mix_src = obs[obs["sector"].notna()]
    world = mix_src.groupby(["sector", "hs"], sort=True)["value"].sum().reset_index()
    world["share"] = world["value"] / world.groupby("sector")["value"].transform("sum")
    own = mix_src[["exporter", "sector", "hs", "value"]].copy()
    own["share"] = own["value"] / own.groupby(["exporter", "sector"])["value"].transform("sum")
    return world, own, mix_src
