"""A clerk and the city in a real browser (Debian's headless Chromium through Selenium, never a
downloaded one), against a real server process. Screenshots go to test-artifacts/portal/."""

from __future__ import annotations

import os
import shutil
import time
from pathlib import Path

import openpyxl
import pytest

from .portal_helpers import ARTIFACTS, Server, make_portal, report_artifact

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
CHROMEDRIVER = shutil.which("chromedriver") or "/usr/bin/chromedriver"

pytestmark = pytest.mark.browser


@pytest.fixture
def browser(tmp_path, monkeypatch):
    webdriver = pytest.importorskip("selenium.webdriver")
    if not (os.path.exists(CHROMIUM) and os.path.exists(CHROMEDRIVER)):
        pytest.skip("chromium and chromium-driver are not installed")
    from selenium.webdriver.chrome.options import Options
    from selenium.webdriver.chrome.service import Service

    monkeypatch.setenv("SE_OFFLINE", "true")  # Selenium Manager must never fetch a browser or driver
    downloads = tmp_path / "downloads"
    downloads.mkdir()
    opts = Options()
    opts.binary_location = CHROMIUM
    for arg in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-dev-shm-usage",
                f"--user-data-dir={tmp_path / 'profile'}", "--window-size=1280,1000", "--lang=zh-CN"):
        opts.add_argument(arg)
    opts.add_experimental_option("prefs", {"download.default_directory": str(downloads),
                                           "download.prompt_for_download": False})
    driver = webdriver.Chrome(service=Service(executable_path=CHROMEDRIVER), options=opts)
    driver.execute_cdp_cmd("Page.setDownloadBehavior", {"behavior": "allow", "downloadPath": str(downloads)})
    driver.downloads = downloads
    try:
        yield driver
    finally:
        driver.quit()


@pytest.fixture
def server(tmp_path):
    p = make_portal(tmp_path / "portal")
    srv = Server(p.folder).start()
    srv.portal = p
    try:
        yield srv
    finally:
        srv.stop()


def screenshot(driver, name: str) -> Path:
    """The whole page, not just the window (Chromium's own full-page capture)."""
    import base64

    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    size = driver.execute_cdp_cmd("Page.getLayoutMetrics", {})["cssContentSize"]
    shot = driver.execute_cdp_cmd("Page.captureScreenshot", {
        "format": "png", "captureBeyondViewport": True,
        "clip": {"x": 0, "y": 0, "width": size["width"], "height": size["height"], "scale": 1}})
    path = ARTIFACTS / name
    path.write_bytes(base64.b64decode(shot["data"]))
    report_artifact(path)
    return path


def wait_for(predicate, timeout: float = 30, step: float = 0.2):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(step)
    raise AssertionError("timed out")


def upload(driver, path: Path) -> str:
    from selenium.webdriver.common.by import By

    before = driver.current_url
    driver.find_element(By.CSS_SELECTOR, "input[type=file]").send_keys(str(path))
    driver.find_element(By.CSS_SELECTOR, ".upload button[type=submit]").click()
    wait_for(lambda: driver.current_url != before and "/s/" in driver.current_url)  # the new result page
    return wait_for(lambda: driver.find_elements(By.CSS_SELECTOR, ".verdict"))[0].text


def test_clerk_fixes_a_mistake_and_the_city_sees_it(browser, server, make_wb):
    from selenium.webdriver.common.by import By

    p = server.portal
    browser.get(server.base + p.links["414001"])
    assert "巨鹿县市场监督管理局本级" in browser.find_element(By.TAG_NAME, "h1").text
    assert "401001" not in browser.page_source and "襄都区" not in browser.page_source

    started = time.monotonic()
    verdict = upload(browser, make_wb("414001", mistake=True, name="巨鹿县绩效目标表.xlsx"))
    assert time.monotonic() - started < 20  # within seconds (measured properly in the benchmark)
    assert "校验未通过" in verdict
    rows = browser.find_elements(By.CSS_SELECTOR, "table.findings tbody tr")
    finding = next(r.text for r in rows if "预算数" in r.text)
    assert "1." in finding and "C4" in finding and "财政资金" in finding  # sheet, cell, what is wrong
    screenshot(browser, "clerk-result-invalid.png")

    browser.find_element(By.PARTIAL_LINK_TEXT, "下载标注了问题的工作簿").click()
    copy = wait_for(lambda: [f for f in browser.downloads.glob("*.xlsx")])[0]
    assert copy.name == "巨鹿县绩效目标表_退回修改.xlsx"
    wb = openpyxl.load_workbook(copy)
    assert wb.sheetnames[0] == "校验结果"
    assert any(row[2] == "budget-sum" for row in wb["校验结果"].iter_rows(values_only=True))

    verdict = upload(browser, make_wb("414001", name="巨鹿县绩效目标表（修改版）.xlsx"))
    assert "校验通过" in verdict and "已报送" in verdict
    history = browser.find_element(By.XPATH, "//section[.//h3[contains(., '报送记录')]]").text
    assert "已报送" in history and "校验未通过" in history
    screenshot(browser, "clerk-result-valid.png")

    browser.get(server.base + "/admin")
    assert "/admin/login" in browser.current_url
    login(browser, server)
    row = browser.find_element(By.XPATH, "//table[contains(@class,'board')]//tr[td[1][text()='414001']]").text
    assert "已报送" in row
    other = browser.find_element(By.XPATH, "//table[contains(@class,'board')]//tr[td[1][text()='401001']]").text
    assert "未报送" in other
    screenshot(browser, "city-board.png")

    browser.find_element(By.LINK_TEXT, "巨鹿县市场监督管理局本级").click()
    wait_for(lambda: browser.find_elements(By.CSS_SELECTOR, "article.submission"))
    assert "与上一次报送相比" in browser.page_source and "预算数: 71 → 70" in browser.page_source
    screenshot(browser, "city-unit-history.png")


def login(driver, server) -> None:
    from selenium.webdriver.common.by import By

    driver.get(server.base + "/admin/login")
    driver.find_element(By.NAME, "password").send_keys(server.portal.admin)
    driver.find_element(By.CSS_SELECTOR, "form.login button").click()
    wait_for(lambda: driver.find_elements(By.CSS_SELECTOR, "table.board"))


def test_hostile_strings_show_as_text(browser, server, tmp_path):
    """A project named <script>… or =HYPERLINK(…) and a hostile file name are shown as text."""
    import httpx
    from selenium.common.exceptions import NoAlertPresentException
    from selenium.webdriver.common.by import By

    from .portal_helpers import unit_doc, with_mistake, workbook

    p = server.portal
    data = with_mistake(unit_doc("401001")).model_dump(by_alias=True)
    data["projects"][0]["name"] = "<script>alert(1)</script>"
    data["projects"][1]["name"] = '=HYPERLINK("http://example.invalid/x","点我")'
    data["projects"][1]["budget"]["total"] += 1  # a finding on that sheet too
    sids = []
    for n, name in enumerate(("<img src=x onerror=alert(2)>.xlsx", "第二次.xlsx")):
        if n:
            data["projects"][0]["name"] = "<b>粗体</b>"
        path = workbook(unit_doc("401001").model_validate(data), tmp_path / f"x{n}.xlsx")
        r = httpx.post(server.base + "/api/submissions", headers={"Authorization": f"Bearer {p.tokens['401001']}"},
                       files={"file": (name, path.read_bytes())}, timeout=60)
        assert r.status_code == 200
        sids.append(r.json()["submission_id"])
    browser.get(server.base + p.links["401001"] + f"/s/{sids[0]}")
    text = browser.find_element(By.TAG_NAME, "body").text
    # sheet names (cut and with / replaced by Excel's rules) and the file name, all as text
    assert "1.<script>alert(1)<_script>" in text and "<img src=x onerror=alert(2)>.xlsx" in text
    assert '2.=HYPERLINK("http___example.in' in text
    assert not browser.find_elements(By.CSS_SELECTOR, "main script, main img, main b")
    with pytest.raises(NoAlertPresentException):
        browser.switch_to.alert.text
    screenshot(browser, "clerk-hostile-strings.png")

    login(browser, server)
    browser.get(server.base + "/admin/unit/401001")
    text = browser.find_element(By.TAG_NAME, "body").text
    assert "<script>alert(1)</script> → <b>粗体</b>" in text  # the diff shows the project names verbatim
    assert not browser.find_elements(By.CSS_SELECTOR, "main script, main img, main b")
    with pytest.raises(NoAlertPresentException):
        browser.switch_to.alert.text
    screenshot(browser, "city-hostile-strings.png")


def test_clerk_page_with_the_targets_and_the_monitoring(browser, server, make_wb, tmp_path):
    """The monitoring opened on a running portal: the clerk's page shows both stages (the newest
    first), and a filled monitoring workbook uploaded there is checked as one."""
    import httpx
    from selenium.webdriver.common.by import By
    from typer.testing import CliRunner

    from budgetxl.cli import app as cli_app

    from .portal_helpers import fill_monitoring

    p = server.portal
    r = httpx.post(server.base + "/api/submissions", headers={"Authorization": f"Bearer {p.tokens['414001']}"},
                   files={"file": ("巨鹿县.xlsx", make_wb("414001").read_bytes())}, timeout=60)
    assert r.status_code == 200
    opened = CliRunner().invoke(cli_app, ["portal", "init", str(p.folder), "--stage", "monitor"])
    assert opened.exit_code == 1 and "402001" in opened.stdout  # (401001 and 402001 have no targets yet)

    browser.get(server.base + p.links["414001"])
    titles = [h.text for h in browser.find_elements(By.CSS_SELECTOR, "section.stage h2")]
    assert titles[0].startswith("绩效运行监控表（1–7月）") and titles[1].startswith("绩效目标表")
    issued = httpx.get(server.base + p.links["414001"] + "/workbook?stage=monitor", timeout=60).content
    verdict = upload(browser, fill_monitoring(issued, tmp_path / "巨鹿县运行监控表.xlsx"))
    assert "校验通过" in verdict
    assert "绩效运行监控表" in browser.find_element(By.CSS_SELECTOR, "section.result h2").text
    screenshot(browser, "clerk-two-stages.png")
