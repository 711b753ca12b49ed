"""Every output path is checked before any work (files.outputs, one check for every command): the
right suffix for what is written, a folder where a folder is wanted, never an input, never
silently a file of another kind; options that conflict or are out of range are refused. Each
refusal is one line, exit 2, and leaves every file as it was."""

from __future__ import annotations

import shutil

import pytest

from clirun import cli, files


@pytest.fixture(scope="module")
def f(tmp_path_factory):
    return files(tmp_path_factory.mktemp("outputs"))


def _refused(args, expect: str, untouched=()) -> None:
    before = {p: p.read_bytes() for p in untouched}
    r = cli(*args)
    assert r.code == 2, (args, r.text)
    lines = r.err.strip().splitlines()
    assert len(lines) == 1 and expect in lines[0], (args, r.err)
    assert ".tmp" not in r.err and "Errno" not in r.err and "Traceback" not in r.err
    assert {p: p.read_bytes() for p in untouched} == before


def test_a_file_of_another_kind_is_never_overwritten(f, tmp_path):
    _refused(["merge", f["good"], "-o", f["notes"]], "应以 .xlsx 结尾", [f["notes"]])
    _refused(["generate", "--prefill", f["seed"], "-o", tmp_path / "x.csv"], "应以 .xlsx 结尾")
    assert not (tmp_path / "x.csv").exists()
    fake = tmp_path / "old.xlsx"  # named like a workbook, holding text
    fake.write_text("not a workbook", encoding="utf-8")
    _refused(["generate", "--prefill", f["seed"], "-o", fake], "不是Excel 工作簿", [fake])
    _refused(["read", f["good"], "--format", "csv", "-o", tmp_path / "rows.json"], "应以 .csv 结尾")


def test_a_folder_where_a_file_is_wanted_and_the_reverse(f, tmp_path):
    folder = tmp_path / "emptydir"
    folder.mkdir()
    _refused(["merge", f["good"], "-o", folder], "是一个文件夹")
    _refused(["generate", "--prefill", f["seed"], "-o", folder], "是一个文件夹")
    _refused(["generate", "--units", f["roster"], "--year", "2024", "-o", f["notes"]], "不是文件夹", [f["notes"]])
    _refused(["generate", "--units", f["roster"], "--year", "2024", "-o", tmp_path / "out.xlsx"], "不是文件夹")
    _refused(["read", folder], "是一个文件夹，这里需要一个文件")
    _refused(["generate", "--prefill", f["seed"], "-o", f["notes"] / "x.xlsx"], "不是文件夹")
    assert list(folder.iterdir()) == []


def test_never_an_input(f, tmp_path):
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    own = shutil.copy(f["good"], inbox / "a.xlsx")
    _refused(["merge", inbox, own, "-o", own], "也是输入文件之一", [own])
    _refused(["validate", inbox, "--annotate", inbox / "退回"], "输入文件夹")
    _refused(["sync", own, "--from", f["seed"], "-o", own], "也是输入文件之一", [own])


def test_merge_checks_every_output_before_writing_any(f, tmp_path):
    out = tmp_path / "汇总.xlsx"
    _refused(["merge", f["good"], "-o", out, "--data-dir", f["notes"]], "不是文件夹", [f["notes"]])
    assert not out.exists()


@pytest.mark.parametrize("case", [
    (["sync", "{good}", "--from", "{seed}", "--in-place", "-o", "{tmp}/z.xlsx"], "--in-place 与 -o 不能同时使用"),
    (["generate", "--prefill", "{seed}", "--year", "2025", "-o", "{tmp}/y.xlsx"], "--year"),
    (["merge", "{good}", "-o", "{tmp}/m.xlsx", "--strict", "--include-invalid"], "--strict"),
    (["merge", "{good}", "-o", "{tmp}/m.xlsx", "--prefer", "{bad}"], "不是本次汇总的输入文件之一"),
    (["merge", "{good}", "-o", "{tmp}/m.xlsx", "--jobs", "-3"], "--jobs -3"),
    (["generate", "--units", "{roster}", "--year", "99999", "-o", "{tmp}/g"], "--year 99999"),
    (["split", "{good}", "-o", "{tmp}/s", "--budget-complete"], "--budget-complete 需要 --budget"),
    (["validate", "{good}", "--annotate-warnings"], "--annotate-warnings 需要 --annotate"),
    (["merge", "--ledger", "{tmp}", "-o", "{tmp}/m.xlsx", "--units", "{roster}"], "--ledger 与 --units"),
    # the later stages' options: each with the stage it belongs to
    (["generate", "--stage", "selfeval", "--from", "{seed}", "--month", "7", "-o", "{tmp}/s"],
     "--month 与 --stage selfeval 不能同时使用"),
    (["generate", "--stage", "monitor", "--from", "{seed}", "--budget", "{roster}", "-o", "{tmp}/s"],
     "--budget 与 --stage monitor 不能同时使用"),
    (["generate", "--stage", "monitor", "--from", "{seed}", "--year", "2025", "-o", "{tmp}/s"], "不能再给 --year"),
    (["generate", "--units", "{roster}", "--year", "2024", "--month", "7", "-o", "{tmp}/g"], "--month 只与 --stage 同用"),
    (["generate", "--stage", "monitor", "--from", "{seed}", "--month", "0", "-o", "{tmp}/s"], "1 到 12"),
    (["generate", "--stage", "monitor", "--from", "{seed}", "-o", "{seed}"], "文件夹"),
])
def test_conflicting_or_out_of_range_options_are_refused(f, tmp_path, case):
    args, expect = case
    names = {**{k: str(v) for k, v in f.items()}, "tmp": str(tmp_path)}
    _refused([a.format(**names) for a in args], expect, [f["good"]])
    assert list(tmp_path.iterdir()) == []  # nothing written


def test_import_checks_its_outputs_with_the_same_check(f, tmp_path):
    published = f["seed"].with_name("juluxian-2024-published.txt")
    second = shutil.copy(published, tmp_path / "second.txt")
    _refused(["import", published, second, "-o", f["notes"]], "不是文件夹", [f["notes"]])
    _refused(["import", published, "-o", tmp_path / "doc.xlsx"], "应以 .json 结尾")
