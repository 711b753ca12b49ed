"""The ``budgetxl`` Typer app and what every command shares: the language, options, refusals.

Commands (one module per group) parse options, call the library (budgetxl.api) and render what
it returns. Messages are Chinese by default; ``--lang en`` (or BUDGETXL_LANG=en) switches to
English. A failure the user can fix prints one line on stderr and exits 2; never a traceback.
"""

from __future__ import annotations

import os
import sys
from enum import Enum
from pathlib import Path
from typing import Annotated, Any, Optional

import typer

from ..errors import BudgetxlError, usage_error
from ..messages import message


def helptext(key: str) -> str:
    """A help text in both languages (help is read before any --lang applies)."""
    return f"{message(key, 'zh')} / {message(key, 'en')}"


def examples(*commands: str, single: bool = False) -> str:
    head = helptext("help.example" if single else "help.examples")
    return f"{head}:\n\n" + "\n\n".join(f"  {c}" for c in commands)


def _plain_metavars() -> None:
    """Help shows an argument by its name (PATHS...), never by its Python type (<list[Path]>).
    Typer has no setting for it: its argument class is given these two methods (guarded, so an
    older Typer keeps its own)."""
    try:
        from typer.core import TyperArgument
    except ImportError:  # pragma: no cover
        return

    def shown(self: Any) -> str:
        name = self.display_name_raw
        return name + ("..." if self.nargs != 1 else "")

    if hasattr(TyperArgument, "display_type_rich"):
        TyperArgument.display_type_rich = lambda self, ctx: None
    if hasattr(TyperArgument, "_rich_display_name"):
        TyperArgument._rich_display_name = shown
    if hasattr(TyperArgument, "_usage_display_name"):
        TyperArgument._usage_display_name = lambda self: shown(self) if self.required else f"[{shown(self)}]"


_plain_metavars()

app = typer.Typer(
    name="budgetxl",
    help=f"{message('help.app', 'zh')}\n\n{message('help.app', 'en')}",
    no_args_is_help=True,
    add_completion=False,
    rich_markup_mode=None,
    pretty_exceptions_enable=False,
    context_settings={"help_option_names": ["-h", "--help"]},
)


class Lang(str, Enum):
    zh = "zh"
    en = "en"


class ReportFormat(str, Enum):
    text = "text"
    json = "json"


_state = {"lang": os.environ.get("BUDGETXL_LANG", "zh")}

# Exit codes, one scheme for every command
DONE = 0  # done, and everything was fine
ATTENTION = 1  # done, but something needs attention (see each command's help)
NOTHING_DONE = 2  # nothing done: a usage error, an unreadable single input, a refused output

LangOpt = Annotated[Optional[Lang], typer.Option("--lang", metavar="zh|en", help=helptext("help.lang"), show_default=False)]
TemplateOpt = Annotated[Optional[str], typer.Option("--template", metavar="ID|SPEC.toml", help=helptext("help.template"))]
JobsOpt = Annotated[int, typer.Option("--jobs", "-j", metavar="N", help=helptext("help.jobs"))]


def use_lang(lang: Lang | None) -> str:
    if lang is not None:
        _state["lang"] = lang.value
    return _state["lang"]


def current_lang() -> str:
    return _state["lang"]


def say(key: str, **args) -> None:
    typer.echo(message(key, _state["lang"], **args))


def fail(exc: BudgetxlError, code: int = 2) -> typer.Exit:
    typer.echo(exc.message(_state["lang"]), err=True)
    return typer.Exit(code)


def jobs_or_cores(jobs: int) -> int:
    if jobs < 0:
        raise fail(usage_error("usage.jobs", jobs=jobs))
    return jobs or os.cpu_count() or 1


YEARS = (2000, 2099)  # a fiscal year budgetxl accepts (project codes carry its last two digits)


def check_year(year: int | None) -> None:
    if year is not None and not YEARS[0] <= year <= YEARS[1]:
        raise fail(usage_error("usage.year", year=year, first=YEARS[0], last=YEARS[1]))


def conflict(first: str, second: str, why: str = "usage.conflict") -> typer.Exit:
    """Two options that cannot be given together: one line naming both."""
    return fail(usage_error(why, first=first, second=second))


def check_paths(inputs: list[Path | None] = (), files: list[tuple[Path | None, str]] = (),
                folders: list[Path | None] = (), others: list[Path] = ()) -> None:
    """The one check of a command's paths, before any work: every single input (``inputs``) is
    a file that exists; every output file (``files``: path and what is written: workbook, json,
    csv) and output folder passes budgetxl.files.outputs against all inputs (``inputs`` and
    ``others``: folders or batches, which may hold anything)."""
    from ..files.outputs import check_input_file, check_output_file, check_output_folder

    given = [p for p in inputs if p is not None]
    read = [*given, *others]
    try:
        for p in given:
            check_input_file(p)
        for p, kind in files:
            if p is not None:
                check_output_file(p, kind, read)
        for p in folders:
            if p is not None:
                check_output_folder(p, read)
    except BudgetxlError as exc:
        raise fail(exc)


def template_option(ref: str | None):
    """The template named by --template (None: each document's own, or the default)."""
    from ..api import load_template

    return load_template(ref) if ref else None


def emit(text: str, output: Path | None) -> None:
    if output is None:
        sys.stdout.reconfigure(encoding="utf-8")  # type: ignore[attr-defined]
        sys.stdout.write(text.lstrip("\ufeff"))
    else:
        from ..files.atomic import write_text_atomic

        write_text_atomic(output, text)


class progress_bar:
    """A rich progress bar on stderr, only when stderr is a terminal."""

    def __init__(self, lang: str):
        self.lang = lang
        self.bar = None
        self.task = None

    def __enter__(self):
        if not sys.stderr.isatty():
            return None
        from rich.console import Console
        from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

        self.bar = Progress(TextColumn(message("progress.reading", self.lang)), BarColumn(), MofNCompleteColumn(),
                            TimeRemainingColumn(), console=Console(stderr=True), transient=True)
        self.bar.start()
        self.task = self.bar.add_task("", total=None)
        return self.update

    def update(self, done: int, total: int, name: str) -> None:
        self.bar.update(self.task, completed=done, total=total)

    def __exit__(self, *exc):
        if self.bar is not None:
            self.bar.stop()
        return False


def _show_version(value: bool) -> None:
    if value:
        from ..version import __version__

        typer.echo(f"budgetxl {__version__}")
        raise typer.Exit(0)


@app.callback()
def main_callback(
    lang: LangOpt = None,
    version: Annotated[bool, typer.Option("--version", callback=_show_version, is_eager=True,
                                          help=helptext("help.version"))] = False,
) -> None:
    use_lang(lang)


def _lang_from_argv(argv: list[str]) -> None:
    """The run's language as the command line gives it, known before Click parses anything (so
    that a usage error is said in it)."""
    for i, arg in enumerate(argv):
        value = arg.split("=", 1)[1] if arg.startswith("--lang=") else argv[i + 1] if arg == "--lang" and i + 1 < len(
            argv) else None
        if value in ("zh", "en"):
            _state["lang"] = value


def main() -> None:
    """The console script: one line and exit 2 for a usage error, never a traceback."""
    from .usage import click_error, click_exceptions

    ex = click_exceptions()
    argv = sys.argv[1:]
    _lang_from_argv(argv)
    try:
        code = typer.main.get_command(app).main(args=argv, prog_name="budgetxl", standalone_mode=False)
    except ex.NoArgsIsHelpError as exc:
        typer.echo(exc.format_message())
        code = NOTHING_DONE
    except ex.UsageError as exc:
        typer.echo(click_error(exc, argv).message(_state["lang"]), err=True)
        code = NOTHING_DONE
    except (KeyboardInterrupt, typer.Abort):
        code = 130
    except OSError as exc:
        # A file-system error (no space, no permission): one line, exit 2, as for any file the user
        # must fix. BUDGETXL_DEBUG=1 shows the traceback.
        if os.environ.get("BUDGETXL_DEBUG"):
            raise
        typer.echo(os_error(exc).message(_state["lang"]), err=True)
        code = NOTHING_DONE
    sys.exit(code if isinstance(code, int) else DONE)


def os_error(exc: OSError) -> BudgetxlError:
    """An operating-system error as a catalogue sentence (the system's own text is English)."""
    import errno

    names = {errno.ENOENT: "not-found", errno.EISDIR: "is-dir", errno.ENOTDIR: "not-dir", errno.EACCES: "denied",
             errno.EPERM: "denied", errno.ENOSPC: "no-space", errno.EROFS: "read-only", errno.EEXIST: "exists"}
    reason = BudgetxlError(f"oserror.{names.get(exc.errno, 'other')}", code=exc.errno or "")
    return BudgetxlError("io-error", path=exc.filename or "", detail=reason)
