"""Drive LibreOffice through its UNO Python API: open workbooks, edit them as a clerk would, save.

Runs under Debian's /usr/bin/python3 (the interpreter python3-uno is built for), never imports
budgetxl, and is driven by a JSON job file written by build.py:

    /usr/bin/python3 tests/corpus/lo_edit.py jobs.json

    {"jobs": [{"id": "...", "src": "/abs/in.xlsx", "out": "/abs/out.xlsx",
               "filter": "Calc MS Excel 2007 XML", "options": "", "password": null,
               "recalc": true, "edits": [["set_string", "Sheet", "B3", "text"], ...]}]}

One soffice process (its own throw-away profile, listening on a private pipe) serves every job;
it is ended by its process id when the run is over. Prints one line per job (``ok id`` or
``FAIL id: reason``) and exits 1 if any job failed.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import uuid

import uno  # noqa: F401  (Debian's python3-uno)
from com.sun.star.beans import PropertyValue
from com.sun.star.connection import NoConnectException
from com.sun.star.table import CellRangeAddress  # noqa: F401

SOFFICE = shutil.which("soffice") or "/usr/bin/soffice"
OFFICE = {}  # the running office's component context, once started


def prop(name, value):
    p = PropertyValue()
    p.Name, p.Value = name, value
    return p


def url(path):
    return uno.systemPathToFileUrl(os.path.abspath(path))


def start_office():
    profile = tempfile.mkdtemp(prefix="lo-uno-profile-", dir="/tmp")
    pipe = "budgetxl_" + uuid.uuid4().hex
    cmd = [SOFFICE, "-env:UserInstallation=" + uno.systemPathToFileUrl(profile), "--headless", "--invisible",
           "--norestore", "--nologo", "--nodefault", "--nolockcheck", "--accept=pipe,name=%s;urp;" % pipe]
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
    local = uno.getComponentContext()
    resolver = local.ServiceManager.createInstanceWithContext("com.sun.star.bridge.UnoUrlResolver", local)
    deadline = time.time() + 90
    while True:
        try:
            ctx = resolver.resolve("uno:pipe,name=%s;urp;StarOffice.ComponentContext" % pipe)
            break
        except NoConnectException:
            if time.time() > deadline or proc.poll() is not None:
                stop_office(proc, profile)
                raise RuntimeError("could not connect to soffice")
            time.sleep(0.3)
    desktop = ctx.ServiceManager.createInstanceWithContext("com.sun.star.frame.Desktop", ctx)
    OFFICE["context"] = ctx  # (for scripts that need more of the office's services: lo_clerk)
    return proc, profile, desktop


def stop_office(proc, profile, desktop=None):
    if desktop is not None:
        try:
            desktop.terminate()
        except Exception:
            pass
    try:
        proc.wait(timeout=20)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)  # the group of the soffice started above, by its id
        proc.wait()
    shutil.rmtree(profile, ignore_errors=True)


# ---- edits --------------------------------------------------------------------------------------

def sheet_of(doc, name):
    sheets = doc.getSheets()
    if isinstance(name, int):
        return sheets.getByIndex(name)
    return sheets.getByName(name)


def cell(doc, sheet, ref):
    return sheet_of(doc, sheet).getCellRangeByName(ref)


def row_index(ref):
    return int("".join(ch for ch in ref if ch.isdigit())) - 1


def do_edit(doc, edit):
    op, args = edit[0], edit[1:]
    if op == "unprotect_all":
        sheets = doc.getSheets()
        for i in range(sheets.getCount()):
            s = sheets.getByIndex(i)
            if s.isProtected():
                s.unprotect("")
    elif op == "set_string":  # what a clerk types into a text-formatted or general cell as text
        cell(doc, args[0], args[1]).setString(args[2])
    elif op == "set_value":
        cell(doc, args[0], args[1]).setValue(args[2])
    elif op == "set_formula":
        cell(doc, args[0], args[1]).setFormula(args[2])
    elif op == "clear":
        cell(doc, args[0], args[1]).clearContents(1 | 2 | 4 | 16)  # VALUE | DATETIME | STRING | FORMULA
    elif op == "number_format":  # e.g. "0%"
        c = cell(doc, args[0], args[1])
        formats = doc.getNumberFormats()
        locale = uno.createUnoStruct("com.sun.star.lang.Locale")
        key = formats.queryKey(args[2], locale, False)
        if key == -1:
            key = formats.addNew(args[2], locale)
        c.NumberFormat = key
    elif op == "background":
        cell(doc, args[0], args[1]).CellBackColor = int(args[2])
    elif op == "insert_rows":  # sheet, first row (A1 row number), count
        sheet_of(doc, args[0]).getRows().insertByIndex(int(args[1]) - 1, int(args[2]))
    elif op == "delete_rows":
        sheet_of(doc, args[0]).getRows().removeByIndex(int(args[1]) - 1, int(args[2]))
    elif op == "copy_sheet":  # source name, new name, position
        doc.getSheets().copyByName(args[0], args[1], int(args[2]))
    elif op == "rename_sheet":
        sheet_of(doc, args[0]).setName(args[1])
    elif op == "move_sheet":
        doc.getSheets().moveByName(args[0], int(args[1]))
    elif op == "remove_sheet":
        doc.getSheets().removeByName(args[0])
    elif op == "merge":  # sheet, range: merge, keeping only the top-left value (the others cleared)
        rng = cell(doc, args[0], args[1])
        addr = rng.getRangeAddress()
        s = sheet_of(doc, args[0])
        for r in range(addr.StartRow, addr.EndRow + 1):
            for c in range(addr.StartColumn, addr.EndColumn + 1):
                if (r, c) != (addr.StartRow, addr.StartColumn):
                    s.getCellByPosition(c, r).clearContents(1 | 2 | 4 | 16)
        rng.merge(True)
    elif op == "unmerge_all":  # sheet: split every merged range (the values stay top-left)
        s = sheet_of(doc, args[0])
        cursor = s.createCursor()
        cursor.gotoEndOfUsedArea(False)
        end = cursor.getRangeAddress()
        for r in range(0, end.EndRow + 1):
            for c in range(0, end.EndColumn + 1):
                rng = s.getCellRangeByPosition(c, r, c, r)
                cur = s.createCursorByRange(rng)
                cur.collapseToMergedArea()
                a = cur.getRangeAddress()
                if a.EndRow > a.StartRow or a.EndColumn > a.StartColumn:
                    cur.merge(False)
    elif op == "set_strings":  # sheet, first cell, [[row of texts]]
        s = sheet_of(doc, args[0])
        base = s.getCellRangeByName(args[1]).getCellAddress()
        for dr, values in enumerate(args[2]):
            for dc, v in enumerate(values):
                c = s.getCellByPosition(base.Column + dc, base.Row + dr)
                if v is None:
                    c.clearContents(1 | 2 | 4 | 16)
                elif isinstance(v, (int, float)):
                    c.setValue(v)
                else:
                    c.setString(v)
    else:
        raise ValueError("unknown edit " + op)


def run_job(desktop, job):
    doc = desktop.loadComponentFromURL(url(job["src"]), "_blank", 0, (prop("Hidden", True),))
    if doc is None:
        raise RuntimeError("could not open " + job["src"])
    try:
        for edit in job.get("edits", []):
            do_edit(doc, edit)
        if job.get("recalc", True):
            doc.calculateAll()
        props = [prop("FilterName", job["filter"]), prop("Overwrite", True)]
        if job.get("options"):
            props.append(prop("FilterOptions", job["options"]))
        if job.get("password"):
            if job["filter"].startswith("Calc MS Excel 2007"):
                # OOXML export encrypts from EncryptionData (ECMA-376 standard encryption: an OLE2
                # container holding EncryptionInfo and EncryptedPackage, as Excel writes).
                from com.sun.star.beans import NamedValue
                data = []
                for name, value in (("OOXPassword", job["password"]), ("CryptoType", "Standard")):
                    nv = NamedValue()
                    nv.Name, nv.Value = name, value
                    data.append(nv)
                props.append(prop("EncryptionData", uno.Any("[]com.sun.star.beans.NamedValue", tuple(data))))
            else:
                props.append(prop("Password", job["password"]))
        uno.invoke(doc, "storeToURL", (url(job["out"]), tuple(props)))
    finally:
        doc.close(True)


def main(argv):
    jobs = json.load(open(argv[1], encoding="utf-8"))["jobs"]
    proc, profile, desktop = start_office()
    failed = 0
    try:
        for job in jobs:
            try:
                run_job(desktop, job)
                if not os.path.isfile(job["out"]):
                    raise RuntimeError("nothing written")
                print("ok", job["id"], flush=True)
            except Exception as exc:  # report and go on with the other jobs
                failed += 1
                print("FAIL %s: %s: %s" % (job["id"], type(exc).__name__, str(exc)[:300]), flush=True)
    finally:
        stop_office(proc, profile, desktop)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
