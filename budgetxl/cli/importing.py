"""``budgetxl import`` and ``budgetxl split --from-published``: published targets (text or PDF) as
submission documents, or straight into next year's workbooks.

Exit codes: 0 done; 1 done but needs attention (something missing, validation errors, differences,
a source refused among others); 2 nothing done.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Annotated, Optional

import typer

from ..errors import BudgetxlError, usage_error
from ..messages import message
from .app import LangOpt, TemplateOpt, app, emit, examples, fail, helptext, say, template_option, use_lang

# (the importer, pydantic and pdfplumber load only when a command runs: `budgetxl --help` stays fast)


@app.command(
    "import",
    help=helptext("help.import"),
    epilog=examples("budgetxl import 巨鹿县2024年部门预算.pdf -o 巨鹿县2024.json",
                    "budgetxl import 公开文件/*.pdf -o 导入/",
                    "budgetxl import 绩效目标.txt --unit-code 414001 --region 130529 --diff-against 巨鹿县.xlsx")
    + "\n\n" + helptext("help.import.exit"),
)
def import_(
    sources: Annotated[list[Path], typer.Argument(help=helptext("help.import.sources"))],
    output: Annotated[Optional[Path], typer.Option("-o", "--output", help=helptext("help.import.output"))] = None,
    unit_code: Annotated[Optional[str], typer.Option("--unit-code", help=helptext("help.import.unit_code"))] = None,
    region: Annotated[Optional[str], typer.Option("--region", help=helptext("help.import.region"))] = None,
    diff_against: Annotated[Optional[Path], typer.Option("--diff-against", help=helptext("help.import.diff_against"))] = None,
    layout: Annotated[Optional[str], typer.Option("--layout", help=helptext("help.import.layout"))] = None,
    template: TemplateOpt = None,
    lang: LangOpt = None,
) -> None:
    lang_ = use_lang(lang)
    from .. import api
    from ..published import import_published
    from .import_report import render_diff, render_import

    try:
        targets = _targets(sources, output)
        other = api.load_document(diff_against) if diff_against else None
    except BudgetxlError as exc:
        raise fail(exc)
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
        emit(result.doc.to_json() + "\n", target)
        echo = _echo(err=to_stdout)  # the report goes to stderr when the document goes to stdout
        render_import(result, lang_, echo, target)
        differs = False
        if other is not None:
            diff = api.diff_documents(other, result.doc)
            differs = not diff["identical"]
            render_diff(diff, str(diff_against), lang_, echo)
        attention += bool(result.needs_attention or differs)
    if not done:
        raise typer.Exit(2)
    raise typer.Exit(1 if attention else 0)


def _echo(err: bool):
    return lambda text: typer.echo(text, err=err)


def _targets(sources: list[Path], output: Path | None) -> list[Path | None]:
    """Where each source's document goes (None: stdout); checked before any work."""
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
    folder = target.parent
    while not folder.exists() and folder != folder.parent:
        folder = folder.parent
    if not folder.is_dir() or not os.access(folder, os.W_OK):
        raise BudgetxlError("output-not-writable", path=str(target))


# ---- split --from-published (the option of `budgetxl split`) ----------------------------------------

def split_from_published(folder: Path, output: Path, year: int | None, budget: Path | None,
                         template: str | None, lang: str) -> None:
    """Next cycle's pre-filled workbooks straight from a folder of published documents."""
    from .. import api
    from ..published import import_published
    from .import_report import render_import

    sources = sorted(p for p in folder.iterdir() if p.is_file() and p.suffix.lower() in (".pdf", ".txt")) \
        if folder.is_dir() else []
    if not sources:
        raise fail(usage_error("usage.no-published", dir=str(folder)))
    if output.exists() and not output.is_dir():
        raise fail(usage_error("usage.output-folder", path=str(output)))
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
        res = api.split_documents(docs, output, year, budget, template_option(template))
    except BudgetxlError as exc:
        raise fail(exc)
    for code, found in res.changes.items():
        for c in found:
            typer.echo(message("change.unit", lang, unit=code, change=c.text(lang)))
    say("split-from-published", n=len(docs), failed=failed)
    say("generated-n", n=len(res.outputs), dir=str(output))
    raise typer.Exit(1 if failed or attention else 0)
