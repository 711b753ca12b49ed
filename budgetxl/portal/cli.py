"""`budgetxl portal init|serve|import` and `budgetxl merge --ledger` (registered in budgetxl.cli).

Refusals are one line on stderr with exit code 2; import exits 1 when a file needs attention."""

from __future__ import annotations

import os
import sys
from enum import Enum
from pathlib import Path
from typing import Annotated, Optional

import typer

app = typer.Typer(
    name="portal", no_args_is_help=True, add_completion=False, rich_markup_mode=None,
    help="报送门户：台账、填报人员上传页面、市局报送情况 / Collection portal: ledger, upload pages, status board.",
    epilog="示例 / Examples:\n\n  budgetxl portal init 门户/ --units examples/xingtai-units.csv --year 2024\n\n"
    "  budgetxl portal serve 门户/\n\n  budgetxl portal import 门户/ 邮件附件/",
    context_settings={"help_option_names": ["-h", "--help"]},
)


class StageName(str, Enum):
    targets = "targets"
    monitor = "monitor"
    selfeval = "selfeval"


DbOpt = Annotated[Optional[str], typer.Option("--db", help="数据库 URL（默认 DIR/ledger.sqlite3），如 postgresql+psycopg://user:pw@host/db / database URL")]
StageOpt = Annotated[StageName, typer.Option("--stage", help="报送阶段 / stage: targets | monitor | selfeval")]


def _missing_extra() -> typer.Exit:
    typer.echo("门户需要可选依赖：pip install 'budgetxl[portal]' / the portal needs: pip install 'budgetxl[portal]'", err=True)
    return typer.Exit(2)


def _refuse(msg: str) -> typer.Exit:
    typer.echo(msg, err=True)
    return typer.Exit(2)


@app.command(epilog="示例 / Example:\n\n  budgetxl portal init 门户/ --units examples/xingtai-units.csv --year 2024\n\n"
             "  budgetxl portal init 门户/ --units 名单.csv --year 2025 --budget 预算.csv "
             "--db postgresql+psycopg://budgetxl:密码@127.0.0.1/budgetxl")
def init(
    folder: Annotated[Path, typer.Argument(help="门户目录 / portal folder")],
    units: Annotated[Path, typer.Option("--units", help="单位名单 CSV/XLSX / roster")],
    year: Annotated[int, typer.Option("--year", help="预算年度 / fiscal year")],
    budget: Annotated[Optional[Path], typer.Option("--budget", help="预算清单：按单位预填项目 / budget list to pre-fill projects")] = None,
    stage: StageOpt = StageName.targets,
    db: DbOpt = None,
    base_url: Annotated[str, typer.Option("--base-url", help="链接的网址前缀 / address the links start with")] = "http://127.0.0.1:8000",
) -> None:
    """建立台账，下发工作簿，写出 links.csv，最后一行打印管理员口令 / Create the ledger, issue workbooks, write links.csv, print the admin token last."""
    try:
        from .manage import SetupError, init_portal
    except ImportError:
        raise _missing_extra()
    from .engine import EngineError

    try:
        res = init_portal(folder, units, year, stage.value, budget, db, base_url)
    except (SetupError, EngineError) as exc:
        raise _refuse(str(exc))
    except Exception as exc:  # a database that cannot be reached, a folder that cannot be written
        raise _refuse(f"门户初始化失败：{_one_line(exc)}")
    for w in res.warnings:
        typer.echo(w)
    typer.echo(f"已下发 {len(res.issued)} 个工作簿到 {folder / '下发'}；链接和 API 令牌在 {res.links}（请妥善保管）。")
    typer.echo("启动：budgetxl portal serve " + str(folder) + ("" if not db else " （数据库地址已记在 portal.json）"))
    typer.echo("管理员口令（只显示这一次）/ admin token (shown once):")
    typer.echo(res.admin_token)


@app.command(epilog="示例 / Example:\n\n  budgetxl portal serve 门户/ --host 0.0.0.0 --port 8000 --workers 2")
def serve(
    folder: Annotated[Path, typer.Argument(help="门户目录 / portal folder")],
    db: DbOpt = None,
    host: Annotated[str, typer.Option("--host")] = "127.0.0.1",
    port: Annotated[int, typer.Option("--port")] = 8000,
    workers: Annotated[int, typer.Option("--workers", help="进程数 / worker processes")] = 1,
    max_upload_mb: Annotated[int, typer.Option("--max-upload-mb", help="上传文件大小上限 / upload limit")] = 20,
) -> None:
    """启动门户网站（uvicorn） / Run the portal web server (uvicorn)."""
    try:
        import uvicorn

        from .manage import SetupError, open_ledger
    except ImportError:
        raise _missing_extra()
    try:
        ledger = open_ledger(folder, db, migrate=True)  # once, before the workers start
        ledger.engine.dispose()
    except SetupError as exc:
        raise _refuse(str(exc))
    except Exception as exc:
        raise _refuse(f"无法打开台账：{_one_line(exc)}")
    os.environ["BUDGETXL_PORTAL_DIR"] = str(Path(folder).resolve())
    if db:
        os.environ["BUDGETXL_PORTAL_DB"] = db
    os.environ["BUDGETXL_PORTAL_MAX_UPLOAD"] = str(max_upload_mb * 2**20)
    typer.echo(f"门户：http://{host}:{port}/admin （Ctrl+C 停止）", err=True)
    uvicorn.run("budgetxl.portal.app:app_from_env", factory=True, host=host, port=port, workers=workers,
                log_level="warning", proxy_headers=False, server_header=False, timeout_graceful_shutdown=10)


@app.command("import", epilog="示例 / Example:\n\n  budgetxl portal import 门户/ 邮件附件/ 补交.zip")
def import_(
    folder: Annotated[Path, typer.Argument(help="门户目录 / portal folder")],
    inputs: Annotated[list[Path], typer.Argument(help="工作簿、文件夹或 .zip / workbooks, folders or zip archives")],
    stage: StageOpt = StageName.targets,
    db: DbOpt = None,
) -> None:
    """把邮件等方式收到的文件登记入台账（同样校验） / Enter files received by e-mail into the ledger, with the same checks."""
    try:
        from .manage import SetupError, import_files, open_ledger
    except ImportError:
        raise _missing_extra()
    from .engine import stage_refusal, AVAILABLE_STAGES

    if stage.value not in AVAILABLE_STAGES:
        raise _refuse(stage_refusal(stage.value))
    missing = [p for p in inputs if not p.exists()]
    if missing:
        raise _refuse(f"找不到文件：{missing[0]}")
    try:
        ledger = open_ledger(folder, db)
        lines = import_files(ledger, inputs, stage.value, f"import:{_user()}")
    except SetupError as exc:
        raise _refuse(str(exc))
    if not lines:
        raise _refuse("没有找到工作簿 / no workbook found")
    labels = {"valid": "已报送", "invalid": "校验未通过", "refused": "未登记"}
    for ln in lines:
        sid = f"#{ln.submission_id}" if ln.submission_id else ""
        typer.echo(f"{labels[ln.outcome]}\t{ln.unit or '-'}\t{sid}\t{ln.display}\t{ln.detail}")
    ok = sum(1 for ln in lines if ln.outcome == "valid")
    typer.echo(f"共 {len(lines)} 个文件：{ok} 个通过，{len(lines) - ok} 个需要处理。")
    raise typer.Exit(0 if ok == len(lines) else 1)


def merge_ledger(folder: Path, output: Path, data_dir: Path | None, stage: str = "targets", db: str | None = None,
                 lang: str = "zh") -> int:
    """`budgetxl merge --ledger DIR -o OUT.xlsx`: consolidate the current submissions."""
    try:
        from .manage import SetupError, consolidate, open_ledger
    except ImportError:
        raise _missing_extra()
    try:
        ledger = open_ledger(folder, db)
        res = consolidate(ledger, stage, output, data_dir, f"merge:{_user()}", lang)
    except SetupError as exc:
        raise _refuse(str(exc))
    s = res.summary
    typer.echo(f"应报 {s.get('expected')} 个单位，计入汇总 {s.get('counted')} 个，未报送 {len(s.get('missing', []))} 个；"
               f"预算数合计 {s.get('total')} 万元。")
    typer.echo(f"已生成：{output}")
    for p in res.data_files:
        typer.echo(f"已生成：{p}")
    return 0


def _user() -> str:
    try:
        import getpass

        return getpass.getuser()
    except Exception:
        return "unknown"


def _one_line(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()
    return (text[0] if text else type(exc).__name__)[:300]


if __name__ == "__main__":  # pragma: no cover
    app(sys.argv[1:])
