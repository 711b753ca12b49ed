"""Shared fixtures: the template, the seed document, a workbook factory and a LibreOffice helper."""

from __future__ import annotations

import itertools
import json
import os
import shutil
import signal
import subprocess
import tempfile
from decimal import Decimal
from pathlib import Path
from typing import Callable, Iterable

import pytest

from budgetxl.model import Submission
from budgetxl.workbook.reader import read_workbook
from budgetxl.form import Template, load_template
from budgetxl.workbook.writer import generate_workbook

ROOT = Path(__file__).resolve().parents[1]
SEED_PATH = ROOT / "examples" / "juluxian-2024.json"
SOFFICE = shutil.which("soffice")
SOFFICE_TIMEOUT = 240  # seconds for one soffice call (it converts several files)


# ---- template and seed ---------------------------------------------------------------------------

@pytest.fixture(scope="session")
def template() -> Template:
    return load_template("perf-targets")


@pytest.fixture(scope="session")
def seed_raw() -> dict:
    """The seed JSON as plain data, loaded without the model (decimals kept exact)."""
    return json.loads(SEED_PATH.read_text(encoding="utf-8"), parse_float=Decimal)


@pytest.fixture
def seed_doc() -> Submission:
    return Submission.from_json(SEED_PATH.read_text(encoding="utf-8"))


# ---- workbooks -----------------------------------------------------------------------------------

@pytest.fixture
def make_workbook(tmp_path: Path, template: Template) -> Callable[..., Path]:
    """make_workbook(doc, name=None) -> path of a freshly generated workbook under tmp_path."""
    counter = itertools.count()

    def make(doc: Submission, name: str | None = None) -> Path:
        path = tmp_path / (name or f"wb{next(counter)}.xlsx")
        generate_workbook(doc, path, template=template)
        return path

    return make


def assert_same_doc(got: Submission, expected: Submission) -> None:
    """``got == expected``, failing with a readable diff of the JSON data."""
    assert got.to_data() == expected.to_data()
    assert got == expected


def roundtrip(doc: Submission, path: Path, template: Template | None = None) -> Submission:
    """generate -> read, returning the document read back."""
    generate_workbook(doc, path, template=template)
    return read_workbook(path).doc


# ---- LibreOffice ---------------------------------------------------------------------------------

class SofficeError(RuntimeError):
    pass


def soffice_convert(files: Iterable[Path], fmt: str, outdir: Path, timeout: float = SOFFICE_TIMEOUT) -> list[Path]:
    """Convert ``files`` with one headless soffice call (``--convert-to fmt``) into ``outdir``.

    Each call uses its own throw-away profile (``-env:UserInstallation``) so that parallel or
    repeated runs never share LibreOffice's user directory or lock. On timeout the whole process
    group soffice started is killed. Returns the converted paths, in the order of ``files``.
    """
    if SOFFICE is None:
        raise SofficeError("soffice not found")
    files = [Path(f) for f in files]
    outdir.mkdir(parents=True, exist_ok=True)
    if any(f.parent.resolve() == outdir.resolve() for f in files):
        raise ValueError("outdir must differ from the inputs' directory (same-format conversion overwrites)")
    ext = fmt.split(":", 1)[0]
    profile = Path(tempfile.mkdtemp(prefix="lo-profile-", dir="/tmp"))
    cmd = [SOFFICE, f"-env:UserInstallation={profile.as_uri()}", "--headless", "--norestore", "--nologo",
           "--nodefault", "--nolockcheck", "--convert-to", fmt, "--outdir", str(outdir), *map(str, files)]
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, start_new_session=True)
    try:
        out, err = proc.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)  # the group of the process started here, by its id
        proc.communicate()
        raise SofficeError(f"soffice timed out after {timeout}s converting to {fmt}") from None
    finally:
        shutil.rmtree(profile, ignore_errors=True)
    results = [outdir / f"{f.stem}.{ext}" for f in files]
    missing = [p.name for p in results if not p.is_file()]
    if proc.returncode != 0 or missing:
        raise SofficeError(f"soffice --convert-to {fmt} failed (rc={proc.returncode}, missing={missing}):\n{out}\n{err}")
    return results


@pytest.fixture(scope="session")
def soffice() -> Callable[..., list[Path]]:
    """The conversion helper; skips the test when LibreOffice is absent."""
    if SOFFICE is None:
        pytest.skip("soffice (LibreOffice) is not installed")
    return soffice_convert


# ---- the demo ------------------------------------------------------------------------------------

@pytest.fixture(scope="session")
def demo_run(tmp_path_factory) -> tuple[Path, subprocess.CompletedProcess]:
    """``budgetxl demo`` run once per session (the whole year): its folder and its output."""
    import sys

    out = tmp_path_factory.mktemp("demo") / "demo"
    res = subprocess.run([sys.executable, "-m", "budgetxl", "demo", "-o", str(out)], capture_output=True, text=True,
                         encoding="utf-8", timeout=600)
    return out, res
