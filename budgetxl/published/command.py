"""``budgetxl import`` and ``budgetxl split --from-published``: parse options, call the importer,
render its report. Chinese by default, English with --lang en."""

from __future__ import annotations

import sys
from enum import Enum
from pathlib import Path
from typing import Annotated, Optional

import typer

# (the importer, pydantic and pdfplumber load only when a command runs: `budgetxl --help` stays fast)

EXAMPLES = (
    "示例 / Examples:\n\n"
    "  budgetxl import 巨鹿县2024年部门预算.pdf -o 巨鹿县2024.json\n\n"
    "  budgetxl import 公开文件/*.pdf -o 导入/\n\n"
    "  budgetxl import 绩效目标.txt --unit-code 414001 --region 130529 --diff-against 巨鹿县.xlsx\n\n"
    "退出码 / exit code: 0 完成 done; 1 完成但需处理（缺项、校验错误、有差异） done, needs attention "
    "(missing fields, errors, differences); 2 什么也没做 nothing done."
)


class Lang(str, Enum):
    zh = "zh"
    en = "en"


LangOpt = Annotated[Optional[Lang], typer.Option("--lang", help="输出语言 / message language (zh, en)", show_default=False)]


def import_command(
    sources: Annotated[list[Path], typer.Argument(help="公开的绩效目标文件：.pdf（文字层）或 .txt（UTF-8/GBK） / published targets: PDF (text layer) or text")],
    output: Annotated[Optional[Path], typer.Option("-o", "--output", help="输出 JSON 文件，或文件夹（多个来源时） / output JSON file, or folder for several sources")] = None,
    unit_code: Annotated[Optional[str], typer.Option("--unit-code", help="单位编码（原文没有或需更正时） / unit code, when the source lacks it")] = None,
    region: Annotated[Optional[str], typer.Option("--region", help="行政区划代码（6 位） / 6-digit region code")] = None,
    diff_against: Annotated[Optional[Path], typer.Option("--diff-against", help="与已报送的文档或工作簿比较 / compare with a submitted document or workbook")] = None,
    layout: Annotated[Optional[str], typer.Option("--layout", help="指定格式 id 或 .toml（默认自动识别） / layout id or spec path (default: recognised)")] = None,
    template: Annotated[Optional[str], typer.Option("--template", help="模板 id 或 .toml 路径 / template id or spec path")] = None,
    lang: LangOpt = None,
) -> None:
    """把公开的绩效目标（文本或 PDF）读成提交文档 / Import published targets (text or PDF) as submission documents."""
    from . import adapter
    from .adapter import BudgetxlError
    from .report import render_diff, render_import

    lang_ = adapter.current_lang(lang.value if lang else None)
    try:
        targets = _targets(sources, output)
        other = adapter.load_submission(diff_against) if diff_against else None
    except BudgetxlError as exc:
        typer.echo(exc.message(lang_), err=True)
        raise typer.Exit(2)
    from .importer import import_published

    to_stdout = output is None
    done = attention = 0
    for src, target in zip(sources, targets):
        try:
            result = import_published(src, layout=layout, unit_code=unit_code, region=region, template=template)
        except BudgetxlError as exc:
            typer.echo(exc.message(lang_), err=True)
            attention += 1
            continue
        done += 1
        if target is not None:
            adapter.write_text_atomic(target, result.doc.to_json() + "\n")
        else:
            sys.stdout.reconfigure(encoding="utf-8")  # type: ignore[attr-defined]
            sys.stdout.write(result.doc.to_json() + "\n")
        echo = _echo(err=to_stdout)
        render_import(result, lang_, echo, target)
        differs = False
        if other is not None:
            diff = adapter.diff(other, result.doc)
            differs = not diff["identical"]
            render_diff(diff, str(diff_against), lang_, echo)
        attention += bool(result.needs_attention or differs)
    if not done:
        raise typer.Exit(2)
    raise typer.Exit(1 if attention else 0)


def _echo(err: bool):
    return lambda text: typer.echo(text, err=err)


def _targets(sources: list[Path], output: Path | None) -> list[Path | None]:
    """Where each source's document goes; checked before any work."""
    from .adapter import BudgetxlError

    if output is None:
        if len(sources) > 1:
            raise BudgetxlError("import-needs-dir", n=len(sources))
        return [None]
    if len(sources) > 1 and output.exists() and not output.is_dir():
        raise BudgetxlError("import-needs-dir", n=len(sources))
    is_dir = output.is_dir() or len(sources) > 1 or not output.suffix
    if not is_dir:
        targets: list[Path | None] = [output]
    else:
        targets = [output / f"{s.stem}.json" for s in sources]
        seen: dict[Path, Path] = {}
        for s, t in zip(sources, targets):
            if t in seen:
                raise BudgetxlError("import-same-output", path=str(s), out=str(t))
            seen[t] = s
    inputs = {s.resolve() for s in sources if s.exists()}
    for t in targets:
        if t is not None and t.resolve() in inputs:
            raise BudgetxlError("output-is-input", path=str(t))
        if t is not None:
            _writable(t)
    return targets


def _writable(target: Path) -> None:
    """The output can be written: its nearest existing folder is a folder we may write to."""
    import os

    from .adapter import BudgetxlError

    folder = target.parent
    while not folder.exists() and folder != folder.parent:
        folder = folder.parent
    if not folder.is_dir() or not os.access(folder, os.W_OK):
        raise BudgetxlError("output-not-writable", path=str(target))


# ---- split --from-published ----------------------------------------------------------------------

def split_from_published(folder: Path, output: Path, year: int | None, budget: Path | None,
                         template: str | None, lang: str) -> None:
    """Next cycle's pre-filled workbooks straight from a folder of published documents."""
    from . import adapter
    from .adapter import BudgetxlError, message
    from .importer import import_published
    from .report import render_import

    sources = sorted(p for p in folder.iterdir() if p.is_file() and p.suffix.lower() in (".pdf", ".txt")) \
        if folder.is_dir() else []
    if not sources:
        typer.echo(message("usage", lang, detail=f"{folder}: 没有 .pdf 或 .txt 文件 / no .pdf or .txt file"), err=True)
        raise typer.Exit(2)
    if output.exists() and not output.is_dir():
        typer.echo(message("usage", lang, detail=f"-o {output}: 需要文件夹 / must be a folder"), err=True)
        raise typer.Exit(2)
    docs, by_unit, failed, attention = [], {}, 0, False
    for src in sources:
        try:
            result = import_published(src)
        except BudgetxlError as exc:
            typer.echo(exc.message(lang), err=True)
            failed += 1
            continue
        code = result.doc.unit.code or ""
        if code in by_unit:
            typer.echo(message("split-same-unit", lang, path=str(src), code=code, other=by_unit[code]), err=True)
            failed += 1
            continue
        by_unit[code] = str(src)
        render_import(result, lang, _echo(err=False), None, brief=True)
        attention |= result.needs_attention
        docs.append(result.doc)
    if not docs:
        raise typer.Exit(2)
    try:
        tpl = adapter.load_template(template) if template else None
        outputs, changes = adapter.split_documents(docs, output, year, budget, tpl)
    except adapter.TemplateError as exc:
        typer.echo(message("bad-template", lang, detail=str(exc)), err=True)
        raise typer.Exit(2)
    except BudgetxlError as exc:
        typer.echo(exc.message(lang), err=True)
        raise typer.Exit(2)
    for code, found in changes.items():
        for c in found:
            typer.echo(f"{code}: {c.text(lang)}")
    typer.echo(message("split-from-published", lang, n=len(docs), failed=failed))
    typer.echo(message("generated-n", lang, n=len(outputs), dir=str(output)))
    raise typer.Exit(1 if failed or attention else 0)
