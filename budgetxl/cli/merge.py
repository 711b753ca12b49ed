"""``budgetxl merge``: consolidate every unit's workbook (each input read once)."""

from __future__ import annotations

from pathlib import Path
from enum import Enum
from typing import Annotated, Optional

import typer

from ..errors import BudgetxlError, usage_error
from .app import (JobsOpt, LangOpt, TemplateOpt, app, examples, fail, helptext, jobs_or_cores, progress_bar,
                  template_option, use_lang)


class LedgerStage(str, Enum):
    targets = "targets"
    monitor = "monitor"
    selfeval = "selfeval"


@app.command(
    help=helptext("help.merge"),
    epilog=examples("budgetxl merge 收件箱/ 补交.zip -o 汇总.xlsx --units examples/xingtai-units.csv",
                    "budgetxl merge 收件箱/ -o 汇总.xlsx --data-dir 数据/ --include-invalid",
                    "budgetxl merge --ledger 门户/ -o 汇总.xlsx",
                    "budgetxl merge --ledger 门户/ --stage monitor -o 监控汇总.xlsx")
    + "\n\n" + helptext("help.merge.exit"),
)
def merge(
    inputs: Annotated[Optional[list[Path]], typer.Argument(help=helptext("help.merge.inputs"))] = None,
    output: Annotated[Path, typer.Option("-o", "--output", help=helptext("help.merge.output"))] = ...,
    ledger: Annotated[Optional[Path], typer.Option("--ledger", help=helptext("help.merge.ledger"))] = None,
    stage: Annotated[Optional[LedgerStage], typer.Option("--stage", help=helptext("help.merge.ledger_stage"))] = None,
    units: Annotated[Optional[Path], typer.Option("--units", help=helptext("help.merge.units"))] = None,
    data_dir: Annotated[Optional[Path], typer.Option("--data-dir", help=helptext("help.merge.data_dir"))] = None,
    strict: Annotated[bool, typer.Option("--strict", help=helptext("help.merge.strict"))] = False,
    include_invalid: Annotated[bool, typer.Option("--include-invalid", help=helptext("help.merge.include_invalid"))] = False,
    prefer: Annotated[Optional[list[Path]], typer.Option("--prefer", help=helptext("help.merge.prefer"))] = None,
    jobs: JobsOpt = 0,
    template: TemplateOpt = None,
    lang: LangOpt = None,
) -> None:
    lang_ = use_lang(lang)
    if (ledger is None) == (not inputs):
        raise fail(usage_error("usage.merge-source"))
    if stage is not None and ledger is None:
        raise fail(usage_error("usage.merge-stage"))
    if ledger is not None:
        from .portal import merge_ledger

        return merge_ledger(ledger, output, data_dir, lang_, stage.value if stage else "targets")
    from .. import api

    try:
        tpl = template_option(template)
        roster = api.load_roster(units) if units else None
        api.check_output(output, inputs)
        with api.reserve_outputs(output, data_dir):  # (before any work: a busy or unwritable output is refused)
            with progress_bar(lang_) as progress:
                cons = api.merge_files(inputs, roster, prefer or [], include_invalid, tpl, jobs_or_cores(jobs),
                                       progress)
            written = [] if strict and not cons.complete else cons.write(output, data_dir, lang_, jobs_or_cores(jobs))
    except BudgetxlError as exc:
        raise fail(exc)
    from .render import render_merge_summary

    render_merge_summary(cons, written, lang_, strict_failed=strict and not cons.complete)
    raise typer.Exit(1 if strict and not cons.complete else 0)
