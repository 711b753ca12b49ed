"""The small parts under the live checks and the percent reading: number format codes, the percent
cells of a workbook, the project code pattern as a formula."""

from __future__ import annotations

import openpyxl
import pytest

from budgetxl.files.formats import PercentCells, is_percent_code
from budgetxl.form import load_template
from budgetxl.rules.live_code import compile_shape


@pytest.mark.parametrize("code,percent", [
    ("0%", True), ("0.00%", True), ("#,##0.0%;[Red]-0.0%", True), ('0.##"%"', False), ("0\\%", False),
    ("General", False), ("[$%-409]0", False), ('"提示%"@', False), ("0.##", False)])
def test_a_percent_format_scales_by_100(code, percent):
    assert is_percent_code(code) is percent


def test_percent_cells_of_an_xlsx(tmp_path):
    path = tmp_path / "p.xlsx"
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "表"
    ws["B2"], ws["C3"], ws["D4"] = 0.95, 0.95, 95
    ws["B2"].number_format = "0%"
    ws["C3"].number_format = '0.0"%"'  # a literal sign: shows 0.95%, means 0.95
    wb.save(path)
    cells = PercentCells(path)
    assert cells("表", 1, 1) is True
    assert cells("表", 2, 2) is False and cells("表", 3, 3) is False
    assert PercentCells(tmp_path / "missing.xlsx")("表", 1, 1) is None  # (unknown: read as it stands)


def test_the_code_pattern_as_a_shape():
    shape = compile_shape(load_template().template.code_pattern)
    assert shape.length == 21
    assert [(first, n) for first, n, _ in shape.runs] == [(1, 8), (9, 1), (10, 12)]
    assert dict((g, (first, n)) for g, first, n in shape.groups) == {"region": (1, 6), "year": (7, 2)}
    # what a formula cannot check position by position is left to validate
    for pattern in (r"^\d+$", r"^(\d{6}|\d{8})P$", r"^[^P]{3}$", r"^\d{6}", r"^.{4}$"):
        assert compile_shape(pattern) is None, pattern
