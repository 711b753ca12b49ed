"""Files: what cannot be read, and why (one sentence each, with what to do about it)."""

from __future__ import annotations

FILES: dict[str, tuple[str, str]] = {

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
    "template-toml": ("模板文件 {path} 第 {line} 行第 {column} 列有 TOML 语法错误",
                      "the spec {path} has a TOML syntax error at line {line}, column {column}"),
    "template-nesting": ("模板文件 {path} 的 base 层层引用过深", "the spec {path} builds on other specs too deeply"),
    "template-spec": ("模板文件 {path} 的内容有误：{where} {detail}", "the spec {path} is wrong: {where} {detail}"),
    "template-value": ("模板文件 {path} 的内容有误：{detail}", "the spec {path} is wrong: {detail}"),
    "template-unknown": ("没有名为 {ref} 的模板（内置模板：{known}；也可以给出 .toml 文件的路径）",
                         "there is no template called {ref} (built in: {known}; or give the path of a .toml spec)"),
    "template-missing": ("找不到模板文件 {path}", "the template spec {path} cannot be found"),
    "is-consolidated": (
        "{path}：这是 budgetxl 生成的汇总工作簿，不是单位报送的绩效目标表。",
        "{path}: this is a consolidated workbook made by budgetxl merge, not a unit's submission.",
    ),
    "output-is-input": (
        "输出文件 {path} 也是输入文件之一，已停止以免覆盖报送文件。请换一个输出文件名。",
        "The output {path} is also one of the inputs; stopped so as not to overwrite a submission. "
        "Choose another output name.",
    ),
    "io-error": ("{path}：{detail}", "{path}: {detail}"),
    # writing outputs (files.publish): nothing is written when one of these is said
    "output-busy": (
        "另一个 budgetxl 进程（进程号 {pid}）正在写入 {path}，本次未写入任何文件。请等它完成后重试。",
        "Another budgetxl run (process {pid}) is writing {path}; nothing was written. Try again when it has finished.",
    ),
    "output-failed": (
        "无法写入 {path}（{detail}），未写入任何文件，原有文件保持不变。",
        "Cannot write {path} ({detail}); nothing was written and the existing files are unchanged.",
    ),
    "output-failed.disk-full": (
        "磁盘空间不足，无法写入 {path}，未写入任何文件，原有文件保持不变。请腾出空间或换一个输出位置后重试。",
        "No space left on the disk for {path}; nothing was written and the existing files are unchanged. "
        "Free some space or choose another output location and try again.",
    ),
    "output-failed.too-big": (
        "文件超出该位置允许的大小，无法写入 {path}，未写入任何文件，原有文件保持不变。请换一个输出位置后重试。",
        "The file is larger than this location allows; {path} was not written, nothing was, and the existing "
        "files are unchanged. Choose another output location and try again.",
    ),
    "output-failed.read-only": (
        "{path} 所在位置是只读的，未写入任何文件。请换一个可写的输出位置后重试。",
        "The location of {path} is read-only; nothing was written. Choose a writable output location and try again.",
    ),
    "output-failed.no-permission": (
        "没有写入 {path} 的权限，未写入任何文件。请换一个有写入权限的输出位置后重试。",
        "No permission to write {path}; nothing was written. Choose an output location you may write to and "
        "try again.",
    ),
    "not-consolidated": (
        "{path}：不是 budgetxl 汇总工作簿（缺少“单位概况”“项目明细”“绩效指标明细”表）",
        "{path}: not a budgetxl consolidated workbook (sheets 单位概况, 项目明细, 绩效指标明细 missing)",
    ),
    "split-later-stage": (
        "这是{form}的汇总：split 只拆分绩效目标的汇总（生成下一年度的绩效目标表），请对绩效目标汇总工作簿使用；"
        "由运行监控的汇总下发绩效自评表请用 budgetxl generate --stage selfeval --from",
        "This consolidates the {form}: split takes a consolidation of targets (into next year's targets workbooks); "
        "use it on the targets consolidation. To issue the self-evaluation from a monitoring consolidation, use "
        "budgetxl generate --stage selfeval --from.",
    ),
    "usage": ("用法错误：{detail}", "Usage error: {detail}"),
    # intake: what a file is when it is not a readable workbook (one sentence each, with what to do)
    "intake-empty": (
        "{path}：文件是空的（0 字节），可能是下载或复制失败，请重新发送工作簿。",
        "{path}: the file is empty (0 bytes), probably a failed download or copy; send the workbook again.",
    ),
    "intake-truncated": (
        "{path}：文件不完整（下载或复制时中断），无法读取，请重新发送原工作簿。",
        "{path}: the file is incomplete (the download or copy was cut off); send the original workbook again.",
    ),
    "intake-damaged": (
        "{path}：文件已损坏（{detail}），请用 Excel 或 WPS 打开后另存为 .xlsx 再报送。",
        "{path}: the file is damaged ({detail}); open it in Excel or WPS, save it as .xlsx and resend.",
    ),
    "intake-too-large": (
        "{path}：文件过大（{size}，上限 {limit}），不像是一份绩效目标表，请删除无关内容和图片后重新报送。",
        "{path}: the file is too large ({size}, limit {limit}) for a performance-target workbook; remove unrelated "
        "content and pictures and resend.",
    ),
    "intake-encrypted": (
        "{path}：工作簿设置了打开密码，无法读取，请取消密码（文件→信息→保护工作簿→用密码进行加密，清空密码）后重新报送。",
        "{path}: the workbook is password-protected and cannot be read; remove the password (File → Info → Protect "
        "Workbook → Encrypt with Password, clear it) and resend.",
    ),
    "intake-html": (
        "{path}：这是一个网页文件（HTML），只是扩展名为表格，请用 Excel 或 WPS 打开后另存为 .xlsx 再报送。",
        "{path}: the file is a web page (HTML) saved under a spreadsheet name; open it in Excel or WPS, save it as "
        ".xlsx and resend.",
    ),
    "intake-mhtml": (
        "{path}：这是一个单个文件网页（MHTML），不是工作簿，请用 Excel 打开后另存为 .xlsx 再报送。",
        "{path}: the file is a single-file web page (MHTML), not a workbook; open it in Excel, save it as .xlsx and "
        "resend.",
    ),
    "intake-xml2003": (
        "{path}：这是 Excel 2003 XML 表格，不是工作簿，请用 Excel 打开后另存为 .xlsx 再报送。",
        "{path}: the file is an Excel 2003 XML spreadsheet, not a workbook; open it in Excel, save it as .xlsx and "
        "resend.",
    ),
    "intake-fods": (
        "{path}：这是平面 XML 格式的 ODF 表格（.fods），请用 WPS 或 LibreOffice 打开后另存为 .xlsx 再报送。",
        "{path}: the file is a flat-XML OpenDocument spreadsheet (.fods); open it and save it as .xlsx, then resend.",
    ),
    "intake-xml": (
        "{path}：这是一个 XML 数据文件，不是工作簿，请在下发的工作簿中填报后以 .xlsx 报送。",
        "{path}: the file is XML data, not a workbook; fill in the workbook that was issued and send it as .xlsx.",
    ),
    "intake-csv": (
        "{path}：这是一个文本表格（CSV/TSV），不是工作簿，会丢失表格结构，请在下发的工作簿中填报后以 .xlsx 报送。",
        "{path}: the file is delimited text (CSV/TSV), not a workbook, and loses the form's layout; fill in the "
        "workbook that was issued and send it as .xlsx.",
    ),
    "intake-text": (
        "{path}：这是一个纯文本文件，不是工作簿，请在下发的工作簿中填报后以 .xlsx 报送。",
        "{path}: the file is plain text, not a workbook; fill in the workbook that was issued and send it as .xlsx.",
    ),
    "intake-pdf": (
        "{path}：这是 PDF 文件，不是工作簿，请发送填写好的 Excel 工作簿（.xlsx）。",
        "{path}: the file is a PDF, not a workbook; send the filled-in Excel workbook (.xlsx).",
    ),
    "intake-image": (
        "{path}：这是图片，不是工作簿，请发送填写好的 Excel 工作簿（.xlsx）。",
        "{path}: the file is a picture, not a workbook; send the filled-in Excel workbook (.xlsx).",
    ),
    "intake-archive": (
        "{path}：这是压缩包，不是工作簿，请解压后单独发送其中的工作簿（.xlsx）。",
        "{path}: the file is a compressed archive, not a workbook; unpack it and send the workbook (.xlsx) on its own.",
    ),
    "intake-document": (
        "{path}：这是文字处理或演示文档（Word、WPS 文字、PowerPoint 等），不是工作簿，请发送填写好的 Excel 工作簿（.xlsx）。",
        "{path}: the file is a text or presentation document (Word, WPS Writer, PowerPoint, …), not a workbook; send "
        "the filled-in Excel workbook (.xlsx).",
    ),
    "intake-old-excel": (
        "{path}：这是 Excel 95 或更早版本的工作簿，格式过旧无法读取，请用 Excel 或 WPS 打开后另存为 .xlsx 再报送。",
        "{path}: the workbook is in the Excel 95 (or older) format, which cannot be read; open it in Excel or WPS, "
        "save it as .xlsx and resend.",
    ),
    "intake-xlsb": (
        "{path}：这是 Excel 二进制工作簿（.xlsb），请另存为普通的 Excel 工作簿（.xlsx）后重新报送。",
        "{path}: the file is an Excel binary workbook (.xlsb); save it as an ordinary Excel Workbook (.xlsx) and "
        "resend.",
    ),
    "intake-strict": (
        "{path}：工作簿保存为“Strict Open XML”格式，请另存为普通的 Excel 工作簿（.xlsx）后重新报送。",
        "{path}: the workbook was saved as Strict Open XML; save it as an ordinary Excel Workbook (.xlsx) and resend.",
    ),
    "intake-unknown": (
        "{path}：无法识别的文件类型，不是 Excel 工作簿，请发送填写好的工作簿（.xlsx）。",
        "{path}: unrecognised file type, not an Excel workbook; send the filled-in workbook (.xlsx).",
    ),
    "intake-bomb": (
        "{path}：文件的压缩数据异常（{detail}），疑似恶意文件（压缩炸弹），已拒绝读取，请用 Excel 重新保存后报送。",
        "{path}: the file's compressed data is abnormal ({detail}), a suspected zip bomb, and was refused; re-save it "
        "in Excel and resend.",
    ),
    "intake-dtd": (
        "{path}：文件内含 XML 文档类型定义（{part}），正常工作簿不会有，疑似恶意文件，已拒绝读取，请用 Excel 重新保存后报送。",
        "{path}: the file contains an XML document type definition ({part}), which no normal workbook has; it was "
        "refused as suspect, re-save it in Excel and resend.",
    ),
    "intake-too-many-sheets": (
        "{path}：工作簿有 {n} 个工作表，超过上限 {limit}，请删除无关工作表后重新报送。",
        "{path}: the workbook has {n} sheets, more than the limit of {limit}; delete unrelated sheets and resend.",
    ),
    "intake-sheet-too-big": (
        "{path}：工作表“{sheet}”的内容一直延伸到第 {rows} 行、第 {cols} 列，范围过大，请删除表格外多余的行、列后重新报送。",
        "{path}: sheet '{sheet}' has content as far as row {rows}, column {cols}, too large a range; delete the "
        "unused rows and columns outside the form and resend.",
    ),
    "intake-too-many-cells": (
        "{path}：工作簿内容过多（{cells}，上限 {limit}），请删除无关内容后重新报送。",
        "{path}: the workbook holds too much content ({cells}, limit {limit}); delete unrelated content and resend.",
    ),
    "intake-too-much-text": (
        "{path}：工作簿中的文字过多（各单元格合计 {size}，上限 {limit}），请删除无关内容后重新报送。",
        "{path}: the workbook holds too much text (all cells together {size}, limit {limit}); delete unrelated "
        "content and resend.",
    ),
    "too-many-rows": (
        "{path}：工作簿中的绩效指标行过多（{n} 行，上限 {limit} 行，最多的是工作表“{sheet}”），请删除多余的行后重新报送。",
        "{path}: the workbook has too many indicator rows ({n}, limit {limit}; most in sheet '{sheet}'); delete the "
        "rows that are not needed and resend.",
    ),
    "intake-crash": (
        "{path}：文件内部结构异常，读取程序无法处理，已跳过；请用 Excel 或 WPS 打开后另存为 .xlsx 再报送。",
        "{path}: the file's internal structure is abnormal and could not be read, so it was skipped; open it in "
        "Excel or WPS, save it as .xlsx and resend.",
    ),
    "intake-timeout": (
        "{path}：读取超过 {seconds} 秒仍未完成，已跳过；请用 Excel 或 WPS 打开后另存为 .xlsx 再报送。",
        "{path}: reading the file took more than {seconds} seconds, so it was skipped; open it in Excel or WPS, "
        "save it as .xlsx and resend.",
    ),
    # small tables a user gives (roster, budget list)
    "roster-empty": ("表格是空的", "the table is empty"),
    "roster-headers": (
        "表头应为 code,name,region 或 单位编码,单位名称,行政区划代码",
        "headers must be code,name,region or 单位编码,单位名称,行政区划代码",
    ),
    "roster-duplicate": ("单位编码 {code} 出现了两次", "unit code {code} appears twice"),
    "budget-headers": (
        "需要列 单位编码、项目编码（或 unit_code、project_code）",
        "columns unit_code and project_code (or 单位编码, 项目编码) are required",
    ),
    "bad-budget": ("{path}：预算清单无法读取（{detail}）", "{path}: the budget list cannot be read ({detail})"),
    "budget-amount": ("第 {line} 行的金额“{value}”不是数字", "the amount '{value}' on line {line} is not a number"),
    "budget-unknown-units": (
        "{path}：有 {n} 行的单位不在单位名单中，行号（单位编码）：{lines}。请改正单位编码或把单位加入名单，什么也没做",
        "{path}: {n} row(s) name a unit that is not in the roster, lines (unit code): {lines}. Correct the unit "
        "codes or add the units to the roster. Nothing was done"),
    "budget-line": ("{line}（{unit}）", "{line} ({unit})"),
    "table-encoding": ("既不是 UTF-8 也不是 GBK 编码的文本", "text neither in UTF-8 nor in GBK"),
    "table-csv": ("第 {line} 行的 CSV 格式有误", "malformed CSV on line {line}"),
    "table-unreadable": ("无法读取，系统错误 {code}", "cannot be read, system error {code}"),
    "archive-too-big": ("{members} 个成员，共 {size}", "{members} members, {size}"),
    # outputs (files.outputs: checked before any work) and single inputs
    "output-is-folder": ("{path} 是一个文件夹，这里需要一个文件名，什么也没做",
                         "{path} is a folder; a file name is needed here. Nothing was done"),
    "output-not-folder": ("{path} 不是文件夹，这里需要一个文件夹，什么也没做",
                          "{path} is not a folder; a folder is needed here. Nothing was done"),
    "output-suffix": ("{path}：这里写出的是{kind}，文件名应以 {want} 结尾，什么也没做",
                      "{path}: what is written here is {kind}, so the name must end in {want}. Nothing was done"),
    "output-other-kind": ("{path} 已存在且不是{kind}，不会覆盖它，请换一个文件名，什么也没做",
                          "{path} exists and is not {kind}; it is not overwritten. Choose another name. Nothing was done"),
    "output-in-input": ("输出文件夹 {path} 就是输入文件夹 {input} 或在其中，写出的文件会混入报送文件，请换一个文件夹，什么也没做",
                        "The output folder {path} is (or is inside) the input folder {input}: what is written would "
                        "mix with the submissions. Choose another folder. Nothing was done"),
    "output-parent-not-folder": ("{path}：{parent} 不是文件夹，无法在其中写入，什么也没做",
                                 "{path}: {parent} is not a folder, nothing can be written in it. Nothing was done"),
    "output-kind.workbook": ("Excel 工作簿", "an Excel workbook"),
    "output-kind.json": ("JSON 文件", "a JSON file"),
    "output-kind.csv": ("CSV 文件", "a CSV file"),
    # a value that does not fit (a JSON document, a template spec): errors.invalid_value
    "invalid.missing": ("缺少{where}", "{where} is missing"),
    "invalid.extra": ("{where}：不认识这一项", "{where}: not a known entry"),
    "invalid.json": ("JSON 格式错误，在第 {line} 行第 {column} 列", "malformed JSON at line {line}, column {column}"),
    "invalid.number": ("{where}：“{value}”不是数字", "{where}: '{value}' is not a number"),
    "invalid.places": ("{where}：“{value}”位数过多", "{where}: '{value}' has too many digits"),
    "invalid.integer": ("{where}：“{value}”不是整数", "{where}: '{value}' is not a whole number"),
    "invalid.text": ("{where}：应为文字", "{where}: text is expected"),
    "invalid.boolean": ("{where}：“{value}”应为 true 或 false", "{where}: '{value}' should be true or false"),
    "invalid.list": ("{where}：应为列表", "{where}: a list is expected"),
    "invalid.object": ("{where}：应为一组键值", "{where}: an object (keys and values) is expected"),
    "invalid.choice": ("{where}：“{value}”不是允许的取值", "{where}: '{value}' is not one of the allowed values"),
    "invalid.low": ("{where}：“{value}”太小", "{where}: '{value}' is too small"),
    "invalid.high": ("{where}：“{value}”太大", "{where}: '{value}' is too large"),
    "invalid.short": ("{where}：内容太少", "{where}: too few items or characters"),
    "invalid.long": ("{where}：内容太长", "{where}: too long"),
    "invalid.pattern": ("{where}：“{value}”格式不对", "{where}: '{value}' is not in the expected form"),
    "invalid.value": ("{where}：“{value}”无效", "{where}: '{value}' is not valid"),
    "where.project": ("第 {project} 个项目的{field}", "project {project}, {field}"),
    "where.indicator": ("第 {project} 个项目第 {indicator} 条指标的{field}", "project {project}, indicator {indicator}, {field}"),
    "where.document": ("文档", "the document"),
    "json-is-workbook": ("{path} 是一个 Excel 工作簿，不是 JSON 文档（文件名应以 .xlsx 结尾）",
                         "{path} is an Excel workbook, not a JSON document (its name should end in .xlsx)"),
    "json-not-utf8": ("不是 UTF-8 编码的文本", "not UTF-8 text"),
    "input-is-folder": ("{path} 是一个文件夹，这里需要一个文件", "{path} is a folder; a file is needed here"),
}
