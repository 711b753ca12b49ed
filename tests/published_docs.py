"""Documents the published-import tests typeset themselves: flat ODF text documents (.fodt) that
LibreOffice Writer turns into PDF, as a publisher would, with page headers, footers and numbers."""

from __future__ import annotations

from xml.sax.saxutils import escape

FONT = "Noto Sans CJK SC"

_HEAD = """<?xml version="1.0" encoding="UTF-8"?>
<office:document xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0"
 xmlns:style="urn:oasis:names:tc:opendocument:xmlns:style:1.0"
 xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0"
 xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0"
 xmlns:fo="urn:oasis:names:tc:opendocument:xmlns:xsl-fo-compatible:1.0"
 xmlns:svg="urn:oasis:names:tc:opendocument:xmlns:svg-compatible:1.0"
 office:version="1.3" office:mimetype="application/vnd.oasis.opendocument.text">
 <office:font-face-decls><style:font-face style:name="{font}" svg:font-family="'{font}'"/></office:font-face-decls>
 <office:styles>
  <style:default-style style:family="paragraph">
   <style:paragraph-properties fo:margin-top="0cm" fo:margin-bottom="0cm"/>
   <style:text-properties style:font-name="{font}" fo:font-size="{size}pt" style:font-name-asian="{font}"
    style:font-size-asian="{size}pt" fo:language="zh" fo:country="CN"/>
  </style:default-style>
 </office:styles>
 <office:automatic-styles>
  <style:page-layout style:name="pm1"><style:page-layout-properties fo:page-width="21cm" fo:page-height="29.7cm"
   fo:margin-top="1.2cm" fo:margin-bottom="1.2cm" fo:margin-left="2cm" fo:margin-right="2cm"/>
   <style:header-style><style:header-footer-properties fo:margin-bottom="0.3cm"/></style:header-style>
   <style:footer-style><style:header-footer-properties fo:margin-top="0.3cm"/></style:footer-style></style:page-layout>
  <style:style style:name="Cell" style:family="table-cell"><style:table-cell-properties fo:border="0.5pt solid #000000"
   fo:padding="0.05cm" style:vertical-align="middle"/></style:style>
  <style:style style:name="Center" style:family="paragraph"><style:paragraph-properties fo:text-align="center"/></style:style>
  <style:style style:name="Break" style:family="paragraph"><style:paragraph-properties fo:break-before="page"/></style:style>
{col_styles} </office:automatic-styles>
 <office:master-styles>
  <style:master-page style:name="Standard" style:page-layout-name="pm1">
{header}{footer}  </style:master-page>
 </office:master-styles>
 <office:body><office:text>
"""
_TAIL = "</office:text></office:body></office:document>\n"


def _para(text: str, style: str | None = None) -> str:
    # ODF collapses runs of spaces unless written as <text:s/>
    parts = escape(text).split(" ")
    body = parts[0] + "".join(("<text:s/>" if not p or k else " ") + p for k, p in enumerate(parts[1:]))
    attr = f' text:style-name="{style}"' if style else ""
    return f"<text:p{attr}>{body}</text:p>\n"


def fodt(blocks: list, header: str | None = None, footer: str | None = "第 {page} 页", size: float = 10) -> str:
    """A flat ODF text document. ``blocks``: strings (one paragraph each; "" an empty one,
    "\\f" a page break before the next) or tables as ("table", widths_cm, rows) with each row a
    list of cell texts ("\\n" separate paragraphs in a cell; None continues the merged cell above)."""
    col_styles = ""
    body = ""
    page_break = False
    tables = 0
    for block in blocks:
        if block == "\f":
            page_break = True
            continue
        if isinstance(block, str):
            body += _para(block, "Break" if page_break else None)
            page_break = False
            continue
        _, widths, rows = block
        tables += 1
        name = f"T{tables}"
        col_styles += f'  <style:style style:name="{name}" style:family="table"><style:table-properties style:width="{sum(widths)}cm" table:align="left"/></style:style>\n'
        for k, w in enumerate(widths):
            col_styles += f'  <style:style style:name="{name}C{k}" style:family="table-column"><style:table-column-properties style:column-width="{w}cm"/></style:style>\n'
        if page_break:
            body += _para("", "Break")
            page_break = False
        body += _table(name, widths, rows)
    head = _HEAD.format(font=FONT, size=size, col_styles=col_styles,
                        header=f"   <style:header>{_para(header, 'Center')}</style:header>\n" if header else "",
                        footer=_footer(footer))
    return head + body + _TAIL


def _footer(footer: str | None) -> str:
    if not footer:
        return ""
    before, _, after = footer.partition("{page}")
    number = '<text:page-number text:select-page="current"/>'
    return f'   <style:footer><text:p text:style-name="Center">{escape(before)}{number}{escape(after)}</text:p></style:footer>\n'


def _table(name: str, widths: list[float], rows: list[list[str | None]]) -> str:
    out = f'<table:table table:name="{name}" table:style-name="{name}">\n'
    out += "".join(f'<table:table-column table:style-name="{name}C{k}"/>' for k in range(len(widths))) + "\n"
    spans = _row_spans(rows)
    for r, row in enumerate(rows):
        out += "<table:table-row>"
        for c, cell in enumerate(row):
            if cell is None:
                out += "<table:covered-table-cell/>"
                continue
            span = spans.get((r, c), 1)
            attr = f' table:number-rows-spanned="{span}"' if span > 1 else ""
            paras = "".join(_para(p) for p in cell.split("\n")) if cell else "<text:p/>"
            out += f'<table:table-cell table:style-name="Cell" office:value-type="string"{attr}>{paras}</table:table-cell>'
        out += "</table:table-row>\n"
    return out + "</table:table>\n"


def _row_spans(rows: list[list[str | None]]) -> dict[tuple[int, int], int]:
    spans: dict[tuple[int, int], int] = {}
    for r, row in enumerate(rows):
        for c, cell in enumerate(row):
            if cell is None:
                top = r - 1
                while top >= 0 and rows[top][c] is None:
                    top -= 1
                spans[(top, c)] = spans.get((top, c), 1) + 1
    return spans


# ---- synthetic documents -------------------------------------------------------------------------
# A unit's targets made up here (seeded), then printed in a layout the way text comes out of a
# published PDF: cells wrapped at their column's width, one line after another, cells that share a
# baseline joined by a space, page footers and headers (and the table header again) between rows.

import random  # noqa: E402
import unicodedata  # noqa: E402
from decimal import Decimal  # noqa: E402

OBJECTS = ["食品", "药品", "特种设备", "计量器具", "农贸市场", "餐饮单位", "电梯", "加油站", "校园食堂", "网络交易"]
ACTIONS = ["抽检", "培训", "宣传", "检查", "巡查", "执法", "检测", "维护", "整治", "核查"]
BASES = ["工作计划", "工作计划和安排", "历史标准", "行业标准", "年度工作方案", "上年度完成情况"]
DEADLINES = ["2024年12月底前", "12月底前完成", "每季度末前完成", "不超过11月份", "2024年10月底前完成"]
COUNT_UNITS = ["次", "批次", "家", "台件", "人次", "万份", "个"]


def _framework(cost_level1: bool) -> list[tuple[str, str]]:
    cost = ("成本指标", "经济成本指标") if cost_level1 else ("产出指标", "成本指标")
    return [("产出指标", "数量指标"), ("产出指标", "质量指标"), ("产出指标", "时效指标"), cost,
            ("效益指标", "社会效益指标"), ("效益指标", "可持续影响指标"), ("满意度指标", "服务对象满意度指标")]


def _indicator(rng: random.Random, level1: str, level2: str, total: Decimal, wide: bool) -> dict:
    obj, act = rng.choice(OBJECTS), rng.choice(ACTIONS)
    if level2 == "数量指标":
        name, value = f"{obj}{act}数量", f"≥{rng.randint(2, 900)}{rng.choice(COUNT_UNITS)}"
    elif level2 == "质量指标":
        name, value = f"{obj}{act}合格率", rng.choice(["100%", "＝100%", f"≥{rng.randint(85, 99)}%", "≥９５％"])
    elif level2 == "时效指标":
        name, value = f"{act}工作完成时限", rng.choice(DEADLINES)
    elif "成本" in level2:
        name, value = f"{obj}{act}经费", f"≤{total}万元"
    elif level2 == "社会效益指标":
        name, value = f"{obj}安全事故发生次数", rng.choice(["0次", "≤2次", "明显下降" if wide else "0次"])
    elif level2 == "可持续影响指标":
        name, value = f"{act}长效机制", rng.choice(["≥1年", "长期", "明显提升"] if wide else ["≥1年", "≥3年"])
    else:
        name, value = f"{obj}经营者满意度", f"≥{rng.randint(80, 95)}%"
    style = rng.random()
    if style < 0.4:
        description = name
    elif style < 0.8:
        description = f"{rng.choice(['全年', '年度内', '按计划'])}{obj}{act}工作中{name}的情况"
    else:
        description = None  # 描述 left empty
    return {"level1": level1, "level2": level2, "name": name, "description": description,
            "value": value, "basis": rng.choice(BASES)}


def synthetic_doc(seed: int, *, template: str = "perf-targets", projects: int = 4, code_letter: str = "P",
                  unit: tuple[str, str, str] = ("301001", "大英县市场监督管理局本级", "510923"),
                  year: int = 2024, qualitative: bool = False, overview: bool = True) -> dict:
    """A submission document (plain data) to print in a layout and import back."""
    rng = random.Random(seed)
    cost_level1 = template == "perf-targets-cost"
    out_projects = []
    for n in range(projects):
        obj, act = rng.choice(OBJECTS), rng.choice(ACTIONS)
        total = Decimal(rng.choice(["3", "4.5", "12.8", "25", "70", "250", "123.456789"]))
        fiscal = total if rng.random() < 0.6 else (total * Decimal("0.8")).quantize(Decimal("0.01"))
        tail = "".join(rng.choice("0123456789ABCDEFGHJKLMNPQRSTUVWXYZ") for _ in range(12))
        if code_letter != "P":
            tail = "".join(rng.choice("0123456789") for _ in range(12))
        levels = _framework(cost_level1)
        picked = levels[:4] + [lv for lv in levels[4:] if rng.random() < 0.8]
        inds = [_indicator(rng, l1, l2, total, qualitative) for l1, l2 in picked]
        out_projects.append({
            "code": f"{unit[2]}{year % 100:02d}{code_letter}{tail}",
            "name": f"{rng.choice(['2024年', ''])}{obj}{act}{rng.choice(['专项经费', '工作经费', '补助资金', '能力提升项目经费'])}",
            "budget": {"total": total, "fiscal": fiscal, "other": total - fiscal},
            "purpose": f"该项目用于{obj}{act}工作中产生的检测费、印刷费、差旅费、设备购置费等支出，保障工作顺利开展",
            "spending_plan": [{"month": m, "percent": p} for m, p in zip((3, 6, 10, 12), (20, 45, 80, 100))],
            "goals": [f"完成全年{obj}{act}任务，提升{obj}安全保障水平", f"计划于{year}年12月底前支出完毕。"],
            "indicators": inds,
        })
    doc = {"schema": "budgetxl/submission@1", "template": {"id": template, "version": "2024112801"},
           "year": year, "unit": {"code": unit[0], "name": unit[1], "region": unit[2]}, "projects": out_projects}
    if overview:
        doc["overview"] = {
            "overall": "围绕年度重点工作，强化市场监管，保障食品药品和特种设备安全，优化营商环境，" * 2,
            "items": [f"{rng.choice(OBJECTS)}安全监管。一是加强日常检查，二是开展专项整治，三是完善长效机制，确保全年不发生重大安全事故。" * 2
                      for _ in range(3)],
            "safeguards": ["加强组织领导\n成立工作领导小组，明确责任分工，细化工作方案，确保各项任务按时完成。",
                           "强化预算执行\n严格按照预算批复使用资金，加快支出进度，提高资金使用效益。"],
        }
    return doc


def cw(c: str) -> float:
    return 1.0 if unicodedata.east_asian_width(c) in "WFA" else 0.5


def wrap(text: str, width: float) -> list[str]:
    """A cell's text as the PDF printed it: broken at the column's width."""
    lines, line, w = [], "", 0.0
    for c in text:
        if w + cw(c) > width and line:
            lines.append(line)
            line, w = "", 0.0
        line += c
        w += cw(c)
    return lines + [line] if line else lines


def spaced(text: str, rng: random.Random) -> str:
    """PDF extraction spaces: sometimes between digits and Chinese (``2024 年``, ``40 人``)."""
    out = ""
    for a, b in zip(" " + text, text):
        if out and rng.random() < 0.5 and (a.isdigit() != b.isdigit()) and (a.isdigit() or b.isdigit()) \
                and not (a in ".,%" or b in ".,%"):
            out += " "
        out += b
    return out


def _amount(v: Decimal) -> str:
    return f"{v:.2f}" if v == v.quantize(Decimal("0.01")) else format(v.normalize(), "f")


def _yuan(v: Decimal) -> str:
    return f"{v * 10000:,.2f}"


def _wan(v: Decimal) -> str:
    return format(v.normalize(), "f") + "万"


def split_value(value: str) -> tuple[str, str, str]:
    """计算符号, 指标值, 度量单位 of a value, for layouts that print them in separate columns."""
    import re

    v = unicodedata.normalize("NFKC", value)
    m = re.match(r"^(≥|≤|=|>|<)?(\d+(?:\.\d+)?)(\D{0,4})$", v)
    if not m or any(w in v for w in ("前", "月份", "季度")):
        return "定性", value, ""
    return (m[1] or "＝").replace("=", "＝"), m[2], m[3]


class Printer:
    """Lines of one document as a PDF's text comes out; ``breaks`` page breaks land between rows."""

    def __init__(self, rng: random.Random, header: str, page_every: int = 40):
        self.rng, self.header, self.page_every = rng, header, page_every
        self.lines: list[str] = []
        self.page = 1
        self.since = 0
        self.table_header: list[str] = []

    def add(self, *lines: str) -> None:
        for ln in lines:
            self.lines.append(ln)
            if self.rng.random() < 0.5:
                self.lines.append("")  # blank lines come and go in extracted text
            self.since += 1

    def row(self, cells: list[str], widths: list[float]) -> None:
        """One table row: each cell's wrapped lines in turn; a cell's first line sometimes on the
        same line as the cell before (same baseline)."""
        if self.since >= self.page_every:
            self.page_break()
        out: list[str] = []
        for text, w in zip(cells, widths):
            if not text:
                continue
            lines = wrap(text, w)
            if out and self.rng.random() < 0.35:
                out[-1] = f"{out[-1]} {lines[0]}"
                lines = lines[1:]
            out += lines
        self.add(*out)

    def page_break(self) -> None:
        self.lines += ["", "", f"- {self.page} -", "", self.header]
        self.page += 1
        self.since = 0
        if self.table_header:
            self.add(*self.table_header)  # the header printed again on the continuation page

    def text(self) -> str:
        return "\n".join(self.lines) + "\n"


def _paragraphs(p: Printer, items: list[str], width: float, numbered: str = ".") -> None:
    for k, item in enumerate(items, 1):
        first, *rest = item.split("\n")
        p.add(*wrap(f"{k}{numbered}{first}", width))
        for para in rest:
            p.add(*wrap(para, width))


def hebei_text(doc: dict, seed: int = 0, page_every: int = 40) -> str:
    """Printed like the seed: Part 1, then one 项目支出绩效目标表 per project."""
    rng = random.Random(seed)
    p = Printer(rng, "某某县2024年部门预算公开", page_every)
    ov = doc["overview"]
    p.add("第一部分", "部门整体绩效目标", "一、总体绩效目标", *wrap(ov["overall"], 35), "二、分项绩效目标")
    _paragraphs(p, ov["items"], 35)
    p.add("三、工作保障措施")
    _paragraphs(p, ov["safeguards"], 35, "、")
    p.add("第二部分", "预算项目绩效目标")
    unit = doc["unit"]
    for n, pr in enumerate(doc["projects"], 1):
        b = pr["budget"]
        p.table_header = []
        p.add(*wrap(spaced(f"{n}.{pr['name']}绩效目标表", rng), 36), f"{unit['code']} {unit['name']} 单位：万元")
        name = wrap(spaced(pr["name"], rng), 14)
        p.add("项目编码", *wrap(pr["code"], 9.5), f"项目名称 {name[0]}", *name[1:], "预算规模及", "资金用途",
              f"预算数 {_amount(b['total'])}", "其中：财政", "资金",
              f"{_amount(b['fiscal'])} 其他资金" + (f" {_amount(b['other'])}" if b["other"] else ""),
              *wrap(pr["purpose"], 38), "资金支出计", "划（%）", "3 月底 6 月底 10 月底 12 月底",
              " ".join(f"{s['percent']}%" for s in pr["spending_plan"]), "绩效目标")
        _paragraphs(p, [spaced(g, rng) for g in pr["goals"]], 38)
        p.table_header = ["一级指标 二级指标 三级指标 绩效指标描述 指标值", "指标值确定", "依据"]
        p.add(*p.table_header)
        last = None
        for ind in pr["indicators"]:
            level1 = ind["level1"] if ind["level1"] != last else ""
            last = ind["level1"]
            p.row([level1, ind["level2"], ind["name"], ind["description"] or "", spaced(ind["value"], rng),
                   ind["basis"] or ""], [5, 5, 5, 12, 5, 5])
        p.table_header = []
    return p.text()


def sichuan_text(doc: dict, seed: int = 0, page_every: int = 30) -> str:
    """编码-名称 in one cell, amounts in 元, 指标性质/指标值/度量单位/权重/方向 columns."""
    rng = random.Random(seed)
    p = Printer(rng, "大英县2024年部门预算", page_every)
    unit = doc["unit"]
    for pr in doc["projects"]:
        b = pr["budget"]
        p.table_header = []
        p.add("项目支出绩效目标表", f"（{doc['year']}年度）", f"单位名称：{unit['name']}（{unit['code']}）  单位：元")
        name = wrap(f"{pr['code']}-{pr['name']}", 8)
        p.add(f"项目名称 {name[0]}", *name[1:],
              f"项目资金 年度资金总额 {_yuan(b['total'])} 其中：财政拨款 {_yuan(b['fiscal'])} 其他资金 {_yuan(b['other'])}",
              "年度目标")
        _paragraphs(p, pr["goals"], 30)
        p.table_header = ["绩效指标", "一级指标 二级指标 三级指标 指标性质 指标值 度量单位 权重 指标方向性"]
        p.add(*p.table_header)
        p.table_header = p.table_header[1:]
        last1 = last2 = None
        for ind in pr["indicators"]:
            op, number, unit_ = split_value(ind["value"])
            level1 = ind["level1"] if ind["level1"] != last1 else ""
            level2 = ind["level2"] if (ind["level1"], ind["level2"]) != (last1, last2) else ""
            last1, last2 = ind["level1"], ind["level2"]
            direction = "反向指标" if op in ("≤", "<") else "正向指标"
            p.row([level1, level2, ind["name"], op, number, unit_, str(rng.choice([5, 10, 20])), direction],
                  [4, 5, 6, 3, 5, 3, 2, 4])
        p.table_header = []
    return p.text()


def central_text(doc: dict, seed: int = 0, page_every: int = 35, empty_level2: str = "生态效益指标") -> str:
    """成本指标 as 一级, every row with its 一级 (rows in any order), amounts like 250万, 分值, and
    an empty 二级指标 row."""
    rng = random.Random(seed)
    p = Printer(rng, "2024年部门预算项目绩效目标", page_every)
    unit = doc["unit"]
    for pr in doc["projects"]:
        b = pr["budget"]
        p.table_header = []
        p.add(f"{doc['year']}年项目支出绩效目标表", f"项目名称：{pr['name']}", f"项目代码：{pr['code']}",
              f"主管部门：{unit['name']}", f"实施单位：{unit['name']}（{unit['code']}）",
              f"项目资金（万元） 年度资金总额：{_wan(b['total'])} 其中：财政拨款：{_wan(b['fiscal'])} "
              f"其他资金：{_wan(b['other'])}")
        p.add(*wrap("资金用途：" + pr["purpose"], 35))
        p.add("资金支出计划：" + " ".join(f"{s['month']}月底 {s['percent']}%" for s in pr["spending_plan"]), "年度绩效目标：")
        _paragraphs(p, pr["goals"], 35)
        p.table_header = ["一级指标 二级指标 三级指标 指标值 分值"]
        p.add(*p.table_header)
        for k, ind in enumerate(pr["indicators"]):
            if k == 2 and empty_level2:
                p.row(["效益指标", empty_level2, "", "", ""], [5, 5, 8, 6, 2])
            p.row([ind["level1"], ind["level2"], ind["name"], ind["value"], str(rng.choice([5, 10, 15]))],
                  [5, 5, 8, 6, 2])
        p.table_header = []
    return p.text()


# ---- the same documents typeset as ruled tables (for LibreOffice Writer to print to PDF) -----------

def _merged(values: list[str]) -> list[str | None]:
    """A column printed as merged cells: a value equal to the one above continues it (None)."""
    out: list[str | None] = []
    for k, v in enumerate(values):
        out.append(None if k and v == values[k - 1] else v)
    return out


def _numbered(items: list[str]) -> str:
    return "\n".join(f"{k}.{t}" for k, t in enumerate(items, 1))


def hebei_ruled(doc: dict) -> list:
    unit = doc["unit"]
    ov = doc["overview"]
    blocks: list = ["第一部分", "部门整体绩效目标", "一、总体绩效目标", ov["overall"], "二、分项绩效目标",
                    *[f"{k}.{t}" for k, t in enumerate(ov["items"], 1)], "三、工作保障措施"]
    for k, t in enumerate(ov["safeguards"], 1):
        blocks += [f"{k}、{line}" if i == 0 else line for i, line in enumerate(t.split("\n"))]
    blocks += ["第二部分", "预算项目绩效目标"]
    for n, pr in enumerate(doc["projects"], 1):
        b = pr["budget"]
        plan = pr["spending_plan"]
        inds = pr["indicators"]
        blocks += [f"{n}.{pr['name']}绩效目标表", f"{unit['code']} {unit['name']} 单位：万元",
                   ("table", [2.2, 4.4, 2.2, 8.2], [["项目编码", pr["code"], "项目名称", pr["name"]]]),
                   ("table", [2.2, 1.6, 2.2, 2.6, 2.2, 2.2, 4.0],
                    [["预算规模及资金用途", "预算数", _amount(b["total"]), "其中：财政资金", _amount(b["fiscal"]),
                      "其他资金", _amount(b["other"]) if b["other"] else ""],
                     [None, pr["purpose"], "", "", "", "", ""]]),
                   ("table", [3.0, 3.5, 3.5, 3.5, 3.5],
                    [["资金支出计划（%）", *[f"{s['month']}月底" for s in plan]], [None, *[f"{s['percent']}%" for s in plan]]]),
                   ("table", [3.0, 14.0], [["绩效目标", _numbered(pr["goals"])]]),
                   ("table", [2.2, 2.4, 3.0, 4.4, 2.6, 2.4],
                    [["一级指标", "二级指标", "三级指标", "绩效指标描述", "指标值", "指标值确定依据"]]
                    + [[l1, i["level2"], i["name"], i["description"] or "", i["value"], i["basis"] or ""]
                       for l1, i in zip(_merged([i["level1"] for i in inds]), inds)])]
    return blocks


def sichuan_ruled(doc: dict) -> list:
    unit = doc["unit"]
    blocks: list = []
    for pr in doc["projects"]:
        b = pr["budget"]
        inds = pr["indicators"]
        rows = [["一级指标", "二级指标", "三级指标", "指标性质", "指标值", "度量单位", "权重", "指标方向性"]]
        pairs = [(i["level1"], i["level2"]) for i in inds]
        level1s, level2s = _merged([p[0] for p in pairs]), _merged([f"{p[0]}/{p[1]}" for p in pairs])
        for l1, l2, i in zip(level1s, level2s, inds):
            op, number, unit_ = split_value(i["value"])
            rows.append([l1, None if l2 is None else i["level2"], i["name"], op, number, unit_, "10",
                         "反向指标" if op in ("≤", "<") else "正向指标"])
        blocks += ["项目支出绩效目标表", f"（{doc['year']}年度）",
                   ("table", [2.4, 14.6], [["单位名称", f"{unit['name']}（{unit['code']}）  单位：元"],
                                           ["项目名称", f"{pr['code']}-{pr['name']}"]]),
                   ("table", [2.0, 2.6, 2.6, 2.6, 2.6, 2.0, 2.6],
                    [["项目资金", "年度资金总额", _yuan(b["total"]), "其中：财政拨款", _yuan(b["fiscal"]), "其他资金",
                      _yuan(b["other"])]]),
                   ("table", [2.4, 14.6], [["年度目标", _numbered(pr["goals"])]]),
                   "绩效指标",
                   ("table", [2.0, 2.4, 3.6, 1.6, 2.4, 1.6, 1.4, 2.0], rows), "\f"]
    return blocks[:-1]


def central_ruled(doc: dict, empty_level2: str = "生态效益指标") -> list:
    unit = doc["unit"]
    blocks: list = []
    for pr in doc["projects"]:
        b = pr["budget"]
        plan = pr["spending_plan"]
        rows = [["一级指标", "二级指标", "三级指标", "指标值", "分值"]]
        for k, i in enumerate(pr["indicators"]):
            if k == 2 and empty_level2:
                rows.append(["效益指标", empty_level2, "", "", ""])
            rows.append([i["level1"], i["level2"], i["name"], i["value"], "10"])
        blocks += [f"{doc['year']}年项目支出绩效目标表",
                   ("table", [2.4, 6.1, 2.4, 6.1], [["项目名称", pr["name"], "项目代码", pr["code"]],
                                                    ["主管部门", unit["name"], "实施单位", f"{unit['name']}（{unit['code']}）"]]),
                   ("table", [2.6, 2.4, 2.0, 2.6, 2.0, 2.0, 3.4],
                    [["项目资金（万元）", "年度资金总额", _wan(b["total"]), "其中：财政拨款", _wan(b["fiscal"]), "其他资金",
                      _wan(b["other"])]]),
                   ("table", [2.6, 14.4], [["资金用途", pr["purpose"]]]),
                   ("table", [2.6, 3.6, 3.6, 3.6, 3.6],
                    [["资金支出计划", *[f"{s['month']}月底" for s in plan]], [None, *[f"{s['percent']}%" for s in plan]]]),
                   ("table", [2.6, 14.4], [["年度绩效目标", _numbered(pr["goals"])]]),
                   ("table", [2.6, 3.2, 5.6, 3.6, 2.0], rows), "\f"]
    return blocks[:-1]
