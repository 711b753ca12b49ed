"""Render validation reports as text for the terminal (rich)."""

from __future__ import annotations

from pathlib import Path

from .validate import FileReport

_T = {
    "zh": {"sheet": "工作表", "cell": "单元格", "sev": "级别", "rule": "规则", "msg": "说明",
           "ok": "通过", "bad": "未通过", "unreadable": "无法读取", "error": "错误", "warning": "警告",
           "verdict": "{verdict}：{errors} 个错误，{warnings} 个警告", "annotated": "标注副本：{path}",
           "total": "共 {n} 个文件：{ok} 个通过，{bad} 个未通过，{unreadable} 个无法读取"},
    "en": {"sheet": "Sheet", "cell": "Cell", "sev": "Severity", "rule": "Rule", "msg": "Message",
           "ok": "valid", "bad": "invalid", "unreadable": "unreadable", "error": "error", "warning": "warning",
           "verdict": "{verdict}: {errors} error(s), {warnings} warning(s)", "annotated": "annotated copy: {path}",
           "total": "{n} file(s): {ok} valid, {bad} invalid, {unreadable} unreadable"},
}


def render_reports(reports: list[FileReport], lang: str = "zh", annotated: list[Path] | None = None) -> None:
    from rich.console import Console
    from rich.table import Table

    t = _T["en" if lang == "en" else "zh"]
    console = Console(highlight=False, soft_wrap=False)
    annotated_by_src = {}
    for out in annotated or []:
        annotated_by_src[out.name] = out
    for r in reports:
        unit = r.result.doc.unit if r.result else None
        head = f"[bold]{r.path}[/bold]" + (f"  {unit.code or ''} {unit.name or ''}" if unit else "")
        console.print(head)
        if r.error is not None:
            msg = r.error.message(lang) if hasattr(r.error, "message") else str(r.error)
            console.print(f"  [red]✗ {t['unreadable']}[/red]: {msg}")
            continue
        if r.findings:
            table = Table(show_lines=False, box=None, pad_edge=False, padding=(0, 1))
            for col in ("sheet", "cell", "sev", "rule", "msg"):
                table.add_column(t[col], overflow="fold")
            last_sheet = None
            for f in r.findings:
                sev = f"[red]{t['error']}[/red]" if f.severity == "error" else f"[yellow]{t['warning']}[/yellow]"
                sheet = f.sheet or "" if f.sheet != last_sheet else ""
                last_sheet = f.sheet
                table.add_row(sheet, f.cell or "", sev, f.rule, f.message(lang))
            console.print(table)
        verdict = f"[green]✓ {t['ok']}[/green]" if r.valid else f"[red]✗ {t['bad']}[/red]"
        console.print("  " + t["verdict"].format(verdict=verdict, errors=r.errors, warnings=r.warnings))
        from .annotate import annotated_name

        out = annotated_by_src.get(annotated_name(r.path))
        if out is not None:
            console.print("  " + t["annotated"].format(path=out))
    n = len(reports)
    ok = sum(1 for r in reports if r.valid)
    unreadable = sum(1 for r in reports if not r.readable)
    console.print(t["total"].format(n=n, ok=ok, bad=n - ok - unreadable, unreadable=unreadable))
