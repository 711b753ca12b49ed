"""budgetxl: the budget performance-target cycle (预算绩效目标) in Excel workbooks.

Library first: generate a unit's workbook, read it back into the submission model.

    >>> from budgetxl import Submission, generate_workbook, read_workbook
"""

__version__ = "0.1.0"

__all__ = ["Submission", "generate_workbook", "read_workbook", "load_template", "__version__"]


def __getattr__(name: str):
    # Heavy modules (pydantic, xlsxwriter, calamine) load only when used, so `budgetxl --help` starts fast.
    if name == "Submission":
        from .model import Submission

        return Submission
    if name == "generate_workbook":
        from .writer import generate_workbook

        return generate_workbook
    if name == "read_workbook":
        from .reader import read_workbook

        return read_workbook
    if name == "load_template":
        from .template import load_template

        return load_template
    raise AttributeError(name)
