"""The ``meta`` sheet as a validated settings object (pydantic: small configuration sheets).

Keys other code relies on are typed and checked here; unknown keys are kept as text (the
data build stores notes and diagnostics in ``meta``). Each problem is reported at the
value cell of its meta row by the validator.
"""

from __future__ import annotations

import re
from datetime import date
from typing import Any

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    ValidationError,
    ValidationInfo,
    field_validator,
)

HS_REVISIONS = ("HS1992", "HS1996", "HS2002", "HS2007", "HS2012", "HS2017", "HS2022")
FIRST_YEAR, LAST_YEAR = 1947, 2100
MAX_RATE = 10.0
RULES = {  # the message shown for a type or range error of each typed key
    "max_rate": "must be a positive number (a fraction: 1.5 = 150%)",
    "base_year": f"must be a whole year between {FIRST_YEAR} and {LAST_YEAR}",
    "baseline_year": f"must be a whole year between {FIRST_YEAR} and {LAST_YEAR}",
    "baseline_date": f"must be a date (YYYY-MM-DD) between {FIRST_YEAR} and {LAST_YEAR}",
    "depth_beta": "must be a number between 0 and 10 (a gravity coefficient, e.g. 0.76)",
    "depth_sigma": "must be a number above 1 (an elasticity of substitution, e.g. 6)",
}


class MetaSettings(BaseModel):
    """Typed ``meta`` keys; ``max_rate`` is a fraction (1.0 = 100%)."""

    model_config = ConfigDict(extra="allow", str_strip_whitespace=True)

    focus: str | None = None
    title: str | None = None
    currency_unit: str = "US$ thousand"
    hs_revision: str | None = None
    base_year: int | None = Field(None, ge=FIRST_YEAR, le=LAST_YEAR)
    baseline_year: int | None = Field(None, ge=FIRST_YEAR, le=LAST_YEAR)
    baseline_date: date | None = None
    max_rate: float = Field(1.0, gt=0, le=1e6)
    depth_beta: float | None = Field(None, ge=0, le=10)
    depth_sigma: float | None = Field(None, gt=1, le=100)

    @field_validator("hs_revision")
    @classmethod
    def _revision(cls, v: str | None) -> str | None:
        if v is None:
            return v
        norm = re.sub(r"[\s_-]", "", v).upper()
        if norm not in HS_REVISIONS:
            raise ValueError(f"must be one of {', '.join(HS_REVISIONS)} (all trade and tariff "
                             "codes in one revision; convert with a WCO correlation table)")
        return norm

    @field_validator("baseline_date")
    @classmethod
    def _date_range(cls, v: date | None) -> date | None:
        if v is not None and not FIRST_YEAR <= v.year <= LAST_YEAR:
            raise ValueError(f"must be a date between {FIRST_YEAR} and {LAST_YEAR}")
        return v

    @field_validator("focus")
    @classmethod
    def _focus(cls, v: str | None, info: ValidationInfo) -> str | None:
        if v is None:
            return v
        known = (info.context or {}).get("codes", frozenset())
        if v.upper() not in known:
            raise ValueError("unknown economy code: use ISO 3166 alpha-3 (e.g. KOR) or a "
                             "code declared in the 'regions' sheet")
        return v.upper()

    @property
    def rate_cap(self) -> float:
        """Largest plausible rate: ``max_rate``, never above 10 (1000%)."""
        return min(self.max_rate, MAX_RATE)


def parse_meta(meta: dict[str, str], codes: frozenset[str]) -> tuple[MetaSettings,
                                                                   list[tuple[str, str, str]]]:
    """Settings from the meta key/values, and (key, value, rule) for each invalid key.

    Invalid keys fall back to their defaults so validation can go on and list every problem.
    """
    data: dict[str, Any] = {k: v for k, v in meta.items() if v != ""}
    problems: list[tuple[str, str, str]] = []
    for _ in range(len(MetaSettings.model_fields) + 1):
        try:
            return MetaSettings.model_validate(data, context={"codes": codes}), problems
        except ValidationError as exc:  # drop the bad keys and validate the rest again
            for err in exc.errors():
                key = str(err["loc"][0]) if err.get("loc") else ""
                raw = str(data.pop(key, ""))
                msg = str(err.get("msg", "invalid")).removeprefix("Value error, ")
                if err.get("type") != "value_error" and key in RULES:
                    msg = RULES[key]
                problems.append((key, raw, msg))
    return MetaSettings(), problems
