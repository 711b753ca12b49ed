"""The ledger: units, stages, file blobs, issued workbooks, tokens, submissions, current, annotated
copies, audit log.

Revision ID: 0001
Revises:
Create Date: 2024-11-28
"""
import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None

STAGE = "stage IN ('targets', 'monitor', 'selfeval')"
TS = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table("settings", sa.Column("key", sa.String(64), primary_key=True),
                    sa.Column("value", sa.Text(), nullable=False))
    op.create_table("units", sa.Column("code", sa.String(64), primary_key=True),
                    sa.Column("name", sa.String(200), nullable=False), sa.Column("region", sa.String(32)),
                    sa.Column("position", sa.Integer(), nullable=False))
    op.create_table("stages", sa.Column("stage", sa.String(16), primary_key=True),
                    sa.Column("year", sa.Integer(), nullable=False), sa.Column("opened_at", TS, nullable=False),
                    sa.CheckConstraint(STAGE, name="ck_stages_stage"))
    op.create_table("blobs", sa.Column("sha256", sa.String(64), primary_key=True),
                    sa.Column("size", sa.Integer(), nullable=False),
                    sa.Column("content", sa.LargeBinary(), nullable=False))
    op.create_table(
        "issued", sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("unit_code", sa.String(64), sa.ForeignKey("units.code"), nullable=False),
        sa.Column("stage", sa.String(16), nullable=False), sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("filename", sa.String(255), nullable=False),
        sa.Column("sha256", sa.String(64), sa.ForeignKey("blobs.sha256"), nullable=False),
        sa.Column("created_at", TS, nullable=False),
        sa.CheckConstraint(STAGE, name="ck_issued_stage"),
        sa.UniqueConstraint("unit_code", "stage", "version", name="uq_issued_version"))
    op.create_table(
        "tokens", sa.Column("id", sa.Integer(), primary_key=True), sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("unit_code", sa.String(64), sa.ForeignKey("units.code")),
        sa.Column("token_hash", sa.String(64), nullable=False, unique=True),
        sa.Column("created_at", TS, nullable=False), sa.Column("expires_at", TS), sa.Column("revoked_at", TS),
        sa.CheckConstraint("kind IN ('link', 'api', 'session')", name="ck_tokens_kind"))
    op.create_table(
        "submissions", sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("unit_code", sa.String(64), sa.ForeignKey("units.code"), nullable=False),
        sa.Column("stage", sa.String(16), nullable=False), sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("filename", sa.String(255), nullable=False),
        sa.Column("sha256", sa.String(64), sa.ForeignKey("blobs.sha256"), nullable=False),
        sa.Column("size", sa.Integer(), nullable=False), sa.Column("received_at", TS, nullable=False),
        sa.Column("source", sa.String(16), nullable=False), sa.Column("uploader", sa.String(200), nullable=False),
        sa.Column("verdict", sa.String(16), nullable=False), sa.Column("errors", sa.Integer(), nullable=False),
        sa.Column("warnings", sa.Integer(), nullable=False), sa.Column("report", sa.Text(), nullable=False),
        sa.Column("document", sa.Text()),
        sa.CheckConstraint(STAGE, name="ck_submissions_stage"),
        sa.CheckConstraint("source IN ('upload', 'import')", name="ck_submissions_source"),
        sa.CheckConstraint("verdict IN ('valid', 'invalid', 'refused')", name="ck_submissions_verdict"))
    op.create_index("ix_submissions_unit_stage", "submissions", ["unit_code", "stage", "id"])
    op.create_table(
        "current", sa.Column("unit_code", sa.String(64), sa.ForeignKey("units.code"), primary_key=True),
        sa.Column("stage", sa.String(16), primary_key=True),
        sa.Column("submission_id", sa.Integer(), sa.ForeignKey("submissions.id")),
        sa.Column("superseded_upto", sa.Integer()),
        sa.CheckConstraint(STAGE, name="ck_current_stage"))
    op.create_table(
        "annotated", sa.Column("submission_id", sa.Integer(), sa.ForeignKey("submissions.id"), primary_key=True),
        sa.Column("sha256", sa.String(64), sa.ForeignKey("blobs.sha256"), nullable=False))
    op.create_table(
        "audit", sa.Column("id", sa.Integer(), primary_key=True), sa.Column("at", TS, nullable=False),
        sa.Column("actor", sa.String(200), nullable=False), sa.Column("action", sa.String(32), nullable=False),
        sa.Column("unit_code", sa.String(64)), sa.Column("stage", sa.String(16)),
        sa.Column("submission_id", sa.Integer()), sa.Column("detail", sa.Text()))


def downgrade() -> None:
    for table in ("audit", "annotated", "current", "submissions", "tokens", "issued", "blobs", "stages", "units",
                  "settings"):
        op.drop_table(table)
