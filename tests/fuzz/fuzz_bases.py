"""The workbooks the fuzzer mutates: the project's own, never a file from elsewhere.

* ``xlsx``: the seed example (examples/juluxian-2024.json) as budgetxl generates it;
* ``xlsx-lo``, ``xls``, ``ods``: that workbook re-saved by LibreOffice (one soffice run), when
  LibreOffice is installed.

Built once into a folder and reused (``bases(folder)``); nothing here is committed.
"""

from __future__ import annotations

import importlib.util
import shutil
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

_spec = importlib.util.spec_from_file_location("budgetxl_corpus_build", ROOT / "tests" / "corpus" / "build.py")
corpus_build = sys.modules.get(_spec.name)
if corpus_build is None:
    corpus_build = importlib.util.module_from_spec(_spec)
    sys.modules[_spec.name] = corpus_build
    _spec.loader.exec_module(corpus_build)

KINDS = {"xlsx": "xlsx", "xlsx-lo": "xlsx", "xls": "xls", "ods": "ods"}  # base -> kind of container
_LO = {"xlsx-lo": ("xlsx", "Calc MS Excel 2007 XML"), "xls": ("xls", "MS Excel 97"), "ods": ("ods", "calc8")}


def bases(folder: Path, libreoffice: bool = True) -> dict[str, bytes]:
    """Base name -> the workbook's bytes; the LibreOffice ones only when ``libreoffice`` and it is
    installed. Files already in ``folder`` are reused."""
    from budgetxl.workbook.writer import generate_workbook

    folder.mkdir(parents=True, exist_ok=True)
    seed = folder / "seed.xlsx"
    if not seed.exists():
        generate_workbook(corpus_build.seed_doc(), seed)
    out = {"xlsx": seed.read_bytes()}
    if libreoffice and corpus_build.libreoffice_available() is None:
        missing = [b for b in _LO if not (folder / f"seed-{b}.{_LO[b][0]}").exists()]
        if missing:
            _convert(seed, folder, missing)
        out.update({b: (folder / f"seed-{b}.{_LO[b][0]}").read_bytes() for b in _LO})
    return out


def _convert(seed: Path, folder: Path, which: list[str]) -> None:
    import subprocess
    import tempfile

    with tempfile.TemporaryDirectory(prefix="bx-fuzz-lo-") as tmp:
        for b in which:
            ext, flt = _LO[b]
            out = Path(tmp) / b
            profile = Path(tmp) / "profile"
            subprocess.run(["soffice", f"-env:UserInstallation={profile.as_uri()}", "--headless", "--norestore",
                            "--convert-to", f"{ext}:{flt}", "--outdir", str(out), str(seed)],
                           capture_output=True, timeout=300, check=True)
            shutil.copy(out / f"seed.{ext}", folder / f"seed-{b}.{ext}")
