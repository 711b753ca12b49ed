"""The command line as a user runs it: real processes, real files, exit codes and stderr."""

from __future__ import annotations

import csv
import io
import json
import subprocess
import sys
from pathlib import Path

import pytest
import xlsxwriter

from budgetxl.cli import app
from budgetxl.model import Submission

ROOT = Path(__file__).resolve().parent.parent
SEED = ROOT / "examples" / "juluxian-2024.json"
ROSTER = ROOT / "examples" / "xingtai-units.csv"


def run(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "budgetxl", *args], capture_output=True, text=True,
                          encoding="utf-8", cwd=cwd, timeout=120)


def command_names() -> list[str]:
    import typer.main

    group = typer.main.get_command(app)
    return sorted(group.commands)


@pytest.mark.parametrize("name", command_names())
def test_every_command_has_help_with_an_example(name):
    res = run(name, "--help")
    assert res.returncode == 0, res.stderr
    assert "示例 / Example" in res.stdout
    assert f"budgetxl {name}" in res.stdout


def test_every_command_is_in_the_readme():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    for name in command_names():
        assert f"budgetxl {name}" in readme, name


def test_generate_prefill_then_read_round_trips(tmp_path):
    out = tmp_path / "seed.xlsx"
    res = run("generate", "--prefill", str(SEED), "-o", str(out))
    assert res.returncode == 0, res.stderr
    assert out.is_file()
    res = run("read", str(out))
    assert res.returncode == 0, res.stderr
    assert Submission.model_validate(json.loads(res.stdout)) == Submission.from_json(SEED.read_bytes())
    # values are always objects on output
    first = json.loads(res.stdout)["projects"][0]["indicators"][0]["value"]
    assert first == {"text": "≤40人", "op": "≤", "number": 40, "unit": "人", "kind": "quantitative"}


def test_read_csv_gives_indicator_rows(tmp_path):
    out = tmp_path / "seed.xlsx"
    assert run("generate", "--prefill", str(SEED), "-o", str(out)).returncode == 0
    csv_path = tmp_path / "ind.csv"
    res = run("read", str(out), "--format", "csv", "-o", str(csv_path))
    assert res.returncode == 0, res.stderr
    rows = list(csv.DictReader(io.StringIO(csv_path.read_text(encoding="utf-8-sig"))))
    assert len(rows) == 59
    assert rows[0]["project_code"] == "13052924P005840123885" and rows[0]["value"] == "≤40人"


def test_generate_prefill_warns_but_writes_rule_breaking_data(tmp_path):
    data = json.loads(SEED.read_text(encoding="utf-8"))
    data["projects"][0]["budget"]["total"] = 71  # breaks budget-sum
    doc = tmp_path / "doc.json"
    doc.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    out = tmp_path / "x.xlsx"
    res = run("generate", "--prefill", str(doc), "-o", str(out), "--lang", "en")
    assert res.returncode == 0, res.stderr
    assert "budget-sum" in res.stdout and out.is_file()


def test_generate_refuses_unusable_json(tmp_path):
    bad = tmp_path / "bad.json"
    bad.write_text("{not json", encoding="utf-8")
    res = run("generate", "--prefill", str(bad), "-o", str(tmp_path / "x.xlsx"))
    assert res.returncode == 2
    assert len(res.stderr.strip().splitlines()) == 1 and "Traceback" not in res.stderr
    assert not (tmp_path / "x.xlsx").exists()


@pytest.mark.parametrize("kind", ["csv-en", "csv-zh-gbk", "xlsx-zh"])
def test_generate_units_from_roster(tmp_path, kind):
    units = [("401001", "襄都区市场监督管理局本级", "130502"), ("414001", "巨鹿县市场监督管理局本级", "130529")]
    if kind == "csv-en":
        roster = tmp_path / "r.csv"
        roster.write_text("code,name,region\n" + "".join(",".join(u) + "\n" for u in units), encoding="utf-8")
    elif kind == "csv-zh-gbk":
        roster = tmp_path / "r.csv"
        roster.write_bytes(("单位编码,单位名称,行政区划代码\n" + "".join(",".join(u) + "\n" for u in units)).encode("gbk"))
    else:
        roster = tmp_path / "r.xlsx"
        wb = xlsxwriter.Workbook(str(roster))
        ws = wb.add_worksheet()
        ws.write_row(0, 0, ["单位编码", "单位名称", "行政区划代码"])
        for i, u in enumerate(units, start=1):
            ws.write_row(i, 0, u)
        wb.close()
    outdir = tmp_path / "out"
    res = run("generate", "--units", str(roster), "--year", "2025", "-o", str(outdir))
    assert res.returncode == 0, res.stderr
    files = sorted(outdir.glob("*.xlsx"))
    assert len(files) == 2
    for f, (code, name, region) in zip(files, units):
        assert code in f.name
        doc = json.loads(run("read", str(f)).stdout)
        assert doc["unit"] == {"code": code, "name": name, "region": region}
        assert doc["year"] == 2025 and doc["projects"] == []


@pytest.mark.parametrize("content", [b"", b"not a zip at all", b"PK\x03\x04truncated"])
def test_unreadable_file_one_line_exit_2(tmp_path, content):
    bad = tmp_path / "巨鹿县绩效目标表（修改版）(2).xlsx"
    bad.write_bytes(content)
    res = run("read", str(bad))
    assert res.returncode == 2
    lines = res.stderr.strip().splitlines()
    assert len(lines) == 1 and "Traceback" not in res.stderr and bad.name in lines[0]


def test_missing_file_exit_2(tmp_path):
    res = run("read", str(tmp_path / "nope.xlsx"), "--lang", "en")
    assert res.returncode == 2
    assert res.stderr.strip().startswith("File not found")


def test_validate_exit_codes_and_json(tmp_path):
    good = tmp_path / "good.xlsx"
    assert run("generate", "--prefill", str(SEED), "-o", str(good)).returncode == 0
    res = run("validate", str(good), "--format", "json")
    assert res.returncode == 0, res.stderr
    report = json.loads(res.stdout)
    entry = report["files"][0]
    assert set(entry) == {"path", "unit", "valid", "errors", "warnings", "issues"}
    assert entry["valid"] is True and entry["errors"] == 0 and entry["warnings"] == 2
    assert set(entry["issues"][0]) == {"rule", "severity", "sheet", "cell", "message"}

    data = json.loads(SEED.read_text(encoding="utf-8"))
    data["projects"][1]["budget"]["fiscal"] = 28
    bad_doc = tmp_path / "bad.json"
    bad_doc.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    bad = tmp_path / "sub" / "bad.xlsx"
    assert run("generate", "--prefill", str(bad_doc), "-o", str(bad)).returncode == 0
    res = run("validate", str(tmp_path), "--format", "json")  # a folder, searched recursively
    assert res.returncode == 1
    files = {Path(f["path"]).name: f for f in json.loads(res.stdout)["files"]}
    assert files["bad.xlsx"]["valid"] is False
    assert any(i["rule"] == "budget-sum" for i in files["bad.xlsx"]["issues"])

    (tmp_path / "broken.xlsx").write_bytes(b"garbage")
    res = run("validate", str(tmp_path), "--format", "json")
    assert res.returncode == 2  # one unreadable file; the others are still reported
    files = {Path(f["path"]).name: f for f in json.loads(res.stdout)["files"]}
    assert set(files) == {"good.xlsx", "bad.xlsx", "broken.xlsx"}
    assert files["broken.xlsx"]["issues"][0]["rule"] == "unreadable"


def test_validate_annotate_writes_a_copy_and_never_touches_input(tmp_path):
    data = json.loads(SEED.read_text(encoding="utf-8"))
    data["projects"][0]["spending_plan"][3]["percent"] = 90
    doc = tmp_path / "d.json"
    doc.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    wb = tmp_path / "in" / "巨鹿县.xlsx"
    assert run("generate", "--prefill", str(doc), "-o", str(wb)).returncode == 0
    before = wb.read_bytes()
    res = run("validate", str(wb), "--annotate", str(tmp_path / "ann"))
    assert res.returncode == 1
    assert wb.read_bytes() == before
    out = tmp_path / "ann" / "巨鹿县_退回修改.xlsx"
    assert out.is_file()
    import openpyxl

    book = openpyxl.load_workbook(out)
    assert book.sheetnames[0] == "校验结果"
    listed = [(r[2].value, r[3].value, r[4].value) for r in book["校验结果"].iter_rows(min_row=2)]
    assert ("spending-plan", "1.非财政开支人员工作经费", "E7") in listed
    cell = book["1.非财政开支人员工作经费"]["E7"]
    assert cell.comment is not None and "spending-plan" in cell.comment.text
    assert cell.fill.fgColor.rgb.endswith("FFC7CE")
    # the annotated copy reads back to exactly the same data
    from budgetxl.workbook.reader import read_workbook

    assert read_workbook(out).doc == read_workbook(wb).doc


def test_demo_runs_the_whole_cycle(demo_run):
    import python_calamine as pc

    out, res = demo_run
    assert res.returncode == 0, res.stderr
    assert len(list((out / "1-下发").glob("*.xlsx"))) == 18
    inbox = sorted(p.name for p in (out / "2-收件箱").rglob("*.xlsx"))
    assert len(inbox) == 19  # 17 units, one resubmission, one identical file sent twice
    returned = sorted(p.name for p in (out / "3-退回修改").glob("*.xlsx"))
    assert len(returned) == 3 and all(n.endswith("_退回修改.xlsx") for n in returned)
    book = pc.CalamineWorkbook.from_path(str(out / "4-汇总" / "汇总.xlsx"))
    assert book.sheet_names[:7] == ["汇总", "报送情况", "项目明细", "绩效指标明细", "单位概况", "校验问题", "图表"]
    status = book.get_sheet_by_name("报送情况").to_python()
    col = status[0].index("状态")
    counts = {}
    for row in status[1:]:
        counts[row[col]] = counts.get(row[col], 0) + 1
    assert counts == {"已报送": 15, "校验未通过": 2, "未报送": 1, "已被替代": 1, "重复文件": 1}
    summary = book.get_sheet_by_name("汇总").to_python()
    juluxian = next(r for r in summary if r[0] == "414001")
    assert juluxian[summary[0].index("预算数")] == 179.5 and juluxian[summary[0].index("状态")] == "已报送"
    assert "未报送" in res.stdout and "沙河市" in res.stdout


def test_file_system_errors_are_one_line_exit_2(tmp_path):
    (tmp_path / "afile").write_text("x")
    wb = tmp_path / "s.xlsx"
    assert run("generate", "--prefill", str(SEED), "-o", str(wb)).returncode == 0
    for args in (("generate", "--prefill", str(SEED), "-o", str(tmp_path / "afile" / "x.xlsx")),
                 ("generate", "--prefill", str(SEED), "-o", str(tmp_path)),
                 ("demo", "-o", str(tmp_path / "afile")),
                 ("read", str(wb), "-o", str(tmp_path)),
                 ("validate", str(wb), "--annotate", str(tmp_path / "afile")),
                 ("merge", str(wb), "-o", str(tmp_path / "m.xlsx"), "--prefer", str(tmp_path / "nofile.xlsx"))):
        res = run(*args)
        assert res.returncode == 2, (args, res.stdout, res.stderr)
        assert "Traceback" not in res.stderr and len(res.stderr.strip().splitlines()) == 1, (args, res.stderr)


def test_outputs_get_ordinary_file_permissions(tmp_path):
    out = tmp_path / "s.xlsx"
    res = subprocess.run(["sh", "-c", f'umask 022 && "{sys.executable}" -m budgetxl generate --prefill "{SEED}" -o "{out}"'],
                         capture_output=True, text=True)
    assert res.returncode == 0, res.stderr
    assert oct(out.stat().st_mode & 0o777) == "0o644"
