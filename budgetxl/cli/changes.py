"""``budgetxl sync | split | diff``: issued values pushed down, next year's workbooks, changes."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated, Optional

import typer

from ..errors import BudgetxlError, usage_error
from ..messages import message
from .app import LangOpt, ReportFormat, TemplateOpt, app, emit, examples, fail, helptext, say, template_option, use_lang


@app.command(
    help=helptext("help.sync"),
    epilog=examples("budgetxl sync 巨鹿县.xlsx --from 调整后下达.json -o 巨鹿县_已同步.xlsx",
                    "budgetxl sync 巨鹿县.xlsx --from 调整后下达.json --in-place"),
)
def sync(
    workbook: Annotated[Path, typer.Argument(help=helptext("help.sync.workbook"))],
    from_: Annotated[Path, typer.Option("--from", help=helptext("help.sync.from"))],
    output: Annotated[Optional[Path], typer.Option("-o", "--output", help=helptext("help.sync.output"))] = None,
    in_place: Annotated[bool, typer.Option("--in-place", help=helptext("help.sync.in_place"))] = False,
    template: TemplateOpt = None,
    lang: LangOpt = None,
) -> None:
    lang_ = use_lang(lang)
    from .. import api

    if output is None and not in_place:
        raise fail(usage_error("usage.sync-output"))
    try:
        issued = api.load_document(from_)
        res = api.sync_workbook(workbook, issued, output, in_place, template_option(template))
    except BudgetxlError as exc:
        raise fail(exc)
    for c in res.changes:
        typer.echo(c.text(lang_))
    if not res.changes:
        say("sync.no-change")
    if res.backup:
        say("sync.backup", path=str(res.backup))
    say("generated", path=str(res.output))


@app.command(
    help=helptext("help.split"),
    epilog=examples("budgetxl split 2024汇总.xlsx -o 2025下发/ --year 2025 --budget 2025预算.csv",
                    "budgetxl split --from-published 2024公开文件/ -o 2025下发/ --year 2025"),
)
def split(
    consolidated: Annotated[Optional[Path], typer.Argument(help=helptext("help.split.consolidated"))] = None,
    output: Annotated[Path, typer.Option("-o", "--output", help=helptext("help.split.output"))] = ...,
    year: Annotated[Optional[int], typer.Option("--year", help=helptext("help.split.year"))] = None,
    budget: Annotated[Optional[Path], typer.Option("--budget", help=helptext("help.split.budget"))] = None,
    from_published: Annotated[Optional[Path], typer.Option("--from-published",
                                                           help=helptext("help.split.from_published"))] = None,
    template: TemplateOpt = None,
    lang: LangOpt = None,
) -> None:
    lang_ = use_lang(lang)
    from .. import api

    if (consolidated is None) == (from_published is None):
        raise fail(usage_error("usage.split-source"))
    if from_published is not None:
        from .importing import split_from_published

        return split_from_published(from_published, output, year, budget, template, lang_)
    try:
        res = api.split_consolidated(consolidated, output, year, budget, template_option(template))
    except BudgetxlError as exc:
        raise fail(exc)
    for code, changes in res.changes.items():
        for c in changes:
            typer.echo(message("change.unit", lang_, unit=code, change=c.text(lang_)))
    say("generated-n", n=len(res.outputs), dir=str(output))


@app.command(
    help=helptext("help.diff"),
    epilog=examples("budgetxl diff 巨鹿县_第一次.xlsx 巨鹿县_修改版.xlsx", "budgetxl diff 2024.json 2025.xlsx --format json"),
)
def diff(
    old: Annotated[Path, typer.Argument(help=helptext("help.diff.old"))],
    new: Annotated[Path, typer.Argument(help=helptext("help.diff.new"))],
    format: Annotated[ReportFormat, typer.Option("--format", help=helptext("help.validate.format"))] = ReportFormat.text,
    template: TemplateOpt = None,
    lang: LangOpt = None,
) -> None:
    lang_ = use_lang(lang)
    from .. import api

    try:
        tpl = template_option(template)
        result = api.diff_documents(api.load_document(old, tpl), api.load_document(new, tpl), tpl)
    except BudgetxlError as exc:
        raise fail(exc)
    if format is ReportFormat.json:
        emit(json.dumps(result, ensure_ascii=False, indent=2, default=str) + "\n", None)
    else:
        from .render import render_diff

        render_diff(result, lang_)
