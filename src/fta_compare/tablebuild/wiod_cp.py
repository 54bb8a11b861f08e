"""WIOD 2014 Caliendo-Parro inputs (KITE initial conditions): arrays with ONE tariff orientation.

Source: WIOD 2016 release, 2014 tables, as the Caliendo & Parro (2015) arrays prepared for the
KITE model (shared ``wiod2014_cp_inputs/*.csv``, converted 1:1 from
``powell001/Kiel_US_TradePolicy`` ``code/initial_conditions_WIOD_2014.rds`` @205614f): 44
economies (43 WIOD countries + ``ROW``) x 50 sectors (``C01``..``C22`` goods, the rest services),
money in US$ million. Files and columns used: ``trade_share`` (origin, destination, sector,
value), ``tariff`` (origin, destination, sector, value = 1 + rate), ``expenditure`` (country,
sector), ``value_added`` (country), ``trade_balance`` (country), ``trade_elasticity`` (sector,
value = 1/theta), ``consumption_share`` (sector, country), ``factor_share`` (sector, country),
``intermediate_share`` (input, output, country).

Tariff orientation (settled here, used by every table of this build)
--------------------------------------------------------------------
The value in row ``(origin=a, destination=b)`` of ``tariff.csv`` is **one plus the tariff that
economy a imposes on goods from economy b** (a = importer), i.e. the array is transposed against
the KITE code, which multiplies it with ``trade_share`` as if it were b's tariff on a. Evidence
(computed by :func:`orientation_table` and tested in ``tests/test_tablebuild_wiod_cp.py``):

* importer-side trade-weighted mean tariffs (goods sectors, international flows; the EU as one
  bloc on its extra-EU imports) against the WDI applied weighted means of the year nearest 2014,
  16 economies with a WDI figure: correlation 0.78 under this reading, 0.39 under KITE's; mean
  absolute gap 1.16 against 1.53 points; closer for 9 of 16 (the EU 2.24% vs 4.20% under KITE's
  reading, WDI 2.03%; USA 1.57% vs 3.46%, WDI 1.69%; India 6.57% vs 2.90%, WDI 6.34%; Japan
  1.47% vs 4.04%, WDI 2.29%; Korea 4.20% vs 2.75%, WDI 6.10%); the aggregate check alone is
  not decisive (MEX, IDN, TUR, CHN, CHE, NOR, RUS fit KITE's reading better), the product cases
  below are;
* known cases: motor vehicles C20, DEU on JPN 5.8% and JPN on DEU 0.01% (the EU charged 10% on
  Japanese cars, parts 3-4.5%, Japan 0%); KOR on JPN 7.4%, JPN on KOR 0.03% (Korea's 8% car
  tariff, Japan's 0%); CHN on USA 21.5% (China's 25% car tariff of 2014); agriculture C01, KOR on
  CHN 167% and on USA 76% (Korea's peaks on garlic, peppers, sesame, rice-related lines); food
  C05, NOR on DEU 26.6% (Norway's agricultural protection), KOR on AUS 43.9% (before KAFTA).

The other reading fails every one of these checks. Consequence for flows: imports at producer
prices are ``trade_share x expenditure / (1 + importer's tariff)`` with the tariff read as above
(:func:`flows`), so the GE tables rebuild the file's shares and expenditures exactly. The file's
``trade_balance.csv`` was computed with KITE's reading (it is reproduced to 1e-6 only that way);
the build therefore derives deficits from the flows (documented in the README).

Arrays are in sorted code order: ``[j, i, n]`` = sector, exporter/origin, importer/destination.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from .helpers import read_csv

DIR = "wiod2014_cp_inputs/"
SECTOR_LABELS = "bilateral_sector_flows/wiod2014_kite_sector_map_inferred.csv"
GOODS: list[str] = [f"C{i:02d}" for i in range(1, 23)]
WIOD_ROW = "ROW"  # WIOD's rest-of-the-world region (not this build's ROW)


@dataclass(frozen=True)
class CPData:
    """The WIOD 2014 CP arrays (US$ million; shares and rates as fractions).

    trade_share[j, i, n]   share of n's tariff-inclusive spending on j bought from i
    tariff[j, i, n]        ad valorem tariff of importer n on goods from exporter i (reading above)
    expenditure[j, n]      absorption of j's goods by n (tariff-inclusive)
    value_added[n], trade_balance[n] (file values; the balance uses KITE's reading)
    inv_theta[j]           1/theta as in the file; theta = 1/inv_theta
    alpha[j, n], beta[j, n], gamma[n, k, j]  consumption, value-added and input shares
    """

    economies: tuple[str, ...]
    sectors: tuple[str, ...]
    trade_share: np.ndarray
    tariff: np.ndarray
    expenditure: np.ndarray
    value_added: np.ndarray
    trade_balance: np.ndarray
    inv_theta: np.ndarray
    alpha: np.ndarray
    beta: np.ndarray
    gamma: np.ndarray
    labels: dict[str, str]

    @property
    def tariff_kite(self) -> np.ndarray:
        """The tariff under KITE's reading (file (origin=i, destination=n)); for checks only."""
        return self.tariff.transpose(0, 2, 1)


def _index(codes: pd.Series, index: pd.Index) -> np.ndarray:
    pos = index.get_indexer(codes.astype(str))
    if (pos < 0).any():
        raise ValueError(f"unknown codes {sorted(set(codes[pos < 0]))}")
    return pos


def load(shared: Path) -> CPData:
    """Read the nine CSVs into arrays (reading of ``tariff.csv`` as in the module docstring)."""
    ts = read_csv(shared, DIR + "trade_share.csv")
    tf = read_csv(shared, DIR + "tariff.csv")
    E = pd.Index(sorted(set(ts["origin"]) | set(ts["destination"])))
    S = pd.Index(sorted(set(ts["sector"])))
    J, N = len(S), len(E)
    pi = np.zeros((J, N, N))
    pi[_index(ts["sector"], S), _index(ts["origin"], E), _index(ts["destination"], E)] = ts["value"]
    tariff = np.zeros((J, N, N))
    # file (origin=a, destination=b) = 1 + tariff of a on b -> [j, exporter b, importer a]
    tariff[_index(tf["sector"], S), _index(tf["destination"], E), _index(tf["origin"], E)] = (
        tf["value"].to_numpy() - 1.0
    )

    def cs(name: str, col: str = "country") -> np.ndarray:
        d = read_csv(shared, DIR + name)
        out = np.zeros((J, N))
        out[_index(d["sector"], S), _index(d[col], E)] = d["value"]
        return out

    def by_country(name: str) -> np.ndarray:
        d = read_csv(shared, DIR + name).set_index("country")["value"]
        return d.reindex(E).to_numpy(dtype=float)

    ig = read_csv(shared, DIR + "intermediate_share.csv")
    gamma = np.zeros((N, J, J))
    gamma[_index(ig["country"], E), _index(ig["input"], S), _index(ig["output"], S)] = ig["value"]
    el = read_csv(shared, DIR + "trade_elasticity.csv").set_index("sector")["value"]
    lab = read_csv(shared, SECTOR_LABELS)
    return CPData(
        economies=tuple(E),
        sectors=tuple(S),
        trade_share=pi,
        tariff=tariff,
        expenditure=cs("expenditure.csv"),
        value_added=by_country("value_added.csv"),
        trade_balance=by_country("trade_balance.csv"),
        inv_theta=el.reindex(S).to_numpy(dtype=float),
        alpha=cs("consumption_share.csv"),
        beta=cs("factor_share.csv"),
        gamma=gamma,
        labels=dict(zip(lab["sector"], lab["sector_name"], strict=True)),
    )


def flows(cp: CPData, tariff: np.ndarray | None = None) -> np.ndarray:
    """Imports at producer prices ``[j, i, n]`` (US$ million) = pi X / (1 + t).

    ``tariff`` defaults to the settled reading; pass ``cp.tariff_kite`` only for checks.
    """
    t = cp.tariff if tariff is None else tariff
    return cp.trade_share * cp.expenditure[:, None, :] / (1.0 + t)


def importer_means(cp: CPData, tariff: np.ndarray, members: dict[str, list[str]] | None = None
                   ) -> pd.Series:
    """Import-weighted mean tariff (fraction) of each importer over goods sectors and partners.

    International flows only (weights: :func:`flows` under the same reading). ``members`` maps a
    bloc code to its member economies: the bloc's mean is over imports from outside it.
    """
    E = list(cp.economies)
    g = [cp.sectors.index(s) for s in GOODS]
    M = flows(cp, tariff)[g]
    t = tariff[g]
    out = {}
    groups = {e: [e] for e in E} | (members or {})
    for code, mem in groups.items():
        idx = [E.index(m) for m in mem if m in E]
        if not idx:
            continue
        m = M[:, :, idx].copy()
        m[:, idx, :] = 0.0
        out[code] = float((m * t[:, :, idx]).sum() / m.sum())
    return pd.Series(out)


def orientation_table(cp: CPData, wdi_applied: pd.Series, eu: list[str]) -> pd.DataFrame:
    """Per economy: importer-side mean tariff under the settled and KITE's reading, and WDI.

    ``wdi_applied``: WDI applied weighted mean (fraction) per ISO3, nearest year to 2014; ``eu``:
    the EU members among the WIOD economies (compared as one bloc, code ``EUN``).
    """
    blocs = {"EUN": eu}
    a = importer_means(cp, cp.tariff, blocs).rename("settled")
    b = importer_means(cp, cp.tariff_kite, blocs).rename("kite")
    t = pd.concat([a, b], axis=1)
    t["wdi_2014"] = wdi_applied.reindex(t.index)
    return t.drop(index=[c for c in eu if c in t.index] + [WIOD_ROW], errors="ignore")
