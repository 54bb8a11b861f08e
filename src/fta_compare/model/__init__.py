"""Pure numpy partial-equilibrium models: arrays in, arrays out, no I/O."""

from fta_compare.model.arrays import MarketArrays, ModelResult, Shock

__all__ = ["MarketArrays", "ModelResult", "Shock"]
