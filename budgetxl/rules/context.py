"""What a check sees: the document, its template and field table, and (for a workbook) where
each value was read and what the cell held.

``located`` is anything shaped like the reader's result (``sources``, ``raw``, ``project_sheets``,
``unit_sheet``, ``meta``, ``summary``, ``notes``, ``issued()``); for a bare document it is None and
checks see the values only. Paths name a value in the document: ``unit.code``,
``projects[0].budget.total``, ``projects[0].spending_plan[3]``, ``projects[0].goals[1]``,
``projects[0].indicators[2].value.op``.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from typing import Any

from ..findings import Finding
from ..model import value_at
from ..messages import message_key

class Context:
    def __init__(self, doc: Any, template: Any, located: Any = None):
        self.doc = doc
        self.template = template
        self.table = template.fields
        self.located = located
        self.placeholders = frozenset(template.rules.placeholders)
        words = template.rules.instructions  # instruction text left in a cell, wherever it stands
        self.instruction = re.compile("|".join(map(re.escape, words))) if words else None

    # -- findings --------------------------------------------------------------------------------
    def finding(self, rule: str, path: str | None, variant: str = "", project: int | None = None,
                **args: Any) -> Finding:
        sheet, cell = self.locate(path, project)
        return Finding(rule, None, sheet, cell, args, message_key(rule, variant), project)

    def locate(self, path: str | None, project: int | None) -> tuple[str | None, str | None]:
        r = self.located
        if r is None:
            return None, None
        ref = r.sources.get(path) if path else None
        if ref is not None:
            return ref.sheet, ref.a1
        if project is not None and project < len(r.project_sheets):
            return r.project_sheets[project], None
        return r.unit_sheet, None

    def raw(self, path: str, fallback: Any) -> Any:
        """What the cell held (a bare document has no cells: ``fallback``, the document's value)."""
        if self.located is not None:
            return self.located.raw.get(path)
        return fallback

    def is_placeholder(self, text: str) -> bool:
        return text in self.placeholders or (self.instruction is not None and self.instruction.search(text) is not None)

    # -- walking the document -------------------------------------------------------------------------
    def projects(self) -> Iterator[tuple[int, Any, str]]:
        for i, p in enumerate(self.doc.projects):
            yield i, p, f"projects[{i}]"

    def indicators(self) -> Iterator[tuple[int, Any, int, Any, str]]:
        for i, p, pre in self.projects():
            for k, ind in enumerate(p.indicators):
                yield i, p, k, ind, f"{pre}.indicators[{k}]"

    def fields(self, select: Callable[[Any], bool]) -> Iterator[tuple[Any, Any, str, int | None]]:
        """Every selected field of the document: (field, the object holding it, the prefix of its
        path, project index); the field's path is the prefix + ``field.key``."""
        unit, project, indicator = ([f for f in self.table.scope(s) if select(f)] for s in ("unit", "project",
                                                                                             "indicator"))
        for f in unit:
            yield f, self.doc, "", None
        for i, p, pre in self.projects():
            pre = pre + "."
            for f in project:
                yield f, p, pre, i
            if indicator:
                for k, ind in enumerate(p.indicators):
                    base = f"{pre}indicators[{k}]."
                    for f in indicator:
                        yield f, ind, base, i

    def list_items(self) -> Iterator[tuple[Any, list[str], str, int | None]]:
        """Every list block's items: (block, items, path of the block, project index)."""
        for block in self.table.lists["unit"]:
            yield block, value_at(self.doc, block.key), block.key, None
        for i, p, pre in self.projects():
            for block in self.table.lists["project"]:
                yield block, value_at(p, block.key), f"{pre}.{block.key}", i

