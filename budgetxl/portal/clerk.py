"""The clerk's pages, reached by the unit's personal link /u/{token}: the issued workbook, the
upload box, the verdict with what to do, the annotated copy, and the unit's own history. Every
lookup is scoped to the link's unit: another unit's submission is simply not found."""

from __future__ import annotations

from fastapi import APIRouter, HTTPException, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import RedirectResponse, Response

from . import engine as E
from .web import download, human_size, lang_of, text, with_reports
from .ledger import Ledger, Refused
from .models import Unit
from .security import csrf_ok, csrf_token, token_hash

router = APIRouter(prefix="/u/{token}")


def _unit(request: Request, token: str) -> tuple[Ledger, Unit]:
    ledger: Ledger = request.app.state.ledger
    unit = ledger.unit_for("link", token)
    if unit is None:
        raise HTTPException(404)
    return ledger, unit


def _csrf(ledger: Ledger, token: str) -> str:
    return csrf_token(ledger.csrf_secret(), "unit:" + token_hash(token))


def _page(request: Request, token: str, ledger: Ledger, unit: Unit, status: int = 200, **ctx) -> Response:
    stage = "targets"
    lang = lang_of(request)
    issued = ledger.issued(unit.code, stage)
    return request.app.state.pages.render(
        request, "clerk.html", status, unit=unit, token=token, issued=issued, stage=stage,
        history=with_reports(ledger.history(unit.code, stage), lang), csrf=_csrf(ledger, token), year=ledger.year,
        limit=human_size(request.app.state.max_upload), help=E.rule_help(lang), **ctx)


@router.get("")
def home(request: Request, token: str) -> Response:
    ledger, unit = _unit(request, token)
    return _page(request, token, ledger, unit)


@router.get("/workbook")
def workbook(request: Request, token: str) -> Response:
    ledger, unit = _unit(request, token)
    issued = ledger.issued(unit.code, "targets")
    if issued is None:
        raise HTTPException(404)
    return download(ledger.blob(issued.sha256) or b"", issued.filename)


@router.post("/upload")
async def upload(request: Request, token: str) -> Response:
    ledger, unit = await run_in_threadpool(_unit, request, token)
    lang = lang_of(request)
    from .uploads import read_upload

    try:
        up = await read_upload(request, lang)
    except HTTPException as exc:
        return _page(request, token, ledger, unit, exc.status_code, refusal=exc.detail)
    if not csrf_ok(ledger.csrf_secret(), "unit:" + token_hash(token), up.fields.get("csrf")):
        return _page(request, token, ledger, unit, 403, refusal=text("csrf", lang))
    try:
        rec = await run_in_threadpool(ledger.receive, unit.code, "targets", up.filename, up.data, "upload",
                                      f"link:{unit.code}")
    except Refused as exc:
        if exc.submission_id is None:
            return _page(request, token, ledger, unit, 422, refusal=exc.message(lang))
        return RedirectResponse(f"/u/{token}/s/{exc.submission_id}", status_code=303)
    return RedirectResponse(f"/u/{token}/s/{rec.submission_id}", status_code=303)


def _own(request: Request, token: str, sid: int):
    ledger, unit = _unit(request, token)
    sub = ledger.submission(sid)
    if sub is None or sub.unit_code != unit.code:
        raise HTTPException(404)
    return ledger, unit, sub


@router.get("/s/{sid}")
def result(request: Request, token: str, sid: int) -> Response:
    ledger, unit, sub = _own(request, token, sid)
    entry = next(h for h in with_reports(ledger.history(unit.code, sub.stage), lang_of(request)) if h["row"].id == sid)
    return _page(request, token, ledger, unit, shown=entry)


@router.get("/s/{sid}/annotated")
def annotated(request: Request, token: str, sid: int) -> Response:
    ledger, unit, sub = _own(request, token, sid)
    if sub.verdict == "refused":
        raise HTTPException(404)
    from .manage import annotated as make

    name, data = make(ledger, sid, lang_of(request))
    return download(data, name)


@router.get("/s/{sid}/file")
def original(request: Request, token: str, sid: int) -> Response:
    ledger, unit, sub = _own(request, token, sid)
    return download(ledger.blob(sub.sha256) or b"", sub.filename, "application/octet-stream")
