"""The rule catalogue: every rule id with its default severity, title, explanation and messages.

Each rule has one or more message *variants* ("" is the main one; a finding's message key is
``rule`` or ``rule.variant``) and, when the workbook checks it while the clerk types, short *live*
texts for the 校验提示 column (keys ``live.rule`` / ``live.rule.variant``). A variant listed in
``fixed`` always has that severity (only ``off`` in a template silences it). The checks themselves
are in :mod:`budgetxl.rules`, registered under these ids.
"""

from __future__ import annotations

from dataclasses import dataclass, field

Text = tuple[str, str]  # zh, en


@dataclass(frozen=True)
class RuleText:
    id: str
    severity: str  # default: "error" or "warning"
    title: Text
    explain: Text
    messages: dict[str, Text]  # variant -> message
    live: dict[str, Text] = field(default_factory=dict)  # variant -> short text in the workbook's check column
    fixed: dict[str, str] = field(default_factory=dict)  # variant -> severity that templates do not change


def message_key(rule: str, variant: str = "") -> str:
    return f"{rule}.{variant}" if variant else rule


def live_key(rule: str, variant: str = "") -> str:
    return "live." + message_key(rule, variant)


_CATALOGUE = [
    RuleText(
        "required-field", "error", ("必填项为空", "Required field is empty"),
        ("项目编码、项目名称、预算数、资金用途、每个资金支出计划节点、至少一条绩效目标、至少一条绩效指标，以及每条指标的一级指标、二级指标、"
         "三级指标和指标值都必须填写（模板可以增加必填项）。",
         "Project code, name, total budget, purpose, every spending-plan checkpoint, at least one goal and one "
         "indicator, and each indicator's level1, level2, name and value must be filled in (a template may add "
         "required fields)."),
        {"": ("{field}未填写", "{field} is empty"),
         "goals": ("至少需要一条绩效目标", "At least one performance goal is required"),
         "indicators": ("至少需要一条绩效指标", "At least one indicator is required"),
         "projects": ("工作簿中没有填写任何项目", "The workbook has no project")},
        live={"": ("未填写", " is empty"), "goals": ("至少填一条绩效目标", "at least one goal is needed"),
              "indicators": ("至少填一条绩效指标", "at least one indicator is needed")},
    ),
    RuleText(
        "project-code-format", "error", ("项目编码格式错误", "Project code format"),
        ("项目编码必须符合模板规定的格式（本模板：6位区划代码+2位年度+P+12位大写字母或数字），其中的区划和年度应与本单位、本年度一致。",
         "The project code must match the template's pattern (here: 6-digit region, 2-digit year, P, 12 upper-case "
         "letters/digits), and its region and year parts must agree with the unit and the fiscal year."),
        {"": ("项目编码“{code}”不符合格式要求", "Project code '{code}' does not match the required pattern"),
         "region": ("项目编码中的区划代码 {got} 与本单位的 {want} 不一致",
                    "Region {got} in the project code differs from the unit's {want}"),
         "year": ("项目编码中的年度 {got} 与预算年度 {want} 不一致",
                  "Year {got} in the project code differs from the fiscal year {want}")},
        live={"": ("项目编码格式不符", "code does not match the pattern"),
              "region": ("项目编码的区划代码与本单位不一致", "region in the code differs from the unit's"),
              "year": ("项目编码的年度与预算年度不一致", "year in the code differs from the fiscal year")},
    ),
    RuleText(
        "duplicate-project-code", "error", ("项目编码重复", "Duplicate project code"),
        ("同一工作簿中（汇总时：同一单位的不同工作簿中）同一项目编码只能出现一次。",
         "A project code may appear only once in a workbook (and, when consolidating, once per unit)."),
        {"": ("项目编码 {code} 重复（另见工作表“{other}”）",
              "Project code {code} appears more than once (see also sheet '{other}')")},
        live={"": ("项目编码与前面的项目重复", "code repeats an earlier project's")},
    ),
    RuleText(
        "project-added", "warning", ("本单位新增的项目", "Project added by the unit"),
        ("县里可以在“新增项目”表中增加市局没有下达的项目；这样的项目标为本单位新增，报送后由市局决定是否纳入（复制已下达项目表后改了编码和名称的，也算新增）。",
         "A county may add projects the city did not issue, on the spare 新增项目 sheets; such a project is marked as "
         "added by the unit and the city decides whether to take it (a copied project sheet with a new code and "
         "name counts as added too)."),
        {"": ("项目 {code}（{name}）是本单位新增的，不在市局下达的项目中，请市局确认",
              "Project {code} ({name}) was added by the unit and is not among the issued projects; the city decides")},
        live={"": ("本单位新增项目，待市局确认", "added by the unit; the city decides")},
    ),
    RuleText(
        "amount-invalid", "error", ("金额无效", "Invalid amount"),
        ("金额必须是不小于 0 的数字，单位万元，最多 6 位小数。",
         "Amounts must be numbers not below 0, in 万元, with at most 6 decimals."),
        {"": ("{field}“{value}”不是数字", "{field} '{value}' is not a number"),
         "negative": ("{field}不能为负数：{value}", "{field} cannot be negative: {value}"),
         "decimals": ("{field}最多 {max} 位小数：{value}", "{field} has more than {max} decimals: {value}")},
        live={"": ("金额不是数字", "amount is not a number"), "negative": ("金额不能为负", "amount is negative"),
              "decimals": ("金额小数位过多", "amount has too many decimals")},
    ),
    RuleText(
        "budget-sum", "error", ("预算数不等于财政资金与其他资金之和", "Budget does not add up"),
        ("预算数必须等于其中财政资金加其他资金（按精确小数计算）。",
         "The total must equal fiscal funds plus other funds (exact decimal arithmetic)."),
        {"": ("预算数 {total} ≠ 财政资金 {fiscal} + 其他资金 {other}", "Total {total} ≠ fiscal {fiscal} + other {other}")},
        live={"": ("预算数≠财政资金+其他资金", "total ≠ fiscal + other")},
    ),
    RuleText(
        "spending-plan", "error", ("资金支出计划不合理", "Spending plan"),
        ("资金支出计划是累计百分比：每个节点在 0 到 100 之间，逐期不减少，最后一个节点为 100。输入 25% 与输入 25 相同（单元格显示什么就按什么读：显示为 10000% 的，例如先输入过 100% 再输入 100，就按 10000 读并提示）；整个计划都是 0–1 的小数（如 0.25…1）时不作猜测，逐个提示核对。",
         "The spending plan is cumulative: each checkpoint between 0 and 100, never decreasing, the last one 100. "
         "Typing 25% is the same as typing 25 (a cell reads as it shows: one showing 10000%, say after 100% then "
         "100 were typed into it, reads as 10000 and is reported); a plan made only of fractions from 0 to 1 "
         "(0.25 … 1) is not guessed at: each checkpoint is reported for the clerk to confirm."),
        {"": ("{month}月底的支出进度 {value} 不在 0–100 之间",
              "Spending at end of month {month} ({value}) is outside 0–100"),
         "number": ("{month}月底的支出进度“{value}”不是数字",
                    "Spending at end of month {month} ('{value}') is not a number"),
         "decrease": ("{month}月底的支出进度 {value} 低于上一节点 {prev}",
                      "Spending at end of month {month} ({value}) is below the previous checkpoint ({prev})"),
         "last": ("最后一个节点（{month}月底）应为 100，现为 {value}",
                  "The last checkpoint (end of month {month}) must be 100, not {value}"),
         "fraction": ("{month}月底的支出进度填的是 {value}：是指 {percent}% 吗？整个计划像是小数写法，请直接填写百分数（如 {percent}）",
                      "Spending at end of month {month} is {value}: is {percent}% meant? The whole plan looks like "
                      "fractions; enter percentages (such as {percent})")},
        live={"": ("支出进度应在0–100之间", "spending must be 0–100"),
              "number": ("支出进度不是数字", "spending is not a number"),
              "decrease": ("支出进度低于上一期", "spending below the previous checkpoint"),
              "last": ("最后一期应为100", "the last checkpoint must be 100"),
              "fraction": ("支出进度像是小数写法，请填百分数（如25）", "spending looks like a fraction: enter a percentage (25)")},
    ),
    RuleText(
        "indicator-taxonomy", "error", ("指标分类不在框架内", "Indicator outside the framework"),
        ("一级指标、二级指标必须取自模板的指标框架，二级指标必须属于其一级指标。",
         "Level1 and level2 must come from the template's framework, and a level2 must belong to its level1."),
        {"": ("一级指标“{value}”不在指标框架内", "Level1 '{value}' is not in the framework"),
         "level2": ("二级指标“{value}”不在指标框架内", "Level2 '{value}' is not in the framework"),
         "parent": ("二级指标“{value}”不属于一级指标“{level1}”（应属于“{parent}”）",
                    "Level2 '{value}' does not belong to level1 '{level1}' (it belongs to '{parent}')")},
        live={"": ("一级指标不在框架内", "level1 not in the framework"),
              "level2": ("二级指标不在框架内", "level2 not in the framework"),
              "parent": ("二级指标不属于该一级指标", "level2 not under this level1")},
    ),
    RuleText(
        "indicator-coverage", "error", ("指标不完整", "Indicator coverage"),
        ("每个项目都必须有产出指标和效益指标（缺少为错误）；应有满意度指标，产出指标下应有数量、质量、时效、成本指标（缺少为警告）。",
         "Every project needs output (产出) and outcome (效益) indicators (error); it should have a satisfaction "
         "indicator and quantity/quality/time/cost indicators under output (warning)."),
        {"": ("缺少{level1}", "No {level1} indicator"),
         "expected": ("没有{level1}", "No {level1} indicator"),
         "level2": ("{level1}下没有{level2}", "No {level2} under {level1}")},
        live={"": ("缺少{level1}", "no {level1}"), "expected": ("没有{level1}", "no {level1}"),
              "level2": ("{level1}下没有{level2}", "no {level2} under {level1}")},
        fixed={"expected": "warning", "level2": "warning"},
    ),
    RuleText(
        "indicator-value", "error", ("指标值无法识别", "Indicator value"),
        ("指标值要能识别为“计算符号+数字+计量单位”或定性文字；数量、成本、满意度指标必须有数字，数值指标必须有计量单位。指标值自带单位（如 1万份）时按自带的单位读，与计量单位不一致的要指出；显示为百分数（输入 95%）的按 95% 读；满意度填成 0–1 的小数时不作猜测，提示核对。",
         "A value must read as operator + number + unit, or as text; quantity, cost and satisfaction indicators "
         "need a number, and a numeric value needs a unit. A value typed with its unit (1万份) reads with that unit, "
         "and one that differs from the unit column is reported; a value shown as a percentage (95% typed) reads as "
         "95%; a satisfaction typed as a fraction from 0 to 1 is not guessed at but reported."),
        {"": ("指标值“{value}”无法识别", "Indicator value '{value}' cannot be parsed"),
         "number": ("{level2}的指标值“{value}”应为数字", "The {level2} value '{value}' must be a number"),
         "unit": ("指标值“{value}”缺少计量单位", "Indicator value '{value}' has no unit"),
         "units": ("指标值“{value}”自带的单位与计量单位“{unit}”不一致",
                   "Indicator value '{value}' carries a unit that differs from the unit column's '{unit}'"),
         "percent": ("指标值单元格显示为百分数 {value}，计量单位却是“{unit}”",
                     "The value cell shows the percentage {value}, but the unit is '{unit}'"),
         "fraction": ("满意度指标值 {value} 像是小数写法：是指 {percent}% 吗？请直接填写百分数",
                      "The satisfaction value {value} looks like a fraction: is {percent}% meant? Enter the percentage")},
        live={"": ("指标值无法识别", "value cannot be read"), "number": ("指标值应为数字", "value must be a number"),
              "unit": ("指标值缺少计量单位", "value has no unit"),
              "units": ("指标值自带的单位与计量单位不一致", "value's own unit differs from the unit column"),
              "percent": ("指标值是百分数，计量单位却不是%", "value is a percentage but the unit is not %"),
              "fraction": ("满意度像是小数写法，请填百分数（如95）", "satisfaction looks like a fraction: enter a percentage (95)")},
    ),
    RuleText(
        "placeholder", "error", ("占位内容或多余空白", "Placeholder or stray whitespace"),
        ("单元格中不能留有“请填写”“XX”“*”等填表提示或占位内容，文字首尾不能有空格或换行。",
         "Cells must not keep instruction or placeholder text (请填写, XX, *, …) or leading/trailing spaces and "
         "line breaks."),
        {"": ("{field}是占位内容“{value}”", "{field} is the placeholder '{value}'"),
         "space": ("{field}首尾有空格或换行", "{field} has leading or trailing spaces or line breaks")},
        live={"": ("是占位内容", " is a placeholder"), "space": ("首尾有空格或换行", " has stray spaces or line breaks")},
    ),
    RuleText(
        "cost-exceeds-budget", "error", ("成本指标超过预算数", "Cost above budget"),
        ("成本指标的金额（换算为万元）不能大于项目的预算数。",
         "A cost indicator's amount (in 万元) cannot exceed the project's total budget."),
        {"": ("成本指标 {value} 超过项目预算数 {total} 万元", "Cost indicator {value} exceeds the project budget of {total} 万元")},
        live={"": ("成本指标超过预算数", "cost above the budget")},
    ),
    RuleText(
        "satisfaction-range", "error", ("满意度超出范围", "Satisfaction out of range"),
        ("满意度指标值是百分比，必须在 0% 到 100% 之间。", "A satisfaction value is a percentage between 0% and 100%."),
        {"": ("满意度“{value}”不在 0%–100% 之间", "Satisfaction '{value}' is outside 0%–100%")},
        live={"": ("满意度应在0–100%之间", "satisfaction must be 0–100%")},
    ),
    RuleText(
        "issued-field-changed", "error", ("下达数据被修改", "Issued field changed"),
        ("单位、项目编码、项目名称和金额（以及模板规定的其他下达字段）是市局下达的数据，不得修改；与工作簿生成时记录的下达数据不一致即报错。",
         "The unit, project codes, names and amounts (and any other field the template marks as issued) are issued "
         "by the city and must not change; they are compared with the issued data recorded when the workbook was "
         "generated."),
        {"": ("{field}被修改：下达为“{issued}”，现为“{value}”", "{field} was changed: issued '{issued}', now '{value}'"),
         "missing": ("下达的项目 {code}（{name}）不见了", "Issued project {code} ({name}) is missing"),
         "fingerprint": ("元数据中的下达数据指纹不符，工作簿的隐藏数据被改动过",
                         "The issued-data fingerprint in the metadata does not match: hidden data was altered"),
         "indicator": ("下达的绩效指标“{name}”不见了", "Issued indicator '{name}' is missing"),
         "metadata": ("隐藏的元数据表被改动过（{detail} 无效），无法据此核对下达数据",
                      "The hidden metadata sheet was altered ({detail} is invalid); the issued fields cannot be "
                      "checked against it")},
        live={"": ("与下达数据不一致", " differs from the issued value")},
    ),
    RuleText(
        "template-version", "error", ("模板版本不符", "Template version"),
        ("工作簿必须用当前使用的模板生成：模板编号相同，版本不低于当前版本。",
         "The workbook must come from the template in use: the same template id and a version not older than the "
         "current one."),
        {"": ("工作簿使用模板 {got}，当前模板为 {want}", "The workbook uses template {got}; the current template is {want}")},
    ),
    RuleText(
        "summary-mismatch", "warning", ("汇总表与项目表不一致", "Summary disagrees"),
        ("汇总表中的数字由公式从项目表取得；若与项目表不一致，说明公式被改动或未重新计算。",
         "The summary's figures are formulas into the project sheets; a difference means a formula was changed or "
         "not recalculated."),
        {"": ("汇总表{field}为“{value}”，项目表为“{actual}”", "Summary {field} is '{value}', the project sheet says '{actual}'"),
         "missing": ("项目 {code} 不在汇总表中", "Project {code} is not in the summary")},
        live={"": ("与项目表不一致", " differs from the project sheet")},
    ),
    RuleText(
        "metadata-missing", "warning", ("缺少元数据", "Metadata missing"),
        ("生成的工作簿带有隐藏的元数据表（模板版本、下达数据指纹）。缺少时仍按可见单元格读取，但无法核对下达数据。",
         "Generated workbooks carry a hidden metadata sheet (template version, issued-data fingerprint). Without it "
         "the workbook still reads from its visible cells, but issued fields cannot be checked."),
        {"": ("工作簿缺少隐藏的元数据表（可能被另存或复制过），已按可见单元格识别单位。",
              "The hidden metadata sheet is missing (the file was re-saved or copied); the unit was identified "
              "from the visible cells.")},
    ),
    RuleText(
        "macros", "warning", ("工作簿含有宏", "Workbook contains macros"),
        ("启用宏的工作簿（.xlsm，或带 Basic 宏的 .ods）只读取单元格的值：宏从不运行，也不会被复制到任何输出（标注副本一律保存为 .xlsx）。",
         "A macro-enabled workbook (.xlsm, or an .ods with Basic macros) is read for its cell values only: the macros "
         "are never run and never copied into any output (annotated copies are always saved as .xlsx)."),
        {"": ("工作簿含有宏（VBA），宏未运行，也不会被复制到任何输出；请另存为不含宏的 .xlsx 后报送。",
              "The workbook contains macros (VBA); they were not run and are not copied into any output. Save it as "
              "a macro-free .xlsx and resend.")},
    ),
]

RULES: dict[str, RuleText] = {r.id: r for r in _CATALOGUE}


def rule_messages() -> dict[str, tuple[str, str]]:
    """Every rule's messages and live texts under their message keys."""
    out: dict[str, tuple[str, str]] = {}
    for r in RULES.values():
        out[f"rule-title.{r.id}"] = r.title
        for variant, text in r.messages.items():
            out[message_key(r.id, variant)] = text
        for variant, text in r.live.items():
            out[live_key(r.id, variant)] = text
    return out
