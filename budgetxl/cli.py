"""The ``budgetxl`` command line: parse options, call the library, render the result.

Messages are Chinese by default; ``--lang en`` (or BUDGETXL_LANG=en) switches to English.
A failure the user can fix prints one line on stderr and exits 2; never a traceback.
"""

from __future__ import annotations

import os
import sys
from enum import Enum
from pathlib import Path
from typing import Annotated, Optional

import typer

from .findings import BudgetxlError
from .i18n import message

app = typer.Typer(
    name="budgetxl",
    help="预算绩效目标表：下发、读取、校验、汇总 Excel 工作簿。\n\n"
    "Budget performance targets in Excel: issue, read, validate and consolidate unit workbooks.",
    no_args_is_help=True,
    add_completion=False,
    rich_markup_mode=None,
    pretty_exceptions_enable=False,
    context_settings={"help_option_names": ["-h", "--help"]},
)


class Lang(str, Enum):
    zh = "zh"
    en = "en"


class ReadFormat(str, Enum):
    json = "json"
    csv = "csv"


_state = {"lang": os.environ.get("BUDGETXL_LANG", "zh")}

LangOpt = Annotated[
    Optional[Lang],
    typer.Option("--lang", help="输出语言 / message language (zh, en)", show_default=False),
]


TemplateOpt = Annotated[
    Optional[str], typer.Option("--template", help="模板 id 或 .toml 路径 / template id or spec path")
]
JobsOpt = Annotated[int, typer.Option("--jobs", "-j", help="并行进程数（默认 CPU 核数） / worker processes (default: cores)")]


def _lang(lang: Lang | None) -> str:
    if lang is not None:
        _state["lang"] = lang.value
    return _state["lang"]


def say(key: str, **args) -> None:
    typer.echo(message(key, _state["lang"], **args))


def fail(exc: BudgetxlError, code: int = 2) -> typer.Exit:
    typer.echo(exc.message(_state["lang"]), err=True)
    return typer.Exit(code)


@app.callback()
def main_callback(lang: LangOpt = None) -> None:
    _lang(lang)


# ---- generate --------------------------------------------------------------------------------

@app.command(
    epilog="示例 / Examples:\n\n"
    "  budgetxl generate --prefill examples/juluxian-2024.json -o 巨鹿县.xlsx\n\n"
    "  budgetxl generate --units examples/xingtai-units.csv --year 2024 -o out/",
)
def generate(
    output: Annotated[Path, typer.Option("-o", "--output", help="输出文件（--prefill）或目录（--units） / output file or folder")],
    prefill: Annotated[Optional[Path], typer.Option("--prefill", help="提交文档 JSON，生成一个预填工作簿 / submission JSON to pre-fill one workbook")] = None,
    units: Annotated[Optional[Path], typer.Option("--units", help="单位名单 CSV/XLSX，每个单位一个空白工作簿 / roster: one blank workbook per unit")] = None,
    year: Annotated[Optional[int], typer.Option("--year", help="预算年度 / fiscal year (with --units)")] = None,
    template: TemplateOpt = None,
    jobs: JobsOpt = 0,
    lang: LangOpt = None,
) -> None:
    """生成工作簿 / Generate unit workbooks (pre-filled from a document, or blank from a roster)."""
    _lang(lang)
    from .template import TemplateError, load_template

    if (prefill is None) == (units is None):
        raise fail(BudgetxlError("usage", detail="--prefill 与 --units 二选一 / give exactly one of --prefill, --units"))
    try:
        if prefill is not None:
            from .validate import check_document
            from .writer import generate_workbook

            doc = load_document(prefill)
            tpl = load_template(template or _builtin_or_default(doc.template.id))
            findings = check_document(doc, tpl)
            if findings:
                say("prefill-warnings", n=len(findings))
                for f in findings:
                    typer.echo(f"  [{f.rule}] {f.sheet or ''}{'!' + f.cell if f.cell else ''} {f.message(_state['lang'])}")
            generate_workbook(doc, output, tpl)
            say("generated", path=str(output))
        else:
            from .roster import load_roster
            from .writer import generate_for_roster

            if year is None:
                raise BudgetxlError("usage", detail="--units 需要 --year / --units needs --year")
            tpl = load_template(template)
            paths = generate_for_roster(load_roster(units), year, output, tpl, jobs=jobs or os.cpu_count() or 1)
            say("generated-n", n=len(paths), dir=str(output))
    except TemplateError as exc:
        raise fail(BudgetxlError("bad-template", detail=str(exc)))
    except BudgetxlError as exc:
        raise fail(exc)


def _builtin_or_default(tid: str) -> str | None:
    from .template import builtin_templates

    return tid if tid in builtin_templates() else None


def load_document(path: Path):
    from pydantic import ValidationError

    from .model import Submission

    try:
        return Submission.from_json(path.read_bytes())
    except FileNotFoundError:
        raise BudgetxlError("file-not-found", path=str(path)) from None
    except (ValueError, ValidationError) as exc:
        detail = str(exc).splitlines()[0][:200]
        if isinstance(exc, ValidationError):
            err = exc.errors()[0]
            detail = f"{'.'.join(str(x) for x in err['loc'])}: {err['msg']}"
        raise BudgetxlError("bad-json", path=str(path), detail=detail) from None


# ---- read ------------------------------------------------------------------------------------

@app.command(
    epilog="示例 / Examples:\n\n"
    "  budgetxl read 巨鹿县.xlsx > 巨鹿县.json\n\n"
    "  budgetxl read 巨鹿县.xlsx --format csv -o 指标.csv",
)
def read(
    workbook: Annotated[Path, typer.Argument(help="单位工作簿 / a unit workbook (xlsx, xlsm, xls, ods)")],
    format: Annotated[ReadFormat, typer.Option("--format", help="json：提交文档；csv：指标行 / json document or csv indicator rows")] = ReadFormat.json,
    output: Annotated[Optional[Path], typer.Option("-o", "--output", help="输出文件（默认标准输出） / output file (default stdout)")] = None,
    template: TemplateOpt = None,
    lang: LangOpt = None,
) -> None:
    """读取工作簿，输出提交文档 / Read a workbook into the submission document."""
    _lang(lang)
    from .safeparse import run_isolated
    from .template import load_template

    try:
        tpl = load_template(template) if template else None
        # in a child process: a file that kills its reader is refused in one line like any other
        text = run_isolated(_read_text, workbook, tpl, format, path=str(workbook))
    except BudgetxlError as exc:
        raise fail(exc)
    _emit(text, output)


def _read_text(workbook: Path, tpl, format: ReadFormat) -> str:
    """The output of ``read``: the document as JSON, or its indicator rows as CSV."""
    from .reader import read_workbook

    doc = read_workbook(workbook, tpl).doc
    if format is ReadFormat.json:
        return doc.to_json() + "\n"
    from .consolidated import indicator_rows
    from .csvout import rows_to_csv

    return rows_to_csv(indicator_rows(doc), INDICATOR_CSV_COLUMNS)


INDICATOR_CSV_COLUMNS = [
    "unit_code", "unit_name", "project_code", "project_name", "level1", "level2", "name",
    "description", "value", "op", "number", "unit", "kind", "basis",
]


def _emit(text: str, output: Path | None) -> None:
    if output is None:
        sys.stdout.reconfigure(encoding="utf-8")  # type: ignore[attr-defined]
        sys.stdout.write(text.lstrip("\ufeff"))
    else:
        from .fileio import write_text_atomic

        write_text_atomic(output, text)


# ---- validate --------------------------------------------------------------------------------

class ReportFormat(str, Enum):
    text = "text"
    json = "json"


@app.command(
    epilog="示例 / Examples:\n\n"
    "  budgetxl validate 收件箱/ --annotate 退回/\n\n"
    "  budgetxl validate 巨鹿县.xlsx --format json\n\n"
    "退出码 / exit code: 0 无错误 no errors; 1 有错误 errors found; 2 文件无法读取或用法错误 unreadable file or misuse.",
)
def validate(
    paths: Annotated[list[Path], typer.Argument(help="工作簿或文件夹（递归查找） / workbooks or folders (searched recursively)")],
    format: Annotated[ReportFormat, typer.Option("--format", help="text 或 json / report format")] = ReportFormat.text,
    annotate: Annotated[Optional[Path], typer.Option("--annotate", help="把标注了问题的副本写入此目录 / write annotated copies here")] = None,
    template: TemplateOpt = None,
    jobs: JobsOpt = 0,
    lang: LangOpt = None,
) -> None:
    """校验工作簿，可生成退回修改的标注副本 / Validate workbooks; optionally write annotated copies."""
    lang_ = _lang(lang)
    from .template import TemplateError, load_template
    from .validate import reports_json, validate_paths

    try:
        tpl = load_template(template) if template else None
    except TemplateError as exc:
        raise fail(BudgetxlError("bad-template", detail=str(exc)))
    missing = [p for p in paths if not p.exists()]
    with _progress(lang_) as progress:
        reports = validate_paths([p for p in paths if p.exists()], tpl, jobs=jobs or os.cpu_count() or 1,
                                 progress=progress)
    if not reports and not missing:
        raise fail(BudgetxlError("usage", detail="没有找到工作簿 / no workbook found"))
    for p in missing:
        from .validate import FileReport

        reports.append(FileReport(str(p), error=BudgetxlError("file-not-found", path=str(p))))
    annotated = []
    failed = 0
    if annotate is not None:
        from .annotate import annotate as annotate_file

        taken: set[str] = set()
        for r in reports:
            if r.readable:
                try:
                    annotated.append((r.path, annotate_file(r, annotate, lang_, taken)))
                except Exception as exc:  # one bad file must not stop the batch
                    failed += 1
                    detail = getattr(exc, "strerror", None) or str(exc)
                    typer.echo(message("io-error", lang_, path=r.path, detail=detail), err=True)
    if format is ReportFormat.json:
        _emit(reports_json(reports, lang_) + "\n", None)
    else:
        from .report import render_reports

        render_reports(reports, lang_, annotated)
    for r in reports:
        if r.error is not None:
            typer.echo(r.error.message(lang_) if isinstance(r.error, BudgetxlError) else str(r.error), err=True)
    if any(not r.readable for r in reports) or failed:
        raise typer.Exit(2)
    raise typer.Exit(0 if all(r.valid for r in reports) else 1)


# ---- merge -----------------------------------------------------------------------------------

@app.command(
    epilog="示例 / Examples:\n\n"
    "  budgetxl merge 收件箱/ 补交.zip -o 汇总.xlsx --units examples/xingtai-units.csv\n\n"
    "  budgetxl merge 收件箱/ -o 汇总.xlsx --data-dir 数据/ --include-invalid\n\n"
    "退出码 / exit code: 0 完成 done; 1 --strict 且有无效或缺报 strict and invalid/missing; 2 用法或文件错误 misuse.",
)
def merge(
    inputs: Annotated[list[Path], typer.Argument(help="工作簿、文件夹（递归）或 .zip / workbooks, folders (recursive) or .zip archives")],
    output: Annotated[Path, typer.Option("-o", "--output", help="汇总工作簿 / consolidated workbook to write")],
    units: Annotated[Optional[Path], typer.Option("--units", help="单位名单，用于统计未报送 / roster, to track missing units")] = None,
    data_dir: Annotated[Optional[Path], typer.Option("--data-dir", help="另存项目表和指标表（CSV、Parquet、JSON） / also write data files here")] = None,
    strict: Annotated[bool, typer.Option("--strict", help="有无效文件或缺报时不输出，退出码 1 / write nothing and exit 1 when anything is invalid or missing")] = False,
    include_invalid: Annotated[bool, typer.Option("--include-invalid", help="校验未通过的也计入（标红） / count invalid submissions too (flagged)")] = False,
    prefer: Annotated[Optional[list[Path]], typer.Option("--prefer", help="同一单位多个文件时以此文件为准 / use this file for its unit")] = None,
    jobs: JobsOpt = 0,
    template: TemplateOpt = None,
    lang: LangOpt = None,
) -> None:
    """汇总各单位工作簿 / Consolidate unit workbooks into one workbook (and data files)."""
    lang_ = _lang(lang)
    from .merge import merge as run_merge
    from .roster import load_roster
    from .template import TemplateError, load_template

    try:
        tpl = load_template(template) if template else None
        roster = load_roster(units) if units else None
        with _progress(lang_) as progress:
            result = run_merge(inputs, None if strict else output, roster, None if strict else data_dir,
                               strict=strict, include_invalid=include_invalid, prefer=[str(p) for p in prefer or []],
                               template=tpl, jobs=jobs or os.cpu_count() or 1, progress=progress, lang=lang_)
        if strict and not result.strict_failed:
            result = run_merge(inputs, output, roster, data_dir, include_invalid=include_invalid,
                               prefer=[str(p) for p in prefer or []], template=tpl, jobs=jobs or os.cpu_count() or 1,
                               lang=lang_)
    except TemplateError as exc:
        raise fail(BudgetxlError("bad-template", detail=str(exc)))
    except BudgetxlError as exc:
        raise fail(exc)
    from .report import render_merge_summary

    render_merge_summary(result, lang_)
    raise typer.Exit(1 if result.strict_failed else 0)


class _progress:
    """A rich progress bar on stderr, only when stderr is a terminal."""

    def __init__(self, lang: str):
        self.lang = lang
        self.bar = None

    def __enter__(self):
        if not sys.stderr.isatty():
            return None
        from rich.console import Console
        from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

        self.bar = Progress(TextColumn("读取" if self.lang != "en" else "Reading"), BarColumn(), MofNCompleteColumn(),
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


# ---- sync, split, diff -------------------------------------------------------------------------

@app.command(
    epilog="示例 / Examples:\n\n"
    "  budgetxl sync 巨鹿县.xlsx --from 调整后下达.json -o 巨鹿县_已同步.xlsx\n\n"
    "  budgetxl sync 巨鹿县.xlsx --from 调整后下达.json --in-place",
)
def sync(
    workbook: Annotated[Path, typer.Argument(help="县里正在填报的工作簿 / the county's in-progress workbook")],
    from_: Annotated[Path, typer.Option("--from", help="新的下达数据（提交文档 JSON） / new issued values (submission JSON)")],
    output: Annotated[Optional[Path], typer.Option("-o", "--output", help="输出工作簿 / workbook to write")] = None,
    in_place: Annotated[bool, typer.Option("--in-place", help="直接改写原文件（先备份） / rewrite the input, keeping a backup")] = False,
    template: TemplateOpt = None,
    lang: LangOpt = None,
) -> None:
    """把新的下达数据同步进县里的工作簿，保留已填内容 / Push new issued values into a workbook, keeping what was filled."""
    lang_ = _lang(lang)
    from .changes import sync_workbook
    from .template import TemplateError, load_template

    if output is None and not in_place:
        raise fail(BudgetxlError("usage", detail="需要 -o 或 --in-place / give -o OUT or --in-place"))
    try:
        issued = load_document(from_)
        res = sync_workbook(workbook, issued, output, in_place, load_template(template) if template else None)
    except TemplateError as exc:
        raise fail(BudgetxlError("bad-template", detail=str(exc)))
    except BudgetxlError as exc:
        raise fail(exc)
    except ValueError as exc:
        raise fail(BudgetxlError("usage", detail=str(exc)))
    for c in res.changes:
        typer.echo(c.text(lang_))
    if not res.changes:
        typer.echo("下达数据没有变化" if lang_ != "en" else "No issued value changed")
    if res.backup:
        typer.echo(("备份：" if lang_ != "en" else "Backup: ") + str(res.backup))
    say("generated", path=str(res.output))


@app.command(
    epilog="示例 / Examples:\n\n"
    "  budgetxl split 2024汇总.xlsx -o 2025下发/ --year 2025 --budget 2025预算.csv",
)
def split(
    consolidated: Annotated[Path, typer.Argument(help="merge 生成的汇总工作簿 / a consolidated workbook from merge")],
    output: Annotated[Path, typer.Option("-o", "--output", help="输出目录 / output folder")],
    year: Annotated[Optional[int], typer.Option("--year", help="新的预算年度（默认不变） / next fiscal year (default: unchanged)")] = None,
    budget: Annotated[Optional[Path], typer.Option("--budget", help="新预算清单 CSV/XLSX：unit_code,project_code,project_name,total,fiscal,other")] = None,
    template: TemplateOpt = None,
    lang: LangOpt = None,
) -> None:
    """把汇总工作簿拆回各单位的预填工作簿 / Split a consolidated workbook into pre-filled unit workbooks."""
    lang_ = _lang(lang)
    from .changes import split_consolidated
    from .template import TemplateError, load_template

    try:
        res = split_consolidated(consolidated, output, year, budget, load_template(template) if template else None)
    except TemplateError as exc:
        raise fail(BudgetxlError("bad-template", detail=str(exc)))
    except BudgetxlError as exc:
        raise fail(exc)
    for code, changes in res.changes.items():
        for c in changes:
            typer.echo(f"{code}: {c.text(lang_)}")
    say("generated-n", n=len(res.outputs), dir=str(output))


@app.command(
    epilog="示例 / Examples:\n\n"
    "  budgetxl diff 巨鹿县_第一次.xlsx 巨鹿县_修改版.xlsx\n\n"
    "  budgetxl diff 2024.json 2025.xlsx --format json",
)
def diff(
    old: Annotated[Path, typer.Argument(help="旧的工作簿或 JSON / old workbook or JSON")],
    new: Annotated[Path, typer.Argument(help="新的工作簿或 JSON / new workbook or JSON")],
    format: Annotated[ReportFormat, typer.Option("--format", help="text 或 json")] = ReportFormat.text,
    lang: LangOpt = None,
) -> None:
    """比较两次报送或两个年度 / What changed between two submissions or two years."""
    lang_ = _lang(lang)
    from .changes import diff_documents, load_any

    try:
        result = diff_documents(load_any(old), load_any(new))
    except BudgetxlError as exc:
        raise fail(exc)
    if format is ReportFormat.json:
        import json

        _emit(json.dumps(result, ensure_ascii=False, indent=2, default=str) + "\n", None)
    else:
        from .report import render_diff

        render_diff(result, lang_)


# ---- demo ------------------------------------------------------------------------------------

@app.command(epilog="示例 / Example:\n\n  budgetxl demo -o budgetxl-demo")
def demo(
    output: Annotated[Path, typer.Option("-o", "--output", help="输出目录 / output folder")] = Path("budgetxl-demo"),
    lang: LangOpt = None,
) -> None:
    """用内置示例跑一遍完整流程 / Run the cycle end to end on the bundled example."""
    _lang(lang)
    from .demo import run_demo

    try:
        report = run_demo(output, lang=_state["lang"])
    except BudgetxlError as exc:
        raise fail(exc)
    from .report import render_merge_summary

    render_merge_summary(report.merge, _state["lang"])
    for line in report.lines(_state["lang"]):
        typer.echo(line)
    say("demo-done", dir=str(output))


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


if __name__ == "__main__":
    main()
