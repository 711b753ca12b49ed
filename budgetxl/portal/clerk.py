"""The clerk's pages, reached by the unit's personal link /u/{token}: the issued workbook, the
upload box, the verdict with what to do, the annotated copy, and the unit's own history, for
every open stage of the year. Every
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


def _page(request: Request, token: str, ledger: Ledger, unit: Unit, status: int = 200, focus: str | None = None,
          **ctx) -> Response:
    """The unit's page: every open stage, newest first, each with its issued workbook, an upload
    box and the unit's history in that stage."""
    lang = lang_of(request)
    stages = [{"stage": st, "month": month, "issued": ledger.issued(unit.code, st),
               "history": with_reports(ledger.history(unit.code, st), lang)}
              for st, month in reversed(ledger.stage_months().items())]
    return request.app.state.pages.render(
        request, "clerk.html", status, unit=unit, token=token, stages=stages, focus=focus,
        csrf=_csrf(ledger, token), year=ledger.year, limit=human_size(request.app.state.max_upload),
        help=E.rule_help(lang), **ctx)


@router.get("")
def home(request: Request, token: str) -> Response:
    ledger, unit = _unit(request, token)
    return _page(request, token, ledger, unit)


@router.get("/workbook")
def workbook(request: Request, token: str, stage: str = "") -> Response:
    """The issued workbook of ``stage`` (default: the newest open stage)."""
    ledger, unit = _unit(request, token)
    stages = ledger.stages()
    issued = ledger.issued(unit.code, stage or stages[-1]) if not stage or stage in stages else None
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
    box = up.fields.get("stage")  # the stage whose box was used: where an unreadable file is kept
    try:
        # the workbook goes to the open stage its form belongs to, whichever box it came through
        rec = await run_in_threadpool(ledger.receive, unit.code, None, up.filename, up.data, "upload",
                                      f"link:{unit.code}", box)
    except Refused as exc:
        if exc.submission_id is None:
            return _page(request, token, ledger, unit, 422, focus=box, refusal=exc.message(lang))
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
    return _page(request, token, ledger, unit, focus=sub.stage, shown=entry)


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
