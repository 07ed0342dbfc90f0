"""Review of yearly reports (逐级审核): states, transition history, deadlines, plausibility warnings.

Revision ID: 0006_review
Revises: 0005_registry_integrity
Create Date: 2026-12-03
"""

import sqlalchemy as sa
from alembic import op

revision = "0006_review"
down_revision = "0005_registry_integrity"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "review_states",
        sa.Column("unit_adcode", sa.String(6), primary_key=True, autoincrement=False),
        sa.Column("year", sa.Integer, primary_key=True, autoincrement=False),
        sa.Column("report_type", sa.String(16), primary_key=True, autoincrement=False),
        sa.Column("state", sa.String(16), nullable=False),
        sa.Column("submitted_by", sa.String(64), nullable=True),
        sa.Column("submitted_at", sa.DateTime, nullable=True),
        sa.Column("approved_by", sa.String(64), nullable=True),
        sa.Column("approved_at", sa.DateTime, nullable=True),
        sa.Column("approver_region", sa.String(6), nullable=True),
        sa.Column("reason", sa.Text, nullable=True),
        sa.Column("updated_by", sa.String(64), nullable=False),
        sa.Column("updated_at", sa.DateTime, nullable=False),
    )
    op.create_table(
        "review_events",
        sa.Column("event_id", sa.String(36), primary_key=True, autoincrement=False),
        sa.Column("unit_adcode", sa.String(6), nullable=False),
        sa.Column("year", sa.Integer, nullable=False),
        sa.Column("report_type", sa.String(16), nullable=False),
        sa.Column("action", sa.String(16), nullable=False),
        sa.Column("from_state", sa.String(16), nullable=False),
        sa.Column("to_state", sa.String(16), nullable=False),
        sa.Column("actor", sa.String(64), nullable=False),
        sa.Column("actor_name", sa.String(64), nullable=False),
        sa.Column("actor_region", sa.String(6), nullable=False),
        sa.Column("occurred_at", sa.DateTime, nullable=False),
        sa.Column("reason", sa.Text, nullable=True),
        sa.Column("explanation", sa.Text, nullable=True),
        sa.Column("rows_reported", sa.Integer, nullable=False),
        sa.Column("open_warnings", sa.Integer, nullable=False),
    )
    op.create_table(
        "review_deadlines",
        sa.Column("region_adcode", sa.String(6), primary_key=True, autoincrement=False),
        sa.Column("year", sa.Integer, primary_key=True, autoincrement=False),
        sa.Column("report_type", sa.String(16), primary_key=True, autoincrement=False),
        sa.Column("due_date", sa.Date, nullable=False),
        sa.Column("set_by", sa.String(64), nullable=False),
        sa.Column("set_at", sa.DateTime, nullable=False),
    )
    op.create_table(
        "import_warnings",
        sa.Column("batch_id", sa.String(36), sa.ForeignKey("import_batches.batch_id"), primary_key=True,
                  autoincrement=False),
        sa.Column("warning_no", sa.Integer, primary_key=True, autoincrement=False),
        sa.Column("rule_id", sa.String(64), nullable=False),
        sa.Column("report_type", sa.String(16), nullable=False),
        sa.Column("county_adcode", sa.String(6), nullable=False),
        sa.Column("unit_id", sa.String(32), nullable=False),
        sa.Column("year", sa.Integer, nullable=False),
        sa.Column("file_name", sa.String(255), nullable=False),
        sa.Column("excel_row", sa.Integer, nullable=True),
        sa.Column("column_header", sa.String(80), nullable=False),
        sa.Column("previous_year", sa.Integer, nullable=True),
        sa.Column("old_value", sa.String(64), nullable=True),
        sa.Column("new_value", sa.String(64), nullable=True),
        sa.Column("message", sa.String(500), nullable=False),
        sa.Column("explanation", sa.Text, nullable=True),
        sa.Column("explained_by", sa.String(64), nullable=True),
        sa.Column("explained_at", sa.DateTime, nullable=True),
        sa.Column("superseded_by", sa.String(36), nullable=True),
    )


def downgrade() -> None:
    op.drop_table("import_warnings")
    op.drop_table("review_deadlines")
    op.drop_table("review_events")
    op.drop_table("review_states")
