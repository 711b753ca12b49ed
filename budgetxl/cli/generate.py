"""``budgetxl generate``: one pre-filled workbook from a document, one per roster unit (blank, or
with its issued projects from a budget list), or a later stage's (monitoring, self-evaluation)
from the targets.

Exit codes: 0 done; 1 done, but the issued data breaks a rule (the clerk cannot fix it in the
workbook), a roster unit has no row in the budget list or no targets in --from; 2 nothing done.
"""

from __future__ import annotations

from enum import Enum
from pathlib import Path
from typing import Annotated, Optional

import typer

from ..errors import BudgetxlError, usage_error
from .app import (ATTENTION, DONE, JobsOpt, LangOpt, TemplateOpt, app, check_paths, check_year, conflict,
                  current_lang, examples, fail, helptext, jobs_or_cores, say, use_lang)


class Stage(str, Enum):
    monitor = "monitor"
    selfeval = "selfeval"


@app.command(
    help=helptext("help.generate"),
    epilog=examples("budgetxl generate --prefill examples/juluxian-2024.json -o 巨鹿县.xlsx",
                    "budgetxl generate --units examples/xingtai-units.csv --year 2024 -o out/",
                    "budgetxl generate --units examples/xingtai-units.csv --budget 2025预算.csv --year 2025 -o 2025下发/",
                    "budgetxl generate --stage monitor --from 汇总.xlsx --units examples/xingtai-units.csv --month 7 -o 监控/",
                    "budgetxl generate --stage selfeval --from 汇总.xlsx -o 自评/")
    + "\n\n" + helptext("help.generate.exit"),
)
def generate(
    output: Annotated[Path, typer.Option("-o", "--output", metavar="OUT", help=helptext("help.generate.output"))],
    prefill: Annotated[Optional[Path], typer.Option("--prefill", metavar="DOC", help=helptext("help.generate.prefill"))] = None,
    units: Annotated[Optional[Path], typer.Option("--units", metavar="ROSTER", help=helptext("help.generate.units"))] = None,
    budget: Annotated[Optional[Path], typer.Option("--budget", metavar="BUDGET",
                                                   help=helptext("help.generate.budget"))] = None,
    year: Annotated[Optional[int], typer.Option("--year", metavar="N", help=helptext("help.generate.year"))] = None,
    stage: Annotated[Optional[Stage], typer.Option("--stage", metavar="monitor|selfeval",
                                                   help=helptext("help.generate.stage"))] = None,
    from_: Annotated[Optional[Path], typer.Option("--from", metavar="SOURCE", help=helptext("help.generate.from"))] = None,
    month: Annotated[Optional[int], typer.Option("--month", metavar="N", min=1, max=12,
                                                 help=helptext("help.generate.month"))] = None,
    template: TemplateOpt = None,
    jobs: JobsOpt = 0,
    lang: LangOpt = None,
) -> None:
    use_lang(lang)
    if stage is not None:
        raise typer.Exit(_stage(stage.value, from_, prefill, units, month, budget, year, output, template, jobs))
    for name, given in (("--from", from_), ("--month", month)):
        if given is not None:
            raise fail(usage_error("usage.stage-only", name=name))
    if (prefill is None) == (units is None):
        raise fail(usage_error("usage.prefill-or-units"))
    if prefill is not None:
        if year is not None:
            raise conflict("--prefill", "--year", "usage.prefill-year")
        if budget is not None:
            raise conflict("--prefill", "--budget")
        check_paths(inputs=[prefill], files=[(output, "workbook")])
        raise typer.Exit(_prefill(prefill, output, template))
    if year is None:
        raise fail(usage_error("usage.units-year"))
    check_year(year)
    n = jobs_or_cores(jobs)
    check_paths(inputs=[units, budget], folders=[output])
    raise typer.Exit(_roster(units, budget, year, output, template, n))


def _prefill(prefill: Path, output: Path, template: str | None) -> int:
    from .. import api
    from .render import render_issued_findings

    try:
        tpl = api.load_template(template) if template else None
        doc = api.load_document(prefill, tpl)
        t = tpl or api.template_for_document(doc)
        findings = api.validate_document(doc, t)
        api.generate_workbook(doc, output, tpl)
    except BudgetxlError as exc:
        raise fail(exc)
    attention = render_issued_findings([(doc, findings)], t, current_lang())
    say("generated", path=str(output))
    return ATTENTION if attention else DONE


def _roster(units: Path, budget: Path | None, year: int, output: Path, template: str | None, jobs: int) -> int:
    from .. import api
    from .render import render_issued_findings

    try:
        tpl = api.load_template(template)
        roster = api.load_roster(units)
        plan = api.read_budget_list(budget) if budget else None
        docs = api.issue_documents(roster, year, plan, tpl)
        paths = api.generate_workbooks(roster, year, output, tpl, jobs=jobs, budget=plan)
    except BudgetxlError as exc:
        raise fail(exc)
    checked = [(d, api.validate_document(d, tpl)) for d in docs]
    attention = render_issued_findings(checked, tpl, current_lang(), list_others=False)
    say("generated-n", n=len(paths), dir=str(output))
    empty = [d for d in docs if not d.projects] if plan is not None else []
    for d in empty:
        say("generate.unit-blank", code=d.unit.code, name=d.unit.name or "")
    return ATTENTION if attention or empty else DONE


def _stage(stage: str, source: Path | None, prefill: Path | None, units: Path | None, month: int | None,
           budget: Path | None, year: int | None, output: Path, template: str | None, jobs: int) -> int:
    """``--stage monitor|selfeval --from SOURCE``: one workbook per unit; 1 when a roster unit has
    no targets in the source."""
    from .. import api

    if prefill is not None:
        raise fail(usage_error("usage.stage-prefill"))
    if year is not None:
        raise conflict("--stage", "--year", "usage.stage-year")
    if month is not None and stage != "monitor":
        raise conflict("--month", f"--stage {stage}")
    if budget is not None and stage != "selfeval":
        raise conflict("--budget", f"--stage {stage}")
    if source is None:
        raise fail(usage_error("usage.stage-from"))
    n = jobs_or_cores(jobs)
    check_paths(inputs=[source, units, budget], folders=[output])
    try:
        roster = api.load_roster(units) if units else None
        tpl = api.load_template(template) if template else None
        res = api.generate_stage(source, stage, output, roster, month, budget, tpl, jobs=n)
    except BudgetxlError as exc:
        raise fail(exc)
    say("generated-n", n=len(res.outputs), dir=str(output))
    for u in res.missing:
        say("stage.missing-unit", code=u.code, name=u.name)
    return ATTENTION if res.missing else DONE
