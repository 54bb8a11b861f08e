"""The ``preferences`` rows of the agreements in force: observed JPN/USA sides + imputed sides.

Sources: Japan Customs FY2026 (``japan_tariff.py``: CPTPP, RCEP x3 schedules, US-Japan, and the
EPAs with AUS, MEX, GBR, EU, ASEAN, SGP, MYS, THA, IDN, VNM, CHL, PER, IND), USITC HTS 2025
(``us_hts.py``: KORUS, US-Japan, AUSFTA, USMCA, Chile, Peru, Singapore); every other member side
of an agreement in force (``agreements.py``) is imputed from the importer's MFN schedule.

Rules:

* observed sides: the HS6 rate of the agreement's column, kept only where below the MFN (Japan
  FY2026 step as ``year`` 2026, USA HTS 2025 as 2025). Japan's RCEP ASEAN/AUS/NZ schedule is
  written once per exporter of the universe it applies to.
* imputed sides (one row set at the 2026 step, frozen after): preferential rate = MFN x (1 -
  progress), progress = share of a linear elimination done in 2026 (``Agreement.steps``; 1 if
  fully phased in), except the sensitive list of the agreement's style, kept at MFN:
  ``rcep`` = Japan's RCEP list (HS6 where Japan gives neither China nor Korea any RCEP
  concession in 2026, or only specific duties), ``cptpp`` = Japan's CPTPP list (HS6 where
  Japan's CPTPP rate equals its MFN). Both lists contain Japan's out-of-quota staples (rice,
  wheat, barley, sugar, malt, butter, azuki), so rice stays out of every FTA schedule, as in the
  real agreements. Rows cover every HS6 as 2/4/6-digit prefix rows where finer rows override
  (``helpers.compress_override``; a row at the MFN is no preference).

Quality labels: ``observed``, ``imputed:jpn_adval_component_lower_bound`` /
``imputed:usa_adval_component_lower_bound`` (observed rate on a lower-bound MFN), and
``imputed:inforce_{fully_phased_in,staged}_{rcep,cptpp}_sensitive_kept``.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from .agreements import AGREEMENTS, Agreement
from .helpers import compress_override, progress
from .japan_tariff import JP_LABEL_EXPORTERS, JP_PREF_COLUMNS
from .universe import BASELINE_YEAR, UNIVERSE
from .us_hts import US_PREF_COLUMNS

PREF_COLUMNS = ["agreement", "importer", "hs", "year", "rate", "exporter", "quality"]
EPS = 1e-9


def sensitive_lists(jp6: pd.DataFrame, jp_specific: list[str]) -> tuple[set[str], set[str]]:
    """(RCEP list, CPTPP list) of HS6 derived from Japan's FY2026 schedule (see docstring)."""
    m = jp6["mfn"]
    s_rcep = set(jp6.index[(m > 0) & (jp6["RCEP|CHN"] >= m - EPS) & (jp6["RCEP|KOR"] >= m - EPS)])
    s_cptpp = set(jp6.index[(m > 0) & (jp6["CPTPP|"] >= m - EPS)])
    return s_rcep | set(jp_specific), s_cptpp | set(jp_specific)


def observed_sides() -> set[tuple[str, str]]:
    """(agreement, importer) pairs with an observed schedule."""
    return {(a, "JPN") for a, _ in JP_PREF_COLUMNS} | {(a, "USA") for a, _ in US_PREF_COLUMNS}


def _observed(table: pd.DataFrame, importer: str, columns: dict[tuple[str, str], str],
              year: int, lb_label: str, exporters: dict[str, list[str]]) -> list[pd.DataFrame]:
    out = []
    for agr, label in columns:
        r = table[f"{agr}|{label}"]
        keep = r.notna() & (r < table["mfn"] - EPS)
        d = pd.DataFrame({"hs": table.index[keep], "rate": r[keep].round(6).to_numpy(),
                          "quality": np.where(table.loc[keep, "lb"], lb_label, "observed")})
        for e in exporters.get(label, [label]):
            out.append(d.assign(agreement=agr, importer=importer, year=year, exporter=e))
    return out


def observed_rows(jp6: pd.DataFrame, us6: pd.DataFrame) -> pd.DataFrame:
    """Observed preference rows of Japan (year 2026) and the USA (year 2025)."""
    parts = _observed(jp6, "JPN", JP_PREF_COLUMNS, BASELINE_YEAR,
                      "imputed:jpn_adval_component_lower_bound", JP_LABEL_EXPORTERS)
    parts += _observed(us6, "USA", US_PREF_COLUMNS, 2025,
                       "imputed:usa_adval_component_lower_bound", {"": [""]})
    return pd.concat(parts, ignore_index=True)[PREF_COLUMNS]


def share_done(a: Agreement, year: int = BASELINE_YEAR) -> float:
    """Share (fraction) of the imputed elimination done in ``year``."""
    st = a.steps()
    return 1.0 if st is None else progress(year, st[0], st[1])


def imputed_rate(a: Agreement, mfn: np.ndarray, sens: np.ndarray) -> np.ndarray:
    """2026 preferential rate vector of an imputed side (over the HS6 universe)."""
    s = share_done(a)
    return np.where(sens | (mfn <= 0), mfn, np.round(mfn * (1.0 - s), 6))


def imputed_label(a: Agreement) -> str:
    s = share_done(a)
    return f"imputed:inforce_{'fully_phased_in' if s >= 1 else 'staged'}_{a.style}_sensitive_kept"


def inforce_rows(mfn: dict[str, np.ndarray], universe: list[str], sens: dict[str, np.ndarray]
                 ) -> tuple[pd.DataFrame, list[str]]:
    """Imputed importer sides of the agreements in force; notes of the sides left out.

    ``mfn``: importer -> MFN vector over ``universe`` (imputed importers); ``sens``: style ->
    boolean vector (sensitive list).
    """
    obs = observed_sides()
    rows: list[tuple] = []
    skipped = []
    for a in AGREEMENTS:
        if a.in_force is None:
            continue
        for m in a.members:
            if m not in UNIVERSE or m == "ROW" or (a.code, m) in obs:
                continue
            if m not in mfn:
                skipped.append(f"{a.code}/{m}")
                continue
            vals = imputed_rate(a, mfn[m], sens[a.style])
            q = imputed_label(a)
            for p, v in compress_override(dict(zip(universe, vals.tolist(), strict=True)),
                                          universe):
                rows.append((a.code, m, p, BASELINE_YEAR, v, "", q))
    return pd.DataFrame(rows, columns=PREF_COLUMNS), skipped
