"""Writing a consolidation: the workbook and the data files, each in one pass over the spool,
published together (files.publish): a run killed or failing at any moment leaves the previous
workbook and data files as they were, and a second run for the same outputs waits or refuses."""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..files.lifetime import die_with_parent, sweep_scratch
from ..files.publish import Output, file_output, folder_output, publishing, reserved
from .datafiles import DATA_FILES, DataSink
from .sheets import WorkbookSink

if TYPE_CHECKING:  # (a Consolidation writes itself through this module)
    from .decide import Consolidation


def outputs_of(output: str | os.PathLike[str] | None, data_dir: str | os.PathLike[str] | None) -> list[Output]:
    """The workbook and the data folder, as files.publish locks and publishes them."""
    return ([file_output(output)] if output is not None else []) + (
        [folder_output(data_dir, DATA_FILES)] if data_dir is not None else [])


@contextlib.contextmanager
def reserve_outputs(output: str | os.PathLike[str] | None,
                    data_dir: str | os.PathLike[str] | None = None) -> Iterator[None]:
    """Hold the outputs for a whole merge, taken before any work: a folder that cannot be written
    or an output another run is writing is refused at once (one line, BudgetxlError); what a
    killed run left (a half publish, temp files, scratch folders in the temp dir) is cleaned up."""
    sweep_scratch()
    with reserved(outputs_of(output, data_dir)):
        yield


def write_outputs(cons: Consolidation, output: str | os.PathLike[str] | None = None,
                  data_dir: str | os.PathLike[str] | None = None, lang: str = "zh", jobs: int = 1,
                  city: str | None = None) -> list[Path]:
    """The consolidated workbook and/or the data files; with jobs > 1 the two are written by two
    processes at once. All of them are published together or none is (files.publish)."""
    outputs = outputs_of(output, data_dir)
    with publishing(outputs) as pub:
        if output is not None and data_dir is not None and jobs > 1:
            from concurrent.futures import ProcessPoolExecutor

            with ProcessPoolExecutor(max_workers=1, initializer=die_with_parent, initargs=(os.getpid(),)) as pool:
                data_files = pool.submit(_write_sinks, cons, None, data_dir, lang, pub.temps)
                _write_sinks(cons, output, None, lang, pub.temps, city)
                data_files.result()
        else:
            _write_sinks(cons, output, data_dir, lang, pub.temps, city)
    return [f for o in outputs for f in o.finals]


def _write_sinks(cons: Consolidation, output: Any, data_dir: Any, lang: str, temps: dict[Path, Path],
                 city: str | None = None) -> None:
    with contextlib.ExitStack() as stack:
        sinks: list[Any] = []
        if output is not None:
            sinks.append(WorkbookSink(cons, temps[Path(output)], stack, lang, city))
        if data_dir is not None:
            sinks.append(DataSink(cons, data_dir, stack, temps))
        for data in cons.payloads():
            for sink in sinks:
                sink.add(data)
        for sink in sinks:
            sink.close()
