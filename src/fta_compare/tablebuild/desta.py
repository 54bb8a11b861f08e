"""DESTA treaty list: which WIOD economies had a trade agreement in force with each other.

Source: DESTA (Dür, Baccini & Elsig 2014) via ``globalgov/manytrade`` (CC BY 4.0), shared
``agreement_depth/desta_list_of_treaties_with_members.csv``: columns ``number, name,
entry_type, entryforceyear, c1..c91`` (members as ISO 3166-1 numeric codes).

Transformation (:func:`agreement_pairs`): base treaties and accessions in force before a year
(``entryforceyear < year``); partial-scope, preference-exchange and most-favoured-nation treaties
that do not make a free-trade area are left out (:data:`NOT_FTA`: GSTP, PTN, the Bangkok
Agreement/APTA, LAFTA/ALADI, the D8 PTA, the 1954-1966 Canada and Australia trade agreements);
every pair of members of a retained treaty is an agreement pair; EU members are always paired.
Used by ``mfn_impute.py`` to take each importer's 2014 MFN tariff from the partners it had no
agreement with. No quality label (a classification).
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from .helpers import read_csv
from .universe import EU27

FILE = "agreement_depth/desta_list_of_treaties_with_members.csv"
NOT_FTA: set[str] = {"461", "647", "62", "62+1", "100", "100+1", "561", "562", "562+1", "562+2",
                     "291", "74", "783", "784", "170"}
ISO_NUMERIC: dict[int, str] = {  # ISO 3166-1 numeric -> alpha-3 (the WIOD countries)
    36: "AUS", 40: "AUT", 56: "BEL", 100: "BGR", 76: "BRA", 124: "CAN", 756: "CHE", 156: "CHN",
    196: "CYP", 203: "CZE", 276: "DEU", 208: "DNK", 724: "ESP", 233: "EST", 246: "FIN",
    250: "FRA", 826: "GBR", 300: "GRC", 191: "HRV", 348: "HUN", 360: "IDN", 356: "IND",
    372: "IRL", 380: "ITA", 392: "JPN", 410: "KOR", 440: "LTU", 442: "LUX", 428: "LVA",
    484: "MEX", 470: "MLT", 528: "NLD", 578: "NOR", 616: "POL", 620: "PRT", 642: "ROU",
    643: "RUS", 703: "SVK", 705: "SVN", 752: "SWE", 792: "TUR", 158: "TWN", 840: "USA",
}  # fmt: skip


def load(shared: Path) -> pd.DataFrame:
    """Read the DESTA treaty list (treaty numbers as text)."""
    return read_csv(shared, FILE, dtype={"number": str})


def agreement_pairs(desta: pd.DataFrame, before: int) -> set[frozenset[str]]:
    """Pairs of WIOD countries (ISO3) sharing an FTA/CU in force before ``before``."""
    d = desta[desta["entry_type"].isin(["base_treaty", "accession"])
              & desta["entryforceyear"].notna() & (desta["entryforceyear"] < before)
              & ~desta["number"].isin(NOT_FTA)]
    cols = [c for c in d.columns if c.startswith("c") and c[1:].isdigit()]
    pairs: set[frozenset[str]] = set()
    for row in d[cols].itertuples(index=False):
        mem = sorted({ISO_NUMERIC[int(x)] for x in row if pd.notna(x) and int(x) in ISO_NUMERIC})
        pairs |= {frozenset((a, b)) for i, a in enumerate(mem) for b in mem[i + 1:]}
    eu = sorted([*EU27, "GBR"])  # the EU of 2014 (GBR a member until 2020)
    pairs |= {frozenset((a, b)) for i, a in enumerate(eu) for b in eu[i + 1:]}
    return pairs
