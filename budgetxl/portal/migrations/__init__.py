"""Alembic migrations of the ledger (run by budgetxl.portal.db.upgrade, no alembic.ini needed)."""
