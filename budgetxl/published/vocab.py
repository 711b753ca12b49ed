"""The words the parser knows: indicator levels, operators, units, bases, qualitative values.

They come from the templates (every built-in framework and list) and from the layout spec; the
parser uses them to tell a 一级/二级指标 from free text and to score how a flattened row divides
into cells.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from .adapter import QUALITATIVE_OP, all_templates
from .layout import Layout
from .text import canon

OP_WORDS = {
    "＝": "＝", "=": "＝", "等于": "＝", "≥": "≥", ">=": "≥", "大于等于": "≥", "不低于": "≥", "不少于": "≥",
    "≤": "≤", "<=": "≤", "小于等于": "≤", "不高于": "≤", "不超过": "≤", "不多于": "≤", ">": ">", "大于": ">",
    "<": "<", "小于": "<", "定性": QUALITATIVE_OP, "文本": QUALITATIVE_OP,
}
QUALITATIVE = [
    "达成", "部分达成", "未达成", "达成年度目标", "是", "否", "有", "无", "合格", "良好", "优良", "优秀", "较好", "好",
    "明显提升", "有所提升", "显著提升", "稳步提升", "逐步提升", "有效提升", "提升", "提高", "有效提高", "明显提高",
    "逐步提高", "明显改善", "有效改善", "改善", "持续", "长期", "中长期", "有效", "显著", "明显", "按时完成", "完成",
    "达标", "符合要求", "符合标准", "正常运行", "无重大事故", "无", "较高", "高", "稳定", "下降", "明显下降",
    "有所下降", "逐步下降", "降低", "明显降低", "有效降低", "减少", "明显减少", "有效遏制", "得到保障", "保障有力",
]


@dataclass
class Vocab:
    level1: dict[str, str] = field(default_factory=dict)  # canon form -> name (the layout's template)
    level2: dict[str, str] = field(default_factory=dict)
    other_level1: dict[str, str] = field(default_factory=dict)  # other templates' frameworks
    other_level2: dict[str, str] = field(default_factory=dict)
    ops: dict[str, str] = field(default_factory=dict)
    units: set[str] = field(default_factory=set)
    bases: set[str] = field(default_factory=set)
    qualitative: set[str] = field(default_factory=set)
    directions: set[str] = field(default_factory=set)
    _memo: dict[str, tuple[str | None, str | None]] = field(default_factory=dict, repr=False)

    def level_piece(self, text: str) -> bool:
        """A line that is the start (of 3 characters or more) or the end of a level's name broken
        across lines (可持续影响 | 指标), but not a whole name."""
        c = canon(text)
        if len(c) < 2 or self.level(text)[0]:
            return False
        names = self._all_levels()
        return any((len(c) >= 3 and n.startswith(c)) or (n.endswith(c) and c in ("指标", "标")) for n in names)

    def _all_levels(self) -> set[str]:
        if not hasattr(self, "_levels"):
            self._levels = {*self.level1, *self.level2, *self.other_level1, *self.other_level2}
        return self._levels

    def level(self, text: str) -> tuple[str | None, str | None]:
        """(which level, the name) when ``text`` is a 一级 or 二级指标 name."""
        found = self._memo.get(text)
        if found is None:
            found = self._memo[text] = self._level(text)
        return found

    def _level(self, text: str) -> tuple[str | None, str | None]:
        c = canon(text)
        for kind, names in (("level1", self.level1), ("level2", self.level2),
                            ("level1", self.other_level1), ("level2", self.other_level2)):
            if c in names:
                return kind, names[c]
        return None, None


def build_vocab(layout: Layout) -> Vocab:
    v = Vocab()
    ind = layout.indicators
    for t in all_templates():
        own = t.id == layout.layout.template
        for f in t.framework:
            (v.level1 if own else v.other_level1)[canon(f.level1)] = f.level1
            for name in f.level2:
                (v.level2 if own else v.other_level2)[canon(name)] = name
        v.units.update(t.lists.units)
        v.bases.update(canon(b) for b in t.lists.bases)
    for alias, name in ind.level1_aliases.items():
        v.level1[canon(alias)] = name
    for alias, name in ind.level2_aliases.items():
        v.level2[canon(alias)] = name
    v.units.add("%")
    v.bases.update(canon(b) for b in ind.bases)
    v.qualitative = {canon(q) for q in [*QUALITATIVE, *ind.qualitative]}
    v.ops = {canon(k): op for k, op in OP_WORDS.items()}
    v.directions = {canon(d) for d in ind.directions}
    return v
