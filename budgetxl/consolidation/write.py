"""Writing a consolidation: the workbook and the data files, each in one pass over the spool."""

from __future__ import annotations

import contextlib
import os
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .datafiles import DataSink
from .sheets import WorkbookSink

if TYPE_CHECKING:  # (a Consolidation writes itself through this module)
    from .decide import Consolidation


def write_outputs(cons: Consolidation, output: str | os.PathLike[str] | None = None,
                  data_dir: str | os.PathLike[str] | None = None, lang: str = "zh", jobs: int = 1) -> list[Path]:
    """The consolidated workbook and/or the data files; with jobs > 1 the two are written by two
    processes at once. Everything is written atomically: on failure no half-written output is left."""
    if output is not None and data_dir is not None and jobs > 1:
        from concurrent.futures import ProcessPoolExecutor

        with ProcessPoolExecutor(max_workers=1) as pool:
            data_files = pool.submit(_write_sinks, cons, None, data_dir, lang)
            written = _write_sinks(cons, output, None, lang)
            return written + data_files.result()
    return _write_sinks(cons, output, data_dir, lang)


def _write_sinks(cons: Consolidation, output: Any, data_dir: Any, lang: str) -> list[Path]:
    with contextlib.ExitStack() as stack:
        sinks: list[Any] = []
        if output is not None:
            sinks.append(WorkbookSink(cons, output, stack, lang))
        if data_dir is not None:
            sinks.append(DataSink(cons, data_dir, stack))
        for data in cons.payloads():
            for sink in sinks:
                sink.add(data)
        written = [p for sink in sinks for p in sink.close()]
    return ([Path(output)] if output is not None else []) + written
