"""Importers: replace imputed parts of an input workbook with the files analysts download.

Each importer reads a download, converts it to a contract sheet (DESIGN.md section 2) and
writes a new workbook: the base workbook (default: the bundled tables) with the rows the
download covers *replaced* (whole groups, so no imputed residue is left inside a group),
every other sheet copied unchanged, a ``sources`` row citing the file (name + SHA-256),
and the new rows labelled ``quality = observed:<source>``. The output is written
atomically (nothing is left behind on failure; an existing file is replaced only with
``force``) and, unless ``validate=False``, re-read and validated before it is committed.
Modules: :mod:`.baci`, :mod:`.wits`, :mod:`.table` (one per source); :mod:`.safeguards`
(the rules below that keep an import from destroying data); :mod:`.concordance`,
:mod:`.countries`, :mod:`.sources`, :mod:`.workbook`, :mod:`.common` (shared parts).

BACI (CEPII; Gaulier & Zignago 2010) -> ``trade``
    ``t`` year, ``i`` exporter, ``j`` importer (numeric country codes), ``k`` HS6 (a
    number: leading zeros restored to 6 digits), ``v`` value in US$ thousand, ``q``
    (quantity, not used). Country codes: ISO 3166 numeric via pycountry plus the BACI /
    UN Comtrade specials in :data:`NUMERIC_SPECIAL` (251 France, 381 Italy, 579 Norway,
    699 India, 757 Switzerland, 842 USA, ...); the 'not elsewhere specified' codes in
    :data:`NUMERIC_NES` (490 'Other Asia, nes', 839 'Special categories', ...) and every
    economy outside the model go to ``ROW`` when the base has ``ROW`` (490 is Taiwan: it
    goes to TWN when TWN is an economy of the model or a member of a region). BACI's own
    ``country_codes_V*.csv`` can be given instead (``country_codes``). Importers kept:
    the ``countries`` given. An exporter keeps its code when it is one of ``countries`` or
    an economy of the base ``trade`` sheet (so USA stays USA even when only KOR, JPN, CHN
    are listed: summing it into ROW would double count the base's own USA rows), else it
    goes to the base region listing it as a member, else to ``ROW``, else it is dropped
    (reported). Flows whose exporter and importer map to the same code (ROW -> ROW) are
    dropped: BACI has no domestic sales and the base's domestic cells are kept. Every
    base row of an (importer, exporter) pair present in the BACI result is replaced (all
    HS codes of the pair); other pairs keep their base rows. Three rules refuse an
    import that would destroy base data (all problems are listed in one error; nothing
    is written); each has an opt-in flag recorded in the written workbook (the
    ``sources`` row's transformation and a ``meta`` key ``import_*``; a key already there
    keeps its old value before the new one):

    1. Aggregates (``--complete-aggregates``, meta ``import_complete_aggregates``). A pair
       whose exporter (or importer) is an aggregate of the model (``ROW``, or a region of
       the base ``regions`` sheet that is one of its economies) is replaced only if the
       file holds every member of the aggregate on that side: every code the ``regions``
       sheet lists for it (if it lists none: every country of the file, in column i or
       j, that goes to it), less the economies of the model, must occur in column i
       (exporter side) or j (importer side) in some row of the year, with any partner
       (490 counts as TWN; a member BACI reports inside another code,
       :data:`~.safeguards.REPORTED_WITH`, e.g. LIE inside 757 Switzerland, counts when
       that code occurs). Otherwise the import is refused, listing per aggregate the
       pairs with their base and file totals and the members present and missing. The
       alternative, subtracting the members' old part from the aggregate's base rows, is
       not done: the base has no member detail (ROW's exports to KOR are one number per
       HS6), so that part could only be guessed, and a guess would silently change the
       rest of the aggregate. A member
       absent from a complete file simply did not trade (e.g. a file filtered on the
       importers, column j): the flag says so.
    2. Low totals (``--allow-low-totals``, meta ``import_low_totals``). A replaced pair
       whose total in the file is below :data:`~.safeguards.MIN_SHARE_OF_BASE` (25%) of
       its base total is refused, listing each pair with both totals and the share. A fall
       to below a quarter is beyond any change of year or price level between BACI and
       the base: it means the file is a partial extract (some exporters, chapters or
       months). Pairs
       above 4x their base total get a note. Pairs new to the base are not checked.
    3. Concordance gaps (``--drop-unmapped-codes``, meta ``import_dropped_codes``): see
       HS revisions below.

WITS / UNCTAD TRAINS tariffs -> ``mfn`` and ``preferences``
    Two layouts are recognised by their headers (see :data:`~.wits.WITS_COLUMNS`): the
    WITS query / DataJob download (``Reporter``, ``Reporter Name``, ``Partner``, ``Partner
    Name``, ``Product``, ``Tariff Year``, ``DutyType``, ``Simple Average``, ``Nbr of
    Total Lines``, ...) and the TRAINS bulk files (``NomenCode``, ``Reporter_ISO_N``,
    ``Year``, ``ProductCode``, ``Partner`` (preference files only), ``SimpleAverage``,
    ``TotalNoOfLines``, ...). Rates are percent and are divided by 100. ``MFN`` rows ->
    ``mfn`` (latest year per importer and product); ``PRF`` rows -> ``preferences`` of
    the agreement given by a program map (partner code or name -> agreement, exporter)
    or by ``agreement``; ``AHS``/``BND`` rows are ignored. Bulk files without a duty type
    column are MFN when they have no ``Partner`` column, else PRF (or ``duty_type``).
    All base ``mfn`` rows of each importer in the file are replaced; all base
    ``preferences`` rows of each (agreement, importer) in the file are replaced.

Any table (``import_table``) -> any contract sheet, with a column mapping. Into ``trade``,
rule 2 (low totals) applies to each replaced group as for BACI.

HS revisions: a download in another HS revision than the base's ``meta hs_revision`` is
refused unless a concordance CSV (columns ``from``, ``to``, optional ``weight``) is given:
values are split over the ``to`` codes (by ``weight``, else equally; the weights of each
``from`` code must sum to 1, else the concordance is refused) and rates averaged.
A code of the download absent from the concordance's ``from`` column is an error listing
the first 20 codes (each at its first row) and their count and value; the concordance must
list unchanged codes too (from = to). With ``drop_unmapped`` (``--drop-unmapped-codes``)
those rows are dropped instead, and what is lost (BACI: the value, total and share of the
file's flows into the importers; WITS: the codes and rows) is reported and recorded. Codes
are never kept in another revision.
"""

from __future__ import annotations

from fta_compare.importers.baci import BACI_CITATION, import_baci
from fta_compare.importers.common import (
    HS_REVISIONS,
    MAX_LISTED,
    NES,
    REPLACE_BY,
    WORLD,
    ImportResult,
    revision,
)
from fta_compare.importers.countries import (
    NUMERIC_NES,
    NUMERIC_SPECIAL,
    TAIWAN_NES,
    CountryCodes,
)
from fta_compare.importers.safeguards import MIN_SHARE_OF_BASE, REPORTED_WITH
from fta_compare.importers.table import import_table, parse_mapping
from fta_compare.importers.wits import WITS_CITATION, WITS_COLUMNS, import_wits_tariffs
from fta_compare.importers.workbook import sha256

__all__ = [
    "BACI_CITATION",
    "HS_REVISIONS",
    "MAX_LISTED",
    "MIN_SHARE_OF_BASE",
    "NES",
    "NUMERIC_NES",
    "NUMERIC_SPECIAL",
    "REPLACE_BY",
    "REPORTED_WITH",
    "TAIWAN_NES",
    "WITS_CITATION",
    "WITS_COLUMNS",
    "WORLD",
    "CountryCodes",
    "ImportResult",
    "import_baci",
    "import_table",
    "import_wits_tariffs",
    "parse_mapping",
    "revision",
    "sha256",
]
