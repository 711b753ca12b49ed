"""Consolidation (汇总): collect every county's workbook, decide which file counts for each unit,
and write the consolidated workbook and data files.

:func:`merge_files` reads every input once (files, folders, zip archives; in worker processes
when ``jobs > 1``) and returns a :class:`Consolidation`; its ``write()`` makes the outputs. So
``merge --strict`` looks at the result before anything is written, without reading twice.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

from ..errors import BudgetxlError, usage_error
from ..files.inputs import InputFile, collect_inputs
from ..files.lifetime import Scratch
from ..files.tables import RosterUnit
from ..form import Template, load_template
from .decide import Consolidation, UnitRow, decide
from .status import (STATUS_DUPLICATE, STATUS_INCLUDED_INVALID, STATUS_INVALID, STATUS_MISSING, STATUS_NOT_IN_ROSTER,
                     STATUS_OTHER_FORM, STATUS_SUBMITTED, STATUS_SUPERSEDED, STATUS_UNKNOWN_UNIT, STATUS_UNREADABLE,
                     status_text)
from .ingest import Ingested, crashed, ingest
from .readback import read_consolidated
from .write import reserve_outputs

Progress = Callable[[int, int, str], None]


def run_ingest(inputs: list[InputFile], template: Template | None, tables: Template, jobs: int = 1,
               progress: Progress | None = None, spool: str | None = None) -> list[Ingested]:
    """Ingest files in ``jobs`` worker processes, results in input order; a file whose reading
    kills or hangs its worker is refused in one line, the others go on."""
    from ..files.parallel import parallel_map

    return parallel_map(ingest, inputs, template, tables, spool, jobs=jobs, progress=progress,
                        label=lambda i: i.display, on_crash=crashed)


def merge_files(inputs: Iterable[str | os.PathLike[str] | InputFile], roster: list[RosterUnit] | None = None,
                prefer: Iterable[str | os.PathLike[str]] = (), include_invalid: bool = False,
                template: Template | None = None, jobs: int = 1, progress: Progress | None = None) -> Consolidation:
    """Read and validate every input once and decide what counts (nothing is written).

    An input is a path (a file, a folder searched recursively, a zip archive) or an
    :class:`InputFile`: a file with the name and time to show for it (the portal merges stored
    copies under the names they were sent with and the times they arrived).
    ``template`` validates every file (default: each file's own) and gives the consolidated
    columns (default: the form of the first readable input). A file of another stage's form (or
    another month's) is listed with the status ``other-form`` and never counted."""
    inputs = list(inputs)
    prefer = [str(p) for p in prefer]
    paths = [p for p in inputs if not isinstance(p, InputFile)]
    missing = [p for p in [*paths, *prefer] if not Path(p).exists()]
    if missing:
        raise BudgetxlError("file-not-found", path=str(missing[0]))
    spool = Scratch("spool")  # the entries' payloads, kept with the consolidation
    workdir = Scratch("merge")  # members of zip archives, while they are read
    try:
        files = [f for p in inputs for f in ([p] if isinstance(p, InputFile) else collect_inputs([p], workdir.path))]
        if paths and not files:  # (no input at all is an empty consolidation: every roster unit missing)
            raise usage_error("usage.no-workbook")
        tables = template or inputs_template(files)
        entries = run_ingest(files, template, tables, jobs, progress, spool.name)
    except BaseException:
        spool.cleanup()
        raise
    finally:
        workdir.cleanup()
    cons = decide(entries, roster, tables, prefer, include_invalid)
    cons.spool = spool
    return cons


def inputs_template(files: list[InputFile]) -> Template:
    """The form of a batch (its consolidated columns): the first readable input's, at its month
    (a batch of monitoring returns is consolidated as monitoring); the default form when none reads."""
    from ..files.safeparse import run_isolated

    for inp in files:
        if inp.error is not None:
            continue
        try:
            # in a child process, as the batch is read: a file that kills its reader is passed over
            return run_isolated(_template_of, inp.path, path=inp.display)
        except BudgetxlError:
            continue
    return load_template()


def _template_of(path: Path) -> Template:
    from ..form.template import document_template
    from ..workbook.documents import JSON_SUFFIXES, load_document
    from ..workbook.reader import read_workbook

    if path.suffix.lower() in JSON_SUFFIXES:
        return document_template(load_document(path))
    return read_workbook(path).template


@dataclass
class MergeResult:
    consolidation: Consolidation
    output: Path | None
    data_files: list[Path] = field(default_factory=list)


def check_output(output: str | os.PathLike[str] | None, inputs: Iterable[str | os.PathLike[str] | InputFile]) -> None:
    """Refuse to write the consolidated workbook over one of the inputs."""
    paths = [Path(p.path if isinstance(p, InputFile) else p) for p in inputs]
    if output is not None and Path(output).exists() and any(
            p.is_file() and p.resolve() == Path(output).resolve() for p in paths):
        raise BudgetxlError("output-is-input", path=str(output))


def merge(inputs: Iterable[str | os.PathLike[str]], output: str | os.PathLike[str] | None,
          roster: list[RosterUnit] | None = None, data_dir: str | os.PathLike[str] | None = None,
          include_invalid: bool = False, prefer: Iterable[str | os.PathLike[str]] = (),
          template: Template | None = None, jobs: int = 1, progress: Progress | None = None,
          lang: str = "zh", city: str | None = None) -> MergeResult:
    """merge_files, then write the outputs (the whole job in one call)."""
    inputs = list(inputs)
    check_output(output, inputs)
    with reserve_outputs(output, data_dir):
        cons = merge_files(inputs, roster, prefer, include_invalid, template, jobs, progress)
        try:
            written = cons.write(output, data_dir, lang, jobs, city)
        except BaseException:
            cons.spool.cleanup()  # (nothing to keep it for: the caller gets an error, not the consolidation)
            raise
    data = [p for p in written if output is None or p != Path(output)]
    return MergeResult(cons, Path(output) if output is not None else None, data)


__all__ = [
    "Consolidation", "Ingested", "InputFile", "MergeResult", "UnitRow", "check_output", "decide", "merge", "merge_files",
    "read_consolidated", "reserve_outputs", "status_text", "STATUS_DUPLICATE", "STATUS_INCLUDED_INVALID",
    "STATUS_INVALID", "STATUS_MISSING", "STATUS_NOT_IN_ROSTER", "STATUS_OTHER_FORM", "STATUS_SUBMITTED", "STATUS_SUPERSEDED",
    "STATUS_UNKNOWN_UNIT", "STATUS_UNREADABLE",
]
