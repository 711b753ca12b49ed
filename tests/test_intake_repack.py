"""The value reader's copy of an xlsx (files.intake_repack): the same cells as the file, made
only when it cannot change what the reader reads."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

from budgetxl.files import intake_repack
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
    monkeypatch.setattr("budgetxl.files.intake.REPACK_LIMIT", 64 * 1024)
    assert inspect_file(made, repack=True).repacked is None


def test_the_copy_holds_the_parts_inflated_as_they_are(make_workbook, seed_doc):
    made = make_workbook(seed_doc)
    kind = inspect_file(made, repack=True)
    with zipfile.ZipFile(io.BytesIO(kind.repacked)) as copy, zipfile.ZipFile(made) as orig:
        assert copy.namelist() == [n for n in orig.namelist() if not n.lower().endswith(intake_repack.UNREAD)]
        assert all(copy.read(n) == orig.read(n) for n in copy.namelist() if n != "xl/workbook.xml")
