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
from typing import Annotated, Optional

import typer

from ..errors import BudgetxlError
from ..messages import message


def helptext(key: str) -> str:
    """A help text in both languages (help is read before any --lang applies)."""
    return f"{message(key, 'zh')} / {message(key, 'en')}"


def examples(*commands: str, single: bool = False) -> str:
    head = helptext("help.example" if single else "help.examples")
    return f"{head}:\n\n" + "\n\n".join(f"  {c}" for c in commands)


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

LangOpt = Annotated[Optional[Lang], typer.Option("--lang", help=helptext("help.lang"), show_default=False)]
TemplateOpt = Annotated[Optional[str], typer.Option("--template", help=helptext("help.template"))]
JobsOpt = Annotated[int, typer.Option("--jobs", "-j", help=helptext("help.jobs"))]


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
    return jobs or os.cpu_count() or 1


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


@app.callback()
def main_callback(lang: LangOpt = None) -> None:
    use_lang(lang)


def main() -> None:
    try:
        app()
    except KeyboardInterrupt:
        sys.exit(130)
    except OSError as exc:
        # A file-system error (a folder where a file should go, no space, no permission): one line,
        # exit 2, as for any file the user must fix. BUDGETXL_DEBUG=1 shows the traceback.
        if os.environ.get("BUDGETXL_DEBUG"):
            raise
        where = exc.filename or ""
        typer.echo(message("io-error", _state["lang"], path=where, detail=exc.strerror or str(exc)), err=True)
        sys.exit(2)
