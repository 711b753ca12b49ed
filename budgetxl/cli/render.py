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
    for e in cons.entries:  # files that reached no unit's row: unreadable, or another stage's form
        if e.error:
            console.print(f"[red]✗ {status_text(e.status, lang)}[/red]: {e.error_message(lang)}")
    expected = s["expected"] if s["expected"] is not None else "-"
    console.print(message("merge.counts", lang, expected=expected, received=s["received"], valid=s["valid"],
                          counted=s["counted"], files=s["files"]))
    amounts = {k: format_number(s.get(k, 0)) for k in ("total", "fiscal", "other")}
    console.print(message("merge.totals", lang, projects=s["projects"], indicators=s["indicators"], **amounts))
    if strict_failed:
        console.print(f"[red]{message('merge.strict-failed', lang)}[/red]")
    for p in written:
        console.print(message("generated", lang, path=str(p)))


def render_diff(result: dict, lang: str = "zh") -> None:
    console = _console()
    if result["identical"]:
        console.print(message("diff.identical", lang))
        return
    for c in result["unit"] + result["overview"]:
        console.print(f"~ {c['field']}: {c['old']} → {c['new']}")
    for p in result["projects"]["added"]:
        console.print(f"[green]+ {message('diff.added', lang, code=p['code'], name=p['name'])}[/green]")
    for p in result["projects"]["removed"]:
        console.print(f"[red]- {message('diff.removed', lang, code=p['code'], name=p['name'])}[/red]")
    for p in result["projects"]["changed"]:
        console.print(f"~ {message('diff.changed', lang, code=p['code'], name=p['name'])}")
        for f in p["fields"]:
            console.print(f"    {f['field']}: {f['old']} → {f['new']}")
        for i in p["indicators"]["added"]:
            console.print(f"    [green]+ {i['level1']}/{i['level2']}/{i['name']} {i['value']}[/green]")
        for i in p["indicators"]["removed"]:
            console.print(f"    [red]- {i['level1']}/{i['level2']}/{i['name']} {i['value']}[/red]")
        for i in p["indicators"]["changed"]:
            detail = "; ".join(f"{f['field']}: {f['old']} → {f['new']}" for f in i["fields"])
            console.print(f"    ~ {i['level1']}/{i['level2']}/{i['name']}: {detail}")
