"""An indicator table whose cells were flattened into lines (text taken from a PDF).

The extraction printed each cell's wrapped lines one after another, and cells that shared a
baseline on one line with spaces between them. Which lines make which cell is decided here by
the cheapest division of the whole table into rows of the layout's columns:

- a 一级/二级指标, 计算符号 or 方向 cell must be a known word (its lines joined);
- a 指标值 cell must read as a value (a number with a short unit, a deadline, a known text value);
- in a wrapped cell every line but the last is about as wide as the widest line after it (text
  is wrapped at the cell's width), and the last line may be short;
- two spaces, or one space between two Chinese characters, always separate cells; a line break
  or one space next to a digit may or may not;
- an empty 描述, 依据 or unit cell costs a little, a 描述 equal to the 三级指标 earns a little, a
  known 依据 or unit earns a little.
"""

from __future__ import annotations

import math
import re
import unicodedata
from dataclasses import dataclass

from .adapter import parse_value, to_decimal
from .layout import Column
from .text import canon, squeeze, width
from .vocab import Vocab

INF = math.inf
NL, HARD, SOFT = "nl", "hard", "soft"

# column field -> (kind, most atoms a cell may take, cost when the cell is empty or None if it may not be)
KINDS: dict[str, tuple[str, int, float | None]] = {
    "level1": ("level", 4, 0.15), "level2": ("level", 4, 0.15), "op": ("op", 3, 0.4),
    "direction": ("direction", 3, 0.4), "value": ("value", 6, None), "number": ("number", 4, None),
    "unit": ("unit", 2, 0.4), "weight": ("weight", 2, 1.0), "name": ("free", 14, None),
    "description": ("free", 18, 0.7), "basis": ("free", 10, 0.9),
}
MAX_ATOMS = 6000  # pieces of text in one flattened table (the seed's largest has about 60)
EMPTY_ROW = 0.8  # a 二级指标 printed with nothing beside it
WRAP_BREAK = 3.0  # a wrapped line narrower than a later line of the same cell
FULL_LAST = 1.2  # a cell's only line as wide as its column's wrapped lines: it probably goes on
TOO_WIDE = 2.0  # a line wider than its column's wrapped lines: it is not in that column
_NO_START = set("%％)）]】、，。；：;:,.")
SHORT_DESCRIPTION = 0.8  # a 描述 of one to three characters: more likely the end of the 三级指标
_DATE_HEAD = re.compile(r"^[年月日号](?:底|末|前|内|份|中|之前)")
_DATE_TAIL = re.compile(r"\d+\s*[年月]?$")
_PURE_VALUE = re.compile(r"^[≥≤><＝=]?\d+(?:\.\d+)?%?$")
# how a deadline value starts: 2024年底前, 12月底前完成, 每月25日前, 不超过12月份, 按时, 年内 …
_DEADLINE_START = re.compile(
    r"^(?:\d|每|不超过|不晚于|不迟于|截至|截止|在|于|按时|及时|当年|年底|年末|年内|年度内|本年|全年|次年|上半年|"
    r"下半年|[一二三四五六七八九十]{1,2}月)"
)


@dataclass
class Atom:
    text: str
    line: int
    sep: str  # what separates it from the previous atom: nl, hard or soft


def atoms_of(lines: list[str]) -> list[Atom]:
    atoms: list[Atom] = []
    for li, line in enumerate(lines):
        pieces = re.split(r"(\s+)", line.strip())
        sep = NL
        for k in range(0, len(pieces), 2):
            tok = pieces[k]
            if not tok:
                continue
            if k:
                space = pieces[k - 1]
                prev = pieces[k - 2][-1]
                hard = len(space) >= 2 or (_wide(prev) and _wide(tok[0]))
                sep = HARD if hard else SOFT
            atoms.append(Atom(tok, li, sep))
    return atoms


def _wide(c: str) -> bool:
    """A Chinese character (not a full-width digit, sign or punctuation mark)."""
    return unicodedata.east_asian_width(c) == "W" and unicodedata.category(c) == "Lo"


class Cell:
    """Atoms i..j-1 as one cell: its text and its lines."""

    def __init__(self, atoms: list[Atom], i: int, j: int):
        self.lines: list[str] = []
        for a in atoms[i:j]:
            if not self.lines or a.sep == NL:
                self.lines.append(a.text)
            else:
                self.lines[-1] += " " + a.text
        self.text = "".join(squeeze(s) for s in self.lines)


class FlatTable:
    def __init__(self, lines: list[str], columns: list[Column], vocab: Vocab):
        self.atoms = atoms_of(lines)
        self.columns = columns
        self.vocab = vocab
        self.n = len(self.atoms)
        self._cache: dict[tuple[int, int, int], float] = {}
        self.widths: dict[int, float] = {}  # column -> width its text wraps at (second pass)
        self.index = {c.field: k for k, c in enumerate(columns)}
        self._values: dict[tuple[str, bool], float] = {}
        self.op_words = tuple(w for w in vocab.ops if len(w) > 1)
        self._cells: dict[tuple[int, int], Cell] = {}
        self._lines: dict[str, float] = {}

    def cell(self, i: int, j: int) -> Cell:
        if (i, j) not in self._cells:
            self._cells[(i, j)] = Cell(self.atoms, i, j)
        return self._cells[(i, j)]

    # ---- cell costs -----------------------------------------------------------------------------
    def cost(self, c: int, i: int, j: int) -> float:
        key = (c, i, j)
        if key not in self._cache:
            self._cache[key] = self._cost(self.columns[c].field, self.cell(i, j))
        return self._cache[key]

    def _cost(self, field: str, cell: Cell) -> float:
        kind = KINDS[field][0]
        text = cell.text
        if kind == "level":
            which, _ = self.vocab.level(text)
            if which != field:
                return INF
            own = canon(text) in (self.vocab.level1 if field == "level1" else self.vocab.level2)
            return (0.0 if own else 0.5) + self._wrap(cell)
        if kind == "op":
            return 0.0 if canon(text) in self.vocab.ops else INF
        if kind == "direction":
            return 0.0 if canon(text) in self.vocab.directions else INF
        if kind == "value":
            return self._value(text) + self._wrap(cell)
        if kind == "number":
            if to_decimal(text.replace(",", "")) is not None:
                return 0.0
            # a text value (its 计算符号 says 定性): a deadline, a known word, or any short text
            known = self._value(text, free=False)
            short = 1.0 if len(text) <= 12 and not re.search(r"[，。；]", text) else INF
            return min(known + 0.3, short) + self._wrap(cell) + self._misplaced_value(text)
        if kind == "unit":
            if text in self.vocab.units:
                return 0.0
            return 0.6 if len(text) <= 4 and not re.search(r"[\d，。；、]", text) else INF
        if kind == "weight":
            return 0.0 if to_decimal(text) is not None else INF
        return self._free(field, cell)

    def _value(self, text: str, free: bool = True) -> float:
        """How well ``text`` reads as a 指标值; ``free``: any short text may be one (at a cost)."""
        key = (text, free)
        if key not in self._values:
            self._values[key] = self._value_cost(text, free)
        return self._values[key]

    def _value_cost(self, text: str, free: bool) -> float:
        v = parse_value(text)
        if v["kind"] == "quantitative":
            unit = v["unit"]
            if unit is None:
                return 0.0 if v["op"] != "＝" else 0.8  # a bare number: more often a piece of a value
            if unit in self.vocab.units:
                return 0.0
            return 0.6 if len(unit) <= 4 and not re.search(r"[，。；、（）()]", unit) else INF
        if canon(text) in self.vocab.qualitative:
            return 0.5
        if v["kind"] == "deadline" and len(text) <= 12 and _DEADLINE_START.match(text):
            return 0.3
        if free and 2 <= len(text) <= 10 and not re.search(r"[\d，。；、]", text) and text[0] not in "前后底末份" \
                and self._misplaced_value(text) == 0:
            return 1.2  # some other text value (明显下降)
        return INF

    def _misplaced_value(self, text: str) -> float:
        return 5.0 if self.vocab.level(text)[0] or canon(text) in self.vocab.ops else 0.0

    def _wrap(self, cell: Cell) -> float:
        w = [width(s) for s in cell.lines]
        return sum(WRAP_BREAK for k in range(len(w) - 1) if w[k] < max(w[k + 1:]) - 1.0)

    def _free(self, field: str, cell: Cell) -> float:
        cost = self._wrap(cell) + self._misplaced(cell)
        if field == "description" and width(cell.text) <= 3:
            cost += SHORT_DESCRIPTION
        wrap_at = self.widths.get(self.index[field])
        if wrap_at and cell.lines:
            if width(cell.lines[-1]) >= wrap_at - 0.5:
                cost += FULL_LAST if len(cell.lines) == 1 else FULL_LAST / 3
            cost += TOO_WIDE * sum(width(s) > wrap_at + 1.0 for s in cell.lines)
        if field == "basis":
            cost += -0.5 if canon(cell.text) in self.vocab.bases else 0.0
            if cell.lines and self._value(cell.lines[0], free=False) < INF:
                cost += 1.0  # a 依据 that starts like a value: the value probably goes on
        return cost

    def _misplaced(self, cell: Cell) -> float:
        """Pieces of other cells inside a free-text cell: a 一级/二级指标 (its lines, perhaps
        wrapped), a whole value, a comparison or a date that a value goes on with."""
        lines = cell.lines
        cost = sum(self._line_cost(s) for s in lines)
        for i in range(len(lines) - 1):
            for j in range(i + 2, min(len(lines), i + 3) + 1):
                if self.vocab.level("".join(lines[i:j]))[0]:
                    cost += 5.0
        text = cell.text
        if text and (text[-1] in "≥≤><＝=＞＜" or text.endswith(self.op_words)):
            cost += 5.0  # a comparison belongs to the value after it
        if text and text[0] in _NO_START:
            cost += 3.0  # a cell does not start with a closing mark or a unit sign
        if _DATE_HEAD.match(text):
            cost += 2.0  # 月底前完成: the rest of a date
        if _DATE_TAIL.search(text):
            cost += 1.0  # …2024年: the start of a date
        if text and len(text) <= 8 and self._value(text, free=False) < INF:
            cost += 1.5  # reads as a value (每季度末前, ≥90%): probably (the start of) one
        return cost

    def _line_cost(self, line: str) -> float:
        """What one line of a free-text cell says about it belonging elsewhere."""
        if line in self._lines:
            return self._lines[line]
        cost = 0.0
        tail = line.rsplit(" ", 1)[-1]
        c = canon(line)
        if self.vocab.level(line)[0]:
            cost += 5.0  # a 一级/二级指标
        if _PURE_VALUE.match(line.replace(" ", "")):
            cost += 2.0
        elif len(tail) <= 12 and self._value(tail, free=False) < INF:
            cost += 1.5  # a line (or its last piece) that reads as a value: probably one
        if self.vocab.level_piece(line):
            cost += 2.0  # 可持续影响 / 指标: a piece of a wrapped 二级指标
        if c in self.vocab.ops or c in self.vocab.directions:
            cost += 3.0  # 定性 / ≥ / 正向指标 on a line of its own: a cell of its own
        self._lines[line] = cost
        return cost

    def cell_ends(self, i: int, most: int) -> range:
        """The ends j a cell starting at atom i may have: never across a certain boundary."""
        j = i + 1
        while j < self.n and j - i < most and self.atoms[j].sep != HARD:
            j += 1
        return range(i + 1, j + 1)

    # ---- the division -----------------------------------------------------------------------------
    def solve(self) -> list[dict[str, str]] | None:
        """Rows as {column field: text}; None when the lines cannot be divided at all.

        A second pass knows each free-text column's wrapping width (from the first pass's
        wrapped lines) and so can tell a wrapped last line from a complete one."""
        if self.n > MAX_ATOMS:
            return None  # not one project's indicator table (and the division would take long)
        first = self._solve()
        if first is None:
            return None
        actions = first
        self.widths = self._wrap_widths(actions)
        if self.widths:
            self._cache.clear()
            actions = self._solve() or first
        return self._rows(actions, [c.field for c in self.columns])

    def _wrap_widths(self, actions: list) -> dict[int, float]:
        out: dict[int, float] = {}
        for action in actions:
            spans = []
            if action[0] == "take":
                spans = [(action[1], action[2], action[3])]
            elif action[0] == "take2":
                spans = [(action[1], action[2], action[3]), (action[1] + 1, action[3], action[4])]
            for c, i, j in spans:
                if KINDS[self.columns[c].field][0] != "free" or j <= i:
                    continue
                lines = self.cell(i, j).lines
                for s in lines[:-1]:
                    out[c] = max(out.get(c, 0.0), width(s))
        return out

    def _solve(self) -> list | None:
        m = len(self.columns)
        fields = [c.field for c in self.columns]
        name_col = fields.index("name")
        desc_col = name_col + 1 if name_col + 1 < m and fields[name_col + 1] == "description" else None
        best: dict[tuple[int, int, bool], tuple[float, tuple | None]] = {(0, 0, False): (0.0, None)}

        def relax(state: tuple[int, int, bool], cost: float, back: tuple) -> None:
            if cost < best.get(state, (INF, None))[0]:
                best[state] = (cost, back)

        for k in range(self.n + 1):
            # rows ending at k (took) open the state (k, 0, False): visit those first
            for took in (True, False):
                for c in range(m + 1):
                    here = best.get((k, c, took))
                    if here is None:
                        continue
                    base = here[0]
                    if c == m:
                        if took:
                            relax((k, 0, False), base, ((k, c, took), "row"))
                        continue
                    if c == name_col and took:
                        relax((k, 0, False), base + EMPTY_ROW, ((k, c, took), "empty"))
                    self._step(k, c, took, base, relax, desc_col)
        final = best.get((self.n, 0, False))
        if final is None or final[0] == INF:
            return None
        actions = []
        state = (self.n, 0, False)
        while best[state][1] is not None:
            prev, action = best[state][1]
            actions.append(action)
            state = prev
        return actions[::-1]

    def _step(self, k: int, c: int, took: bool, base: float, relax, desc_col: int | None) -> None:
        field = self.columns[c].field
        _, most, skip = KINDS[field]
        if skip is not None and c != desc_col:
            relax((k, c + 1, took), base + skip, ((k, c, took), ("skip", c)))
        if k >= self.n:
            return
        for j in self.cell_ends(k, most):
            cost = self.cost(c, k, j)
            if cost == INF:
                continue
            if desc_col is not None and c == desc_col - 1:
                self._with_description(k, j, c, took, base + cost, relax)
                continue
            relax((j, c + 1, True), base + cost, ((k, c, took), ("take", c, k, j)))

    def _with_description(self, k: int, j: int, c: int, took: bool, base: float, relax) -> None:
        """三级指标 atoms k..j-1, then the 描述 (possibly empty; equal to the name earns a little)."""
        d = c + 1
        name = self.cell(k, j).text
        relax((j, d + 1, True), base + KINDS["description"][2], ((k, c, took), ("take2", c, k, j, j)))
        if j >= self.n:
            return
        for l in self.cell_ends(j, KINDS["description"][1]):
            cost = self.cost(d, j, l)
            if cost == INF:
                continue
            bonus = -1.0 if self.cell(j, l).text == name else 0.0
            relax((l, d + 1, True), base + cost + bonus, ((k, c, took), ("take2", c, k, j, l)))

    def _rows(self, actions: list, fields: list[str]) -> list[dict[str, str]]:
        rows: list[dict[str, str]] = []
        current: dict[str, str] = {}
        for action in actions:
            if action in ("row", "empty"):
                rows.append(current)
                current = {}
            elif action[0] == "take":
                _, c, i, j = action
                current[fields[c]] = self.cell(i, j).text
            elif action[0] == "take2":
                _, c, i, j, l = action
                current[fields[c]] = self.cell(i, j).text
                if l > j:
                    current[fields[c + 1]] = self.cell(j, l).text
        return rows
