"""The ``elasticities`` sheet: import demand and substitution elasticities by HS6.

Sources:

* Hauk (2012), shared ``elasticities/us_import_demand_elasticities_hs6_1978_2001.csv`` (``hs6``
  [HS 1992/96], ``positive``, ``impliedelasticity``) and
  ``us_import_substitution_elasticities_hs6_1989_2001.csv`` (``hs6``, ``impliedsigma``);
* CEPII ProTEE 0.1 (Fontagné, Guimbard & Orefice 2022), shared
  ``trade_elasticities_fgo/protee_0_1_hs6_trade_elasticities.csv`` (``HS6`` [HS 2007/2012],
  ``sigma, zero, positive``);
* Broda, Greenfield & Weinstein (2006), shared
  ``elasticities/broda_greenfield_weinstein_sigma_hs3_73countries_1994_2003.csv`` (``iso3,
  hs0_3digit, sigma``).

Transformation: HS 2022 codes reach the source revisions through ``concordance.py``. Import
demand = -impliedelasticity where ``positive`` = 1; substitution by hierarchy (1) ProTEE own
estimate |sigma|, (2) Hauk impliedsigma > 0, (3) ProTEE flagged value, (4) BGW HS3 median over
the named importers; clipped to ``IMPORT_DEMAND_BOUNDS`` / ``SUBSTITUTION_BOUNDS``; HS6 without
an estimate and HS2 chapter rows take the HS-section median; ``*`` = WITS-SMART defaults; export
supply = ``EXPORT_SUPPLY_DEFAULT`` (assumption). The ``source`` column names the origin of each
value (no quality column in this sheet).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from .concordance import Concordance
from .helpers import Info, read_csv
from .sectors import section_of
from .universe import (
    EXPORT_SUPPLY_DEFAULT,
    IMPORT_DEMAND_BOUNDS,
    NAMED,
    SMART_IMPORT_DEMAND,
    SMART_SUBSTITUTION,
    SUBSTITUTION_BOUNDS,
)


@dataclass(frozen=True)
class ElasticityData:
    """Hauk import demand (``hauk_d``) and substitution (``hauk_s``), BGW and ProTEE tables."""

    hauk_d: pd.DataFrame
    hauk_s: pd.DataFrame
    bgw: pd.DataFrame
    fgo: pd.DataFrame


def load(shared: Path) -> ElasticityData:
    """Read the four elasticity tables (HS codes as text)."""
    e = "elasticities/"
    return ElasticityData(
        hauk_d=read_csv(
            shared, e + "us_import_demand_elasticities_hs6_1978_2001.csv", dtype={"hs6": str}
        ),
        hauk_s=read_csv(
            shared, e + "us_import_substitution_elasticities_hs6_1989_2001.csv", dtype={"hs6": str}
        ),
        bgw=read_csv(
            shared,
            e + "broda_greenfield_weinstein_sigma_hs3_73countries_1994_2003.csv",
            dtype={"hs0_3digit": str},
        ),
        fgo=read_csv(
            shared,
            "trade_elasticities_fgo/protee_0_1_hs6_trade_elasticities.csv",
            dtype={"HS6": str},
        ),
    )


def build_elasticities(conc: Concordance, d: ElasticityData) -> tuple[pd.DataFrame, Info]:
    """(``elasticities`` rows ``hs, country, import_demand, substitution, export_supply, source``,
    notes); HS6 rows for the HS6 of ``conc.universe`` with an estimate, chapter rows, ``*``."""
    U = conc.universe
    hd = d.hauk_d[d.hauk_d["positive"] == 1].groupby("hs6")["impliedelasticity"].mean()
    hs_ = d.hauk_s[d.hauk_s["impliedsigma"] > 0].groupby("hs6")["impliedsigma"].mean()
    f = d.fgo.dropna(subset=["sigma"])
    f_own = f[(f["zero"] == 0) & (f["positive"] == 0)].set_index("HS6")["sigma"].abs()
    f_fill = f[~((f["zero"] == 0) & (f["positive"] == 0))].set_index("HS6")["sigma"].abs()
    bgw = d.bgw[d.bgw["iso3"].isin(NAMED)].groupby("hs0_3digit")["sigma"].median()

    def lookup(s: pd.Series, h: str, chain: list[str]) -> float:
        """First value of ``s`` found along the code chain (NaN if none)."""
        for c in chain:
            if c in s.index:
                return float(s.loc[c])
        return np.nan

    recs = []
    for h in U:
        h0 = conc.hs0.get(h, h)
        h12 = conc.hs4.get(conc.hs5.get(h, h), h)
        em = lookup(hd, h, [h0, h])
        em_src = "Hauk (2012) US HS6 impliedelasticity" if pd.notna(em) else ""
        es, es_src = lookup(f_own, h, [h12, h0, h]), "FGO (2022) CEPII ProTEE HS6 own estimate"
        if pd.isna(es):
            es, es_src = lookup(hs_, h, [h0, h]), "Hauk (2012) US HS6 impliedsigma"
        if pd.isna(es):
            es, es_src = lookup(f_fill, h, [h12, h0, h]), "FGO (2022) ProTEE HS6 (flagged line)"
        if pd.isna(es):
            es, es_src = lookup(bgw, h, [h0[:3]]), "BGW (2006) HS3 sigma, median over 8 importers"
        recs.append(
            (
                h,
                -em if pd.notna(em) else np.nan,
                em_src,
                es if pd.notna(es) else np.nan,
                es_src if pd.notna(es) else "",
            )
        )
    e = pd.DataFrame(recs, columns=["hs", "em", "em_src", "es", "es_src"])
    e["em"] = e["em"].clip(*IMPORT_DEMAND_BOUNDS)
    e["es"] = e["es"].clip(*SUBSTITUTION_BOUNDS)
    e["section"] = e["hs"].map(section_of)
    sec_em = e.groupby("section")["em"].median()
    sec_es = e.groupby("section")["es"].median()
    rows = [
        (
            "*",
            "*",
            SMART_IMPORT_DEMAND,
            SMART_SUBSTITUTION,
            EXPORT_SUPPLY_DEFAULT,
            "WITS-SMART defaults (import demand -1.25, substitution 1.5); export supply: "
            "assumption of this build (5)",
        )
    ]
    for ch in sorted({h[:2] for h in U}):
        sec = section_of(ch + "0000")
        rows.append(
            (
                ch,
                "*",
                round(float(sec_em.get(sec, SMART_IMPORT_DEMAND)), 4),
                round(float(sec_es.get(sec, SMART_SUBSTITUTION)), 4),
                EXPORT_SUPPLY_DEFAULT,
                f"fallback: median of the HS6 values of {sec}",
            )
        )
    for r in e.itertuples(index=False):
        if pd.isna(r.em) and pd.isna(r.es):
            continue
        em = r.em if pd.notna(r.em) else float(sec_em.get(r.section, SMART_IMPORT_DEMAND))
        es = r.es if pd.notna(r.es) else float(sec_es.get(r.section, SMART_SUBSTITUTION))
        src = (
            f"import_demand: {r.em_src or 'section median'}; substitution: "
            f"{r.es_src or 'section median'}; clipped to bounds"
        )
        rows.append(
            (r.hs, "*", round(float(em), 4), round(float(es), 4), EXPORT_SUPPLY_DEFAULT, src)
        )
    el = pd.DataFrame(
        rows, columns=["hs", "country", "import_demand", "substitution", "export_supply", "source"]
    )
    info = {
        "n_hs6_em_own": int(e["em"].notna().sum()),
        "n_hs6_es": int(e["es"].notna().sum()),
        "es_sources": e.loc[e["es"].notna(), "es_src"].value_counts().to_dict(),
        "median_em": float(e["em"].median()),
        "median_es": float(e["es"].median()),
    }
    return el, info
