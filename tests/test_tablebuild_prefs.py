"""tablebuild.prefs: staging and sensitive-list rules of the imputed in-force sides."""

from __future__ import annotations

import numpy as np
import pytest

from fta_compare.tablebuild import agreements, prefs
from fta_compare.tablebuild.universe import UNIVERSE


def test_share_done_and_imputed_rate() -> None:
    by = agreements.BY_CODE
    assert prefs.share_done(by["KORUS"]) == 1.0
    assert prefs.share_done(by["KOR_CHN"]) == pytest.approx(0.6)  # 12 of 20 steps in 2026
    assert prefs.share_done(by["RCEP"]) == pytest.approx(0.25)
    assert prefs.share_done(by["EU_NZL"]) == pytest.approx(0.3)  # in force 2024, 10 steps
    mfn = np.array([0.0, 0.1, 0.2, 5.13])
    sens = np.array([False, False, True, True])
    assert prefs.imputed_rate(by["KOR_CHN"], mfn, sens).tolist() == [0.0, 0.04, 0.2, 5.13]
    assert prefs.imputed_label(by["KOR_CHN"]) == "imputed:inforce_staged_rcep_sensitive_kept"
    assert prefs.imputed_label(by["KORUS"]) == (
        "imputed:inforce_fully_phased_in_cptpp_sensitive_kept")


def test_inforce_rows_cover_every_imputed_side() -> None:
    U = ["010121", "010129", "100630"]
    mfn = {c: np.array([0.1, 0.2, 5.13]) for c in UNIVERSE if c not in ("JPN", "USA")}
    sens = {"rcep": np.array([False, False, True]), "cptpp": np.array([False, False, True])}
    rows, skipped = prefs.inforce_rows(mfn, U, sens)
    assert skipped == []
    observed = prefs.observed_sides()
    assert ("KORUS", "USA") in observed and ("CPTPP", "JPN") in observed
    sides = set(zip(rows["agreement"], rows["importer"], strict=True))
    assert ("KORUS", "KOR") in sides and ("KORUS", "USA") not in sides
    assert ("KOR_EU", "EUN") in sides and ("CHN_ASEAN", "VNM") in sides
    assert not any(i == "ROW" for _, i in sides)  # ROW is not a member of any agreement
    k = rows[(rows["agreement"] == "KORUS") & (rows["importer"] == "KOR")]
    assert set(k["exporter"]) == {""} and set(k["year"]) == {2026}
    assert 5.13 in set(k["rate"])  # rice (sensitive) kept at MFN
