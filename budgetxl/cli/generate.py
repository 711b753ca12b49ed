"""``budgetxl generate``: one pre-filled workbook from a document, or blank ones from a roster."""

from __future__ import annotations

from enum import Enum
from pathlib import Path
from typing import Annotated, Optional

import typer

from ..errors import BudgetxlError, usage_error
from .app import JobsOpt, LangOpt, TemplateOpt, app, current_lang, examples, fail, helptext, jobs_or_cores, say, use_lang


class Stage(str, Enum):
    monitor = "monitor"
    selfeval = "selfeval"


@app.command(
    help=helptext("help.generate"),
    epilog=examples("budgetxl generate --prefill examples/juluxian-2024.json -o 巨鹿县.xlsx",
                    "budgetxl generate --units examples/xingtai-units.csv --year 2024 -o out/",
                    "budgetxl generate --stage monitor --from 汇总.xlsx --units examples/xingtai-units.csv --month 7 -o 监控/",
                    "budgetxl generate --stage selfeval --from 汇总.xlsx -o 自评/"),
)
def generate(
    output: Annotated[Path, typer.Option("-o", "--output", help=helptext("help.generate.output"))],
    prefill: Annotated[Optional[Path], typer.Option("--prefill", help=helptext("help.generate.prefill"))] = None,
    units: Annotated[Optional[Path], typer.Option("--units", help=helptext("help.generate.units"))] = None,
    year: Annotated[Optional[int], typer.Option("--year", help=helptext("help.generate.year"))] = None,
    stage: Annotated[Optional[Stage], typer.Option("--stage", help=helptext("help.generate.stage"))] = None,
    from_: Annotated[Optional[Path], typer.Option("--from", help=helptext("help.generate.from"))] = None,
    month: Annotated[Optional[int], typer.Option("--month", min=1, max=12, help=helptext("help.generate.month"))] = None,
    budget: Annotated[Optional[Path], typer.Option("--budget", help=helptext("help.generate.budget"))] = None,
    template: TemplateOpt = None,
    jobs: JobsOpt = 0,
    lang: LangOpt = None,
) -> None:
    use_lang(lang)
    from .. import api

    if stage is not None:
        _generate_stage(stage.value, from_, prefill, units, month, budget, output, template, jobs)
        return
    if (prefill is None) == (units is None):
        raise fail(usage_error("usage.prefill-or-units"))
    try:
        if prefill is not None:
            doc = api.load_document(prefill)
            tpl = api.load_template(template) if template else None
            findings = api.validate_document(doc, tpl)
            if findings:
                say("prefill-warnings", n=len(findings))
                for f in findings:
                    typer.echo(f"  [{f.rule}] {f.message(current_lang())}")
            api.generate_workbook(doc, output, tpl)
            say("generated", path=str(output))
        else:
            if year is None:
                raise usage_error("usage.units-year")
            tpl = api.load_template(template)
            paths = api.generate_workbooks(api.load_roster(units), year, output, tpl, jobs=jobs_or_cores(jobs))
            say("generated-n", n=len(paths), dir=str(output))
    except BudgetxlError as exc:
        raise fail(exc)


def _generate_stage(stage: str, source: Path | None, prefill: Path | None, units: Path | None, month: int | None,
                    budget: Path | None, output: Path, template: str | None, jobs: int) -> None:
    """``--stage monitor|selfeval --from SOURCE``: one workbook per unit; exit 1 when a roster unit
    has no targets in the source."""
    from .. import api

    try:
        if prefill is not None:
            raise usage_error("usage.stage-prefill")
        if source is None:
            raise usage_error("usage.stage-from")
        roster = api.load_roster(units) if units else None
        tpl = api.load_template(template) if template else None
        res = api.generate_stage(source, stage, output, roster, month, budget, tpl, jobs=jobs_or_cores(jobs))
    except BudgetxlError as exc:
        raise fail(exc)
    say("generated-n", n=len(res.outputs), dir=str(output))
    for u in res.missing:
        say("stage.missing-unit", code=u.code, name=u.name)
    if res.missing:
        raise typer.Exit(1)
