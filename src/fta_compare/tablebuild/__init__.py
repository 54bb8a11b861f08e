"""Build the bundled input tables of fta-compare from the public data in ``../shared/data``.

``python scripts/build_tariff_tables.py`` (or ``python -m fta_compare.tablebuild``, ``make
tables``) writes ``tariff_tables/default.xlsx`` (PE tables), ``tariff_tables/default_ge.xlsx``
(the ``ge_*`` sector tables), ``tariff_tables/example_synthetic.xlsx`` and
``src/fta_compare/data/sectors.csv``, byte-for-byte reproducibly.

Layout: one module per data source, each with a ``load(shared)`` that reads its file(s) with
fixed dtypes and a builder that turns the raw table(s) into tidy rows (rates fractions, values
US$ thousand, HS codes 6-digit HS 2022 text, ``quality`` = ``observed``,
``sector_observed:<method>`` or ``imputed:<method>``):

=================  =========================================================================
``us_imports``     US Census imports 2024 by HS6 x partner -> observed ``trade`` rows, mixes
``jp_customs``     Japan Customs 2024 trade by partner x commodity group -> JPN flows
``wiod_cp``        WIOD 2014 CP arrays (44 x 50), ONE tariff orientation -> flows, tariffs
``wiod``           WIOD flows mapped to this build's economies, RoW split -> imputed ``trade``
``japan_tariff``   Japan Customs FY2026 lines -> JPN MFN (out-of-quota AVEs) and EPA rates
``us_hts``         USITC HTS 2025 -> USA MFN and KORUS/US-Japan/AUSFTA/USMCA/CL/PE/SG rates
``desta``          DESTA treaty list -> agreement pairs in force in 2014
``wdi``            World Bank WDI MFN/applied weighted means -> levels and checks
``us_actions``     2025 US tariff actions (EOs, Budget Lab lists) -> ``duties``
``utilisation``    Budget Lab MFN exemption shares -> ``utilisation``
``depth``          World Bank HOR / DTA 2.0 -> ``depth``
``elasticities``   Hauk 2012, CEPII ProTEE, BGW 2006 -> ``elasticities``
``concordance``    UN HS correspondences -> HS 2022 universe, HS revision maps, HS -> WIOD
=================  =========================================================================

Derived sheets combine sources: ``trade`` (``trade.py``), ``mfn`` + ``preferences``
(``schedules.py``: ``mfn_impute.py`` for the importers without a schedule, ``prefs.py`` for the
agreements in force, ``prefs_hypo.py`` for the hypothetical ones), the ``ge_*`` sheets
(``ge_tables.py``, which compiles the PE baseline with the tool itself); definitions without
data: ``universe`` (economies, constants), ``agreements``, ``scenarios`` (scenarios, regions),
``sectors``; documentation sheets ``sources`` (+ ``sources_flows``) and ``meta``; shared
``helpers``; the synthetic ``example``; :func:`assemble.build_default` is the one step that loads
everything and returns the sheets, :func:`assemble.write_default` writes them; ``cli`` is the
command line.

Adding a source (e.g. WITS tariff lines for Korea, BACI flows into KOR/JPN/CHN): write ONE new
module ``<source>.py`` with a docstring naming the file, the columns used, the transformation
and the quality label; a ``load(shared)`` reading the file with explicit dtypes; and a builder
returning rows in the sheet's columns (with ``quality``) plus a dict of notes. Call both from
:func:`assemble.build_default` where the rows replace or join the imputed ones (``trade.py`` for
flows, ``schedules.py`` for tariff schedules), cite it in ``sources.S`` with a row per column and
per new ``imputed:<method>``, add a test ``tests/test_tablebuild_<source>.py`` on a slice of the
real file, then rebuild and commit the workbooks (the rebuild test compares them byte-for-byte).
"""

from __future__ import annotations

from .assemble import build_default, write_default, write_workbook
from .cli import main
from .example import build_example

__all__ = ["build_default", "build_example", "main", "write_default", "write_workbook"]
