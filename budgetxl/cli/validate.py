"""``budgetxl validate``: reports per file, annotated copies to send back.

Exit codes: 0 no errors (warnings are fine); 1 done, but a file has errors or could not be read
among others, or a copy could not be written; 2 nothing done (usage, every input unreadable).
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Optional

import typer

from ..errors import BudgetxlError, usage_error
from .app import (ATTENTION, DONE, NOTHING_DONE, JobsOpt, LangOpt, ReportFormat, TemplateOpt, app, check_paths, emit,
                  examples, fail, helptext, jobs_or_cores, os_error, progress_bar, template_option, use_lang)


@app.command(
    help=helptext("help.validate"),
    epilog=examples("budgetxl validate 收件箱/ --annotate 退回/", "budgetxl validate 巨鹿县.xlsx --format json")
    + "\n\n" + helptext("help.validate.exit"),
)
def validate(
    paths: Annotated[list[Path], typer.Argument(metavar="PATHS", help=helptext("help.validate.paths"))],
    format: Annotated[ReportFormat, typer.Option("--format", metavar="text|json", help=helptext("help.validate.format"))] = ReportFormat.text,
    annotate: Annotated[Optional[Path], typer.Option("--annotate", metavar="DIR",
                                                     help=helptext("help.validate.annotate"))] = None,
    annotate_warnings: Annotated[bool, typer.Option("--annotate-warnings",
                                                    help=helptext("help.validate.annotate_warnings"))] = False,
    template: TemplateOpt = None,
    jobs: JobsOpt = 0,
    lang: LangOpt = None,
) -> None:
    lang_ = use_lang(lang)
    from .. import api

    if annotate_warnings and annotate is None:
        raise fail(usage_error("usage.annotate-warnings"))
    n = jobs_or_cores(jobs)
    check_paths(folders=[annotate], others=paths)
    try:
        tpl = template_option(template)
        with progress_bar(lang_) as progress:
            report = api.validate_paths(paths, tpl, jobs=n, progress=progress)
    except BudgetxlError as exc:
        raise fail(exc)
    if not report.files:
        raise fail(usage_error("usage.no-workbook"))
    annotated, failed = _annotate(report, annotate, annotate_warnings, lang_) if annotate else ([], 0)
    if format is ReportFormat.json:
        emit(report.to_json(lang_) + "\n", None)
    else:
        from .render import render_reports

        render_reports(report.files, lang_, annotated)
    for r in report.files:
        if r.error is not None:
            typer.echo(r.error.message(lang_), err=True)
    if not any(r.readable for r in report.files):
        raise typer.Exit(NOTHING_DONE)
    raise typer.Exit(DONE if report.valid and not failed else ATTENTION)


def _annotate(report, outdir: Path, warnings: bool, lang: str) -> tuple[list[tuple[str, Path]], int]:
    """Copies of the files with errors (and, with ``warnings``, of those with warnings only)."""
    from .. import api

    annotated, failed, taken = [], 0, set()
    for r in report.files:
        if not r.readable or not (r.errors or (warnings and r.warnings)):
            continue
        try:
            annotated.append((r.path, api.annotate_copy(r, outdir, lang, taken)))
        except BudgetxlError as exc:  # one bad file must not stop the batch
            failed += 1
            typer.echo(exc.message(lang), err=True)
        except OSError as exc:
            failed += 1
            typer.echo(os_error(exc).message(lang), err=True)
        except Exception:  # openpyxl cannot edit every file calamine reads: say which, go on
            failed += 1
            typer.echo(BudgetxlError("annotate-failed", path=r.path).message(lang), err=True)
    return annotated, failed
