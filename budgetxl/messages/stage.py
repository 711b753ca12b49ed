"""Text of the later stages (绩效运行监控, 绩效自评): their rules, what their workbooks and the
consolidation say. The rules are appended to the rule catalogue (messages.rules) by the package."""

from __future__ import annotations

from .rules import RuleText

STAGE_RULES = [
    RuleText(
        "stage-actual", "error", ("完成值填写有误", "Reported value"),
        ("监控表的当前完成值、自评表的实际完成值：数值指标必须填数字；定性指标必须从列表中选择。",
         "The value reported for an indicator (当前完成值 when monitoring, 实际完成值 in the self-evaluation) must "
         "be a number for a quantitative indicator and a choice from the list for a qualitative one."),
        {"": ("{name}的{field}“{value}”不是数字", "{field} of {name} ('{value}') is not a number"),
         "qualitative": ("{name}的{field}“{value}”应从列表中选择：{choices}",
                         "{field} of {name} ('{value}') must be one of: {choices}")},
        live={"": ("应填数字", " must be a number"), "qualitative": ("应从列表中选择", " must come from the list")},
    ),
    RuleText(
        "monitor-deviation", "error", ("偏差未说明", "Deviation not explained"),
        ("绩效运行监控：数值指标（≥）的当前完成值超出年度指标值一定比例（模板规定，河北为 15%）以上，或完成目标可能性为“有可能”“完全不可能”的，"
         "须选择偏差原因并填写偏差原因说明；1–N月执行率低于序时进度（N/12）超过模板规定的百分点的，须选择执行偏差原因。",
         "Monitoring: a ≥ indicator whose value to date is more than the template's share (Hebei: 15%) above its "
         "target, or whose likelihood is 有可能 or 完全不可能, needs a cause (偏差原因) and an explanation; a "
         "spending rate more than the template's tolerance behind the time elapsed (N/12) needs a cause."),
        {"over": ("{name}当前完成值 {actual} 超出年度指标值 {target} 的 {over}% 以上，须填写{field}",
                  "{name}: the value to date {actual} is more than {over}% above the target {target}; fill in {field}"),
         "likelihood": ("{name}完成目标可能性为“{likelihood}”，须填写{field}",
                        "{name}: likelihood is '{likelihood}'; fill in {field}"),
         "rate": ("1–{month}月执行率 {rate}% 低于序时进度 {due}% 超过 {tolerance} 个百分点，须填写{field}",
                  "The spending rate to month {month} ({rate}%) is more than {tolerance} points behind the time "
                  "elapsed ({due}%); fill in {field}")},
        live={"over": ("须填写：完成值大幅超出年度指标值", " needed: value far above the target"),
              "likelihood": ("须填写：完成目标有困难", " needed: target at risk"),
              "rate": ("须填写：执行进度落后", " needed: spending behind schedule")},
    ),
    RuleText(
        "selfeval-reason", "error", ("执行率偏低未说明原因", "Low spending rate not explained"),
        ("绩效自评：执行率低于模板规定的比例（90%）的，须填写执行率偏差原因，不超过模板规定的字数（100 字）。",
         "Self-evaluation: a spending rate below the template's threshold (90%) needs a reason, of at most the "
         "template's length (100 characters)."),
        {"": ("执行率 {rate}% 低于 {threshold}%，须填写{field}", "Spending rate {rate}% is below {threshold}%; fill in {field}"),
         "long": ("{field}有 {n} 个字，最多 {max} 个字", "{field} has {n} characters; at most {max}")},
        live={"": ("须填写：执行率偏低", " needed: low spending rate"), "long": ("字数超过限制", " is too long")},
    ),
    RuleText(
        "selfeval-analysis", "error", ("未得满分未分析原因", "Shortfall not analysed"),
        ("绩效自评：未得满分的指标须填写偏差原因分析及改进措施。",
         "Self-evaluation: an indicator that did not get full points needs its 偏差原因分析及改进措施."),
        {"": ("{name}得分 {score}，分值 {points}，须填写{field}", "{name} scored {score} of {points}; fill in {field}")},
        live={"": ("须填写：未得满分", " needed: not full points")},
    ),
    RuleText(
        "selfeval-band", "error", ("定性指标得分与档次不符", "Qualitative score outside its band"),
        ("绩效自评：定性指标选择达成情况后，得分须在该档次内：达成年度指标为分值的 80%–100%，部分达成为 60%–80%（不含 80%），"
         "未达成为 60% 以下（档次为模板数据）。",
         "Self-evaluation: a qualitative indicator's score must lie within the band chosen: 80–100% of its "
         "points when achieved, 60–80% (80% excluded) when partly achieved, below 60% when not (the bands are "
         "template data)."),
        {"": ("{name}为“{band}”，得分应在 {low}–{high} 之间，现为“{score}”",
              "{name} is '{band}': its score must be {low}–{high}, not '{score}'"),
         "missing": ("{name}为“{band}”，须填写 {low}–{high} 之间的得分", "{name} is '{band}': give a score of {low}–{high}")},
        live={"": ("得分不在所选档次内", " outside the band chosen"), "missing": ("须填写档次内的得分", " needed: a score within the band")},
    ),
]

STAGE: dict[str, tuple[str, str]] = {
    # workbook
    "workbook.legend-computed": ("自动计算（绿色，公式，已锁定）", "computed (green, formulas, locked)"),
    "workbook.number-error-title": ("填写有误", "Invalid entry"),
    "workbook.number-error": ("数值指标请只填数字（与计量单位一致）。", "Enter a number (in the indicator's unit)."),
    "workbook.score-error": ("得分应在 0 到 {points} 之间。", "The score must be from 0 to {points}."),
    "stage.points-moved": ("本项目没有{src}，其 {points} 分计入{dst}。", "This project has no {src}: its {points} points go to {dst}. "),
    "stage.points-equal": ("下达的{level1}分值之和不等于 {points} 分，已按指标平均分配。",
                           "The issued points of {level1} do not total {points}: they are split equally. "),
    # consolidation
    "col.rate": ("执行率(%)", "Spending rate (%)"),
    "col.total_score": ("平均总分", "Mean score"),
    "col.grade": ("评价等级", "Grade"),
    "col.light": ("{light}灯", "{light}"),
    "chart.rate-title": ("各单位执行率（%）", "Spending rate by unit (%)"),
    "chart.score-title": ("各单位平均总分", "Mean score by unit"),
    # demo
    "demo.monitor": ("5. 运行监控（{dir}）：下发 {issued} 个，收到 {received} 个，退回修改 {returned} 个；汇总执行率 {rate}%",
                     "5. Monitoring ({dir}): issued {issued}, received {received}, returned {returned}; spending rate {rate}%"),
    "demo.selfeval": ("6. 绩效自评（{dir}）：下发 {issued} 个，收到 {received} 个，退回修改 {returned} 个；执行率 {rate}%，平均总分 {score}（{grade}）",
                      "6. Self-evaluation ({dir}): issued {issued}, received {received}, returned {returned}; spending rate "
                      "{rate}%, mean score {score} ({grade})"),
    "demo.consolidated-file": ("{title}汇总.xlsx", "{title} consolidated.xlsx"),
    # generate --stage
    "usage.stage": ("阶段应为 monitor（绩效运行监控）或 selfeval（绩效自评），不是 {stage}",
                    "the stage is monitor or selfeval, not {stage}"),
    "usage.stage-template": ("模板 {template} 不是 {stage} 阶段的表格", "template {template} is not a {stage} form"),
    "usage.stage-from": ("--stage 需要 --from（绩效目标汇总表、单位工作簿或 JSON）",
                         "--stage needs --from (consolidated targets, a unit workbook or JSON)"),
    "usage.stage-prefill": ("--stage 与 --prefill 不能同时使用", "--stage and --prefill do not go together"),
    "help.generate.stage": ("生成后续阶段的工作簿：monitor 绩效运行监控，selfeval 绩效自评", "a later stage's workbooks: monitor or selfeval"),
    "help.generate.from": ("绩效目标汇总表（或单位工作簿、JSON），按单位生成", "consolidated targets (or a unit workbook or JSON) to issue from"),
    "help.generate.month": ("绩效运行监控的截至月份 N（默认 7）", "monitoring: data to the end of month N (default 7)"),
    "help.generate.budget": ("全年预算数清单（自评，可选；格式同 split --budget）",
                             "self-evaluation: the year's budget list (optional; as split --budget)"),
    "stage.missing-unit": ("来源中没有单位 {code} {name} 的绩效目标，未生成", "No targets for unit {code} {name} in the source; skipped"),
    "stage.empty-source": ("{path} 中没有任何单位的绩效目标", "{path} holds no unit's targets"),
}
