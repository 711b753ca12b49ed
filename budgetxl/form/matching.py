"""Pairing projects: which project of one list is which project of another.

One algorithm for everything that compares project lists: the issued-field check (issued
projects against a returned workbook), sync (a workbook against new issued data) and diff (two
submissions). First by code: among several projects with the code (a copied sheet), the one that
kept the name; then, for a project whose code is found nowhere, by name among those not yet paired
(the city changed the code). Unpaired ones come back as ``(i, None)`` and ``(None, j)``.
"""

from __future__ import annotations

from collections.abc import Sequence

Key = tuple[str | None, str | None]  # (code, name)


def match_projects(old: Sequence[Key], new: Sequence[Key]) -> list[tuple[int | None, int | None]]:
    by_code: dict[str, list[int]] = {}
    for i, (code, _) in enumerate(old):
        if code:
            by_code.setdefault(code, []).append(i)
    used: set[int] = set()
    pairs: dict[int, int] = {}
    for j, (code, name) in enumerate(new):
        candidates = [i for i in by_code.get(code or "", []) if i not in used]
        if candidates:
            i = next((i for i in candidates if old[i][1] == name), candidates[0])
            pairs[j] = i
            used.add(i)
    for j, (_, name) in enumerate(new):
        if j in pairs or not name:
            continue
        i = next((i for i, (_, other) in enumerate(old) if i not in used and other == name), None)
        if i is not None:
            pairs[j] = i
            used.add(i)
    out: list[tuple[int | None, int | None]] = [(pairs.get(j), j) for j in range(len(new))]
    out += [(i, None) for i in range(len(old)) if i not in used]
    return out


def keys(projects: Sequence) -> list[Key]:
    """(code, name) of model projects or of issued-data dicts."""
    return [(p.get("code"), p.get("name")) if isinstance(p, dict) else (p.code, p.name) for p in projects]
