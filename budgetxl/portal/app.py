"""The FastAPI application: pages for clerks and the city, the JSON API, and what every
response shares (security headers, the upload size limit, templates, downloads)."""

from __future__ import annotations

import os
import re
from pathlib import Path
from urllib.parse import quote

from fastapi import FastAPI, Request
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from jinja2 import Environment, FileSystemLoader, select_autoescape
from starlette.exceptions import HTTPException as StarletteHTTPException

from .ledger import DEFAULT_MAX_UPLOAD, Ledger
from .security import SECURITY_HEADERS
from .texts import text

HERE = Path(__file__).resolve().parent
BODY_OVERHEAD = 256 * 1024  # multipart boundaries and the other form fields
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


class TooLarge(Exception):
    pass


class LimitBody:
    """ASGI middleware: refuse a request body above the limit before reading it (Content-Length)
    or as soon as it passes the limit (chunked), and set the security headers on every response."""

    def __init__(self, app, limit: int):
        self.app, self.limit = app, limit + BODY_OVERHEAD

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        headers = dict(scope.get("headers") or [])
        declared = headers.get(b"content-length")
        if declared is not None and declared.isdigit() and int(declared) > self.limit:
            return await _too_large(scope, send)
        seen = 0

        async def limited():
            nonlocal seen
            message = await receive()
            if message["type"] == "http.request":
                seen += len(message.get("body", b""))
                if seen > self.limit:
                    raise TooLarge()
            return message

        async def secured(message):
            if message["type"] == "http.response.start":
                have = {k.lower() for k, _ in message.get("headers", [])}
                extra = [(k.lower().encode(), v.encode()) for k, v in SECURITY_HEADERS.items()
                         if k.lower().encode() not in have]
                message = {**message, "headers": [*message.get("headers", []), *extra]}
            await send(message)

        await self.app(scope, limited, secured)


async def _too_large(scope, send) -> None:
    body = b'{"detail": "\\u6587\\u4ef6\\u592a\\u5927 / file too large"}'
    await send({"type": "http.response.start", "status": 413, "headers": [
        (b"content-type", b"application/json"), (b"connection", b"close"),
        *[(k.lower().encode(), v.encode()) for k, v in SECURITY_HEADERS.items()]]})
    await send({"type": "http.response.body", "body": body})


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


def lang_of(request: Request) -> str:
    lang = request.query_params.get("lang") or request.cookies.get("lang") or "zh"
    return "en" if lang == "en" else "zh"


def download(data: bytes, filename: str, media_type: str = XLSX) -> Response:
    # the UTF-8 name (filename*) is what browsers use; the ASCII one is a fallback for old clients
    ascii_name = re.sub(r"[^A-Za-z0-9._-]+", "_", filename).strip("_") or "download"
    disposition = f"attachment; filename=\"{ascii_name}\"; filename*=UTF-8''{quote(filename)}"
    return Response(data, media_type=media_type, headers={"Content-Disposition": disposition})


def create_app(ledger: Ledger, max_upload: int = DEFAULT_MAX_UPLOAD) -> FastAPI:
    from . import admin, api, clerk

    app = FastAPI(title="budgetxl portal", docs_url=None, redoc_url=None, openapi_url=None)
    app.state.ledger = ledger
    from .engine import intake_max_bytes

    app.state.max_upload = min(max_upload, intake_max_bytes())  # never above what intake would read
    app.state.pages = Pages()
    app.state.css = (HERE / "static" / "portal.css").read_bytes()
    app.include_router(api.router)
    app.include_router(clerk.router)
    app.include_router(admin.router)

    @app.get("/static/portal.css", include_in_schema=False)
    def css() -> Response:  # one fixed file from memory: no client path reaches the file system
        return Response(app.state.css, media_type="text/css", headers={"Cache-Control": "max-age=3600"})

    @app.get("/", include_in_schema=False)
    def home(request: Request) -> Response:
        return app.state.pages.render(request, "home.html")

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, exc: StarletteHTTPException):
        if request.url.path.startswith("/api/") or request.url.path == "/healthz":
            return JSONResponse({"detail": exc.detail}, status_code=exc.status_code, headers=exc.headers)
        if 300 <= exc.status_code < 400 and exc.headers and "Location" in exc.headers:
            return RedirectResponse(exc.headers["Location"], status_code=exc.status_code)
        msg = exc.detail if exc.status_code not in (404, 405) else text("notfound", lang_of(request))
        return app.state.pages.render(request, "message.html", exc.status_code, message=msg)

    return LimitBody(app, max_upload)  # type: ignore[return-value]


def app_from_env():
    """For uvicorn --factory with several workers: the folder and database come from the
    environment that `budgetxl portal serve` sets."""
    from .manage import open_ledger

    folder = Path(os.environ["BUDGETXL_PORTAL_DIR"])
    ledger = open_ledger(folder, os.environ.get("BUDGETXL_PORTAL_DB") or None)
    return create_app(ledger, int(os.environ.get("BUDGETXL_PORTAL_MAX_UPLOAD", DEFAULT_MAX_UPLOAD)))
