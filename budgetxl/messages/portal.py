"""The collection portal (``budgetxl portal``): its commands' texts.

(The pages' words are in ``portal.page.*``; a finding shown on a page is rendered from the rule
catalogue in the page's language.)
"""

from __future__ import annotations

PORTAL: dict[str, tuple[str, str]] = {
    # commands
    "help.portal": ("报送门户：台账、填报人员上传页面、市局报送情况", "Collection portal: ledger, upload pages, status board."),
    "help.portal.init": ("建立台账，下发工作簿，写出 links.csv，最后一行打印管理员口令",
                         "Create the ledger, issue workbooks, write links.csv, print the admin token last."),
    "help.portal.serve": ("启动门户网站（uvicorn）", "Run the portal web server (uvicorn)."),
    "help.portal.import": ("把邮件等方式收到的文件登记入台账（同样校验）",
                           "Enter files received by e-mail into the ledger, with the same checks."),
    "help.portal.folder": ("门户目录", "portal folder"),
    "help.portal.units": ("单位名单 CSV/XLSX", "roster CSV/XLSX"),
    "help.portal.year": ("预算年度", "fiscal year"),
    "help.portal.budget": ("预算清单：按单位预填项目", "budget list to pre-fill projects"),
    "help.portal.stage": ("报送阶段：targets | monitor | selfeval", "stage: targets | monitor | selfeval"),
    "help.portal.db": ("数据库 URL（默认 DIR/ledger.sqlite3），如 postgresql+psycopg://user:pw@host/db",
                       "database URL (default DIR/ledger.sqlite3), e.g. postgresql+psycopg://user:pw@host/db"),
    "help.portal.base_url": ("链接的网址前缀", "address the links start with"),
    "help.portal.host": ("监听地址", "address to listen on"),
    "help.portal.port": ("端口", "port"),
    "help.portal.workers": ("进程数", "worker processes"),
    "help.portal.max_upload": ("上传文件大小上限（MB）", "upload size limit (MB)"),
    "help.portal.inputs": ("工作簿、文件夹或 .zip", "workbooks, folders or zip archives"),
    "portal.missing-extra": ("门户需要可选依赖：pip install 'budgetxl[portal]'",
                             "The portal needs its extra: pip install 'budgetxl[portal]'"),
    "portal.init-failed": ("门户初始化失败：{detail}", "Setting up the portal failed: {detail}"),
    "portal.init-done": ("已下发 {n} 个工作簿到 {dir}；链接和 API 令牌在 {links}（请妥善保管）。",
                         "Issued {n} workbooks to {dir}; the links and API tokens are in {links} (keep it safe)."),
    "portal.init-serve": ("启动：budgetxl portal serve {dir}", "Start it: budgetxl portal serve {dir}"),
    "portal.init-serve-db": ("启动：budgetxl portal serve {dir} （数据库地址已记在 portal.json）",
                             "Start it: budgetxl portal serve {dir} (the database URL is recorded in portal.json)"),
    "portal.admin-token": ("管理员口令（只显示这一次）：", "Admin token (shown once):"),
    "portal.cannot-open": ("无法打开台账：{detail}", "Cannot open the ledger: {detail}"),
    "portal.serving": ("门户：{url} （Ctrl+C 停止）", "Portal: {url} (Ctrl+C stops it)"),
    "portal.outcome.valid": ("已报送", "submitted"),
    "portal.outcome.invalid": ("校验未通过", "not passed"),
    "portal.outcome.refused": ("未登记", "not recorded"),
    "portal.import-total": ("共 {n} 个文件：{ok} 个通过，{bad} 个需要处理。", "{n} file(s): {ok} passed, {bad} need attention."),
}
