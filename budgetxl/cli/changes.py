"""``budgetxl sync | split | diff``: issued values pushed down, next year's workbooks, changes.

Exit codes: sync 0 nothing changed, 1 changes made; split 0 every unit issued from its data, 1
something to look at (a unit issued without data or left empty, codes still to supply); diff 0
no difference, 1 differences; all 2 when nothing was done.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated, Optional

import typer

from ..errors import BudgetxlError, usage_error
from .app import (ATTENTION, DONE, LangOpt, ReportFormat, TemplateOpt, app, check_paths, check_year, conflict, emit,
                  examples, fail, helptext, say, template_option, use_lang)


@app.command(
    help=helptext("help.sync"),
    epilog=examples("budgetxl sync 巨鹿县.xlsx --from 调整后下达.json -o 巨鹿县_已同步.xlsx",
                    "budgetxl sync 巨鹿县.xlsx --from 调整后下达.json --in-place")
    + "\n\n" + helptext("help.sync.exit"),
)
def sync(
    workbook: Annotated[Path, typer.Argument(metavar="WORKBOOK", help=helptext("help.sync.workbook"))],
    from_: Annotated[Path, typer.Option("--from", metavar="DOC", help=helptext("help.sync.from"))],
    output: Annotated[Optional[Path], typer.Option("-o", "--output", metavar="OUT.xlsx",
                                                   help=helptext("help.sync.output"))] = None,
    in_place: Annotated[bool, typer.Option("--in-place", help=helptext("help.sync.in_place"))] = False,
    template: TemplateOpt = None,
    lang: LangOpt = None,
) -> None:
    lang_ = use_lang(lang)
    from .. import api

    if in_place and output is not None:
        raise conflict("--in-place", "-o")
    if output is None and not in_place:
        raise fail(usage_error("usage.sync-output"))
    check_paths(inputs=[workbook, from_], files=[(output, "workbook")])
    try:
        issued = api.load_document(from_)
        res = api.sync_workbook(workbook, issued, output, in_place, template_option(template))
    except BudgetxlError as exc:
        raise fail(exc)
    for c in res.changes:
        typer.echo(c.text(lang_))
    if not res.changes:
        say("sync.no-change")
    if in_place and not res.changes:
        say("sync.untouched", path=str(workbook))
        raise typer.Exit(DONE)
    if res.backup:
        say("sync.backup", path=str(res.backup))
    say("generated", path=str(res.output))
    raise typer.Exit(ATTENTION if res.changes else DONE)


@app.command(
    help=helptext("help.split"),
    epilog=examples("budgetxl split 2024汇总.xlsx -o 2025下发/ --year 2025 --budget 2025预算.csv",
                    "budgetxl split 2024汇总.xlsx -o 2025下发/ --year 2025 --budget 2025预算.csv --budget-complete "
                    "--units examples/xingtai-units.csv",
                    "budgetxl split --from-published 2024公开文件/ -o 2025下发/ --year 2025")
    + "\n\n" + helptext("help.split.exit"),
)
def split(
    consolidated: Annotated[Optional[Path], typer.Argument(metavar="CONSOLIDATED.xlsx",
                                                           help=helptext("help.split.consolidated"))] = None,
    output: Annotated[Path, typer.Option("-o", "--output", metavar="DIR", help=helptext("help.split.output"))] = ...,
    year: Annotated[Optional[int], typer.Option("--year", metavar="N", help=helptext("help.split.year"))] = None,
    budget: Annotated[Optional[Path], typer.Option("--budget", metavar="BUDGET", help=helptext("help.split.budget"))] = None,
    budget_complete: Annotated[bool, typer.Option("--budget-complete",
                                                  help=helptext("help.split.budget_complete"))] = False,
    units: Annotated[Optional[Path], typer.Option("--units", metavar="ROSTER", help=helptext("help.split.units"))] = None,
    from_published: Annotated[Optional[Path], typer.Option("--from-published", metavar="DIR",
                                                           help=helptext("help.split.from_published"))] = None,
    template: TemplateOpt = None,
    lang: LangOpt = None,
) -> None:
    lang_ = use_lang(lang)
    from .. import api
    from .render import render_split

    if (consolidated is None) == (from_published is None):
        raise fail(usage_error("usage.split-source"))
    if budget_complete and budget is None:
        raise fail(usage_error("usage.budget-complete"))
    check_year(year)
    check_paths(inputs=[consolidated, budget, units], folders=[output], others=[p for p in [from_published] if p])
    if from_published is not None:
        from .importing import split_from_published

        raise typer.Exit(split_from_published(from_published, output, year, budget, template, lang_, units,
                                              budget_complete))
    try:
        roster = api.load_roster(units) if units else None
        res = api.split_consolidated(consolidated, output, year, budget, template_option(template), roster,
                                     budget_complete)
    except BudgetxlError as exc:
        raise fail(exc)
    render_split(res, year, lang_)
    say("generated-n", n=len(res.outputs), dir=str(output))
    raise typer.Exit(ATTENTION if res.needs_attention else DONE)


@app.command(
    help=helptext("help.diff"),
    epilog=examples("budgetxl diff 巨鹿县_第一次.xlsx 巨鹿县_修改版.xlsx", "budgetxl diff 2024.json 2025.xlsx --format json")
    + "\n\n" + helptext("help.diff.exit"),
)
def diff(
    old: Annotated[Path, typer.Argument(metavar="OLD", help=helptext("help.diff.old"))],
    new: Annotated[Path, typer.Argument(metavar="NEW", help=helptext("help.diff.new"))],
    format: Annotated[ReportFormat, typer.Option("--format", metavar="text|json", help=helptext("help.validate.format"))] = ReportFormat.text,
    template: TemplateOpt = None,
    lang: LangOpt = None,
) -> None:
    lang_ = use_lang(lang)
    from .. import api

    check_paths(inputs=[old, new])
    try:
        tpl = template_option(template)
        newer = api.load_document(new, tpl)
        result = api.diff_documents(api.load_document(old, tpl), newer, tpl)
    except BudgetxlError as exc:
        raise fail(exc)
    if format is ReportFormat.json:
        emit(json.dumps(result, ensure_ascii=False, indent=2, default=str) + "\n", None)
    else:
        from .render import render_diff

        render_diff(result, lang_, tpl or api.template_for_document(newer))
    raise typer.Exit(DONE if result["identical"] else ATTENTION)
