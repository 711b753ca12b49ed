"""The collection portal: a submission ledger, the clerk's upload page, the city's status pages
and a small JSON API (``budgetxl portal init|serve|import``, ``budgetxl merge --ledger``).

Layout: ``engine`` is the one adapter into the form logic; ``models``/``db``/``migrations`` are the
ledger; ``ledger`` holds the services (receive, status, history, consolidate, re-issue);
``security`` the secrets; ``web`` and ``api`` the FastAPI routes; ``cli`` the commands.
"""
