"""Generate a unit's workbook (xlsxwriter): instructions, unit sheet, summary, one sheet per project.

Every position comes from :mod:`budgetxl.layout`; every label from the template. Text from a user
is written with ``write_string`` (never as a formula) and gets Excel's quote prefix when it starts
like a formula. Formula cells carry cached values computed here, so a file reads right without
being recalculated.
"""

from __future__ import annotations

import json
import os
import re
from datetime import datetime, timezone
from decimal import Decimal
from typing import Any


from . import __version__
from .cells import a1, col_letter, parse_a1, sheet_ref
from .fileio import atomic_path
from .issued import fingerprint, issued_fields
from .livechecks import CHECK_COL, CHECK_HEADER, SEP, check_formula, check_value, count_formula, project_checks
from .layout import (
    GOALS,
    INDICATOR_COLUMNS,
    LISTS_SHEET,
    META_MARK,
    META_SHEET,
    NCOLS,
    OVERVIEW_LISTS,
    PROJECT_SCALARS,
    UNIT_SCALARS,
    ListBlock,
    ProjectLayout,
    Scalar,
    project_layout,
    template_ref_text,
    unit_layout,
)
from .model import Indicator, Project, Submission
from .template import Template, load_template
from .values import QUALITATIVE_OP
from .xlsxout import AMOUNT_FORMAT, DATA_VALIDATION_LIMIT, SheetWriter, new_workbook, Styles, sheet_name as _sheet_name, text_width as _text_width

class WorkbookGenerator:
    def __init__(self, doc: Submission, template: Template, spare_projects: int | None = None):
        self.doc = doc
        self.t = template
        if spare_projects is None:
            spare_projects = 0 if doc.projects else template.blank.spare_project_sheets
        self.spare_projects = spare_projects

    # -- entry point -----------------------------------------------------------------------
    def write(self, path: str | os.PathLike[str]) -> None:
        with atomic_path(path) as tmp:
            wb = new_workbook(str(tmp))
            self.wb = wb
            self.styles = Styles(wb)
            wb.set_properties({"title": self._title(), "author": "budgetxl", "comments": "budgetxl " + __version__})
            self.used_names: set[str] = set()
            names = {k: _sheet_name(self.t.label(k), self.used_names) for k in ("instructions_sheet", "unit_sheet", "summary_sheet")}
            instructions = wb.add_worksheet(names["instructions_sheet"])
            unit_ws = wb.add_worksheet(names["unit_sheet"])
            summary_ws = wb.add_worksheet(names["summary_sheet"])
            self.unit_sheet = names["unit_sheet"]
            self.unit_layout = unit_layout(self.t, len(self.doc.overview.items), len(self.doc.overview.safeguards))
            unit_labels = self.unit_layout.label_cells()
            self.unit_cells = {s.path: self._value_cell(unit_labels[s.label], s) for s in UNIT_SCALARS}
            projects = list(self.doc.projects) + [Project() for _ in range(self.spare_projects)]
            issued_count = len(self.doc.projects)
            self._define_lists()
            self.problems: dict[str, int] = {}
            self.wb_bad_format = wb.add_format({"bg_color": "#FFC7CE", "font_color": "#9C0006"})
            sheets: list[tuple[str, ProjectLayout, Project]] = []
            for i, project in enumerate(projects):
                base = f"{i + 1}.{project.name}" if project.name else f"{self.t.label('project_sheet_prefix')}{i + 1}"
                name = _sheet_name(base, self.used_names)
                ws = wb.add_worksheet(name)
                layout = self._project_sheet(ws, name, i, project, issued=i < issued_count)
                sheets.append((name, layout, project))
            self._instructions(instructions)
            self._unit_sheet(unit_ws)
            self._summary(summary_ws, sheets)
            self._write_lists()
            self._meta()
            unit_ws.activate() if not self.doc.projects else wb.worksheets()[3].activate()
            wb.close()

    def _title(self) -> str:
        year = f"{self.doc.year}年" if self.doc.year else ""
        return f"{self.doc.unit.name or ''}{year}{self.t.template.title}"

    # -- hidden list sheet and defined names ---------------------------------------------------
    def _define_lists(self) -> None:
        """Name every dropdown list (BX_*); the hidden sheet holding them is written at the end."""
        self.list_sources: dict[str, str] = {}
        columns: list[tuple[str, list[str]]] = [("BX_L1", self.t.level1_names)]
        for i, l1 in enumerate(self.t.level1_names):
            columns.append((f"BX_L2_{i + 1}", self.t.level2_of[l1]))
        columns += [("BX_OPS", self.t.lists.ops), ("BX_UNITS", self.t.lists.units), ("BX_BASES", self.t.lists.bases)]
        # every allowed (一级, 二级) pair, for the live taxonomy check (COUNTIFS)
        pairs = [(l1, l2) for l1 in self.t.level1_names for l2 in self.t.level2_of[l1]]
        columns += [("BX_PAIR_L1", [a for a, _ in pairs]), ("BX_PAIR_L2", [b for _, b in pairs])]
        for col, (name, values) in enumerate(columns):
            ref = f"'{LISTS_SHEET}'!${col_letter(col)}$2:${col_letter(col)}${len(values) + 1}"
            self.wb.define_name(name, "=" + ref)
            self.list_sources[name] = "=" + name
        self.list_columns = columns
        self.inline_lists = {
            "BX_L1": self.t.level1_names,
            "BX_OPS": self.t.lists.ops,
            "BX_UNITS": self.t.lists.units,
            "BX_BASES": self.t.lists.bases,
        }

    def _write_lists(self) -> None:
        ws = self.wb.add_worksheet(LISTS_SHEET)
        ws.hide()
        for col, (name, values) in enumerate(self.list_columns):
            ws.write_string(0, col, name)
            for r, v in enumerate(values, start=1):
                ws.write_string(r, col, v)
        ws.protect("")

    def _list_validation(self, name: str) -> dict[str, Any]:
        """Short lists inline; lists over Excel's 255-character limit through the defined name."""
        values = self.inline_lists.get(name)
        if values is not None and len(",".join(values)) <= DATA_VALIDATION_LIMIT and not any("," in v for v in values):
            return {"validate": "list", "source": list(values)}
        return {"validate": "list", "source": self.list_sources[name]}

    # -- project sheet -------------------------------------------------------------------------
    def _project_sheet(self, ws, name: str, index: int, p: Project, issued: bool) -> ProjectLayout:
        t, st = self.t, self.styles
        w = SheetWriter(ws, st)
        lay = project_layout(t, len(p.goals), len(p.indicators))
        labels = lay.label_cells()
        widths = [12, 12, 16, 28, 9, 12, 9, 16]
        for c, width in enumerate(widths):
            ws.set_column(c, c, width)

        # title and unit line follow the cells they describe (formulas with cached values)
        name_cell = self._value_cell(labels["name"], PROJECT_SCALARS[1])
        title_cached = f"{p.name or ''}{t.label('title_suffix')}"
        ws.merge_range(lay.title, 0, lay.title, NCOLS - 1, "", st.cell("title"))
        ws.write_formula(lay.title, 0, f'={a1(*name_cell)}&"{t.label("title_suffix")}"', st.cell("title"), title_cached)
        ws.set_row(lay.title, 30)
        unit_ref_code = sheet_ref(self.unit_sheet, *self.unit_cells["unit.code"])
        unit_ref_name = sheet_ref(self.unit_sheet, *self.unit_cells["unit.name"])
        unit_cached = f"{self.doc.unit.code or ''} {self.doc.unit.name or ''}".strip()
        ws.merge_range(lay.unit_line, 0, lay.unit_line, 4, "", st.cell("plain", align="left"))
        ws.write_formula(lay.unit_line, 0, f'=TRIM({unit_ref_code}&" "&{unit_ref_name})', st.cell("plain", align="left"), unit_cached)
        ws.merge_range(lay.unit_line, 5, lay.unit_line, NCOLS - 1, "", st.cell("plain", align="right"))
        ws.write_string(lay.unit_line, 5, t.label("amount_unit_line"), st.cell("plain", align="right"))

        # scalar fields
        for key in ("code", "name", "total", "fiscal", "other", "purpose", "spending_plan", "goals"):
            r, c = labels[key]
            if key in ("goals",):
                continue
            w.text(r, c, t.label(key), st.cell("label"))
        r, c = labels["budget_block"]
        ws.merge_range(r, c, r + 1, c, t.label("budget_block"), st.cell("label"))
        r, c = labels["spending_plan"]
        ws.merge_range(r, c, r + 1, c, t.label("spending_plan"), st.cell("label"))
        for scalar in PROJECT_SCALARS:
            locked = scalar.issued and issued
            kind = "issued" if locked else "fill"
            value = _get(p, scalar.path)
            vr, vc = self._value_cell(labels[scalar.label], scalar)
            fmt = st.cell(kind, num_format=AMOUNT_FORMAT) if scalar.path.startswith("budget.") else st.cell(kind)
            w.value(vr, vc, value, fmt, scalar.span)
            if not locked:
                self._input_message(ws, vr, vc, scalar.path)
        ws.set_row(lay.purpose, 48)
        # a long project name wraps inside its merged cell (F:H): give the row the lines it needs
        name_lines = 1 + int(_text_width(p.name or "") // sum(widths[5:8]))
        ws.set_row(lay.code, max(20, 15 * name_lines))

        # spending plan
        months = t.spending_plan.months
        percents = {sp.month: sp.percent for sp in p.spending_plan}
        for (r, c), m in zip(lay.month_cells(months), months):
            w.text(r, c, t.label("month", month=m), st.cell("label"))
            vr, vc = r + 1, c
            w.number(vr, vc, percents.get(m), st.cell("fill", align="center"))
        first_plan_col = 1
        last_plan_col = len(months)
        ws.data_validation(
            lay.plan_values, first_plan_col, lay.plan_values, last_plan_col,
            {"validate": "decimal", "criteria": "between", "minimum": 0, "maximum": 100,
             "input_title": t.label("spending_plan"),
             "input_message": "累计支出进度，填数字（如 25 表示 25%），逐期不减，最后一期为 100。",
             "error_title": "支出计划", "error_message": "请填写 0 到 100 之间的数字。"},
        )
        for c in range(last_plan_col + 1, NCOLS):
            ws.write_blank(lay.plan_labels, c, None, st.cell("label"))
            ws.write_blank(lay.plan_values, c, None, st.cell("label"))

        # goals: label merged down the block, a running number, the text merged across
        self._list_block(w, GOALS, labels["goals"], lay.goal_rows, p.goals)

        # indicator table
        for c, key in enumerate(INDICATOR_COLUMNS):
            w.text(lay.header, c, t.label(key), st.cell("header"))
        ws.set_row(lay.header, 30)
        fill = st.cell("fill")
        fill_num = st.cell("fill", align="center")
        for i in range(lay.indicator_rows):
            r = lay.first_indicator + i
            ind = p.indicators[i] if i < len(p.indicators) else Indicator()
            self._indicator_row(w, r, ind, fill, fill_num)
            ws.set_row(r, 30)
        r0, r1 = lay.first_indicator, lay.last_row
        ws.data_validation(r0, 0, r1, 0, {**self._list_validation("BX_L1"), "input_title": t.label("level1"),
                                          "input_message": "从下拉列表选择一级指标。"})
        l2_source = f'=INDIRECT("BX_L2_"&MATCH(${col_letter(0)}{r0 + 1},BX_L1,0))'
        ws.data_validation(r0, 1, r1, 1, {"validate": "list", "source": l2_source, "input_title": t.label("level2"),
                                          "input_message": "先选一级指标，再从下拉列表选择其下的二级指标。"})
        ws.data_validation(r0, 4, r1, 4, {**self._list_validation("BX_OPS"), "input_title": t.label("op"),
                                          "input_message": "数值指标选 ＝ ≥ ≤ > <；时限或文字指标选“定性”。"})
        ws.data_validation(r0, 5, r1, 5, {"validate": "any", "input_title": t.label("value"),
                                          "input_message": "数值指标只填数字（如 40、100）；定性指标填文字（如 12月底前完成）。"})
        ws.data_validation(r0, 6, r1, 6, {**self._list_validation("BX_UNITS"), "error_type": "information",
                                          "input_title": t.label("value_unit"),
                                          "input_message": "如 人、%、万元、批次；不在列表中的单位也可直接填写。"})
        ws.data_validation(r0, 7, r1, 7, {**self._list_validation("BX_BASES"), "error_type": "information",
                                          "input_title": t.label("basis"),
                                          "input_message": "从列表选择，或直接填写依据。"})

        self.problems[name] = self._live_checks(w, lay)

        # protection, view, print
        ws.protect("", {"insert_rows": True, "delete_rows": True, "format_rows": True, "format_columns": True,
                        "select_locked_cells": True, "select_unlocked_cells": True})
        ws.freeze_panes(lay.budget, 0)
        ws.set_paper(9)
        ws.set_portrait()
        ws.set_margins(left=0.5, right=0.5, top=0.6, bottom=0.6)
        ws.center_horizontally()
        ws.repeat_rows(lay.title, lay.unit_line)
        ws.set_footer("&C第 &P 页，共 &N 页")
        ws.fit_to_pages(1, 1 if lay.last_row < 45 else 0)
        ws.print_area(0, 0, lay.last_row, NCOLS - 1)
        return lay

    def _live_checks(self, w: SheetWriter, lay: ProjectLayout) -> int:
        """Check column and conditional formats (see livechecks); returns the problems found now."""
        ws, st, t = w.ws, self.styles, self.t
        labels = lay.label_cells()
        cell_of = {s.path: self._value_cell(labels[s.label], s) for s in PROJECT_SCALARS}
        for (r, c), m in zip(lay.month_cells(t.spending_plan.months), t.spending_plan.months):
            cell_of[f"m{m}"] = (r + 1, c)
        ws.set_column(CHECK_COL, CHECK_COL, 34)
        ws.write_string(lay.header, CHECK_COL, CHECK_HEADER, st.cell("header"))
        check_fmt = st.get(font_color="#C00000", font_size=9, text_wrap=True, valign="vcenter")
        bad = self.wb_bad_format
        problems = 0
        rows = project_checks(lay, t, cell_of).rows
        for row, checks, used_excel, used_py in rows:
            cached = check_value(checks, w.get, used_py(w.get))
            problems += cached.count(SEP)
            ws.write_formula(row, CHECK_COL, check_formula(checks, used_excel), check_fmt, cached)
        # The offending cell turns red: one rule per target cell (OR of its checks); the indicator
        # table gets one rule per column over all its rows (references relative to the first row).
        for row, checks, used_excel, _ in rows:
            if row > lay.first_indicator:
                break
            by_target: dict[str, list[str]] = {}
            for check in checks:
                by_target.setdefault(check.target, []).append(check.excel)
            for target, conditions in by_target.items():
                r, c = parse_a1(target)
                last = lay.last_row if row == lay.first_indicator else r
                ws.conditional_format(r, c, last, c, {"type": "formula", "format": bad,
                                                      "criteria": f"=AND({used_excel},OR({','.join(conditions)}))"})
        return problems

    def _indicator_row(self, w: SheetWriter, r: int, ind: Indicator, fill, fill_num) -> None:
        v = ind.value
        if v is None:
            op, val, unit = None, None, None
        elif v.kind == "quantitative":
            op, val, unit = v.op, v.number, v.unit
        else:
            op, val, unit = QUALITATIVE_OP, v.text, None
        cells = (ind.level1, ind.level2, ind.name, ind.description, op, val, unit, ind.basis)
        for c, value in enumerate(cells):
            w.value(r, c, value, fill_num if c in (4, 5, 6) else fill)

    def _value_cell(self, label_cell: tuple[int, int], scalar: Scalar) -> tuple[int, int]:
        return label_cell[0] + scalar.offset[0], label_cell[1] + scalar.offset[1]

    def _list_block(self, w: SheetWriter, block: ListBlock, at: tuple[int, int], rows: int, items: list[str]) -> None:
        st, ws = self.styles, w.ws
        r0, c0 = at
        if rows > 1:
            ws.merge_range(r0, c0, r0 + rows - 1, c0, self.t.label(block.label), st.cell("label"))
        else:
            w.text(r0, c0, self.t.label(block.label), st.cell("label"))
        span = NCOLS - (c0 + block.text_col)
        for i in range(rows):
            r = r0 + i
            w.text(r, c0 + block.number_col, f"{i + 1}", st.cell("issued", align="center"))
            w.text(r, c0 + block.text_col, items[i] if i < len(items) else None, st.cell("fill"), span)
            longest = _text_width(items[i]) if i < len(items) else 0
            ws.set_row(r, max(22, 16 * (1 + int(longest // 95))))
        ws.data_validation(
            r0, c0 + block.text_col, r0 + rows - 1, c0 + block.text_col,
            {"validate": "any", "input_title": self.t.label(block.label),
             "input_message": "每行填写一条，不必再写序号；行不够时可在本块中间插入行。"},
        )

    def _input_message(self, ws, r: int, c: int, path: str) -> None:
        messages = {
            "code": "项目编码，如 13052924P005840123885。",
            "name": "项目名称，与预算批复一致。",
            "budget.total": "预算数（万元）= 财政资金 + 其他资金。",
            "budget.fiscal": "其中财政资金（万元）。",
            "budget.other": "其他资金（万元），没有填 0。",
            "purpose": "写明资金的具体用途，如“该项目用于……等支出”。",
        }
        if path in messages:
            ws.data_validation(r, c, r, c, {"validate": "any", "input_title": "填写提示", "input_message": messages[path]})

    # -- unit sheet ----------------------------------------------------------------------------
    def _unit_sheet(self, ws) -> None:
        t, st, doc = self.t, self.styles, self.doc
        w = SheetWriter(ws, st)
        lay = self.unit_layout
        labels = lay.label_cells()
        ws.set_column(0, 0, 18)
        ws.set_column(1, 1, 6)
        ws.set_column(2, NCOLS - 1, 16)
        w.text(lay.title, 0, self._title() or t.template.title, st.cell("title"), span=NCOLS)
        ws.set_row(lay.title, 30)
        for scalar in UNIT_SCALARS:
            r, c = labels[scalar.label]
            w.text(r, c, t.label(scalar.label), st.cell("label"))
            vr, vc = self._value_cell((r, c), scalar)
            if scalar.path == "template":
                value: Any = template_ref_text(doc.template.id, doc.template.version)
            else:
                value = _get(doc, scalar.path)
            if scalar.path in ("year",):
                w.number(vr, vc, value, st.cell("issued", align="left"), scalar.span)
            elif scalar.issued:
                w.text(vr, vc, None if value is None else str(value), st.cell("issued", num_format="@"), scalar.span)
            else:
                w.text(vr, vc, value, st.cell("fill"), scalar.span)
        r, c = labels["overall"]
        longest = _text_width(doc.overview.overall or "")
        ws.set_row(r, max(90, 16 * (1 + int(longest // 90))))
        ws.data_validation(r, c + 1, r, c + 1, {"validate": "any", "input_title": t.label("overall"),
                                                "input_message": "本单位整体的年度绩效目标（一段文字）。"})
        self._list_block(w, OVERVIEW_LISTS[0], labels["items"], lay.item_rows, doc.overview.items)
        self._list_block(w, OVERVIEW_LISTS[1], labels["safeguards"], lay.safeguard_rows, doc.overview.safeguards)
        ws.protect("", {"insert_rows": True, "delete_rows": True, "format_rows": True, "format_columns": True})
        ws.freeze_panes(1, 0)
        ws.set_paper(9)
        ws.fit_to_pages(1, 0)
        ws.repeat_rows(0)

    # -- summary sheet -------------------------------------------------------------------------
    def _summary(self, ws, sheets: list[tuple[str, ProjectLayout, Project]]) -> None:
        st, t = self.styles, self.t
        w = SheetWriter(ws, st)
        headers = ["序号", t.label("code"), t.label("name"), t.label("total"), "财政资金", t.label("other"), "指标数",
                   "问题数", "状态", "工作表"]
        widths = [6, 24, 44, 12, 12, 12, 8, 8, 10, 28]
        w.text(0, 0, f"{self._title()} 项目汇总", st.cell("title"), span=len(headers))
        for c, (h, wd) in enumerate(zip(headers, widths)):
            w.text(1, c, h, st.cell("header"))
            ws.set_column(c, c, wd)
        amount = st.cell("plain", border=1, num_format=AMOUNT_FORMAT)
        plain = st.cell("plain", border=1)
        totals = [Decimal(0)] * 3
        for i, (name, lay, p) in enumerate(sheets):
            r = 2 + i
            labels = lay.label_cells()
            ws.write_number(r, 0, i + 1, plain)
            for c, scalar in ((1, PROJECT_SCALARS[0]), (2, PROJECT_SCALARS[1])):
                ref = sheet_ref(name, *self._value_cell(labels[scalar.label], scalar))
                ws.write_formula(r, c, f'=IF({ref}="","",{ref})', plain, _get(p, scalar.path) or "")
            for k, (c, scalar) in enumerate(((3, PROJECT_SCALARS[2]), (4, PROJECT_SCALARS[3]), (5, PROJECT_SCALARS[4]))):
                ref = sheet_ref(name, *self._value_cell(labels[scalar.label], scalar))
                value = _get(p, scalar.path)
                totals[k] += value or 0
                ws.write_formula(r, c, f'=IF({ref}="","",{ref})', amount, float(value) if value is not None else "")
            name_col = INDICATOR_COLUMNS.index("indicator_name")
            rng = f"'{name}'!{a1(lay.first_indicator, name_col)}:{a1(lay.last_row, name_col)}"
            count = sum(1 for ind in p.indicators if ind.name is not None)
            ws.write_formula(r, 6, f"=COUNTA({rng})", plain, count)
            check_rng = f"'{name}'!{a1(0, CHECK_COL, True)}:{a1(999, CHECK_COL, True)}"
            problems = self.problems.get(name, 0)
            ws.write_formula(r, 7, count_formula(check_rng), plain, problems)
            ws.write_formula(r, 8, f'=IF({a1(r, 7)}=0,"通过","有问题")', plain, "通过" if problems == 0 else "有问题")
            ws.write_url(r, 9, f"internal:'{name}'!A1", string=name, cell_format=st.get(border=1, font_color="blue", underline=1))
        tr = 2 + len(sheets)
        w.text(tr, 0, "合计", st.cell("header"), span=3)
        counts = sum(sum(1 for i in p.indicators if i.name) for _, _, p in sheets)
        for k, c in enumerate((3, 4, 5, 6, 7)):
            col = col_letter(c)
            cached: Any = float(totals[k]) if k < 3 else (counts if k == 3 else sum(self.problems.values()))
            fmt = st.cell("header", num_format=AMOUNT_FORMAT) if k < 3 else st.cell("header")
            ws.write_formula(tr, c, f"=SUM({col}3:{col}{tr})", fmt, cached)
        ws.write_blank(tr, 8, None, st.cell("header"))
        ws.write_blank(tr, 9, None, st.cell("header"))
        bad = self.wb_bad_format
        ws.conditional_format(2, 8, max(tr - 1, 2), 8, {"type": "cell", "criteria": "==", "value": '"有问题"', "format": bad})
        ws.freeze_panes(2, 0)
        ws.autofilter(1, 0, max(tr - 1, 1), len(headers) - 1)
        ws.protect("", {"autofilter": True, "sort": True, "format_columns": True})
        ws.set_paper(9)
        ws.set_landscape()
        ws.fit_to_pages(1, 0)
        ws.repeat_rows(1)

    # -- instructions --------------------------------------------------------------------------
    def _instructions(self, ws) -> None:
        st, t = self.styles, self.t
        ws.set_column(0, 0, 4)
        ws.set_column(1, 1, 100)
        SheetWriter(ws, st, record=False).text(0, 0, f"{self._title()} 填报说明", st.cell("title"), span=2)
        lines = instructions_text(t)
        for i, line in enumerate(lines, start=2):
            bold = not line.startswith(" ")
            ws.write_string(i, 1, line.strip(), st.get(bold=bold, text_wrap=True, valign="top"))
            ws.set_row(i, 18 if bold else 18 * (1 + int(_text_width(line) // 190)))
        r = len(lines) + 3
        ws.write_string(r, 1, "图例：", st.get(bold=True))
        ws.write_string(r + 1, 1, "需要填写的单元格（黄色，未锁定）", st.cell("fill"))
        ws.write_string(r + 2, 1, "下达数据（灰色，已锁定，不得修改）", st.cell("issued"))
        ws.protect("")
        ws.set_paper(9)
        ws.fit_to_pages(1, 0)

    # -- metadata ------------------------------------------------------------------------------
    def _meta(self) -> None:
        ws = self.wb.add_worksheet(META_SHEET)
        ws.very_hidden()
        issued = issued_fields(self.doc)
        issued_json = json.dumps(issued, ensure_ascii=False, separators=(",", ":"))
        rows: list[tuple[str, Any]] = [
            ("mark", META_MARK),
            ("schema", self.doc.schema_),
            ("template_id", self.doc.template.id),
            ("template_version", self.doc.template.version),
            ("year", self.doc.year),
            ("unit_code", self.doc.unit.code),
            ("unit_name", self.doc.unit.name),
            ("unit_region", self.doc.unit.region),
            ("generated_at", datetime.now(timezone.utc).isoformat(timespec="seconds")),
            ("generator", f"budgetxl {__version__}"),
            ("issued_fingerprint", fingerprint(issued)),
        ]
        chunk = 30000  # a cell holds 32,767 characters
        for i in range(0, max(len(issued_json), 1), chunk):
            rows.append(("issued_json", issued_json[i : i + chunk]))
        w = SheetWriter(ws, self.styles, record=False)
        plain = self.styles.get()
        for r, (k, v) in enumerate(rows):
            ws.write_string(r, 0, k)
            w.text(r, 1, None if v is None else str(v), plain)
        ws.protect("")


def instructions_text(t: Template) -> list[str]:
    months = "、".join(t.label("month", month=m) for m in t.spending_plan.months)
    l1 = "；".join(f"{f.level1}：{'、'.join(f.level2)}" for f in t.framework)
    return [
        "一、这是什么",
        "  本工作簿用于填报本单位的预算绩效目标。每个项目一张工作表，格式与《项目支出绩效目标表》一致；"
        f"“{t.label('unit_sheet')}”表填写部门整体绩效目标，“{t.label('summary_sheet')}”表自动汇总各项目，无需填写。",
        "二、怎么填",
        "  只填写黄色单元格。灰色单元格是上级下达的数据（单位、项目编码、项目名称、预算金额），已锁定，请勿修改；"
        "如有错误请联系市局，不要自行改动。金额单位均为万元。",
        f"  资金支出计划：填写到 {months} 的累计支出百分比，只填数字（如 25 表示 25%），逐期不减，最后一期为 100。",
        "  绩效目标：每行一条，不必写序号。行不够时，在绩效目标块中间右键“插入行”。",
        f"  绩效指标：一级指标和二级指标请从下拉列表选择（{l1}）。",
        "  指标值：数值指标在“计算符号”选 ＝ ≥ ≤ > <，“指标值”只填数字，“计量单位”填单位（如 ≥ 40 人）；"
        "时限或文字指标在“计算符号”选“定性”，“指标值”填文字（如 12月底前完成）。",
        "  指标行不够时，在指标表中间右键“插入行”；多余的空行可以保留或删除。",
        "  增加项目：右键某个项目工作表标签 →“移动或复制”→ 勾选“建立副本”，在副本中填写新项目。",
        "三、注意",
        "  不要填写“请填写”“XX”“*”等占位内容；单元格首尾不要留空格或换行。",
        "  请保存为 .xlsx 格式（Excel 工作簿）后报送，不要另存为网页或加密。",
        "  工作表可以改名或调整顺序，不影响读取。",
    ]


def _get(obj: Any, path: str) -> Any:
    for part in path.split("."):
        obj = getattr(obj, part)
    return obj


def generate_workbook(
    doc: Submission,
    path: str | os.PathLike[str],
    template: Template | None = None,
    spare_projects: int | None = None,
) -> None:
    """Write ``doc`` as a unit workbook at ``path`` (atomically). Issued fields are locked."""
    template = template or load_template(doc.template.id)
    WorkbookGenerator(doc, template, spare_projects).write(path)


def workbook_filename(code: str, name: str | None, year: int | None) -> str:
    """File name for a unit's workbook; always contains the unit code."""
    safe = re.sub(r'[\\/:*?"<>|\s]+', "", name or "")[:40]
    year_part = f"{year}年" if year else ""
    return f"{code}_{safe}_{year_part}绩效目标表.xlsx" if safe else f"{code}_{year_part}绩效目标表.xlsx"


def _blank_workbook(unit, year: int, outdir: str, template: Template) -> str:
    doc = Submission(
        template={"id": template.id, "version": template.version},
        year=year,
        unit={"code": unit.code, "name": unit.name, "region": unit.region},
    )
    path = os.path.join(outdir, workbook_filename(unit.code, unit.name, year))
    generate_workbook(doc, path, template)
    return path


def generate_for_roster(
    units: list, year: int, outdir: str | os.PathLike[str], template: Template | None = None, jobs: int = 1
) -> list[str]:
    """One blank workbook per roster unit in ``outdir`` (in ``jobs`` processes); the paths written."""
    from .parallel import parallel_map

    template = template or load_template()
    return parallel_map(_blank_workbook, list(units), year, str(outdir), template, jobs=jobs)
