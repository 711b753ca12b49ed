"""The FastAPI application: pages for clerks and the city, the JSON API, and what every
response shares (security headers, the upload size limit)."""

from __future__ import annotations

import os
from pathlib import Path

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse, RedirectResponse, Response
from starlette.exceptions import HTTPException as StarletteHTTPException

from .ledger import DEFAULT_MAX_UPLOAD, Ledger
from .security import SECURITY_HEADERS
from .web import HERE, Pages, TooLarge, lang_of, text

BODY_OVERHEAD = 256 * 1024  # multipart boundaries and the other form fields


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
