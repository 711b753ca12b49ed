"""Every command reads a user's spreadsheet where a parser abort or hang costs one line (issue 15).

``read``, ``validate``, ``merge`` and the portal read in workers (tests/fuzz/test_regressions.py);
here the commands and API calls that read one file in the caller's process: ``sync``, ``diff``,
``split``, ``generate --prefill``, ``generate --stage`` and the rosters and budget lists they take.
The value reader is made to abort (or hang) on one file name: the call raises ``intake-crash``
(``intake-timeout``), writes nothing, and the process that made it lives on.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from dying import dying_on

from budgetxl.errors import ReadError


@pytest.fixture
def dying_reader(monkeypatch):
    """``dying_reader(name, how)``: from now on the value reader dies on ``name`` (a hang is
    given up after 2 s)."""
    from budgetxl.files import safeparse

    monkeypatch.setattr(safeparse, "FILE_TIMEOUT", 2.0)

    def arm(name: str, how: str = "abort") -> str:
        monkeypatch.setattr(safeparse, "calamine_sheets", dying_on(safeparse.calamine_sheets, name, how))
        return "intake-crash" if how == "abort" else "intake-timeout"
    return arm


@pytest.fixture(scope="module")
def files(tmp_path_factory) -> dict[str, Path]:
    """A unit workbook, its document as JSON, a roster workbook, and the consolidated workbook of
    three units."""
    from budgetxl.consolidation import merge
    from budgetxl.demo import example_document, simulated_submission
    from budgetxl.files.tables import RosterUnit
    from budgetxl.workbook.writer import generate_workbook

    folder = tmp_path_factory.mktemp("isolated")
    seed = example_document()
    units = folder / "units"
    units.mkdir()
    roster = [RosterUnit(f"{710000 + i}", f"样例{i}县市场监督管理局本级", "130529") for i in range(3)]
    for i, unit in enumerate(roster):
        generate_workbook(simulated_submission(seed, unit, i), units / f"{unit.code}.xlsx")
    out = {"unit": units / "710000.xlsx", "other": units / "710001.xlsx", "json": folder / "issued.json",
           "consolidated": folder / "汇总.xlsx", "roster": folder / "名单.xlsx"}
    out["json"].write_text(seed.to_json(), encoding="utf-8")
    merge([units], out["consolidated"], jobs=1)
    _roster_workbook(out["roster"], roster)
    return out


def _roster_workbook(path: Path, roster) -> None:
    import xlsxwriter

    wb = xlsxwriter.Workbook(str(path))
    ws = wb.add_worksheet()
    ws.write_row(0, 0, ["单位编码", "单位名称", "行政区划代码"])
    for r, u in enumerate(roster, start=1):
        ws.write_row(r, 0, [u.code, u.name, u.region])
    wb.close()


def _refused(exc: pytest.ExceptionInfo, key: str, name: str) -> None:
    assert exc.value.key == key, exc.value.message("en")
    line = exc.value.message("en")
    assert name in line and len(line.splitlines()) == 1


@pytest.mark.parametrize("how", ["abort", "hang"])
def test_sync(files, dying_reader, tmp_path, how):
    from budgetxl.api import load_document, sync_workbook

    issued = load_document(files["json"])
    key = dying_reader(files["unit"].name, how)
    with pytest.raises(ReadError) as exc:
        sync_workbook(files["unit"], issued, tmp_path / "out.xlsx")
    _refused(exc, key, files["unit"].name)
    assert not (tmp_path / "out.xlsx").exists()
    # the issued document may be a workbook too (sync --from 下达.xlsx)
    with pytest.raises(ReadError) as exc:
        load_document(files["unit"])
    _refused(exc, key, files["unit"].name)


@pytest.mark.parametrize("how", ["abort", "hang"])
def test_diff(files, dying_reader, how):
    from budgetxl.api import diff_documents, load_document

    key = dying_reader(files["other"].name, how)
    with pytest.raises(ReadError) as exc:
        diff_documents(load_document(files["unit"]), load_document(files["other"]))
    _refused(exc, key, files["other"].name)
    assert diff_documents(load_document(files["unit"]), load_document(files["json"]))  # (the rest still reads)


@pytest.mark.parametrize("how", ["abort", "hang"])
def test_split(files, dying_reader, tmp_path, how):
    from budgetxl.api import load_roster, split_consolidated

    key = dying_reader(files["consolidated"].name, how)
    with pytest.raises(ReadError) as exc:
        split_consolidated(files["consolidated"], tmp_path / "out", year=2025)
    _refused(exc, key, files["consolidated"].name)
    assert not any((tmp_path / "out").glob("*.xlsx"))
    key = dying_reader(files["roster"].name, how)  # (split --units 名单.xlsx)
    with pytest.raises(ReadError) as exc:
        load_roster(files["roster"])
    _refused(exc, key, files["roster"].name)


@pytest.mark.parametrize("how", ["abort", "hang"])
def test_generate_prefill(files, dying_reader, tmp_path, how):
    from budgetxl.api import generate_workbook, load_document

    key = dying_reader(files["unit"].name, how)
    with pytest.raises(ReadError) as exc:
        generate_workbook(load_document(files["unit"]), tmp_path / "out.xlsx")
    _refused(exc, key, files["unit"].name)
    assert not (tmp_path / "out.xlsx").exists()


def test_generate_stage(files, dying_reader, tmp_path):
    from budgetxl.api import generate_stage

    key = dying_reader(files["consolidated"].name)
    with pytest.raises(ReadError) as exc:
        generate_stage(files["consolidated"], "monitor", tmp_path / "out", month=7)
    _refused(exc, key, files["consolidated"].name)


def test_reader_child_reads_in_place(files, monkeypatch):
    """Inside a reader's child (a worker, ``read``'s child) no second child is forked per file."""
    from budgetxl.files import grids, safeparse

    pids = []
    real = safeparse.calamine_sheets

    def read(path, repacked=None):
        pids.append(os.getpid())
        return real(path, repacked)
    monkeypatch.setattr(safeparse, "calamine_sheets", read)
    grids.load_checked(files["unit"])
    assert pids == []  # (read in a child: the parent's list never sees it)
    child, parsed_in = safeparse.run_isolated(lambda: (os.getpid(), grids.load_checked(files["unit"]) and pids),
                                              path="x")
    assert parsed_in == [child]


# ---- the command line: one line, exit 2, the process survives ------------------------------------

CLI = r"""
import os, sys
from pathlib import Path
from budgetxl.files import safeparse
real, dying = safeparse.calamine_sheets, sys.argv[1]
def read(path, repacked=None):
    if Path(path).name == dying:
        os.abort()
    return real(path, repacked)
safeparse.calamine_sheets = read
sys.argv = ["budgetxl"] + sys.argv[2:]
from budgetxl.cli import main
main()
"""


@pytest.mark.parametrize("command", ["sync", "diff", "split", "prefill"])
def test_cli_refuses_in_one_line(files, tmp_path, command):
    unit, other, cons = (str(files[k]) for k in ("unit", "other", "consolidated"))
    args, dying = {
        "sync": (["sync", unit, "--from", str(files["json"]), "-o", str(tmp_path / "out.xlsx")], unit),
        "diff": (["diff", unit, other], other),
        "split": (["split", cons, "-o", str(tmp_path / "out"), "--year", "2025"], cons),
        "prefill": (["generate", "--prefill", unit, "-o", str(tmp_path / "out.xlsx")], unit),
    }[command]
    env = {k: v for k, v in os.environ.items() if k != "BUDGETXL_DEBUG"} | {"BUDGETXL_LANG": "en"}
    proc = subprocess.run([sys.executable, "-c", CLI, Path(dying).name, *args], capture_output=True, text=True,
                          env=env, cwd=tmp_path)
    assert proc.returncode == 2, (proc.returncode, proc.stderr)
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1 and Path(dying).name in lines[0] and "Traceback" not in proc.stderr, proc.stderr
    assert not (tmp_path / "out.xlsx").exists() and not any((tmp_path / "out").glob("*.xlsx"))
