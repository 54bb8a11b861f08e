"""HS -> sector mapping (HS sections and strategic sectors), as data with sources."""

from __future__ import annotations

from importlib import resources

import pandas as pd


def bundled_sectors() -> pd.DataFrame:
    """The mapping shipped in ``fta_compare/data/sectors.csv`` (hs prefix, sector, source)."""
    with resources.files("fta_compare").joinpath("data/sectors.csv").open("r") as fh:
        df = pd.read_csv(fh, dtype=str, keep_default_na=False)
    return df[["hs", "sector", "source"]]


def assign_sectors(hs: pd.Series, sectors: pd.DataFrame) -> pd.DataFrame:
    """All (hs, sector) pairs where a sector's HS prefix starts the product code.

    A product may belong to several sectors (its HS section and a strategic sector).
    One merge per distinct prefix length.
    """
    codes = pd.DataFrame({"hs": pd.Series(hs).astype(str).unique()})
    out = []
    sec = sectors.assign(_len=sectors["hs"].astype(str).str.len())
    for length, grp in sec.groupby("_len"):
        keyed = codes.assign(_k=codes["hs"].str[: int(length)])
        m = keyed.merge(grp[["hs", "sector"]].rename(columns={"hs": "_k"}), on="_k")
        out.append(m[["hs", "sector"]])
    if not out:
        return pd.DataFrame(columns=["hs", "sector"])
    return pd.concat(out, ignore_index=True).drop_duplicates()
