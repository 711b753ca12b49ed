"""The value reader's copy of an xlsx (files.intake_repack): the same cells as the file, made
only when it cannot change what the reader reads."""

from __future__ import annotations

import io
import re
import tempfile
import zipfile
from pathlib import Path

import xlsxwriter
from hypothesis import given, settings
from hypothesis import strategies as st

from budgetxl.errors import ReadError
from budgetxl.files import intake, intake_repack
from budgetxl.files.grids import load_grids
from budgetxl.files.intake import inspect_file
from budgetxl.workbook.reader import read_workbook


def _grids(path: Path, repacked: bytes | None = None) -> list[tuple[str, str, list]]:
    return [(g.name, g.visible, g.rows) for g in load_grids(path, None, repacked)]


def _rezip(src: Path, dst: Path, change) -> Path:
    """A copy of ``src`` with ``change(name, data) -> data | None`` applied (None drops the part)."""
    with zipfile.ZipFile(src) as zin, zipfile.ZipFile(dst, "w", zipfile.ZIP_DEFLATED) as zout:
        for info in zin.infolist():
            data = change(info.filename, zin.read(info))
            if data is not None:
                zout.writestr(info.filename, data)
    return dst


def test_the_copy_reads_as_the_file(make_workbook, seed_doc, soffice, tmp_path):
    """A generated workbook (thousands of defined names) and the same workbook saved by
    LibreOffice: the copy has no defined names, is stored, and gives the same grids."""
    made = make_workbook(seed_doc)
    saved = soffice([made], "xlsx", tmp_path / "lo")[0]
    for path in (made, saved):
        kind = inspect_file(path, repack=True)
        assert kind.repacked is not None
        with zipfile.ZipFile(io.BytesIO(kind.repacked)) as z:
            assert z.testzip() is None
            assert {i.compress_type for i in z.infolist()} == {zipfile.ZIP_STORED}
            assert b"<definedName " not in z.read("xl/workbook.xml")
        with zipfile.ZipFile(path) as z:
            assert b"<definedName " in z.read("xl/workbook.xml")  # (the file itself has them)
        assert _grids(path, kind.repacked) == _grids(path)
    assert read_workbook(made).doc == read_workbook(saved).doc


def test_no_copy_unless_asked_or_when_a_part_is_unknown(make_workbook, seed_doc, tmp_path):
    made = make_workbook(seed_doc)
    assert inspect_file(made).repacked is None  # (only the value reader's door asks for it)
    odd = _rezip(made, tmp_path / "odd.xlsx", lambda n, d: d)
    with zipfile.ZipFile(odd, "a") as z:
        z.writestr("xl/custom/data.dat", b"\x00\x01 not xml")  # a part intake does not inflate
    assert inspect_file(odd, repack=True).repacked is None
    assert _grids(odd) == _grids(made)


def test_a_cut_that_changes_the_sheets_is_not_made(make_workbook, seed_doc, tmp_path):
    """A <sheet> tag inside <definedNames> (the reader takes it for a sheet): the copy keeps
    workbook.xml whole, so the reader sees the sheets intake bounded."""
    made = make_workbook(seed_doc)

    def hide_a_sheet(name: str, data: bytes) -> bytes:
        if name != "xl/workbook.xml":
            return data
        start = data.index(b"<sheet ")
        end = data.index(b"/>", start) + 2
        tag = data[start:end]
        data = data[:start] + data[end:]
        return data.replace(b"<definedNames>", b"<definedNames>" + tag, 1)
    moved = _rezip(made, tmp_path / "moved.xlsx", hide_a_sheet)
    kind = inspect_file(moved, repack=True)
    assert kind.repacked is not None
    with zipfile.ZipFile(io.BytesIO(kind.repacked)) as z:
        assert b"<definedNames>" in z.read("xl/workbook.xml")
    assert _grids(moved, kind.repacked) == _grids(moved)


def test_a_large_workbook_is_read_from_its_file(make_workbook, seed_doc, monkeypatch):
    made = make_workbook(seed_doc)
    monkeypatch.setattr("budgetxl.files.intake_zip.REPACK_LIMIT", 64 * 1024)
    assert inspect_file(made, repack=True).repacked is None


def test_the_copy_holds_the_parts_inflated_as_they_are(make_workbook, seed_doc):
    made = make_workbook(seed_doc)
    kind = inspect_file(made, repack=True)
    with zipfile.ZipFile(io.BytesIO(kind.repacked)) as copy, zipfile.ZipFile(made) as orig:
        assert copy.namelist() == [n for n in orig.namelist() if not n.lower().endswith(intake_repack.UNREAD)]
        sheets = [n for n in copy.namelist() if n.startswith("xl/worksheets/")]
        assert all(copy.read(n) == orig.read(n) for n in copy.namelist() if n != "xl/workbook.xml" and n not in sheets)
        # the sheets: the same but for the live checks' formulas, whose cached values stay
        for n in sheets:
            lean, full = copy.read(n), orig.read(n)
            assert re.sub(rb"<f>[^<]*</f>", b"", full) == lean
            assert lean.count(b"<v>") == full.count(b"<v>")
        assert sum(b"<f>" in orig.read(n) for n in sheets) > 10  # (the cut above was no empty test)


# ---- formulas left out of the copy: any cell reads the same ----------------------------------------

_CHILDREN = st.sampled_from([
    b"<f>A1+1</f>", b"<f>IF(B2&gt;0,\"ok\",\"\")</f>", b'<f t="shared" ref="A1:A3" si="0">A1*2</f>',
    b'<f t="shared" si="0"/>', b"<f/>", b"<f></f>", b'<f aca="false">1</f>', b"<v>5</v>", b"<v>2.5</v>",
    b"<v>0</v>", b"<v></v>", b"<is><t>text</t></is>", b"<is><f>1</f><t>x</t></is>", b"<is><f>1</f><v>3</v><t>y</t></is>",
])
_CELL = st.tuples(st.sampled_from([b"", b' t="str"', b' t="n"', b' t="inlineStr"', b' t="e"']),
                  st.lists(_CHILDREN, max_size=4))


def _base_xlsx() -> bytes:
    buf = io.BytesIO()
    wb = xlsxwriter.Workbook(buf, {"in_memory": True})
    wb.add_worksheet("S").write_formula("A1", "=1+1", None, 2)
    wb.close()
    return buf.getvalue()


_BASE = _base_xlsx()


@settings(max_examples=150, deadline=None)
@given(st.lists(st.lists(_CELL, min_size=1, max_size=4), min_size=1, max_size=4))
def test_a_cell_reads_the_same_without_the_formulas(rows):
    """Cells with formulas, values and inline text in any order and of any type: the copy (with
    the formulas that precede a value left out) reads exactly as the file, or fails as it fails."""
    data = b"".join(
        b'<row r="%d">' % (r + 1)
        + b"".join(b'<c r="%s%d"%s>%s</c>' % (b"ABCD"[c:c + 1], r + 1, t, b"".join(kids))
                   for c, (t, kids) in enumerate(cells))
        + b"</row>" for r, cells in enumerate(rows))
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "cells.xlsx"
        with zipfile.ZipFile(io.BytesIO(_BASE)) as zin, zipfile.ZipFile(path, "w") as zout:
            for info in zin.infolist():
                part = zin.read(info)
                if info.filename == "xl/worksheets/sheet1.xml":
                    part = re.sub(rb"<sheetData>.*</sheetData>|<sheetData/>", lambda m: b"<sheetData>" + data + b"</sheetData>",
                                  part, flags=re.S)
                    part = re.sub(rb'<dimension ref="[^"]*"/>', b'<dimension ref="A1:D%d"/>' % len(rows), part)
                zout.writestr(info, part)
        try:
            kind = inspect_file(path, repack=True)
        except ReadError:  # (intake refuses what it refuses: no copy to compare)
            return
        assert kind.repacked is not None

        def outcome(repacked):
            try:
                return _grids(path, repacked)
            except Exception as exc:
                return type(exc).__name__, str(exc)

        assert outcome(kind.repacked) == outcome(None)


def test_sheets_are_bounded_whole_when_the_copy_falls_through(make_workbook, seed_doc, monkeypatch):
    """Intake scans the sheets as the copy holds them (formulas left out) when the parts' names
    and sizes promise a copy; should none be made after all, it bounds the file as it is."""
    made = make_workbook(seed_doc)
    planned = inspect_file(made, repack=True)
    assert planned.repacked is not None
    scans, scan = [], intake._scan_sheets

    def spy(reader, *args):
        scans.append(reader.lean)
        return scan(reader, *args)
    monkeypatch.setattr(intake, "_scan_sheets", spy)
    monkeypatch.setattr(intake, "repacked", lambda *a: None)
    fell = inspect_file(made, repack=True)
    assert fell.repacked is None and scans == [True, False]  # (scanned lean, then whole)
    assert (fell.sheets, fell.cells) == (planned.sheets, planned.cells) == (inspect_file(made).sheets, inspect_file(made).cells)
