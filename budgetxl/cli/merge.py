"""``budgetxl merge``: consolidate every unit's workbook (each input read once).

Exit codes: 0 done, every file counted (an identical copy aside) and, with --units, every unit
in; 1 done, but a file was unreadable, invalid, superseded or outside the roster, or a roster unit
is missing (each listed on the terminal); 2 nothing done (usage, a refused output, --strict with
anything wrong).
"""

from __future__ import annotations

from enum import Enum
from pathlib import Path
from typing import Annotated, Optional

import typer

from ..errors import BudgetxlError, usage_error
from .app import (ATTENTION, DONE, NOTHING_DONE, JobsOpt, LangOpt, TemplateOpt, app, check_paths, conflict, examples,
                  fail, helptext, jobs_or_cores, progress_bar, template_option, use_lang)


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
    inputs: Annotated[Optional[list[Path]], typer.Argument(metavar="INPUTS", help=helptext("help.merge.inputs"))] = None,
    output: Annotated[Path, typer.Option("-o", "--output", metavar="OUT.xlsx", help=helptext("help.merge.output"))] = ...,
    ledger: Annotated[Optional[Path], typer.Option("--ledger", metavar="DIR", help=helptext("help.merge.ledger"))] = None,
    stage: Annotated[Optional[LedgerStage], typer.Option("--stage", metavar="targets|monitor|selfeval",
                                                         help=helptext("help.merge.ledger_stage"))] = None,
    units: Annotated[Optional[Path], typer.Option("--units", metavar="ROSTER", help=helptext("help.merge.units"))] = None,
    data_dir: Annotated[Optional[Path], typer.Option("--data-dir", metavar="DIR",
                                                     help=helptext("help.merge.data_dir"))] = None,
    city: Annotated[Optional[str], typer.Option("--city", metavar="NAME", help=helptext("help.merge.city"))] = None,
    strict: Annotated[bool, typer.Option("--strict", help=helptext("help.merge.strict"))] = False,
    include_invalid: Annotated[bool, typer.Option("--include-invalid", help=helptext("help.merge.include_invalid"))] = False,
    prefer: Annotated[Optional[list[Path]], typer.Option("--prefer", metavar="FILE",
                                                         help=helptext("help.merge.prefer"))] = None,
    jobs: JobsOpt = 0,
    template: TemplateOpt = None,
    lang: LangOpt = None,
) -> None:
    lang_ = use_lang(lang)
    if (ledger is None) == (not inputs):
        raise fail(usage_error("usage.merge-source"))
    if stage is not None and ledger is None:
        raise fail(usage_error("usage.merge-stage"))
    if strict and include_invalid:
        raise fail(usage_error("usage.strict-invalid"))
    n = jobs_or_cores(jobs)
    if ledger is not None:
        for option, given in (("--units", units), ("--prefer", prefer), ("--strict", strict),
                              ("--include-invalid", include_invalid)):
            if given:
                raise conflict("--ledger", option)
        check_paths(files=[(output, "workbook")], folders=[data_dir], others=[ledger])
        from .portal import merge_ledger

        raise typer.Exit(merge_ledger(ledger, output, data_dir, lang_, stage.value if stage else "targets", city=city))
    check_paths(inputs=[units], files=[(output, "workbook")], folders=[data_dir], others=inputs)
    _check_prefer(prefer or [], inputs)
    from .. import api
    from .render import render_merge_summary

    try:
        tpl = template_option(template)
        roster = api.load_roster(units) if units else None
        api.check_output(output, inputs)
        with api.reserve_outputs(output, data_dir):  # (before any work: a busy or unwritable output is refused)
            with progress_bar(lang_) as progress:
                cons = api.merge_files(inputs, roster, prefer or [], include_invalid, tpl, n, progress)
            refused = strict and not cons.complete
            written = [] if refused else cons.write(output, data_dir, lang_, n, city=city)
    except BudgetxlError as exc:
        raise fail(exc)
    render_merge_summary(cons, written, lang_, strict_failed=refused)
    raise typer.Exit(NOTHING_DONE if refused else ATTENTION if cons.needs_attention else DONE)


def _check_prefer(prefer: list[Path], inputs: list[Path]) -> None:
    """Each --prefer names a file that is one of the inputs (or inside an input folder)."""
    for p in prefer:
        if not p.is_file():
            raise fail(BudgetxlError("file-not-found", path=str(p)))
        rp = p.resolve()
        if not any(rp == i.resolve() or (i.is_dir() and i.resolve() in rp.parents) for i in inputs):
            raise fail(usage_error("usage.prefer-not-input", path=str(p)))
