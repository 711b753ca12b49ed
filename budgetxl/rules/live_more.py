"""The live checks of the rules about indicator values, coverage, project codes, issued data, added
projects and the summary (see rules.live), and what the workbook cannot decide itself."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from ..files.grids import cell_text
from .live import Getter, LiveBlock, LiveCheck, LiveRow, LiveSheet, LiveSummaryRow, blank, live, not_live, num, number_x
from .live_code import code_checks
from .live_excel import ValuePy, ValueX, placeholder_py, placeholder_x


def _value_refs(r: LiveRow) -> tuple[str, str, str, str] | None:
    refs = tuple(r.ref(k) for k in ("level2", "value.op", "value", "value.unit"))
    return None if None in refs else refs  # type: ignore[return-value]


def _in(ref: str, names: list[str]) -> str:
    q = '"'
    return f"OR({','.join(f'TRIM({ref})={q}{n}{q}' for n in names)})" if names else "FALSE"


def _s(v: Any) -> str:
    return (cell_text(v) or "").strip()


class _Value:
    """One row's value problems, as validate's value_problem decides them, in Excel and Python."""

    def __init__(self, r: LiveRow):
        self.B, self.E, self.F, self.G = _value_refs(r)  # type: ignore[misc]
        self._last: tuple[Getter, Any] | None = None
        t, let = r.template, r.let
        self.t, self.x = t, ValueX(self.E, self.F, self.G, let)
        x, F, G = self.x, self.F, self.G
        placeholder = let("H" + F.rsplit("_", 1)[-1] if F.startswith("BX_") else "HF", placeholder_x(F, t))
        judged = self.judged = let("J", f'AND({F}<>"",NOT({placeholder}))')  # (else other rules speak)
        self.unparsed = let("Y", f"AND({judged},{x.text},OR({x.numeric_op},{x.starts_op}),NOT({x.starts_number}))")
        numeric = _in(self.B, t.rules.coverage.numeric_level2)
        wordy = f'OR({x.qualitative},AND(TRIM({self.E})="",NOT({x.starts_op}),{x.text},NOT({x.starts_number})))'
        self.no_number = let("Z", f"AND({judged},NOT({self.unparsed}),{numeric},{wordy})")
        self.percent = f'AND({judged},{x.pf},{G}<>"",{G}<>"%")'
        sat = _in(self.B, t.rules.coverage.satisfaction_level2)
        self.fraction = (f'IFERROR(AND({sat},{judged},NOT({x.qualitative}),NOT({x.pf}),{x.percent_unit},'
                         f"{x.number}>0,{x.number}<=1),FALSE)")
        self.units = let("V", f'AND({judged},NOT({x.qualitative}),{x.own_unit},{G}<>"",RIGHT({x.t},LEN({G}))<>{G})')
        self.no_unit = f'AND({judged},NOT({x.qualitative}),NOT({x.pf}),{G}="",{x.plain_number})'

    def py(self, g: Getter) -> tuple[ValuePy, dict[str, bool]]:
        if self._last is not None and self._last[0] is g:  # (several checks of one row ask in turn)
            return self._last[1]
        self._last = (g, self._py(g))
        return self._last[1]

    def _py(self, g: Getter) -> tuple[ValuePy, dict[str, bool]]:
        v = ValuePy(g(self.E), g(self.F), g(self.G))
        f, t = g(self.F), self.t
        judged = not blank(f) and not placeholder_py(f, t)
        unparsed = judged and v.text and (v.numeric_op or v.starts_op) and not v.starts_number
        wordy = v.qualitative or (v.e == "" and not v.starts_op and v.text and not v.starts_number)
        no_number = judged and not unparsed and _s(g(self.B)) in t.rules.coverage.numeric_level2 and wordy
        units = judged and not v.qualitative and v.own_unit and v.g != "" and not v.t.endswith(v.g)
        no_unit = judged and not v.qualitative and v.g == "" and v.plain_number
        fraction = (judged and _s(g(self.B)) in t.rules.coverage.satisfaction_level2 and not v.qualitative
                    and v.percent_unit and v.number is not None and 0 < v.number <= 1)
        return v, {"unparsed": unparsed, "no_number": no_number, "units": units, "no_unit": no_unit,
                   "fraction": fraction}


@live("indicator-value", ("", "number", "percent", "fraction", "units", "unit"), scope="row")
def indicator_value(r: LiveRow) -> list[LiveCheck]:
    if _value_refs(r) is None:
        return []
    v = _Value(r)
    F = v.F
    return [
        LiveCheck(F, "indicator-value", "", v.unparsed, lambda g: v.py(g)[1]["unparsed"]),
        LiveCheck(F, "indicator-value", "number", v.no_number, lambda g: v.py(g)[1]["no_number"]),
        LiveCheck(F, "indicator-value", "percent", v.percent),  # (budgetxl never writes a percent format)
        LiveCheck(F, "indicator-value", "fraction", v.fraction, lambda g: v.py(g)[1]["fraction"]),
        LiveCheck(F, "indicator-value", "units", f"AND(NOT({v.no_number}),{v.units})",
                  lambda g: (p := v.py(g)[1])["units"] and not p["no_number"]),
        LiveCheck(F, "indicator-value", "unit", f"AND(NOT({v.unparsed}),NOT({v.no_number}),{v.no_unit})",
                  lambda g: (p := v.py(g)[1])["no_unit"] and not p["unparsed"] and not p["no_number"]),
    ]


@live("satisfaction-range", scope="row")
def satisfaction(r: LiveRow) -> list[LiveCheck]:
    """Only a number in % can be out of range: any other value problem makes it no such number."""
    if _value_refs(r) is None:
        return []
    v = _Value(r)
    x, names = v.x, r.template.rules.coverage.satisfaction_level2
    n = x.number
    excel = (f"IFERROR(AND({_in(v.B, names)},{v.judged},NOT({x.qualitative}),{x.percent_unit},"
             f"OR({n}<0,{n}>100,AND({x.gt()},{n}>=100),AND({x.lt()},{n}<=0))),FALSE)")

    def py(g: Getter) -> bool:
        val, _ = v.py(g)
        k = val.number
        if _s(g(v.B)) not in names or val.qualitative or not val.percent_unit or k is None or blank(g(v.F)):
            return False
        return k < 0 or k > 100 or (val.gt() and k >= 100) or (val.lt() and k <= 0)

    return [LiveCheck(v.F, "satisfaction-range", "", excel, py)]


@live("cost-exceeds-budget", scope="row")
def cost(r: LiveRow) -> list[LiveCheck]:
    """A number in a unit of [rules] amount_units, above the project's 预算数 (万元)."""
    if _value_refs(r) is None or r.total is None:
        return []
    v, t, total = _Value(r), r.template, r.total
    units = {u: Decimal(f) for u, f in t.rules.amount_units.items()}
    if not units:
        return []
    names = t.rules.coverage.cost_level2
    x = v.x
    excel = (f'IFERROR(AND({_in(v.B, names)},{v.judged},NOT({x.qualitative}),NOT({x.pf}),{total}<>"",'
             f"ROUND({x.amount(units)},6)>{number_x(total)}),FALSE)")

    def py(g: Getter) -> bool:
        val, _ = v.py(g)
        budget = num(g(total))
        if _s(g(v.B)) not in names or val.qualitative or budget is None or blank(g(v.F)):
            return False
        amount = val.amount(units)
        return amount is not None and round(amount, 6) > budget

    return [LiveCheck(v.F, "cost-exceeds-budget", "", excel, py)]


# -- the indicator table as a whole -----------------------------------------------------------------

@live("indicator-coverage", ("", "expected", "level2"), scope="table")
def coverage(b: LiveBlock) -> list[LiveCheck]:
    cov = b.template.rules.coverage
    if "level1" not in b.columns:
        return []
    A, inside = b.columns["level1"], b.inside
    B = b.columns.get("level2")
    joined = "&".join(b.columns.values())
    table_used = f"SUMPRODUCT(({inside})*(LEN({joined})>0))>0"  # (an empty table: required-field says so)

    def has(l1: str) -> str:
        return f'SUMPRODUCT(({inside})*(TRIM({A})="{l1}"))>0'

    def has_py(g: Getter, l1: str, l2: str | None = None) -> bool:
        return any(_s(g(row["level1"])) == l1 and (l2 is None or _s(g(row["level2"])) == l2) for row in b.rows)

    def used_py(g: Getter) -> bool:
        return any(not blank(g(ref)) for row in b.rows for ref in row.values())

    out = [LiveCheck(b.anchor, "indicator-coverage", "", f"AND({table_used},NOT({has(l1)}))",
                     lambda g, l1=l1: used_py(g) and not has_py(g, l1), args=(("level1", l1),))
           for l1 in cov.required_level1]
    out += [LiveCheck(b.anchor, "indicator-coverage", "expected", f"AND({table_used},NOT({has(l1)}))",
                      lambda g, l1=l1: used_py(g) and not has_py(g, l1), args=(("level1", l1),))
            for l1 in cov.expected_level1]
    if B is not None:
        for l1, wanted in cov.expected_level2.items():
            for l2 in wanted:
                excel = f'AND({has(l1)},SUMPRODUCT(({inside})*(TRIM({A})="{l1}")*(TRIM({B})="{l2}"))=0)'
                out.append(LiveCheck(b.anchor, "indicator-coverage", "level2", excel,
                                     lambda g, l1=l1, l2=l2: has_py(g, l1) and not has_py(g, l1, l2),
                                     args=(("level1", l1), ("level2", l2))))
    return out


# -- the project: its code, its issued values, whether the unit added it -----------------------------

@live("project-code-format", ("", "region", "year"))
def code_format(s: LiveSheet) -> list[LiveCheck]:
    code = s.ref("code")
    return code_checks(code, s.template, s.unit_refs, s.unit_values, s.let, s.qualify) if code else []


@live("duplicate-project-code")
def duplicate(s: LiveSheet) -> list[LiveCheck]:
    code = s.ref("code")
    if code is None or not s.earlier_codes:
        return []
    earlier = s.earlier_values
    return [LiveCheck(code, "duplicate-project-code", "", f'AND({code}<>"",SUMPRODUCT(--EXACT({s.earlier_codes},{code}))>0)',
                      lambda g: not blank(g(code)) and g(code) in earlier)]


def _issued(s: LiveSheet) -> list[LiveCheck]:
    out = []
    for f, ref in s.fields:
        want = s.issued.get(f.key)
        if want is None:
            continue
        if f.kind.column_type == "amount":
            excel = f'IFERROR(OR({ref}="",{number_x(ref)}<>{want}),TRUE)'
        elif f.kind.column_type == "int":
            excel = f'""&{ref}<>""&{want}'
        else:
            excel = f"NOT(EXACT({ref},{want}))"
        # (nothing to compare with when the hidden sheet is gone: metadata-missing says so)
        out.append(LiveCheck(ref, "issued-field-changed", "", f"IF(ISERROR({want}),FALSE,{excel})", label=f.label))
    return out


live("issued-field-changed")(_issued)
live("issued-field-changed", scope="unit")(_issued)


@live("project-added")
def added(s: LiveSheet) -> list[LiveCheck]:
    code = s.ref("code")
    if not s.added or code is None:
        return []
    return [LiveCheck(code, "project-added", "", "TRUE", lambda g: True)]  # (gated by the sheet's use)


@live("summary-mismatch", scope="summary")
def summary(r: LiveSummaryRow) -> list[LiveCheck]:
    """The row against its sheet; a row without its code is no row of that project (validate says
    the project is missing from the summary, which no formula can: see not_live below)."""
    code = next((cell for f, cell, _ in r.cells if f.key == "code"), None)
    present = f'{code}<>""' if code else "TRUE"
    out = []
    for f, cell, source in r.cells:
        if f.kind.column_type == "text":
            excel = f'NOT(EXACT({cell},IF({source}="","",""&{source})))'
        else:
            excel = f"IFERROR({number_x(cell)},0)<>IFERROR({number_x(source)},0)"
        out.append(LiveCheck(cell, "summary-mismatch", "", f"AND({present},{excel})", label=f.header))
    if r.count is not None:
        cell, counted = r.count
        out.append(LiveCheck(cell, "summary-mismatch", "", f"AND({present},IFERROR({number_x(cell)},0)<>{counted})",
                             label=r.count_label))
    return out


# -- what the workbook cannot decide --------------------------------------------------------------------

not_live("required-field", ("projects",), (
    "针对整个工作簿（没有任何项目），不指向某个单元格。",
    "it is about the workbook as a whole (no project at all), not a cell"))
not_live("issued-field-changed", ("missing", "fingerprint"), (
    "公式不能列出工作簿有哪些工作表，也不能计算隐藏数据的指纹（SHA-256）。",
    "formulas cannot list a workbook's sheets, nor compute the hidden data's fingerprint (SHA-256)"))
not_live("issued-field-changed", ("indicator",), (
    "下达的指标行被删除时，公式不能发现少了哪一行（后续阶段的指标表不允许插入或删除行）。",
    "formulas cannot tell which row is gone when an issued indicator row is deleted (the later stages' "
    "indicator tables allow no inserting or deleting of rows)"))
not_live("issued-field-changed", ("metadata",), (
    "被改动的是隐藏的元数据表本身：工作簿里的公式正是拿它来比较的，无从判断它是否有效。",
    "it is the hidden metadata sheet itself that was altered: the workbook's formulas compare with it and "
    "cannot judge whether it is valid"))
not_live("summary-mismatch", ("missing",), (
    "公式不能发现汇总表里没有的工作表（如复制出来的项目表）。",
    "formulas cannot find a sheet the summary does not list (such as a copied project sheet)"))
not_live("template-version", ("",), (
    "当前使用的模板版本只有市局的程序知道，工作簿自己无从比较。",
    "only the city's program knows the template version in use; the workbook has nothing to compare with"))
not_live("metadata-missing", ("",), (
    "隐藏的元数据表本身缺失时，工作簿里没有可以比较的东西。",
    "when the hidden metadata sheet is gone there is nothing left in the workbook to compare with"))
not_live("macros", ("",), (
    "宏在文件保存时才确定，单元格公式看不到。",
    "macros are a property of the saved file, which cell formulas cannot see"))
