"""Real-world intake: every case of tests/corpus/manifest.toml gives its expected outcome.

The corpus is built once per session (tests/corpus/build.py; the LibreOffice cases in one soffice
run). Each case is run through the real command line, ``budgetxl validate``, in its own process:
the exit code, the findings, stderr (one line for a refused file, never a traceback) and the
process's peak memory are checked. Wall time is not asserted here (a timeout only guards against
a hang); benchmarks/intake_bench.py measures time and memory.

Without LibreOffice (or python3-uno) the LibreOffice cases are skipped, except in CI (CI=true),
where they fail: CI must run them.
"""

from __future__ import annotations

import csv
import importlib.util
import io
import json
import os
import re
import sys
import zipfile
from decimal import Decimal
from pathlib import Path

import pytest

from budgetxl.cells import FORMULA_TRIGGERS
from budgetxl.errors import ReadError
from budgetxl.messages import MESSAGES, message
from budgetxl.files.intake import LIMITS, Limits, inspect_file
from budgetxl.workbook.reader import read_workbook
from budgetxl.workbook.validate import validate_file

ROOT = Path(__file__).resolve().parents[1]
_spec = importlib.util.spec_from_file_location("budgetxl_corpus_build", ROOT / "tests" / "corpus" / "build.py")
corpus_build = importlib.util.module_from_spec(_spec)
sys.modules[_spec.name] = corpus_build
_spec.loader.exec_module(corpus_build)

CASES = corpus_build.load_manifest()
BASELINE_RULES = {"indicator-coverage"}  # the seed's own warnings (two projects without 满意度)
CASE_TIMEOUT = 120  # seconds: a hang guard only
PEAK_RSS_LIMIT_MB = 400  # the whole CLI process (interpreter, pydantic, calamine) at its peak


@pytest.fixture(scope="session")
def lo_status() -> str | None:
    return corpus_build.libreoffice_available()


@pytest.fixture(scope="session")
def corpus(tmp_path_factory, lo_status) -> dict[str, Path]:
    out = tmp_path_factory.mktemp("corpus")
    return corpus_build.build(out, libreoffice=lo_status is None)


def _path(case, corpus, lo_status) -> Path:
    if case.needs == "libreoffice" and lo_status is not None:
        if os.environ.get("CI"):
            pytest.fail(f"{case.id} needs LibreOffice in CI: {lo_status}")
        pytest.skip(lo_status)
    return corpus[case.id]


def run_cli(*args: str) -> tuple[int, str, str, float]:
    """Run ``python -m budgetxl ARGS`` in its own process: (exit code, stdout, stderr, peak RSS in MB,
    from the process tree's own resource usage as wait4 reports it; started by a small launcher,
    tests/measure.py, so that the test process's own size is not counted)."""
    from measure import launch

    env = {**os.environ, "BUDGETXL_LANG": "en", "PYTHONIOENCODING": "utf-8"}
    status, out, err, _, peak, _ = launch([sys.executable, "-m", "budgetxl", *args], env, timeout=CASE_TIMEOUT)
    return os.waitstatus_to_exitcode(status), out, err, peak


def _get(data, path: str):
    for part in re.findall(r"[^.\[\]]+|\[\d+\]", path):
        data = data[int(part[1:-1])] if part.startswith("[") else data[part]
    return data


def _text(v) -> str:
    if isinstance(v, Decimal):
        from budgetxl.values import format_number

        return format_number(v)
    return str(v)


def _seed_dump():
    return corpus_build.seed_doc().model_dump()


# ---- every case --------------------------------------------------------------------------------

@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_corpus_case(case, corpus, lo_status, tmp_path):
    path = _path(case, corpus, lo_status)
    rc, out, err, peak = run_cli("validate", "--format", "json", str(path))
    assert "Traceback" not in err + out, err
    assert rc == case.exit, f"exit {rc}, want {case.exit}\n{err}\n{out[:3000]}"
    assert peak < PEAK_RSS_LIMIT_MB, f"peak memory {peak:.0f} MB"
    report = json.loads(out)["files"][0]
    if case.outcome == "refused":
        lines = err.strip().splitlines()
        assert len(lines) == 1, err
        assert report["issues"][0]["rule"] == "unreadable"
        with pytest.raises(ReadError) as exc:
            read_workbook(path)
        assert exc.value.key == case.message, exc.value.message("en")
        assert lines[0] == exc.value.message("en")
        # `budgetxl read` refuses the same way
        rc2, out2, err2, _ = run_cli("read", str(path))
        assert rc2 == 2 and out2 == "" and len(err2.strip().splitlines()) == 1, err2
        assert "Traceback" not in err2
        return
    assert err.strip() == "", err
    rules = {i["rule"] for i in report["issues"]}
    assert rules - BASELINE_RULES == set(case.rules), report["issues"]
    result = read_workbook(path)
    doc = result.doc.model_dump()
    if case.doc == "seed":
        assert doc == _seed_dump()
    elif case.doc == "seed-any-order":
        key = lambda p: p["code"]
        seed = _seed_dump()
        assert sorted(doc["projects"], key=key) == sorted(seed["projects"], key=key)
        assert {k: v for k, v in doc.items() if k != "projects"} == {k: v for k, v in seed.items() if k != "projects"}
    if case.projects is not None:
        assert len(doc["projects"]) == case.projects
    for p, want in case.values.items():
        assert _text(_get(doc, p)) == want, p
    if "macros" in case.rules:
        macros = [f for f in result.notes if f.rule == "macros"]
        assert macros and macros[0].severity == "warning"
        assert "VBA" in macros[0].message("en")


# ---- macros: never kept, never run --------------------------------------------------------------

@pytest.mark.parametrize("case", [c for c in CASES if c.annotate], ids=[c.id for c in CASES if c.annotate])
def test_annotated_copy_is_safe(case, corpus, lo_status, tmp_path):
    """The annotated copy is always an .xlsx without VBA, and every text in it is written as text."""
    path = _path(case, corpus, lo_status)
    # (a copy for warnings too: some cases have no error, and copies are written only on request then)
    rc, out, err, _ = run_cli("validate", "--annotate", str(tmp_path / "back"), "--annotate-warnings", str(path))
    assert "Traceback" not in err + out
    copies = list((tmp_path / "back").iterdir())
    assert len(copies) == 1, (out, err)
    copy = copies[0]
    assert copy.suffix == ".xlsx" and copy.name.endswith(("_退回修改.xlsx", "_请核对.xlsx"))  # (errors; warnings only)
    with zipfile.ZipFile(copy) as z:
        names = z.namelist()
        assert not [n for n in names if "vba" in n.lower() or n.endswith(".bin")]
        ct = z.read("[Content_Types].xml").decode()
        assert "macroEnabled" not in ct and "vbaProject" not in ct
        rels = z.read("xl/_rels/workbook.xml.rels").decode()
        assert "vbaProject" not in rels
    assert unquoted_formula_text(copy) == []


# ---- safe outputs ---------------------------------------------------------------------------------

def unquoted_formula_text(xlsx: Path) -> list[tuple[str, str, str]]:
    """Every text cell of ``xlsx`` that starts like a formula (=, +, -, @, tab, CR) but is not
    written with the quote prefix: (part, cell, text)."""
    with zipfile.ZipFile(xlsx) as z:
        names = z.namelist()
        shared: list[str] = []
        if "xl/sharedStrings.xml" in names:
            for si in re.findall(rb"<si>(.*?)</si>", z.read("xl/sharedStrings.xml"), re.S):
                shared.append(_xml_text(b"".join(re.findall(rb"<t[^>]*>(.*?)</t>", si, re.S))))
        styles = z.read("xl/styles.xml").decode()
        xfs_block = re.search(r"<cellXfs[^>]*>(.*?)</cellXfs>", styles, re.S)
        xfs = re.findall(r"<xf\b[^>]*?(?:/>|>.*?</xf>)", xfs_block.group(1), re.S) if xfs_block else []
        quoted = {i for i, xf in enumerate(xfs) if re.search(r'quotePrefix="(1|true)"', xf)}
        bad = []
        for part in names:
            if not re.fullmatch(r"xl/worksheets/[^/]+\.xml", part):
                continue
            data = z.read(part)
            for m in re.finditer(rb"<c\b([^>]*?)(?:/>|>(.*?)</c>)", data, re.S):
                attrs, body = m.group(1).decode(), m.group(2) or b""
                t = re.search(r'\bt="(\w+)"', attrs)
                t = t.group(1) if t else "n"
                if t == "s":
                    v = re.search(rb"<v>(\d+)</v>", body)
                    text = shared[int(v.group(1))] if v else ""
                elif t == "inlineStr":
                    text = _xml_text(b"".join(re.findall(rb"<t[^>]*>(.*?)</t>", body, re.S)))
                else:
                    continue  # numbers, and formula results (t="str"): not text typed into the cell
                s = re.search(r'\bs="(\d+)"', attrs)
                if text.startswith(FORMULA_TRIGGERS) and (int(s.group(1)) if s else 0) not in quoted:
                    ref = re.search(r'\br="([A-Z]+\d+)"', attrs)
                    bad.append((part, ref.group(1) if ref else "?", text))
        return bad


def _xml_text(b: bytes) -> str:
    import html

    s = b.decode("utf-8")
    s = re.sub(r"_x([0-9A-Fa-f]{4})_", lambda m: chr(int(m.group(1), 16)), s)
    return html.unescape(s)


SAFE_CASES = [c for c in CASES if c.safe_outputs]


@pytest.mark.parametrize("case", SAFE_CASES, ids=[c.id for c in SAFE_CASES])
def test_outputs_write_workbook_text_as_text(case, corpus, lo_status, tmp_path):
    """Formula-like text read from a workbook stays text in the CSV, in a workbook generated from
    the document read, and in the annotated copy."""
    path = _path(case, corpus, lo_status)
    doc = read_workbook(path).doc
    texts = [p.purpose for p in doc.projects] + [g for p in doc.projects for g in p.goals] + [
        v for p in doc.projects for i in p.indicators for v in (i.name, i.description, i.basis)]
    triggers = {t[:1] for t in texts if t and t.startswith(FORMULA_TRIGGERS)}
    # every trigger but CR: the document model stores line breaks as LF (CR is checked in the
    # annotated copy, which keeps the workbook's own text)
    assert triggers >= set(FORMULA_TRIGGERS) - {"\r"}, triggers

    # CSV (budgetxl read --format csv): a leading apostrophe, so no spreadsheet takes it for a formula
    rc, out, err, _ = run_cli("read", str(path), "--format", "csv", "-o", str(tmp_path / "rows.csv"))
    assert rc == 0, err
    rows = list(csv.reader(io.StringIO((tmp_path / "rows.csv").read_text(encoding="utf-8-sig"))))
    cells = [c for row in rows for c in row]
    assert not [c for c in cells if c.startswith(FORMULA_TRIGGERS)]
    assert "'@SUM(1+1)" in cells and "'-2+3" in cells

    # a workbook generated from the document read (JSON -> generate)
    rc, out, err, _ = run_cli("read", str(path), "-o", str(tmp_path / "doc.json"))
    assert rc == 0, err
    rc, out, err, _ = run_cli("generate", "--prefill", str(tmp_path / "doc.json"), "-o", str(tmp_path / "again.xlsx"))
    assert rc == 0, err
    assert unquoted_formula_text(tmp_path / "again.xlsx") == []

    # the consolidated workbook and its CSV data files
    rc, out, err, _ = run_cli("merge", str(path), "-o", str(tmp_path / "merged.xlsx"), "--include-invalid",
                              "--data-dir", str(tmp_path / "data"), "--jobs", "1")
    valid = validate_file(path).valid  # (an invalid file counted with --include-invalid needs attention: 1)
    assert rc == (0 if valid else 1) and "Traceback" not in err, err
    assert unquoted_formula_text(tmp_path / "merged.xlsx") == []
    for f in (tmp_path / "data").glob("*.csv"):
        rows = csv.reader(io.StringIO(f.read_text(encoding="utf-8-sig")))
        assert not [c for row in rows for c in row if c.startswith(FORMULA_TRIGGERS)], f.name


# ---- intake units: limits, sniffing ------------------------------------------------------------

def test_zip_bomb_is_refused_before_inflating(corpus, monkeypatch):
    """The central directory alone refuses the bomb: no part is ever inflated."""
    import budgetxl.files.intake as intake

    def no_inflate(*a, **k):
        raise AssertionError("inflated")

    monkeypatch.setattr(intake._ZipParts, "stream", no_inflate)
    with pytest.raises(ReadError) as exc:
        inspect_file(corpus["xlsx-zip-bomb"])
    assert exc.value.key == "intake-bomb"


def test_limits_are_parameters(corpus):
    tight = Limits(max_sheet_cells=100)
    with pytest.raises(ReadError) as exc:
        inspect_file(corpus["xlsx-generated"], tight)
    assert exc.value.key == "intake-sheet-too-big"
    kind = inspect_file(corpus["xlsx-generated"])
    assert kind.kind == "xlsx" and kind.sheets == 18 and 0 < kind.cells < LIMITS.max_total_cells  # (3 新增项目 sheets)


def test_refusal_messages_exist_in_both_languages():
    keys = {c.message for c in CASES if c.message}
    for key in keys:
        args = {k: "x" for k in re.findall(r"{(\w+)}", " ".join(MESSAGES[key]))} | {"path": "f.xls"}
        zh, en = message(key, "zh", **args), message(key, "en", **args)
        assert "{" not in zh + en
        assert zh != key and en != key and "\n" not in zh + en
        assert zh.startswith("f.xls：") and en.startswith("f.xls: ")


@pytest.mark.parametrize("data, key", [
    (b"PK", "intake-truncated"),
    (b"\xd0\xcf\x11\xe0", "intake-truncated"),
    (b"<!DOCTYPE html><html><body><table></table></body></html>", "intake-html"),
    (b"\xef\xbb\xbf<html><table><tr><td>1</td></tr></table></html>", "intake-html"),
    ("<table><tr><td>项目</td></tr></table>".encode("gb18030"), "intake-html"),
    (b'<?xml version="1.0"?><root/>', "intake-xml"),
    (b"just a note\nwith two lines\n", "intake-text"),
    (b"a;b;c\n1;2;3\n", "intake-csv"),
    (b"\x1f\x8b\x08\x00", "intake-archive"),
    (b"7z\xbc\xaf\x27\x1c\x00\x04", "intake-archive"),
    (b"{\\rtf1\\ansi hello}", "intake-document"),
    (b"GIF89a\x01\x00", "intake-image"),
])
def test_sniffing(tmp_path, data, key):
    f = tmp_path / "x.xls"
    f.write_bytes(data)
    with pytest.raises(ReadError) as exc:
        inspect_file(f)
    assert exc.value.key == key


@pytest.mark.parametrize("cells, key", [
    (b'<row r="1048576"><c s="0" r="XFD1048576"><v>1</v></c></row>', "intake-sheet-too-big"),  # r not first
    (b'<row r="1048576"><c><v>1</v></c><c><v>2</v></c></row>', "intake-sheet-too-big"),  # implied positions
    (b'<x:row xmlns:x="http://schemas.openxmlformats.org/spreadsheetml/2006/main" r="1048576">'
     b'<x:c r="XFD1048576"><x:v>1</x:v></x:c></x:row>', "intake-sheet-too-big"),  # prefixed tags
    (b'<row r="1048576"><c r="XFD1048576" s="1"/></row>', None),  # formatting only: not content
])
def test_far_cells_in_every_spelling(corpus, tmp_path, cells, key):
    src = corpus["xlsx-generated"]
    part = corpus_build.sheet_parts(src)["1.非财政开支人员工作经费"]
    dst = tmp_path / "far.xlsx"
    corpus_build.zip_edit(src, dst, replace={part: lambda d: d.replace(b"</sheetData>", cells + b"</sheetData>", 1)})
    if key is None:
        assert inspect_file(dst).cells < 10_000
        assert read_workbook(dst).doc.unit.code == "414001"
    else:
        with pytest.raises(ReadError) as exc:
            inspect_file(dst)
        assert exc.value.key == key
