"""What the portal's pages and API share: templates (Jinja2, autoescaped), the page language,
downloads, sizes."""

from __future__ import annotations

import re
from pathlib import Path
from urllib.parse import quote

from fastapi import Request
from fastapi.responses import HTMLResponse, Response
from jinja2 import Environment, FileSystemLoader, select_autoescape

from .engine import message

HERE = Path(__file__).resolve().parent
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def text(key: str, lang: str = "zh", **args) -> str:
    """A sentence of the pages (catalogue keys ``page.*``) in the page's language."""
    return message(f"page.{key}", lang, **args)


class TooLarge(Exception):
    pass


def human_size(n: int) -> str:
    return f"{n / 2**20:.0f} MB" if n >= 2**20 else f"{n / 1024:.0f} KB"


class Pages:
    """Jinja2 with autoescaping on for every template: workbook strings are always text."""

    def __init__(self):
        self.env = Environment(loader=FileSystemLoader(HERE / "templates"), autoescape=select_autoescape(default=True),
                               trim_blocks=True, lstrip_blocks=True)
        self.env.globals["t"] = text
        self.env.filters["when"] = lambda d: d.astimezone().strftime("%Y-%m-%d %H:%M:%S") if d else ""
        self.env.filters["size"] = human_size
        self.env.globals["field"] = _field_label

    def render(self, request: Request, name: str, http_status: int = 200, **ctx) -> HTMLResponse:
        lang = lang_of(request)
        html = self.env.get_template(name).render(lang=lang, request_path=request.url.path, **ctx)
        resp = HTMLResponse(html, status_code=http_status)
        if request.query_params.get("lang") in ("zh", "en"):
            resp.set_cookie("lang", lang, max_age=365 * 86400, samesite="strict", httponly=True)
        return resp


def _field_label(key: str, lang: str = "zh") -> str:
    from .engine import field_label

    return field_label(key, lang)


def with_reports(entries: list[dict], lang: str) -> list[dict]:
    """History entries (ledger.history) with their stored reports rendered in the page's language."""
    from .engine import report_data

    for h in entries:
        h["report"] = report_data(h["record"], lang)
    return entries


def lang_of(request: Request) -> str:
    lang = request.query_params.get("lang") or request.cookies.get("lang") or "zh"
    return "en" if lang == "en" else "zh"


def consolidated_name(year: int, stage: str, data: bool = False) -> str:
    """2024年汇总.xlsx for the targets; 2024年绩效运行监控表汇总.xlsx for a later stage."""
    form = "" if stage == "targets" else message(f"page.stage.{stage}", "zh")
    return f"{year}年{form}汇总数据.zip" if data else f"{year}年{form}汇总.xlsx"


def download(data: bytes, filename: str, media_type: str = XLSX) -> Response:
    # the UTF-8 name (filename*) is what browsers use; the ASCII one is a fallback for old clients
    ascii_name = re.sub(r"[^A-Za-z0-9._-]+", "_", filename).strip("_") or "download"
    disposition = f"attachment; filename=\"{ascii_name}\"; filename*=UTF-8''{quote(filename)}"
    return Response(data, media_type=media_type, headers={"Content-Disposition": disposition})
