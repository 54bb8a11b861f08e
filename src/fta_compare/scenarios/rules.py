"""Rule tables encoded once on the trade cells' integer codes, and the matcher.

Every schedule-like sheet (``mfn``, ``preferences``, ``duties``, ``utilisation``,
``applied``) is a table of rules: an importer, an exporter (or ``*``), an HS prefix (or
``*``) and a payload. :func:`encode_rules` turns such a table into integer arrays once:
country codes become positions in the cells' country index (text is normalised on the
distinct values only), regions are expanded to their members, and HS codes keep their
text with their length. :func:`match` then finds, for every cell, the best rule with one
hash lookup per (HS length, wildcard pattern): no loop over cells or rules, and no
string work on the hot path.

Priority among rules matching a cell: the longest HS prefix (``*`` last), then exporter
named over ``*``, then importer named over ``*``; among rules with the same key the later
one in the rule order wins. Rules are ordered by ascending rank (a code as written, rank 2,
beats the same code reached through a region, rank 1, which beats ``*``, rank 0), then by
sheet row, so a member's own row beats its region's row at the same HS level and a later
row wins a full tie.

Domestic cells (exporter == importer: domestic or intra-region sales) are matched only by
rules that name that cell explicitly: importer and exporter written as the same code, not
``*`` and not through a region (``ROW``/``ROW`` in an ``applied`` row, as RW-RW in the
GSIM paper's worked example).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from fta_compare.inputs.hs import WILDCARD

NEVER = -2  # country position of a code that no cell uses
ANY = -1  # country position of '*'


class Cells:
    """The trade cells (importer, exporter, hs) encoded as integers, duplicates dropped."""

    def __init__(self, products: pd.DataFrame) -> None:
        ic, iu = pd.factorize(products["importer"])
        ec, eu = pd.factorize(products["exporter"])
        hc, hu = pd.factorize(products["hs"])
        iu, eu = _codes_text(iu), _codes_text(eu)
        self.countries = pd.Index(list(dict.fromkeys([*iu, *eu])), dtype=object)
        ci = self.countries.get_indexer(iu)[ic].astype(np.int64)
        ce = self.countries.get_indexer(eu)[ec].astype(np.int64)
        hsn = np.array([str(h).strip() for h in hu], dtype=object)
        hmap, huniq = pd.factorize(hsn)
        hi = hmap[hc].astype(np.int64)
        nc, nh = len(self.countries), len(huniq)
        first = ~pd.Index((ci * nc + ce) * nh + hi).duplicated()
        self.ci, self.ce, self.hi = ci[first], ce[first], hi[first]
        self.n = len(self.ci)
        self.hs_uniq = pd.Series(np.asarray(huniq, dtype=object), dtype=object)
        self.domestic = self.ci == self.ce
        self._prefix: dict[int, tuple[np.ndarray, pd.Index]] = {}
        self._prefix_pos: dict[int, dict[str, int]] = {}
        self._by_pair: tuple[np.ndarray, np.ndarray] | None = None

    def pair_cells(self, pairs: np.ndarray) -> np.ndarray:
        """Positions (ascending) of the cells whose (importer, exporter) is marked in the
        ``(N, N)`` bool array ``pairs``; costs the cells returned, not all cells."""
        nc = len(self.countries)
        if self._by_pair is None:  # cells grouped by pair once
            key = self.ci * nc + self.ce
            order = np.argsort(key, kind="stable")
            self._by_pair = order, np.searchsorted(key[order], np.arange(nc * nc + 1))
        order, starts = self._by_pair
        on = np.flatnonzero(np.asarray(pairs, dtype=bool).reshape(-1))
        if not on.size:
            return np.zeros(0, dtype=np.int64)
        return np.sort(np.concatenate([order[starts[k]:starts[k + 1]] for k in on]))

    def country_positions(self, codes: np.ndarray) -> np.ndarray:
        """Position of each normalised code; ``*`` -> ANY, a code no cell uses -> NEVER."""
        idx = self.countries.get_indexer(codes).astype(np.int64)
        idx[idx < 0] = NEVER
        idx[codes == WILDCARD] = ANY
        return idx

    def prefix(self, length: int) -> tuple[np.ndarray, pd.Index]:
        """Per distinct HS code, the id of its first ``length`` digits (-1 if shorter)."""
        if length not in self._prefix:
            s = self.hs_uniq
            pre = s.str[:length].where(s.str.len() >= length)
            ids, uniq = pd.factorize(pre)
            self._prefix[length] = (ids.astype(np.int64), pd.Index(uniq))
        return self._prefix[length]


    def prefix_positions(self, length: int, texts: np.ndarray) -> np.ndarray:
        """``prefix(length)[1].get_indexer(texts)`` for HS texts (-1 where no cell's code
        starts with them), through a dict built once per length: the matcher asks this
        for every agreement, and pandas would convert the texts to its string type each
        time."""
        pos = self._prefix_pos.get(length)
        if pos is None:
            pos = self._prefix_pos[length] = {
                t: k for k, t in enumerate(self.prefix(length)[1].tolist())}
        codes, uniq = pd.factorize(np.asarray(texts, dtype=object))
        found = np.fromiter((pos.get(t, -1) for t in uniq.tolist()), dtype=np.int64,
                            count=len(uniq))
        return found[codes] if len(codes) else np.zeros(0, dtype=np.int64)


def _codes_text(values: object) -> np.ndarray:
    """Distinct code values -> stripped upper-case text ('' for missing)."""
    return np.array([("" if v is None or (isinstance(v, float) and v != v) or v is pd.NA
                      else str(v).strip().upper()) for v in np.asarray(values, dtype=object)],
                    dtype=object)


@dataclass(frozen=True)
class Rules:
    """A rule table on integer codes, one row per (source row, region member).

    row       position of the source row in its table (repeated for region members)
    imp, exp  country positions (ANY = '*', NEVER = no cell uses it)
    hs        HS prefix text or '*'; hs_len its length (0 for '*')
    hs_code   position of ``hs`` among the table's distinct HS texts (``hs_text``)
    rank      importer rank + exporter rank (2 as written, 1 through a region, 0 '*')
    domestic  True where the row names a domestic cell explicitly (see module docstring)

    ``hs_text`` and the prefix positions found for it (``prefix_ids``) belong to the whole
    table: :meth:`take` shares them, so each HS length is looked up once per table.
    """

    row: np.ndarray
    imp: np.ndarray
    exp: np.ndarray
    hs: np.ndarray
    hs_len: np.ndarray
    rank: np.ndarray
    domestic: np.ndarray
    hs_code: np.ndarray
    hs_text: np.ndarray
    _prefix_ids: dict[int, np.ndarray] = field(default_factory=dict, repr=False,
                                               compare=False)

    def __len__(self) -> int:
        return len(self.row)

    def take(self, idx: np.ndarray) -> Rules:
        """The rules at positions (or a mask) ``idx``, order kept."""
        return Rules(*(a[idx] for a in (self.row, self.imp, self.exp, self.hs, self.hs_len,
                                        self.rank, self.domestic, self.hs_code)),
                     self.hs_text, self._prefix_ids)

    def by_priority(self) -> Rules:
        """Rules in ascending priority (rank, then source row): later rules win ties."""
        return self.take(np.lexsort((self.row, self.rank)))

    def prefix_ids(self, cells: Cells, length: int) -> np.ndarray:
        """Per rule, the id of its HS text among the cells' ``length``-digit prefixes
        (:meth:`Cells.prefix`; -1 where no cell's code starts with it)."""
        ids = self._prefix_ids.get(length)
        if ids is None:
            ids = self._prefix_ids[length] = cells.prefix_positions(length, self.hs_text)
        return ids[self.hs_code]


def _expand(codes: np.ndarray, uniq: np.ndarray, cells: Cells,
            regions: Mapping[str, tuple[str, ...]]) -> tuple[np.ndarray, ...]:
    """Per source row: (row repeat index, position, rank) with regions expanded."""
    pos_u = cells.country_positions(uniq)
    rank_u = np.where(uniq == WILDCARD, 0, 2)
    lists: list[list[tuple[int, int]]] = []
    for u, p, r in zip(uniq, pos_u, rank_u, strict=True):
        entries = [(int(p), int(r))]
        entries += [(int(m), 1) for m in cells.country_positions(
            np.array(regions.get(u, ()), dtype=object))]
        lists.append(entries)
    count = np.array([len(x) for x in lists], dtype=np.int64)
    flat_pos = np.array([p for x in lists for p, _ in x], dtype=np.int64)
    flat_rank = np.array([r for x in lists for _, r in x], dtype=np.int64)
    start = np.concatenate([[0], np.cumsum(count)[:-1]])
    n_rows = count[codes]
    rep = np.repeat(np.arange(len(codes)), n_rows)
    offset = np.arange(len(rep)) - np.repeat(np.cumsum(n_rows) - n_rows, n_rows)
    k = start[codes][rep] + offset
    return rep, flat_pos[k], flat_rank[k]


def _column_codes(df: pd.DataFrame, col: str, blank: str = "") -> tuple[np.ndarray, ...]:
    codes, uniq = pd.factorize(df[col], use_na_sentinel=False)
    text = _codes_text(uniq)
    if blank:
        text = np.where(text == "", blank, text).astype(object)
    return codes.astype(np.int64), text


def encode_rules(df: pd.DataFrame, cells: Cells, regions: Mapping[str, tuple[str, ...]],
                 exporter: str | None = "exporter", blank_exporter: str = "") -> Rules:
    """Encode ``df``'s importer, exporter (``None``: every rule is ``*``) and hs columns.

    ``blank_exporter``: the code a blank exporter cell stands for (``*`` in preferences).
    """
    n = len(df)
    if n == 0:
        e64, eo = np.zeros(0, dtype=np.int64), np.zeros(0, dtype=object)
        return Rules(e64, e64, e64, eo, e64, e64, np.zeros(0, dtype=bool), e64, eo)
    ic, iu = _column_codes(df, "importer")
    i_rep, imp, i_rank = _expand(ic, iu, cells, regions)
    written_i = iu[ic][i_rep]
    if exporter is None:
        rep = i_rep
        exp = np.full(len(rep), ANY, dtype=np.int64)
        e_rank = np.zeros(len(rep), dtype=np.int64)
        written_e = np.full(len(rep), WILDCARD, dtype=object)
    else:
        ec, eu = _column_codes(df, exporter, blank_exporter)
        e_rep, exp_all, e_rank_all = _expand(ec[i_rep], eu, cells, regions)
        rep = i_rep[e_rep]
        imp, i_rank, written_i = imp[e_rep], i_rank[e_rep], written_i[e_rep]
        exp, e_rank = exp_all, e_rank_all
        written_e = eu[ec][rep]
    hc, hu = pd.factorize(df["hs"], use_na_sentinel=False)
    hmap, hs_u = pd.factorize(np.array([str(h).strip() for h in hu], dtype=object))
    hs_u = np.asarray(hs_u, dtype=object)
    len_u = np.array([0 if h == WILDCARD else len(h) for h in hs_u], dtype=np.int64)
    hs_code = hmap[hc[rep]].astype(np.int64)
    hs, hs_len = hs_u[hs_code], len_u[hs_code]
    domestic = ((written_i == written_e) & (written_e != WILDCARD) & (i_rank == 2)
                & (e_rank == 2))
    return Rules(row=rep.astype(np.int64), imp=imp, exp=exp, hs=hs, hs_len=hs_len,
                 rank=i_rank + e_rank, domestic=np.asarray(domestic, dtype=bool),
                 hs_code=hs_code, hs_text=hs_u)


def _key(i: np.ndarray | int, e: np.ndarray | int, p: np.ndarray, nc: int, npre: int
         ) -> np.ndarray:
    return ((np.asarray(i) + 1) * nc + (np.asarray(e) + 1)) * npre + p


def match(cells: Cells, ci: np.ndarray, ce: np.ndarray, hi: np.ndarray, rules: Rules
          ) -> np.ndarray:
    """Position in ``rules`` of the best rule for each cell (``ci``, ``ce``, ``hi``), -1 if none.

    ``rules`` must be in ascending priority (:meth:`Rules.by_priority`). Cells are matched
    as given: callers pick the domestic cells and the rules that may tax them.
    """
    n = len(ci)
    out = np.full(n, -1, dtype=np.int64)
    if n == 0 or len(rules) == 0:
        return out
    r_i, r_e, r_len = rules.imp, rules.exp, rules.hs_len
    valid = (r_i >= ANY) & (r_e >= ANY)
    nc = len(cells.countries) + 1
    for length in sorted(set(r_len[valid].tolist()), reverse=True):
        rows = np.flatnonzero(valid & (r_len == length))
        if length:
            pid_u, pidx = cells.prefix(length)
            c_pid = pid_u[hi]
            r_pid = rules.prefix_ids(cells, length)[rows]
            npre = len(pidx) + 1
        else:
            c_pid = np.zeros(n, dtype=np.int64)
            r_pid = np.zeros(len(rows), dtype=np.int64)
            npre = 1
        keep = r_pid >= 0
        rows, r_pid = rows[keep], r_pid[keep]
        for e_star in (False, True):
            for i_star in (False, True):
                g = ((r_e[rows] < 0) == e_star) & ((r_i[rows] < 0) == i_star)
                if not g.any():
                    continue
                gr, gp = rows[g], r_pid[g]
                rk = _key(ANY if i_star else r_i[gr], ANY if e_star else r_e[gr], gp, nc, npre)
                last = ~pd.Index(rk).duplicated(keep="last")
                gr, rk = gr[last], rk[last]
                open_ = np.flatnonzero((out < 0) & (c_pid >= 0))
                if open_.size == 0:
                    return out
                ck = _key(ANY if i_star else ci[open_], ANY if e_star else ce[open_],
                          c_pid[open_], nc, npre)
                hit = pd.Index(rk).get_indexer(ck)
                ok = hit >= 0
                out[open_[ok]] = gr[hit[ok]]
    return out


def match_cells(cells: Cells, rules: Rules, subset: np.ndarray | None = None,
                domestic: bool = True) -> tuple[np.ndarray, np.ndarray]:
    """(cell positions, rule positions) of every cell a rule covers.

    Non-domestic cells take their best rule; a domestic cell only a rule naming it
    explicitly (``rules.domestic``), and none when ``domestic`` is False.
    ``subset``: optional cell positions to consider.
    """
    pos = np.arange(cells.n) if subset is None else np.asarray(subset, dtype=np.int64)
    dom = cells.domestic[pos]
    out_pos, out_rule = [], []
    foreign = pos[~dom]
    m = match(cells, cells.ci[foreign], cells.ce[foreign], cells.hi[foreign], rules)
    out_pos.append(foreign[m >= 0])
    out_rule.append(m[m >= 0])
    if domestic and dom.any() and rules.domestic.any():
        home = pos[dom]
        which = np.flatnonzero(rules.domestic)
        md = match(cells, cells.ci[home], cells.ce[home], cells.hi[home], rules.take(which))
        out_pos.append(home[md >= 0])
        out_rule.append(which[md[md >= 0]])
    return np.concatenate(out_pos), np.concatenate(out_rule)
