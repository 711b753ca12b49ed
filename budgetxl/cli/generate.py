"""``budgetxl generate``: one pre-filled workbook from a document, or blank ones from a roster."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Optional

import typer

from ..errors import BudgetxlError, usage_error
from .app import JobsOpt, LangOpt, TemplateOpt, app, current_lang, examples, fail, helptext, jobs_or_cores, say, use_lang


@app.command(
    help=helptext("help.generate"),
    epilog=examples("budgetxl generate --prefill examples/juluxian-2024.json -o 巨鹿县.xlsx",
                    "budgetxl generate --units examples/xingtai-units.csv --year 2024 -o out/"),
)
def generate(
    output: Annotated[Path, typer.Option("-o", "--output", help=helptext("help.generate.output"))],
    prefill: Annotated[Optional[Path], typer.Option("--prefill", help=helptext("help.generate.prefill"))] = None,
    units: Annotated[Optional[Path], typer.Option("--units", help=helptext("help.generate.units"))] = None,
    year: Annotated[Optional[int], typer.Option("--year", help=helptext("help.generate.year"))] = None,
    template: TemplateOpt = None,
    jobs: JobsOpt = 0,
    lang: LangOpt = None,
) -> None:
    use_lang(lang)
    from .. import api

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
