"""The import report as lines of text, in one language (notes name fields as the template does)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..messages import Joined, Phrase, has_message, message

if TYPE_CHECKING:
    from ..form import Template
    from ..published.document import Note
    from ..published.importer import ImportResult

ORDER = ("missing", "unreadable", "conflict", "ignored", "overridden", "derived", "empty-rows", "furniture")
WHY = {"unit.region": "import.why.codes", "year": "import.why.codes", "budget.other": "import.why.other-funds",
       "name": "import.why.title"}  # where a derived value came from


def _field(name: str, template: Template) -> Any:
    """A field's name as the template calls it (both languages), or the catalogue's."""
    shown = template.fields.display(name)
    if shown is None and has_message(f"import.field.{name}"):
        shown = Phrase(f"import.field.{name}")
    return shown or name


def _where(project: int | None, lang: str) -> str:
    return "" if project is None else message("import.project", lang, n=project) + " "


def _note_text(n: Note, template: Template, lang: str) -> str:
    text = _where(n.project, lang) + _text(_field(n.field, template), lang)
    if n.kind == "derived" and n.detail and n.field != "name":
        text += f" {n.detail}"
    if n.kind == "derived" and n.field in WHY:
        text += message("import.why", lang, why=Phrase(WHY[n.field]))
    elif n.kind in ("unreadable", "conflict", "ignored", "overridden", "empty-rows") and n.detail:
        text += message("import.detail", lang, detail=n.detail.replace("\n", " ")[:80])
    return text


def _text(v: Any, lang: str) -> str:
    return v.render(lang) if hasattr(v, "render") else str(v)


def render_import(result: ImportResult, lang: str, echo: Callable[[str], None], target: Path | None,
                  brief: bool = False) -> None:
    doc = result.doc
    unit = " ".join(x for x in (doc.unit.code, doc.unit.name) if x) or "?"
    echo(message("import-done", lang, path=result.source, layout=result.layout.display, unit=unit,
                 year=doc.year or "?", projects=len(doc.projects), indicators=result.indicators))
    for kind in ORDER:
        notes = [n for n in result.notes if n.kind == kind]
        if not notes or (brief and kind in ("derived", "furniture", "empty-rows")):
            continue
        if kind == "furniture":
            shown = sorted({n.detail or "" for n in notes})
            what = Joined(tuple(shown[:6])).render(lang) + (" …" if len(shown) > 6 else "")
            echo(message("note-furniture", lang, what=what))
            continue
        echo(message(f"note-{kind}", lang, what=Joined(tuple(_merge(notes, result.template, lang)))))
    if not brief:
        echo(message("import-check", lang, errors=result.errors, warnings=result.warnings))
        for f in result.findings:
            project = f.project
            where = _where(project + 1 if project is not None else None, lang)
            if project is not None:
                where += (doc.projects[project].name or "") + " "
            echo(f"    [{f.rule}] {where}{f.message(lang)}")
    if target is not None:
        echo(message("import-wrote", lang, out=str(target)))


def _merge(notes: list[Note], template: Template, lang: str) -> list[str]:
    """One entry per field, with the projects it applies to (其他资金 0 in projects 1–10)."""
    groups: dict[tuple[str, str | None], list[int]] = {}
    single: list[str] = []
    for n in notes:
        if n.project is not None and n.kind in ("missing", "derived") and n.field != "name":
            groups.setdefault((n.field, n.detail), []).append(n.project)
        else:
            single.append(_note_text(n, template, lang))
    for (name, detail), projects in groups.items():
        text = _text(_field(name, template), lang) + (f" {detail}" if detail and detail != "title" else "")
        if notes[0].kind == "derived" and name in WHY:
            text += message("import.why", lang, why=Phrase(WHY[name]))
        single.append(message("import.projects", lang, ranges=_ranges(projects)) + f" {text}")
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
    echo(message("import-diff", lang, other=other))
    for c in diff["unit"] + diff["overview"]:
        echo(f"    ~ {c['field']}: {_short(c['old'])} → {_short(c['new'])}")
    for p in diff["projects"]["added"]:
        echo(f"    + {message('import.only-published', lang)} {p['code']} {p['name']}")
    for p in diff["projects"]["removed"]:
        echo(f"    - {message('import.only-submitted', lang)} {p['code']} {p['name']}")
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
