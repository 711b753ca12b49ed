"""The collection portal: a submission ledger, the clerk's upload page, the city's status pages
and a small JSON API (``budgetxl portal init|serve|import``, ``budgetxl merge --ledger``).

It sits above the library API (docs/architecture.md): ``engine`` is its one door into budgetxl.api;
``models``/``db``/``migrations`` are the ledger; ``ledger`` and ``manage`` hold the services
(receive, status, history, consolidate, re-issue, import); ``security`` the secrets; ``app`` with
``web``, ``clerk``, ``admin``, ``api`` and ``uploads`` the FastAPI application. The commands are in
budgetxl/cli/portal.py; every sentence is in the catalogue (budgetxl/messages/portal.py).
"""
