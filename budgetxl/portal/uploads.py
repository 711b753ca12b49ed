"""Reading an uploaded file from a multipart form, within the size limit (shared by the clerk's
page and the API). The client's file name is kept as a string; the bytes stay in memory."""

from __future__ import annotations

from dataclasses import dataclass

from fastapi import HTTPException, Request
from starlette.datastructures import UploadFile
from starlette.formparsers import MultiPartException

from .web import TooLarge, human_size, text


@dataclass
class Upload:
    filename: str
    data: bytes
    fields: dict[str, str]


async def read_upload(request: Request, lang: str = "zh") -> Upload:
    limit = request.app.state.max_upload
    try:
        form = await request.form(max_files=1, max_fields=20)
    except TooLarge:
        raise HTTPException(413, text("toolarge", lang, size=f"> {human_size(limit)}", limit=human_size(limit)))
    except (MultiPartException, AssertionError, KeyError, ValueError) as exc:
        raise HTTPException(422, f"{text('nofile', lang)} ({str(exc)[:100]})")
    try:
        item = form.get("file")
        fields = {k: v for k, v in form.items() if isinstance(v, str)}
        if not isinstance(item, UploadFile):
            raise HTTPException(422, text("nofile", lang))
        data = await item.read(limit + 1)
        if len(data) > limit:
            raise HTTPException(413, text("toolarge", lang, size=f"> {human_size(limit)}", limit=human_size(limit)))
        if not data:
            raise HTTPException(422, text("nofile", lang))
        return Upload(item.filename or "upload.xlsx", data, fields)
    finally:
        await form.close()
