"""HS nomenclature: the HS 2022 product universe, HS revision maps and HS6 -> WIOD sector.

Source: UN Statistics Division HS correspondence tables via ``insongkim/concordance``
(shared ``hs_concordance/``):

* ``hs6_hs0.csv`` (``HS6_6d`` = HS 2022 six-digit, ``HS0_6d`` = HS 1992): the product universe is
  every ``HS6_6d`` except the ``999999`` placeholder (5,612 subheadings), and HS 2022 -> HS 1992
  (for Hauk's and BGW's HS 1992/96-coded elasticities);
* ``hs6_hs5.csv`` (HS 2022 -> HS 2017) and ``hs5_hs4.csv`` (HS 2017 -> HS 2012), chained to
  reach the HS 2007/2012-coded ProTEE elasticities.

Transformation: none beyond the lookups (codes stay 6-digit text). No quality label (the maps
are official); :func:`hs_to_wiod` is NOT official: it is an HS -> ISIC Rev.4 division rule set
written for this build (longest prefix wins), used to split WIOD sector flows across HS6 and
documented as such in ``sources``.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from .helpers import read_csv


@dataclass(frozen=True)
class Concordance:
    """The HS 2022 universe and the maps HS 2022 -> HS 1992 / 2017, HS 2017 -> HS 2012."""

    universe: list[str]
    hs0: dict[str, str]
    hs5: dict[str, str]
    hs4: dict[str, str]


def load(shared: Path) -> Concordance:
    """Read ``hs_concordance/hs6_hs0.csv``, ``hs6_hs5.csv`` and ``hs5_hs4.csv`` (all text)."""
    conc = read_csv(shared, "hs_concordance/hs6_hs0.csv", dtype=str)
    c5 = read_csv(shared, "hs_concordance/hs6_hs5.csv", dtype=str)
    c4 = read_csv(shared, "hs_concordance/hs5_hs4.csv", dtype=str)
    return Concordance(
        universe=sorted(c for c in conc["HS6_6d"].unique() if c != "999999"),
        hs0=dict(zip(conc["HS6_6d"], conc["HS0_6d"], strict=True)),
        hs5=dict(zip(c5["HS6_6d"], c5["HS5_6d"], strict=True)),
        hs4=dict(zip(c4["HS5_6d"], c4["HS4_6d"], strict=True)),
    )


# --------------------------------------------------------------------------------------
# HS6 (HS 2022) -> WIOD goods sector (KITE codes C01..C22 = WIOD r1..r22)
# Approximate HS -> ISIC Rev.4 division mapping written for this build (longest prefix wins),
# following the structure of the UN HS-ISIC correspondence. Not an official concordance.
# --------------------------------------------------------------------------------------
_CHAPTER_RULES: list[tuple[str, str]] = [  # HS chapters -> sector
    ("01 05 06 07 08 09 10 12 13 14", "C01"),
    ("03", "C03"),
    ("02 04 11 15 16 17 18 19 20 21 22 23 24", "C05"),
    ("25 26", "C04"),
    ("27", "C10"),
    ("28 29 31 32 33 34 35 36 37 38 39", "C11"),
    ("30", "C12"),
    ("40", "C13"),
    ("41 42 43 50 51 52 53 54 55 56 57 58 59 60 61 62 63 64 65", "C06"),
    ("44 45 46", "C07"),
    ("47 48", "C08"),
    ("49", "C09"),
    ("68 69 70", "C14"),
    ("71 92 94 95 96 97 66 67", "C22"),
    ("72 74 75 76 78 79 80 81", "C15"),
    ("73 82 83 93", "C16"),
    ("84", "C19"),
    ("85", "C18"),
    ("86 88 89", "C21"),
    ("87", "C20"),
    ("90 91", "C17"),
]
_PREFIX_RULES: list[tuple[str, str | None]] = [  # 4/6-digit exceptions (override the chapter)
    # agriculture / forestry / fishing / food splits
    ("0304 0305 1302 4101 4102 4103", "C05"),
    ("0407 0409 0410 2401 4001 4301 5001 5101 5201 5301", "C01"),
    ("4002", "C11"),
    ("4401 4403 4501", "C02"),
    # minerals / energy (2716 electrical energy: no goods sector)
    ("2520 2522 2523", "C14"),
    ("2701 2702 2703 2709 2711", "C04"),
    ("2716", None),
    # chemicals / pharma / plastics
    ("2936 2937 2938 2939 2941", "C12"),
    ("3915 3916 3917 3918 3919 3920 3921 3922 3923 3924 3925 3926", "C13"),
    # precious stones and metals
    ("710210 710221 710231 710310", "C04"),
    ("7106 7107 7108 7109 7110 7111 7112", "C15"),
    # basic metals vs fabricated metal products
    ("7301 7302 7303 7304 7305 7306", "C15"),
    ("7412 7413 7415 7418 7419 7507 7508 7609 7610 7611 7612 7613 7614 7615 7616", "C16"),
    ("7806 7907 8007", "C16"),
    # machinery / electronics / electrical / vehicles
    ("8402 8403", "C16"),
    ("8471 8473 8517 8518 8519 8521 8522 8523 8525 8526 8527 8528 8529", "C17"),
    ("8532 8533 8534 8540 8541 8542", "C17"),
    ("840731 840732 840733 840734 840820 8511 8512", "C20"),
    ("841111 841112 841121 841122 841191", "C21"),
    ("8450", "C18"),
    ("870110 870130 870191 870192 870193 870194 870195 8709", "C19"),
    ("8710 8711 8712 8713 8714 8715", "C21"),
    # instruments, furniture, other
    ("9018 9019 9020 9021", "C22"),
    ("9405", "C18"),
    ("9406", "C16"),
]

CHAPTER_SECTOR: dict[str, str | None] = {f"{ch:02d}": None for ch in range(1, 98)}
CHAPTER_SECTOR.update({c: sec for chs, sec in _CHAPTER_RULES for c in chs.split()})
PREFIX_SECTOR: dict[str, str | None] = {p: sec for ps, sec in _PREFIX_RULES for p in ps.split()}


def hs_to_wiod(hs: str) -> str | None:
    """WIOD goods sector (``C01``..``C22``) of an HS 2022 code; None = no goods sector."""
    for n in (6, 4):
        if hs[:n] in PREFIX_SECTOR:
            return PREFIX_SECTOR[hs[:n]]
    return CHAPTER_SECTOR.get(hs[:2])
