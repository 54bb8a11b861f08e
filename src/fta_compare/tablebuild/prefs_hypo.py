"""The ``preferences`` rows of the hypothetical agreements (scenario assumptions of this build).

No data file: built from the observed Japanese schedule (``japan_tariff.py``), the imputed MFN
schedules (``mfn_impute.py``) and the in-force preferences (``prefs.py``). Every hypothetical
agreement starts in ``HYPO_START`` (2027) and is given as a 10-year linear path at the steps
of ``universe.HYPO_STEPS`` (2027/2031/2036 = 10/50/100% of the remaining tariff removed), so the
tool's time path evaluates each step; a sensitive list keeps its 2026 rate.

* ``CJK`` (CHN, JPN, KOR): each importer removes the lowest rate it applies to the partner in
  2026 (Japan: its observed RCEP rate for China / Korea; KOR and CHN: the lowest of MFN, RCEP and
  KOR_CHN as imputed), except the RCEP list. Exporter-specific rows.
* ``CPTPP_KOR``, ``CPTPP_KOR_CHN``: members extend their CPTPP schedule (Japan: observed FY2026
  CPTPP rates; the others: their imputed CPTPP 2026 step) from 2027; the acceding KOR (and CHN)
  cut their MFN linearly to 0 except the CPTPP list. Blank exporter (every other member).
* ``JK_PLUS`` (JPN, KOR) and ``JK_PLUS_EU`` (JPN, KOR, EUN): Japan's observed CPTPP rates; KOR
  (and EUN) cut their MFN linearly to 0 except the CPTPP list. Blank exporter, so adding a member
  to the agreement row extends every schedule to it.

The CPTPP and RCEP lists contain rice (Japan's out-of-quota staples), so rice stays out of every
hypothetical schedule. Quality labels ``imputed:<method>`` as listed in ``sources``.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from .agreements import AGREEMENTS, BY_CODE, MEMBERS
from .helpers import compress_override
from .prefs import PREF_COLUMNS, imputed_rate
from .universe import HYPO_START, HYPO_STEPS, UNIVERSE

Q_JPN_CPTPP = "imputed:observed_jpn_cptpp_2026_rate_extended"
Q_OWN_CPTPP = "imputed:own_imputed_cptpp_schedule_extended"
Q_LINEAR = "imputed:linear_10y_from_imputed_mfn_cptpp_sensitive_kept"
Q_CJK_JPN = "imputed:cjk_linear_10y_from_observed_jpn_rcep_2026_rate"
Q_CJK = "imputed:cjk_linear_10y_from_imputed_2026_rate"


def base_2026(imp: str, exp: str, mfn: dict[str, np.ndarray], sens: dict[str, np.ndarray]
              ) -> np.ndarray:
    """Lowest 2026 rate an imputed importer applies to an exporter (MFN or in-force agreement)."""
    best = mfn[imp].copy()
    for a in AGREEMENTS:
        if a.in_force is not None and imp in a.members and exp in a.members:
            best = np.minimum(best, imputed_rate(a, mfn[imp], sens[a.style]))
    return best


def _staged(agr: str, imp: str, exp: str, base: np.ndarray, keep: np.ndarray,
            universe: list[str], q: str) -> list[tuple]:
    """Linear 10-year path from ``base`` to 0 (``keep`` lines stay at ``base``), prefix rows."""
    vals = {}
    for k, h in enumerate(universe):
        b = float(base[k])
        vals[h] = tuple(b if (keep[k] or b <= 0) else round(b * (1 - f), 6)
                        for f in HYPO_STEPS.values())
    rows = []
    for p, v in compress_override(vals, universe):
        for (y, _f), r in zip(HYPO_STEPS.items(), v, strict=True):
            rows.append((agr, imp, p, y, r, exp, q))
    return rows


def _jpn_cptpp(agr: str, jp6: pd.DataFrame) -> list[tuple]:
    r, m = jp6["CPTPP|"], jp6["mfn"]
    keep = r.notna() & (r < m - 1e-9)
    return [(agr, "JPN", h, HYPO_START, round(float(v), 6), "", Q_JPN_CPTPP)
            for h, v in r[keep].items()]


def hypo_rows(mfn: dict[str, np.ndarray], universe: list[str], jp6: pd.DataFrame,
              sens: dict[str, np.ndarray]) -> pd.DataFrame:
    """Preference rows of ``CJK``, ``CPTPP_KOR``, ``CPTPP_KOR_CHN``, ``JK_PLUS``, ``JK_PLUS_EU``.

    ``mfn``: importer -> MFN vector over ``universe`` (imputed importers); ``sens``: style ->
    sensitive-list mask over ``universe``.
    """
    rows: list[tuple] = []
    rcep, cptpp = sens["rcep"], sens["cptpp"]
    # CJK
    for imp in ("JPN", "KOR", "CHN"):
        for exp in [x for x in ("JPN", "KOR", "CHN") if x != imp]:
            if imp == "JPN":
                col = {"CHN": "RCEP|CHN", "KOR": "RCEP|KOR"}[exp]
                j = jp6.reindex(universe)
                base = np.fmin(j[col].to_numpy(), j["mfn"].to_numpy())
                ok = ~np.isnan(base)
                keep = rcep | ~ok
                for k in np.flatnonzero(ok & ~keep & (base > 0)):
                    for y, f in HYPO_STEPS.items():
                        rows.append(("CJK", imp, universe[k], y, round(base[k] * (1 - f), 6),
                                     exp, Q_CJK_JPN))
            else:
                rows += _staged("CJK", imp, exp, base_2026(imp, exp, mfn, sens), rcep, universe,
                                Q_CJK)
    # CPTPP accession(s): members extend their CPTPP schedule; acceding economies cut linearly
    cp = BY_CODE["CPTPP"]
    for agr, acceding in (("CPTPP_KOR", ["KOR"]), ("CPTPP_KOR_CHN", ["KOR", "CHN"])):
        rows += _jpn_cptpp(agr, jp6)
        for m in [c for c in MEMBERS[agr] if c in UNIVERSE and c not in ("JPN", *acceding)]:
            if m not in mfn:
                continue
            vals = imputed_rate(cp, mfn[m], cptpp)
            for p, v in compress_override(dict(zip(universe, vals.tolist(), strict=True)),
                                          universe):
                rows.append((agr, m, p, HYPO_START, v, "", Q_OWN_CPTPP))
        for m in acceding:
            rows += _staged(agr, m, "", mfn[m], cptpp, universe, Q_LINEAR)
    # Japan-Korea partnership, and its opening to the EU
    for agr, others in (("JK_PLUS", ["KOR"]), ("JK_PLUS_EU", ["KOR", "EUN"])):
        rows += _jpn_cptpp(agr, jp6)
        for m in others:
            rows += _staged(agr, m, "", mfn[m], cptpp, universe, Q_LINEAR)
    return pd.DataFrame(rows, columns=PREF_COLUMNS)
