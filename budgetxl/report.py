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


def render_reports(reports: list[FileReport], lang: str = "zh", annotated: list[tuple[str, Path]] | None = None) -> None:
    from rich.console import Console
    from rich.table import Table

    t = _T["en" if lang == "en" else "zh"]
    console = Console(highlight=False, soft_wrap=False)
    annotated_by_src = dict(annotated or [])
    for r in reports:
        unit = r.unit()
        head = f"[bold]{r.path}[/bold]" + (f"  {unit['code'] or ''} {unit['name'] or ''}" if unit else "")
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
        out = annotated_by_src.get(r.path)
        if out is not None:
            console.print("  " + t["annotated"].format(path=out))
    n = len(reports)
    ok = sum(1 for r in reports if r.valid)
    unreadable = sum(1 for r in reports if not r.readable)
    console.print(t["total"].format(n=n, ok=ok, bad=n - ok - unreadable, unreadable=unreadable))


def render_merge_summary(result, lang: str = "zh") -> None:
    """The end-of-merge summary: expected/received/valid units, totals, where things went."""
    from rich.console import Console
    from rich.table import Table

    from .values import format_number

    console = Console(highlight=False)
    cons = result.consolidation
    s = cons.summary()
    en = lang == "en"
    table = Table(box=None, padding=(0, 1), show_header=True)
    for h in (("单位编码", "Unit"), ("单位名称", "Name"), ("状态", "Status"), ("文件", "File")):
        table.add_column(h[1] if en else h[0], overflow="fold")
    for u in cons.units:
        colour = "green" if u.counted and u.entry and u.entry.valid else ("red" if u.entry else "yellow")
        shown = Path(u.entry.display.split("!")[-1]).name if u.entry else ""
        table.add_row(u.code, u.name or "", f"[{colour}]{u.status}[/{colour}]", shown)
    console.print(table)
    expected = s["expected"] if s["expected"] is not None else "-"
    total = format_number(s["total"])
    if en:
        console.print(f"Units expected {expected}, received {s['received']}, valid {s['valid']}, counted {s['counted']}; "
                      f"{s['files']} file(s) read.")
        console.print(f"Totals over counted units: {s['projects']} projects, budget {total} 万元 "
                      f"(fiscal {format_number(s['fiscal'])}, other {format_number(s['other'])}), {s['indicators']} indicators.")
        if result.strict_failed:
            console.print("[red]--strict: some unit is invalid or missing; nothing was written.[/red]")
    else:
        console.print(f"应报 {expected} 个单位，已收到 {s['received']} 个，校验通过 {s['valid']} 个，计入汇总 {s['counted']} 个；"
                      f"共读取 {s['files']} 个文件。")
        console.print(f"汇总合计：{s['projects']} 个项目，预算数 {total} 万元（财政资金 {format_number(s['fiscal'])}，"
                      f"其他资金 {format_number(s['other'])}），{s['indicators']} 条指标。")
        if result.strict_failed:
            console.print("[red]--strict：有单位校验未通过或未报送，未输出任何文件。[/red]")
    if result.output:
        console.print(("Wrote " if en else "已生成 ") + str(result.output))
    for p in result.data_files:
        console.print(("Wrote " if en else "已生成 ") + str(p))


def render_diff(result: dict, lang: str = "zh") -> None:
    from rich.console import Console

    console = Console(highlight=False)
    en = lang == "en"
    if result["identical"]:
        console.print("No differences." if en else "两份内容相同。")
        return
    for c in result["unit"] + result["overview"]:
        console.print(f"~ {c['field']}: {c['old']} → {c['new']}")
    for p in result["projects"]["added"]:
        console.print(f"[green]+ {'project' if en else '新增项目'} {p['code']} {p['name']}[/green]")
    for p in result["projects"]["removed"]:
        console.print(f"[red]- {'project' if en else '删除项目'} {p['code']} {p['name']}[/red]")
    for p in result["projects"]["changed"]:
        console.print(f"~ {'project' if en else '项目'} {p['code']} {p['name']}")
        for f in p["fields"]:
            console.print(f"    {f['field']}: {f['old']} → {f['new']}")
        for i in p["indicators"]["added"]:
            console.print(f"    [green]+ {i['level1']}/{i['level2']}/{i['name']} {i['value']}[/green]")
        for i in p["indicators"]["removed"]:
            console.print(f"    [red]- {i['level1']}/{i['level2']}/{i['name']} {i['value']}[/red]")
        for i in p["indicators"]["changed"]:
            detail = "; ".join(f"{f['field']}: {f['old']} → {f['new']}" for f in i["fields"])
            console.print(f"    ~ {i['level1']}/{i['level2']}/{i['name']}: {detail}")
