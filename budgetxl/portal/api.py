"""The JSON API for scripts: /healthz, POST /api/submissions (unit token), GET /api/status and
GET /api/consolidated.xlsx (admin token). Each takes ``?stage=targets|monitor|selfeval`` (an open
stage); an upload without it goes to the stage its workbook belongs to."""

from __future__ import annotations

from fastapi import APIRouter, HTTPException, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import JSONResponse, Response

from . import engine as E
from .ledger import Ledger, Refused
from .web import consolidated_name, download, lang_of

router = APIRouter()
BEARER = {"WWW-Authenticate": "Bearer"}


def bearer(request: Request) -> str | None:
    auth = request.headers.get("authorization", "")
    scheme, _, token = auth.partition(" ")
    return token.strip() if scheme.lower() == "bearer" and token.strip() else None


def stage_of(request: Request, ledger: Ledger, default: str | None = "targets") -> str | None:
    """The ``?stage=`` asked for (an open stage), else ``default`` (targets, or the first stage the
    portal opened when it started later; None: the upload's own form decides)."""
    stage = request.query_params.get("stage")
    open_ = ledger.stages()
    if not stage:
        return (default if default in open_ else open_[0]) if default else None
    if stage not in E.STAGES:
        raise HTTPException(422, E.message("portal.unknown-stage", lang_of(request), stage=repr(stage[:20])))
    if stage not in open_:
        raise HTTPException(422, E.text(E.Phrase("portal.stage-not-open", {
            "name": E.Phrase(f"page.stage.{stage}"), "stage": stage}), lang_of(request)))
    return stage


def require_admin(request: Request) -> Ledger:
    ledger: Ledger = request.app.state.ledger
    if not ledger.admin_ok(bearer(request)):
        raise HTTPException(401, E.message("portal.admin-token-wrong", lang_of(request)), headers=BEARER)
    return ledger


@router.get("/healthz")
def healthz(request: Request) -> dict:
    ledger: Ledger = request.app.state.ledger
    from sqlalchemy import text

    try:
        with ledger.engine.connect() as conn:
            conn.execute(text("SELECT 1"))
    except Exception:
        return JSONResponse({"status": E.message("portal.database-down", lang_of(request))}, status_code=503)
    return {"status": "ok"}


@router.post("/api/submissions")
async def submit(request: Request) -> Response:
    ledger: Ledger = request.app.state.ledger
    unit = await run_in_threadpool(ledger.unit_for, "api", bearer(request))
    if unit is None:
        raise HTTPException(401, E.message("portal.unit-token", lang_of(request)), headers=BEARER)
    stage = stage_of(request, ledger, None)  # no ?stage=: the workbook's own stage
    from .uploads import read_upload

    lang = lang_of(request)
    up = await read_upload(request, lang)
    try:
        rec = await run_in_threadpool(ledger.receive, unit.code, stage, up.filename, up.data, "upload",
                                      f"api:{unit.code}")
    except Refused as exc:
        body = {"detail": exc.message(lang)}
        if exc.submission_id is not None:
            body["submission_id"] = exc.submission_id
        return JSONResponse(body, status_code=422)
    return JSONResponse({**E.report_json([rec.record], lang), "submission_id": rec.submission_id})


@router.get("/api/status")
def status(request: Request) -> dict:
    ledger = require_admin(request)
    return {"units": [u.to_api() for u in ledger.board(stage_of(request, ledger))]}


@router.get("/api/consolidated.xlsx")
def consolidated(request: Request) -> Response:
    ledger = require_admin(request)
    from .manage import consolidated_bytes

    stage = stage_of(request, ledger)
    data = consolidated_bytes(ledger, stage, "api:admin")
    return download(data, consolidated_name(ledger.year, stage))
