"""Text of the consolidated workbook (merge): sheet names, program-made column headers, statuses.

Sheet names and headers are written in the template's language (split reads them back); the
statuses and notes people read follow the run's language.
"""

from __future__ import annotations

CONSOLIDATION: dict[str, tuple[str, str]] = {
    "consolidated.title": ("{title}汇总", "{title}: consolidated"),
    "sheet.summary": ("汇总", "Summary"),
    "sheet.status": ("报送情况", "Submissions"),
    "sheet.projects": ("项目明细", "Projects"),
    "sheet.indicators": ("绩效指标明细", "Indicators"),
    "sheet.units": ("单位概况", "Units"),
    "sheet.findings": ("校验问题", "Findings"),
    "sheet.charts": ("图表", "Charts"),
    # column headers the program adds to the form's own columns
    "col.project_no": ("项目序号", "Project no."),
    "col.indicator_no": ("指标序号", "Indicator no."),
    "col.indicator_count": ("指标数", "Indicators"),
    "col.number": ("数值", "Number"),
    "col.kind": ("类型", "Kind"),
    "col.template_id": ("模板", "Template"),
    "col.projects": ("项目数", "Projects"),
    "col.indicators": ("指标数", "Indicators"),
    "col.status": ("状态", "Status"),
    "col.file": ("文件", "File"),
    "col.sha256": ("SHA-256", "SHA-256"),
    "col.saved": ("保存时间", "Saved"),
    "col.errors": ("错误数", "Errors"),
    "col.warnings": ("警告数", "Warnings"),
    "col.note": ("说明", "Note"),
    "col.rule": ("规则", "Rule"),
    "col.severity": ("级别", "Severity"),
    "col.sheet": ("工作表", "Sheet"),
    "col.cell": ("单元格", "Cell"),
    "col.message": ("说明", "Message"),
    "col.numbered": ("{name}{n}", "{name}{n}"),
    "col.total-row": ("合计", "Total"),
    "col.count": ("指标数", "Indicators"),
    "chart.series": ("{field}（{unit}）", "{field} ({unit})"),
    "chart.budget-title": ("各单位{field}（{unit}）", "{field} by unit ({unit})"),
    "chart.by-level1": ("按{level1}统计的指标数", "Indicators by {level1}"),
    "consolidated.empty": ("（空）", "(empty)"),
    # statuses of a unit or a file
    "status.submitted": ("已报送", "submitted"),
    "status.missing": ("未报送", "missing"),
    "status.invalid": ("校验未通过", "invalid"),
    "status.superseded": ("已被替代", "superseded"),
    "status.duplicate": ("重复文件", "duplicate"),
    "status.unreadable": ("无法读取", "unreadable"),
    "status.unknown-unit": ("无法识别单位", "unit unknown"),
    "status.not-in-roster": ("名单外", "not in roster"),
    "status.included-invalid": ("校验未通过（已计入）", "invalid (counted)"),
    "status.other-form": ("其他表式，未计入", "another form, not counted"),
    "merge.other-form": ("{path}：这是{form}，本次汇总的是{batch}；不同阶段、不同月份的表请分别汇总",
                         "{path}: this is a {form}, while this consolidation is of the {batch}; consolidate each "
                         "stage and month on its own"),
    "merge.form": ("{title}", "{title}"),
    "merge.form-month": ("{title}（截至{month}月）", "{title} (to month {month})"),
    "note.superseded": ("被替代为 {file}", "superseded by {file}"),
    "note.duplicate": ("与此文件相同：{file}", "same as {file}"),
}
