"""Fuzz cases as hypothesis draws them: a base workbook and one to three mutations.

A case is ``(base, ((mutator, params), ...))``: plain data, so it prints as a recipe, replays
exactly and can be stored as a regression (tests/corpus/fuzz-regressions.toml). Parameters come
from each mutator's own ``draw`` seeded by an integer hypothesis chooses (so hypothesis can shrink
a failing case to fewer steps, a simpler mutator and a smaller seed).
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from typing import Any

from hypothesis import strategies as st

from fuzz_bases import KINDS
from fuzz_mutators import MUTATORS, mutate

SUFFIX = {"xlsx": ".xlsx", "xls": ".xls", "ods": ".ods"}


@dataclass(frozen=True)
class Case:
    base: str
    steps: tuple[tuple[str, tuple[tuple[str, Any], ...]], ...]

    @property
    def suffix(self) -> str:
        return SUFFIX[KINDS[self.base]]

    def recipe(self) -> dict[str, Any]:
        return {"base": self.base, "steps": [[name, dict(params)] for name, params in self.steps]}

    def build(self, bases: dict[str, bytes]) -> bytes:
        return mutate(bases[self.base], [(name, dict(params)) for name, params in self.steps])


def applicable(base: str) -> list[str]:
    return sorted(name for name, m in MUTATORS.items() if KINDS[base] in m.kinds)


@st.composite
def cases(draw: st.DrawFn, available: tuple[str, ...], heavy: bool = True) -> Case:
    """A case on one of the ``available`` bases. Without ``heavy``, the mutations that build very
    large inputs (many rows, floods, fan-outs) keep to their small sizes."""
    base = draw(st.sampled_from(sorted(available)))
    names = applicable(base)
    steps = []
    for _ in range(draw(st.integers(1, 3))):
        name = draw(st.sampled_from(names))
        params = MUTATORS[name].draw(random.Random(draw(st.integers(0, 2**32 - 1))))
        if not heavy:
            params = _light(params)
        steps.append((name, tuple(sorted(params.items()))))
    return Case(base, tuple(steps))


_SMALL = {"rows": 100, "cells": 100, "count": 10, "size": 1000, "depth": 100, "length": 1000, "text": 100}


def _light(params: dict[str, Any]) -> dict[str, Any]:
    return {k: min(v, _SMALL[k]) if k in _SMALL and isinstance(v, int) and not isinstance(v, bool) else v
            for k, v in params.items()}
