"""A stage remembers its form's month: a monitoring stage collects data to the end of month N
(the consolidation of a stage with no submission yet still has that form's columns).

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-28
"""
import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("stages") as batch:
        batch.add_column(sa.Column("month", sa.Integer(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("stages") as batch:
        batch.drop_column("month")
