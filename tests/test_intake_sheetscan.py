"""Intake's sheet scan (files.intake_xlsx.SheetScan): its fast path places cells exactly as the
tag-by-tag path that follows the reader's rules, for any mix of tag spellings, and hands every
spelling it does not take to that path."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from budgetxl.files.intake import LIMITS
from budgetxl.files.intake_limits import Area, Refuse
from budgetxl.files.intake_xlsx import SheetScan

_TOKENS = st.sampled_from([
    b'<row r="1">', b'<row r="7">', b"<row>", b"</row>", b'<row r="3"/>', b'<row r="2" spans="1:4">',
    b'<c r="B2">', b'<c r="A1" s="3">', b'<c r="C9"/>', b'<c r="XFD3">', b'<c r="b2">', b'<c r="AAAA1">',
    b"<c>", b"<c/>", b'<c t="s" r="D4">', b'<c r="A1" r="E5">', b'<c r="A1" x="<c>">', b'<c  r="A1">',
    b'<c\tr="A1">', b'<x:c r="F6">', b"<x:row>", b"<v>1</v>", b"<is><t>t</t></is>", b"</c>", b"<col/>",
    b'<c r="A12345678">', b" ", b"\n",
])


def _outcome(pieces: list[bytes], slow: bool) -> tuple:
    scan = SheetScan("S", Area(LIMITS))
    if slow:
        scan._fast = lambda piece: False  # (every piece tag by tag)
    try:
        for piece in pieces:
            scan.feed(piece)
    except Refuse as r:
        return ("refused", r.key)
    return (scan.max_row, scan.max_col, scan.shared, scan.row, scan.col, scan.area.records)


@settings(max_examples=400, deadline=None)
@given(st.lists(st.lists(_TOKENS, max_size=12).map(b"".join), min_size=1, max_size=4))
def test_the_fast_path_places_cells_as_the_tag_by_tag_path(pieces):
    assert _outcome(pieces, slow=False) == _outcome(pieces, slow=True)


def test_the_fast_path_is_taken_for_plain_cells():
    """(So that the property above compares two paths, not one with itself.)"""
    taken = []
    scan = SheetScan("S", Area(LIMITS))
    fast = scan._fast
    scan._fast = lambda piece: taken.append(fast(piece)) or taken[-1]
    scan.feed(b'<row r="1"><c r="A1"><v>1</v></c><c r="C1" s="2"/></row><row r="2"><c r="B2"><v>2</v></c></row>')
    assert taken == [True] and (scan.max_row, scan.max_col, scan.shared) == (2, 2, 2)
