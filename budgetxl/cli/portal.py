"""``budgetxl portal init | serve | import`` (and the ledger side of ``budgetxl merge --ledger``).

The commands call the portal's services (budgetxl.portal.manage); the web application runs under
uvicorn. Exit codes as for every command: 0 done, 1 done but a file or a unit needs attention
(import: a file not valid; init: a unit got no workbook; merge --ledger: a unit missing or
invalid), 2 nothing done (a refusal: one line on stderr). The portal's dependencies are an extra:
without them the commands say how to add them.
"""

from __future__ import annotations

import os
from enum import Enum
from pathlib import Path
from typing import Annotated, Optional

import typer

from ..errors import BudgetxlError, usage_error
from ..messages import message
from .app import (ATTENTION, DONE, LangOpt, app, check_paths, check_year, conflict, current_lang, examples, fail,
                  helptext, say, use_lang)

portal_app = typer.Typer(
    name="portal", no_args_is_help=True, add_completion=False, rich_markup_mode=None,
    help=helptext("help.portal"),
    epilog=examples("budgetxl portal init 门户/ --units examples/xingtai-units.csv --year 2024",
                    "budgetxl portal serve 门户/", "budgetxl portal import 门户/ 邮件附件/"),
    context_settings={"help_option_names": ["-h", "--help"]},
)
app.add_typer(portal_app, name="portal")


class StageName(str, Enum):
    targets = "targets"
    monitor = "monitor"
    selfeval = "selfeval"


FolderArg = Annotated[Path, typer.Argument(metavar="DIR", help=helptext("help.portal.folder"))]
DbOpt = Annotated[Optional[str], typer.Option("--db", metavar="URL", help=helptext("help.portal.db"))]
StageOpt = Annotated[StageName, typer.Option("--stage", metavar="targets|monitor|selfeval",
                                             help=helptext("help.portal.stage"))]


def refuse(text: str) -> typer.Exit:
    typer.echo(text, err=True)
    return typer.Exit(2)


def _manage():
    """The portal's services, or a one-line refusal when its extra is not installed."""
    try:
        from ..portal import manage
    except ImportError:
        raise refuse(message("portal.missing-extra", current_lang())) from None
    return manage


@portal_app.command(
    help=helptext("help.portal.init"),
    epilog=examples("budgetxl portal init 门户/ --units examples/xingtai-units.csv --year 2024",
                    "budgetxl portal init 门户/ --units 名单.csv --year 2025 --budget 预算.csv "
                    "--db postgresql+psycopg://budgetxl:密码@127.0.0.1/budgetxl",
                    "budgetxl portal init 门户/ --stage monitor --month 7",
                    "budgetxl portal init 门户/ --stage selfeval"),
)
def init(
    folder: FolderArg,
    units: Annotated[Optional[Path], typer.Option("--units", metavar="ROSTER", help=helptext("help.portal.units"))] = None,
    year: Annotated[Optional[int], typer.Option("--year", metavar="N", help=helptext("help.portal.year"))] = None,
    budget: Annotated[Optional[Path], typer.Option("--budget", metavar="BUDGET", help=helptext("help.portal.budget"))] = None,
    stage: StageOpt = StageName.targets,
    month: Annotated[Optional[int], typer.Option("--month", metavar="N", min=1, max=12,
                                                 help=helptext("help.portal.month"))] = None,
    from_: Annotated[Optional[Path], typer.Option("--from", metavar="SOURCE", help=helptext("help.portal.from"))] = None,
    db: DbOpt = None,
    base_url: Annotated[str, typer.Option("--base-url", metavar="URL", help=helptext("help.portal.base_url"))] = "http://127.0.0.1:8000",
    lang: LangOpt = None,
) -> None:
    lang_ = use_lang(lang)
    check_year(year)
    if month is not None and stage.value != "monitor":
        raise conflict("--month", f"--stage {stage.value}")
    if from_ is not None and stage.value == "targets":
        raise conflict("--from", "--stage targets")
    check_paths(inputs=[units, budget, from_], folders=[folder])
    manage = _manage()
    try:
        if stage.value != "targets" and manage.has_ledger(folder, db):
            opened = _open_stage(manage, folder, units, year, stage.value, month, from_, budget, db, lang_)
            raise typer.Exit(ATTENTION if opened.missing else DONE)  # (1: done, but some units got no workbook)
        if stage.value != "targets" and from_ is None:
            raise usage_error("portal.stage-from", stage=stage.value)
        if units is None or year is None:
            raise usage_error("portal.init-needs")
        res = manage.init_portal(folder, units, year, stage.value, budget, db, base_url, month, from_)
    except BudgetxlError as exc:
        raise fail(exc)
    except (typer.Exit, typer.Abort):
        raise
    except Exception as exc:  # a database that cannot be reached, a folder that cannot be written
        raise refuse(message("portal.init-failed", lang_, detail=_one_line(exc)))
    for w in res.warnings:
        typer.echo(w.render(lang_))
    for u in res.missing:
        say("stage.missing-unit", code=u.code, name=u.name)
    say("portal.init-done", n=len(res.issued), dir=str(folder / manage.ISSUED_DIR), links=str(res.links))
    say("portal.init-serve" if not db else "portal.init-serve-db", dir=str(folder))
    say("portal.admin-token")
    typer.echo(res.admin_token)  # alone on the last line
    # done, but a unit got no workbook (a later stage from --from) or something was said above
    raise typer.Exit(ATTENTION if res.warnings or res.missing else DONE)


def _open_stage(manage, folder: Path, units: Path | None, year: int | None, stage: str, month: int | None,
                source: Path | None, budget: Path | None, db: str | None, lang: str):
    """``portal init DIR --stage monitor|selfeval`` on an existing portal; the units that got no
    workbook (no current targets in the ledger or in --from) are listed."""
    ledger = manage.open_ledger(folder, db, migrate=True)
    if year is not None and year != ledger.year:
        raise BudgetxlError("portal.year-fixed", year=ledger.year, found=year)
    if units is not None:
        manage.same_roster(ledger, units)
    res = manage.open_stage(ledger, folder, stage, month, source, budget, f"init:{_user()}")
    for u in res.missing:
        say("portal.stage-missing-unit" if source is None else "stage.missing-unit", code=u.code, name=u.name)
    from ..portal.engine import Phrase

    say("portal.stage-done", name=Phrase(f"page.stage.{stage}").render(lang), n=len(res.issued),
        dir=str(folder / manage.ISSUED_DIR), links=str(folder / manage.LINKS))
    return res


@portal_app.command(
    help=helptext("help.portal.serve"),
    epilog=examples("budgetxl portal serve 门户/ --host 0.0.0.0 --port 8000 --workers 2", single=True),
)
def serve(
    folder: FolderArg,
    db: DbOpt = None,
    host: Annotated[str, typer.Option("--host", metavar="HOST", help=helptext("help.portal.host"))] = "127.0.0.1",
    port: Annotated[int, typer.Option("--port", metavar="N", help=helptext("help.portal.port"))] = 8000,
    workers: Annotated[int, typer.Option("--workers", metavar="N", help=helptext("help.portal.workers"))] = 1,
    max_upload_mb: Annotated[int, typer.Option("--max-upload-mb", metavar="N", help=helptext("help.portal.max_upload"))] = 20,
    lang: LangOpt = None,
) -> None:
    use_lang(lang)
    manage = _manage()
    import uvicorn

    try:
        ledger = manage.open_ledger(folder, db, migrate=True)  # once, before the workers start
        ledger.engine.dispose()
        manage.clear_upload_spool(folder)  # (what a killed portal left)
    except BudgetxlError as exc:
        raise fail(exc)
    except Exception as exc:
        raise refuse(message("portal.cannot-open", current_lang(), detail=_one_line(exc)))
    os.environ["BUDGETXL_PORTAL_DIR"] = str(Path(folder).resolve())
    if db:
        os.environ["BUDGETXL_PORTAL_DB"] = db
    os.environ["BUDGETXL_PORTAL_MAX_UPLOAD"] = str(max_upload_mb * 2**20)
    typer.echo(message("portal.serving", current_lang(), url=f"http://{host}:{port}/admin"), err=True)
    uvicorn.run("budgetxl.portal.app:app_from_env", factory=True, host=host, port=port, workers=workers,
                log_level="warning", proxy_headers=False, server_header=False, timeout_graceful_shutdown=10)


@portal_app.command(
    "import",
    help=helptext("help.portal.import"),
    epilog=examples("budgetxl portal import 门户/ 邮件附件/ 补交.zip", single=True),
)
def import_(
    folder: FolderArg,
    inputs: Annotated[list[Path], typer.Argument(metavar="FILES", help=helptext("help.portal.inputs"))],
    stage: Annotated[Optional[StageName], typer.Option("--stage", metavar="targets|monitor|selfeval",
                                                       help=helptext("help.portal.import_stage"))] = None,
    db: DbOpt = None,
    lang: LangOpt = None,
) -> None:
    lang_ = use_lang(lang)
    manage = _manage()
    from ..portal.engine import text

    missing = [p for p in inputs if not p.exists()]
    if missing:
        raise fail(BudgetxlError("file-not-found", path=str(missing[0])))
    try:
        ledger = manage.open_ledger(folder, db)
        lines = manage.import_files(ledger, inputs, stage.value if stage else None, f"import:{_user()}")
    except BudgetxlError as exc:
        raise fail(exc)
    if not lines:
        raise fail(usage_error("usage.no-workbook"))
    for ln in lines:
        sid = f"#{ln.submission_id}" if ln.submission_id else ""
        outcome = message(f"portal.outcome.{ln.outcome}", lang_)
        typer.echo(f"{outcome}\t{ln.unit or '-'}\t{sid}\t{ln.display}\t{text(ln.detail, lang_)}")
    ok = sum(1 for ln in lines if ln.outcome == "valid")
    say("portal.import-total", n=len(lines), ok=ok, bad=len(lines) - ok)
    raise typer.Exit(DONE if ok == len(lines) else ATTENTION)


def merge_ledger(folder: Path, output: Path, data_dir: Path | None, lang: str, stage: str = "targets",
                 city: str | None = None) -> int:
    """``budgetxl merge --ledger DIR [--stage S] -o OUT.xlsx``: consolidate the stage's current
    submissions, in the stage's form; the exit code of merge (1 when a unit is missing or its
    current submission is invalid)."""
    manage = _manage()
    try:
        ledger = manage.open_ledger(folder)
        res = manage.consolidate(ledger, stage, output, data_dir, f"merge:{_user()}", lang, city)
    except BudgetxlError as exc:
        raise fail(exc)
    from .render import render_merge_summary

    render_merge_summary(res.consolidation, res.written, lang)
    return ATTENTION if res.consolidation.needs_attention else DONE


def _user() -> str:
    try:
        import getpass

        return getpass.getuser()
    except Exception:
        return "unknown"


def _one_line(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()
    return (text[0] if text else type(exc).__name__)[:300]
