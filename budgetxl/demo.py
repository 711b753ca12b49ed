"""``budgetxl demo``: the whole year on the bundled example, in one output folder.

1-下发      blank workbooks for every unit of the roster (what the city sends out)
2-收件箱    simulated returns: the seed's data as 巨鹿县, plausible variations for the other units,
            two with mistakes, one resubmitted (first try with a mistake, then a corrected copy),
            one identical file sent twice, one unit that never answers
3-退回修改  annotated copies of the files that fail validation
4-汇总      the consolidated workbook and its data files
5-运行监控  July: the monitoring workbooks issued from 4-汇总 (1-下发), the units' returns with their
            figures to the end of July (2-收件箱; one unit careless, one silent), the annotated
            copies (3-退回修改), the consolidated monitoring (4-汇总)
6-绩效自评  after year end: the self-evaluation, the same four steps, scored by the workbooks
"""

from __future__ import annotations

import hashlib
import os
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from importlib import resources
from pathlib import Path

from .api import (RosterUnit, Submission, Template, annotate_copy, generate_stage, generate_workbook,
                  generate_workbooks, load_roster, load_template, merge, validate_file, workbook_filename)
from .form import scoring as S
from .messages import message
from .model import IndicatorMonitor, IndicatorSelfEval, ProjectMonitor, ProjectSelfEval
from .values import QUALITATIVE_OP

EXAMPLE_DOC = "juluxian-2024.json"
EXAMPLE_ROSTER = "xingtai-units.csv"
ISSUE, INBOX, RETURNED, CONSOLIDATED = "1-下发", "2-收件箱", "3-退回修改", "4-汇总"


def example_path(name: str) -> Path:
    return Path(str(resources.files("budgetxl.examples") / name))


def example_document() -> Submission:
    return Submission.from_json(example_path(EXAMPLE_DOC).read_bytes())


def _code_tail(unit: str, i: int) -> str:
    """A stable 12-character project-code tail for a simulated unit's project."""
    digest = hashlib.sha256(f"{unit}-{i}".encode()).hexdigest().upper()
    return ("0058" + digest)[:12]


def simulated_submission(seed: Submission, unit: RosterUnit, n: int) -> Submission:
    """A plausible submission for ``unit``: a rotation of the seed's projects with amounts scaled,
    codes in the unit's region, cost indicators following the new amounts."""
    data = seed.model_dump(by_alias=True)
    data["unit"] = {"code": unit.code, "name": unit.name, "region": unit.region}
    county = unit.name.split("市场监督管理局")[0]
    seed_county = seed.unit.name.split("市场监督管理局")[0] if seed.unit.name else ""
    data["overview"]["overall"] = (seed.overview.overall or "").replace(seed_county.rstrip("县"), county.rstrip("县区市"))
    factor = Decimal(60 + (n * 37) % 120) / 100
    count = 4 + n % 6
    projects = []
    for i in range(count):
        p = data["projects"][(n + i) % len(data["projects"])]
        old_total = p["budget"]["total"]
        total = (old_total * factor).quantize(Decimal("0.01"), ROUND_HALF_UP)
        p["code"] = f"{unit.region}{(seed.year or 2024) % 100:02d}P{_code_tail(unit.code, i)}"
        p["budget"] = {"total": total, "fiscal": total, "other": Decimal(0)}
        for ind in p["indicators"]:
            v = ind["value"]
            if ind["level2"] == "成本指标" and v and v["unit"] == "万元" and v["number"] is not None:
                amount = total if v["number"] == old_total else (v["number"] * factor).quantize(Decimal("0.01"))
                ind["value"] = f"{v['op'] if v['op'] != '＝' else ''}{amount}万元"
        projects.append(p)
    data["projects"] = projects
    return Submission.model_validate(data)


def with_budget_mistakes(doc: Submission) -> Submission:
    """A clerk who mistyped the funds and let the spending plan go backwards."""
    bad = doc.model_copy(deep=True)
    bad.projects[0].budget.fiscal = (bad.projects[0].budget.fiscal or Decimal(0)) - Decimal("1.5")
    bad.projects[1].spending_plan[1].percent = Decimal(20)
    return bad


def with_indicator_mistakes(doc: Submission) -> Submission:
    """A clerk who dropped the outcome indicators and left instruction text in a cell."""
    bad = doc.model_copy(deep=True)
    p = bad.projects[0]
    p.indicators = [i for i in p.indicators if i.level1 != "效益指标"]
    p.purpose = "请填写资金用途"
    return bad


@dataclass
class StageRound:
    """One later stage of the demo: what was issued, received, sent back and consolidated."""

    stage: str
    folder: Path
    issued: int = 0
    received: int = 0
    annotated: list[Path] = field(default_factory=list)
    merge: object | None = None

    def lines(self, lang: str) -> list[str]:
        from .values import format_number

        s = self.merge.consolidation.summary() if self.merge else {}
        rate = s.get("rate")
        score = s.get("total_score")
        return [message(f"demo.{self.stage}", lang, issued=self.issued, received=self.received,
                        returned=len(self.annotated), dir=self.folder,
                        rate=format_number(rate) if rate is not None else "-",
                        score=format_number(score) if score is not None else "-", grade=s.get("grade") or "-")]


@dataclass
class DemoReport:
    outdir: Path
    issued: int = 0
    received: int = 0
    annotated: list[Path] = field(default_factory=list)
    merge: object | None = None
    stages: list[StageRound] = field(default_factory=list)

    def lines(self, lang: str = "zh") -> list[str]:
        from .values import format_number

        s = self.merge.consolidation.summary() if self.merge else {}
        return [
            message("demo.issued", lang, n=self.issued, dir=self.outdir / ISSUE),
            message("demo.received", lang, n=self.received, dir=self.outdir / INBOX),
            message("demo.validated", lang, n=len(self.annotated), dir=self.outdir / RETURNED),
            message("demo.merged", lang, path=self.outdir / CONSOLIDATED / "汇总.xlsx"),
            message("demo.totals", lang, expected=s.get("expected"), received=s.get("received"), valid=s.get("valid"),
                    missing=len(s.get("missing", [])), projects=s.get("projects"),
                    total=format_number(s.get("total", Decimal(0)))),
            *(line for r in self.stages for line in r.lines(lang)),
        ]


def _age(path: Path, days: float) -> None:
    """Make a file look older (the first try of a resubmission)."""
    st = path.stat()
    os.utime(path, (st.st_atime - days * 86400, st.st_mtime - days * 86400))


def run_demo(outdir: str | os.PathLike[str], template: Template | None = None, lang: str = "zh") -> DemoReport:
    out = Path(outdir)
    t = template or load_template()
    seed = example_document()
    roster = load_roster(example_path(EXAMPLE_ROSTER))
    year = seed.year or 2024
    report = DemoReport(out)
    report.issued = len(generate_workbooks(roster, year, out / ISSUE, t))

    inbox = out / INBOX
    others = [u for u in roster if u.code != seed.unit.code]
    missing, budget_bad, indicator_bad, resubmitted, duplicated = others[-1], others[1], others[4], others[6], others[8]
    files: list[Path] = []
    seed_path = inbox / workbook_filename(seed.unit.code or "", seed.unit.name, year, t)
    generate_workbook(seed, seed_path, t)
    files.append(seed_path)
    for n, unit in enumerate(others):
        if unit is missing:
            continue
        doc = simulated_submission(seed, unit, n)
        name = workbook_filename(unit.code, unit.name, year, t)
        if unit is budget_bad:
            doc = with_budget_mistakes(doc)
        elif unit is indicator_bad:
            doc = with_indicator_mistakes(doc)
        if unit is resubmitted:
            first = inbox / name
            generate_workbook(with_budget_mistakes(doc), first, t)
            _age(first, 2)
            files.append(first)
            name = name.replace(".xlsx", "（修改版）(2).xlsx")
        path = inbox / name
        generate_workbook(doc, path, t)
        files.append(path)
        if unit is duplicated:
            copy = inbox / "重复发送" / name
            copy.parent.mkdir(parents=True, exist_ok=True)
            copy.write_bytes(path.read_bytes())
            files.append(copy)
    report.received = len(files)

    taken: set[str] = set()
    for f in files:
        checked = validate_file(f, t)
        if checked.errors:
            report.annotated.append(annotate_copy(checked, out / RETURNED, lang, taken))

    report.merge = merge([inbox], out / CONSOLIDATED / "汇总.xlsx", roster=roster, data_dir=out / CONSOLIDATED / "data",
                         template=t, lang=lang)
    targets = out / CONSOLIDATED / "汇总.xlsx"
    report.stages = [stage_round(out / MONITOR, "monitor", targets, roster, fill_monitor, lang),
                     stage_round(out / SELFEVAL, "selfeval", targets, roster, fill_selfeval, lang)]
    return report


# ---- the rest of the year ------------------------------------------------------------------------

MONITOR, SELFEVAL = "5-运行监控", "6-绩效自评"


def _pick(*key: object) -> int:
    """A stable choice for a simulated clerk (the same demo every run)."""
    return int(hashlib.sha256("-".join(map(str, key)).encode()).hexdigest()[:8], 16)


def _times(d: Decimal, f: str) -> Decimal:
    return S.round2(d * Decimal(f)).normalize() + 0


def stage_round(folder: Path, stage: str, targets: Path, roster: list[RosterUnit], fill, lang: str) -> StageRound:
    """Issue a later stage's workbooks from the consolidated targets, simulate the returns (one unit
    careless, one silent), send back what fails, consolidate."""
    r = StageRound(stage, folder)
    issued = generate_stage(targets, stage, folder / ISSUE, roster)
    r.issued = len(issued.outputs)
    t = load_template(issued.documents[0].template.id, issued.documents[0].month) if issued.documents else None
    inbox, taken = folder / INBOX, set()
    for n, doc in enumerate(issued.documents):
        if n == 2:
            continue  # this unit never answers
        path = inbox / workbook_filename(doc.unit.code or "", doc.unit.name, doc.year, t)
        generate_workbook(fill(doc, careless=(n == 4)), path, t)
        r.received += 1
        checked = validate_file(path)
        if checked.errors:
            r.annotated.append(annotate_copy(checked, folder / RETURNED, lang, taken))
    name = message("demo.consolidated-file", t.language, title=t.template.title)
    r.merge = merge([inbox], folder / CONSOLIDATED / name, roster=roster, data_dir=folder / CONSOLIDATED / "data",
                    lang=lang)
    return r


def fill_monitor(doc: Submission, careless: bool = False) -> Submission:
    """A clerk's monitoring return: money spent to month N, each indicator's value to date, the
    likelihood, and (unless careless) a cause and explanation wherever the form asks for them."""
    d = doc.model_copy(deep=True)
    t = load_template(d.template.id if d.template else "perf-monitor", d.month)
    n, m = t.month or 7, t.stage.monitor
    due = Decimal(n) * 100 / 12 - m.rate_tolerance
    forgot = careless
    for i, p in enumerate(d.projects):
        share = ("0.35", "0.5", "0.62", "0.7")[_pick(d.unit.code, i) % 4]
        spent = {k: _times(v, share) for k, v in p.budget.model_dump().items() if v is not None}
        mon = ProjectMonitor(spent=spent, forecast=p.budget, progress=f"截至{n}月底，各项工作按计划推进，资金支付进度约{Decimal(share) * 100:.0f}%。")
        if S.behind(spent.get("total"), p.budget.total, due):
            mon.cause, mon.explain = "经费保障", "部分资金尚未拨付到位，预计第四季度集中支付。"
        p.monitor = mon
        for k, ind in enumerate(p.indicators):
            ind.monitor = _monitor_indicator(ind, n, m, _pick(d.unit.code, i, k))
            if forgot and ind.monitor.cause:
                ind.monitor.cause = ind.monitor.explain = None
                forgot = False
    return d


def _monitor_indicator(ind, n: int, m, h: int) -> IndicatorMonitor:
    v = ind.value
    if v is None or v.op == QUALITATIVE_OP or v.number is None:
        actual = ("达成", "达成", "部分达成")[h % 3]
    elif v.op in S.REVERSE:
        actual = _times(v.number, ("0.5", "0.8", "1", "1.2")[h % 4])
    else:
        actual = _times(v.number * n / 12, ("0.5", "0.7", "0.9", "1", "1.1", "1.4", "2")[h % 7])
    light = S.light(v.op if v else None, v.number if v else None, actual, n, m)
    doubtful = light in (m.outside, m.lights[0].light) or actual == "部分达成"
    mon = IndicatorMonitor(actual=actual, forecast="预计全年可以完成" if not doubtful else "全年完成存在一定困难",
                           likelihood="有可能" if doubtful else "确定能")
    if doubtful or S.over_target(v.op if v else None, v.number if v else None, actual, m):
        mon.cause, mon.explain = "其他", "受季节性因素影响，进度与序时进度存在偏差，将在下半年调整。"
    return mon


def fill_selfeval(doc: Submission, careless: bool = False) -> Submission:
    """A clerk's self-evaluation: the year's spending, each indicator's result (a band and a score
    for a qualitative one), and (unless careless) every reason and analysis the form asks for."""
    d = doc.model_copy(deep=True)
    t = load_template(d.template.id if d.template else "perf-selfeval")
    sc = t.stage.scoring
    for i, p in enumerate(d.projects):
        year = p.selfeval.budget if p.selfeval else p.budget
        share = ("0.7", "0.8", "0.88", "0.95", "1", "1")[_pick(d.unit.code, "year", i) % 6]
        spent = {k: _times(v, share) for k, v in year.model_dump().items() if v is not None}
        p.selfeval = ProjectSelfEval(budget=year, spent=spent, result="年度总体目标基本完成，项目实施取得预期效果。")
        if S.behind(spent.get("total"), year.total, sc.reason_below):
            p.selfeval.reason = "部分采购项目延至次年实施，相应资金结转使用。"
        for k, ind in enumerate(p.indicators):
            weak = _pick(d.unit.code) % 3 == 0  # a unit whose year went less well
            ind.selfeval = _selfeval_indicator(ind, sc, _pick(d.unit.code, "year", i, k), careless and i == 0 and k < 2, weak)
    return d


def _selfeval_indicator(ind, sc, h: int, careless: bool, weak: bool = False) -> IndicatorSelfEval:
    v, points = ind.value, ind.points or Decimal(0)
    if v is None or v.op == QUALITATIVE_OP or v.number is None:
        band = sc.bands[1] if weak or not h % 4 else sc.bands[0]
        share = "0.5" if careless else ("0.9" if band is sc.bands[0] else "0.7")
        ev = IndicatorSelfEval(actual=band.name, score=S.round2(points * Decimal(share)))
        score = ev.score
    else:
        low = ("0.5", "0.6", "0.75", "0.9", "1") if weak else ("0.8", "0.9", "1", "1", "1.05")
        f = ("0.9", "1", "1.3", "1.6")[h % 4] if v.op in S.REVERSE else low[h % 5]
        actual = Decimal(0) if v.number == 0 else _times(v.number, f)
        ev = IndicatorSelfEval(actual=actual)
        score = S.indicator_score(v.op, v.number, actual, points)
    if score is not None and score < points and not careless:
        ev.analysis = "部分工作受客观条件影响未全部完成，下一年度将加强调度，按计划推进。"
    return ev
