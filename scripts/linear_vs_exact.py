"""Linear GSIM vs the exact constant-elasticity solution as a tariff cut grows.

Three regions A, B, C trade one product (values in the script, synthetic); B removes its
tariff t0 on A. Elasticities as in the GSIM worked example (Em -1.25, Es 5, Ex 1.5).
Prints the README table: A's world price change, B's imports from A and B's net welfare.
"""

from __future__ import annotations

import numpy as np

from fta_compare.model.arrays import MarketArrays, Shock
from fta_compare.model.exact import solve_exact
from fta_compare.model.gsim import solve_gsim

BASE = np.array([[[50.0, 100.0, 80.0], [120.0, 60.0, 90.0], [70.0, 110.0, 40.0]]])


def main() -> None:
    n = 3
    print("| tariff cut | Pw_A linear | Pw_A exact | dM_AB linear | dM_AB exact "
          "| net welfare B linear | net welfare B exact |")
    print("|---|---|---|---|---|---|---|")
    for t0 in (0.05, 0.10, 0.25, 0.50):
        base_rate = np.full((1, n, n), t0)
        base_rate[:, np.arange(n), np.arange(n)] = 0.0
        m = MarketArrays(np.array(["x"]), np.array(["A", "B", "C"]), BASE, base_rate,
                         np.full((1, n), -1.25), np.full((1, n), 5.0), np.full((1, n), 1.5))
        new_rate = base_rate.copy()
        new_rate[0, 0, 1] = 0.0
        lin, ex = solve_gsim(m, Shock(new_rate)), solve_exact(m, Shock(new_rate))
        d_lin = lin.new_value[0, 0, 1] - BASE[0, 0, 1]
        d_ex = ex.new_value[0, 0, 1] - BASE[0, 0, 1]
        print(f"| {t0:.0%} | {lin.world_price_change[0, 0]:+.4f} "
              f"| {ex.world_price_change[0, 0]:+.4f} | {d_lin:+.2f} | {d_ex:+.2f} "
              f"| {lin.net_welfare[0, 1]:+.3f} | {ex.net_welfare[0, 1]:+.3f} |")


if __name__ == "__main__":
    main()
