"""The long run's fork mode (fuzz_fork) against its exec mode: the same cases, the same answers.

About 20 cases (the bases, a file that is refused, and light cases drawn with a fixed seed) run
through ``budgetxl validate --format json`` and ``budgetxl read`` both ways: a fresh process per
run (measure.launch, as fuzz_harness.run_cli) and a child forked from the preloaded zygote. Each
run must give the same outcome class, exit code, stdout (as JSON) and stderr; the forked children
must spend less CPU than the fresh processes.
"""

from __future__ import annotations

import json
import os
import sys

import pytest

from fuzz_bases import bases
from fuzz_fork import ForkPool, peak_mb
from fuzz_harness import COMMANDS, classify, cli_env
from fuzz_long import draw_cases
from measure import launch

N_DRAWN = 16


@pytest.fixture(scope="module")
def cases_on_disk(tmp_path_factory) -> list[str]:
    folder = tmp_path_factory.mktemp("fork-mode")
    base = bases(folder / "bases", libreoffice=not os.environ.get("BUDGETXL_FUZZ_NO_LO"))
    files = sorted(str(p) for p in (folder / "bases").glob("seed*"))
    junk = folder / "refused.xlsx"
    junk.write_bytes(b"PK\x03\x04 not a workbook")
    files.append(str(junk))
    for i, case in enumerate(draw_cases(N_DRAWN, 11, tuple(base), heavy=False)):
        path = folder / f"case{i}{case.suffix}"
        path.write_bytes(case.build(base))
        files.append(str(path))
    return files


@pytest.fixture(scope="module")
def pool(cases_on_disk):
    p = ForkPool(1, probe_files=[f for f in cases_on_disk if "/bases/" in f])
    yield p
    p.close()


def _json(text: str):
    return json.loads(text) if text.strip() else None


def test_fork_mode_answers_as_exec_mode(cases_on_disk, pool):
    env = cli_env()
    seen, cpu_exec, cpu_fork = set(), 0.0, 0.0
    for path in cases_on_disk:
        forked = pool.raw(path)
        for (what, args), (what_f, reply, out_f, err_f) in zip(COMMANDS, forked):
            status, out_e, err_e, cpu, peak, timed_out = launch([sys.executable, "-m", "budgetxl", *args, path], env)
            ex = classify(what, status, out_e, err_e, cpu, peak, timed_out)
            fk = classify(what, reply["status"], out_f, err_f, reply["cpu"], peak_mb(reply, 0), reply["timed_out"])
            where = (path, what, ex, fk)
            assert (fk.outcome, fk.exit) == (ex.outcome, ex.exit), where
            assert _json(out_f) == _json(out_e), where
            assert err_f == err_e, where
            seen.add(ex.outcome)
            cpu_exec += cpu
            cpu_fork += reply["cpu"]
    assert {"ok", "refused"} <= seen
    assert cpu_fork < cpu_exec, (cpu_fork, cpu_exec)


@pytest.mark.parametrize("args", [["--help"], ["read", "--no-such-option"]])
def test_usage_and_help_as_python_dash_m(pool, args):
    """The forked child is ``python -m budgetxl`` to click too (its program name in usage lines)."""
    status, out_e, err_e, *_ = launch([sys.executable, "-m", "budgetxl", *args], cli_env())
    z = pool.free.get()
    try:
        reply, out_f, err_f = z.run(args, timeout=30)
    finally:
        pool.free.put(z)
    assert (reply["status"], out_f, err_f) == (status, out_e, err_e)
