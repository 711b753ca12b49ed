"""Checks that need the workbook itself: its metadata, its summary sheet, what the reader noted."""

from __future__ import annotations

from collections.abc import Iterator
from decimal import Decimal
from typing import Any

from ..files.grids import cell_text
from ..findings import Finding, Label
from ..form.issued import fingerprint, lookup
from ..form.matching import keys, match_projects
from ..messages import message, message_key
from ..values import format_number, to_decimal
from .registry import check


def _shown(ctx: Any, f: Any, path: str, got: Any) -> str:
    raw = ctx.raw(path, None)
    return cell_text(raw) or "" if raw is not None else f.kind.display(got)


@check("issued-field-changed", ("", "missing", "fingerprint", "indicator", "metadata"), workbook=True)
def issued_field_changed(ctx: Any) -> Iterator[Finding]:
    """Every field the template issues, compared with what the metadata recorded at generation
    (a metadata value the reader dropped as invalid is noted by it: the "metadata" variant)."""
    r, doc, table = ctx.located, ctx.doc, ctx.table
    yield from _notes(ctx, "issued-field-changed")
    issued = r.issued()
    if issued is None:
        return
    if r.meta and r.meta.get("issued_fingerprint") and fingerprint(issued) != r.meta["issued_fingerprint"]:
        yield ctx.finding("issued-field-changed", None, "fingerprint")
    for f in table.issued("unit"):
        want = lookup(issued, f.key)
        got = f.get(doc)
        if want is not None and not f.kind.same(got, want):
            yield ctx.finding("issued-field-changed", f.key, field=f.display, issued=want,
                              value=_shown(ctx, f, f.key, got))
    issued_projects = issued.get("projects", [])
    for i, n in match_projects(keys(doc.projects), keys(issued_projects)):
        if n is None:
            continue  # a project the unit added (or a copy): not issued
        ip = issued_projects[n]
        if i is None:
            yield ctx.finding("issued-field-changed", None, "missing", code=ip.get("code"), name=ip.get("name"))
            continue
        p = doc.projects[i]
        for f in table.issued("project"):
            want = lookup(ip, f.key)
            got = f.get(p)
            if want is not None and not f.kind.same(got, want):
                path = f"projects[{i}].{f.key}"
                yield ctx.finding("issued-field-changed", path, project=i, field=f.display, issued=want,
                                  value=_shown(ctx, f, path, got))
        yield from _issued_indicators(ctx, i, p, ip.get("indicators"))


def _issued_indicators(ctx: Any, i: int, p: Any, issued: list[dict[str, Any]] | None) -> Iterator[Finding]:
    """A later stage issues the indicators too: each row against the one issued at its place."""
    fields = [f for f in ctx.table.issued("indicator") if f.part_of is None]
    if not issued or not fields:
        return
    for k, want_ind in enumerate(issued):
        if k >= len(p.indicators):
            yield ctx.finding("issued-field-changed", f"projects[{i}].indicators", "indicator", project=i,
                              name=want_ind.get("name") or "")
            continue
        for f in fields:
            want, got = lookup(want_ind, f.key), f.get(p.indicators[k])
            if want is not None and not f.kind.same(got, want):
                path = f"projects[{i}].indicators[{k}].{f.key}"
                shown = ", ".join(map(str, want)) if isinstance(want, list) else want
                yield ctx.finding("issued-field-changed", path, project=i, field=f.display, issued=shown,
                                  value=_shown(ctx, f, path, got))


@check("template-version", workbook=True)
def template_version(ctx: Any) -> Iterator[Finding]:
    got, t = ctx.doc.template, ctx.template
    if got is None or got.id != t.id or got.version < t.version:
        shown = f"{got.id}@{got.version}" if got is not None else "-"
        yield ctx.finding("template-version", "template", got=shown, want=f"{t.id}@{t.version}")


@check("summary-mismatch", ("", "missing"), workbook=True)
def summary_mismatch(ctx: Any) -> Iterator[Finding]:
    """The 汇总 sheet's columns (formulas into the project sheets) against the project sheets."""
    r = ctx.located
    if not r.summary:
        return
    count = Label(message("col.count", "zh"), message("col.count", "en"))
    columns = [f for f in ctx.table.project if f.spec.summary and f.stored]  # (a computed cell is no data)
    rows: dict[str, list] = {}  # code -> its summary rows, in order (two projects may share a code)
    for row in r.summary:
        if row.get("code", (None,))[0] is not None:
            rows.setdefault(cell_text(row["code"][0]), []).append(row)
    for i, p, pre in ctx.projects():
        row = rows[p.code].pop(0) if p.code and rows.get(p.code) else None
        if row is None:
            if p.code:
                yield ctx.finding("summary-mismatch", None, "missing", project=i, code=p.code)
            continue
        actual = [(f.key, f.kind.column_type, f.get(p), f.display) for f in columns]
        actual.append(("count", "int", Decimal(sum(1 for ind in p.indicators if ind.name is not None)), count))
        for key, type_, want, label in actual:
            if key not in row:
                continue
            value, ref = row[key]
            if type_ == "text":
                same = cell_text(value) == want
            else:
                got = to_decimal(value)
                same = (got if got is not None else Decimal(0)) == (want if want is not None else Decimal(0))
            if not same:
                shown = format_number(want) if isinstance(want, Decimal) else (want or "")
                yield Finding("summary-mismatch", None, ref.sheet, ref.a1,
                              {"field": label, "value": cell_text(value) or "", "actual": shown},
                              message_key("summary-mismatch"))


def _notes(ctx: Any, rule: str) -> Iterator[Finding]:
    for note in ctx.located.notes:
        if note.rule == rule:
            yield Finding(rule, None, note.sheet or None, note.cell, dict(note.args), note.key)


@check("metadata-missing", workbook=True)
def metadata_missing(ctx: Any) -> Iterator[Finding]:
    """Noted by the reader: the workbook has no metadata sheet."""
    yield from _notes(ctx, "metadata-missing")


@check("macros", workbook=True)
def macros(ctx: Any) -> Iterator[Finding]:
    """Noted by intake: the workbook carries macros."""
    yield from _notes(ctx, "macros")
