"""Rendering what the library returns as text on the terminal (rich), in the run's language."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from ..messages import message
from ..values import format_number


def status_text(status: str, lang: str) -> str:
    from ..api import status_text as text

    return text(status, lang)


def _console(**kw: Any):
    from rich.console import Console

    return Console(highlight=False, **kw)


def render_reports(reports: list[Any], lang: str = "zh", annotated: list[tuple[str, Path]] | None = None) -> None:
    from rich.table import Table

    def t(key: str, **args: Any) -> str:
        return message(f"report.{key}", lang, **args)

    console = _console(soft_wrap=False)
    annotated_by_src = dict(annotated or [])
    for r in reports:
        unit = r.unit()
        head = f"[bold]{r.path}[/bold]" + (f"  {unit['code'] or ''} {unit['name'] or ''}" if unit else "")
        console.print(head)
        if r.error is not None:
            console.print(f"  [red]✗ {t('unreadable')}[/red]: {r.error.message(lang)}")
            continue
        if r.findings:
            table = Table(show_lines=False, box=None, pad_edge=False, padding=(0, 1))
            for col in ("sheet", "cell", "severity", "rule", "message"):
                table.add_column(t(col), overflow="fold")
            last_sheet = None
            for f in r.findings:
                sev = message(f"severity.{f.severity}", lang)
                sev = f"[red]{sev}[/red]" if f.severity == "error" else f"[yellow]{sev}[/yellow]"
                sheet = f.sheet or "" if f.sheet != last_sheet else ""
                last_sheet = f.sheet
                table.add_row(sheet, f.cell or "", sev, f.rule, f.message(lang))
            console.print(table)
        verdict = f"[green]✓ {t('ok')}[/green]" if r.valid else f"[red]✗ {t('bad')}[/red]"
        console.print("  " + t("verdict", verdict=verdict, errors=r.errors, warnings=r.warnings))
        out = annotated_by_src.get(r.path)
        if out is not None:
            console.print("  " + t("annotated", path=out))
    n = len(reports)
    ok = sum(1 for r in reports if r.valid)
    unreadable = sum(1 for r in reports if not r.readable)
    console.print(t("total", n=n, ok=ok, bad=n - ok - unreadable, unreadable=unreadable))


def render_merge_summary(cons: Any, written: list[Path], lang: str = "zh", strict_failed: bool = False) -> None:
    """The end-of-merge summary: expected/received/valid units, totals, where things went."""
    from rich.table import Table

    console = _console()
    s = cons.summary()
    table = Table(box=None, padding=(0, 1), show_header=True)
    for key in ("unit-code", "unit-name", "status", "file"):
        table.add_column(message(f"merge.{key}", lang), overflow="fold")
    for u in cons.units:
        colour = "green" if u.counted and u.entry and u.entry.valid else ("red" if u.entry else "yellow")
        shown = Path(u.entry.display.split("!")[-1]).name if u.entry else ""
        table.add_row(u.code, u.name or "", f"[{colour}]{status_text(u.status, lang)}[/{colour}]", shown)
    console.print(table)
    expected = s["expected"] if s["expected"] is not None else "-"
    console.print(message("merge.counts", lang, expected=expected, received=s["received"], valid=s["valid"],
                          counted=s["counted"], files=s["files"]))
    amounts = {k: format_number(s.get(k, 0)) for k in ("total", "fiscal", "other")}
    console.print(message("merge.totals", lang, projects=s["projects"], indicators=s["indicators"], **amounts))
    _render_uncounted(console, cons, lang)  # (unreadable files and another stage's forms among them)
    if strict_failed:
        console.print(f"[red]{message('merge.strict-failed', lang)}[/red]")
    for p in written:
        console.print(message("generated", lang, path=str(p)))


def _render_uncounted(console: Any, cons: Any, lang: str) -> None:
    """Every file left out of the totals, and why (merge says it, not only the 报送情况 sheet)."""
    left = cons.uncounted()
    if not left:
        return
    console.print(message("merge.uncounted", lang, n=len(left)))
    for e in left:
        if e.error is not None:
            why = e.error_message(lang)
        elif e.status in ("superseded", "duplicate"):
            why = message(f"note.{e.status}", lang, file=e.note)
        elif e.errors:
            why = message("merge.why-invalid", lang, errors=e.errors)
        else:
            why = ""
        status = status_text(e.status, lang)
        console.print(f"  {e.display}", soft_wrap=True)
        console.print(f"    [yellow]{status}[/yellow]" + (message("merge.why", lang, why=why) if why else ""),
                      soft_wrap=True)


def render_diff(result: dict, lang: str = "zh", template: Any = None) -> None:
    """The differences in the form's words: fields by their labels, values as people read them,
    projects by code and name, indicators by their three levels."""
    from ..changes.change import readable

    console = _console(soft_wrap=True)  # (a line is never broken inside a name)
    if result["identical"]:
        console.print(message("diff.identical", lang))
        return

    def label(key: str, scope: str) -> str:
        table = template.fields if template is not None else None
        f = table.get(key, scope) if table is not None else None
        shown = f.display if f is not None else (table.display(key) if table is not None else None)
        return shown.render(lang) if shown is not None else key

    def shown(v: Any, key: str) -> str:
        return readable(_checkpoints(v, template, lang) if key == _cp_key(template) else v, lang)

    def line(c: dict, scope: str) -> str:
        return message("diff.field", lang, field=label(c["field"], scope), old=shown(c["old"], c["field"]),
                       new=shown(c["new"], c["field"]))

    for c in result["unit"] + result["overview"]:
        console.print(f"~ {line(c, 'unit')}", soft_wrap=True)
    for p in result["projects"]["added"]:
        console.print(f"[green]+ {message('diff.added', lang, code=p['code'] or '', name=p['name'] or '')}[/green]")
    for p in result["projects"]["removed"]:
        console.print(f"[red]- {message('diff.removed', lang, code=p['code'] or '', name=p['name'] or '')}[/red]")
    for p in result["projects"]["changed"]:
        console.print(f"~ {message('diff.changed', lang, code=p['code'] or '', name=p['name'] or '')}")
        for f in p["fields"]:
            console.print(f"    {line(f, 'project')}", soft_wrap=True)
        for i in p["indicators"]["added"]:
            console.print(f"    [green]+ {_indicator(i, lang)} {readable(i['value'], lang)}[/green]", soft_wrap=True)
        for i in p["indicators"]["removed"]:
            console.print(f"    [red]- {_indicator(i, lang)} {readable(i['value'], lang)}[/red]", soft_wrap=True)
        for i in p["indicators"]["changed"]:
            detail = message("sep.list", lang).join(line(f, "indicator") for f in i["fields"])
            console.print("    ~ " + message("diff.indicator", lang, indicator=_indicator(i, lang), detail=detail),
                          soft_wrap=True)


def _cp_key(template: Any) -> str | None:
    cp = template.fields.checkpoints if template is not None else None
    return cp.key if cp is not None else None


def _checkpoints(v: Any, template: Any, lang: str) -> Any:
    """A spending plan as diff gives it (``3月底:25``, the month in the form's words) in the run's
    language (``end of month 3: 25``)."""
    from ..findings import Label

    cp = template.fields.checkpoints
    months = {template.fields.checkpoint_label(m): m for m in cp.months}
    out = []
    for item in v if isinstance(v, list) else []:
        label, _, pct = str(item).rpartition(":")
        m = months.get(label)
        name = Label(label, cp.month_en.format(month=m) if m is not None and cp.month_en else None).render(lang)
        out.append(message("diff.checkpoint", lang, month=name, percent=pct))
    return out or v


def _indicator(i: dict, lang: str) -> str:
    return "/".join(str(x) for x in (i["level1"], i["level2"], i["name"]) if x) or message("value.empty", lang)


def project_label(doc: Any, index: int | None) -> str:
    """A project as people name it: its code and name (or the unit, for a finding on the unit)."""
    if index is None or index >= len(doc.projects):
        return f"{doc.unit.code or ''} {doc.unit.name or ''}".strip()
    p = doc.projects[index]
    return " ".join(x for x in (p.code, p.name) if x) or f"#{index + 1}"


def render_issued_findings(checked: list[tuple[Any, list[Any]]], template: Any, lang: str,
                           list_others: bool = True) -> bool:
    """What validation says of documents about to be issued: the findings on issued data (the
    clerk cannot change it: the staff must) with the project named; the clerk's part listed
    (``list_others``) or counted. True when any finding is on issued data."""
    import typer

    from ..form.issued import is_issued_path

    issued: list[str] = []
    others: list[str] = []
    for doc, findings in checked:
        unit = f"{doc.unit.code or ''} " if len(checked) > 1 else ""
        for f in findings:
            line = "  " + message("generate.finding", lang, where=unit + project_label(doc, f.project), rule=f.rule,
                                  severity=message(f"severity.{f.severity}", lang), message=f.message(lang))
            (issued if is_issued_path(f.path, template) else others).append(line)
    if issued:
        typer.echo(message("generate.issued-problems", lang, n=len(issued)))
        for line in issued:
            typer.echo(line)
    if others and list_others:
        typer.echo(message("generate.clerk-findings", lang, n=len(others)))
        for line in others:
            typer.echo(line)
    elif others:
        typer.echo(message("generate.clerk-count", lang, n=len(others)))
    return bool(issued)


def render_split(res: Any, year: int | None, lang: str) -> None:
    """What split made: each unit's changes, the units issued without data (failed, never
    reported) and those left empty, and what the staff still have to supply."""
    import typer

    for code, changes in res.changes.items():
        for c in changes:
            typer.echo(message("change.unit", lang, unit=code, change=c.text(lang)))
    for u in res.units:
        status = status_text(u.status, lang) if u.status else ""
        who = f"{u.code} {u.name or ''}".strip() + (message("split.status", lang, status=status) if status else "")
        if u.source != "data":
            typer.echo(message(f"split.from-{u.source}", lang, unit=who, n=u.projects))
        elif not u.projects:
            typer.echo(message("split.empty", lang, unit=who))
    if res.to_supply:
        n = sum(len(u.missing_codes) for u in res.to_supply)
        typer.echo(message("split.to-supply", lang, n=n, units=len(res.to_supply), year=year or ""))
        for u in res.to_supply:
            names = message("sep.comma", lang).join(u.missing_codes[:5]) + ("…" if len(u.missing_codes) > 5 else "")
            typer.echo("  " + message("split.to-supply-unit", lang, unit=f"{u.code} {u.name or ''}".strip(),
                                      n=len(u.missing_codes), names=names))
