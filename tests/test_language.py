"""One language per run. Every error path (and every "needs attention" report) is run in Chinese
and must hold no English word outside file names, rule ids, option and command names and the
names of formats and programs; run with --lang en it must hold no Chinese outside file names and
the data (unit, project and sheet names, 万元)."""

from __future__ import annotations

import json
import re
import shutil
import zipfile

import pytest

from budgetxl.messages import RULES
from budgetxl.workbook.writer import generate_workbook

from clirun import ROSTER, budget_csv, cli, files, seed, stage_files, unit_doc

# Words that may stand in a Chinese sentence: formats, programs, and what the user types.
ALLOWED = {"Excel", "WPS", "LibreOffice", "PDF", "JSON", "CSV", "TSV", "TOML", "UTF", "GBK", "HTML", "MHTML",
           "XML", "ODF", "VBA", "Word", "PowerPoint", "Strict", "Open", "SHA", "xlsx", "xls", "xlsm", "ods", "json",
           "csv", "toml", "txt", "pdf", "zip", "fods", "xlsb", "budgetxl", "true", "false", "perf", "targets", "cost",
           "utf",
           # template ids and the stages' names as --stage takes them
           "monitor", "selfeval",
           # the column names a roster and a budget list may have (the message lists them to type)
           "code", "name", "region", "unit", "project",
           # command names (a suggestion for a mistyped one) and the names of arguments in the usage line
           "generate", "read", "validate", "merge", "sync", "split", "diff", "demo", "import", "portal", "init",
           "serve", "WORKBOOK", "PATHS", "INPUTS", "OLD", "NEW", "SOURCE", "DIR", "FILES"}
CODE = re.compile(r"\b\w*\d\w*\b")  # project codes, unit codes: data
OPTION = re.compile(r"(?<![\w-])--?[a-z][a-z-]*")
COMMAND = re.compile(r"budgetxl(?: (?:portal )?[a-z]+)?")
ENGLISH = re.compile(r"[A-Za-z]{2,}")
CJK = re.compile(r"[\u2e80-\u9fff\uff00-\uffef\u3000-\u303f]+")


@pytest.fixture(scope="module")
def f(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("lang")
    out = files(tmp)
    out["tmp"] = tmp
    (tmp / "text.xlsx").write_text("plain text, not a workbook\n", encoding="utf-8")
    (tmp / "cut.xlsx").write_bytes(out["good"].read_bytes()[:3000])
    (tmp / "empty.xlsx").write_bytes(b"")
    with zipfile.ZipFile(tmp / "zipped.xlsx", "w") as zf:
        zf.writestr("hello.txt", "a zip that is no workbook")
    (tmp / "folder").mkdir()
    (tmp / "badroster.csv").write_text("id,title\n1,x\n", encoding="utf-8")
    (tmp / "badbudget.csv").write_text("unit,amount\n1,2\n", encoding="utf-8")
    budget_csv(tmp / "stray.csv", [seed()], [["999001", "13099924P000000000001", "x", "1", "1", "0"]])
    budget_csv(tmp / "amount.csv", [], [["414001", "13052924P000000000001", "x", "seventy", "1", "0"]])
    (tmp / "syntax.json").write_text('{"year": 2025,', encoding="utf-8")
    (tmp / "types.json").write_text(json.dumps({"year": "next", "projects": [{"budget": {"total": "abc"}}]}),
                                    encoding="utf-8")
    shutil.copy(out["good"], tmp / "workbook.json")
    (tmp / "bad.toml").write_text("[template\nid = 1", encoding="utf-8")
    (tmp / "fake.xlsx").write_text("old notes", encoding="utf-8")
    issued = seed()
    issued.projects[0].budget.total = 75
    issued.projects[0].budget.fiscal = 75
    (tmp / "issued.json").write_text(issued.to_json(), encoding="utf-8")
    cons = tmp / "cons.xlsx"
    assert cli("merge", out["good"], out["bad"], "-o", cons, "--units", out["roster"]).code == 1
    out["cons"] = cons
    out.update(stage_files(tmp, cons))
    return out


# (arguments; the words a user typed that come back in the message)
CASES = [
    (["generate"], []), (["read"], []), (["read", "{good}", "{bad}"], []), (["valdate", "x"], ["valdate"]),
    (["validate", "{good}", "--frmat", "json"], []), (["validate", "{good}", "--format", "xml"], ["xml", "text"]),
    (["merge", "{good}", "-o", "{tmp}/m.xlsx", "--jobs", "many"], ["many"]), (["read", "{good}", "--format"], []),
    (["read", "{tmp}/missing.xlsx"], []), (["read", "{tmp}/text.xlsx"], []), (["read", "{tmp}/cut.xlsx"], []),
    (["read", "{tmp}/empty.xlsx"], []), (["read", "{tmp}/zipped.xlsx"], []), (["read", "{tmp}/folder"], []),
    (["read", "{notes}"], []), (["validate", "{tmp}/text.xlsx", "{good}"], []),
    (["generate", "--units", "{tmp}/badroster.csv", "--year", "2024", "-o", "{tmp}/o1"], []),
    (["generate", "--units", "{roster}", "--budget", "{tmp}/badbudget.csv", "--year", "2024", "-o", "{tmp}/o2"], []),
    (["generate", "--units", "{roster}", "--budget", "{tmp}/stray.csv", "--year", "2024", "-o", "{tmp}/o3"], []),
    (["generate", "--units", "{roster}", "--budget", "{tmp}/amount.csv", "--year", "2024", "-o", "{tmp}/o4"], ["seventy"]),
    (["generate", "--units", "{roster}", "--budget", "{budget}", "--year", "2024", "-o", "{tmp}/o5"], []),
    (["generate", "--prefill", "{tmp}/syntax.json", "-o", "{tmp}/a.xlsx"], []),
    (["generate", "--prefill", "{tmp}/types.json", "-o", "{tmp}/a.xlsx"], ["next"]),
    (["generate", "--prefill", "{tmp}/workbook.json", "-o", "{tmp}/a.xlsx"], []),
    (["validate", "{good}", "--template", "nosuch"], ["nosuch"]),
    (["validate", "{good}", "--template", "{tmp}/missing.toml"], []),
    (["validate", "{good}", "--template", "{tmp}/bad.toml"], []),
    (["merge", "{good}", "-o", "{notes}"], []), (["merge", "{good}", "-o", "{tmp}/folder"], []),
    (["merge", "{good}", "-o", "{tmp}/fake.xlsx"], []), (["generate", "--prefill", "{seed}", "-o", "{tmp}/x.csv"], []),
    (["generate", "--units", "{roster}", "--year", "2024", "-o", "{notes}"], []),
    (["merge", "{good}", "-o", "{good}"], []), (["validate", "{tmp}", "--annotate", "{tmp}/back"], []),
    (["sync", "{good}", "--from", "{seed}", "--in-place", "-o", "{tmp}/z.xlsx"], []),
    (["generate", "--prefill", "{seed}", "--year", "2025", "-o", "{tmp}/y.xlsx"], []),
    (["merge", "{good}", "-o", "{tmp}/m.xlsx", "--strict", "--include-invalid"], []),
    (["merge", "{good}", "-o", "{tmp}/m.xlsx", "--prefer", "{notes}"], []),
    (["merge", "{good}", "-o", "{tmp}/m.xlsx", "--jobs", "-3"], []),
    (["generate", "--units", "{roster}", "--year", "99999", "-o", "{tmp}/g"], []),
    (["merge", "{good}", "{bad}", "{tmp}/text.xlsx", "-o", "{tmp}/m2.xlsx", "--units", "{roster}"], []),
    (["merge", "{good}", "-o", "{tmp}/m3.xlsx", "--units", "{roster}", "--strict"], []),
    (["sync", "{good}", "--from", "{tmp}/issued.json", "-o", "{tmp}/s.xlsx"], []),
    (["split", "{cons}", "-o", "{tmp}/next", "--year", "2025"], []),
    (["split", "{cons}", "-o", "{tmp}/next2", "--budget-complete"], []),
    (["split", "--from-published", "{tmp}/folder", "-o", "{tmp}/next3"], []),
    (["diff", "{seed}", "{bad}"], []), (["diff", "{seed}", "{notes}"], []),
    (["import", "{tmp}/missing.txt"], []), (["import", "{notes}", "-o", "{tmp}/n.json"], []),
    (["portal", "serve", "{tmp}/nowhere"], []), (["portal", "import", "{tmp}/folder", "{good}"], []),
    (["demo", "-o", "{notes}"], []),
    # the later stages (monitoring, self-evaluation)
    (["generate", "--stage", "monitor", "-o", "{tmp}/st1"], []),
    (["generate", "--stage", "monitor", "--from", "{notes}", "-o", "{tmp}/st2"], []),
    (["generate", "--stage", "monitor", "--from", "{cons}", "--units", "{roster}", "-o", "{tmp}/st3"], []),
    (["generate", "--stage", "selfeval", "--from", "{cons}", "--month", "7", "-o", "{tmp}/st4"], []),
    (["generate", "--stage", "monitor", "--from", "{cons}", "--budget", "{budget}", "-o", "{tmp}/st5"], []),
    (["generate", "--stage", "monitor", "--from", "{cons}", "--month", "13", "-o", "{tmp}/st6"], []),
    (["generate", "--stage", "monitor", "--from", "{cons}", "--year", "2025", "-o", "{tmp}/st7"], []),
    (["generate", "--stage", "yearly", "--from", "{cons}", "-o", "{tmp}/st8"], ["yearly"]),
    (["generate", "--stage", "monitor", "--from", "{cons}", "-o", "{notes}"], []),
    (["generate", "--stage", "monitor", "--from", "{cons}", "--prefill", "{seed}", "-o", "{tmp}/st9"], []),
    (["generate", "--units", "{roster}", "--year", "2024", "--from", "{cons}", "-o", "{tmp}/st10"], []),
    (["generate", "--stage", "monitor", "--from", "{tmp}/syntax.json", "-o", "{tmp}/st11"], []),
    (["validate", "{monret}"], []), (["validate", "{monret}", "--annotate", "{tmp}/monback"], []),
    (["merge", "{monret}", "{good}", "-o", "{tmp}/mix.xlsx"], []),
    (["merge", "{monret}", "{good}", "-o", "{tmp}/mix2.xlsx", "--strict"], []),
    (["split", "{moncons}", "-o", "{tmp}/monsplit"], []),
    (["diff", "{monitor}", "{monret}"], []),
]


@pytest.fixture(autouse=True)
def wide_terminal(monkeypatch):
    monkeypatch.setenv("COLUMNS", "250")  # (rich tables then keep names on one line)


def _run(f, args, lang):
    names = {k: str(v) for k, v in f.items()}
    r = cli(*[a.format(**names) for a in args], "--lang", lang)
    text = r.text
    paths = {str(v) for v in f.values()} | {v.name for v in f.values()}
    for p in sorted(paths, key=len, reverse=True):  # the paths: file names are data
        text = text.replace(p, " ")
    return r, re.sub(r"\S*[/\\]\S*", " ", text)  # (any other path: a file name under a folder)


@pytest.mark.parametrize("case", CASES, ids=lambda c: " ".join(c[0])[:40])
def test_chinese_runs_say_no_english(f, case):
    args, typed = case
    r, text = _run(f, args, "zh")
    assert r.code != 0 or "--budget" in args, r.text  # (every case fails or needs attention)
    text = CODE.sub(" ", COMMAND.sub(" ", OPTION.sub(" ", text)))
    for rule in RULES:
        text = text.replace(rule, " ")
    words = [w for w in ENGLISH.findall(text) if w not in ALLOWED and w not in typed]
    assert not words, f"English in a Chinese run: {words}\n{r.text}"


# Chinese that is data: sheet names, the unit of amounts, and the names in the example's files
DATA_WORDS = {"万元", "单位信息", "汇总", "项目明细", "绩效指标明细", "单位概况", "校验问题", "报送情况", "图表", "填报说明",
              "上年项目编码", "元",
              # the column names a roster and a budget list may have (the message lists them to type)
              "单位编码", "单位名称", "行政区划代码", "项目编码", "项目名称", "预算数", "财政资金", "其他资金",
              # labels of the form, which the importer looks for in a published text
              "一级指标", "指标值"}


def _data_words() -> set[str]:
    words = set(DATA_WORDS)
    for i in range(18):
        d = unit_doc(i)
        words.add(d.unit.name)
        words.update(p.name for p in d.projects if p.name)
        words.update(i.level1 for p in d.projects for i in p.indicators if i.level1)
        words.update(i.name for p in d.projects for i in p.indicators if i.name)
        words.update(f"{n}.{p.name}"[:31] for n, p in enumerate(d.projects, start=1) if p.name)  # sheet names
    words.update(line.split(",")[1] for line in ROSTER.read_text(encoding="utf-8").splitlines()[1:])
    from budgetxl import load_template

    for stage in ("perf-targets", "perf-monitor", "perf-selfeval"):  # the forms' names and their lists' choices
        t = load_template(stage)
        words.add(t.template.title)
        words.update(v for name in t.lists.names() for v in t.lists.get(name) or [])
    return words


def _strings(workbook) -> set[str]:
    """Every text a clerk typed into a return (data, whatever the run's language)."""
    from budgetxl.workbook.reader import read_workbook

    def walk(v):
        if isinstance(v, str):
            yield v
        elif isinstance(v, dict):
            for x in v.values():
                yield from walk(x)
        elif isinstance(v, list):
            for x in v:
                yield from walk(x)

    return set(walk(read_workbook(workbook).doc.model_dump(mode="json")))


@pytest.mark.parametrize("case", CASES, ids=lambda c: " ".join(c[0])[:40])
def test_english_runs_say_no_chinese(f, case):
    args, _ = case
    r, text = _run(f, args, "en")
    for word in sorted(_data_words() | _strings(f["monret"]), key=len, reverse=True):
        text = text.replace(word, " ")
    assert not CJK.findall(text), f"Chinese in an English run: {CJK.findall(text)}\n{r.text}"


def test_consolidated_sheets_follow_the_language(f, tmp_path):
    """Statuses, severities, rule names and value kinds written for people follow --lang."""
    import python_calamine as pc

    out = tmp_path / "en.xlsx"
    cli("merge", f["good"], f["bad"], "-o", out, "--units", f["roster"], "--lang", "en")
    book = pc.CalamineWorkbook.from_path(str(out))
    findings = book.get_sheet_by_name("校验问题").to_python()
    head = findings[0]
    sev, name = head.index("级别"), head.index("规则名称")
    assert {r[sev] for r in findings[1:]} <= {"error", "warning"} and all(r[name] for r in findings[1:])
    assert not any(CJK.search(str(r[name])) for r in findings[1:])
    kinds = book.get_sheet_by_name("绩效指标明细").to_python()
    col = kinds[0].index("类型")
    assert {r[col] for r in kinds[1:]} <= {"quantitative", "deadline", "qualitative"}
    zh = tmp_path / "zh.xlsx"
    cli("merge", f["good"], "-o", zh)
    kinds = pc.CalamineWorkbook.from_path(str(zh)).get_sheet_by_name("绩效指标明细").to_python()
    assert {r[col] for r in kinds[1:]} <= {"定量", "时限", "定性"}
