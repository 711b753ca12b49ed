"""The import report as lines of text, in one language."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from ..messages import message
from ..published.document import Note
from ..published.importer import ImportResult

FIELD_NAMES: dict[str, tuple[str, str]] = {
    "code": ("项目编码", "project code"), "name": ("项目名称", "project name"), "budget.total": ("预算数", "total"),
    "budget.fiscal": ("财政资金", "fiscal funds"), "budget.other": ("其他资金", "other funds"),
    "purpose": ("资金用途", "purpose"), "spending_plan": ("资金支出计划", "spending plan"),
    "goals": ("绩效目标", "goals"), "indicators": ("绩效指标", "indicators"), "unit": ("单位", "unit"),
    "unit.code": ("单位编码", "unit code"), "unit.name": ("单位名称", "unit name"),
    "unit.region": ("行政区划代码", "region code"), "year": ("预算年度", "fiscal year"),
    "overview.overall": ("总体绩效目标", "overall goal"), "overview.items": ("分项绩效目标", "itemised goals"),
    "overview.safeguards": ("工作保障措施", "safeguards"), "page": ("页眉页脚", "page furniture"),
}
ORDER = ("missing", "unreadable", "conflict", "ignored", "overridden", "derived", "empty-rows", "furniture")
WHY = {
    ("derived", "unit.region"): ("项目编码", "project codes"), ("derived", "year"): ("项目编码", "project codes"),
    ("derived", "budget.other"): ("原文空白，预算数 = 财政资金", "blank in the source, total = fiscal"),
    ("derived", "name"): ("表题", "table title"),
}


def _field(name: str, lang: str) -> str:
    zh, en = FIELD_NAMES.get(name, (name, name))
    return en if lang == "en" else zh


def _where(project: int | None, lang: str) -> str:
    if project is None:
        return ""
    return f"project {project} " if lang == "en" else f"项目{project} "


def _note_text(n: Note, lang: str) -> str:
    text = _where(n.project, lang) + _field(n.field, lang)
    why = WHY.get((n.kind, n.field))
    if n.kind == "derived" and n.detail and n.field != "name":
        text += f" {n.detail}"
    if why:
        text += f"（{why[0]}）" if lang != "en" else f" ({why[1]})"
    elif n.kind in ("unreadable", "conflict", "ignored", "overridden", "empty-rows") and n.detail:
        detail = n.detail.replace("\n", " ")
        text += f"：{detail[:80]}" if lang != "en" else f": {detail[:80]}"
    return text


def render_import(result: ImportResult, lang: str, echo: Callable[[str], None], target: Path | None,
                  brief: bool = False) -> None:
    doc = result.doc
    unit = " ".join(x for x in (doc.unit.code, doc.unit.name) if x) or "?"
    echo(message("import-done", lang, path=result.source, layout=result.layout.layout.name,
                 layout_en=result.layout.layout.name_en, unit=unit, year=doc.year or "?",
                 projects=len(doc.projects), indicators=result.indicators))
    sep = "; " if lang == "en" else "；"
    for kind in ORDER:
        notes = [n for n in result.notes if n.kind == kind]
        if not notes or (brief and kind in ("derived", "furniture", "empty-rows")):
            continue
        if kind == "furniture":
            shown = sorted({n.detail or "" for n in notes})
            echo(message("note-furniture", lang, what=sep.join(shown[:6]) + (" …" if len(shown) > 6 else "")))
            continue
        echo(message(f"note-{kind}", lang, what=sep.join(_merge(notes, lang))))
    if not brief:
        echo(message("import-check", lang, errors=result.errors, warnings=result.warnings))
        for f, project in result.located:
            where = _where(project + 1 if project is not None else None, lang)
            if project is not None:
                where += (doc.projects[project].name or "") + " "
            echo(f"    [{f.rule}] {where}{f.message(lang)}")
    if target is not None:
        echo(message("import-wrote", lang, out=str(target)))


def _merge(notes: list[Note], lang: str) -> list[str]:
    """One entry per field, with the projects it applies to (其他资金 0 in projects 1–10)."""
    groups: dict[tuple[str, str | None], list[int]] = {}
    single: list[str] = []
    for n in notes:
        if n.project is not None and n.kind in ("missing", "derived") and n.field != "name":
            groups.setdefault((n.field, n.detail), []).append(n.project)
        else:
            single.append(_note_text(n, lang))
    for (name, detail), projects in groups.items():
        text = _field(name, lang) + (f" {detail}" if detail and detail != "title" else "")
        why = WHY.get(("derived", name)) if notes[0].kind == "derived" else None
        if why:
            text += f"（{why[0]}）" if lang != "en" else f" ({why[1]})"
        label = "projects " if lang == "en" else "项目"
        single.append(f"{label}{_ranges(projects)} {text}")
    return single


def _ranges(numbers: list[int]) -> str:
    out: list[str] = []
    numbers = sorted(set(numbers))
    start = prev = numbers[0]
    for n in numbers[1:] + [None]:  # type: ignore[list-item]
        if n is not None and n == prev + 1:
            prev = n
            continue
        out.append(str(start) if start == prev else f"{start}–{prev}")
        if n is not None:
            start = prev = n
    return ",".join(out)


def render_diff(diff: dict[str, Any], other: str, lang: str, echo: Callable[[str], None]) -> None:
    if diff["identical"]:
        echo(message("import-diff-same", lang, other=other))
        return
    en = lang == "en"
    echo(message("import-diff", lang, other=other))
    for c in diff["unit"] + diff["overview"]:
        echo(f"    ~ {c['field']}: {_short(c['old'])} → {_short(c['new'])}")
    for p in diff["projects"]["added"]:
        echo(f"    + {'only published' if en else '仅公开文件有'} {p['code']} {p['name']}")
    for p in diff["projects"]["removed"]:
        echo(f"    - {'only submitted' if en else '仅报送文件有'} {p['code']} {p['name']}")
    for p in diff["projects"]["changed"]:
        echo(f"    ~ {p['code']} {p['name']}")
        for f in p["fields"]:
            echo(f"        {f['field']}: {_short(f['old'])} → {_short(f['new'])}")
        inds = p["indicators"]
        for i in inds["added"]:
            echo(f"        + {i['level1']}/{i['level2']}/{i['name']} {i['value']}")
        for i in inds["removed"]:
            echo(f"        - {i['level1']}/{i['level2']}/{i['name']} {i['value']}")
        for i in inds["changed"]:
            detail = "; ".join(f"{f['field']}: {_short(f['old'])} → {_short(f['new'])}" for f in i["fields"])
            echo(f"        ~ {i['level1']}/{i['level2']}/{i['name']}: {detail}")


def _short(v: Any) -> str:
    s = str(v).replace("\n", " ")
    return s if len(s) <= 60 else s[:57] + "…"
