"""A reader that dies: the stand-in the tests of the safety net put in place of a real one."""

from __future__ import annotations

import os
import time
from pathlib import Path
from typing import Any, Callable


def dying_on(real: Callable[..., Any], name: str, how: str = "abort") -> Callable[..., Any]:
    """``real``, except that called on the file named ``name`` (its first argument) it aborts its
    process (``how="abort"``) or hangs (``how="hang"``)."""
    def call(path: Any, *args: Any, **kw: Any) -> Any:
        if Path(path).name == name:
            if how == "abort":
                os.abort()
            time.sleep(3600)
        return real(path, *args, **kw)
    return call
