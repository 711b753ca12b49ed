"""Message catalogue: every user-facing sentence in Chinese (default) and English."""

from __future__ import annotations

from typing import Any

LANGS = ("zh", "en")

# key -> (zh, en). Placeholders use str.format names.
MESSAGES: dict[str, tuple[str, str]] = {
    # files and reading
    "file-not-found": ("找不到文件：{path}", "File not found: {path}"),
    "not-a-workbook": (
        "{path}：不是可读取的 Excel 工作簿（{detail}）。请用 Excel 另存为 .xlsx 后重新报送。",
        "{path}: not a readable Excel workbook ({detail}). Save it as .xlsx in Excel and resend.",
    ),
    "no-form": (
        "{path}：工作簿中没有找到绩效目标表（既没有单位信息表，也没有项目表）。请使用下发的模板填报。",
        "{path}: no performance-target form found in the workbook (no unit sheet, no project sheet). "
        "Fill in the workbook that was issued.",
    ),
    "bad-json": ("{path}：不是有效的提交文档 JSON（{detail}）", "{path}: not a valid submission JSON document ({detail})"),
    "bad-roster": ("{path}：单位名单无法读取（{detail}）", "{path}: the roster cannot be read ({detail})"),
    "bad-template": ("模板无法使用：{detail}", "Template cannot be used: {detail}"),
    "not-consolidated": (
        "{path}：不是 budgetxl 汇总工作簿（缺少“单位概况”“项目明细”“绩效指标明细”表）",
        "{path}: not a budgetxl consolidated workbook (sheets 单位概况, 项目明细, 绩效指标明细 missing)",
    ),
    "usage": ("用法错误：{detail}", "Usage error: {detail}"),
    # reader notes
    "meta-missing": (
        "工作簿缺少隐藏的元数据表（可能被另存或复制过），已按可见单元格识别单位。",
        "The hidden metadata sheet is missing (the file was re-saved or copied); the unit was identified "
        "from the visible cells.",
    ),
    # CLI output
    "generated": ("已生成 {path}", "Wrote {path}"),
    "generated-n": ("已在 {dir} 生成 {n} 个工作簿", "Wrote {n} workbooks to {dir}"),
    "prefill-warnings": (
        "注意：提交文档有 {n} 处不符合校验规则，仍已写入工作簿：",
        "Note: the document breaks {n} validation rule(s); it was written anyway:",
    ),
    "demo-done": ("演示完成，输出在 {dir}", "Demo finished; output in {dir}"),
}


def message(key: str, lang: str = "zh", **args: Any) -> str:
    zh, en = MESSAGES.get(key, (key, key))
    text = en if lang == "en" else zh
    try:
        return text.format(**args)
    except (KeyError, IndexError):
        return text
