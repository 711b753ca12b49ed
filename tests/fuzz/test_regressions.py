"""Regressions for each root cause the fuzzer found (issue 15), and the safety nets behind them.

* every recipe of tests/corpus/fuzz-regressions.toml through the real command line (validate and
  read, each in its own process): the outcome, the message, no traceback, within 2 s and 200 MB;
* a batch survives any single file: one that is refused, one that kills its worker, one that
  hangs, with 1 and 2 jobs, for validate and merge;
* a panic the parser survives prints nothing: the refusal is the only line on stderr.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

from dying import dying_on
from fuzz_bases import ROOT, bases
from fuzz_harness import CPU_BUDGET, MEM_BUDGET_MB, run_cli
from fuzz_mutators import mutate

from budgetxl.errors import ReadError
from budgetxl.workbook.reader import read_workbook

RECIPES = tomllib.loads((ROOT / "tests" / "corpus" / "fuzz-regressions.toml").read_text(encoding="utf-8"))["case"]
SUFFIX = {"xlsx": ".xlsx", "xlsx-lo": ".xlsx", "xls": ".xls", "ods": ".ods"}


@pytest.fixture(scope="module")
def regression_bases(tmp_path_factory) -> dict[str, bytes]:
    return bases(tmp_path_factory.mktemp("regression-bases"))


def build(recipe: dict, available: dict[str, bytes], folder: Path) -> Path:
    if recipe["base"] not in available:
        if os.environ.get("CI"):
            pytest.fail(f"{recipe['base']} base needs LibreOffice in CI")
        pytest.skip("LibreOffice is not installed")
    path = folder / (recipe["id"] + SUFFIX[recipe["base"]])
    path.write_bytes(mutate(available[recipe["base"]], [(name, params) for name, params in recipe["steps"]]))
    return path


@pytest.mark.parametrize("recipe", RECIPES, ids=[r["id"] for r in RECIPES])
def test_regression(recipe, regression_bases, tmp_path):
    path = build(recipe, regression_bases, tmp_path)
    outcome = run_cli(str(path))
    for run in outcome.runs:
        assert run.cpu <= CPU_BUDGET and run.peak_mb <= MEM_BUDGET_MB, (recipe["id"], run)
    assert outcome.worst == ("ok" if recipe["outcome"] == "read" else "refused"), outcome.to_data()
    if recipe["outcome"] == "refused":
        with pytest.raises(ReadError) as exc:
            read_workbook(path)
        assert exc.value.key == recipe["message"], exc.value.message("en")
    else:
        from budgetxl.workbook.validate import validate_file

        keys = {f.key or f.rule for f in validate_file(path).findings}
        assert set(recipe.get("rules", [])) <= keys, keys


# ---- a batch survives any single file --------------------------------------------------------------

@pytest.fixture(scope="module")
def inbox(regression_bases, tmp_path_factory) -> Path:
    """Nine good workbooks (the seed as nine units) and one refused file."""
    from budgetxl.demo import example_document, simulated_submission
    from budgetxl.files.tables import RosterUnit
    from budgetxl.workbook.writer import generate_workbook

    folder = tmp_path_factory.mktemp("inbox")
    seed = example_document()
    for i in range(9):
        unit = RosterUnit(f"{700000 + i}", f"样例{i}县市场监督管理局本级", "130529")
        generate_workbook(simulated_submission(seed, unit, i), folder / f"{700000 + i}.xlsx")
    recipe = next(r for r in RECIPES if r["id"] == "far-plain-number-cell")
    build(recipe, regression_bases, folder)
    return folder


@pytest.mark.parametrize("jobs", [1, 2])
@pytest.mark.parametrize("how", ["abort", "hang"])
def test_validate_batch_survives_a_dying_reader(inbox, monkeypatch, jobs, how):
    import budgetxl.files.safeparse
    import budgetxl.workbook.validate

    monkeypatch.setattr(budgetxl.workbook.validate, "read_workbook",
                        dying_on(budgetxl.workbook.validate.read_workbook, "700004.xlsx", how))
    monkeypatch.setattr(budgetxl.files.safeparse, "FILE_TIMEOUT", 3.0)
    from budgetxl.workbook.validate import validate_paths

    reports = validate_paths([inbox], jobs=jobs)
    assert len(reports) == 10
    bad = {Path(r.path).name: r.error.key for r in reports if r.error is not None}
    assert bad == {"700004.xlsx": "intake-crash" if how == "abort" else "intake-timeout",
                   "far-plain-number-cell.xlsx": "intake-sheet-too-big"}
    assert sum(r.valid for r in reports) == 8


@pytest.mark.parametrize("jobs", [1, 2])
def test_merge_batch_survives_a_dying_reader(inbox, monkeypatch, tmp_path, jobs):
    import importlib

    ingest = importlib.import_module("budgetxl.consolidation.ingest")  # (the package's `ingest` is the function)
    monkeypatch.setattr(ingest, "validate_file", dying_on(ingest.validate_file, "700004.xlsx"))
    from budgetxl.consolidation import merge

    res = merge([inbox], tmp_path / "汇总.xlsx", data_dir=tmp_path / "data", jobs=jobs)
    assert (tmp_path / "汇总.xlsx").is_file()
    units = {u.code for u in res.consolidation.counted}
    assert len(units) == 8 and "700004" not in units
    errors = {e.display.rsplit("/", 1)[-1]: e.error[0] for e in res.consolidation.entries if e.error}
    assert errors == {"700004.xlsx": "intake-crash", "far-plain-number-cell.xlsx": "intake-sheet-too-big"}


@pytest.mark.parametrize("jobs", ["1", "2"])
def test_cli_batch_reports_every_file(inbox, jobs):
    """validate DIR prints the JSON report of all ten files and the refusal on one line."""
    env = {**os.environ, "BUDGETXL_LANG": "en"}
    proc = subprocess.run([sys.executable, "-m", "budgetxl", "validate", "--format", "json", "--jobs", jobs, str(inbox)],
                          capture_output=True, text=True, env=env)
    assert proc.returncode == 1 and "Traceback" not in proc.stderr  # (done, one file needs attention)
    files = json.loads(proc.stdout)["files"]
    assert len(files) == 10 and sum(f["valid"] for f in files) == 9
    assert len(proc.stderr.strip().splitlines()) == 1 and "far-plain-number-cell.xlsx" in proc.stderr


# ---- a panic the parser survives prints nothing ----------------------------------------------------------

def test_caught_panic_prints_nothing(regression_bases, tmp_path):
    """Without intake in front, calamine panics on this file (capacity overflow); the panic is
    caught, its three lines never reach stderr, and the refusal names no internals."""
    path = build({"id": "panic", "base": "xlsx", "steps": [["shared_string_count", {
        "attr": "uniqueCount", "value": "18446744073709551615"}]]}, regression_bases, tmp_path)
    code = ("import sys\nfrom budgetxl.files.safeparse import calamine_sheets\nfrom budgetxl.errors import ReadError\n"
            "try:\n    calamine_sheets(sys.argv[1])\nexcept ReadError as e:\n    print(e.key, e.message('en'))\n")
    proc = subprocess.run([sys.executable, "-c", code, str(path)], capture_output=True, text=True,
                          env={**os.environ, "RUST_BACKTRACE": "1"})
    assert proc.stderr == ""
    assert proc.stdout.startswith("intake-crash ") and "overflow" not in proc.stdout


def test_portal_upload_whose_reader_dies_is_refused_in_one_line(inbox, monkeypatch):
    """The portal checks an upload in a child process: a file that kills its reader is refused
    (intake-crash, naming the file as sent), and the server's process goes on to the next one."""
    from budgetxl.portal import engine

    monkeypatch.setattr(engine.api, "validate_file", dying_on(engine.api.validate_file, "700004.xlsx"))
    bad = engine.check_file(inbox / "700004.xlsx", "巨鹿县.xlsx")
    assert not bad.readable and bad.refusal.key == "intake-crash"
    assert "巨鹿县.xlsx" in bad.refusal.message("en")
    good = engine.check_file(inbox / "700003.xlsx", "任县.xlsx")
    assert good.readable and good.unit_code == "700003"
