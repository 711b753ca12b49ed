"""One source read with one layout: the submission's data, and notes on what was missing, derived,
unreadable or left out (the report; nothing is invented)."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from . import fields as F
from .furniture import remove_furniture
from .layout import Layout, LabelledField
from .regions import Region, find_blocks, find_fields, flatten, label_body
from .tables import find_table, to_indicators
from .text import Line, Source, canon, join_inline, width
from .vocab import Vocab


@dataclass
class Note:
    kind: str  # missing | derived | unreadable | ignored | empty-rows | furniture | conflict
    field: str
    project: int | None = None  # 1-based position of the project in the document
    detail: str | None = None

    def to_data(self) -> dict[str, Any]:
        return {"kind": self.kind, "field": self.field, "project": self.project, "detail": self.detail}


@dataclass
class Parsed:
    data: dict[str, Any]
    notes: list[Note] = field(default_factory=list)
    amount_unit: str = "万元"
    unit_lines: list[dict[str, str]] = field(default_factory=list)


PROJECT_FIELDS = ("code", "name", "budget.total", "budget.fiscal", "budget.other", "purpose", "spending_plan",
                  "goals", "indicators")


def parse(src: Source, layout: Layout, vocab: Vocab) -> Parsed:
    items, furniture = remove_furniture(src.items, _protector(layout, vocab),
                                        [re.compile(p) for p in layout.furniture], _table_starts(src.items, layout))
    flat = flatten(items)
    blocks = find_blocks(flat, layout)
    out = Parsed({"projects": []}, amount_unit=layout.layout.amount_unit)
    out.notes += [Note("furniture", "page", detail=t) for t in furniture]
    _unit_lines(flat, layout, out)
    head = flat[:blocks[0].start] if blocks else flat
    segments: list[tuple[int | None, LabelledField, list[Line]]] = []
    segments += [(None, spec, lines) for spec, lines in find_fields(Region(head), layout.document.fields)]
    tables = []
    for n, b in enumerate(blocks, 1):
        lines, table = find_table(flat[b.body:b.end], items, layout, vocab)
        tables.append(table)
        segments += [(n, spec, ls) for spec, ls in find_fields(Region(lines), layout.project.fields)]
    refs = _reference_widths(segments)
    projects: list[dict[str, Any]] = [{"title": b.title} for b in blocks]
    for n, spec, lines in segments:
        target = out.data if n is None else projects[n - 1]
        _read_field(target, spec, lines, refs.get(spec.field or "", 0.0), n, out)
    for n, (p, table) in enumerate(zip(projects, tables), 1):
        _read_table(p, table, n, vocab, out)
        _code_in_name(p, layout, n, out)
        title = p.pop("title", None)
        if not p.get("name") and title:
            p["name"] = join_inline([title])
            out.notes.append(Note("derived", "name", n, "title"))
    out.data["projects"] = _without_blank_forms(projects, out)
    _year(flat, layout, out)
    return out


def _without_blank_forms(projects: list[dict[str, Any]], out: Parsed) -> list[dict[str, Any]]:
    """A project table with nothing filled in (a spare 新增项目 sheet printed empty) is no project:
    dropped, with its notes (the others' notes renumbered)."""
    filled = [n for n, p in enumerate(projects, 1)
              if any(v not in (None, "", [], {}) and (k != "budget" or any(x is not None for x in v.values()))
                     for k, v in p.items() if k != "name")]
    if len(filled) == len(projects):
        return projects
    renumber = {old: new for new, old in enumerate(filled, 1)}
    out.notes = [n if n.project is None else Note(n.kind, n.field, renumber[n.project], n.detail)
                 for n in out.notes if n.project is None or n.project in renumber]
    return [projects[n - 1] for n in filled]


def _protector(layout: Layout, vocab: Vocab):
    titles = [re.compile(p) for p in layout.project.title]
    units = [re.compile(p) for p in layout.document.unit_line]
    labels = [rx for f in [*layout.document.fields, *layout.project.fields] for rx in f.regexes]
    labels += [rx for c in layout.indicators.columns for rx in c.regexes]

    def protection(text: str) -> int:
        t = text.strip()
        if any(p.search(t) for p in units) or any(rx.search(t) for rx in labels) or vocab.level(t)[0]:
            return 2
        return 1 if any(p.search(join_inline([t])) for p in titles) else 0

    return protection


def _table_starts(items: list, layout: Layout):
    """Whether the anchor label (项目编码 …) follows an item closely: a project table starts there."""
    anchor = re.compile(label_body(layout.project.anchor))  # the whole label: not 上年项目编码

    def starts(k: int) -> bool:
        near = items[k + 1:k + 1 + layout.project.anchor_within]
        texts = [t for it in near for t in ([it.text] if isinstance(it, Line) else it.texts())]
        return any(anchor.search(canon(t)) for t in texts)

    return starts


def _unit_lines(flat: list[Line], layout: Layout, out: Parsed) -> None:
    rxs = [re.compile(p) for p in layout.document.unit_line]
    for ln in flat:
        for rx in rxs:
            m = rx.search(ln.text.strip())
            if m:
                out.unit_lines.append({k: v for k, v in m.groupdict().items() if v})
                break
    units = {u.get("amount_unit") for u in out.unit_lines if u.get("amount_unit")}
    if len(units) == 1:
        out.amount_unit = units.pop()
    elif not units:
        m = re.search(r"单位[：:]\s*(万元|元)(?![\u4e00-\u9fff])", "\n".join(ln.text for ln in flat[:400]))
        if m:
            out.amount_unit = m.group(1)


def _reference_widths(segments: list[tuple[int | None, LabelledField, list[Line]]]) -> dict[str, float]:
    """The widest plain-text line of each field over the whole document: its wrapping width."""
    refs: dict[str, float] = {}
    for _, spec, lines in segments:
        for ln in lines:
            if not ln.cell and spec.field:
                refs[spec.field] = max(refs.get(spec.field, 0.0), width(ln.text))
    return refs


def _read_field(target: dict[str, Any], spec: LabelledField, lines: list[Line], ref: float, n: int | None,
                out: Parsed) -> None:
    if spec.kind == "unit":
        found = F.unit(lines)
        if found:
            out.unit_lines.append(found)
        return
    if spec.kind == "section" or spec.field is None:
        return
    try:
        value, rest = _value(spec, lines, ref, out)
    except F.Unreadable as exc:
        out.notes.append(Note("unreadable", spec.field, n, str(exc)))
        return
    if value is not None and value != []:
        _set(target, spec.field, value)
    if rest and spec.rest:
        _set(target, spec.rest, join_inline(rest.splitlines()))


def _value(spec: LabelledField, lines: list[Line], ref: float, out: Parsed) -> tuple[Any, str | None]:
    kind = spec.kind
    if kind == "code":
        return F.code(lines), None
    if kind in ("name", "text"):
        return F.inline(lines), None
    if kind == "paragraphs":
        return F.paragraphs(lines, ref), None
    if kind == "list":
        return F.items(lines, ref), None
    if kind == "amount":
        return F.amount(lines, out.amount_unit)
    if kind == "spending_plan":
        return F.spending_plan(lines), None
    if kind == "year":
        return F.year(lines), None
    if kind == "template_ref":
        return F.template_ref(lines), None
    raise ValueError(kind)


def _set(target: dict[str, Any], path: str, value: Any) -> None:
    *parents, last = path.split(".")
    for p in parents:
        target = target.setdefault(p, {})
    target[last] = value


def _read_table(p: dict[str, Any], table, n: int, vocab: Vocab, out: Parsed) -> None:
    if table is None:
        return
    if table.rows is None:
        out.notes.append(Note("unreadable", "indicators", n, table.raw))
        return
    indicators, empty = to_indicators(table.rows, vocab)
    p["indicators"] = indicators
    if empty:
        out.notes.append(Note("empty-rows", "indicators", n, str(empty)))
    for text in table.ignored:
        out.notes.append(Note("ignored", "indicators", n, text))


def _code_in_name(p: dict[str, Any], layout: Layout, n: int, out: Parsed) -> None:
    """编码-名称 written as one (in the 项目名称 cell or the title)."""
    rx = layout.project.code_in_name
    if not rx:
        return
    for source in (p.get("name"), p.get("title")):
        m = re.search(rx, source or "")
        if m:
            if not p.get("code"):
                p["code"] = m["code"]
            p["name"] = join_inline([m["name"]])
            return


def _year(flat: list[Line], layout: Layout, out: Parsed) -> None:
    if out.data.get("year"):
        return
    text = "\n".join(ln.text for ln in flat[:400])
    for p in layout.document.year:
        m = re.search(p, text)
        if m:
            out.data["year"] = int(m["year"])
            return
