"""``budgetxl demo``: the whole cycle on the bundled example."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from ..errors import BudgetxlError
from .app import LangOpt, app, examples, fail, helptext, say, use_lang


@app.command(help=helptext("help.demo"), epilog=examples("budgetxl demo -o budgetxl-demo", single=True))
def demo(
    output: Annotated[Path, typer.Option("-o", "--output", help=helptext("help.demo.output"))] = Path("budgetxl-demo"),
    lang: LangOpt = None,
) -> None:
    lang_ = use_lang(lang)
    from ..demo import run_demo
    from .render import render_merge_summary

    try:
        report = run_demo(output, lang=lang_)
    except BudgetxlError as exc:
        raise fail(exc)
    render_merge_summary(report.merge.consolidation, [report.merge.output, *report.merge.data_files], lang_)
    for line in report.lines(lang_):
        typer.echo(line)
    say("demo-done", dir=str(output))
