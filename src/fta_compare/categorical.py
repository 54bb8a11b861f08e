"""Label columns as pandas categoricals: the code type pandas keeps (shared by the scenario
compiler's applied table and the long result tables)."""

from __future__ import annotations

import numpy as np


def codes_dtype(n_categories: int) -> type[np.signedinteger]:
    """The integer type pandas keeps a categorical's codes in (int8 below 127 categories,
    ...): codes cast to it once are not copied again by pandas."""
    return next(t for t in (np.int8, np.int16, np.int32, np.int64)
                if n_categories < np.iinfo(t).max)
