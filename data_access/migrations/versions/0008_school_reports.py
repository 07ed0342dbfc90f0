"""Schools report for themselves: school report states and their history; a user's region may be a school.

Revision ID: 0008_school_reports
Revises: 0007_account_security
Create Date: 2026-12-03

users.region_adcode and import_batches.allowed_region hold a 10-digit 学校标识码 for a school's own reporter.
The widening runs on PostgreSQL only: DuckDB ignores VARCHAR lengths and cannot change the type of a column of
a referenced table (import_batches), as in migration 0003.
"""

import sqlalchemy as sa
from alembic import op

revision = "0008_school_reports"
down_revision = "0007_account_security"
branch_labels = None
depends_on = None

WIDENED = (("users", "region_adcode"), ("import_batches", "allowed_region"))


def upgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        for table, column in WIDENED:
            op.alter_column(table, column, type_=sa.String(32), existing_type=sa.String(6), existing_nullable=False)
    op.create_table(
        "school_reports",
        sa.Column("school_id", sa.String(32), primary_key=True, autoincrement=False),
        sa.Column("year", sa.Integer, primary_key=True, autoincrement=False),
        sa.Column("report_type", sa.String(16), primary_key=True, autoincrement=False),
        sa.Column("state", sa.String(16), nullable=False),
        sa.Column("reason", sa.Text, nullable=True),
        sa.Column("explanation", sa.Text, nullable=True),
        sa.Column("open_warnings", sa.Integer, nullable=False),
        sa.Column("updated_by", sa.String(64), nullable=False),
        sa.Column("updated_at", sa.DateTime, nullable=False),
        sa.Column("batch_id", sa.String(36), nullable=True),
    )
    op.create_table(
        "school_report_events",
        sa.Column("event_id", sa.String(36), primary_key=True, autoincrement=False),
        sa.Column("school_id", sa.String(32), nullable=False),
        sa.Column("year", sa.Integer, nullable=False),
        sa.Column("report_type", sa.String(16), nullable=False),
        sa.Column("from_state", sa.String(16), nullable=False),
        sa.Column("to_state", sa.String(16), nullable=False),
        sa.Column("actor", sa.String(64), nullable=False),
        sa.Column("occurred_at", sa.DateTime, nullable=False),
        sa.Column("reason", sa.Text, nullable=True),
        sa.Column("batch_id", sa.String(36), nullable=True),
    )


def downgrade() -> None:
    op.drop_table("school_report_events")
    op.drop_table("school_reports")
    if op.get_bind().dialect.name == "postgresql":
        for table, column in WIDENED:
            op.alter_column(table, column, type_=sa.String(6), existing_type=sa.String(32), existing_nullable=False)
