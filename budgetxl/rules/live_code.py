"""The project code's shape as a formula, compiled from the template's ``code_pattern``.

A pattern made of fixed-length pieces (``\\d{6}``, ``[0-9A-Z]{12}``, a literal letter, named groups
around them, anchored by ``^`` and ``$``) becomes: the length, and for each run of positions the
characters allowed there (``FIND`` is case-sensitive, so ``p`` is not ``P``); the groups
``region`` and ``year`` become positions compared with the unit sheet. A pattern with anything
else (``+``, ``*``, alternatives, ranges of lengths) is not checked live: validate still checks it.
"""

from __future__ import annotations

import re
import string
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from .live import Getter, LiveCheck

_CLASSES = {"d": string.digits}


@dataclass(frozen=True)
class Shape:
    length: int
    runs: tuple[tuple[int, int, str], ...]  # (first position, 1-based; count; allowed characters)
    groups: tuple[tuple[str, int, int], ...]  # (name, first position, length)


def _class(p: str, i: int) -> tuple[str, int]:
    """The characters of the [...] class starting at p[i] == '['; returns (chars, index after)."""
    j, chars = i + 1, []
    if j < len(p) and p[j] == "^":
        raise ValueError("negated class")
    while j < len(p) and p[j] != "]":
        if p[j] == "\\":
            if p[j + 1] not in _CLASSES:
                chars.append(p[j + 1])
            else:
                chars.extend(_CLASSES[p[j + 1]])
            j += 2
        elif j + 2 < len(p) and p[j + 1] == "-" and p[j + 2] != "]":
            chars.extend(chr(c) for c in range(ord(p[j]), ord(p[j + 2]) + 1))
            j += 3
        else:
            chars.append(p[j])
            j += 1
    if j >= len(p):
        raise ValueError("unclosed class")
    return "".join(dict.fromkeys(chars)), j + 1


@lru_cache(maxsize=16)
def compile_shape(pattern: str) -> Shape | None:
    """The shape of a fixed-length pattern, or None when the pattern is not one."""
    p = pattern
    if p.startswith("^"):
        p = p[1:]
    if not p.endswith("$") or p.endswith("\\$"):
        return None
    p = p[:-1]
    runs: list[tuple[int, int, str]] = []
    groups: list[tuple[str, int, int]] = []
    open_groups: list[tuple[str, int]] = []
    pos, i = 1, 0
    try:
        while i < len(p):
            ch = p[i]
            if p.startswith("(?P<", i):
                end = p.index(">", i)
                open_groups.append((p[i + 4:end], pos))
                i = end + 1
                continue
            if ch == ")":
                name, start = open_groups.pop()
                groups.append((name, start, pos - start))
                i += 1
                continue
            if ch == "[":
                chars, i = _class(p, i)
            elif ch == "\\" and i + 1 < len(p):
                nxt = p[i + 1]
                chars = _CLASSES.get(nxt) or (nxt if not nxt.isalnum() else None)
                if chars is None:
                    return None
                i += 2
            elif ch in "()|*+?.{}^$":
                return None
            else:
                chars, i = ch, i + 1
            count = 1
            m = re.match(r"\{(\d+)\}", p[i:])
            if m:
                count, i = int(m.group(1)), i + m.end()
            elif i < len(p) and p[i] in "*+?{":
                return None
            if runs and runs[-1][2] == chars and runs[-1][0] + runs[-1][1] == pos:
                first, n, _ = runs[-1]
                runs[-1] = (first, n + count, chars)
            else:
                runs.append((pos, count, chars))
            pos += count
    except (ValueError, IndexError):
        return None
    if open_groups:
        return None
    return Shape(pos - 1, tuple(runs), tuple(groups))


def _run_x(x: str, first: int, n: int, chars: str) -> str:
    allowed = chars.replace('"', '""')
    if n == 1:
        return f'ISNUMBER(FIND(MID({x},{first},1),"{allowed}"))'
    positions = ",".join(str(k) for k in range(first, first + n))
    return f'SUMPRODUCT(--ISNUMBER(FIND(MID({x},{{{positions}}},1),"{allowed}")))={n}'


def code_checks(code: str, template: Any, unit_refs: dict[str, str], unit_values: dict[str, Any],
                let: Any = None, qualify: Any = None) -> list[LiveCheck]:
    shape = compile_shape(template.template.code_pattern)
    if shape is None:
        return []
    regex = template.code_regex
    q = qualify(code) if qualify else code
    ok = f"AND(LEN({q})={shape.length},{','.join(_run_x(q, *r) for r in shape.runs)})"
    if let is not None:
        ok = let("CODE", ok)  # (the shape, named once: three checks use it)
    out = [LiveCheck(code, "project-code-format", "", f'AND({code}<>"",NOT({ok}))',
                     lambda g: isinstance(g(code), str) and bool(g(code)) and not regex.fullmatch(g(code)))]
    groups = {name: (first, n) for name, first, n in shape.groups}
    region_ref, year_ref = unit_refs.get("unit.region"), unit_refs.get("year")
    region_x = "FALSE"
    want_region = unit_values.get("unit.region") or ""
    want_year = unit_values.get("year")

    def part(g: Getter, name: str) -> str | None:
        v = g(code)
        m = regex.fullmatch(v) if isinstance(v, str) and v else None
        return m.groupdict().get(name) if m else None

    def region_py(g: Getter) -> bool:
        got = part(g, "region")
        return bool(got and want_region and got != want_region)

    if "region" in groups and region_ref:
        first, n = groups["region"]
        region_x = f'AND({code}<>"",{ok},""&{region_ref}<>"",MID({code},{first},{n})<>""&{region_ref})'
        out.append(LiveCheck(code, "project-code-format", "region", region_x, region_py))
    if "year" in groups and year_ref:
        first, n = groups["year"]
        y = f"--{year_ref}"
        excel = (f'IFERROR(AND({code}<>"",{ok},NOT({region_x}),{year_ref}<>"",'
                 f'MID({code},{first},{n})<>RIGHT("0"&MOD({y},100),2)),FALSE)')

        def year_py(g: Getter) -> bool:
            got = part(g, "year")
            return bool(got and want_year and not region_py(g) and got != f"{int(want_year) % 100:02d}")

        out.append(LiveCheck(code, "project-code-format", "year", excel, year_py))
    return out


