"""Mutators of cell values, the hidden _meta sheet and sheet sizes (registered in fuzz_mutators.MUTATORS)."""

from __future__ import annotations

import hashlib
import re

from fuzz_mutators import _nth, edit_member, mutator, read_member, sheet_parts_bytes

# ---- values and metadata (xlsx) ---------------------------------------------------------------------

_TEXTS = ["\x01\x02\x03", "_x0001__x001F_", "a\x00b", "\ufffe\uffff", "😀" * 1000, "=1+1", "-" * 5, "\t\r\n",
          "x" * 40_000, "", " ", "‮RTL", "\ud800", "&amp;&lt;", "]]>", "一" * 10_000]


@mutator("xlsx", draw=lambda rng: {"sheet": rng.randint(1, 15), "nth": rng.randrange(500), "text": rng.choice(_TEXTS),
                                   "raw": rng.random() < 0.5})
def cell_text(data: bytes, sheet: int, nth: int, text: str, raw: bool) -> bytes:
    """A cell's text replaced: control characters (raw, or escaped as _xHHHH_), lone surrogates,
    very long text, text that looks like a formula."""
    t = text.encode("utf-8", "surrogatepass") if raw else text.encode("ascii", "xmlcharrefreplace")

    def edit(c: bytes) -> bytes:
        m = _nth(rb'<c r="([A-Z]+[0-9]+)"[^>]*?(?:/>|>.*?</c>)', c, nth)
        if m is None:
            return c
        new = b'<c r="' + m.group(1) + b'" t="inlineStr"><is><t xml:space="preserve">' + t + b"</t></is></c>"
        return c[:m.start()] + new + c[m.end():]
    return edit_member(data, rf"worksheets/sheet{sheet}\.xml$", edit)


META_VALUES = {
    "issued_json": ["5", "[]", "{}", "null", '{"unit":5}', '{"year":2024,"unit":{},"projects":5}', "deep:100000",
                    "{" * 50_000, "objects:20000", "x" * 3_000_000, "NaN", '{"year":1e999}',
                    '{"year":2024,"unit":{"code":"1","name":"n","region":"r"},"projects":[{"code":"c","name":"n",'
                    '"budget":{"total":"1e5000"}}]}', "\x00\x01"],
    "template_version": ["", "abc", "9" * 1000, "第二版", "2024112801\x00"],
    "template_id": ["../../etc/passwd", "x" * 10_000, "perf targets", "project-apply"],
    "year": ["²", "9" * 5000, "-1", "20２4", "0"],
    "issued_fingerprint": ["zz", "0" * 64, "A" * 64],
    "unit_code": ["x" * 100_000, "=cmd|' /C calc'!A0"],
}


@mutator("xlsx", draw=lambda rng: {"key": (k := rng.choice(sorted(META_VALUES))), "value": rng.choice(META_VALUES[k])})
def meta_value(data: bytes, key: str, value: str) -> bytes:
    """A value of the hidden _meta sheet replaced (written as an inline string)."""
    sheets = dict(sheet_parts_bytes(data))
    part = sheets.get("_meta")
    if part is None:
        return data
    sst = read_member(data, "xl/sharedStrings.xml") or b""
    strings = [re.sub(rb"<[^>]+>", b"", si) for si in re.findall(rb"<si>(.*?)</si>", sst, re.S)]
    if key.encode() not in strings:
        return data
    idx = strings.index(key.encode())
    if value.startswith(("deep:", "objects:")):  # (recipes spell nesting this way, not 100 KB of brackets)
        n = int(value.split(":")[1])
        value = "[" * n + "]" * n if value.startswith("deep:") else '{"a":' * n + "1" + "}" * n
    t = value.encode("ascii", "xmlcharrefreplace").replace(b"&#0;", b"_x0000_").replace(b"<", b"&lt;")

    def edit(c: bytes) -> bytes:
        m = re.search(rb'<c r="A(\d+)"[^>]*t="s"[^>]*><v>' + str(idx).encode() + rb"</v></c>", c)
        if m is None:
            return c
        row = m.group(1)
        cell = re.search(rb'<c r="B' + row + rb'"[^>]*?(?:/>|>.*?</c>)', c, re.S)
        new = b'<c r="B' + row + b'" t="inlineStr"><is><t>' + t + b"</t></is></c>"
        if cell is None:
            return c[:m.end()] + new + c[m.end():]
        return c[:cell.start()] + new + c[cell.end():]
    return edit_member(data, re.escape(part) + "$", edit)


# ---- size: the budgets ------------------------------------------------------------------------------

_ROW, _NAME = b"\x00\x01row\x01\x00", b"\x00\x01name\x01\x00"  # (placeholders no workbook holds)


@mutator("xlsx", draw=lambda rng: {"rows": rng.choice([100, 5_000, 100_000]), "what": rng.choice(["indicators", "column"]),
                                   "formulas": rng.random() < 0.5})
def many_rows(data: bytes, rows: int, what: str, formulas: bool = True) -> bytes:
    """The first project sheet's first indicator row (row 14) copied ``rows`` times below its last
    row (with or without its live-check formula), or ``rows`` rows of one number each."""
    sheets = dict(sheet_parts_bytes(data))
    part = next((p for n, p in sheets.items() if re.match(r"1\.", n)), None)
    if part is None:
        return data

    def edit(c: bytes) -> bytes:
        first = re.search(rb'<row r="14"[^>]*>.*?</row>', c, re.S)
        end = c.rfind(b"</row>")
        last = re.findall(rb'<row r="(\d+)"', c)
        if first is None or end < 0 or not last:
            return c
        template, last_row = first.group(0), int(last[-1])
        if not formulas:
            template = re.sub(rb"<c [^>]*><f>.*?</f>.*?</c>", b"", template, flags=re.S)
        out = []
        if what == "indicators":
            # row 14 with its number (and the name in column C) as placeholders, filled in per row:
            # the same bytes as a substitution per row, without compiling a pattern per row
            row = re.sub(rb'(r="[A-Z]*)14"', lambda m: m.group(1) + _ROW + b'"', template)
            row = re.sub(rb'<c r="C' + re.escape(_ROW) + rb'"[^>]*?(?:/>|>.*?</c>)', lambda m: b'<c r="C' + _ROW
                         + b'" t="inlineStr"><is><t>' + _NAME + b"</t></is></c>", row, count=1, flags=re.S)
        for k in range(1, rows + 1):
            r = str(last_row + k).encode()
            if what == "indicators":
                # a name of its own per row (rows that differ compress like real ones, not like a bomb)
                name = b"%s-%s" % (r, hashlib.sha1(r).hexdigest().encode())
                out.append(row.replace(_ROW, r).replace(_NAME, name))
            else:
                out.append(b'<row r="' + r + b'"><c r="A' + r + b'"><v>' + r + b"</v></c></row>")
        return c[:end + 6] + b"".join(out) + c[end + 6:]
    return edit_member(data, re.escape(part) + "$", edit)
