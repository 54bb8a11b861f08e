"""The ``utilisation`` sheet: US FTA preference use from Budget Lab MFN exemption shares.

Source: Budget Lab tariff-rate-tracker ``resources/mfn_exemption_shares`` (from US Census
calculated-duty data), shared ``us_tariff_actions_2025/budgetlab_mfn_exemption_shares.csv``,
columns ``hs2, cty_code, exemption_share`` (share of the statutory MFN duty not collected, by HS2
x US Census partner code).

Transformation: only the partners of US FTAs with full product coverage (KORUS: KOR 5800,
AUSFTA: AUS 6021, USMCA: CAN 1220 and MEX 2010); share clipped to [0, 1] (fraction), HS2 padded
to 2 digits; sorted by agreement, exporter, hs. Observed (no quality column in this sheet).
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from .helpers import read_csv

FILE = "us_tariff_actions_2025/budgetlab_mfn_exemption_shares.csv"
CENSUS_CODES: dict[str, tuple[str, str]] = {  # US Census code -> (agreement, exporter)
    "5800": ("KORUS", "KOR"),
    "6021": ("AUS_USA", "AUS"),
    "1220": ("USMCA", "CAN"),
    "2010": ("USMCA", "MEX"),
}
SOURCE = (
    "Budget Lab tariff-rate-tracker resources/mfn_exemption_shares (US Census calculated "
    "duty): share of statutory MFN duty not collected, by HS2 x partner"
)


def load(shared: Path) -> pd.DataFrame:
    """Read the exemption shares with HS2 and Census code as text."""
    return read_csv(shared, FILE, dtype={"hs2": str, "cty_code": str})


def build_utilisation(mfn_exempt: pd.DataFrame) -> pd.DataFrame:
    """Rows ``agreement, importer, exporter, hs, share, source`` (share = fraction)."""
    ex = mfn_exempt[mfn_exempt["cty_code"].isin(CENSUS_CODES)]
    util = pd.DataFrame(
        {
            "agreement": ex["cty_code"].map(lambda c: CENSUS_CODES[c][0]),
            "importer": "USA",
            "exporter": ex["cty_code"].map(lambda c: CENSUS_CODES[c][1]),
            "hs": ex["hs2"].str.zfill(2),
            "share": ex["exemption_share"].clip(0, 1).round(6),
            "source": SOURCE,
        }
    )
    return util.sort_values(["agreement", "exporter", "hs"], kind="mergesort").reset_index(
        drop=True
    )
