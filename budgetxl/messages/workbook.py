"""Text budgetxl itself writes into a unit workbook and into the annotated copy (退回修改).

A unit workbook is written in its template's language; an annotated copy in the run's language.
"""

from __future__ import annotations

WORKBOOK: dict[str, tuple[str, str]] = {
    # unit workbook
    "workbook.doc-title": ("{unit}{year}年{title}", "{unit} {year} {title}"),
    "workbook.doc-title-no-year": ("{unit}{title}", "{unit} {title}"),
    "workbook.instructions-title": ("{title} 填报说明", "{title}: how to fill it in"),
    "workbook.legend": ("图例：", "Legend:"),
    "workbook.legend-fill": ("需要填写的单元格（黄色，未锁定）", "cells to fill in (yellow, unlocked)"),
    "workbook.legend-issued": ("下达数据（灰色，已锁定，不得修改）", "issued data (grey, locked, do not change)"),
    "workbook.summary-title": ("{title} 项目汇总", "{title}: projects"),
    "workbook.summary-no": ("序号", "No."),
    "workbook.summary-indicators": ("指标数", "Indicators"),
    "workbook.summary-problems": ("问题数", "Problems"),
    "workbook.summary-status": ("状态", "Status"),
    "workbook.summary-sheet": ("工作表", "Sheet"),
    "workbook.total": ("合计", "Total"),
    "workbook.status-ok": ("通过", "OK"),
    "workbook.status-bad": ("有问题", "Problems"),
    "workbook.check-header": ("校验提示", "Checks"),
    "workbook.live-warning": ("（提醒）", " (warning)"),
    "workbook.live-overflow": ("※下方一处插入了超过{n}行，多出的行不在这里校验；请分几处插入。",
                               "※ more than {n} rows were inserted here; the extra rows are not checked: insert them "
                               "in several places."),
    "workbook.added-mark": ("本单位新增项目", "Added by the unit"),
    "workbook.status-warn": ("请核对", "Check"),
    "workbook.footer": ("&C第 &P 页，共 &N 页", "&CPage &P of &N"),
    "workbook.percent-error-title": ("填写有误", "Invalid entry"),
    "workbook.percent-error": ("请填写 0 到 100 之间的数字。", "Enter a number from 0 to 100."),
    "workbook.checkpoint-name": ("{name}（{label}）", "{name} ({label})"),
    "workbook.spare-project": ("{prefix}{n}", "{prefix}{n}"),
    "workbook.file-year": ("{year}年", "{year}"),
    # annotated copy
    "annotate.sheet": ("校验结果", "Findings"),
    "annotate.suffix": ("退回修改", "returned"),
    "annotate.no": ("序号", "#"),
    "annotate.severity": ("级别", "Severity"),
    "annotate.rule": ("规则", "Rule"),
    "annotate.sheet-col": ("工作表", "Sheet"),
    "annotate.cell": ("单元格", "Cell"),
    "annotate.message": ("说明", "Message"),
    "annotate.none": ("未发现问题", "No findings"),
    "severity.error": ("错误", "error"),
    "severity.warning": ("警告", "warning"),
}
