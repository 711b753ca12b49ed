"""``budgetxl read``: a workbook as the submission document (JSON) or its indicator rows (CSV).

Exit codes: 0 done; 2 nothing done (the workbook cannot be read, a refused output). Reading has
nothing that needs attention: ``validate`` judges the content.
"""

from __future__ import annotations

from enum import Enum
from pathlib import Path
from typing import Annotated, Optional

import typer

from ..errors import BudgetxlError
from .app import LangOpt, TemplateOpt, app, check_paths, emit, examples, fail, helptext, template_option, use_lang


class ReadFormat(str, Enum):
    json = "json"
    csv = "csv"


@app.command(
    help=helptext("help.read"),
    epilog=examples("budgetxl read 巨鹿县.xlsx > 巨鹿县.json", "budgetxl read 巨鹿县.xlsx --format csv -o 指标.csv"),
)
def read(
    workbook: Annotated[Path, typer.Argument(metavar="WORKBOOK", help=helptext("help.read.workbook"))],
    format: Annotated[ReadFormat, typer.Option("--format", metavar="json|csv", help=helptext("help.read.format"))] = ReadFormat.json,
    output: Annotated[Optional[Path], typer.Option("-o", "--output", metavar="OUT",
                                                   help=helptext("help.read.output"))] = None,
    template: TemplateOpt = None,
    lang: LangOpt = None,
) -> None:
    use_lang(lang)
    from ..files.safeparse import run_isolated

    check_paths(inputs=[workbook], files=[(output, format.value)])
    try:
        # in a child process: a file that kills its reader is refused in one line like any other
        text = run_isolated(_read_text, workbook, template_option(template), format, path=str(workbook))
    except BudgetxlError as exc:
        raise fail(exc)
    emit(text, output)


def _read_text(workbook: Path, template: object, format: ReadFormat) -> str:
    """The output of ``read``: the document as JSON, or its indicator rows as CSV."""
    from .. import api

    result = api.read_workbook(workbook, template)
    return result.doc.to_json() + "\n" if format is ReadFormat.json else api.indicator_csv(result.doc, result.template)
