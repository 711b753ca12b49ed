"""Annotated copies of every readable kind of workbook: xlsx in place, xls and ods as values copies."""

from __future__ import annotations

import openpyxl
import pytest

from budgetxl.workbook.annotate import annotate, annotated_name
from budgetxl.workbook.reader import read_workbook
from budgetxl.workbook.validate import validate_file


def test_names_never_collide_in_a_batch():
    taken: set[str] = set()
    names = [annotated_name(p, taken) for p in ("a/巨鹿县.xlsx", "b/巨鹿县.xlsx", "巨鹿县.xls", "巨鹿县.ods")]
    assert names == ["巨鹿县_退回修改.xlsx", "巨鹿县_退回修改(2).xlsx", "巨鹿县.xls_退回修改.xlsx", "巨鹿县.ods_退回修改.xlsx"]


@pytest.mark.libreoffice
def test_xls_and_ods_inputs_get_a_marked_values_copy(make_workbook, seed_doc, soffice, tmp_path):
    doc = seed_doc.model_copy(deep=True)
    doc.projects[0].budget.fiscal = doc.projects[0].budget.fiscal - 1  # budget-sum at C4
    src = make_workbook(doc, "巨鹿县.xlsx")
    converted = soffice([src], "xls", tmp_path / "xls") + soffice([src], "ods", tmp_path / "ods")
    taken: set[str] = set()
    for path in converted:
        report = validate_file(path)
        assert ("budget-sum", "1.非财政开支人员工作经费", "C4") in {(f.rule, f.sheet, f.cell) for f in report.findings}
        before = path.read_bytes()
        out = annotate(report, tmp_path / "out", "zh", taken)
        assert path.read_bytes() == before
        book = openpyxl.load_workbook(out)
        assert book.sheetnames[0] == "校验结果"
        cell = book["1.非财政开支人员工作经费"]["C4"]
        assert cell.comment is not None and "budget-sum" in cell.comment.text
        assert book["_meta"].sheet_state != "visible"  # LibreOffice keeps it hidden (very hidden in ods)
        assert read_workbook(out).doc == read_workbook(path).doc
    assert len(taken) == 2
