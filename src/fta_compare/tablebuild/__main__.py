"""``python -m fta_compare.tablebuild [--shared DIR] [--out DIR]``: build the tariff tables."""

from __future__ import annotations

import sys

from .cli import main

sys.exit(main())
