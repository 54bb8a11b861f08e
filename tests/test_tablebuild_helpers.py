"""tablebuild.helpers, tablebuild.example and the workbook writer (no shared data needed)."""

from __future__ import annotations

import datetime as dt
import math
from pathlib import Path

import numpy as np
import pandas as pd

from fta_compare.tablebuild import assemble, example, helpers


def test_pct_numbers() -> None:
    assert helpers.pct_numbers("30%又は4,300円/足のうちいずれか高い税率") == [30.0]
    assert helpers.pct_numbers("８．５％") == [8.5]  # full-width digits (NFKC)
    assert helpers.pct_numbers("無税") == [0.0]
    assert helpers.pct_numbers("Free (AU,KR)") == [0.0]
    assert helpers.pct_numbers("8.8¢/kg + 20%") == [20.0]
    assert helpers.pct_numbers("49円/kg") == []
    assert helpers.pct_numbers(float("nan")) == [] and helpers.pct_numbers(None) == []


def test_progress() -> None:
    assert math.isclose(helpers.progress(2026, 2015, 20), 0.6)
    assert math.isclose(helpers.progress(2026, 2022, 20), 0.25)
    assert helpers.progress(2014, 2015, 20) == 0.0 and helpers.progress(2040, 2015, 20) == 1.0


def test_example_applied_reference_cells() -> None:
    x = example.build_example()
    a = x["applied"].set_index(["scenario", "importer", "exporter", "hs"])["rate"]
    # baseline: US MFN 2.5% on 870323, SYN_BIL 0% for KOR used at 80%: 0.8*0 + 0.2*0.025
    assert a[("baseline", "USA", "KOR", "870323")] == 0.005
    # syn_duties: 2.5% + 10% (syn_add) + 50% (syn_steel, chapter 72); floor 15% not binding
    assert a[("syn_duties", "USA", "JPN", "720839")] == 0.625
    assert set(x["trade"]["quality"]) == {"imputed:synthetic"}


def test_write_workbook_is_deterministic(tmp_path: Path) -> None:
    sheets = {
        "t": pd.DataFrame(
            {
                "hs": ["010121", ""],
                "x": [1.5, np.nan],
                "d": [dt.date(2025, 1, 1), None],
                "b": [True, False],
                "i": [np.inf, 2.0],
            }
        )
    }
    a, b = tmp_path / "1" / "t.xlsx", tmp_path / "2" / "t.xlsx"  # the title is the file stem
    assemble.write_workbook(a, sheets)
    assemble.write_workbook(b, sheets)
    assert a.read_bytes() == b.read_bytes()
    back = pd.read_excel(a, engine="calamine", dtype={"hs": str})
    assert back["hs"].iloc[0] == "010121" and back["b"].tolist() == ["yes", "no"]
    assert back["i"].astype(str).iloc[0] == "inf"
