"""Type into workbooks in LibreOffice the way a clerk does, through its user interface (UNO dispatch
commands: go to a cell, enter a string, insert a row, delete), save in several formats, and report
what each saved file's check columns and summary show once LibreOffice opens it again.

Runs under Debian's /usr/bin/python3 (python3-uno), never imports budgetxl:

    /usr/bin/python3 tests/corpus/lo_clerk.py job.json out.json

    {"jobs": [{"id": "...", "src": "/abs/in.xlsx",
               "edits": [["type", "Sheet", "B7", "95%"], ["insert_row", "Sheet", "A16", "above"], ...],
               "save": {"xlsx": "/abs/out.xlsx", "xls": "/abs/out.xls", "ods": "/abs/out.ods"},
               "check_col": 8, "summary": "汇总"}]}

Edits: ``type`` (what the clerk types, as typed: 95%, >=, 1万份), ``delete`` (the Delete key),
``insert_row`` (the sheet's Insert Rows Above/Below at a cell), ``unprotect`` (a sheet; for a
clerk who removes the protection to change issued data). Typing goes through LibreOffice's input
handling, so 95% becomes 0.95 with a percent format, as it does for a person.

One soffice process (its own throw-away profile, on a private pipe; see lo_edit.start_office)
serves every job. ``out.json`` maps job id -> format -> {"checks": {sheet: [[row, text], …]},
"summary": [[row values…], …]}.
"""

from __future__ import annotations

import json
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import uno  # noqa: E402  (Debian's python3-uno)

from lo_edit import OFFICE, prop, start_office, stop_office, url  # noqa: E402

FILTERS = {"xlsx": "Calc MS Excel 2007 XML", "xls": "MS Excel 97", "ods": "calc8"}


class Clerk:
    def __init__(self, desktop, ctx):
        self.desktop = desktop
        self.dispatch = ctx.ServiceManager.createInstanceWithContext("com.sun.star.frame.DispatchHelper", ctx)

    def run(self, doc, edit):
        op, sheet, args = edit[0], edit[1], edit[2:]
        controller = doc.getCurrentController()
        controller.setActiveSheet(doc.getSheets().getByName(sheet))
        frame = controller.getFrame()

        def do(command, *props):
            self.dispatch.executeDispatch(frame, command, "", 0, tuple(prop(k, v) for k, v in props))

        if op == "unprotect":
            doc.getSheets().getByName(sheet).unprotect("")
            return
        do(".uno:GoToCell", ("ToPoint", args[0]))
        if op == "type":
            do(".uno:EnterString", ("StringName", args[1]))
        elif op == "delete":
            do(".uno:ClearContents", ("Flags", "SVDT"))  # (what the Delete key clears: the content)
        elif op == "insert_row":
            do(".uno:InsertRowsBefore" if args[1] == "above" else ".uno:InsertRowsAfter")
        else:
            raise ValueError("unknown edit " + op)


def used_rows(sheet):
    cursor = sheet.createCursor()
    cursor.gotoEndOfUsedArea(False)
    return cursor.getRangeAddress().EndRow + 1


def report(doc, check_col, summary):
    out = {"checks": {}, "summary": []}
    sheets = doc.getSheets()
    for i in range(sheets.getCount()):
        s = sheets.getByIndex(i)
        name = s.getName()
        if name == summary:
            for r in range(used_rows(s)):
                out["summary"].append([s.getCellByPosition(c, r).getString() for c in range(12)])
            continue
        texts = []
        for r in range(used_rows(s)):
            text = s.getCellByPosition(check_col, r).getString()
            if text:
                texts.append([r + 1, text])
        if texts:
            out["checks"][name] = texts
    return out


def run_job(desktop, clerk, job):
    doc = desktop.loadComponentFromURL(url(job["src"]), "_blank", 0, (prop("Hidden", True),))
    if doc is None:
        raise RuntimeError("could not open " + job["src"])
    try:
        for edit in job.get("edits", []):
            clerk.run(doc, edit)
        doc.calculateAll()
        for fmt, path in job["save"].items():
            uno.invoke(doc, "storeToURL", (url(path), (prop("FilterName", FILTERS[fmt]), prop("Overwrite", True))))
    finally:
        doc.close(True)
    results = {}
    for fmt, path in job["save"].items():
        again = desktop.loadComponentFromURL(url(path), "_blank", 0, (prop("Hidden", True),))
        try:
            again.calculateAll()
            results[fmt] = report(again, job.get("check_col", 8), job.get("summary", "汇总"))
        finally:
            again.close(True)
    return results


def main(argv):
    jobs = json.load(open(argv[1], encoding="utf-8"))["jobs"]
    proc, profile, desktop = start_office()
    out, failed = {}, 0
    try:
        clerk = Clerk(desktop, OFFICE["context"])
        for job in jobs:
            try:
                out[job["id"]] = run_job(desktop, clerk, job)
                print("ok", job["id"], flush=True)
            except Exception as exc:  # report and go on with the other jobs
                failed += 1
                print("FAIL %s: %s: %s" % (job["id"], type(exc).__name__, str(exc)[:300]), flush=True)
    finally:
        stop_office(proc, profile, desktop)
    with open(argv[2], "w", encoding="utf-8") as fh:
        json.dump(out, fh, ensure_ascii=False)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
