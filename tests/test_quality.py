"""What each scenario rests on: observed, sector-observed and imputed shares, by hand."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from fta_compare.quality import line_quality, quality_codes, quality_shares


def test_quality_codes_read_the_label_prefix() -> None:
    labels = pd.Series(["observed", "imputed:wiod", "sector_observed:jp", "", None,
                        "observed:BACI 2022"], dtype=object)
    assert list(quality_codes(labels)) == [0, 1, 2, 0, 0, 0]


def test_the_most_specific_mfn_row_gives_the_lines_quality() -> None:
    mfn = pd.DataFrame({"importer": ["KOR", "KOR", "JPN"], "hs": ["87", "870323", "87"],
                        "rate": [0.08, 0.08, 0.0],
                        "quality": ["imputed:x", "observed", "sector_observed:w"]})
    got = line_quality(mfn, pd.Series(["KOR", "KOR", "JPN", "CHN"]),
                       pd.Series(["870321", "870323", "870321", "870321"]))
    # KOR 870321: only the chapter row (imputed); 870323 has its own observed line;
    # CHN has no mfn row: its rates are explicit applied rows (observed)
    assert list(got) == [1, 0, 2, 0]


def test_shares_by_hand() -> None:
    # one scenario; KOR imports from JPN (observed flow, imputed line) and from CHN
    # (sector-observed flow, observed line); KOR's domestic cell is left out
    res = pd.DataFrame({
        "scenario": ["s", "s", "s"], "importer": ["KOR", "KOR", "KOR"],
        "exporter": ["JPN", "CHN", "KOR"], "hs": ["870321", "870323", "870321"],
        "base_value": [100.0, 300.0, 1000.0], "new_value": [130.0, 310.0, 900.0],
        "base_rate": [0.08, 0.08, 0.0], "new_rate": [0.0, 0.06, 0.0],
        "quality": ["observed", "sector_observed:jp", "imputed:x"]})
    mfn = pd.DataFrame({"importer": ["KOR", "KOR"], "hs": ["870321", "870323"],
                        "rate": [0.08, 0.08], "quality": ["imputed:x", "sector_observed:w"]})
    q = quality_shares(res, mfn).set_index("scenario").loc["s"]
    assert q["observed_share_of_trade"] == pytest.approx(100 / 400)
    assert q["sector_observed_share_of_trade"] == pytest.approx(300 / 400)
    assert q["imputed_share_of_trade"] == 0.0  # the imputed cell is domestic
    assert q["imputed_share_of_change"] == 0.0
    # tariff-change value: JPN 100 x 0.08 = 8 (imputed line), CHN 300 x 0.02 = 6
    # (sector-observed line)
    assert q["imputed_share_of_tariff_change"] == pytest.approx(8 / 14)
    assert q["sector_observed_share_of_tariff_change"] == pytest.approx(6 / 14)
    assert q["observed_share_of_tariff_change"] == 0.0
    assert np.isclose(q[["observed_share_of_trade", "sector_observed_share_of_trade",
                         "imputed_share_of_trade"]].sum(), 1.0)
