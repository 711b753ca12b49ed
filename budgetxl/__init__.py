"""budgetxl: the budget performance cycle (绩效目标, 运行监控, 绩效自评) in Excel workbooks.

The library, in a few lines (see docs/python-api.md):

    >>> import budgetxl
    >>> doc = budgetxl.load_document("examples/juluxian-2024.json")          # doctest: +SKIP
    >>> budgetxl.generate_workbook(doc, "巨鹿县.xlsx")                        # doctest: +SKIP
    >>> report = budgetxl.validate_file("巨鹿县.xlsx")                        # doctest: +SKIP
    >>> [f.message("en") for f in report.findings]                            # doctest: +SKIP

Every name below loads its module on first use, so ``budgetxl --help`` starts fast.
"""

from .version import __version__

__all__ = [
    "BudgetxlError", "Consolidation", "FileReport", "Finding", "InputFile", "ReadError", "ReadResult", "Report",
    "Submission", "Template", "TemplateError", "annotate_copy", "diff_documents", "generate_stage",
    "generate_workbook", "generate_workbooks", "import_published", "load_document", "load_roster", "load_template",
    "merge_files", "read_consolidated", "read_workbook", "score_document", "split_consolidated", "split_documents",
    "stage_document", "stage_form", "sync_workbook", "validate_document", "validate_file", "validate_paths",
    "__version__",
]


def __getattr__(name: str):
    # Heavy modules (pydantic, xlsxwriter, calamine) load only when used.
    if name == "import_published":  # the importer sits above the core API (budgetxl.published)
        from .published import import_published

        return import_published
    if name in __all__:
        from . import api

        return getattr(api, name)
    raise AttributeError(f"module 'budgetxl' has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted(__all__)
