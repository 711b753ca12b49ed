"""Import a published targets document: read it, recognise its layout, parse, complete what the
source itself implies (and only that), validate. Returns data; prints nothing."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from pydantic import ValidationError

from .adapter import (BudgetxlError, Finding, Joined, Phrase, Submission, Template, TemplateError, builtin_templates, check,
                      load_template)
from .document import PROJECT_FIELDS, Note, Parsed, parse
from .extract import SourceError, read_source
from .layout import Layout, LayoutError, all_layouts, load_layout
from .regions import Region, flatten, header_regex, match_header_row
from .text import BREAK, Row, Source, squeeze
from .vocab import build_vocab

ATTENTION = ("missing", "unreadable", "conflict", "ignored")  # notes that make the import need attention


@dataclass
class ImportResult:
    source: str
    layout: Layout
    template: Template
    doc: Submission
    notes: list[Note] = field(default_factory=list)
    findings: list[Finding] = field(default_factory=list)  # each names its project (Finding.project)

    @property
    def errors(self) -> int:
        return sum(f.severity == "error" for f in self.findings)

    @property
    def warnings(self) -> int:
        return sum(f.severity == "warning" for f in self.findings)

    @property
    def needs_attention(self) -> bool:
        return self.errors > 0 or any(n.kind in ATTENTION for n in self.notes)

    @property
    def indicators(self) -> int:
        return sum(len(p.indicators) for p in self.doc.projects)

    def to_data(self, lang: str = "zh") -> dict[str, Any]:
        return {"source": self.source, "layout": self.layout.id, "template": self.template.id,
                "projects": len(self.doc.projects), "indicators": self.indicators,
                "notes": [n.to_data() for n in self.notes],
                "findings": [f.to_data(lang) for f in self.findings]}


def import_published(path: str | os.PathLike[str], *, layout: str | os.PathLike[str] | None = None,
                     unit_code: str | None = None, region: str | None = None,
                     template: str | os.PathLike[str] | None = None) -> ImportResult:
    """The submission document in a published targets document (text or PDF).

    Raises BudgetxlError (one sentence, with what was recognised) when the source is not one."""
    name = str(path)
    try:
        src = read_source(path)
    except SourceError as exc:
        raise BudgetxlError(exc.key, path=name, **exc.args_) from None
    try:
        layouts = [load_layout(layout)] if layout else all_layouts()
    except LayoutError as exc:
        raise BudgetxlError("bad-layout", detail=str(exc)) from None
    chosen = choose_layout(src, layouts, name)
    vocab = build_vocab(chosen)
    parsed = parse(src, chosen, vocab)
    if not parsed.data["projects"]:
        raise BudgetxlError("no-projects", path=name, layout=chosen.display)
    try:
        tpl = load_template(template or _template_of(parsed, chosen))
    except TemplateError as exc:
        raise BudgetxlError("bad-template", detail=str(exc)) from None
    data = complete(parsed, tpl, unit_code, region)
    try:
        doc = Submission.model_validate(data)
    except ValidationError as exc:  # the parser's own output: would be a bug, but still one line
        err = exc.errors()[0]
        raise BudgetxlError("import-invalid", path=name, detail=f"{'.'.join(map(str, err['loc']))}: {err['msg']}") from None
    _missing(doc, parsed.notes, chosen)
    return ImportResult(name, chosen, tpl, doc, parsed.notes, check(doc, tpl))


def _template_of(parsed: Parsed, layout: Layout) -> str:
    ref = parsed.data.get("template") or {}
    return ref["id"] if ref.get("id") in builtin_templates() else layout.layout.template


# ---- which layout ------------------------------------------------------------------------------------

def choose_layout(src: Source, layouts: list[Layout], name: str) -> Layout:
    flat = flatten(src.items)
    text = Region(flat).text
    scored = []
    for lay in layouts:
        found = [label for label, rx in lay.detect_regexes if rx.search(text)]
        header = _header_fit(src, text, lay)
        fits = len(found) == len(lay.detect.labels) and header > 0
        scored.append(((fits, header, len(found)), lay, found))
    best = max(scored, key=lambda s: s[0])
    if best[0][0]:
        return best[1]
    raise BudgetxlError("not-targets", path=name, **recognised(src, best))


def _header_fit(src: Source, text: str, lay: Layout) -> float:
    """How well the layout's indicator header fits the document's: the share of a ruled header
    row's cells that are the layout's columns, or 1 for the header found in flattened text."""
    best = 1.0 if header_regex(lay.indicators.columns).search(text) else 0.0
    for it in src.items:
        if isinstance(it, Row) and (mapping := match_header_row(it, lay.indicators.columns)):
            cells = sum(1 for c in it.cells if c is not None and c.text.strip())
            best = max(best, len(mapping) / max(cells, 1))
    return best


def recognised(src: Source, best: tuple | None) -> dict[str, Joined]:
    """What the source turned out to be, for the one-line refusal (rendered in the reader's language)."""
    parts: list[Phrase] = []
    if src.kind == "pdf":
        parts.append(Phrase("recognised.pdf", {"pages": src.pages}))
        if src.chars == 0:
            parts.append(Phrase("recognised.images-only", {"images": src.images}) if src.images
                         else Phrase("recognised.no-text"))
    else:
        parts.append(Phrase("recognised.text", {"encoding": src.encoding or "utf-8"}))
    if src.chars:
        parts.append(Phrase("recognised.chars", {"chars": src.chars}))
    rows = [it for it in src.items if isinstance(it, Row)]
    if rows:
        head = "｜".join(squeeze(t.replace(BREAK, ""))[:10] for t in rows[0].texts() if t.strip())[:60]
        parts.append(Phrase("recognised.tables", {"tables": src.tables, "head": head}))
    if src.chars and best is not None:
        lay, found = best[1], best[2]
        missing = [lbl for lbl in lay.detect.labels if lbl not in found]
        parts.append(Phrase("recognised.labels", {"found": Joined(tuple(found), "sep.labels"),
                                                  "missing": Joined(tuple(missing), "sep.labels")})
                     if found else Phrase("recognised.no-labels"))
    return {"what": Joined(tuple(parts), "sep.comma")}


# ---- what the source implies ---------------------------------------------------------------------------

def complete(parsed: Parsed, tpl: Template, unit_code: str | None, region: str | None) -> dict[str, Any]:
    """The document's data with the template, unit, year and region filled in from the source (unit
    lines, project codes) or from the options; each inference is noted."""
    data = dict(parsed.data)
    notes = parsed.notes
    data["template"] = {"id": tpl.id, "version": tpl.version}
    unit = dict(data.get("unit") or {})
    if parsed.unit_lines:
        first = parsed.unit_lines[0]
        unit.setdefault("code", first.get("code"))
        unit.setdefault("name", first.get("name"))
        others = {(u.get("code"), u.get("name")) for u in parsed.unit_lines} - {(first.get("code"), first.get("name"))}
        for code, name in sorted(others, key=str):
            notes.append(Note("conflict", "unit", detail=f"{code or ''} {name or ''}".strip()))
    for key, given in (("code", unit_code), ("region", region)):
        if given:
            if unit.get(key) and unit[key] != given:
                notes.append(Note("overridden", f"unit.{key}", detail=f"{unit[key]} → {given}"))
            unit[key] = given
    codes = [p.get("code") for p in data["projects"] if p.get("code")]
    parts = _code_parts(codes, tpl)
    if not unit.get("region") and parts.get("region"):
        unit["region"] = parts["region"]
        notes.append(Note("derived", "unit.region", detail=parts["region"]))
    if not data.get("year") and parts.get("year"):
        data["year"] = 2000 + int(parts["year"])
        notes.append(Note("derived", "year", detail=str(data["year"])))
    data["unit"] = unit
    for n, p in enumerate(data["projects"], 1):
        _other_funds(p, n, notes)
    return data


def _code_parts(codes: list[str], tpl: Template) -> dict[str, str]:
    """Region and year written in the project codes (the template's pattern names them), when all
    codes agree."""
    out: dict[str, str] = {}
    matches = [m for c in codes if (m := tpl.code_regex.match(c))]
    if not matches or len(matches) != len(codes):
        return out
    for part in ("region", "year"):
        values = {m.groupdict().get(part) for m in matches}
        if len(values) == 1 and None not in values:
            out[part] = values.pop()
    return out


def _other_funds(p: dict[str, Any], n: int, notes: list[Note]) -> None:
    """A blank 其他资金 cell next to 预算数 = 财政资金 says 0 (a published table leaves zero blank)."""
    b = p.get("budget") or {}
    total, fiscal = b.get("total"), b.get("fiscal")
    if b.get("other") is None and total is not None and fiscal is not None and total == fiscal:
        b["other"] = Decimal(0)
        p["budget"] = b
        notes.append(Note("derived", "budget.other", n, "0"))


def _missing(doc: Submission, notes: list[Note], layout: Layout) -> None:
    for key in ("code", "name", "region"):
        if getattr(doc.unit, key) is None:
            notes.append(Note("missing", f"unit.{key}"))
    if doc.year is None:
        notes.append(Note("missing", "year"))
    for spec in layout.document.fields:
        if spec.field and spec.field.startswith("overview.") and not getattr(doc.overview, spec.field.split(".")[1]):
            notes.append(Note("missing", spec.field))
    for n, p in enumerate(doc.projects, 1):
        for path in PROJECT_FIELDS:
            value: Any = p
            for part in path.split("."):
                value = getattr(value, part)
            if value is None or value == []:
                notes.append(Note("missing", path, n))
