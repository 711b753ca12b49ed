"""The city's pages (admin login): the status board per stage with filter and sort, a unit's
history with the differences between its submissions, consolidated downloads, re-issuing a
workbook or a link, and the audit log."""

from __future__ import annotations

import json
import secrets
import tempfile
from pathlib import Path

from fastapi import APIRouter, HTTPException, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import RedirectResponse, Response

from . import engine as E
from .web import consolidated_name, download, lang_of, text, with_reports
from .ledger import STATUSES, Ledger
from .security import csrf_ok, csrf_token, token_hash

router = APIRouter(prefix="/admin")
SESSION = "bx_session"
PRELOGIN = "bx_login"
SORTS = {"": lambda u: 0, "code": lambda u: u.code, "name": lambda u: u.name, "status": lambda u: STATUSES.index(u.status),
         "time": lambda u: (u.submitted_at is None, u.submitted_at.timestamp() if u.submitted_at else 0),
         "errors": lambda u: (u.errors is None, u.errors or 0), "warnings": lambda u: (u.warnings is None, u.warnings or 0)}


class LoginRequired(Exception):
    pass


def _admin(request: Request) -> tuple[Ledger, str]:
    ledger: Ledger = request.app.state.ledger
    session = request.cookies.get(SESSION)
    if not ledger.session_ok(session):
        if request.method == "GET":
            raise HTTPException(303, headers={"Location": "/admin/login"})
        raise HTTPException(401, text("csrf", lang_of(request)))
    return ledger, csrf_token(ledger.csrf_secret(), "admin:" + token_hash(session))


def _check_csrf(request: Request, csrf: str, given: str | None) -> None:
    if not given or not secrets.compare_digest(csrf, given):
        raise HTTPException(403, text("csrf", lang_of(request)))


def _cookie(response: Response, request: Request, name: str, value: str, max_age: int) -> None:
    response.set_cookie(name, value, max_age=max_age, httponly=True, samesite="strict",
                        secure=request.url.scheme == "https", path="/")


@router.get("/login")
def login_page(request: Request, failed: bool = False) -> Response:
    ledger: Ledger = request.app.state.ledger
    pre = secrets.token_urlsafe(16)
    resp = request.app.state.pages.render(request, "login.html", 401 if failed else 200, failed=failed,
                                          csrf=csrf_token(ledger.csrf_secret(), "login:" + pre))
    _cookie(resp, request, PRELOGIN, pre, 3600)
    return resp


@router.post("/login")
async def login(request: Request) -> Response:
    ledger: Ledger = request.app.state.ledger
    form = await request.form(max_files=0, max_fields=5)
    pre = request.cookies.get(PRELOGIN, "")
    if not pre or not csrf_ok(ledger.csrf_secret(), "login:" + pre, str(form.get("csrf", ""))):
        raise HTTPException(403, text("csrf", lang_of(request)))
    if not await run_in_threadpool(ledger.admin_ok, str(form.get("password", ""))):
        return login_page(request, failed=True)
    session = await run_in_threadpool(ledger.new_session)
    resp = RedirectResponse("/admin", status_code=303)
    _cookie(resp, request, SESSION, session, 12 * 3600)
    resp.delete_cookie(PRELOGIN, path="/")
    return resp


@router.post("/logout")
async def logout(request: Request) -> Response:
    ledger, csrf = _admin(request)
    form = await request.form(max_files=0, max_fields=5)
    _check_csrf(request, csrf, str(form.get("csrf", "")))
    ledger.end_session(request.cookies.get(SESSION))
    resp = RedirectResponse("/admin/login", status_code=303)
    resp.delete_cookie(SESSION, path="/")
    return resp


def _stage(request: Request, ledger: Ledger) -> str:
    """The stage asked for (?stage=), else the newest open one: the round being collected now."""
    stages = ledger.stages()
    stage = request.query_params.get("stage") or (stages[-1] if stages else "targets")
    if stage not in stages:
        raise HTTPException(404)
    return stage


@router.get("")
def board(request: Request, status: str = "", q: str = "", sort: str = "", order: str = "asc") -> Response:
    ledger, csrf = _admin(request)
    stage = _stage(request, ledger)
    rows = ledger.board(stage)
    counts = {s: sum(1 for u in rows if u.status == s) for s in STATUSES}
    if status in STATUSES:
        rows = [u for u in rows if u.status == status]
    if q.strip():
        needle = q.strip().lower()
        rows = [u for u in rows if needle in u.code.lower() or needle in u.name.lower()]
    sort = sort if sort in SORTS else ""  # "": the roster's order
    rows.sort(key=SORTS[sort], reverse=order == "desc")
    return request.app.state.pages.render(
        request, "board.html", rows=rows, counts=counts, total=sum(counts.values()), stage=stage,
        stages=ledger.stages(), status=status, q=q, sort=sort, order=order, statuses=STATUSES, csrf=csrf,
        year=ledger.year)


def _unit(ledger: Ledger, code: str):
    unit = ledger.unit(code)
    if unit is None:
        raise HTTPException(404)
    return unit


@router.get("/unit/{code}")
def unit_page(request: Request, code: str) -> Response:
    return _unit_page(request, code)


def _unit_page(request: Request, code: str, status: int = 200, **extra) -> Response:
    ledger, csrf = _admin(request)
    stage = _stage(request, ledger)
    unit = _unit(ledger, code)
    history = with_reports(ledger.history(code, stage), lang_of(request))
    for newer, older in zip(history, history[1:]):
        a, b = older["row"].document, newer["row"].document
        newer["diff"] = E.diff(a, b) if a and b else None
    return request.app.state.pages.render(
        request, "unit.html", status, unit=unit, stage=stage, history=history, issued=ledger.issued(code, stage),
        audit=ledger.audit_log(code, 50), csrf=csrf, help=E.rule_help(lang_of(request)), year=ledger.year, **extra)


def _submission(ledger: Ledger, code: str, sid: int):
    sub = ledger.submission(sid)
    if sub is None or sub.unit_code != code:
        raise HTTPException(404)
    return sub


@router.get("/unit/{code}/s/{sid}/file")
def original(request: Request, code: str, sid: int) -> Response:
    ledger, _ = _admin(request)
    sub = _submission(ledger, code, sid)
    return download(ledger.blob(sub.sha256) or b"", sub.filename, "application/octet-stream")


@router.get("/unit/{code}/s/{sid}/annotated")
def annotated(request: Request, code: str, sid: int) -> Response:
    ledger, _ = _admin(request)
    sub = _submission(ledger, code, sid)
    if sub.verdict == "refused":
        raise HTTPException(404)
    from .manage import annotated as make

    return download(*reversed(make(ledger, sid, lang_of(request))))


@router.get("/unit/{code}/workbook")
def workbook(request: Request, code: str) -> Response:
    ledger, _ = _admin(request)
    issued = ledger.issued(_unit(ledger, code).code, _stage(request, ledger))
    if issued is None:
        raise HTTPException(404)
    return download(ledger.blob(issued.sha256) or b"", issued.filename)


@router.post("/unit/{code}/reissue-workbook")
async def reissue_workbook(request: Request, code: str) -> Response:
    ledger, csrf = _admin(request)
    _unit(ledger, code)
    form = await request.form(max_files=1, max_fields=10)
    try:
        _check_csrf(request, csrf, str(form.get("csrf", "")))
        stage = _stage(request, ledger)
        supersede = form.get("supersede") == "1"
        budget = form.get("budget")
        data = await budget.read(5 * 2**20) if budget is not None and not isinstance(budget, str) else b""
        name = getattr(budget, "filename", "") or ""
    finally:
        await form.close()
    version = await run_in_threadpool(_reissue, ledger, code, stage, supersede, data, name, lang_of(request))
    return _unit_page(request, code, notice=text("reissue.done", lang_of(request), v=version))


def _reissue(ledger: Ledger, code: str, stage: str, supersede: bool, data: bytes, name: str, lang: str) -> int:
    from .manage import reissue_workbook as reissue

    if not data:
        return reissue(ledger, code, stage, supersede, "admin")
    suffix = Path(name).suffix.lower()
    with tempfile.TemporaryDirectory(prefix="budgetxl-budget-") as tmp:
        path = Path(tmp) / f"budget{suffix if suffix in ('.csv', '.xlsx', '.xls', '.ods') else '.csv'}"
        path.write_bytes(data)
        try:
            return reissue(ledger, code, stage, supersede, "admin", path)
        except E.EngineError as exc:
            raise HTTPException(422, exc.message(lang).replace(str(path), name)) from None


@router.post("/unit/{code}/reissue-link")
async def reissue_link(request: Request, code: str) -> Response:
    ledger, csrf = _admin(request)
    _unit(ledger, code)
    form = await request.form(max_files=0, max_fields=5)
    _check_csrf(request, csrf, str(form.get("csrf", "")))
    link, api = await run_in_threadpool(ledger.new_unit_tokens, code, "admin")
    base = (ledger.setting("base_url") or str(request.base_url)).rstrip("/")
    return _unit_page(request, code, new_link=f"{base}/u/{link}", new_token=api)


@router.get("/consolidated.xlsx")
def consolidated(request: Request) -> Response:
    ledger, _ = _admin(request)
    from .manage import consolidated_bytes

    stage = _stage(request, ledger)
    return download(consolidated_bytes(ledger, stage, "admin"), consolidated_name(ledger.year, stage))


@router.get("/consolidated-data.zip")
def consolidated_data(request: Request) -> Response:
    ledger, _ = _admin(request)
    from .manage import consolidated_bytes

    stage = _stage(request, ledger)
    data = consolidated_bytes(ledger, stage, "admin", data=True)
    return download(data, consolidated_name(ledger.year, stage, data=True), "application/zip")


@router.get("/audit")
def audit(request: Request) -> Response:
    ledger, csrf = _admin(request)
    rows = [(a, json.loads(a.detail) if a.detail else {}) for a in ledger.audit_log(None, 500)]
    return request.app.state.pages.render(request, "audit.html", rows=rows, csrf=csrf)
