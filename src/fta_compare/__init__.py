"""fta-compare: partial-equilibrium comparison of trade agreements and tariff deals.

Flow: workbook -> ``inputs`` (validated tables) -> ``scenarios`` (applied tariffs)
-> ``model`` (pure numpy) -> ``results`` (DataFrames) -> ``report`` (workbook writers).
"""

__version__ = "0.1.0"
