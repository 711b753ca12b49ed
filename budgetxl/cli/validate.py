"""``budgetxl validate``: reports per file, annotated copies to send back."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Optional

import typer

from ..errors import BudgetxlError, usage_error
from ..messages import message
from .app import (JobsOpt, LangOpt, ReportFormat, TemplateOpt, app, emit, examples, fail, helptext, jobs_or_cores,
                  progress_bar, template_option, use_lang)


@app.command(
    help=helptext("help.validate"),
    epilog=examples("budgetxl validate 收件箱/ --annotate 退回/", "budgetxl validate 巨鹿县.xlsx --format json")
    + "\n\n" + helptext("help.validate.exit"),
)
def validate(
    paths: Annotated[list[Path], typer.Argument(help=helptext("help.validate.paths"))],
    format: Annotated[ReportFormat, typer.Option("--format", help=helptext("help.validate.format"))] = ReportFormat.text,
    annotate: Annotated[Optional[Path], typer.Option("--annotate", help=helptext("help.validate.annotate"))] = None,
    template: TemplateOpt = None,
    jobs: JobsOpt = 0,
    lang: LangOpt = None,
) -> None:
    lang_ = use_lang(lang)
    from .. import api

    try:
        tpl = template_option(template)
        with progress_bar(lang_) as progress:
            report = api.validate_paths(paths, tpl, jobs=jobs_or_cores(jobs), progress=progress)
    except BudgetxlError as exc:
        raise fail(exc)
    if not report.files:
        raise fail(usage_error("usage.no-workbook"))
    annotated, failed = [], 0
    if annotate is not None:
        taken: set[str] = set()
        for r in report.files:
            if r.readable:
                try:
                    annotated.append((r.path, api.annotate_copy(r, annotate, lang_, taken)))
                except Exception as exc:  # one bad file must not stop the batch
                    failed += 1
                    detail = getattr(exc, "strerror", None) or str(exc)
                    typer.echo(message("io-error", lang_, path=r.path, detail=detail), err=True)
    if format is ReportFormat.json:
        emit(report.to_json(lang_) + "\n", None)
    else:
        from .render import render_reports

        render_reports(report.files, lang_, annotated)
    for r in report.files:
        if r.error is not None:
            typer.echo(r.error.message(lang_), err=True)
    if not report.readable or failed:
        raise typer.Exit(2)
    raise typer.Exit(0 if report.valid else 1)
