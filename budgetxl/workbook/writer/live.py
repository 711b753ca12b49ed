"""The check column of the project and unit sheets, and the red cells: the live checks
(rules.live) written as formulas, with cached values computed from what was written.

Fields and the spending plan have one check cell per row, with formulas on their cells. A block
that grows (a list, the indicator table) is checked over its whole range, from its first row to
the row after it, so that a row the clerk inserts anywhere inside it, or just below it, is in the
range; its rows are checked by *defined names* whose references are relative to the row that
uses them (``BX_ROW0`` is "this row", ``BX_ROW1`` the row below, …). Every check cell of a block
shows its own row and the rows between it and the next check cell, which are rows the clerk
inserted: an inserted row's problems show with its own address, right above it, without a
formula to copy. Up to GAP inserted rows in one place are checked; a notice says when more are.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any, Callable

from ...cells import a1, col_letter, parse_a1
from ...form.layout import LIST_NUMBER_COL
from ...rules.live import SEP, LiveBlock, LiveCheck, LiveItem, LiveRow, blank, check_terms, check_value, checks, warn_mark
from ...rules.registry import severity
from ..xlsx import SheetWriter

CHECK_WIDTH = 34
GAP = 3  # inserted rows in one place that the check cell above still checks
INLINE = 70  # a shared part of a row's checks this short is written where used, not named
# The most one formula may hold, in UTF-8 bytes (a CJK character counts 3): well within what
# LibreOffice still writes into an .xls (BIFF8 keeps a formula's tokens and strings in one record;
# beyond, it writes =NA()). Longer check texts are split over names or hidden cells and joined.
FORMULA_BUDGET = 1500


_RANKED = re.compile(r"\bBY([A-Z])_")


def ranked(base: str, formula: str) -> str:
    """The name a live-check name ``BX_…`` is defined under: ``BY`` and a letter one past the
    deepest such name its formula uses (BYA_0_C, BYB_0__T, …). LibreOffice keeps names sorted and
    writes them so into an .xls, which it cannot read back when a name uses one defined after it:
    sorted by these letters, every name comes after the names it uses, and after the lists' BX_*."""
    if base.startswith("BY"):
        return base
    depth = max((ord(letter) - 64 for letter in _RANKED.findall(formula)), default=0)
    if depth >= 26:
        raise ValueError(f"live-check names nest too deep at {base}")
    return f"BY{chr(65 + depth)}{base[2:]}"


def _weight(text: str) -> int:
    return len(text.encode("utf-8"))


def chunks(terms: list[str]) -> list[str]:
    """Terms joined with & into pieces of at most FORMULA_BUDGET."""
    out: list[list[str]] = []
    size = 0
    for t in terms:
        w = _weight(t) + 1
        if not out or size + w > FORMULA_BUDGET:
            out.append([])
            size = 0
        out[-1].append(t)
        size += w
    return ["&".join(piece) for piece in out]


def check_column(template: Any) -> int:
    """The column right of the form that holds the checks."""
    return template.project.width


def quote_sheet(sheet: str) -> str:
    return "'" + sheet.replace("'", "''") + "'"


@dataclass
class CheckSheet:
    """One sheet's check column being written."""

    book: Any
    w: SheetWriter
    sheet: str
    col: int
    used: str | None = None  # Excel condition: the sheet is in use (a spare sheet may not be)
    used_now: bool = True
    problems: int = 0  # what the cells show now (cached values)
    warnings: int = 0
    defined: set[str] = field(default_factory=set)
    helpers: int = GAP  # the hidden columns right of the check column in use

    @property
    def lang(self) -> str:
        return self.book.lang

    def is_warning(self, c: LiveCheck) -> bool:
        return severity(c.rule, c.variant, self.book.template) == "warning"

    def terms(self, items: list[LiveCheck]) -> list[str]:
        return check_terms(items, self.lang, self.is_warning)

    def joined(self, prefix: str, items: list[LiveCheck]) -> str:
        """The check text of ``items`` as names ``prefix1``, ``prefix2``, … joined (one if it fits)."""
        parts = chunks(self.terms(items))
        if len(parts) <= 1:
            return parts[0] if parts else '""'
        return "&".join(self.define(f"{prefix}{k}", part) for k, part in enumerate(parts, start=1))

    def get(self, ref: str) -> Any:
        return self.w.get(ref.replace("$", ""))

    def cached(self, items: list[LiveCheck], used: bool = True) -> str:
        return check_value(items, self.get, self.lang, self.is_warning, used and self.used_now)

    def gated(self, text: str) -> str:
        return f'IF({self.used},{text},"")' if self.used and text else text

    def cell(self, row: int, terms: list[str], tail: str, cached: str) -> None:
        """The check cell of ``row``: ``terms`` (each gated by the sheet's use), then ``tail``.
        Terms beyond one formula's budget go into hidden cells right of the gap columns."""
        self.problems += cached.count(SEP)
        self.warnings += cached.count(warn_mark(self.lang))
        parts = [self.gated(p) for p in chunks(terms)]
        small = self.book.memo.get("gap-format") or self.book.memo.setdefault("gap-format", self.book.styles.get(font_size=8))
        for k, part in enumerate(parts[1:], start=GAP + 1):
            self.w.ws.write_formula(row, self.col + k, "=" + part, small, "")
            self.helpers = max(self.helpers, k)
        pieces = parts[:1] + [a1(row, self.col + k) for k in range(GAP + 1, GAP + len(parts))] + ([tail] if tail else [])
        fmt = self.book.styles.get(font_color="#C00000", font_size=9, text_wrap=True, valign="vcenter")
        self.w.ws.write_formula(row, self.col, "=" + ("&".join(pieces) or '""'), fmt, cached)

    # -- cells with their own checks ------------------------------------------------------------------
    def fixed_rows(self, items: list[LiveCheck]) -> None:
        """One check cell per row of the targets of ``items`` (fields, the spending plan)."""
        by_row: dict[int, list[LiveCheck]] = {}
        for c in items:
            by_row.setdefault(parse_a1(c.target)[0], []).append(c)
        for r, cs in sorted(by_row.items()):
            self.cell(r, self.terms(cs), "", self.cached(cs))
            self.red(cs, self.used)

    def red(self, items: list[LiveCheck], used: str | None, first: int | None = None, last: int | None = None,
            extra: str | None = None) -> None:
        """The offending cells turn red (yellow for warnings): one rule per target cell, or per
        column over rows first..last with references relative to ``first``."""
        by_target: dict[tuple[str, bool], list[str]] = {}
        for c in items:
            if "!" in c.excel:  # (Excel 2007 refuses other sheets in conditional formats)
                continue
            by_target.setdefault((c.target, self.is_warning(c)), []).append(c.excel)
        ws = self.w.ws
        for (target, warn), conditions in sorted(by_target.items(), key=lambda t: t[0][1], reverse=True):
            r, c = parse_a1(target)
            criteria = f"OR({','.join(conditions)})"
            for cond in (used, extra):
                if cond:
                    criteria = f"AND({cond},{criteria})"
            fmt = self.book.warn if warn else self.book.bad
            top = r if first is None else first
            ws.conditional_format(top, c, r if last is None else last, c,
                                  {"type": "formula", "format": fmt, "criteria": "=" + criteria})

    # -- blocks checked by relative names ----------------------------------------------------------------
    def define(self, base: str, formula: str) -> str:
        """A defined name of this sheet (references in it relative to the row that uses it);
        returns the name it is defined under (see :func:`ranked`)."""
        name = ranked(base, formula)
        if name not in self.defined:
            self.defined.add(name)
            # (straight into xlsxwriter's list: its define_name() parses "Sheet!name" and so cannot
            # scope a name to a sheet whose name holds a "!"; our names are plain ASCII words)
            self.book.wb.defined_names.append([name, self.w.ws.index, formula, False])
        return name

    def let(self, key: str, expr: str) -> str:
        """A name for a part of this sheet's checks (absolute, qualified references in ``expr``)."""
        return self.define(f"BX_S__{key}", expr)

    def qualify(self, ref: str) -> str:
        """A cell of this sheet as a name's formula refers to it: 'Sheet'!$B$7."""
        return f"{quote_sheet(self.sheet)}!{anchor_abs(ref)}"

    def rel(self, col: int, row1: int) -> str:
        """A reference for a name: this column, ``row1 - 1`` rows below the row using the name."""
        return f"{quote_sheet(self.sheet)}!${col_letter(col)}{row1}"

    def alias(self, prefix: str, col: int, row1: int) -> str:
        """A name standing for a cell of a row: ``BYA_0_C`` is column C of the row using it."""
        return self.define(f"{prefix}_{col_letter(col)}", self.rel(col, row1))

    def gap_cells(self, names: list[str], row: int, next_row: int, start: int = 1) -> str:
        """This cell's share of a block: the rows from ``start`` below it to the next check cell
        (rows the clerk inserted), each checked in a hidden column beside the check column (a cell
        expands only one row's names: LibreOffice inlines them), joined into the check cell."""
        d = f"IFERROR(ROW({a1(next_row, self.col)})-ROW(),1)"
        fmt = self.book.memo.get("gap-format") or self.book.memo.setdefault("gap-format", self.book.styles.get(font_size=8))
        for j in range(start, GAP + 1):
            self.w.ws.write_formula(row, self.col + j, f'=IF({d}>{j},{names[j]},"")', fmt, "")
        notice = self.book.memo.get("overflow")
        if notice is None:
            notice = self.book.memo["overflow"] = self.book.text("workbook.live-overflow", n=GAP).replace('"', '""')
        joined = "&".join(a1(row, self.col + j) for j in range(start, GAP + 1))
        return f'{joined}&IF({d}>{GAP + 1},"{notice}","")'


def _dummy(key: str, expr: str) -> str:
    return "0"  # (a check built for its Python twin only: its Excel text is never written)


def _row_names(cs: CheckSheet, cols: list[tuple[Any, int]], total: bool) -> tuple[list[tuple[str, str]], dict, dict]:
    """The names checking a table row (the same on every project sheet: they refer to the sheet's
    own cells through its aliases BYA_<j>_<column> and BYA_TOTAL), the names of the rows' checks
    and of "row in use" by offset, and the red-cell conditions."""
    key = ("row-names", tuple(c for _, c in cols), total)
    if key in cs.book.memo:
        return cs.book.memo[key]
    t, out, red, finals = cs.book.template, {}, {}, {}
    last_col = col_letter(max(c for _, c in cols))
    for j in range(GAP + 1):

        def let(k: str, expr: str, j: int = j) -> str:
            if len(expr) <= INLINE and k != "USED":  # (a short part costs less written where it is used)
                return f"({expr})"
            name = ranked(f"BX_{j}__{k}", expr)
            out.setdefault(name, expr)
            return name

        alias = {c: ranked(f"BX_{j}_{col_letter(c)}", "") for _, c in cols}
        target = LiveRow(t, [(f, alias[c]) for f, c in cols], ranked("BX_TOTAL", "") if total else None, let)
        items = checks("row", target)
        used = let("USED", f"COUNTA({alias[cols[0][1]]}:{ranked(f'BX_{j}_{last_col}', '')})>0")
        parts = [let(f"R{k}", part) for k, part in enumerate(chunks(cs.terms(items)), start=1)]
        finals[("row", j)] = let("ROW", f'IF({used},{"&".join(parts) or chr(34) * 2},"")')
        finals[("used", j)] = used
        if j == 0:
            for c in items:
                red.setdefault((c.target.rsplit("_", 1)[1], cs.is_warning(c)), []).append(c.excel)
    cs.book.memo[key] = (list(out.items()), finals, red)
    return cs.book.memo[key]


def _row_twins(cs: CheckSheet, cols: list[tuple[Any, int]], total: bool) -> list[LiveCheck]:
    """A table row's checks for their Python twins: targets are column letters (and TOTAL)."""
    key = ("row-twins", tuple(c for _, c in cols), total)
    if key not in cs.book.memo:
        target = LiveRow(cs.book.template, [(f, col_letter(c)) for f, c in cols], "TOTAL" if total else None, _dummy)
        cs.book.memo[key] = checks("row", target)
    return cs.book.memo[key]


def write_table(cs: CheckSheet, table: Any, anchor: str, total_ref: tuple[int, int] | None,
                extra: dict[int, list[LiveCheck]] | None = None) -> None:
    """The indicator table: the header's cell checks the table as a whole, each row its row (with
    the names of :func:`_row_names`, one set per row offset 0…GAP), then ``extra``, the checks of
    that row's own cells (a later stage's issued values)."""
    extra = extra or {}
    sentinel, cols = table.last + 1, table.columns
    names, finals, red = _row_names(cs, cols, total_ref is not None)
    for j in range(GAP + 1):
        for _, c in cols:
            cs.alias(f"BX_{j}", c, 1 + j)
    if total_ref is not None:
        cs.define("BX_TOTAL", f"{quote_sheet(cs.sheet)}!{a1(*total_ref, True)}")
    for name, formula in names:
        cs.define(name, formula)
    rows = [finals[("row", j)] for j in range(GAP + 1)]
    block = _table_block(cs, table, anchor, sentinel)
    items = checks("table", block)
    cs.cell(table.top, cs.terms(items), cs.gap_cells(rows, table.top, table.first), cs.cached(items))
    cs.red(items, cs.used)
    twins, lang, total = _row_twins(cs, cols, total_ref is not None), cs.lang, a1(*total_ref) if total_ref else None
    for r in range(table.first, table.last + 1):
        def g(ref: str, r: int = r) -> Any:
            return cs.get(total if ref == "TOTAL" else f"{ref}{r + 1}")

        used_now = cs.used_now and any(not blank(cs.get(a1(r, c))) for _, c in cols)
        cached = "".join(f"{c.target}{r + 1} {c.text(lang, cs.is_warning(c))}{SEP}"
                         for c in twins if used_now and c.holds(g))
        own = extra.get(r, [])
        cs.cell(r, [rows[0], *cs.terms(own)], cs.gap_cells(rows, r, r + 1), cached + cs.cached(own))
        cs.red(own, cs.used)
    inside = f"ROW(A{table.top + 1})>ROW($A${table.top + 1}),ROW(A{table.top + 1})<ROW($A${sentinel + 1})"
    for (letter, warn), conditions in red.items():
        name = cs.define(f"BX_0__RED{letter}{'W' if warn else ''}", f"OR({','.join(conditions)})")
        c = next(c for _, c in cols if col_letter(c) == letter)
        cs.w.ws.conditional_format(table.top, c, sentinel, c, {
            "type": "formula", "format": cs.book.warn if warn else cs.book.bad,
            "criteria": f"=AND({inside},{finals[('used', 0)]},{name})"})


def _table_block(cs: CheckSheet, table: Any, anchor: str, sentinel: int) -> LiveBlock:
    columns = {f.key: f"${col_letter(c)}${table.top + 1}:${col_letter(c)}${sentinel + 1}" for f, c in table.columns}
    # The sentinel row (the next block's first, e.g. 上年项目编码) only anchors the range, so that rows
    # inserted above it are inside; it is no indicator row itself.
    rng = f"ROW($A${table.top + 1}:$A${sentinel + 1})"
    inside = f"({rng}>ROW({anchor_abs(anchor)}))*({rng}<ROW($A${sentinel + 1}))"
    rows = [{f.key: a1(r, c) for f, c in table.columns} for r in range(table.first, table.last + 1)]
    return LiveBlock(cs.book.template, table.spec, anchor, columns, inside, rows)


def anchor_abs(ref: str) -> str:
    r, c = parse_a1(ref)
    return a1(r, c, True)


def write_list(cs: CheckSheet, place: Any, n: int, text_col: int, sentinel: int) -> None:
    """A list block: its first row's cell checks the block (at least one item), every row its text
    (with the names BX_ITEM<n>_0…)."""
    t = cs.book.template
    names = []
    for j in range(GAP + 1):
        item = LiveItem(t, place.spec, cs.alias(f"BX_I{n}_{j}", text_col, 1 + j))
        names.append(cs.define(f"BX_ITEM{n}_{j}", cs.joined(f"BX_I{n}_{j}__R", checks("item", item))))
    top, last = place.top, place.top + place.height - 1
    letter = col_letter(text_col)
    rng = f"${letter}${top + 1}:${letter}${sentinel + 1}"
    inside = f"ROW({rng})<ROW(${letter}${sentinel + 1})"
    rows = [{"text": a1(r, text_col)} for r in range(top, last + 1)]
    block = LiveBlock(t, place.spec, a1(top, text_col), {"text": rng}, inside, rows)
    items = checks("list", block)
    for r in range(top, last + 1):
        own = checks("item", LiveItem(t, place.spec, a1(r, text_col)))
        tail = cs.gap_cells(names, r, r + 1 if r < last else sentinel)
        if r == top:
            cs.cell(r, cs.terms(items) + [names[0]], tail, cs.cached(items) + cs.cached(own))
        else:
            cs.cell(r, [names[0]], tail, cs.cached(own))
    cs.red(items, cs.used)
    first = checks("item", LiveItem(t, place.spec, a1(top, text_col)))
    cs.red(first, None, top, sentinel, f"ROW({letter}{top + 1})<ROW(${letter}${sentinel + 1})")
    _numbers(cs, top, sentinel, text_col, place.height)


def _numbers(cs: CheckSheet, top: int, sentinel: int, col: int, height: int) -> None:
    """An inserted row has no number formula (see blocks.write_list): its text shows the number
    in front ("4. …", a number format set by a conditional format). (LibreOffice drops such number
    formats when it re-saves an .xlsx; the other rows keep their numbers.)"""
    letter, number = col_letter(col), col_letter(LIST_NUMBER_COL)
    for k in range(1, height + GAP + 1):
        cs.w.ws.conditional_format(top, col, sentinel, col, {
            "type": "formula", "format": cs.book.number_format(k),
            "criteria": f"=AND(ISBLANK({number}{top + 1}),ROW({letter}{top + 1})<ROW(${letter}${sentinel + 1}),"
                        f"ROW({letter}{top + 1})-ROW(${letter}${top + 1})+1={k})"})
