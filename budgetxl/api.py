"""budgetxl as a library: the entry points the command line and the portal use.

Each returns data (a document, a report, a consolidation, a change list) and raises
:class:`BudgetxlError` for what the user must fix. None prints, exits or takes a language: text
for people is rendered from the returned data (``Finding.message(lang)``, ``Report.to_data(lang)``,
``Consolidation.write(..., lang=)``). See docs/python-api.md.
"""

from __future__ import annotations

from .changes import (Change, SplitResult, StageResult, SyncResult, diff_documents, generate_stage,
                      split_consolidated, split_documents, stage_document, sync_document, sync_workbook)
from .consolidation import (Consolidation, MergeResult, check_output, merge, merge_files, read_consolidated,
                            reserve_outputs, status_text)
from .errors import BudgetxlError, ReadError, TemplateError
from .files.inputs import WORKBOOK_SUFFIXES, InputFile, collect_inputs
from .files.tables import BudgetList, RosterUnit, load_budget_list, load_roster, read_budget_list
from .findings import Finding
from .form import Template, builtin_templates, load_template
from .model import Submission
from .rules import check_document as validate_document
from .workbook.annotate import annotate as annotate_copy
from .workbook.documents import load_document
from .workbook.reader import ReadResult, read_workbook
from .workbook.validate import FileReport, Report, validate_file, validate_paths
from .workbook.writer import generate_for_roster as generate_workbooks
from .workbook.writer import generate_workbook, issue_documents, workbook_filename


def max_file_bytes() -> int:
    """The largest file intake reads (a larger one is refused before any parsing)."""
    from .files.intake import LIMITS

    return LIMITS.max_file_bytes


def template_for_document(doc: Submission) -> Template:
    """The template a document is held in: the built-in one it names, else its stage's form (a
    monitoring document's at its month)."""
    from .form.template import document_template

    return document_template(doc)


def stage_form(stage: str, month: int | None = None) -> Template:
    """The built-in form of a stage of the year (``targets``, ``monitor``, ``selfeval``); a
    monitoring form for data to the end of ``month``."""
    from .form.template import STAGE_TEMPLATES

    if stage not in STAGE_TEMPLATES:
        from .errors import usage_error

        raise usage_error("usage.stage", stage=stage)
    return load_template(STAGE_TEMPLATES[stage], month)


def indicator_csv(doc: Submission, template: Template | None = None) -> str:
    """A document's indicator rows as CSV (the columns of the consolidated indicator table;
    UTF-8 with BOM for Excel, formula-looking text kept text)."""
    from .consolidation.datafiles import rows_to_csv
    from .form import consolidated
    from .form.template import document_template

    t = template or document_template(doc)
    return rows_to_csv(consolidated.indicator_rows(doc, t), [c.key for c in consolidated.indicator_columns(t)])


def score_document(doc: Submission, template: Template | None = None) -> list[dict]:
    """A later stage's computed cells, as its workbook computes them: per project its code, name,
    执行率 and (self-evaluation) 总分 and 评价等级, and per indicator its 分值, 得分 or 序时进度 light;
    keyed as the data files' columns (``rate_total``, ``total_score``, ``grade``, ``points``,
    ``score``, ``light``). Nothing for a targets document."""
    from .form.scorecard import scorecard
    from .form.template import document_template

    t = (template or document_template(doc)).at_month(doc.month)
    table = t.fields
    shown = {s: [f for f in table.scope(s) if f.column_key and (not f.stored or f.kind.name == "score"
                                                                or f.key == "points")] for s in ("project", "indicator")}
    out = []
    for p, card in zip(doc.projects, scorecard(doc, t)):
        row = {"code": p.code, "name": p.name, **{f.column_key: card.value(f.key) for f in shown["project"]}}
        row["indicators"] = [{"name": ind.name, **{f.column_key: card.value(f.key, k) for f in shown["indicator"]}}
                             for k, ind in enumerate(p.indicators)]
        out.append(row)
    return out


__all__ = [
    "BudgetList", "BudgetxlError", "Change", "Consolidation", "FileReport", "Finding", "InputFile", "MergeResult",
    "ReadError", "ReadResult", "Report", "RosterUnit", "SplitResult", "StageResult", "Submission", "SyncResult",
    "Template", "TemplateError", "WORKBOOK_SUFFIXES", "annotate_copy", "builtin_templates", "check_output",
    "collect_inputs", "diff_documents", "generate_stage", "generate_workbook", "generate_workbooks", "indicator_csv",
    "issue_documents", "load_budget_list", "load_document", "load_roster", "load_template", "max_file_bytes", "merge",
    "merge_files", "read_budget_list", "read_consolidated", "read_workbook", "reserve_outputs", "score_document",
    "split_consolidated", "split_documents", "stage_document", "stage_form", "status_text", "sync_document", "sync_workbook",
    "template_for_document", "validate_document", "validate_file", "validate_paths", "workbook_filename",
]
