"""The fuzz suite: a fixed-seed corpus in every test run, the long run behind ``-m fuzz``.

The normal run draws a few hundred cases with hypothesis (derandomized: the same cases every
time) and runs each through validate and read in a forked child of the test process (no
interpreter start-up, so a few hundred fit in about a minute); the case must be read or refused
in one clean line, and stay within the CPU and memory budgets. The long run (fuzz_long.py) sends
10,000+ cases through the real command line (fork mode: its entry point in a child forked from a
process that has imported it; exec mode re-checks what fork mode flags).
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings

from fuzz_bases import bases
from fuzz_cases import Case, cases
from fuzz_harness import run_forked

CORPUS_CASES = int(os.environ.get("BUDGETXL_FUZZ_CORPUS", "300"))
_BASES: dict[str, bytes] = {}


@pytest.fixture(scope="module")
def fuzz_bases(tmp_path_factory) -> dict[str, bytes]:
    _BASES.update(bases(tmp_path_factory.mktemp("fuzz-bases"), libreoffice=not os.environ.get("BUDGETXL_FUZZ_NO_LO")))
    if len(_BASES) < 4 and os.environ.get("CI"):
        pytest.fail("the xls and ods bases need LibreOffice in CI")
    return _BASES


def _available() -> tuple[str, ...]:
    return ("xlsx", "xlsx-lo", "xls", "ods")


@settings(max_examples=CORPUS_CASES, derandomize=True, database=None, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(case=cases(_available(), heavy=False))
def test_fixed_seed_corpus(fuzz_bases, tmp_path, case: Case):
    if case.base not in fuzz_bases:
        return  # (no LibreOffice outside CI: the xlsx cases still run)
    path = tmp_path / f"case{case.suffix}"
    path.write_bytes(case.build(fuzz_bases))
    outcome = run_forked(str(path))
    assert outcome.worst in ("ok", "refused"), (case.recipe(), outcome.to_data())


@pytest.mark.fuzz
def test_long_run():
    """10,000+ cases through the command line's entry point, forked from a preloaded process (fuzz_fork;
    BUDGETXL_FUZZ_EXEC=1: one fresh process per run, about two hours on two shared cores)."""
    from fuzz_long import GOOD, run

    out = Path(os.environ.get("BUDGETXL_FUZZ_OUT", "/tmp/budgetxl-fuzz"))
    summary = run(int(os.environ.get("BUDGETXL_FUZZ_CASES", "10000")), int(os.environ.get("BUDGETXL_FUZZ_JOBS", "2")), out,
                  fork=not os.environ.get("BUDGETXL_FUZZ_EXEC"))
    print(summary["table"])
    assert set(summary["classes"]) <= GOOD, summary["table"]
    assert summary["contained"] == 0, summary["table"]
