"""Portal test helpers: workbooks for the test units, a portal on SQLite or PostgreSQL, a real
server process (imported by the portal tests and their conftest)."""

from __future__ import annotations

import csv
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import time
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

from budgetxl import Submission
from budgetxl import generate_workbook

ROOT = Path(__file__).resolve().parents[2]
SEED = ROOT / "examples" / "juluxian-2024.json"
ARTIFACTS = ROOT / "test-artifacts" / "portal"  # screenshots (gitignored), reported at the end of the run
UNITS = [("414001", "巨鹿县市场监督管理局本级", "130529"), ("401001", "襄都区市场监督管理局本级", "130502"),
         ("402001", "信都区市场监督管理局本级", "130503")]
reported: list[str] = []


def report_artifact(path: Path) -> None:
    reported.append(str(path))


# ---- documents and workbooks ---------------------------------------------------------------------

def unit_doc(code: str, name: str | None = None, region: str | None = None, year: int = 2024) -> Submission:
    """The seed's ten projects as unit ``code``'s (project codes moved to its region)."""
    name = name or dict((c, n) for c, n, _ in UNITS)[code]
    region = region or dict((c, r) for c, _, r in UNITS)[code]
    data = json.loads(SEED.read_text(encoding="utf-8"), parse_float=Decimal)
    data["unit"] = {"code": code, "name": name, "region": region}
    data["year"] = year
    for p in data["projects"]:
        p["code"] = region + str(year)[2:] + p["code"][8:]
    return Submission.model_validate(data)


def with_mistake(doc: Submission) -> Submission:
    """预算数 ≠ 财政资金 + 其他资金 in the first project."""
    data = doc.model_dump(by_alias=True)
    data["projects"][0]["budget"]["total"] = data["projects"][0]["budget"]["total"] + 1
    return Submission.model_validate(data)


def workbook(doc: Submission, path: Path) -> Path:
    generate_workbook(doc, path)
    return path


# ---- a portal ------------------------------------------------------------------------------------

@dataclass
class Portal:
    folder: Path
    admin: str
    links: dict[str, str] = field(default_factory=dict)  # unit code -> path of the personal link
    tokens: dict[str, str] = field(default_factory=dict)  # unit code -> API token
    url: str | None = None

    def ledger(self):
        from budgetxl.portal.manage import open_ledger

        return open_ledger(self.folder, self.url)

    def app(self, **kw):
        from budgetxl.portal.app import create_app

        return create_app(self.ledger(), **kw)


def write_roster(path: Path, units=UNITS) -> Path:
    with open(path, "w", encoding="utf-8", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(["code", "name", "region"])
        w.writerows(units)
    return path


def make_portal(folder: Path, url: str | None = None, units=UNITS) -> Portal:
    from budgetxl.portal.manage import init_portal

    roster = write_roster(folder.parent / f"{folder.name}-roster.csv", units)
    res = init_portal(folder, roster, 2024, url=url)
    p = Portal(folder, res.admin_token, url=url)
    with open(folder / "links.csv", encoding="utf-8-sig") as fh:
        for row in csv.DictReader(fh):
            p.links[row["unit_code"]] = re.sub(r"^https?://[^/]+", "", row["link"])
            p.tokens[row["unit_code"]] = row["token"]
    return p


# ---- PostgreSQL ------------------------------------------------------------------------------------

# no user in the URL: libpq uses the OS user, for whom .ci/run (or start_local_postgres) makes a role
PG_ADMIN = os.environ.get("BUDGETXL_TEST_PG", "postgresql+psycopg:///postgres?host=/var/run/postgresql")


def pg_ok(url: str) -> bool:
    from sqlalchemy import create_engine, text

    try:
        eng = create_engine(url, connect_args={"connect_timeout": 3})
        with eng.connect() as c:
            c.execute(text("select 1"))
        eng.dispose()
        return True
    except Exception:
        return False


def start_local_postgres() -> None:
    """Debian's cluster, started the way .ci/run does (as root: pg_ctlcluster drops to postgres)."""
    if os.geteuid() != 0 or not shutil.which("pg_lsclusters"):
        return
    run = lambda *cmd: subprocess.run(cmd, capture_output=True, text=True, timeout=120)  # noqa: E731
    clusters = [ln.split() for ln in run("pg_lsclusters", "-h").stdout.splitlines() if ln.strip()]
    if not clusters:
        versions = sorted(os.listdir("/usr/lib/postgresql")) if os.path.isdir("/usr/lib/postgresql") else []
        if not versions:
            return
        run("pg_createcluster", versions[-1], "main")
        clusters = [ln.split() for ln in run("pg_lsclusters", "-h").stdout.splitlines() if ln.strip()]
    for c in clusters:
        if c[3] != "online":
            run("pg_ctlcluster", c[0], c[1], "start")
    import getpass

    user = getpass.getuser()
    run("runuser", "-u", "postgres", "--", "psql", "-qc",
        f"DO $$BEGIN IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname='{user}') "
        f"THEN CREATE ROLE \"{user}\" SUPERUSER LOGIN; END IF; END$$;")


# ---- a real server process ---------------------------------------------------------------------------

def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Server:
    def __init__(self, folder: Path, url: str | None = None, workers: int = 1):
        self.folder, self.db, self.workers = folder, url, workers
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.proc: subprocess.Popen | None = None

    def start(self, timeout: float = 60) -> "Server":
        import httpx

        cmd = [sys.executable, "-m", "budgetxl", "portal", "serve", str(self.folder), "--port", str(self.port),
               "--workers", str(self.workers)]
        if self.db:
            cmd += ["--db", self.db]
        self.log = open(self.folder.parent / f"server-{self.port}.log", "ab")
        self.proc = subprocess.Popen(cmd, stdout=self.log, stderr=subprocess.STDOUT, start_new_session=True)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"server exited: {(self.folder.parent / f'server-{self.port}.log').read_text()}")
            try:
                if httpx.get(self.base + "/healthz", timeout=2).status_code == 200:
                    return self
            except httpx.HTTPError:
                pass
            time.sleep(0.2)
        raise RuntimeError("server did not answer /healthz")

    def kill9(self) -> None:
        """SIGKILL to the process group this fixture started (the server and its workers)."""
        if self.proc is not None and self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGKILL)
            self.proc.wait(timeout=30)

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGTERM)
            try:
                self.proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.kill9()
        self.log.close()


# ---- the later stages ------------------------------------------------------------------------------

INDICATOR_LEVELS = ("产出指标", "效益指标", "满意度指标")


def fill_monitoring(issued: bytes, path: Path, mistake: bool = False) -> Path:
    """A clerk's monitoring workbook: the issued one with every project's 1–N月执行数 (N/12 of the
    budget), 全年预计执行数 and each indicator's 当前完成值 (at target) and 完成目标可能性 typed in
    with openpyxl. ``mistake``: the first indicator's *完成目标可能性 left empty."""
    import io

    import openpyxl

    wb = openpyxl.load_workbook(io.BytesIO(issued))
    month = int(re.search(r"1–(\d+)月", wb["汇总"]["E2"].value)[1])
    for ws in wb.worksheets:
        if ws["A3"].value != "项目编码" or not ws["B3"].value:
            continue
        share = {row: (Decimal(str(ws[f"D{row}"].value or 0)) * month / 12).quantize(Decimal("0.01"))
                 for row in (6, 7)}  # 财政拨款, 其他资金; the total is their sum
        for row, spent in ((5, share[6] + share[7]), *share.items()):
            ws[f"F{row}"] = float(spent)
            ws[f"J{row}"] = float(Decimal(str(ws[f"D{row}"].value or 0)))
        ws["H9"] = "按计划推进"  # 1–N月 总体目标执行情况
        r = 11
        while ws[f"A{r}"].value in INDICATOR_LEVELS:
            target = ws[f"E{r}"].value
            ws[f"G{r}"] = "达成" if ws[f"D{r}"].value == "定性" else float(Decimal(str(target)))
            ws[f"I{r}"] = "全年可完成"
            ws[f"J{r}"] = None if mistake and r == 11 and ws.title.startswith("1.") else "确定能"
            r += 1
    wb.save(path)
    return path
